//! SQLMesh's vocabulary as data: model kinds and their properties, top-level `MODEL` and
//! `AUDIT` properties, SQL dialects, macro variables, built-in macros and audits, cron aliases.
//!
//! This is the one place each SQLMesh fact is written down (ARCHITECTURE.md, rule 4). Parsing,
//! completion, hover and diagnostics all read these tables, so a fact fixed here is fixed
//! everywhere. The values follow SQLMesh 0.236 and sqlglot 30.8: `sqlmesh/core/model/kind.py`
//! (kinds), `sqlmesh/core/model/meta.py` and `sqlmesh/core/node.py` (model properties),
//! `sqlmesh/core/audit/definition.py` (audit properties), `sqlmesh/core/macros.py` (macros),
//! `sqlmesh/utils/date.py::date_dict` (time variables) and each sqlglot dialect's
//! `NORMALIZATION_STRATEGY` (identifier normalization).
//!
//! Lookups are case-insensitive because SQLMesh's are: kind names go through
//! `ModelKindName[name.upper()]`, property keys are lowercased, macro names and macro
//! variables are compared lowercased.
//!
//! The types and lookups are here; the tables live in one submodule per subject (kinds,
//! properties, dialects, macros, audits) and are re-exported.

mod audits;
mod dialects;
mod kinds;
mod macros;
mod properties;
#[cfg(test)]
mod tests;
mod types;

pub use audits::BUILTIN_AUDITS;
pub use dialects::{DEFAULT_DIALECT, DIALECTS};
pub use kinds::MODEL_KINDS;
pub use macros::{BUILTIN_MACROS, MACRO_VARIABLES};
pub use properties::{AUDIT_PROPERTIES, CRON_ALIASES, FALSE_WORDS, INTERVAL_UNITS, MODEL_PROPERTIES, TRUE_WORDS};
pub use types::canonical_type;

/// A model kind (`kind FULL`, `kind INCREMENTAL_BY_TIME_RANGE (...)`) and the properties it accepts.
#[derive(Debug)]
pub struct KindSpec {
    /// The kind's name, upper case as SQLMesh writes it.
    pub name: &'static str,
    /// Whether SQLMesh treats the kind as incremental (`ModelKindMixin.is_incremental`).
    pub incremental: bool,
    /// The properties accepted inside `kind NAME (...)`. Empty when the kind takes no
    /// parenthesized list: SQLMesh's parser only reads `(...)` for kinds that have properties.
    pub properties: &'static [PropertySpec],
    /// One-line description shown in hover and completion.
    pub doc: &'static str,
    /// The kind this name is a legacy alias of (`SCD_TYPE_2` → `SCD_TYPE_2_BY_TIME`). The model
    /// keeps the name as written: `model.kind.name` is `SCD_TYPE_2` for the alias.
    pub alias_of: Option<&'static str>,
    /// Whether `@start_*` / `@end_*` macro variables are defined when rendering. SQLMesh renders
    /// VIEW and FULL models with the execution time only, so there they are undefined.
    pub time_range_variables: bool,
    /// Whether a Python model may use this kind (`ModelKindMixin.supports_python_models`).
    pub python_models: bool,
}

impl KindSpec {
    /// The kind property called `name` (case-insensitive), if this kind accepts it.
    pub fn property(&self, name: &str) -> Option<&'static PropertySpec> {
        find_property(self.properties, name)
    }
}

/// A `key value` property of a `MODEL`, `AUDIT` or `kind` block.
#[derive(Debug)]
pub struct PropertySpec {
    /// The property's name, lower case.
    pub name: &'static str,
    /// Other names SQLMesh accepts for the same property (`grain` for `grains`).
    pub aliases: &'static [&'static str],
    /// What the value looks like.
    pub shape: ValueShape,
    /// Whether SQLMesh rejects a block without it.
    pub required: bool,
    /// One-line description shown in hover and completion.
    pub doc: &'static str,
}

/// The shape of a property's value, as SQLMesh parses and validates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueShape {
    /// Free text: a string literal, or a bare word (SQLMesh takes either's text).
    String,
    /// A bare identifier such as a gateway name.
    Identifier,
    /// `true` / `false` (SQLMesh also accepts strings like `'true'` and constant conditions).
    Bool,
    /// A positive integer literal.
    Integer,
    /// A date or time: `'2024-01-01'`, `'1 week ago'`, `'yesterday'`, a `YYYYMMDD` or epoch-millis number.
    Date,
    /// A cron expression or alias: `'@daily'`, `'0 6 * * *'`.
    Cron,
    /// An IANA time zone name: `'America/Los_Angeles'`.
    Timezone,
    /// A SQL dialect name from [`DIALECTS`].
    Dialect,
    /// A model kind from [`MODEL_KINDS`], optionally with `(...)` properties.
    Kind,
    /// A model name written as an identifier (`db.table`), never a string.
    ModelName,
    /// A list of model names: `[db.a, db.b]` or `(db.a, db.b)`.
    ModelNames,
    /// One column name.
    Column,
    /// A column name or a tuple of column names (`id` or `(id, ds)`).
    Columns,
    /// Column definitions: `(name TYPE, ...)`.
    ColumnTypes,
    /// Column comments: `(name = 'description', ...)`.
    ColumnDescriptions,
    /// One SQL expression.
    Expression,
    /// A SQL expression or a tuple of expressions.
    Expressions,
    /// Key-value pairs: `(key = value, ...)`.
    KeyValues,
    /// Audit calls: `(not_null(columns := (id)), my_audit)`.
    Audits,
    /// A string or a tuple of strings.
    Strings,
    /// An interval unit name from [`INTERVAL_UNITS`].
    IntervalUnit,
    /// One of a fixed set of words, compared case-insensitively.
    Enum(&'static [&'static str]),
    /// Anything; not checked.
    Any,
    /// A time column: `ds` or `(ds, '%Y-%m-%d')` (column, then its format). Added to the brief's list.
    TimeColumn,
    /// A SQL data type such as `TIMESTAMP`. Added to the brief's list.
    DataType,
    /// Signal calls: `[my_signal(arg := 1)]`. Added to the brief's list.
    Signals,
}

/// How a dialect resolves the case of identifiers (sqlglot's `NormalizationStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalization {
    /// Unquoted identifiers are lowercased; quoted ones keep their case (Postgres).
    Lowercase,
    /// Unquoted identifiers are uppercased; quoted ones keep their case (Snowflake).
    Uppercase,
    /// Identifiers keep their case, quoted or not (MySQL, ClickHouse).
    CaseSensitive,
    /// Identifiers are lowercased even when quoted (DuckDB, Spark, T-SQL). Added to the brief's list.
    CaseInsensitive,
    /// BigQuery: lowercased even when quoted, except the parts of a qualified table name
    /// (one with a dataset) and UDF names, which keep their case.
    BigQuery,
}

/// The sqlparser-rs dialect used to parse a SQLMesh dialect's SQL (the closest one available).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParserDialect {
    /// sqlparser's `GenericDialect`.
    Generic,
    /// sqlparser's `AnsiDialect`.
    Ansi,
    /// sqlparser's `BigQueryDialect`.
    BigQuery,
    /// sqlparser's `ClickHouseDialect`.
    ClickHouse,
    /// sqlparser's `DatabricksDialect`.
    Databricks,
    /// sqlparser's `DuckDbDialect`.
    DuckDb,
    /// sqlparser's `HiveDialect`.
    Hive,
    /// sqlparser's `MsSqlDialect`.
    MsSql,
    /// sqlparser's `MySqlDialect`.
    MySql,
    /// sqlparser's `PostgreSqlDialect`.
    Postgres,
    /// sqlparser's `RedshiftSqlDialect`.
    Redshift,
    /// sqlparser's `SnowflakeDialect`.
    Snowflake,
    /// sqlparser's `SQLiteDialect`.
    SQLite,
}

/// A SQL dialect SQLMesh accepts in `dialect` (sqlglot's dialect registry).
#[derive(Debug)]
pub struct DialectSpec {
    /// The dialect's name as written in `dialect duckdb`.
    pub name: &'static str,
    /// How the dialect normalizes identifier case.
    pub normalization: Normalization,
    /// The sqlparser dialect used to parse it.
    pub parser: ParserDialect,
}

/// Which end of the processed interval a time macro variable describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBound {
    /// The interval's inclusive start (`@start_*`).
    Start,
    /// The interval's inclusive end (`@end_*`).
    End,
}

/// A predefined macro variable such as `@start_ds` or `@this_model`.
#[derive(Debug)]
pub struct MacroVariableSpec {
    /// The variable's name without `@`, lower case.
    pub name: &'static str,
    /// For `@start_*` / `@end_*`: which bound of the interval it is.
    pub bound: Option<TimeBound>,
    /// For time variables: the format family (`"ds"`, `"ts"`, `"millis"`, ...).
    pub family: Option<&'static str>,
    /// One-line description shown in hover and completion.
    pub doc: &'static str,
}

/// A built-in macro function such as `@EACH` or `@STAR`.
#[derive(Debug)]
pub struct MacroSpec {
    /// The macro's name without `@`, upper case as documented.
    pub name: &'static str,
    /// Its parameters in order; `*name` takes any number, `name := default` is optional.
    pub params: &'static [&'static str],
    /// One-line description shown in hover and completion.
    pub doc: &'static str,
}

/// A built-in audit usable in a model's `audits (...)` without being defined. Added to the brief.
#[derive(Debug)]
pub struct AuditSpec {
    /// The audit's name, lower case. Each also exists as `<name>_non_blocking`.
    pub name: &'static str,
    /// Its arguments; `name := default` is optional.
    pub params: &'static [&'static str],
    /// One-line description shown in hover and completion.
    pub doc: &'static str,
}

const fn prop(name: &'static str, shape: ValueShape, doc: &'static str) -> PropertySpec {
    PropertySpec { name, aliases: &[], shape, required: false, doc }
}

const fn required(name: &'static str, shape: ValueShape, doc: &'static str) -> PropertySpec {
    PropertySpec { name, aliases: &[], shape, required: true, doc }
}

fn find_property(properties: &'static [PropertySpec], name: &str) -> Option<&'static PropertySpec> {
    properties
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name) || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)))
}

/// The model kind called `name` (case-insensitive), aliases included.
pub fn kind(name: &str) -> Option<&'static KindSpec> {
    MODEL_KINDS.iter().find(|k| k.name.eq_ignore_ascii_case(name))
}

/// The top-level `MODEL` property called `name` or having it as an alias (case-insensitive).
pub fn model_property(name: &str) -> Option<&'static PropertySpec> {
    find_property(MODEL_PROPERTIES, name)
}

/// The `AUDIT` block property called `name` (case-insensitive).
pub fn audit_property(name: &str) -> Option<&'static PropertySpec> {
    find_property(AUDIT_PROPERTIES, name)
}

/// The dialect called `name` (case-insensitive). Settings after a comma, as in
/// `"snowflake, normalization_strategy = case_sensitive"`, are ignored for the lookup.
pub fn dialect(name: &str) -> Option<&'static DialectSpec> {
    let base = name.split(',').next().unwrap_or_default().trim();
    DIALECTS.iter().find(|d| d.name.eq_ignore_ascii_case(base))
}

/// The predefined macro variable called `name`, with or without its `@` (case-insensitive).
pub fn macro_variable(name: &str) -> Option<&'static MacroVariableSpec> {
    let name = name.strip_prefix('@').unwrap_or(name);
    MACRO_VARIABLES.iter().find(|v| v.name.eq_ignore_ascii_case(name))
}

/// The built-in macro called `name`, with or without its `@` (case-insensitive).
pub fn builtin_macro(name: &str) -> Option<&'static MacroSpec> {
    let name = name.strip_prefix('@').unwrap_or(name);
    BUILTIN_MACROS.iter().find(|m| m.name.eq_ignore_ascii_case(name))
}

/// The built-in audit called `name` (case-insensitive); `<name>_non_blocking` finds `<name>`.
pub fn builtin_audit(name: &str) -> Option<&'static AuditSpec> {
    let lower = name.to_ascii_lowercase();
    let base = lower.strip_suffix("_non_blocking").unwrap_or(&lower);
    BUILTIN_AUDITS.iter().find(|a| a.name == base)
}

/// The five-field cron an alias such as `@daily` stands for (case-insensitive).
pub fn cron_alias(alias: &str) -> Option<&'static str> {
    CRON_ALIASES.iter().find(|(name, _)| name.eq_ignore_ascii_case(alias)).map(|&(_, cron)| cron)
}
