//! From one file's text to the models it defines, with SQLMesh's effective values: the
//! model's own property, else the project's `model_defaults`, else SQLMesh's default.

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
    /// When the query is `@UNION(['all' | 'distinct',] table, ...)`: its tables, in order.
    #[serde(skip)]
    pub union: Vec<ModelName>,
    /// False when the query could be read only by the token-level pass (it does not parse):
    /// the project then keeps the file's last good parse (see `Project::set_file`).
    #[serde(skip)]
    pub parsed: bool,
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
    let defs: Vec<(String, String)> = file
        .defs
        .iter()
        .filter_map(|d| Some((d.name.value.to_lowercase(), d.value?.text(text).trim().to_string())))
        .collect();
    // One model per blueprint, each with its variables; one model when there are none.
    let blueprints = match file.property("blueprints") {
        None => vec![Vec::new()],
        Some(property) => match blueprints(text, &property.value) {
            Some(blueprints) => blueprints,
            None => {
                let msg = "meshls cannot read these blueprints without running code: their models are not indexed";
                facts.diagnostics.push(Diagnostic::info("blueprints", property.value.span, msg));
                return Syntax::Sql(Box::new(file));
            }
        },
    };
    for blueprint in blueprints {
        // SQLMesh looks up `@DEF`s before blueprint variables.
        let mut local = defs.clone();
        local.extend(blueprint);
        let vars = Variables { settings, local: &local };
        if let Some(model) = sql_model_of(settings, facts, &file, text, keyword, &vars) {
            facts.models.push(model);
        }
    }
    Syntax::Sql(Box::new(file))
}

/// The variables of each blueprint: `blueprints ((a := 1, b := x), (a := 2, b := y))` (or in
/// `[...]`), or one blueprint `(a := 1)`. Keys are lowercased; values are kept as SQL. None
/// when they cannot be known statically (a macro makes them).
fn blueprints(text: &str, value: &Values) -> Option<Vec<Vec<(String, String)>>> {
    let pair = |item: &Values| -> Option<(String, String)> {
        let [key, op, rest @ ..] = item.atoms.as_slice() else { return None };
        let (ValueKind::Name(parts), ValueKind::Op(op)) = (&key.kind, &op.kind) else { return None };
        let (first, last) = (rest.first()?, rest.last()?);
        let value = first.span.cover(last.span).text(text).to_string();
        (op == ":=" || op == "=").then(|| (NamePart::join(parts).to_lowercase(), value))
    };
    let items = value.items();
    if items.is_empty() {
        return None;
    }
    if items.iter().all(|item| pair(item).is_some()) {
        return Some(vec![items.iter().filter_map(|item| pair(item)).collect()]);
    }
    items
        .iter()
        .map(|item| match item.single().map(|v| &v.kind) {
            Some(ValueKind::Tuple(pairs)) => pairs.iter().map(pair).collect::<Option<Vec<_>>>(),
            _ => None,
        })
        .collect()
}

/// A boolean property (`enabled`, `doublequote`) as SQLMesh's validator reads it: one of its
/// true words is true, another single word false; None for an expression meshls cannot
/// evaluate.
fn read_bool(rendered: &str) -> Option<bool> {
    // A comparison of two literals, as in `enabled (0 = 1)`.
    let inner = rendered.trim().trim_start_matches('(').trim_end_matches(')').trim();
    for (op, equal) in [("<>", false), ("!=", false), ("==", true), ("=", true)] {
        if let Some((left, right)) = inner.split_once(op) {
            let literal = |s: &str| {
                let s = s.trim();
                let plain = s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
                (plain || s.len() >= 2 && s.starts_with('\'') && s.ends_with('\''))
                    .then(|| s.trim_matches('\'').to_string())
            };
            return Some((literal(left)? == literal(right)?) == equal);
        }
    }
    let word = rendered.trim().trim_matches(['\'', '"']).to_ascii_lowercase();
    if word.is_empty() || word.contains(|c: char| c.is_whitespace() || "()=<>!".contains(c)) {
        return None;
    }
    Some(crate::syntax::sqlmesh::TRUE_WORDS.contains(&word.as_str()))
}

/// One model of a SQL file, with `vars` (the file's `@DEF`s, one blueprint's variables and the
/// project's) rendered into its name and table names.
fn sql_model_of(
    settings: &Settings,
    facts: &mut FileFacts,
    file: &ModelFile,
    text: &str,
    keyword: Span,
    vars: &Variables,
) -> Option<Model> {
    let text_prop = |key: &str| file.property(key).and_then(|p| p.value.as_text());
    let dialect = text_prop("dialect").map(|d| d.value).or_else(|| settings.default_dialect().map(str::to_string));
    let dialect = dialect.as_deref();
    let name = match file.property("name") {
        Some(property) => match rendered_name(settings, vars, &property.value, text, dialect) {
            Some(name) => name,
            None => {
                let msg = "meshls cannot render this name statically: the model is not indexed";
                facts.diagnostics.push(Diagnostic::info("model-name", property.value.span, msg));
                return None;
            }
        },
        None if settings.infer_names => infer_name(settings, &facts.path, dialect)?,
        None => {
            facts.diagnostics.push(Diagnostic::error("model-block", keyword, "the MODEL block has no `name`"));
            return None;
        }
    };
    let name_span = file.property("name").map_or(keyword, |p| p.value.span);
    let enabled = match file.property("enabled") {
        Some(p) => vars.render(p.value.text(text)).and_then(|v| read_bool(&v)),
        None => settings.default_text("enabled").map_or(Some(true), |v| read_bool(&v)),
    };
    match enabled {
        Some(false) => {
            facts.disabled.push(Spanned::new(name, name_span));
            return None;
        }
        None => facts.enabled_unknown = true,
        Some(true) => {}
    }
    // An unknown kind is reported by the `unknown-kind` rule. `model_defaults.kind` does not
    // apply to SQL models: SQLMesh always passes VIEW for them.
    let kind = file.kind();
    let kind_name = kind.as_ref().map_or_else(|| "VIEW".to_string(), |k| k.name.value.clone());
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
            let csv = seed_path(settings, &facts.path, &path.value);
            let csv_settings = kind_prop("csv_settings").map(|p| csv_settings(&p.value)).unwrap_or_default();
            if columns.is_none() {
                match std::fs::read(&csv) {
                    Ok(bytes) => {
                        let header = parse_seed_header_with_settings(&bytes, &csv_settings);
                        let types = seed_types(&bytes, &csv_settings);
                        columns_declared = true;
                        columns = Some(
                            header
                                .columns
                                .into_iter()
                                .enumerate()
                                .map(|(i, name)| Column {
                                    // SQLMesh normalizes a seed's header as unquoted names.
                                    name: normalize_ident(&name, false, normalization(dialect), false),
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
    let defs = vars.local.to_vec();
    let mut depends_on: Vec<ModelName> = file
        .property("depends_on")
        .map(|p| {
            p.value
                .items()
                .into_iter()
                .filter_map(|v| v.as_name())
                .filter_map(|(parts, _)| defined_table(settings, &defs, &parts, dialect))
                .collect()
        })
        .unwrap_or_default();
    if let Some(query) = &file.query {
        depends_on.extend(query.tables.iter().filter_map(|t| defined_table(settings, &defs, &t.name, dialect)));
    }
    let union = file
        .statements
        .iter()
        .find(|s| s.role == StatementRole::Query && !s.jinja)
        .and_then(|s| union_tables(settings, &defs, s.span.text(text), dialect))
        .unwrap_or_default();
    depends_on.extend(union.iter().cloned());
    Some(Model {
        depends_on: finish_deps(depends_on, &name),
        name,
        name_span,
        source,
        kind: kind_name,
        dialect: dialect.map(str::to_string),
        cron: match file.property("cron") {
            Some(p) => rendered_text(vars, &p.value, text).unwrap_or_else(|| settings.default_cron()),
            None => settings.default_cron(),
        },
        start: match file.property("start") {
            Some(p) => rendered_text(vars, &p.value, text),
            None => settings.default_start(),
        },
        start_written: file.property("start").is_some(),
        time_column,
        columns,
        audits: file.property("audits").map(|p| call_names(&p.value)).unwrap_or_default(),
        tags: file.property("tags").map(|p| texts(&p.value)).unwrap_or_default(),
        description: text_prop("description").map(|d| d.value),
        owner: text_prop("owner").map(|o| o.value),
        kind_properties,
        columns_declared,
        query: if source == Source::Sql {
            file.query.as_ref().and_then(|q| q.shape.clone()).or_else(|| {
                jinja_query_shape(file, text, dialect, &settings.variables, &settings.jinja_macros).map(Arc::new)
            })
        } else {
            None
        },
        column_descriptions,
        defs,
        parsed: file.query.as_ref().is_none_or(|q| q.parsed) || !union.is_empty(),
        union,
    })
}

/// The tables of a query that is one `@UNION` call: `@UNION('all', a.t1, a.t2)`, with an
/// optional leading condition (`@UNION(TRUE, 'distinct', ...)`). None for any other query.
fn union_tables(
    settings: &Settings,
    local: &[(String, String)],
    query: &str,
    dialect: Option<&str>,
) -> Option<Vec<ModelName>> {
    let call = query.trim().strip_prefix('@')?;
    let open = call.find('(')?;
    if !call[..open].trim().eq_ignore_ascii_case("union") {
        return None;
    }
    let inner = call[open + 1..].trim_end().strip_suffix(')')?;
    let mut args: Vec<&str> = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                args.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    args.push(inner[start..].trim());
    let mut tables = args.as_slice();
    let mut only_first = false;
    if let [first, rest @ ..] = tables
        && (first.eq_ignore_ascii_case("true") || first.eq_ignore_ascii_case("false"))
    {
        // `@UNION(FALSE, ...)` selects from the first table only.
        only_first = first.eq_ignore_ascii_case("false");
        tables = rest;
    }
    if let [first, rest @ ..] = tables
        && first.starts_with('\'')
    {
        tables = rest;
    }
    if only_first {
        tables = &tables[..tables.len().min(1)];
    }
    tables.iter().map(|t| defined_table(settings, local, &split_dotted(t), dialect)).collect()
}

/// A property's text (`'@daily'` → `@daily`, `@start_var` → its value); None when a variable
/// in it has no statically known value.
fn rendered_text(vars: &Variables, value: &Values, text: &str) -> Option<String> {
    // String literals are not rendered (`'@daily'` stays a cron alias), nor quoted names
    // (`cron "0 13 * * *"` is the identifier's text).
    match value.single().map(|v| &v.kind) {
        Some(ValueKind::Str(s)) => return Some(s.clone()),
        Some(ValueKind::Name(parts)) if parts.len() == 1 && parts[0].quoted => return Some(parts[0].text.clone()),
        _ => {}
    }
    let written = value.as_text().map(|t| t.value).unwrap_or_else(|| value.text(text).to_string());
    vars.render(&written).map(|rendered| rendered.trim_matches('\'').to_string())
}

/// The model's name with its variables rendered, normalized as SQLMesh reads it back.
fn rendered_name(
    settings: &Settings,
    vars: &Variables,
    value: &Values,
    text: &str,
    dialect: Option<&str>,
) -> Option<ModelName> {
    if let Some((parts, _)) = value.as_name() {
        return defined_table(settings, vars.local, &parts, dialect);
    }
    let written = value.text(text).trim();
    let written = written.strip_prefix('\'').and_then(|w| w.strip_suffix('\'')).unwrap_or(written);
    settings.names.normalize_text(&vars.render(written)?, dialect)
}

/// A seed's CSV file: `$root/...` under the project root, else relative to the model file.
fn seed_path(settings: &Settings, model: &Path, written: &str) -> PathBuf {
    let relative = Path::new(written);
    let mut parts = relative.iter();
    if parts.next().and_then(|p| p.to_str()).is_some_and(|p| p.eq_ignore_ascii_case("$root")) {
        return settings.root.join(parts.as_path());
    }
    model.parent().unwrap_or(Path::new("")).join(relative)
}

/// `csv_settings (delimiter = ';', quotechar = '|')`: what pandas reads the seed with.
fn csv_settings(value: &Values) -> SeedCsvSettings {
    let mut settings = SeedCsvSettings::default();
    for item in value.items() {
        let [key, op, value] = item.atoms.as_slice() else { continue };
        let (ValueKind::Name(key), ValueKind::Op(op)) = (&key.kind, &op.kind) else { continue };
        if op != ":=" && op != "=" {
            continue;
        }
        let byte = match &value.kind {
            ValueKind::Str(s) if s.len() == 1 => Some(s.as_bytes()[0]),
            ValueKind::Str(s) if s == "\\t" => Some(b'\t'),
            _ => None,
        };
        let flag = match &value.kind {
            ValueKind::Name(parts) | ValueKind::Call { name: parts, .. } => {
                parts.first().and_then(|p| read_bool(&p.text))
            }
            ValueKind::Str(s) => read_bool(s),
            _ => None,
        };
        match NamePart::join(key).to_ascii_lowercase().as_str() {
            "delimiter" | "sep" => settings.delimiter = byte.unwrap_or(settings.delimiter),
            "quotechar" => settings.quotechar = byte.unwrap_or(settings.quotechar),
            "doublequote" => settings.doublequote = flag.unwrap_or(settings.doublequote),
            "escapechar" => settings.escapechar = byte,
            "lineterminator" => settings.lineterminator = byte,
            _ => {}
        }
    }
    settings
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
    let written = model.args.iter().find(|a| a.name.as_ref().is_some_and(|n| n.value == "blueprints"));
    let blueprints = match written {
        None => vec![Vec::new()],
        Some(arg) => match python_blueprints(&arg.value) {
            Some(blueprints) => blueprints,
            None => {
                let msg = "meshls cannot read these blueprints without running code: their models are not indexed";
                facts.diagnostics.push(Diagnostic::info("blueprints", arg.value.span, msg));
                return Syntax::Python(Some(Box::new(model)));
            }
        },
    };
    for blueprint in blueprints {
        let vars = Variables { settings, local: &blueprint };
        if let Some(built) = python_model_of(settings, facts, &model, &vars) {
            facts.models.push(built);
        }
    }
    Syntax::Python(Some(Box::new(model)))
}

/// `blueprints=[{"customer": "acme"}, ...]`: each blueprint's variables, keys lowercased.
fn python_blueprints(value: &PyValue) -> Option<Vec<Vec<(String, String)>>> {
    let (PyValueKind::List(items) | PyValueKind::Tuple(items)) = &value.kind else { return None };
    items
        .iter()
        .map(|item| {
            let PyValueKind::Dict(entries) = &item.kind else { return None };
            entries
                .iter()
                .map(|(k, v)| {
                    let PyValueKind::Str(key) = &k.kind else { return None };
                    let value = match &v.kind {
                        PyValueKind::Str(s) | PyValueKind::Number(s) => s.clone(),
                        PyValueKind::Bool(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((key.to_lowercase(), value))
                })
                .collect()
        })
        .collect()
}

/// One model of a Python file, with `vars` (one blueprint's variables and the project's)
/// rendered into its name.
fn python_model_of(settings: &Settings, facts: &mut FileFacts, model: &PythonModel, vars: &Variables) -> Option<Model> {
    let dialect =
        model.dialect.as_ref().map(|d| d.value.clone()).or_else(|| settings.default_dialect().map(str::to_string));
    let dialect = dialect.as_deref();
    let name = match &model.name {
        Some(name) => match vars.render(&name.value).and_then(|n| settings.names.normalize_text(&n, dialect)) {
            Some(rendered) => Some((rendered, name.span)),
            None => {
                let msg = "meshls cannot render this name statically: the model is not indexed";
                facts.diagnostics.push(Diagnostic::info("model-name", name.span, msg));
                return None;
            }
        },
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
    if let Some((name, span)) = &name
        && python_disabled(settings, model)
    {
        facts.disabled.push(Spanned::new(name.clone(), *span));
        return None;
    }
    let (name, name_span) = name?;
    {
        let kind = model.kind.as_ref().map(|k| k.name.value.clone()).unwrap_or_else(|| settings.default_python_kind());
        let time_column = (kind == "INCREMENTAL_BY_TIME_RANGE")
            .then(|| {
                let (_, value) = model.kind.as_ref()?.properties.iter().find(|(k, _)| k.value == "time_column")?;
                match &value.kind {
                    PyValueKind::Str(s) => Some(s.clone()),
                    PyValueKind::Tuple(items) | PyValueKind::List(items) => match &items.first()?.kind {
                        PyValueKind::Str(s) => Some(s.clone()),
                        _ => None,
                    },
                    // `TimeColumn(column="ds", format="%Y-%m-%d")` or `TimeColumn("ds")`.
                    PyValueKind::Call { func, args } if func.rsplit('.').next() == Some("TimeColumn") => {
                        let column = args.iter().find(|a| a.name.as_ref().is_none_or(|n| n.value == "column"))?;
                        match &column.value.kind {
                            PyValueKind::Str(s) => Some(s.clone()),
                            _ => None,
                        }
                    }
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
        let start_written = model.args.iter().any(|a| a.name.as_ref().is_some_and(|n| n.value == "start"));
        let depends_on = deps.iter().filter_map(|d| settings.names.normalize_text(&d.value, dialect)).collect();
        Some(Model {
            depends_on: finish_deps(depends_on, &name),
            name,
            name_span,
            source: Source::Python,
            kind,
            dialect: dialect.map(str::to_string),
            cron: model.cron.as_ref().map_or_else(|| settings.default_cron(), |c| c.value.clone()),
            start: match &model.start {
                Some(start) => Some(start.value.clone()),
                // A start SQLMesh reads from code meshls does not run is unknown, not missing.
                None if start_written => None,
                None => settings.default_start(),
            },
            start_written,
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
            union: Vec::new(),
            parsed: true,
        })
    }
}

/// Whether `enabled=False` (or `"false"`, `"@var"`, or `model_defaults.enabled`) disables a
/// Python model.
fn python_disabled(settings: &Settings, model: &PythonModel) -> bool {
    let vars = Variables { settings, local: &[] };
    match model.args.iter().find(|a| a.name.as_ref().is_some_and(|n| n.value == "enabled")).map(|a| &a.value.kind) {
        Some(PyValueKind::Bool(enabled)) => !enabled,
        Some(PyValueKind::Number(n)) => n == "0",
        Some(PyValueKind::Str(s)) => vars.render(s).and_then(|v| read_bool(&v)) == Some(false),
        Some(_) => false,
        None => settings.default_text("enabled").and_then(|v| read_bool(&v)) == Some(false),
    }
}

fn external_models(settings: &Settings, facts: &mut FileFacts, text: &str) -> Syntax {
    let parsed = parse_external_models(text);
    facts.diagnostics.extend(parsed.diagnostics.iter().cloned());
    // Entries for another gateway than the selected one are dropped; the selected gateway's
    // replace the entries without a gateway of the same name (SQLMesh's `_load_external_models`).
    let selected = settings.config.default_gateway().map(|g| g.name.as_str());
    let for_gateway = |entry: &ExternalModel| match &entry.gateway {
        None => true,
        Some(gateway) => selected.is_some_and(|s| s.eq_ignore_ascii_case(gateway)),
    };
    let overridden = |entry: &ExternalModel| {
        entry.gateway.is_none()
            && parsed
                .models
                .iter()
                .any(|other| other.gateway.is_some() && for_gateway(other) && other.name.value == entry.name.value)
    };
    for entry in parsed.models.iter().filter(|e| for_gateway(e) && !overridden(e)) {
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
            start_written: false,
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
            union: Vec::new(),
            parsed: true,
        });
    }
    Syntax::External(parsed)
}
