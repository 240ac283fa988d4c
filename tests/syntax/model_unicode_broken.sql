MODEL (name harbor.wide_chars, kind FULL);

SELECT '日本語', 'ﾊﾝｶｸ' AS 🐟 FROM harbor.fish WHERE
