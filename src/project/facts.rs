//! From one file's text to the models it defines, with SQLMesh's effective values: the
//! model's own property, else the project's `model_defaults`, else SQLMesh's default.

use super::names::{ModelName, NameContext, normalization, normalize_ident};
use crate::syntax::audit::{AuditFile, parse_audit_file};
use crate::syntax::block::{NamePart, ValueKind, Values};
use crate::syntax::config::{Config, ConfigValue};
use crate::syntax::external::{ExternalModels, parse_external_models};
use crate::syntax::model_file::{ModelFile, jinja_query_shape, parse_model_file};
use crate::syntax::python::{PyValueKind, PythonMacro, PythonModel, parse_macro_module, parse_python_model};
use crate::syntax::seed::{SeedCsvSettings, parse_seed_header, seed_types};
use crate::syntax::sql::shape::QueryShape;
use crate::syntax::{Diagnostic, Span, Spanned};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    pub start: Option<String>,
    pub time_column: Option<String>,
    /// Direct dependencies, sorted, the model itself excluded.
    pub depends_on: Vec<ModelName>,
    /// Output columns in order, when known from the file alone (declared, or the select
    /// list's names); `Project::schema` has them resolved through upstream schemas.
    #[serde(skip)]
    pub columns: Option<Vec<Column>>,
    pub audits: Vec<String>,
    pub tags: Vec<String>,
    #[serde(skip)]
    pub description: Option<String>,
    #[serde(skip)]
    pub owner: Option<String>,
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
}

/// The project-wide settings a file is read with.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub root: PathBuf,
    pub config: Config,
    pub names: NameContext,
    /// `model_naming.infer_names`: a model without a name is named from its path.
    pub infer_names: bool,
    /// `[rules]` of `meshls.toml`: rule code → level (`error`, `warning`, `info`, `hint`, `off`).
    pub rule_levels: Vec<(String, String)>,
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

    /// `model_defaults.kind`, else SQLMesh's default for this source (`VIEW` for SQL models,
    /// `FULL` for Python models).
    fn default_kind(&self, fallback: &str) -> String {
        self.config.model_defaults.kind.as_ref().map_or_else(|| fallback.to_string(), |k| k.value.to_ascii_uppercase())
    }

    fn default_start(&self) -> Option<String> {
        self.config.model_defaults.start.as_ref().map(|s| s.value.clone())
    }

    /// A config variable's string value (names are case-insensitive, as SQLMesh lowercases them).
    fn variable(&self, name: &str) -> Option<String> {
        self.config.variables.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| match v {
            ConfigValue::Str(s) | ConfigValue::Number(s) => Some(s.clone()),
            ConfigValue::Bool(b) => Some(b.to_string()),
            _ => None,
        })
    }
}

/// Reads one file's facts. `bytes` is its content; never panics.
pub fn file_facts(settings: &Settings, path: &Path, role: FileRole, bytes: &[u8]) -> FileFacts {
    let mut facts = parse_file(settings, path, role, bytes).0;
    // What a project keeps of every file: a SQL model's output columns are its resolved
    // schema's (`Project::schema`); the select list's names matter only in the open file.
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

fn sql_model(settings: &Settings, facts: &mut FileFacts, text: &str) -> Syntax {
    let file = parse_model_file(text, settings.default_dialect());
    facts.diagnostics.extend(file.diagnostics.iter().cloned());
    // Under `infer_names` SQLMesh reads a file without a MODEL block as a model named from
    // its path, with every property defaulted.
    let keyword = match &file.block {
        Some(block) => block.keyword.span,
        None if settings.infer_names => Span::at(0),
        None => {
            facts.diagnostics.push(Diagnostic::error(
                "model-block",
                Span::at(0),
                "a SQL model file must start with a MODEL (...) block",
            ));
            return Syntax::Sql(Box::new(file));
        }
    };
    let text_prop = |key: &str| file.property(key).and_then(|p| p.value.as_text());
    let dialect = text_prop("dialect").map(|d| d.value).or_else(|| settings.default_dialect().map(str::to_string));
    let dialect = dialect.as_deref();
    let (name, name_span) = match file.name() {
        Some((parts, span)) => (settings.names.normalize(&substitute(settings, &parts), dialect), span),
        None if settings.infer_names => (infer_name(settings, &facts.path, dialect), keyword),
        None => {
            facts.diagnostics.push(Diagnostic::error("model-block", keyword, "the MODEL block has no `name`"));
            (None, keyword)
        }
    };
    // An unknown kind is reported by the `unknown-kind` rule.
    let kind = file.kind();
    let kind_name = kind.as_ref().map(|k| k.name.value.clone()).unwrap_or_else(|| settings.default_kind("VIEW"));
    let kind_prop =
        |key: &str| kind.as_ref().and_then(|k| k.properties.iter().find(|p| p.key.value.eq_ignore_ascii_case(key)));
    let time_column = (kind_name == "INCREMENTAL_BY_TIME_RANGE")
        .then(|| kind_prop("time_column").and_then(|p| first_name(&p.value)))
        .flatten()
        .map(|c| normalize_ident(&c.text, c.quoted, normalization(dialect), false));

    let mut columns = file.property("columns").map(|p| column_types(text, &p.value, dialect));
    let mut columns_declared = columns.is_some();
    let mut source = Source::Sql;
    if kind_name == "SEED" {
        source = Source::Seed;
        if let Some(path) = kind_prop("path").and_then(|p| p.value.as_text()) {
            let csv = facts.path.parent().unwrap_or(Path::new("")).join(&path.value);
            if columns.is_none() {
                match std::fs::read(&csv) {
                    Ok(bytes) => {
                        let header = parse_seed_header(&bytes);
                        let types = seed_types(&bytes, &SeedCsvSettings::default());
                        columns_declared = true;
                        columns = Some(
                            header
                                .columns
                                .into_iter()
                                .enumerate()
                                .map(|(i, name)| Column {
                                    name,
                                    data_type: types.get(i).copied().flatten().map(str::to_string),
                                    description: None,
                                })
                                .collect(),
                        );
                    }
                    Err(error) => facts.diagnostics.push(Diagnostic::error(
                        "seed-file",
                        path.span,
                        format!("cannot read seed file {}: {error}", csv.display()),
                    )),
                }
            }
            facts.seed_csv = Some(csv);
        }
    } else if columns.is_none()
        && let Some(query) = &file.query
        && !query.projections.is_empty()
        // A projection that is a macro (`@safe_div(a, b)`) is named only once rendered.
        && query.projections.iter().all(|p| p.name.as_ref().is_some_and(|n| !n.value.starts_with('@')))
    {
        let strategy = normalization(dialect);
        columns = Some(
            query
                .projections
                .iter()
                .filter_map(|p| p.name.as_ref().map(|n| (n, p.cast.clone())))
                .map(|(n, data_type)| {
                    let quoted = n.span.text(text).starts_with(['"', '`', '[']);
                    Column { name: normalize_ident(&n.value, quoted, strategy, false), data_type, description: None }
                })
                .collect(),
        );
    }

    let mut column_descriptions = Vec::new();
    if let Some(descriptions) = file.property("column_descriptions") {
        let strategy = normalization(dialect);
        for item in descriptions.value.items() {
            let (Some(key), Some(value)) = (item.atoms.first(), item.atoms.last()) else { continue };
            let (ValueKind::Name(parts), ValueKind::Str(description)) = (&key.kind, &value.kind) else { continue };
            let Some(part) = parts.last() else { continue };
            let key = normalize_ident(&part.text, part.quoted, strategy, false);
            if let Some(column) = columns.as_mut().and_then(|c| c.iter_mut().find(|c| c.name == key)) {
                column.description = Some(description.clone());
            }
            column_descriptions.push((key, description.clone()));
        }
    }
    let kind_properties = kind
        .as_ref()
        .map(|k| {
            k.properties.iter().map(|p| (p.key.value.to_ascii_lowercase(), p.value.text(text).to_string())).collect()
        })
        .unwrap_or_default();
    if let Some(name) = name {
        let mut depends_on: Vec<ModelName> = file
            .property("depends_on")
            .map(|p| {
                p.value
                    .items()
                    .into_iter()
                    .filter_map(|v| v.as_name())
                    .filter_map(|(parts, _)| settings.names.normalize(&substitute(settings, &parts), dialect))
                    .collect()
            })
            .unwrap_or_default();
        let defs: Vec<(String, String)> = file
            .defs
            .iter()
            .filter_map(|d| Some((d.name.value.to_lowercase(), d.value?.text(text).trim().to_string())))
            .collect();
        if let Some(query) = &file.query {
            depends_on.extend(query.tables.iter().filter_map(|t| defined_table(settings, &defs, &t.name, dialect)));
        }
        let model = Model {
            depends_on: finish_deps(depends_on, &name),
            name,
            name_span,
            source,
            kind: kind_name,
            dialect: dialect.map(str::to_string),
            cron: text_prop("cron").map_or_else(|| settings.default_cron(), |c| c.value),
            start: text_prop("start").map(|s| s.value).or_else(|| settings.default_start()),
            time_column,
            columns,
            audits: file.property("audits").map(|p| call_names(&p.value)).unwrap_or_default(),
            tags: file.property("tags").map(|p| texts(&p.value)).unwrap_or_default(),
            description: text_prop("description").map(|d| d.value),
            owner: text_prop("owner").map(|o| o.value),
            kind_properties,
            columns_declared,
            query: if source == Source::Sql {
                file.query
                    .as_ref()
                    .and_then(|q| q.shape.clone())
                    .or_else(|| jinja_query_shape(&file, text, dialect, &settings.config.variables).map(Arc::new))
            } else {
                None
            },
            column_descriptions,
            defs,
        };
        facts.models.push(model);
    }
    Syntax::Sql(Box::new(file))
}

/// A table reference's model name: variables substituted, macros that stay unresolved (and
/// `@this_model`) dropped, as they name no model statically.
pub fn table_name(settings: &Settings, parts: &[NamePart], dialect: Option<&str>) -> Option<ModelName> {
    let parts = substitute(settings, parts);
    if parts.iter().any(|p| !p.quoted && p.text.contains('@')) {
        return None;
    }
    settings.names.normalize(&parts, dialect)
}

/// A table reference's model name, where a lone `@name` may be a `@DEF` of the file whose
/// value is a table name (`@DEF(source, core.orders); ... FROM @source`).
pub fn defined_table(
    settings: &Settings,
    defs: &[(String, String)],
    parts: &[NamePart],
    dialect: Option<&str>,
) -> Option<ModelName> {
    if let [part] = parts
        && let Some(name) = part.text.strip_prefix('@')
        && let Some((_, value)) = defs.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))
        && !value.starts_with(['\'', '@'])
    {
        return settings.names.normalize_text(value, dialect);
    }
    table_name(settings, parts, dialect)
}

/// Replaces `@var` and `@{var}` in name parts with the config's literal variables.
fn substitute(settings: &Settings, parts: &[NamePart]) -> Vec<NamePart> {
    parts
        .iter()
        .map(|part| {
            if part.quoted || !part.text.contains('@') {
                return part.clone();
            }
            let mut text = part.text.clone();
            if let Some(var) = text.strip_prefix('@').filter(|v| v.chars().all(|c| c.is_alphanumeric() || c == '_')) {
                if let Some(value) = settings.variable(var) {
                    text = value;
                }
            } else {
                while let Some(open) = text.find("@{") {
                    let Some(close) = text[open..].find('}') else { break };
                    let Some(value) = settings.variable(&text[open + 2..open + close]) else { break };
                    text.replace_range(open..open + close + 1, &value);
                }
            }
            NamePart { text, quoted: part.quoted, span: part.span }
        })
        .collect()
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

/// Strings or names in a list: `tags [a, 'b']`.
fn texts(value: &Values) -> Vec<String> {
    value.items().into_iter().filter_map(|item| item.as_text()).map(|t| t.value).collect()
}

fn python_model(settings: &Settings, facts: &mut FileFacts, text: &str) -> Syntax {
    let Some(model) = parse_python_model(text) else {
        // A helper module under models/: nothing to index.
        return Syntax::Python(None);
    };
    facts.diagnostics.extend(model.diagnostics.iter().cloned());
    let dialect =
        model.dialect.as_ref().map(|d| d.value.clone()).or_else(|| settings.default_dialect().map(str::to_string));
    let dialect = dialect.as_deref();
    let name = match &model.name {
        Some(name) => settings.names.normalize_text(&name.value, dialect).map(|n| (n, name.span)),
        None if settings.infer_names => infer_name(settings, &facts.path, dialect).map(|n| (n, model.decorator)),
        None => {
            facts.diagnostics.push(Diagnostic::error(
                "model-block",
                model.decorator,
                "the @model decorator has no name",
            ));
            None
        }
    };
    if let Some((name, name_span)) = name {
        let kind = model.kind.as_ref().map(|k| k.name.value.clone()).unwrap_or_else(|| settings.default_kind("FULL"));
        let time_column = (kind == "INCREMENTAL_BY_TIME_RANGE")
            .then(|| {
                let (_, value) = model.kind.as_ref()?.properties.iter().find(|(k, _)| k.value == "time_column")?;
                match &value.kind {
                    PyValueKind::Str(s) => Some(s.clone()),
                    PyValueKind::Tuple(items) | PyValueKind::List(items) => match &items.first()?.kind {
                        PyValueKind::Str(s) => Some(s.clone()),
                        _ => None,
                    },
                    _ => None,
                }
            })
            .flatten()
            .map(|c| normalize_ident(&c, false, normalization(dialect), false));
        let deps = match &model.depends_on {
            Some(explicit) => explicit.clone(),
            None => model.resolved_tables.clone(),
        };
        let strategy = normalization(dialect);
        let depends_on = deps.iter().filter_map(|d| settings.names.normalize_text(&d.value, dialect)).collect();
        facts.models.push(Model {
            depends_on: finish_deps(depends_on, &name),
            name,
            name_span,
            source: Source::Python,
            kind,
            dialect: dialect.map(str::to_string),
            cron: model.cron.as_ref().map_or_else(|| settings.default_cron(), |c| c.value.clone()),
            start: model.start.as_ref().map(|s| s.value.clone()).or_else(|| settings.default_start()),
            time_column,
            columns: model.columns.as_ref().map(|cols| {
                cols.iter()
                    .map(|(n, t)| Column {
                        name: normalize_ident(&n.value, false, strategy, false),
                        data_type: t.clone(),
                        description: None,
                    })
                    .collect()
            }),
            audits: model.audits.iter().map(|a| a.value.to_lowercase()).collect(),
            tags: model.tags.iter().map(|t| t.value.clone()).collect(),
            description: model.description.as_ref().map(|d| d.value.clone()),
            owner: model.owner.as_ref().map(|o| o.value.clone()),
            kind_properties: Vec::new(),
            columns_declared: model.columns.is_some(),
            query: None,
            column_descriptions: Vec::new(),
            defs: Vec::new(),
        });
    }
    Syntax::Python(Some(Box::new(model)))
}

fn external_models(settings: &Settings, facts: &mut FileFacts, text: &str) -> Syntax {
    let parsed = parse_external_models(text);
    facts.diagnostics.extend(parsed.diagnostics.iter().cloned());
    for entry in &parsed.models {
        let dialect = entry.dialect.clone().or_else(|| settings.default_dialect().map(str::to_string));
        let strategy = normalization(dialect.as_deref());
        let Some(name) = settings.names.normalize_text(&entry.name.value, dialect.as_deref()) else {
            facts.diagnostics.push(Diagnostic::error("external-models", entry.name.span, "empty external model name"));
            continue;
        };
        facts.models.push(Model {
            name,
            name_span: entry.name.span,
            source: Source::External,
            kind: "EXTERNAL".to_string(),
            dialect,
            cron: settings.default_cron(),
            start: settings.default_start(),
            time_column: None,
            depends_on: Vec::new(),
            columns: (!entry.columns.is_empty()).then(|| {
                entry
                    .columns
                    .iter()
                    .map(|c| {
                        // `'"AuthorId"'`: a quoted identifier inside the YAML string.
                        let name = &c.name.value;
                        let quoted = name.len() >= 2 && name.starts_with('"') && name.ends_with('"');
                        let text = if quoted { name[1..name.len() - 1].replace("\"\"", "\"") } else { name.clone() };
                        Column {
                            name: normalize_ident(&text, quoted, strategy, false),
                            data_type: c.data_type.clone(),
                            description: c.description.clone(),
                        }
                    })
                    .collect()
            }),
            audits: Vec::new(),
            tags: Vec::new(),
            description: entry.description.clone(),
            owner: None,
            kind_properties: Vec::new(),
            columns_declared: true,
            query: None,
            column_descriptions: Vec::new(),
            defs: Vec::new(),
        });
    }
    Syntax::External(parsed)
}
