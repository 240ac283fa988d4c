//! Column types as SQLMesh spells them: sqlglot reads a type in the model's dialect and
//! writes it back in that dialect (`varchar` is `TEXT` in DuckDB, `VARCHAR` in Snowflake,
//! `STRING` in BigQuery; `number(38,0)` is `DECIMAL(38, 0)`). Simple types (a name, its
//! parameters, `[]`) are respelled; anything else is kept as written.

/// The type families meshls respells, each with its spelling per dialect family:
/// (aliases, duckdb, snowflake, bigquery, postgres, spark, tsql).
const TYPES: &[(&[&str], [&str; 6])] = &[
    (
        &["varchar", "text", "string", "char varying", "character varying", "nvarchar"],
        ["TEXT", "VARCHAR", "STRING", "VARCHAR", "STRING", "VARCHAR"],
    ),
    (&["int", "integer", "int4", "signed"], ["INT", "INT", "INT64", "INT", "INT", "INTEGER"]),
    (&["bigint", "int8", "int64", "long"], ["BIGINT", "BIGINT", "INT64", "BIGINT", "BIGINT", "BIGINT"]),
    (&["smallint", "int2", "short"], ["SMALLINT", "SMALLINT", "INT64", "SMALLINT", "SMALLINT", "SMALLINT"]),
    (&["tinyint", "int1", "byte"], ["TINYINT", "TINYINT", "INT64", "SMALLINT", "TINYINT", "TINYINT"]),
    (&["decimal", "numeric", "number", "dec"], ["DECIMAL", "DECIMAL", "NUMERIC", "DECIMAL", "DECIMAL", "NUMERIC"]),
    (
        &["double", "double precision", "float8", "float64"],
        ["DOUBLE", "DOUBLE", "FLOAT64", "DOUBLE PRECISION", "DOUBLE", "FLOAT"],
    ),
    (&["real", "float4"], ["REAL", "FLOAT", "FLOAT64", "REAL", "FLOAT", "FLOAT"]),
    (&["boolean", "bool", "bit"], ["BOOLEAN", "BOOLEAN", "BOOL", "BOOLEAN", "BOOLEAN", "BIT"]),
    (&["date"], ["DATE", "DATE", "DATE", "DATE", "DATE", "DATE"]),
    (
        &["timestamp_ntz", "timestampntz"],
        ["TIMESTAMP", "TIMESTAMPNTZ", "DATETIME", "TIMESTAMP", "TIMESTAMP_NTZ", "DATETIME2"],
    ),
    (
        &["timestamptz", "timestamp_tz", "timestamp with time zone"],
        ["TIMESTAMPTZ", "TIMESTAMPTZ", "TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMP", "DATETIMEOFFSET"],
    ),
    (
        &["timestamp", "timestamp without time zone"],
        ["TIMESTAMP", "TIMESTAMP", "TIMESTAMP", "TIMESTAMP", "TIMESTAMP", "DATETIME2"],
    ),
    (&["datetime"], ["TIMESTAMP", "DATETIME", "DATETIME", "TIMESTAMP", "TIMESTAMP", "DATETIME"]),
];

/// The column of [`TYPES`] for a dialect; None for dialects whose spelling is kept.
fn family(dialect: Option<&str>) -> Option<usize> {
    Some(match dialect?.to_ascii_lowercase().as_str() {
        "duckdb" | "motherduck" => 0,
        "snowflake" => 1,
        "bigquery" => 2,
        "postgres" | "redshift" | "risingwave" | "materialize" => 3,
        "databricks" | "spark" | "spark2" | "hive" => 4,
        "tsql" | "fabric" => 5,
        _ => return None,
    })
}

/// `written` as SQLMesh writes it back in `dialect`.
pub fn canonical_type(written: &str, dialect: Option<&str>) -> String {
    let trimmed = written.trim();
    // A type with inner names (`STRUCT(title TEXT)`) keeps its spelling.
    let simple = trimmed.chars().all(|c| c.is_ascii_alphanumeric() || " _(),[]".contains(c))
        && !["struct", "map", "array", "row", "object"].iter().any(|k| trimmed.to_ascii_lowercase().starts_with(k));
    if !simple {
        return trimmed.to_string();
    }
    let upper = trimmed.to_ascii_uppercase();
    let Some(family) = family(dialect) else { return upper };
    // `base`, `base(params)`, then any `[]`.
    let (body, arrays) = {
        let mut body = trimmed;
        let mut arrays = 0;
        while let Some(inner) = body.strip_suffix("[]") {
            body = inner.trim_end();
            arrays += 1;
        }
        (body, arrays)
    };
    let (base, params) = match body.find('(') {
        Some(open) if body.ends_with(')') => (body[..open].trim(), Some(&body[open + 1..body.len() - 1])),
        Some(_) => return upper,
        None => (body, None),
    };
    let base_lower = base.to_ascii_lowercase();
    let base_lower = base_lower.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some((aliases, spellings)) = TYPES.iter().find(|(aliases, _)| aliases.contains(&base_lower.as_str())) else {
        return upper;
    };
    // Postgres keeps `text` and `varchar` apart.
    let name = if family == 3 && matches!(base_lower.as_str(), "text" | "string") { "TEXT" } else { spellings[family] };
    let params: Option<Vec<String>> = params.map(|p| p.split(',').map(|x| x.trim().to_ascii_uppercase()).collect());
    let is_decimal = aliases.contains(&"decimal");
    let params = match (is_decimal, params) {
        // DuckDB's and Snowflake's default precision when none is written.
        (true, None) if family == 0 => Some(vec!["18".into(), "3".into()]),
        (true, None) if family == 1 => Some(vec!["38".into(), "0".into()]),
        (true, Some(p)) if p.len() == 1 && family <= 1 => Some(vec![p[0].clone(), "0".into()]),
        // DuckDB has no length on its text type.
        (false, Some(_)) if family == 0 && aliases.contains(&"varchar") => None,
        (_, p) => p,
    };
    let mut out = match params {
        Some(p) => format!("{name}({})", p.join(", ")),
        None => name.to_string(),
    };
    for _ in 0..arrays {
        out = match family {
            1 => format!("ARRAY({out})"),
            2 | 4 => format!("ARRAY<{out}>"),
            _ => format!("{out}[]"),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::canonical_type;

    #[test]
    fn type_spelling_matches_sqlglot() {
        let cases = [
            ("duckdb", "varchar", "TEXT"),
            ("duckdb", "varchar(20)", "TEXT"),
            ("duckdb", "number(38,0)", "DECIMAL(38, 0)"),
            ("duckdb", "numeric", "DECIMAL(18, 3)"),
            ("duckdb", "int[]", "INT[]"),
            ("duckdb", "timestamp_ntz", "TIMESTAMP"),
            ("snowflake", "text", "VARCHAR"),
            ("snowflake", "number(10,2)", "DECIMAL(10, 2)"),
            ("snowflake", "number", "DECIMAL(38, 0)"),
            ("snowflake", "timestamp_ntz", "TIMESTAMPNTZ"),
            ("bigquery", "int", "INT64"),
            ("bigquery", "decimal(10,2)", "NUMERIC(10, 2)"),
            ("postgres", "double", "DOUBLE PRECISION"),
            ("postgres", "numeric(10,2)", "DECIMAL(10, 2)"),
            ("databricks", "varchar", "STRING"),
            ("tsql", "int", "INTEGER"),
            ("duckdb", "STRUCT(a INT)", "STRUCT(a INT)"),
            ("clickhouse", "String", "STRING"),
        ];
        for (dialect, written, expected) in cases {
            assert_eq!(canonical_type(written, Some(dialect)), expected, "{written} in {dialect}");
        }
    }
}
