//! The top-level properties of `MODEL (...)` and `AUDIT (...)` blocks, and the words SQLMesh
//! reads specially in property values: interval units, cron aliases, true and false.

use super::{PropertySpec, ValueShape, prop, required};

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
