//! The macro variables SQLMesh always defines (`@start_ds`, `@this_model`, ...) and its
//! built-in macro functions (`@EACH`, `@STAR`, `@WHERE`, ...).

use super::{MacroSpec, MacroVariableSpec, TimeBound};

const fn time_var(
    name: &'static str,
    bound: Option<TimeBound>,
    family: &'static str,
    doc: &'static str,
) -> MacroVariableSpec {
    MacroVariableSpec { name, bound, family: Some(family), doc }
}

const fn var(name: &'static str, doc: &'static str) -> MacroVariableSpec {
    MacroVariableSpec { name, bound: None, family: None, doc }
}

const START: Option<TimeBound> = Some(TimeBound::Start);
const END: Option<TimeBound> = Some(TimeBound::End);

/// Macro variables SQLMesh always defines. `@start_*` / `@end_*` exist only for kinds with
/// [`KindSpec::time_range_variables`](super::KindSpec::time_range_variables); `@execution_*`
/// everywhere; `@latest_*` is a deprecated alias of `@execution_*`. Project `variables` and
/// blueprint variables come on top.
pub static MACRO_VARIABLES: &[MacroVariableSpec] = &[
    time_var("start_ds", START, "ds", "Start of the interval as a 'YYYY-MM-DD' string."),
    time_var("start_ts", START, "ts", "Start of the interval as a 'YYYY-MM-DD HH:MM:SS' string."),
    time_var("start_tstz", START, "tstz", "Start of the interval as a 'YYYY-MM-DD HH:MM:SS+00:00' string."),
    time_var("start_date", START, "date", "Start of the interval as a DATE."),
    time_var("start_dt", START, "dt", "Start of the interval as a UTC timestamp."),
    time_var("start_dtntz", START, "dtntz", "Start of the interval as a timestamp without time zone."),
    time_var("start_epoch", START, "epoch", "Start of the interval in seconds since the Unix epoch."),
    time_var("start_millis", START, "millis", "Start of the interval in milliseconds since the Unix epoch."),
    time_var("start_hour", START, "hour", "Hour of day (0-23) of the interval's start."),
    time_var("end_ds", END, "ds", "Inclusive end of the interval as a 'YYYY-MM-DD' string."),
    time_var("end_ts", END, "ts", "Inclusive end of the interval as a 'YYYY-MM-DD HH:MM:SS.ffffff' string."),
    time_var("end_tstz", END, "tstz", "Inclusive end of the interval as a 'YYYY-MM-DD HH:MM:SS.ffffff+00:00' string."),
    time_var("end_date", END, "date", "Inclusive end of the interval as a DATE."),
    time_var("end_dt", END, "dt", "Inclusive end of the interval as a UTC timestamp."),
    time_var("end_dtntz", END, "dtntz", "Inclusive end of the interval as a timestamp without time zone."),
    time_var("end_epoch", END, "epoch", "Inclusive end of the interval in seconds since the Unix epoch."),
    time_var("end_millis", END, "millis", "Inclusive end of the interval in milliseconds since the Unix epoch."),
    time_var("end_hour", END, "hour", "Hour of day (0-23) of the interval's end."),
    time_var("execution_ds", None, "ds", "Time of the run as a 'YYYY-MM-DD' string."),
    time_var("execution_ts", None, "ts", "Time of the run as a 'YYYY-MM-DD HH:MM:SS' string."),
    time_var("execution_tstz", None, "tstz", "Time of the run as a 'YYYY-MM-DD HH:MM:SS+00:00' string."),
    time_var("execution_date", None, "date", "Date of the run as a DATE."),
    time_var("execution_dt", None, "dt", "Time of the run as a UTC timestamp."),
    time_var("execution_dtntz", None, "dtntz", "Time of the run as a timestamp without time zone."),
    time_var("execution_epoch", None, "epoch", "Time of the run in seconds since the Unix epoch."),
    time_var("execution_millis", None, "millis", "Time of the run in milliseconds since the Unix epoch."),
    time_var("execution_hour", None, "hour", "Hour of day (0-23) of the run."),
    time_var("latest_ds", None, "ds", "Deprecated: use @execution_ds."),
    time_var("latest_ts", None, "ts", "Deprecated: use @execution_ts."),
    time_var("latest_tstz", None, "tstz", "Deprecated: use @execution_tstz."),
    time_var("latest_date", None, "date", "Deprecated: use @execution_date."),
    time_var("latest_dt", None, "dt", "Deprecated: use @execution_dt."),
    time_var("latest_dtntz", None, "dtntz", "Deprecated: use @execution_dtntz."),
    time_var("latest_epoch", None, "epoch", "Deprecated: use @execution_epoch."),
    time_var("latest_millis", None, "millis", "Deprecated: use @execution_millis."),
    time_var("latest_hour", None, "hour", "Deprecated: use @execution_hour."),
    var("this_model", "The table this model's query writes to, resolved for the current environment."),
    var("model_kind_name", "The model's kind, e.g. 'INCREMENTAL_BY_TIME_RANGE'."),
    var("gateway", "Name of the gateway the project runs on."),
    var(
        "runtime_stage",
        "Current stage: loading, creating, evaluating, promoting, demoting, auditing, testing, before_all or after_all.",
    ),
    var("default_catalog", "The default catalog of the gateway."),
    var("this_env", "Name of the environment; only in before_all / after_all statements."),
    var("schemas", "Schemas of the environment's views; only in before_all / after_all statements."),
    var("views", "Views of the environment; only in before_all / after_all statements."),
];

const fn mac(name: &'static str, params: &'static [&'static str], doc: &'static str) -> MacroSpec {
    MacroSpec { name, params, doc }
}

/// SQLMesh's built-in macro functions, including the forms its parser handles itself
/// (`@DEF`, `@SQL`, `@INSERT_SEED`). Keyword macros (`@WHERE`, `@JOIN`, ...) are written in
/// place of the clause keyword: `@WHERE(cond) a > 1`.
pub static BUILTIN_MACROS: &[MacroSpec] = &[
    mac("DEF", &["name", "value"], "Defines a macro variable, or a macro function when value is a lambda."),
    mac("SQL", &["expression", "into := NULL"], "Evaluates an expression and parses the resulting text as SQL."),
    mac(
        "EACH",
        &["*items", "func"],
        "Applies a lambda to each item, dropping NULL results: `@EACH([a, b], x -> x + 1)`.",
    ),
    mac("IF", &["condition", "true", "false := NULL"], "Returns true if the condition holds, else false (or nothing)."),
    mac("REDUCE", &["*items", "func"], "Folds the items left to right with a two-argument lambda."),
    mac("FILTER", &["*items", "func"], "Keeps the items for which the lambda is true."),
    mac("EVAL", &["condition"], "Evaluates an expression at render time: `@EVAL(1 + 1)` → 2."),
    mac("WITH", &["condition"], "Keeps the following WITH clause only if the condition holds."),
    mac("JOIN", &["condition"], "Keeps the following JOIN only if the condition holds."),
    mac("WHERE", &["condition"], "Keeps the following WHERE clause only if the condition holds."),
    mac("GROUP_BY", &["condition"], "Keeps the following GROUP BY clause only if the condition holds."),
    mac("HAVING", &["condition"], "Keeps the following HAVING clause only if the condition holds."),
    mac("ORDER_BY", &["condition"], "Keeps the following ORDER BY clause only if the condition holds."),
    mac("LIMIT", &["condition"], "Keeps the following LIMIT clause only if the condition holds."),
    mac(
        "STAR",
        &[
            "relation",
            "alias := ''",
            "exclude := ()",
            "prefix := ''",
            "suffix := ''",
            "quote_identifiers := TRUE",
            "except_ := ()",
        ],
        "Selects every column of a model, with casts, except the excluded ones.",
    ),
    mac(
        "GENERATE_SURROGATE_KEY",
        &["*fields", "hash_function := 'MD5'"],
        "Hashes the fields (NULL-safe) into one string key.",
    ),
    mac("SAFE_ADD", &["*fields"], "Adds the fields treating NULL as 0; NULL only if all are NULL."),
    mac("SAFE_SUB", &["*fields"], "Subtracts the fields treating NULL as 0; NULL only if all are NULL."),
    mac("SAFE_DIV", &["numerator", "denominator"], "Divides, returning NULL when the denominator is 0."),
    mac(
        "UNION",
        &["*args"],
        "UNION of the given tables on their common columns: `@UNION([condition,] ['all'|'distinct',] t1, t2)`.",
    ),
    mac(
        "HAVERSINE_DISTANCE",
        &["lat1", "lon1", "lat2", "lon2", "unit := 'mi'"],
        "Great-circle distance between two points, in miles or 'km'.",
    ),
    mac(
        "PIVOT",
        &[
            "column",
            "values",
            "alias := TRUE",
            "agg := 'SUM'",
            "cmp := '='",
            "prefix := ''",
            "suffix := ''",
            "then_value := 1",
            "else_value := 0",
            "quote := TRUE",
            "distinct := FALSE",
        ],
        "One aggregated column per value of the pivoted column.",
    ),
    mac("AND", &["*expressions"], "ANDs the expressions, skipping NULL ones."),
    mac("OR", &["*expressions"], "ORs the expressions, skipping NULL ones."),
    mac("VAR", &["var_name", "default := NULL"], "Value of a project variable, or the default."),
    mac("BLUEPRINT_VAR", &["var_name", "default := NULL"], "Value of a blueprint variable, or the default."),
    mac(
        "DEDUPLICATE",
        &["relation", "partition_by", "order_by"],
        "Keeps one row per partition, the first by the given ORDER BY strings.",
    ),
    mac(
        "DATE_SPINE",
        &["datepart", "start_date", "end_date"],
        "A query yielding one row per day, week, month, quarter or year in the range.",
    ),
    mac(
        "RESOLVE_TEMPLATE",
        &["template", "mode := 'literal'"],
        "Fills @{catalog_name}, @{schema_name}, @{table_name} of the physical table into a string or table.",
    ),
    mac("INSERT_SEED", &[], "Stands for the rows of a SEED model's CSV file."),
];
