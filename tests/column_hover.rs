//! Column hover, one fixture per construct: each case is a temp copy of `fixtures/hover` (a
//! small grocery shop: sources → stage → mart → report) plus one SQL text holding a `$0`
//! cursor. A case is either a new model `cases.<name>` (its query, or a whole model file when
//! the text starts with `MODEL`), or a spot in one of the fixture's own files. The snapshot is
//! the line of the cursor, the hovered text and the hover card.
//!
//! Each snapshot was checked against SQLMesh's own lineage for the same model
//! (`tests/differential/sqlmesh_dump.py`) and, for types, DuckDB's. A case found wrong is
//! `#[ignore]`d with the reason until fixed, its snapshot holding the card it should show.

#[path = "support/fixture.rs"]
mod fixture;

use meshls::analysis::hover::hover;
use meshls::analysis::parse;
use meshls::project::Project;
use std::path::Path;

const CURSOR: &str = "$0";

/// Hovers at the `$0` of `marked` (the text of the file at `path`, relative to the project
/// root) and renders what a reviewer needs: the cursor's line, the hovered text, the card.
fn hover_in(path: &str, marked: &str) -> String {
    assert_eq!(marked.matches(CURSOR).count(), 1, "a case has exactly one `$0`:\n{marked}");
    let offset = marked.find(CURSOR).unwrap();
    let text = marked.replacen(CURSOR, "", 1);
    let (_guard, root) = fixture::fixture("hover");
    let project = Project::load(&root, std::slice::from_ref(&root));
    let file = root.join(path);
    assert!(project.set_file(&file, Some(text.as_bytes())), "{path} is no project file");
    let parsed = parse(&project, &file, &text).unwrap();

    let line_start = marked[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = marked[offset..].find('\n').map_or(marked.len(), |i| offset + i);
    let line_number = marked[..offset].matches('\n').count() + 1;
    let mut out = format!("{path}:{line_number}: {}\n", marked[line_start..line_end].trim());
    match hover(&project, &parsed, offset) {
        Some(answer) => {
            let span = answer.span.start as usize..answer.span.end as usize;
            out.push_str(&format!("hovered: `{}`\n\n{}", &text[span], answer.markdown));
        }
        None => out.push_str("no hover\n"),
    }
    out
}

/// A new model `cases.<name>` at `models/cases/<name>.sql`: `text` is its query, or the whole
/// file when it starts with `MODEL`.
fn case(name: &str, text: &str) -> String {
    let (path, file) = fixture::case_model(name, text);
    hover_in(&path, &file)
}

/// A spot in a fixture file: `marked` is a snippet of it with the `$0` inside; the first place
/// the snippet occurs is hovered.
fn spot(path: &str, marked: &str) -> String {
    let original = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hover").join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let snippet = marked.replacen(CURSOR, "", 1);
    let at = original.find(&snippet).unwrap_or_else(|| panic!("`{snippet}` is not in {path}"));
    let text = format!("{}{marked}{}", &original[..at], &original[at + snippet.len()..]);
    hover_in(path, &text)
}

/// One test per case: `name: "query or model file";` adds a model, `name: "path", "snippet";`
macro_rules! cases {
    ($($(#[$attr:meta])* $name:ident: $text:literal $(, $snippet:literal)?;)*) => {$(
        #[test]
        $(#[$attr])*
        fn $name() {
            let output = cases!(@run $name $text $(, $snippet)?);
            insta::assert_snapshot!(stringify!($name), output);
        }
    )*};
    (@run $name:ident $text:literal) => { case(stringify!($name), $text) };
    (@run $name:ident $path:literal, $snippet:literal) => { spot($path, $snippet) };
}

// The select list: qualified, unqualified, an output alias, a reference inside an expression,
// quoted names (DuckDB folds even quoted names to lower case).
cases! {
    select_qualified: r#"
        SELECT o.order_id, o.tot$0al
        FROM stage.orders AS o
    "#;
    select_unqualified: r#"
        SELECT order_id, sta$0tus
        FROM stage.orders
    "#;
    select_output_alias: r#"
        SELECT o.total AS order_to$0tal
        FROM stage.orders AS o
    "#;
    select_inside_expression: r#"
        SELECT o.order_id, ROUND(o.to$0tal * 1.2, 2) AS gross
        FROM stage.orders AS o
    "#;
    select_quoted: r#"
        SELECT "o"."order_id", "o"."Sta$0tus"
        FROM stage.orders AS "o"
    "#;
    select_quoted_alias: r#"
        SELECT o.order_id, o.total AS "Order To$0tal"
        FROM stage.orders AS o
    "#;
}

// Clauses that filter or group: the column read there is the upstream one.
cases! {
    where_clause: r#"
        SELECT order_id
        FROM stage.orders
        WHERE sta$0tus = 'shipped'
    "#;
    having_clause: r#"
        SELECT customer_id, SUM(total) AS spent
        FROM stage.orders
        GROUP BY customer_id
        HAVING MAX(to$0tal) > 100
    "#;
    group_by_column: r#"
        SELECT UPPER(region) AS area, COUNT(*) AS customers
        FROM stage.customers
        GROUP BY reg$0ion
    "#;
    group_by_alias: r#"
        SELECT UPPER(region) AS area, COUNT(*) AS customers
        FROM stage.customers
        GROUP BY ar$0ea
    "#;
    group_by_ordinal: r#"
        SELECT reg$0ion, SUM(total) AS revenue
        FROM mart.orders_enriched
        GROUP BY 1
        ORDER BY 2 DESC
    "#;
    order_by_alias: r#"
        SELECT order_id, total * 2 AS total
        FROM stage.orders
        ORDER BY to$0tal DESC
    "#;
    order_by_in_fixture_model: "models/report/top_regions.sql", "ORDER BY reve$0nue";
}

// Joins: ON, USING, and each join type.
cases! {
    join_on: r#"
        SELECT o.order_id, c.email
        FROM stage.orders AS o
        JOIN stage.customers AS c
          ON c.customer_id = o.custo$0mer_id
    "#;
    left_join: r#"
        SELECT o.order_id, c.reg$0ion
        FROM stage.orders AS o
        LEFT JOIN stage.customers AS c
          ON c.customer_id = o.customer_id
    "#;
    right_join: r#"
        SELECT o.order_id, l.line_am$0ount
        FROM stage.orders AS o
        RIGHT JOIN stage.order_lines AS l
          ON l.order_id = o.order_id
    "#;
    full_join: r#"
        SELECT c.customer_id, o.order$0_id
        FROM stage.customers AS c
        FULL OUTER JOIN stage.orders AS o
          ON o.customer_id = c.customer_id
    "#;
    cross_join: r#"
        SELECT c.customer_id, p.cate$0gory
        FROM stage.customers AS c
        CROSS JOIN src.products AS p
    "#;
    using_clause: r#"
        SELECT o.order_id, c.email
        FROM stage.orders AS o
        JOIN stage.customers AS c USING (custo$0mer_id)
    "#;
    using_column_selected: r#"
        SELECT custo$0mer_id, o.order_id, c.email
        FROM stage.orders AS o
        JOIN stage.customers AS c USING (customer_id)
    "#;
}

// CTEs: a CTE's column read in the outer query, a CTE's own select item, chains of CTEs, a
// CTE inside a CTE, a recursive CTE.
cases! {
    cte_column_in_outer_query: r#"
        WITH big_orders AS (
          SELECT order_id, total
          FROM stage.orders
          WHERE total > 100
        )
        SELECT b.order_id, b.tot$0al
        FROM big_orders AS b
    "#;
    cte_column_in_outer_where: r#"
        WITH big_orders AS (
          SELECT order_id, total
          FROM stage.orders
          WHERE total > 100
        )
        SELECT b.order_id
        FROM big_orders AS b
        WHERE b.tot$0al < 1000
    "#;
    cte_own_item: r#"
        WITH gross AS (
          SELECT order_id, total * 1.2 AS gross_to$0tal
          FROM stage.orders
        )
        SELECT order_id, gross_total
        FROM gross
    "#;
    cte_reference_inside: r#"
        WITH gross AS (
          SELECT order_id, to$0tal * 1.2 AS gross_total
          FROM stage.orders
        )
        SELECT order_id, gross_total
        FROM gross
    "#;
    cte_own_unaliased_item: r#"
        WITH big_orders AS (
          SELECT order_id, tot$0al
          FROM stage.orders
          WHERE total > 100
        )
        SELECT order_id, total
        FROM big_orders
    "#;
    cte_chain: r#"
        WITH lines AS (
          SELECT order_id, line_amount
          FROM stage.order_lines
        ),
        per_order AS (
          SELECT order_id, SUM(line_amount) AS amount
          FROM lines
          GROUP BY order_id
        ),
        ranked AS (
          SELECT order_id, amount, amount > 50 AS is_large
          FROM per_order
        )
        SELECT r.order_id, r.is_la$0rge
        FROM ranked AS r
    "#;
    cte_chain_middle: r#"
        WITH lines AS (
          SELECT order_id, line_amount
          FROM stage.order_lines
        ),
        per_order AS (
          SELECT order_id, SUM(line_amount) AS amount
          FROM lines
          GROUP BY order_id
        ),
        ranked AS (
          SELECT order_id, amount, amo$0unt > 50 AS is_large
          FROM per_order
        )
        SELECT r.order_id, r.is_large
        FROM ranked AS r
    "#;
    cte_nested_with: r#"
        WITH areas AS (
          WITH located AS (
            SELECT customer_id, region
            FROM stage.customers
          )
          SELECT customer_id, UPPER(region) AS area
          FROM located
        )
        SELECT a.customer_id, a.ar$0ea
        FROM areas AS a
    "#;
    cte_recursive: r#"
        WITH RECURSIVE chain AS (
          SELECT customer_id, customer_id AS root_id, 0 AS depth
          FROM stage.customers
          WHERE referred_by IS NULL
          UNION ALL
          SELECT c.customer_id, chain.root_id, chain.depth + 1
          FROM stage.customers AS c
          JOIN chain
            ON c.referred_by = chain.customer_id
        )
        SELECT chain.customer_id, chain.root$0_id, chain.depth AS referral_depth
        FROM chain
    "#;
    cte_recursive_self_reference: r#"
        WITH RECURSIVE chain AS (
          SELECT customer_id, customer_id AS root_id, 0 AS depth
          FROM stage.customers
          WHERE referred_by IS NULL
          UNION ALL
          SELECT c.customer_id, chain.root_id, chain.de$0pth + 1
          FROM stage.customers AS c
          JOIN chain
            ON c.referred_by = chain.customer_id
        )
        SELECT chain.customer_id, chain.root_id, chain.depth AS referral_depth
        FROM chain
    "#;
}

// Subqueries: a derived table with column aliases, a scalar subquery and what it correlates on.
cases! {
    derived_table_column_aliases: r#"
        SELECT t.id, t.amo$0unt
        FROM (
          SELECT order_id, total
          FROM stage.orders
        ) AS t (id, amount)
    "#;
    scalar_subquery_reference: r#"
        SELECT
          c.customer_id,
          (SELECT MAX(o.to$0tal) FROM stage.orders AS o WHERE o.customer_id = c.customer_id) AS biggest_order
        FROM stage.customers AS c
    "#;
    scalar_subquery_correlated: r#"
        SELECT
          c.customer_id,
          (SELECT MAX(o.total) FROM stage.orders AS o WHERE o.customer_id = c.custo$0mer_id) AS biggest_order
        FROM stage.customers AS c
    "#;
    scalar_subquery_output: r#"
        SELECT
          c.customer_id,
          (SELECT MAX(o.total) FROM stage.orders AS o WHERE o.customer_id = c.customer_id) AS biggest_or$0der
        FROM stage.customers AS c
    "#;
}

// Set operations: the first branch names the columns, every branch feeds them.
cases! {
    union_first_branch: r#"
        SELECT order_id, total AS amo$0unt
        FROM stage.orders
        UNION ALL
        SELECT order_id, line_amount
        FROM stage.order_lines
    "#;
    union_second_branch: r#"
        SELECT order_id, total AS amount
        FROM stage.orders
        UNION ALL
        SELECT order_id, line_am$0ount
        FROM stage.order_lines
    "#;
    intersect_first_branch: r#"
        SELECT custo$0mer_id
        FROM stage.customers
        INTERSECT
        SELECT customer_id
        FROM stage.orders
    "#;
    except_where: r#"
        SELECT customer_id
        FROM stage.customers
        EXCEPT
        SELECT customer_id
        FROM stage.orders
        WHERE sta$0tus = 'cancelled'
    "#;
}

// Expressions: window functions, CASE, struct fields, array elements.
cases! {
    window_output: r#"
        SELECT
          order_id,
          ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY order_date DESC) AS recen$0cy
        FROM stage.orders
    "#;
    window_partition_by: r#"
        SELECT
          order_id,
          ROW_NUMBER() OVER (PARTITION BY custo$0mer_id ORDER BY order_date DESC) AS recency
        FROM stage.orders
    "#;
    case_output: r#"
        SELECT
          order_id,
          CASE WHEN status = 'returned' THEN 0 ELSE total END AS kept_to$0tal
        FROM stage.orders
    "#;
    case_condition: r#"
        SELECT
          order_id,
          CASE WHEN sta$0tus = 'returned' THEN 0 ELSE total END AS kept_total
        FROM stage.orders
    "#;
    struct_field: r#"
        SELECT c.customer_id, c.address.ci$0ty
        FROM stage.customers AS c
    "#;
    struct_column: r#"
        SELECT c.customer_id, c.addr$0ess.city
        FROM stage.customers AS c
    "#;
    array_element: r#"
        SELECT order_id, ta$0gs[1] AS first_tag
        FROM stage.orders
    "#;
    array_element_output: r#"
        SELECT order_id, tags[1] AS first_t$0ag
        FROM stage.orders
    "#;
}

// `*` and `alias.*`: a column that reached a model through a star, read downstream.
cases! {
    star_consumer: r#"
        SELECT a.order_id, a.tot$0al
        FROM mart.orders_all AS a
    "#;
    star_consumer_in_where: r#"
        SELECT a.order_id
        FROM mart.orders_all AS a
        WHERE a.sta$0tus = 'shipped'
    "#;
    qualified_star_consumer: "models/mart/customer_revenue.sql", "SUM(to$0tal)";
    star_replace: r#"
        SELECT * REPLACE (ROUND(total) AS to$0tal)
        FROM stage.orders
    "#;
}

// SQLMesh macros that leave the column references in place.
cases! {
    macro_if_reference: r#"
        SELECT
          order_id,
          @IF(@include_status, sta$0tus) AS order_status
        FROM stage.orders
    "#;
    macro_if_output: r#"
        SELECT
          order_id,
          @IF(@include_status, status) AS order_sta$0tus
        FROM stage.orders
    "#;
    macro_time_range: r#"
        MODEL (
          name cases.macro_time_range,
          kind INCREMENTAL_BY_TIME_RANGE (time_column order_date)
        );

        SELECT order_id, order_date, total
        FROM stage.orders
        WHERE order_d$0ate BETWEEN @start_ds AND @end_ds
    "#;
}

// Descriptions, downstream consumers, the depth limit, and columns nobody knows.
cases! {
    description_in_fixture_model: "models/stage/customers.sql", "c.reg$0ion";
    description_upstream: r#"
        SELECT customer_id
        FROM stage.customers
        WHERE reg$0ion = 'north'
    "#;
    description_external_model: r#"
        SELECT customer_id
        FROM src.customers
        WHERE referr$0ed_by IS NOT NULL
    "#;
    description_own: r#"
        MODEL (
          name cases.description_own,
          kind FULL,
          column_descriptions (spent = 'Lifetime spend in EUR.')
        );

        SELECT customer_id, SUM(total) AS sp$0ent
        FROM stage.orders
        GROUP BY customer_id
    "#;
    downstream_consumers: "models/stage/orders.sql", "o.tot$0al";
    deep_upstream_chain: r#"
        SELECT region, reve$0nue
        FROM report.top_regions
    "#;
    unknown_column: r#"
        SELECT o.order_id
        FROM stage.orders AS o
        WHERE o.no_such_col$0umn > 0
    "#;
    unknown_table_in_where: r#"
        SELECT u.user_id
        FROM somewhere.unknown AS u
        WHERE u.act$0ive
    "#;
    unknown_table: r#"
        SELECT u.user_id, u.na$0me
        FROM somewhere.unknown AS u
    "#;
}
