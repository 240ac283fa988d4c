//! Orchestrator source generated from a project snapshot, through one orchestrator-neutral
//! plan: the assets (one per model, with keys, dependencies, groups, tags, owners and
//! metadata), the checks (one per audit a model runs, with its blocking flag), and the
//! schedules (the models' crons, by time zone). A backend (`dagster`) only writes the plan
//! down; it decides nothing about the project.
//!
//! The plan is deterministic: the same project and options give the same plan, in the same
//! order (models by name, dependencies by key, crons as text).

pub mod cron;
pub mod dagster;
pub mod generate;
pub mod options;
mod python;
pub mod select;

use crate::project::{FileRole, Model, ModelName, Project, Source};
use crate::syntax::audit::parse_audit_file;
use crate::syntax::sqlmesh::{TRUE_WORDS, builtin_audit};
pub use generate::{Backend, Generated, Request, generate};
pub use options::Options;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Everything an orchestrator needs to know of a project, and nothing about the orchestrator.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The models the orchestrator materializes (by running SQLMesh), sorted by name.
    pub assets: Vec<Asset>,
    /// Tables the models read that SQLMesh does not build: external models, and the models
    /// the selection leaves out that a selected model depends on. Sorted by key.
    pub external: Vec<ExternalAsset>,
    /// One schedule per `cron_tz`, firing at every cron of its models. Sorted by time zone.
    pub schedules: Vec<Schedule>,
    /// What could not be carried over (a cron with seconds has no schedule), one line each.
    pub warnings: Vec<String>,
}

/// An asset key: its segments (`["mart", "top_tracks"]`).
pub type Key = Vec<String>;

/// One model, as an asset that running SQLMesh materializes.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    /// The model's canonical name, as `select_models` takes it.
    pub model: String,
    pub key: Key,
    /// The keys of the models and external tables it reads, sorted.
    pub deps: Vec<Key>,
    pub description: Option<String>,
    pub group: String,
    /// Tag key → value (`""` for a plain SQLMesh tag).
    pub tags: BTreeMap<String, String>,
    pub owners: Vec<String>,
    /// The engine the model runs on (its gateway's connection type), for the asset's kinds.
    pub engine: Option<String>,
    pub cron: Cron,
    /// Name → value as text, in display order: kind, cron, dialect, layout, start, ….
    pub metadata: Vec<(String, String)>,
    pub columns: Vec<Column>,
    /// A hash of the model's definition (its file's text and its name): a new value says the
    /// model changed.
    pub code_version: String,
    pub checks: Vec<Check>,
}

/// An external table, or a model outside the selection.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalAsset {
    pub model: String,
    pub key: Key,
    pub description: Option<String>,
    pub group: String,
    pub metadata: Vec<(String, String)>,
    pub columns: Vec<Column>,
}

/// A model's cron as SQLMesh reads it and as schedulers do.
#[derive(Debug, Clone, PartialEq)]
pub struct Cron {
    /// As written (`@daily`).
    pub written: String,
    /// Five fields (`0 0 * * *`); None when the cron has seconds or a year.
    pub five_field: Option<String>,
    /// `cron_tz`, default `UTC`.
    pub timezone: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub data_type: Option<String>,
    pub description: Option<String>,
}

/// One audit a model runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Unique among the model's checks: the audit's name, `_2`, `_3`… for repeats.
    pub name: String,
    /// The audit's name as SQLMesh reports it.
    pub audit: String,
    pub args: Vec<(String, String)>,
    /// The project audit's query as written; None for SQLMesh's built-in audits.
    pub sql: Option<String>,
    /// A failing blocking audit fails its model and stops what is downstream of it.
    pub blocking: bool,
    pub description: Option<String>,
}

/// The models of one time zone: a schedule that fires at every one of their crons.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub timezone: String,
    /// Distinct five-field crons, sorted.
    pub crons: Vec<String>,
    pub assets: Vec<Key>,
}

/// An audit file's definition, as the checks need it.
struct AuditDefinition {
    blocking: bool,
    sql: String,
    description: Option<String>,
}

/// The plan of `project` under `options`.
pub fn plan(project: &Project, options: &Options) -> Plan {
    // Every asset's columns are its schema's: computed once, in parallel, up front.
    project.compute_schemas();
    let files = project.files();
    let mut models: Vec<(&Model, &Path)> =
        files.iter().flat_map(|f| f.models.iter().map(move |m| (m, f.path.as_path()))).collect();
    models.sort_by(|a, b| a.0.name.cmp(&b.0.name).then_with(|| a.1.cmp(b.1)));
    // A name defined twice is an error SQLMesh reports; the first definition stands.
    models.dedup_by(|a, b| a.0.name == b.0.name);
    let by_name: BTreeMap<&ModelName, &Model> = models.iter().map(|(m, _)| (&m.name, *m)).collect();
    let all: Vec<&Model> = models.iter().map(|(m, _)| *m).collect();
    let graph = project.graph();
    let chosen: BTreeSet<ModelName> = select::selected(&all, &graph, &options.select, &options.exclude)
        .into_iter()
        .filter(|n| by_name.get(n).is_some_and(|m| m.source != Source::External))
        .collect();
    drop(graph);
    let audits = audit_definitions(project, &files);
    let keys = Keys::new(project, options);
    let engine = project.settings.config.default_gateway().and_then(|g| g.connection_type.clone());

    let mut plan = Plan { assets: Vec::new(), external: Vec::new(), schedules: Vec::new(), warnings: Vec::new() };
    let mut external: BTreeSet<ModelName> = BTreeSet::new();
    let mut materialized = Vec::new();
    for (model, path) in &models {
        if model.source == Source::External {
            external.insert(model.name.clone());
            continue;
        }
        if !chosen.contains(&model.name) {
            continue;
        }
        for dep in &model.depends_on {
            if !chosen.contains(dep) {
                external.insert(dep.clone());
            }
        }
        materialized.push((*model, *path));
    }
    // Each asset reads its file (for its code version) and its schema: in parallel, in order.
    plan.assets = materialized
        .par_iter()
        .map(|(model, path)| {
            let text = project.text(path).unwrap_or_default();
            asset(project, &keys, &audits, &by_name, model, path, &text, engine.clone())
        })
        .collect();
    for asset in plan.assets.iter().filter(|a| a.cron.five_field.is_none()) {
        plan.warnings.push(format!(
            "{}: cron `{}` has seconds or a year, which Dagster's schedules do not take: the model has no schedule",
            asset.model, asset.cron.written
        ));
    }
    for name in external {
        let model = by_name.get(&name);
        let external = model.is_none_or(|m| m.source == Source::External);
        let columns = model.map(|m| columns(project, m)).unwrap_or_default();
        let mut metadata = vec![("sqlmesh/model".to_string(), name.to_string())];
        if !external {
            metadata.push(("sqlmesh/note".to_string(), "a SQLMesh model outside the selection".to_string()));
        }
        plan.external.push(ExternalAsset {
            model: name.to_string(),
            key: keys.key(&name, external),
            description: model.and_then(|m| m.description.clone()),
            group: model.map_or_else(|| keys.schema(&name), |m| group(options, &keys, m)),
            metadata,
            columns,
        });
    }
    plan.external.sort_by(|a, b| a.key.cmp(&b.key));

    let mut by_zone: BTreeMap<String, Schedule> = BTreeMap::new();
    for asset in &plan.assets {
        let Some(cron) = &asset.cron.five_field else { continue };
        let schedule = by_zone.entry(asset.cron.timezone.clone()).or_insert_with(|| Schedule {
            timezone: asset.cron.timezone.clone(),
            crons: Vec::new(),
            assets: Vec::new(),
        });
        if !schedule.crons.contains(cron) {
            schedule.crons.push(cron.clone());
        }
        schedule.assets.push(asset.key.clone());
    }
    plan.schedules = by_zone.into_values().collect();
    for schedule in &mut plan.schedules {
        schedule.crons.sort();
        schedule.assets.sort();
    }
    plan
}

#[allow(clippy::too_many_arguments)] // the plan's lookups, built once for every model
fn asset(
    project: &Project,
    keys: &Keys,
    audits: &BTreeMap<String, AuditDefinition>,
    by_name: &BTreeMap<&ModelName, &Model>,
    model: &Model,
    path: &Path,
    text: &str,
    engine: Option<String>,
) -> Asset {
    let timezone = model.cron_tz.clone().unwrap_or_else(|| "UTC".to_string());
    let cron = Cron {
        written: model.cron.clone(),
        five_field: cron::five_field(&model.cron),
        description: cron::describe(&model.cron, &timezone),
        timezone,
    };
    let relative = path.strip_prefix(&project.root).unwrap_or(path).to_string_lossy().replace('\\', "/");
    let mut metadata = vec![
        ("sqlmesh/model".to_string(), model.name.to_string()),
        ("sqlmesh/kind".to_string(), model.kind.clone()),
        ("sqlmesh/cron".to_string(), cron.written.clone()),
        ("sqlmesh/cron_description".to_string(), cron.description.clone()),
    ];
    if model.cron_tz.is_some() {
        metadata.push(("sqlmesh/cron_tz".to_string(), cron.timezone.clone()));
    }
    if let Some(dialect) = &model.dialect {
        metadata.push(("sqlmesh/dialect".to_string(), dialect.clone()));
    }
    for (key, value) in &model.layout {
        metadata.push((format!("sqlmesh/{key}"), value.clone()));
    }
    if let Some(start) = &model.start {
        metadata.push(("sqlmesh/start".to_string(), start.clone()));
    }
    if let Some(column) = &model.time_column {
        metadata.push(("sqlmesh/time_column".to_string(), column.clone()));
    }
    metadata.push(("sqlmesh/path".to_string(), relative));

    let mut tags = BTreeMap::new();
    for tag in &model.tags {
        if tag.starts_with("dagster:group_name:") {
            continue;
        }
        let (key, value) = tag.split_once(':').unwrap_or((tag, ""));
        let key = tag_part(key);
        if !key.is_empty() {
            tags.insert(key, tag_part(value));
        }
    }
    // An owner still holding a variable (`@gateway`) is known only once SQLMesh renders it.
    let owners = model.owner.iter().filter_map(|o| owner(o)).collect();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let checks = model
        .audit_calls
        .iter()
        .map(|call| {
            let count = seen.entry(call.name.as_str()).or_insert(0);
            *count += 1;
            let name = if *count == 1 { identifier(&call.name) } else { format!("{}_{count}", identifier(&call.name)) };
            let definition = audits.get(&call.name);
            let written_blocking = call.args.iter().find(|(k, _)| k == "blocking").map(|(_, v)| is_true(v));
            let blocking = written_blocking.unwrap_or_else(|| match definition {
                Some(definition) => definition.blocking,
                None => !call.name.ends_with("_non_blocking"),
            });
            let description = match definition {
                Some(definition) => definition.description.clone(),
                None => builtin_audit(&call.name).map(|a| a.doc.to_string()),
            };
            Check {
                name,
                audit: call.name.clone(),
                args: call.args.iter().filter(|(k, _)| k != "blocking").cloned().collect(),
                sql: definition.map(|d| d.sql.clone()),
                blocking,
                description,
            }
        })
        .collect();
    // A name no model defines is a table SQLMesh reads as external.
    let external = |d: &ModelName| by_name.get(d).is_none_or(|m| m.source == Source::External);
    let mut deps: Vec<Key> = model.depends_on.iter().map(|d| keys.key(d, external(d))).collect();
    deps.sort();
    deps.dedup();
    Asset {
        model: model.name.to_string(),
        key: keys.key(&model.name, false),
        deps,
        description: model.description.clone(),
        group: group(keys.options, keys, model),
        tags,
        owners,
        engine,
        cron,
        metadata,
        columns: columns(project, model),
        code_version: code_version(text, model.name.as_str()),
        checks,
    }
}

fn columns(project: &Project, model: &Model) -> Vec<Column> {
    let described = |name: &str| {
        model
            .column_descriptions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.clone())
            .or_else(|| model.columns.iter().flatten().find(|c| c.name == name).and_then(|c| c.description.clone()))
    };
    let schema = project.schema(&model.name);
    match schema.as_ref().and_then(|s| s.columns.as_ref()) {
        Some(columns) => columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                data_type: c.data_type.clone(),
                description: c.description.clone().or_else(|| described(&c.name)),
            })
            .collect(),
        None => model
            .columns
            .iter()
            .flatten()
            .map(|c| Column { name: c.name.clone(), data_type: c.data_type.clone(), description: described(&c.name) })
            .collect(),
    }
}

fn group(options: &Options, keys: &Keys, model: &Model) -> String {
    let tagged = model.tags.iter().find_map(|t| t.strip_prefix("dagster:group_name:"));
    match tagged.or(options.default_group.as_deref()) {
        Some(group) => identifier(group),
        None => keys.schema(&model.name),
    }
}

/// The audits defined in the project's audit files, by lowercased name.
fn audit_definitions(
    project: &Project,
    files: &[std::sync::Arc<crate::project::FileFacts>],
) -> BTreeMap<String, AuditDefinition> {
    let mut definitions = BTreeMap::new();
    for file in files.iter().filter(|f| f.role == FileRole::Audit) {
        let Some(text) = project.text(&file.path) else { continue };
        for audit in parse_audit_file(&text).audits {
            let Some(name) = &audit.name else { continue };
            let property = |key: &str| {
                audit.block.properties.iter().find(|p| p.key.value.eq_ignore_ascii_case(key)).map(|p| &p.value)
            };
            let blocking = property("blocking").is_none_or(|v| is_true(v.text(&text)));
            let description = property("description").and_then(|v| v.as_text()).map(|t| t.value);
            let sql = audit.query.map(|q| q.text(&text).trim().to_string()).unwrap_or_default();
            definitions.entry(name.value.to_lowercase()).or_insert(AuditDefinition { blocking, sql, description });
        }
    }
    definitions
}

fn is_true(text: &str) -> bool {
    TRUE_WORDS.contains(&text.trim().trim_matches(['\'', '"']).to_ascii_lowercase().as_str())
}

/// Asset keys from model names, by the options' templates.
struct Keys<'a> {
    options: &'a Options,
    default_catalog: Option<String>,
}

impl<'a> Keys<'a> {
    fn new(project: &Project, options: &'a Options) -> Keys<'a> {
        Keys { options, default_catalog: project.settings.names.default_catalog.clone() }
    }

    /// The name's catalog (the project's default when it has none), schema and table.
    fn parts(&self, name: &ModelName) -> (Option<String>, String, String) {
        let parts: Vec<String> =
            crate::project::names::split_dotted(name.as_str()).into_iter().map(|p| p.text).collect();
        match parts.as_slice() {
            [catalog, schema, table] => (Some(catalog.clone()), schema.clone(), table.clone()),
            [schema, table] => (self.default_catalog.clone(), schema.clone(), table.clone()),
            [table] => (self.default_catalog.clone(), String::new(), table.clone()),
            _ => (None, String::new(), name.as_str().to_string()),
        }
    }

    fn schema(&self, name: &ModelName) -> String {
        let schema = self.parts(name).1;
        if schema.is_empty() { "default".to_string() } else { identifier(&schema) }
    }

    fn key(&self, name: &ModelName, external: bool) -> Key {
        let template = if external {
            self.options.external_key_template.as_ref().or(self.options.key_template.as_ref())
        } else {
            self.options.key_template.as_ref()
        };
        let (catalog, schema, table) = self.parts(name);
        let segments: Vec<String> = match template {
            None => {
                let written = crate::project::names::split_dotted(name.as_str());
                written.into_iter().map(|p| p.text).collect()
            }
            Some(template) => {
                let fqn = [catalog.as_deref().unwrap_or(""), &schema, &table]
                    .iter()
                    .filter(|p| !p.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(".");
                let filled = template
                    .replace("{node.database}", catalog.as_deref().unwrap_or(""))
                    .replace("{node.schema}", &schema)
                    .replace("{node.name}", &table)
                    .replace("{node.fqn}", &fqn);
                options::segments(&filled)
            }
        };
        self.options.key_prefix.iter().cloned().chain(segments).map(|s| key_segment(&s)).collect()
    }
}

/// A key segment Dagster takes: letters, digits and `_` (anything else becomes `_`).
fn key_segment(text: &str) -> String {
    identifier(text)
}

/// Letters, digits and `_`, as Dagster's names must be; anything else becomes `_`.
pub fn identifier(text: &str) -> String {
    let out: String = text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if out.is_empty() { "_".to_string() } else { out }
}

/// A tag key or value Dagster takes: at most 63 of letters, digits, `_`, `-` and `.`.
fn tag_part(text: &str) -> String {
    text.trim().chars().map(|c| if c.is_ascii_alphanumeric() || "_-.".contains(c) { c } else { '_' }).take(63).collect()
}

/// An owner Dagster takes: an email address as it is, anything else as a team; None for a
/// value that is still a macro variable.
fn owner(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.starts_with('@') {
        return None;
    }
    let email = text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace)
    });
    Some(if email || text.starts_with("team:") { text.to_string() } else { format!("team:{}", identifier(text)) })
}

/// FNV-1a (64 bits) of the model's file and name, in hex: stable across runs and machines.
fn code_version(text: &str, name: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes().chain([0]).chain(name.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_dagster_takes() {
        assert_eq!(identifier("my-proj"), "my_proj");
        assert_eq!(owner("jen").as_deref(), Some("team:jen"));
        assert_eq!(owner("jen@example.com").as_deref(), Some("jen@example.com"));
        assert_eq!(owner("@gateway"), None);
        assert_eq!(tag_part("pii data"), "pii_data");
        assert_eq!(code_version("a", "b"), code_version("a", "b"));
        assert_ne!(code_version("a", "b"), code_version("a", "c"));
    }
}
