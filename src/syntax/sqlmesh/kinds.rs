//! Every model kind SQLMesh defines and the properties each accepts inside `kind NAME (...)`.

use super::{KindSpec, PropertySpec, ValueShape, prop, required};

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
