-- 港口与渡轮 🚢⚓: names and comments before every span
MODEL (
  name harbor.旅客,
  description '乗客の一覧 🧳',
  kind FULL
);

SELECT
  '🌊🌊' AS wave,
  "顧客"."名前" AS 名前,
  t.fare AS fare
FROM harbor."顧客" AS "顧客"
JOIN harbor.tickets AS t -- 🎫
 ON t.customer_id = "顧客".id
WHERE t.note <> 'café'
