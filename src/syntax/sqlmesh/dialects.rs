//! The SQL dialects SQLMesh accepts, with each one's identifier normalization and the
//! sqlparser dialect meshls reads it with.

use super::{DialectSpec, Normalization, ParserDialect};

const fn dialect_spec(name: &'static str, normalization: Normalization, parser: ParserDialect) -> DialectSpec {
    DialectSpec { name, normalization, parser }
}

/// The dialect of a project that configures none (sqlglot's base dialect, written `""`).
pub static DEFAULT_DIALECT: DialectSpec = dialect_spec("", Normalization::Lowercase, ParserDialect::Generic);

/// Every dialect in sqlglot's registry that SQLMesh accepts, with its identifier normalization.
/// Dialects without a sqlparser counterpart map to the closest one (Generic when none is close).
pub static DIALECTS: &[DialectSpec] = &[
    dialect_spec("athena", Normalization::Lowercase, ParserDialect::Generic),
    dialect_spec("bigquery", Normalization::BigQuery, ParserDialect::BigQuery),
    dialect_spec("clickhouse", Normalization::CaseSensitive, ParserDialect::ClickHouse),
    dialect_spec("databricks", Normalization::CaseInsensitive, ParserDialect::Databricks),
    dialect_spec("doris", Normalization::CaseSensitive, ParserDialect::MySql),
    dialect_spec("dremio", Normalization::Lowercase, ParserDialect::Generic),
    dialect_spec("drill", Normalization::Lowercase, ParserDialect::Generic),
    dialect_spec("druid", Normalization::Lowercase, ParserDialect::Generic),
    dialect_spec("duckdb", Normalization::CaseInsensitive, ParserDialect::DuckDb),
    dialect_spec("dune", Normalization::CaseInsensitive, ParserDialect::Generic),
    dialect_spec("exasol", Normalization::Uppercase, ParserDialect::Generic),
    dialect_spec("fabric", Normalization::CaseSensitive, ParserDialect::MsSql),
    dialect_spec("hive", Normalization::CaseInsensitive, ParserDialect::Hive),
    dialect_spec("materialize", Normalization::Lowercase, ParserDialect::Postgres),
    dialect_spec("mysql", Normalization::CaseSensitive, ParserDialect::MySql),
    dialect_spec("oracle", Normalization::Uppercase, ParserDialect::Generic),
    dialect_spec("postgres", Normalization::Lowercase, ParserDialect::Postgres),
    dialect_spec("presto", Normalization::CaseInsensitive, ParserDialect::Generic),
    dialect_spec("prql", Normalization::Lowercase, ParserDialect::Generic),
    dialect_spec("redshift", Normalization::CaseInsensitive, ParserDialect::Redshift),
    dialect_spec("risingwave", Normalization::Lowercase, ParserDialect::Postgres),
    dialect_spec("singlestore", Normalization::CaseSensitive, ParserDialect::MySql),
    dialect_spec("snowflake", Normalization::Uppercase, ParserDialect::Snowflake),
    dialect_spec("solr", Normalization::CaseInsensitive, ParserDialect::Generic),
    dialect_spec("spark", Normalization::CaseInsensitive, ParserDialect::Databricks),
    dialect_spec("spark2", Normalization::CaseInsensitive, ParserDialect::Hive),
    dialect_spec("sqlite", Normalization::CaseInsensitive, ParserDialect::SQLite),
    dialect_spec("starrocks", Normalization::CaseSensitive, ParserDialect::MySql),
    dialect_spec("tableau", Normalization::Lowercase, ParserDialect::Generic),
    dialect_spec("teradata", Normalization::Lowercase, ParserDialect::Generic),
    dialect_spec("trino", Normalization::CaseInsensitive, ParserDialect::Generic),
    dialect_spec("tsql", Normalization::CaseInsensitive, ParserDialect::MsSql),
];
