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

const ON_CHANGE_VALUES: &[&str] = &["ERROR", "WARN", "ALLOW", "IGNORE"];

// Kind properties shared by several kinds. Each kind lists its own copy so that its slice is
// complete on its own; the constants keep the wording identical.
const ON_DESTRUCTIVE_CHANGE: PropertySpec = prop(
    "on_destructive_change",
    ValueShape::Enum(ON_CHANGE_VALUES),
    "What a forward-only change that drops or narrows columns does: ERROR (default), WARN, ALLOW or IGNORE.",
);
const ON_ADDITIVE_CHANGE: PropertySpec = prop(
    "on_additive_change",
    ValueShape::Enum(ON_CHANGE_VALUES),
    "What a forward-only change that adds columns does: ERROR, WARN, ALLOW (default) or IGNORE.",
);
const AUTO_RESTATEMENT_CRON: PropertySpec =
    prop("auto_restatement_cron", ValueShape::Cron, "Cron on which SQLMesh restates the model automatically.");
const KIND_DIALECT: PropertySpec =
    prop("dialect", ValueShape::Dialect, "Dialect of the kind's expressions; defaults to the model's dialect.");
const BATCH_SIZE: PropertySpec =
    prop("batch_size", ValueShape::Integer, "Maximum number of intervals processed in one backfill job.");
const BATCH_CONCURRENCY: PropertySpec =
    prop("batch_concurrency", ValueShape::Integer, "Maximum number of batches run concurrently during a backfill.");
const LOOKBACK: PropertySpec = prop(
    "lookback",
    ValueShape::Integer,
    "Number of preceding intervals reprocessed with each run, for late-arriving data.",
);
const FORWARD_ONLY_FALSE: PropertySpec = prop(
    "forward_only",
    ValueShape::Bool,
    "Apply every change forward only, never rebuilding history (default false).",
);
const FORWARD_ONLY_TRUE: PropertySpec =
    prop("forward_only", ValueShape::Bool, "Apply every change forward only, never rebuilding history (default true).");
const DISABLE_RESTATEMENT_FALSE: PropertySpec =
    prop("disable_restatement", ValueShape::Bool, "Forbid restating the model's data (default false).");
const DISABLE_RESTATEMENT_TRUE: PropertySpec =
    prop("disable_restatement", ValueShape::Bool, "Forbid restating the model's data (default true).");
const AUTO_RESTATEMENT_INTERVALS: PropertySpec = prop(
    "auto_restatement_intervals",
    ValueShape::Integer,
    "Number of latest intervals restated by auto_restatement_cron (default: all).",
);
const UNIQUE_KEY: PropertySpec =
    required("unique_key", ValueShape::Columns, "Column or tuple of columns that identify a row.");
const VALID_FROM_NAME: PropertySpec = prop(
    "valid_from_name",
    ValueShape::Column,
    "Name of the column holding when a row became valid (default valid_from).",
);
const VALID_TO_NAME: PropertySpec = prop(
    "valid_to_name",
    ValueShape::Column,
    "Name of the column holding when a row stopped being valid (default valid_to).",
);
const INVALIDATE_HARD_DELETES: PropertySpec = prop(
    "invalidate_hard_deletes",
    ValueShape::Bool,
    "Close a row's validity when it disappears from the source (default false).",
);
const TIME_DATA_TYPE: PropertySpec =
    prop("time_data_type", ValueShape::DataType, "Data type of the valid_from / valid_to columns (default TIMESTAMP).");

static INCREMENTAL_BY_TIME_RANGE_PROPERTIES: &[PropertySpec] = &[
    required(
        "time_column",
        ValueShape::TimeColumn,
        "Column holding each row's time, optionally with its format: `ds` or `(ds, '%Y-%m-%d')`.",
    ),
    ON_DESTRUCTIVE_CHANGE,
    ON_ADDITIVE_CHANGE,
    AUTO_RESTATEMENT_CRON,
    KIND_DIALECT,
    BATCH_SIZE,
    BATCH_CONCURRENCY,
    LOOKBACK,
    FORWARD_ONLY_FALSE,
    DISABLE_RESTATEMENT_FALSE,
    AUTO_RESTATEMENT_INTERVALS,
    prop(
        "partition_by_time_column",
        ValueShape::Bool,
        "Add the time column to the table's partitioning (default true).",
    ),
];

static INCREMENTAL_BY_UNIQUE_KEY_PROPERTIES: &[PropertySpec] = &[
    UNIQUE_KEY,
    prop(
        "when_matched",
        ValueShape::Expression,
        "MERGE `WHEN MATCHED ... THEN ...` clauses; refer to rows as `source` and `target`.",
    ),
    prop("merge_filter", ValueShape::Expression, "Extra condition on the MERGE, using `source` and `target` aliases."),
    ON_DESTRUCTIVE_CHANGE,
    ON_ADDITIVE_CHANGE,
    AUTO_RESTATEMENT_CRON,
    KIND_DIALECT,
    BATCH_SIZE,
    prop("batch_concurrency", ValueShape::Integer, "Always 1: unique-key batches run one at a time."),
    LOOKBACK,
    FORWARD_ONLY_FALSE,
    DISABLE_RESTATEMENT_FALSE,
];

// `forward_only` is deliberately absent: the kind is always forward-only and SQLMesh rejects the key.
static INCREMENTAL_BY_PARTITION_PROPERTIES: &[PropertySpec] =
    &[ON_DESTRUCTIVE_CHANGE, ON_ADDITIVE_CHANGE, AUTO_RESTATEMENT_CRON, DISABLE_RESTATEMENT_FALSE];

static INCREMENTAL_UNMANAGED_PROPERTIES: &[PropertySpec] = &[
    prop(
        "insert_overwrite",
        ValueShape::Bool,
        "Overwrite the table's partitions instead of appending (default false).",
    ),
    FORWARD_ONLY_TRUE,
    DISABLE_RESTATEMENT_TRUE,
    ON_DESTRUCTIVE_CHANGE,
    ON_ADDITIVE_CHANGE,
    AUTO_RESTATEMENT_CRON,
];

static SCD_TYPE_2_BY_TIME_PROPERTIES: &[PropertySpec] = &[
    UNIQUE_KEY,
    prop(
        "updated_at_name",
        ValueShape::Column,
        "Column holding when the source row was last updated (default updated_at).",
    ),
    prop(
        "updated_at_as_valid_from",
        ValueShape::Bool,
        "Use updated_at as valid_from for new rows instead of 1970-01-01 (default false).",
    ),
    VALID_FROM_NAME,
    VALID_TO_NAME,
    INVALIDATE_HARD_DELETES,
    TIME_DATA_TYPE,
    BATCH_SIZE,
    FORWARD_ONLY_TRUE,
    DISABLE_RESTATEMENT_TRUE,
    ON_DESTRUCTIVE_CHANGE,
    ON_ADDITIVE_CHANGE,
    AUTO_RESTATEMENT_CRON,
    KIND_DIALECT,
];

static SCD_TYPE_2_BY_COLUMN_PROPERTIES: &[PropertySpec] = &[
    UNIQUE_KEY,
    required("columns", ValueShape::Columns, "Columns whose change starts a new version of a row, or `*` for all."),
    prop(
        "execution_time_as_valid_from",
        ValueShape::Bool,
        "Use the execution time as valid_from for new rows instead of 1970-01-01 (default false).",
    ),
    prop("updated_at_name", ValueShape::Column, "Optional column holding when the source row was last updated."),
    VALID_FROM_NAME,
    VALID_TO_NAME,
    INVALIDATE_HARD_DELETES,
    TIME_DATA_TYPE,
    BATCH_SIZE,
    FORWARD_ONLY_TRUE,
    DISABLE_RESTATEMENT_TRUE,
    ON_DESTRUCTIVE_CHANGE,
    ON_ADDITIVE_CHANGE,
    AUTO_RESTATEMENT_CRON,
    KIND_DIALECT,
];

static VIEW_PROPERTIES: &[PropertySpec] =
    &[prop("materialized", ValueShape::Bool, "Create a materialized view (default false).")];

static SEED_PROPERTIES: &[PropertySpec] = &[
    required("path", ValueShape::String, "CSV file, relative to the model file (or to the project with `$root/`)."),
    prop("batch_size", ValueShape::Integer, "Maximum number of rows inserted per statement (default 1000)."),
    prop(
        "csv_settings",
        ValueShape::KeyValues,
        "CSV reading options: delimiter, quotechar, doublequote, escapechar, skipinitialspace, lineterminator, encoding, na_values, keep_default_na.",
    ),
];

static CUSTOM_PROPERTIES: &[PropertySpec] = &[
    required("materialization", ValueShape::String, "Name of the custom materialization that builds the table."),
    prop(
        "materialization_properties",
        ValueShape::KeyValues,
        "Options passed to the custom materialization: `(key = value, ...)`.",
    ),
    FORWARD_ONLY_FALSE,
    DISABLE_RESTATEMENT_FALSE,
    BATCH_SIZE,
    BATCH_CONCURRENCY,
    LOOKBACK,
    AUTO_RESTATEMENT_CRON,
    AUTO_RESTATEMENT_INTERVALS,
    KIND_DIALECT,
];

/// Every model kind SQLMesh defines (`ModelKindName`), including the `SCD_TYPE_2` alias.
pub static MODEL_KINDS: &[KindSpec] = &[
    KindSpec {
        name: "INCREMENTAL_BY_TIME_RANGE",
        incremental: true,
        properties: INCREMENTAL_BY_TIME_RANGE_PROPERTIES,
        doc: "Processes only the time intervals that are missing, filtered on a time column.",
        alias_of: None,
        time_range_variables: true,
        python_models: true,
    },
    KindSpec {
        name: "INCREMENTAL_BY_UNIQUE_KEY",
        incremental: true,
        properties: INCREMENTAL_BY_UNIQUE_KEY_PROPERTIES,
        doc: "Merges new rows into the table, updating rows that share a unique key.",
        alias_of: None,
        time_range_variables: true,
        python_models: true,
    },
    KindSpec {
        name: "INCREMENTAL_BY_PARTITION",
        incremental: true,
        properties: INCREMENTAL_BY_PARTITION_PROPERTIES,
        doc: "Replaces whole partitions (`partitioned_by` is required); always forward-only.",
        alias_of: None,
        time_range_variables: true,
        python_models: true,
    },
    KindSpec {
        name: "INCREMENTAL_UNMANAGED",
        incremental: true,
        properties: INCREMENTAL_UNMANAGED_PROPERTIES,
        doc: "Appends (or overwrites) the query's rows on each run, with no interval tracking.",
        alias_of: None,
        time_range_variables: true,
        python_models: true,
    },
    KindSpec {
        name: "FULL",
        incremental: false,
        properties: &[],
        doc: "Rebuilds the whole table from the query on every run.",
        alias_of: None,
        time_range_variables: false,
        python_models: true,
    },
    KindSpec {
        name: "SCD_TYPE_2",
        incremental: true,
        properties: SCD_TYPE_2_BY_TIME_PROPERTIES,
        doc: "Legacy name of SCD_TYPE_2_BY_TIME.",
        alias_of: Some("SCD_TYPE_2_BY_TIME"),
        time_range_variables: true,
        python_models: true,
    },
    KindSpec {
        name: "SCD_TYPE_2_BY_TIME",
        incremental: true,
        properties: SCD_TYPE_2_BY_TIME_PROPERTIES,
        doc: "Slowly changing dimension (type 2) that detects changes from an updated_at column.",
        alias_of: None,
        time_range_variables: true,
        python_models: true,
    },
    KindSpec {
        name: "SCD_TYPE_2_BY_COLUMN",
        incremental: true,
        properties: SCD_TYPE_2_BY_COLUMN_PROPERTIES,
        doc: "Slowly changing dimension (type 2) that detects changes by comparing columns.",
        alias_of: None,
        time_range_variables: true,
        python_models: true,
    },
    KindSpec {
        name: "VIEW",
        incremental: false,
        properties: VIEW_PROPERTIES,
        doc: "A view over the query; the default kind of SQL models.",
        alias_of: None,
        time_range_variables: false,
        python_models: false,
    },
    KindSpec {
        name: "EMBEDDED",
        incremental: false,
        properties: &[],
        doc: "Not materialized: the query is inlined as a subquery where it is used.",
        alias_of: None,
        time_range_variables: true,
        python_models: false,
    },
    KindSpec {
        name: "SEED",
        incremental: false,
        properties: SEED_PROPERTIES,
        doc: "A table loaded from a CSV file (`path` is required).",
        alias_of: None,
        time_range_variables: true,
        python_models: false,
    },
    KindSpec {
        name: "EXTERNAL",
        incremental: false,
        properties: &[],
        doc: "A table managed outside SQLMesh, declared in external_models.yaml.",
        alias_of: None,
        time_range_variables: true,
        python_models: true,
    },
    KindSpec {
        name: "CUSTOM",
        incremental: false,
        properties: CUSTOM_PROPERTIES,
        doc: "Built by a user-defined materialization (`materialization` is required).",
        alias_of: None,
        time_range_variables: true,
        python_models: true,
    },
    KindSpec {
        name: "MANAGED",
        incremental: false,
        properties: &[],
        doc: "A table the engine keeps up to date itself (e.g. Snowflake dynamic tables).",
        alias_of: None,
        time_range_variables: true,
        python_models: false,
    },
    KindSpec {
        name: "DBT_CUSTOM",
        incremental: false,
        properties: &[],
        doc: "A dbt custom materialization; only produced by SQLMesh's dbt loader.",
        alias_of: None,
        time_range_variables: true,
        python_models: true,
    },
];

/// Interval units accepted by `interval_unit` (`sqlmesh.core.node.IntervalUnit`).
pub static INTERVAL_UNITS: &[&str] = &["year", "month", "day", "hour", "half_hour", "quarter_hour", "five_minute"];

/// The top-level properties of a `MODEL (...)` block (ModelMeta fields users write).
///
/// SQLMesh's validator also lets through internal fields (`python_env`, `mapping_schema`,
/// `query`, ...) that no model file should contain; they are left out on purpose.
pub static MODEL_PROPERTIES: &[PropertySpec] = &[
    PropertySpec {
        name: "name",
        aliases: &[],
        shape: ValueShape::ModelName,
        required: true,
        doc: "The model's name, `[catalog.]schema.table`. Required unless names are inferred from paths.",
    },
    prop(
        "kind",
        ValueShape::Kind,
        "How the model is materialized and refreshed (default VIEW for SQL models, FULL for Python).",
    ),
    prop("dialect", ValueShape::Dialect, "SQL dialect of the model's query (default: model_defaults.dialect)."),
    prop("cron", ValueShape::Cron, "How often the model runs (default '@daily')."),
    prop("cron_tz", ValueShape::Timezone, "Time zone of the cron schedule (default UTC)."),
    prop("interval_unit", ValueShape::IntervalUnit, "Length of one processed interval (default: inferred from cron)."),
    prop("start", ValueShape::Date, "Earliest date the model is backfilled from."),
    prop("end", ValueShape::Date, "Latest date the model is backfilled to; requires start."),
    prop("owner", ValueShape::String, "Who owns the model."),
    prop("description", ValueShape::String, "Description of the model (a comment before MODEL works too)."),
    prop("project", ValueShape::String, "Project the model belongs to, in multi-repo setups."),
    prop("tags", ValueShape::Strings, "Labels used to select models."),
    prop("stamp", ValueShape::String, "Arbitrary text; changing it creates a new model version."),
    prop("depends_on", ValueShape::ModelNames, "Extra upstream models, added to those found in the query."),
    prop("columns", ValueShape::ColumnTypes, "Column names and types: `(id INT, name TEXT)`."),
    prop("column_descriptions", ValueShape::ColumnDescriptions, "Column comments: `(id = 'The id')`."),
    prop("audits", ValueShape::Audits, "Audits run after each evaluation: `(not_null(columns := (id)))`."),
    PropertySpec {
        name: "grains",
        aliases: &["grain"],
        shape: ValueShape::Expressions,
        required: false,
        doc: "Column(s) that uniquely identify a row.",
    },
    prop("references", ValueShape::Expressions, "Columns that other models join on."),
    prop("partitioned_by", ValueShape::Expressions, "Partition columns or expressions of the physical table."),
    prop("clustered_by", ValueShape::Expressions, "Clustering columns or expressions of the physical table."),
    prop("table_format", ValueShape::String, "Table format of the physical table (iceberg, delta, hudi, ...)."),
    prop("storage_format", ValueShape::String, "File format of the physical table (parquet, orc, ...)."),
    PropertySpec {
        name: "physical_properties",
        aliases: &["table_properties"],
        shape: ValueShape::KeyValues,
        required: false,
        doc: "Engine options for the physical table: `(key = value, ...)`. table_properties is deprecated.",
    },
    prop("virtual_properties", ValueShape::KeyValues, "Engine options for the environment view: `(key = value, ...)`."),
    prop(
        "session_properties",
        ValueShape::KeyValues,
        "Engine session settings while the model runs: `(key = value, ...)`.",
    ),
    prop("allow_partials", ValueShape::Bool, "Allow processing incomplete intervals (default false)."),
    prop("enabled", ValueShape::Bool, "Whether the model is loaded at all (default true)."),
    prop("gateway", ValueShape::Identifier, "Gateway (connection) the model runs on."),
    prop("optimize_query", ValueShape::Bool, "Whether SQLMesh optimizes the rendered query (default true)."),
    prop("formatting", ValueShape::Bool, "Whether `sqlmesh format` rewrites this file (default true)."),
    prop("ignored_rules", ValueShape::Strings, "Linter rules not applied to this model, or \"ALL\"."),
    prop("signals", ValueShape::Signals, "Signals that must be ready before an interval runs."),
    prop("retention", ValueShape::Integer, "Data retention (not implemented by SQLMesh yet)."),
    prop("physical_version", ValueShape::String, "Pins the physical table version."),
    prop(
        "virtual_environment_mode",
        ValueShape::Enum(&["full", "dev_only"]),
        "Whether environments get virtual views in all environments or only in development.",
    ),
    prop("grants", ValueShape::KeyValues, "Privileges to grant: `(select = ['role'], ...)`."),
    prop(
        "grants_target_layer",
        ValueShape::Enum(&["all", "physical", "virtual"]),
        "Where grants are applied (default virtual).",
    ),
    prop("blueprints", ValueShape::Any, "Variable sets; one model is created per blueprint."),
];

/// The properties of an `AUDIT (...)` block.
pub static AUDIT_PROPERTIES: &[PropertySpec] = &[
    required("name", ValueShape::Identifier, "The audit's name, used in a model's `audits`."),
    prop("dialect", ValueShape::Dialect, "SQL dialect of the audit's query."),
    prop("blocking", ValueShape::Bool, "Whether a failure stops the plan (default true; false for standalone audits)."),
    prop("skip", ValueShape::Bool, "Skip this audit (default false)."),
    prop("standalone", ValueShape::Bool, "A standalone audit runs on its own schedule, not attached to a model."),
    prop("defaults", ValueShape::KeyValues, "Default values of the audit's arguments: `(threshold = 10)`."),
    prop("depends_on", ValueShape::ModelNames, "Standalone audits: extra upstream models."),
    prop("cron", ValueShape::Cron, "Standalone audits: how often the audit runs."),
    prop("cron_tz", ValueShape::Timezone, "Standalone audits: time zone of the cron."),
    prop("interval_unit", ValueShape::IntervalUnit, "Standalone audits: length of one interval."),
    prop("start", ValueShape::Date, "Standalone audits: earliest date audited."),
    prop("end", ValueShape::Date, "Standalone audits: latest date audited."),
    prop("owner", ValueShape::String, "Standalone audits: who owns the audit."),
    prop("description", ValueShape::String, "Standalone audits: description."),
    prop("tags", ValueShape::Strings, "Standalone audits: labels used to select it."),
    prop("stamp", ValueShape::String, "Standalone audits: arbitrary text forcing a new version."),
    prop("project", ValueShape::String, "Standalone audits: project it belongs to."),
];

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
/// [`KindSpec::time_range_variables`]; `@execution_*` everywhere; `@latest_*` is a deprecated
/// alias of `@execution_*`. Project `variables` and blueprint variables come on top.
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

const fn audit(name: &'static str, params: &'static [&'static str], doc: &'static str) -> AuditSpec {
    AuditSpec { name, params, doc }
}

/// SQLMesh's built-in audits (`sqlmesh/core/audit/builtin.py`). Every one also exists as
/// `<name>_non_blocking`, which warns instead of failing.
pub static BUILTIN_AUDITS: &[AuditSpec] = &[
    audit("not_null", &["columns", "condition := TRUE"], "Fails if any of the columns is NULL."),
    audit("unique_values", &["columns", "condition := TRUE"], "Fails if any of the columns has duplicates."),
    audit(
        "unique_combination_of_columns",
        &["columns", "condition := TRUE"],
        "Fails if the combination of columns is not unique.",
    ),
    audit(
        "accepted_values",
        &["column", "is_in", "condition := TRUE"],
        "Fails if the column has a value outside is_in.",
    ),
    audit(
        "not_accepted_values",
        &["column", "is_in", "condition := TRUE"],
        "Fails if the column has a value from is_in.",
    ),
    audit("number_of_rows", &["threshold", "condition := TRUE"], "Fails if the table has fewer rows than threshold."),
    audit("forall", &["criteria", "condition := TRUE"], "Fails if any row breaks one of the criteria."),
    audit(
        "accepted_range",
        &["column", "min_v := NULL", "max_v := NULL", "inclusive := TRUE", "condition := TRUE"],
        "Fails if the column has a value outside [min_v, max_v].",
    ),
    audit("at_least_one", &["column", "condition := TRUE"], "Fails if the column has no non-NULL value."),
    audit("not_constant", &["column", "condition := TRUE"], "Fails if the column has a single distinct value."),
    audit("not_empty_string", &["column", "condition := TRUE"], "Fails if the column contains an empty string."),
    audit(
        "not_null_proportion",
        &["column", "threshold", "condition := TRUE"],
        "Fails if the share of non-NULL values is below threshold.",
    ),
    audit(
        "sequential_values",
        &["column", "interval := 1", "condition := TRUE"],
        "Fails if consecutive values differ by other than interval.",
    ),
    audit(
        "mutually_exclusive_ranges",
        &["lower_bound_column", "upper_bound_column", "partition_clause := FALSE", "condition := TRUE"],
        "Fails if ranges overlap or leave gaps.",
    ),
    audit("valid_uuid", &["column", "condition := TRUE"], "Fails if the column has a value that is not a UUID."),
    audit("valid_url", &["column", "condition := TRUE"], "Fails if the column has a value that is not a URL."),
    audit("valid_http_method", &["column"], "Fails if the column has a value that is not an HTTP method."),
    audit(
        "valid_email",
        &["column", "condition := TRUE"],
        "Fails if the column has a value that is not an email address.",
    ),
    audit(
        "match_regex_pattern_list",
        &["column", "patterns", "condition := TRUE"],
        "Fails if a value matches none of the regex patterns.",
    ),
    audit(
        "not_match_regex_pattern_list",
        &["column", "patterns", "condition := TRUE"],
        "Fails if a value matches one of the regex patterns.",
    ),
    audit(
        "match_like_pattern_list",
        &["column", "patterns", "condition := TRUE"],
        "Fails if a value matches none of the LIKE patterns.",
    ),
    audit(
        "not_match_like_pattern_list",
        &["column", "patterns", "condition := TRUE"],
        "Fails if a value matches one of the LIKE patterns.",
    ),
    audit("z_score", &["column", "threshold", "condition := TRUE"], "Fails if a value's z-score exceeds threshold."),
    audit(
        "string_length_between",
        &["column", "min_v := NULL", "max_v := NULL", "inclusive := TRUE", "condition := TRUE"],
        "Fails if a string's length is outside [min_v, max_v].",
    ),
    audit("string_length_equal", &["column", "v", "condition := TRUE"], "Fails if a string's length is not v."),
    audit(
        "stddev_in_range",
        &["column", "min_v := NULL", "max_v := NULL", "inclusive := TRUE", "condition := TRUE"],
        "Fails if the column's standard deviation is outside [min_v, max_v].",
    ),
    audit(
        "mean_in_range",
        &["column", "min_v := NULL", "max_v := NULL", "inclusive := TRUE", "condition := TRUE"],
        "Fails if the column's mean is outside [min_v, max_v].",
    ),
    audit(
        "kl_divergence",
        &["source_column", "target_column", "threshold", "condition := TRUE"],
        "Fails if the KL divergence between two columns exceeds threshold.",
    ),
    audit(
        "chi_square",
        &["column_a", "column_b", "critical_value", "dependent := TRUE", "condition := TRUE"],
        "Fails the chi-square independence test between two columns.",
    ),
];

/// Cron aliases SQLMesh accepts (croniter's), with the five-field cron each stands for.
pub static CRON_ALIASES: &[(&str, &str)] = &[
    ("@hourly", "0 * * * *"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@weekly", "0 0 * * 0"),
    ("@monthly", "0 0 1 * *"),
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
];

/// What SQLMesh's `str_to_bool` reads as true, compared lowercased: a boolean property holding
/// anything else (`maybe`, `ture`) is silently false.
pub static TRUE_WORDS: &[&str] = &["true", "1", "t", "y", "yes", "on"];

/// What people write meaning false; SQLMesh reads these, like every other word, as false.
pub static FALSE_WORDS: &[&str] = &["false", "0", "f", "n", "no", "off"];

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn assert_unique<'a>(what: &str, names: impl IntoIterator<Item = &'a str>) {
        let mut seen = HashSet::new();
        for name in names {
            assert!(seen.insert(name.to_ascii_lowercase()), "{what}: duplicate {name}");
        }
    }

    fn property_names(properties: &[PropertySpec]) -> impl Iterator<Item = &str> {
        properties.iter().flat_map(|p| std::iter::once(p.name).chain(p.aliases.iter().copied()))
    }

    #[test]
    fn every_kind_sqlmesh_defines_is_present() {
        // `ModelKindName` in sqlmesh/core/model/kind.py.
        let expected = [
            "INCREMENTAL_BY_TIME_RANGE",
            "INCREMENTAL_BY_UNIQUE_KEY",
            "INCREMENTAL_BY_PARTITION",
            "INCREMENTAL_UNMANAGED",
            "FULL",
            "SCD_TYPE_2",
            "SCD_TYPE_2_BY_TIME",
            "SCD_TYPE_2_BY_COLUMN",
            "VIEW",
            "EMBEDDED",
            "SEED",
            "EXTERNAL",
            "CUSTOM",
            "MANAGED",
            "DBT_CUSTOM",
        ];
        for name in expected {
            assert!(kind(name).is_some(), "missing kind {name}");
        }
        assert_eq!(MODEL_KINDS.len(), expected.len());
    }

    #[test]
    fn names_are_unique() {
        assert_unique("kinds", MODEL_KINDS.iter().map(|k| k.name));
        for k in MODEL_KINDS {
            assert_unique(k.name, property_names(k.properties));
        }
        assert_unique("model properties", property_names(MODEL_PROPERTIES));
        assert_unique("audit properties", property_names(AUDIT_PROPERTIES));
        assert_unique("dialects", DIALECTS.iter().map(|d| d.name));
        assert_unique("macro variables", MACRO_VARIABLES.iter().map(|v| v.name));
        assert_unique("macros", BUILTIN_MACROS.iter().map(|m| m.name));
        assert_unique("audits", BUILTIN_AUDITS.iter().map(|a| a.name));
        assert_unique("cron aliases", CRON_ALIASES.iter().map(|(a, _)| *a));
    }

    #[test]
    fn kind_lookup_is_case_insensitive() {
        assert_eq!(kind("full").map(|k| k.name), Some("FULL"));
        assert_eq!(kind("Incremental_By_Time_Range").map(|k| k.name), Some("INCREMENTAL_BY_TIME_RANGE"));
        assert!(kind("INCREMENTAL").is_none());
        let scd = kind("scd_type_2").unwrap();
        assert_eq!(scd.alias_of, Some("SCD_TYPE_2_BY_TIME"));
        let target = kind(scd.alias_of.unwrap()).unwrap();
        assert!(std::ptr::eq(scd.properties, target.properties));
    }

    #[test]
    fn kind_properties() {
        let ibtr = kind("INCREMENTAL_BY_TIME_RANGE").unwrap();
        let time_column = ibtr.property("TIME_COLUMN").unwrap();
        assert!(time_column.required);
        assert_eq!(time_column.shape, ValueShape::TimeColumn);
        assert!(ibtr.property("unique_key").is_none());
        assert!(kind("INCREMENTAL_BY_UNIQUE_KEY").unwrap().property("unique_key").unwrap().required);
        assert!(kind("SEED").unwrap().property("path").unwrap().required);
        assert!(kind("CUSTOM").unwrap().property("materialization").unwrap().required);
        assert!(kind("SCD_TYPE_2_BY_COLUMN").unwrap().property("columns").unwrap().required);
        assert!(kind("INCREMENTAL_BY_PARTITION").unwrap().property("forward_only").is_none());
        assert!(kind("FULL").unwrap().properties.is_empty());
        assert!(!kind("VIEW").unwrap().time_range_variables);
        assert!(!kind("FULL").unwrap().time_range_variables);
        assert!(!kind("VIEW").unwrap().python_models);
    }

    #[test]
    fn incremental_matches_sqlmesh() {
        let incremental: Vec<_> = MODEL_KINDS.iter().filter(|k| k.incremental).map(|k| k.name).collect();
        assert_eq!(
            incremental,
            [
                "INCREMENTAL_BY_TIME_RANGE",
                "INCREMENTAL_BY_UNIQUE_KEY",
                "INCREMENTAL_BY_PARTITION",
                "INCREMENTAL_UNMANAGED",
                "SCD_TYPE_2",
                "SCD_TYPE_2_BY_TIME",
                "SCD_TYPE_2_BY_COLUMN",
            ]
        );
    }

    #[test]
    fn model_property_lookup_follows_aliases() {
        assert_eq!(model_property("grain").map(|p| p.name), Some("grains"));
        assert_eq!(model_property("TABLE_PROPERTIES").map(|p| p.name), Some("physical_properties"));
        assert!(model_property("name").unwrap().required);
        assert_eq!(model_property("Cron").unwrap().shape, ValueShape::Cron);
        assert!(model_property("default_catalog").is_none());
        assert!(model_property("time_column").is_none());
        assert!(audit_property("standalone").is_some());
    }

    #[test]
    fn dialect_lookup() {
        assert_eq!(dialect("DuckDB").unwrap().normalization, Normalization::CaseInsensitive);
        assert_eq!(dialect("snowflake").unwrap().normalization, Normalization::Uppercase);
        assert_eq!(dialect("bigquery").unwrap().normalization, Normalization::BigQuery);
        assert_eq!(dialect("postgres").unwrap().parser, ParserDialect::Postgres);
        assert_eq!(dialect("snowflake, normalization_strategy = case_sensitive").unwrap().name, "snowflake");
        assert!(dialect("").is_none());
        assert!(dialect("postgresql").is_none());
        assert_eq!(DEFAULT_DIALECT.normalization, Normalization::Lowercase);
    }

    #[test]
    fn macro_variable_lookup() {
        let start_ds = macro_variable("start_ds").unwrap();
        assert_eq!(start_ds.bound, Some(TimeBound::Start));
        assert_eq!(start_ds.family, Some("ds"));
        assert_eq!(macro_variable("@END_MILLIS").unwrap().bound, Some(TimeBound::End));
        assert_eq!(macro_variable("execution_ts").unwrap().bound, None);
        assert!(macro_variable("this_model").unwrap().family.is_none());
        assert!(macro_variable("start_hive").is_none());
        // Every family exists for every prefix.
        for prefix in ["start", "end", "execution", "latest"] {
            for family in ["dt", "dtntz", "date", "ds", "ts", "tstz", "epoch", "millis", "hour"] {
                let v = macro_variable(&format!("{prefix}_{family}")).unwrap();
                assert_eq!(v.family, Some(family));
            }
        }
    }

    #[test]
    fn macro_audit_and_cron_lookup() {
        assert_eq!(builtin_macro("@each").unwrap().name, "EACH");
        assert!(builtin_macro("group_by").is_some());
        assert!(builtin_macro("my_macro").is_none());
        assert_eq!(builtin_audit("NOT_NULL_NON_BLOCKING").unwrap().name, "not_null");
        assert!(builtin_audit("my_audit").is_none());
        assert_eq!(cron_alias("@DAILY"), Some("0 0 * * *"));
        assert_eq!(cron_alias("@weekly"), Some("0 0 * * 0"));
        assert_eq!(cron_alias("daily"), None);
    }

    #[test]
    fn docs_are_one_liners() {
        let docs = MODEL_KINDS
            .iter()
            .map(|k| k.doc)
            .chain(MODEL_KINDS.iter().flat_map(|k| k.properties.iter().map(|p| p.doc)))
            .chain(MODEL_PROPERTIES.iter().map(|p| p.doc))
            .chain(AUDIT_PROPERTIES.iter().map(|p| p.doc))
            .chain(MACRO_VARIABLES.iter().map(|v| v.doc))
            .chain(BUILTIN_MACROS.iter().map(|m| m.doc))
            .chain(BUILTIN_AUDITS.iter().map(|a| a.doc));
        for doc in docs {
            assert!(!doc.is_empty() && !doc.contains('\n'), "bad doc: {doc:?}");
        }
    }
}
