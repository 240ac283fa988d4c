//! What SQLMesh rejects beyond an entry's shape: a field it does not know (with the field
//! probably meant) and a model defined twice for the same gateway.

use std::collections::HashMap;

use super::{CODE, Reader};
use crate::syntax::span::Diagnostic;

/// Fields of an external model that SQLMesh accepts (`ExternalModel.all_fields()` in 0.236).
#[rustfmt::skip] // one long list reads better packed than one name a line
pub(super) const KNOWN_FIELDS: &[&str] = &[
    "allow_partials", "audit_definitions", "audits", "clustered_by", "column_descriptions",
    "columns", "cron", "cron_tz", "dbt_node_info", "default_catalog", "depends_on", "description",
    "dialect", "enabled", "end", "extract_dependencies_from_query", "formatting", "gateway",
    "grains", "grants", "grants_target_layer", "ignored_rules", "interval_unit", "jinja_macros",
    "kind", "mapping_schema", "name", "on_virtual_update", "optimize_query", "owner",
    "partitioned_by", "physical_properties", "physical_schema_override", "physical_version",
    "post_statements", "pre_statements", "project", "python_env", "references", "retention",
    "session_properties", "signals", "source_type", "stamp", "start", "storage_format",
    "table_format", "tags", "virtual_environment_mode", "virtual_properties",
];

impl Reader<'_> {
    /// SQLMesh rejects two entries for the same model and gateway in one load.
    pub(super) fn report_duplicates(&mut self) {
        let mut seen: HashMap<(String, Option<String>), usize> = HashMap::new();
        for model in &self.out.models {
            let count = seen.entry((name_key(&model.name.value), model.gateway.clone())).or_default();
            *count += 1;
            if *count > 1 {
                let gateway = model.gateway.as_ref().map(|g| format!(" for gateway `{g}`")).unwrap_or_default();
                let message = format!("external model `{}` is defined more than once{gateway}", model.name.value);
                self.out.diagnostics.push(Diagnostic::error(CODE, model.name.span, message));
            }
        }
    }
}

/// How two model names are compared for duplicates: unquoted names case-insensitively.
/// The project layer does the dialect-aware normalization; this only has to avoid false alarms.
fn name_key(name: &str) -> String {
    if name.contains(['"', '`', '[']) { name.to_string() } else { name.to_lowercase() }
}

/// The known field closest to a misspelled one, if it is close enough to be a likely typo.
pub(super) fn suggestion(field: &str) -> Option<&'static str> {
    let (distance, known) = KNOWN_FIELDS.iter().map(|known| (edit_distance(field, known), *known)).min()?;
    let len = field.chars().count();
    (distance <= 2.max(len / 4) && distance < len).then_some(known)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}
