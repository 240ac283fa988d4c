//! Completion, one fixture per context: each case is a temp copy of `fixtures/completion` (a
//! small chain of bakeries: raw → stage → mart → report, a seed, two project macros, an audit)
//! plus one text holding a `$0` cursor. A case is a new model `cases.<name>` (its query, or a
//! whole model file when the text starts with `MODEL`). Every context is tried on SQL that
//! parses and on SQL that does not (an unfinished `o.`, a missing FROM item, an open block).
//! The snapshot is the cursor's line, the text the items replace and the first items, best
//! first: label, kind, detail and, for snippets, the text inserted.

#[path = "support/fixture.rs"]
mod fixture;

use meshls::analysis::completion::{CompletionItem, CompletionKind, completions};
use meshls::analysis::parse;
use meshls::project::Project;

const CURSOR: &str = "$0";
/// Items a snapshot shows.
const SHOWN: usize = 15;

/// The completions at the `$0` of `marked`, the text of the file at `path` (relative to the
/// project root), with the text without the cursor.
fn complete_in(path: &str, marked: &str) -> (Vec<CompletionItem>, String, usize) {
    assert_eq!(marked.matches(CURSOR).count(), 1, "a case has exactly one `$0`:\n{marked}");
    let offset = marked.find(CURSOR).unwrap();
    let text = marked.replacen(CURSOR, "", 1);
    let (_guard, root) = fixture::fixture("completion");
    let project = Project::load(&root, std::slice::from_ref(&root));
    let file = root.join(path);
    assert!(project.set_file(&file, Some(text.as_bytes())), "{path} is no project file");
    let parsed = parse(&project, &file, &text).unwrap();
    (completions(&project, &parsed, &text, offset), text, offset)
}

/// What a reviewer needs: the cursor's line, the replaced text, the first items.
fn render(path: &str, marked: &str) -> String {
    let (items, text, offset) = complete_in(path, marked);
    let line_start = marked[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = marked[offset..].find('\n').map_or(marked.len(), |i| offset + i);
    let line_number = marked[..offset].matches('\n').count() + 1;
    let mut out = format!("{path}:{line_number}: {}\n", marked[line_start..line_end].trim());
    let Some(first) = items.first() else {
        out.push_str("no completions\n");
        return out;
    };
    assert!(items.iter().all(|i| i.replace == first.replace), "every item replaces the same text");
    assert!(items.windows(2).all(|w| w[0].sort_text < w[1].sort_text), "items come sorted by sort_text");
    let replace = first.replace.start as usize..first.replace.end as usize;
    out.push_str(&format!("replaces `{}`\n\n", &text[replace]));
    for item in items.iter().take(SHOWN) {
        let mut line =
            format!("{:<26} {:<14} {}", item.label, format!("{:?}", item.kind), item.detail.as_deref().unwrap_or(""));
        if let Some(insert) = item.insert_text.as_deref().filter(|_| item.snippet) {
            line.push_str(&format!("  ⇥ {insert}"));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if items.len() > SHOWN {
        out.push_str(&format!("… {} more\n", items.len() - SHOWN));
    }
    out
}

/// A new model `cases.<name>` at `models/cases/<name>.sql`: `text` is its query, or the whole
/// file when it starts with `MODEL`.
fn case(name: &str, text: &str) -> String {
    let (path, file) = fixture::case_model(name, text);
    render(&path, &file)
}

/// One test per case: `name: "query or model file";`.
macro_rules! cases {
    ($($(#[$attr:meta])* $name:ident: $text:literal;)*) => {$(
        #[test]
        $(#[$attr])*
        fn $name() {
            insta::assert_snapshot!(stringify!($name), case(stringify!($name), $text));
        }
    )*};
}

// After FROM and JOIN: CTEs, then models of the model's own schema, then the others; a typed
// schema narrows the list and only the part after the dot is replaced.
cases! {
    from_whole: r#"
        SELECT o.order_id
        FROM st$0 AS o
    "#;
    from_broken: r#"
        SELECT o.order_id
        FROM $0
    "#;
    from_schema_whole: r#"
        SELECT *
        FROM stage.or$0ders
    "#;
    from_schema_broken: r#"
        SELECT *
        FROM stage.$0
    "#;
    from_own_schema_first: r#"
        MODEL (
          name stage.new_model,
          kind FULL
        );

        SELECT *
        FROM $0
    "#;
    from_cte_whole: r#"
        WITH recent AS (
          SELECT * FROM stage.orders WHERE order_date > '2024-06-01'
        )
        SELECT *
        FROM rec$0
    "#;
    from_cte_broken: r#"
        WITH recent AS (
          SELECT * FROM stage.orders WHERE order_date > '2024-06-01'
        )
        SELECT *
        FROM recent AS r
        JOIN $0
    "#;
    from_inside_cte_sees_earlier_ctes_only: r#"
        WITH first_orders AS (
          SELECT customer_id, MIN(order_date) AS first_on FROM stage.orders GROUP BY customer_id
        ), second AS (
          SELECT * FROM $0
        )
        SELECT * FROM second
    "#;
}

// In the select list and the other clauses: the columns of the relations in scope, with types;
// a name two relations share is qualified; after `alias.` that relation's columns only.
cases! {
    select_qualified_whole: r#"
        SELECT o.ord$0
        FROM stage.orders AS o
    "#;
    select_qualified_broken: r#"
        SELECT o.$0
        FROM stage.orders AS o
    "#;
    select_qualified_without_from: r#"
        SELECT o.$0
    "#;
    select_join_whole: r#"
        SELECT n$0
        FROM stage.orders AS o
        JOIN stage.customers AS c
          ON c.customer_id = o.customer_id
    "#;
    select_join_broken: r#"
        SELECT o.order_id, $0
        FROM stage.orders AS o
        JOIN stage.customers AS c
          ON c.customer_id = o.customer_id
    "#;
    select_external_and_seed: r#"
        SELECT c.$0
        FROM raw.customers AS c
        CROSS JOIN stage.stores AS s
    "#;
    where_whole: r#"
        SELECT o.order_id
        FROM stage.orders AS o
        WHERE o.to$0tal > 10
    "#;
    where_broken: r#"
        SELECT o.order_id
        FROM stage.orders AS o
        WHERE o.total > 10 AND $0
    "#;
    join_on_whole: r#"
        SELECT o.order_id
        FROM stage.orders AS o
        JOIN stage.customers AS c
          ON c.cust$0omer_id = o.customer_id
    "#;
    join_on_broken: r#"
        SELECT o.order_id
        FROM stage.orders AS o
        JOIN stage.customers AS c
          ON c.$0
    "#;
    order_by_reads_outputs_whole: r#"
        SELECT o.store_id, SUM(o.total) AS revenue
        FROM stage.orders AS o
        GROUP BY o.store_id
        ORDER BY rev$0
    "#;
    order_by_reads_outputs_broken: r#"
        SELECT o.store_id, SUM(o.total) AS revenue
        FROM stage.orders AS o
        GROUP BY o.store_id
        ORDER BY $0
    "#;
    group_by_broken: r#"
        SELECT o.store_id, COUNT(*) AS orders
        FROM stage.orders AS o
        GROUP BY $0
    "#;
    cte_columns_whole: r#"
        WITH totals AS (
          SELECT customer_id, SUM(total) AS spent
          FROM stage.orders
          GROUP BY customer_id
        )
        SELECT t.sp$0
        FROM totals AS t
    "#;
    cte_columns_broken: r#"
        WITH totals AS (
          SELECT customer_id, SUM(total) AS spent
          FROM stage.orders
          GROUP BY customer_id
        )
        SELECT t.$0
        FROM totals AS t
    "#;
    // The placeholder cannot mend this one (`o.` before FROM): the token pass reads the CTE.
    cte_columns_token_pass: r#"
        WITH totals AS (
          SELECT o.customer_id, SUM(o.total) AS spent
          FROM stage.orders AS o
          GROUP BY o.customer_id
        )
        SELECT t.$0, c.
        FROM totals AS t
        JOIN stage.customers AS c ON c.customer_id = t.customer_id
    "#;
    subquery_in_where: r#"
        SELECT c.customer_id
        FROM stage.customers AS c
        WHERE EXISTS (
          SELECT 1 FROM stage.orders AS o WHERE o.customer_id = c.customer_id AND $0
        )
    "#;
    union_branch_broken: r#"
        SELECT customer_id FROM stage.customers
        UNION ALL
        SELECT $0 FROM stage.orders
    "#;
    in_comment_nothing: r#"
        SELECT o.order_id -- o.$0
        FROM stage.orders AS o
    "#;
    alias_name_nothing: r#"
        SELECT o.total AS $0
        FROM stage.orders AS o
    "#;
}

// SQL that even a placeholder at the cursor cannot mend: the token pass reads the FROM and
// JOIN items, their aliases and the CTEs of the query level holding the cursor.
cases! {
    tokens_select_qualified: r#"
        SELECT o.$0
        FROM stage.orders AS o
        JOIN stage.customers AS c ON
    "#;
    tokens_select_shared_names: r#"
        SELECT $0
        FROM stage.orders o, stage.customers c
        WHERE o.customer_id = c.customer_id AND
    "#;
    tokens_subquery_level: r#"
        SELECT *
        FROM (
          SELECT x.$0
          FROM raw.customers AS x
          WHERE
        ) AS sub
        JOIN stage.orders AS o ON o.customer_id = sub.customer_id
    "#;
    tokens_derived_table_columns: r#"
        SELECT sub.$0
        FROM (
          SELECT o.customer_id, SUM(o.total) AS spent, MAX(o.order_date) last_order_on
          FROM stage.orders AS o
          GROUP BY o.customer_id
        ) AS sub
        WHERE sub.spent >
    "#;
    tokens_cte_star: r#"
        WITH everything AS (
          SELECT * FROM stage.stores
        )
        SELECT e.$0
        FROM everything AS e
        WHERE e.city =
    "#;
    tokens_union_branch: r#"
        SELECT customer_id FROM stage.customers
        UNION ALL
        SELECT $0 FROM stage.orders WHERE
    "#;
    tokens_order_by_outputs: r#"
        SELECT o.store_id, SUM(o.total) AS revenue
        FROM stage.orders AS o
        GROUP BY o.store_id
        ORDER BY $0
        LIMIT
    "#;
}

// After `@`: the file's @DEFs, project macros with their parameters as snippets, config
// variables, SQLMesh's macro variables (interval ones only where the kind defines them) and
// built-in macros.
cases! {
    macro_in_full_model: r#"
        @DEF(threshold, 10);

        SELECT o.order_id
        FROM stage.orders AS o
        WHERE o.total > @$0
    "#;
    macro_in_incremental_model: r#"
        MODEL (
          name cases.macro_in_incremental_model,
          kind INCREMENTAL_BY_TIME_RANGE (time_column order_date)
        );

        SELECT o.order_date
        FROM stage.orders AS o
        WHERE o.order_date BETWEEN @sta$0 AND @end_ds
    "#;
    macro_project: r#"
        SELECT @cen$0 AS euros
        FROM stage.orders AS o
    "#;
}

// Inside MODEL (...): properties not yet written, the kind's own inside `kind X (...)`, kinds,
// dialects, cron aliases, audits and the model's own columns.
cases! {
    block_properties_whole: r#"
        MODEL (
          name cases.block_properties_whole,
          kind FULL,
          $0
        );

        SELECT 1 AS one
    "#;
    block_properties_open: r#"
        MODEL (
          name cases.block_properties_open,
          cr$0
    "#;
    block_properties_fresh_file: r#"
        MODEL (
          $0
    "#;
    block_properties_after_missing_comma: r#"
        MODEL (
          name cases.block_properties_after_missing_comma,
          kind FULL
          o$0
        );

        SELECT 1 AS one
    "#;
    block_kind_whole: r#"
        MODEL (
          name cases.block_kind_whole,
          kind INC$0
        );

        SELECT 1 AS one
    "#;
    block_kind_open: r#"
        MODEL (
          name cases.block_kind_open,
          kind $0
    "#;
    block_kind_properties: r#"
        MODEL (
          name cases.block_kind_properties,
          kind INCREMENTAL_BY_TIME_RANGE (
            time_column order_date,
            $0
          )
        );

        SELECT o.order_date, o.total FROM stage.orders AS o
    "#;
    block_time_column_whole: r#"
        MODEL (
          name cases.block_time_column_whole,
          kind INCREMENTAL_BY_TIME_RANGE (
            time_column ord$0
          )
        );

        SELECT o.order_id, o.order_date, o.total FROM stage.orders AS o
    "#;
    block_time_column_broken: r#"
        MODEL (
          name cases.block_time_column_broken,
          kind INCREMENTAL_BY_TIME_RANGE (
            time_column $0
          )
        );

        SELECT o.order_id, o.order_date, o.total FROM stage.orders AS o WHERE
    "#;
    block_dialect: r#"
        MODEL (
          name cases.block_dialect,
          dialect d$0
        );

        SELECT 1 AS one
    "#;
    block_cron_bare: r#"
        MODEL (
          name cases.block_cron_bare,
          cron $0
        );

        SELECT 1 AS one
    "#;
    block_cron_in_string: r#"
        MODEL (
          name cases.block_cron_in_string,
          cron '@h$0'
        );

        SELECT 1 AS one
    "#;
    block_audits: r#"
        MODEL (
          name cases.block_audits,
          audits ($0)
        );

        SELECT o.order_id, o.total FROM stage.orders AS o
    "#;
    block_audit_arguments: r#"
        MODEL (
          name cases.block_audit_arguments,
          audits (not_null(columns := ($0)))
        );

        SELECT o.order_id, o.total FROM stage.orders AS o
    "#;
    block_grain: r#"
        MODEL (
          name cases.block_grain,
          grain (order_id, $0)
        );

        SELECT o.order_id, o.store_id, o.total FROM stage.orders AS o
    "#;
    block_depends_on_whole: r#"
        MODEL (
          name cases.block_depends_on_whole,
          depends_on [stage.orders, m$0]
        );

        SELECT 1 AS one
    "#;
    block_depends_on_open: r#"
        MODEL (
          name cases.block_depends_on_open,
          depends_on [mart.$0
    "#;
    block_name: r#"
        MODEL (
          name $0
        );
    "#;
    block_enum_value: r#"
        MODEL (
          name cases.block_enum_value,
          kind INCREMENTAL_BY_UNIQUE_KEY (
            unique_key order_id,
            on_destructive_change $0
          )
        );

        SELECT o.order_id FROM stage.orders AS o
    "#;
}

/// The first models after FROM carry the model card; a typed schema is not replaced.
#[test]
fn model_items_carry_the_card() {
    let text = "MODEL (\n  name cases.card,\n  kind FULL\n);\n\nSELECT * FROM stage.or$0";
    let (items, text, _) = complete_in("models/cases/card.sql", text);
    let orders = items.iter().find(|i| i.label == "orders").expect("stage.orders is offered");
    assert_eq!(orders.kind, CompletionKind::Model);
    assert_eq!(&text[orders.replace.start as usize..orders.replace.end as usize], "or");
    let card = orders.documentation.as_deref().unwrap();
    assert!(card.starts_with("### `stage.orders`"), "{card}");
    assert!(card.contains("| `total` |"), "{card}");
}

/// Project macros insert their parameters as a snippet and show their docstring.
#[test]
fn project_macro_snippet_and_docstring() {
    let text = "MODEL (\n  name cases.m,\n  kind FULL\n);\n\nSELECT @is_$0";
    let (items, _, _) = complete_in("models/cases/m.sql", text);
    let weekend = items.iter().find(|i| i.label == "@is_weekend").expect("@is_weekend is offered");
    assert_eq!(weekend.insert_text.as_deref(), Some("@is_weekend(${1:day})"));
    assert!(weekend.snippet);
    assert!(weekend.documentation.as_deref().unwrap().contains("Saturday or Sunday"));
}

/// Odd offsets and texts never panic and give nothing where nothing fits.
#[test]
fn odd_offsets() {
    let text = "MODEL (\n  name cases.odd,\n  kind FULL\n);\n\nSELECT 'é' AS x FROM stage.orders $0";
    let (items, text, _) = complete_in("models/cases/odd.sql", text);
    assert!(items.iter().all(|i| i.kind == CompletionKind::Keyword), "{items:?}");
    let (_guard, root) = fixture::fixture("completion");
    let project = Project::load(&root, std::slice::from_ref(&root));
    let file = root.join("models/cases/odd.sql");
    let parsed = parse(&project, &file, &text).unwrap();
    for offset in 0..=text.len() + 2 {
        let _ = completions(&project, &parsed, &text, offset);
    }
}
