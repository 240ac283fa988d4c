//! From one file's text to the models it defines, with SQLMesh's effective values: the
//! model's own property, else the project's `model_defaults`, else SQLMesh's default.

mod external;
mod python;
mod sql;

use super::names::{ModelName, NameContext, normalization, normalize_ident, split_dotted};
use super::render::Variables;
use crate::syntax::audit::{AuditFile, parse_audit_file};
use crate::syntax::block::{NamePart, ValueKind, Values};
use crate::syntax::config::{Config, ConfigValue};
use crate::syntax::external::{ExternalModel, ExternalModels, parse_external_models};
use crate::syntax::model_file::{ModelFile, StatementRole, jinja_query_shape, parse_model_file};
use crate::syntax::python::{PyValue, PyValueKind, PythonMacro, PythonModel, parse_macro_module, parse_python_model};
use crate::syntax::seed::{SeedCsvSettings, parse_seed_header_with_settings, seed_types};
use crate::syntax::sql::shape::QueryShape;
use crate::syntax::{Diagnostic, Span, Spanned};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use external::external_models;
use python::python_model;
use sql::sql_model;

/// Where a model is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Sql,
    Python,
    Seed,
    External,
}

/// An output column of a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: Option<String>,
    #[serde(skip)]
    pub description: Option<String>,
}

/// One model with its effective values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Model {
    pub name: ModelName,
    /// Where the name is written (the MODEL `name` value, the decorator's name, the YAML entry).
    #[serde(skip)]
    pub name_span: Span,
    pub source: Source,
    /// The kind name as SQLMesh reports it (`INCREMENTAL_BY_TIME_RANGE`).
    pub kind: String,
    pub dialect: Option<String>,
    pub cron: String,
    /// The start date as written, variables rendered; None when absent or not known statically.
    pub start: Option<String>,
    /// Whether the model sets a `start` (whose value may not be known statically).
    #[serde(skip)]
    pub start_written: bool,
    pub time_column: Option<String>,
    /// Whether the query reads a relation that a macro builds (`FROM (@build_query())`), or is
    /// built by a Python function (`@model(..., is_sql=True)`), so that its dependencies beyond
    /// [`Model::depends_on`] are known only by running it.
    #[serde(skip)]
    pub depends_unknown: bool,
    /// Direct dependencies, sorted, the model itself excluded.
    pub depends_on: Vec<ModelName>,
    /// Output columns in order, when known from the file alone (declared, or the select
    /// list's names); `Project::schema` has them resolved through upstream schemas.
    #[serde(skip)]
    pub columns: Option<Vec<Column>>,
    pub audits: Vec<String>,
    /// The `audits (...)` calls in order, each with its arguments as written
    /// (`not_null(columns := (id))` → `not_null`, [(`columns`, `(id)`)]).
    #[serde(skip)]
    pub audit_calls: Vec<AuditCall>,
    pub tags: Vec<String>,
    #[serde(skip)]
    pub description: Option<String>,
    #[serde(skip)]
    pub owner: Option<String>,
    /// `cron_tz`, the time zone of `cron` (SQLMesh's default is UTC), as written.
    #[serde(skip)]
    pub cron_tz: Option<String>,
    /// `partitioned_by`, `clustered_by` and `grain` (or `grains`) as written, for display.
    #[serde(skip)]
    pub layout: Vec<(&'static str, String)>,
    /// The kind's own properties as written (`time_column` → `order_date`), for display.
    #[serde(skip)]
    pub kind_properties: Vec<(String, String)>,
    /// Whether `columns` was declared (the `columns` property, the YAML, the decorator, the
    /// seed's header) rather than read from the query's select list.
    #[serde(skip)]
    pub columns_declared: bool,
    /// The query's scopes, for column lineage (SQL models that parse).
    #[serde(skip)]
    pub query: Option<Arc<QueryShape>>,
    /// `column_descriptions`, normalized names.
    #[serde(skip)]
    pub column_descriptions: Vec<(String, String)>,
    /// `@DEF(name, value)` of the file: the name lowercased, the value's text.
    #[serde(skip)]
    pub defs: Vec<(String, String)>,
    /// When the query is `@UNION(['all' | 'distinct',] table, ...)`: its tables, in order.
    #[serde(skip)]
    pub union: Vec<ModelName>,
    /// False when the query could be read only by the token-level pass (it does not parse):
    /// the project then keeps the file's last good parse (see `Project::set_file`).
    #[serde(skip)]
    pub parsed: bool,
}

/// One audit a model runs: `name(arg := value, ...)` of its `audits` property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditCall {
    /// Lowercased, as SQLMesh looks audits up.
    pub name: String,
    /// Each argument's name (lowercased) and value as written.
    pub args: Vec<(String, String)>,
}

/// What kind of project file a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FileRole {
    SqlModel,
    PythonModel,
    Audit,
    Macros,
    ExternalModels,
}

/// A file of a project parsed from one text: its facts and its syntax tree.
#[derive(Debug)]
pub struct ParsedFile {
    pub facts: FileFacts,
    pub syntax: Syntax,
}

/// The parsed structure of a file, kept for the analysis layer.
#[derive(Debug, Clone)]
pub enum Syntax {
    Sql(Box<ModelFile>),
    Python(Option<Box<PythonModel>>),
    Audit(AuditFile),
    Macros(Vec<PythonMacro>),
    External(ExternalModels),
    /// The file could not be read as text.
    Unreadable,
}

/// What meshls keeps of one file: compact facts, not its syntax tree (re-parsing a file takes
/// well under a millisecond, so the analysis layer parses the files it needs on demand).
#[derive(Debug, Clone)]
pub struct FileFacts {
    pub path: PathBuf,
    pub role: FileRole,
    pub models: Vec<Model>,
    pub diagnostics: Vec<Diagnostic>,
    /// A seed's CSV file, whose changes must re-read this file.
    pub seed_csv: Option<PathBuf>,
    /// Project macros defined in the file (`macros/*.py`).
    pub macros: Vec<PythonMacro>,
    /// Audit names defined in the file (`audits/*.sql`).
    pub audits: Vec<Spanned<String>>,
    /// Models the file defines with `enabled false`: SQLMesh drops them, so they are not in
    /// the graph, but a reference to one is not to an unknown table.
    pub disabled: Vec<Spanned<ModelName>>,
    /// Whether a model's `enabled` is an expression meshls cannot evaluate (`enabled (0 = 1)`):
    /// the model is kept, and the rules leave it alone.
    pub enabled_unknown: bool,
}

impl FileFacts {
    /// A copy that shares nothing with `self`, its query shapes included, allocated by the
    /// calling thread.
    pub fn deep_clone(&self) -> FileFacts {
        let mut copy = self.clone();
        for model in &mut copy.models {
            if let Some(query) = &model.query {
                model.query = Some(Arc::new(QueryShape::clone(query)));
            }
        }
        copy
    }
}

/// The project-wide settings a file is read with.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub root: PathBuf,
    pub config: Config,
    pub names: NameContext,
    /// `model_naming.infer_names`: a model without a name is named from its path.
    pub infer_names: bool,
    /// The variables models see: the project's, the default gateway's over them, and
    /// `gateway` (see [`Config::variables_for`]).
    pub variables: Vec<(String, ConfigValue)>,
    /// The `{% macro %}` definitions of `macros/**/*.sql`, for rendering Jinja queries.
    pub jinja_macros: String,
    /// `[rules]` of `meshls.toml`: rule code → level (`error`, `warning`, `info`, `hint`, `off`).
    pub rule_levels: Vec<(String, String)>,
    /// `ignore_patterns`: the models, audits and macros SQLMesh skips.
    pub ignore: crate::project::ignore::IgnorePatterns,
}

/// Files larger than this are reported, not indexed.
pub const MAX_FILE_SIZE: usize = 8 * 1024 * 1024;

impl Settings {
    fn default_dialect(&self) -> Option<&str> {
        self.config.model_defaults.dialect.as_ref().map(|d| d.value.as_str())
    }

    fn default_cron(&self) -> String {
        self.config.model_defaults.cron.as_ref().map_or_else(|| "@daily".to_string(), |c| c.value.clone())
    }

    /// A Python model's default kind: `model_defaults.kind`, else `FULL` (SQL models ignore
    /// `model_defaults.kind`).
    fn default_python_kind(&self) -> String {
        self.config.model_defaults.kind.as_ref().map_or_else(|| "FULL".to_string(), |k| k.value.to_ascii_uppercase())
    }

    /// Another `model_defaults` key's literal value, as text.
    fn default_text(&self, key: &str) -> Option<String> {
        let (_, value) = self.config.model_defaults.other.iter().find(|(k, _)| k == key)?;
        match value {
            ConfigValue::Str(s) | ConfigValue::Number(s) => Some(s.clone()),
            ConfigValue::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    fn default_start(&self) -> Option<String> {
        self.config.model_defaults.start.as_ref().map(|s| s.value.clone())
    }
}

/// Reads one file's facts. `bytes` is its content; never panics.
pub fn file_facts(settings: &Settings, path: &Path, role: FileRole, bytes: &[u8]) -> FileFacts {
    kept_facts(parse_file(settings, path, role, bytes).0)
}

/// What a project keeps of a file's facts: a SQL model's output columns are its resolved
/// schema's (`Project::schema`); the select list's names matter only in the open file.
pub fn kept_facts(mut facts: FileFacts) -> FileFacts {
    for model in &mut facts.models {
        if model.source == Source::Sql && !model.columns_declared && model.query.is_some() {
            model.columns = None;
        }
    }
    facts
}

/// Reads one file: its facts and its syntax tree. Never panics.
pub fn parse_file(settings: &Settings, path: &Path, role: FileRole, bytes: &[u8]) -> (FileFacts, Syntax) {
    let mut facts = FileFacts {
        path: path.to_path_buf(),
        role,
        models: Vec::new(),
        diagnostics: Vec::new(),
        seed_csv: None,
        macros: Vec::new(),
        audits: Vec::new(),
        disabled: Vec::new(),
        enabled_unknown: false,
    };
    let text = match readable_text(bytes) {
        Ok(text) => text,
        Err(diagnostic) => {
            facts.diagnostics.push(diagnostic);
            return (facts, Syntax::Unreadable);
        }
    };
    let syntax = match role {
        FileRole::SqlModel => sql_model(settings, &mut facts, text),
        FileRole::PythonModel => python_model(settings, &mut facts, text),
        FileRole::Audit => {
            let audits = parse_audit_file(text);
            facts.diagnostics.extend(audits.diagnostics.iter().cloned());
            facts.audits = audits.audits.iter().filter_map(|a| a.name.clone()).collect();
            Syntax::Audit(audits)
        }
        FileRole::Macros => {
            facts.macros = parse_macro_module(text);
            Syntax::Macros(facts.macros.clone())
        }
        FileRole::ExternalModels => external_models(settings, &mut facts, text),
    };
    (facts, syntax)
}

/// The file as text, or why it cannot be read as one.
fn readable_text(bytes: &[u8]) -> Result<&str, Diagnostic> {
    if bytes.len() > MAX_FILE_SIZE {
        return Err(Diagnostic::warning(
            "file-too-large",
            Span::at(0),
            format!(
                "file is {} MB, over meshls's {} MB limit; it is not indexed",
                bytes.len() >> 20,
                MAX_FILE_SIZE >> 20
            ),
        ));
    }
    if bytes.contains(&0) {
        return Err(Diagnostic::error("unreadable-file", Span::at(0), "binary file: it holds NUL bytes"));
    }
    std::str::from_utf8(bytes).map_err(|error| {
        let at = error.valid_up_to();
        Diagnostic::error(
            "unreadable-file",
            Span::at(at),
            format!("file is not valid UTF-8 (invalid byte at offset {at})"),
        )
    })
}

/// A table reference's model name: variables substituted, macros that stay unresolved (and
/// `@this_model`) dropped, as they name no model statically.
pub fn table_name(settings: &Settings, parts: &[NamePart], dialect: Option<&str>) -> Option<ModelName> {
    defined_table(settings, &[], parts, dialect)
}

/// A table reference's model name with the model's own variables (`local`: its `@DEF`s and
/// blueprint variables) and the project's rendered; a lone `@name` may be a `@DEF` whose value
/// is a table name (`@DEF(source, core.orders); ... FROM @source`).
pub fn defined_table(
    settings: &Settings,
    local: &[(String, String)],
    parts: &[NamePart],
    dialect: Option<&str>,
) -> Option<ModelName> {
    let vars = Variables { settings, local };
    let mut rendered = Vec::with_capacity(parts.len());
    for part in parts {
        if !part.text.contains('@') {
            rendered.push(part.clone());
            continue;
        }
        let text = vars.render(&part.text)?;
        if part.quoted {
            // SQLMesh renders inside quotes too: `` `@schema`.t `` is the quoted variable's value.
            rendered.push(NamePart { text, ..part.clone() });
        } else {
            // A value may hold several parts (`@DEF(source, core.orders)`).
            rendered.extend(split_dotted(&text).into_iter().map(|p| NamePart { span: part.span, ..p }));
        }
    }
    settings.names.normalize(&rendered, dialect)
}

fn finish_deps(mut deps: Vec<ModelName>, name: &ModelName) -> Vec<ModelName> {
    deps.retain(|d| d != name);
    deps.sort();
    deps.dedup();
    deps
}

/// A model named from its path, as SQLMesh's `get_model_name` does: the folders after the
/// first `models` component of the absolute path, then the file's stem, at most the last
/// three of them (`models/sushi/orders.sql` → `sushi.orders`).
fn infer_name(settings: &Settings, path: &Path, dialect: Option<&str>) -> Option<ModelName> {
    let path = std::path::absolute(path).ok()?;
    let parts: Vec<&str> = path.iter().filter_map(|p| p.to_str()).collect();
    let models = parts.iter().position(|p| *p == "models")?;
    let stem = path.file_stem()?.to_str()?;
    let mut name: Vec<&str> = parts[models + 1..parts.len() - 1].to_vec();
    name.push(stem);
    let name = &name[name.len().saturating_sub(3)..];
    settings.names.normalize_text(&name.join("."), dialect)
}

/// The first name in a value: `ds`, or `ds` of `(ds, '%Y-%m-%d')`.
fn first_name(value: &Values) -> Option<NamePart> {
    let item = value.items().into_iter().next()?;
    match &item.atoms.first()?.kind {
        ValueKind::Name(parts) => parts.last().cloned(),
        ValueKind::Str(s) => Some(NamePart { text: s.clone(), quoted: false, span: item.span }),
        _ => None,
    }
}

/// `columns (id INT, name TEXT)` → columns with their types as written.
fn column_types(text: &str, value: &Values, dialect: Option<&str>) -> Vec<Column> {
    let strategy = normalization(dialect);
    value
        .items()
        .into_iter()
        .filter_map(|item| {
            let first = item.atoms.first()?;
            let ValueKind::Name(parts) = &first.kind else { return None };
            let part = parts.last()?;
            let type_span = item.atoms.get(1).map(|a| a.span.cover(item.atoms[item.atoms.len() - 1].span));
            Some(Column {
                name: normalize_ident(&part.text, part.quoted, strategy, false),
                data_type: type_span.map(|s| s.text(text).to_string()),
                description: None,
            })
        })
        .collect()
}

/// Names of calls or names in a list: `audits (not_null(columns := (id)), unique_values(...))`.
fn call_names(value: &Values) -> Vec<String> {
    value
        .items()
        .into_iter()
        .filter_map(|item| match &item.atoms.first()?.kind {
            ValueKind::Call { name, .. } | ValueKind::Name(name) => Some(NamePart::join(name).to_lowercase()),
            ValueKind::Str(s) => Some(s.to_lowercase()),
            _ => None,
        })
        .collect()
}

/// The calls of an `audits (...)` list with their `name := value` arguments as written.
fn audit_calls(text: &str, value: &Values) -> Vec<AuditCall> {
    value
        .items()
        .into_iter()
        .filter_map(|item| {
            let (name, args) = match &item.atoms.first()?.kind {
                ValueKind::Call { name, args, .. } => (NamePart::join(name), args.as_slice()),
                ValueKind::Name(name) => (NamePart::join(name), &[][..]),
                ValueKind::Str(s) => (s.clone(), &[][..]),
                _ => return None,
            };
            let args = args
                .iter()
                .filter_map(|arg| {
                    let [key, op, first, ..] = arg.atoms.as_slice() else { return None };
                    let (ValueKind::Name(key), ValueKind::Op(op)) = (&key.kind, &op.kind) else { return None };
                    let last = arg.atoms.last()?;
                    (op == ":=" || op == "=").then(|| {
                        (NamePart::join(key).to_lowercase(), first.span.cover(last.span).text(text).to_string())
                    })
                })
                .collect();
            Some(AuditCall { name: name.to_lowercase(), args })
        })
        .collect()
}

/// Strings or names in a list: `tags [a, 'b']`.
fn texts(value: &Values) -> Vec<String> {
    value.items().into_iter().filter_map(|item| item.as_text()).map(|t| t.value).collect()
}
