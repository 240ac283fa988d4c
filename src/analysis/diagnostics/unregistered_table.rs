//! A table the model reads that is neither a model, a seed, an external model nor a CTE of
//! the project.
//!
//! **Why:** SQLMesh accepts the query, but it knows neither the table's columns nor that the
//! model depends on something outside the project, so lineage and change categorization stop
//! there. SQLMesh's own rule for this is `nomissingexternalmodels`.
//!
//! **Example:** `SELECT * FROM raw.events` where nothing defines `raw.events`.
//!
//! **Fix:** declare the table in `external_models.yaml` (created if missing); fill in its
//! columns, or run `sqlmesh create_external_models`.

use super::{Context, Rule};
use crate::analysis::references::references;
use crate::syntax::{Diagnostic, Edit, Fix, Severity, Span};

pub const RULE: Rule = Rule {
    code: "unregistered-table",
    summary: "a table that is not a model, seed or external model",
    default: Some(Severity::Warning),
    sqlmesh: Some("nomissingexternalmodels"),
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let own: Vec<_> = cx.file.facts.models.iter().map(|m| &m.name).collect();
    let graph = cx.project.graph();
    for reference in references(cx.project, cx.file) {
        if reference.definition || own.contains(&&reference.name) || graph.is_defined(&reference.name) {
            continue;
        }
        let message = format!("`{}` is not a model, seed or external model of this project", reference.name);
        out.push(Diagnostic::warning(RULE.code, reference.span, message).with_fix(register(cx, &reference)));
    }
}

/// A YAML scalar for a name: bare when plain, else single-quoted.
fn yaml_scalar(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// Appends the table to the project's `external_models.yaml`, creating the file if needed.
/// The entry names the model's dialect when it differs from the project's, so that the name
/// is read with the same case rules as the reference.
fn register(cx: &Context, reference: &crate::analysis::references::Reference) -> Fix {
    let name = reference.name.as_str();
    let path = cx.project.root.join("external_models.yaml");
    let mut entry = format!("- name: {}\n", yaml_scalar(name));
    let project_dialect =
        cx.project.settings.config.model_defaults.dialect.as_ref().map(|d| d.value.to_ascii_lowercase());
    if let Some(dialect) = cx.model().and_then(|m| m.dialect.as_ref())
        && Some(dialect.to_ascii_lowercase()) != project_dialect
    {
        entry.push_str(&format!("  dialect: {dialect}\n"));
    }
    let existing = std::fs::read_to_string(&path).ok();
    let (span, new_text) = match &existing {
        Some(text) => {
            let separator = if text.is_empty() || text.ends_with('\n') { "" } else { "\n" };
            (Span::at(text.len()), format!("{separator}{entry}"))
        }
        None => (Span::at(0), entry),
    };
    Fix {
        title: format!("Declare `{name}` in external_models.yaml"),
        edits: vec![Edit { path: Some(path), span, new_text }],
        safe: true,
        snippet: false,
    }
}
