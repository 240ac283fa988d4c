//! A table the model reads that is neither a model, a seed, an external model nor a CTE of
//! the project.
//!
//! **Why:** SQLMesh accepts the query, but it knows neither the table's columns nor that the
//! model depends on something outside the project, so lineage and change categorization stop
//! there. SQLMesh's own rule for this is `nomissingexternalmodels`.
//!
//! **Example:** `SELECT * FROM raw.events` where nothing defines `raw.events`.
//!
//! Only the tables SQLMesh takes dependencies from are checked, and only when meshls read them
//! for certain: the query when it parses before rendering (a Jinja query does not), its
//! `depends_on`, a Python model's `depends_on` and `context.resolve_table` strings. Tables of
//! pre- and post-statements are not dependencies; names left with a macro variable are unknown.
//!
//! **Fix:** declare the table in `external_models.yaml` (created if missing); fill in its
//! columns, or run `sqlmesh create_external_models`. It edits another file, so `meshls check
//! --fix` applies it only with `--unsafe-fixes`.

use super::{Context, Rule};
use crate::analysis::references::references;
use crate::syntax::{Applicability, Diagnostic, Edit, Fix, Severity, Span};

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
    // Only what SQLMesh takes dependencies from, read for certain: the query when sqlparser
    // read it (not the token pass, which takes a Jinja query's CTEs and table functions for
    // tables), `depends_on`, a Python model's strings. Pre- and post-statements add none.
    let mut unsure: Vec<Span> = Vec::new();
    let mut ctes: Vec<String> = Vec::new();
    if let Some(file) = cx.sql() {
        unsure.extend(file.statement_tables.iter().map(|t| t.span));
        if let Some(query) = &file.query {
            if !query.parsed {
                unsure.extend(query.tables.iter().map(|t| t.span));
            }
            ctes.extend(query.ctes.iter().map(|c| c.value.to_ascii_lowercase()));
        }
    }
    for reference in references(cx.project, cx.file) {
        if reference.definition
            || unsure.contains(&reference.span)
            || own.contains(&&reference.name)
            || graph.is_defined(&reference.name)
        {
            continue;
        }
        let name = reference.name.as_str();
        // A variable left unsubstituted (`"@schema".orders`): the real name is unknown.
        if name.contains('@') {
            cx.could_not_read("a table name made by a macro variable");
            continue;
        }
        if ctes.iter().any(|c| *c == name.to_ascii_lowercase()) || is_call(cx.text, reference.span) {
            continue;
        }
        // A file read as a table (Spark's parquet.`path/to/file.parquet`).
        if name.contains('/') {
            continue;
        }
        // A model of the same schema and table in another catalog, or without one: the
        // catalog the engine connects to (MotherDuck's database, a DuckDB file) decides.
        if graph.models().any(|m| same_but_catalog(m.as_str(), name)) {
            cx.could_not_read("the default catalog");
            continue;
        }
        // SQLMesh drops a disabled model but keeps the dependency on it.
        if cx.project.is_disabled(&reference.name) {
            let message = format!("`{name}` is disabled (`enabled false`): SQLMesh does not load it");
            out.push(Diagnostic::warning(RULE.code, reference.span, message));
            continue;
        }
        let message = format!("`{name}` is not a model, seed or external model");
        out.push(Diagnostic::warning(RULE.code, reference.span, message).with_fix(register(cx, &reference)));
    }
}

/// Whether the name at `span` is called: a table function (`read_csv('x.csv')`, `range(10)`,
/// `generate_series(1, 3)`, `UNNEST(...)`), which SQLMesh never takes for a model.
fn is_call(text: &str, span: Span) -> bool {
    text.get(span.end as usize..).is_some_and(|rest| rest.trim_start().starts_with('('))
}

/// Whether two canonical names differ only in their catalog (`c.s.t`, `s.t`, `d.s.t`).
fn same_but_catalog(a: &str, b: &str) -> bool {
    let parts = |n: &str| n.split('.').map(str::to_string).collect::<Vec<_>>();
    let (a, b) = (parts(a), parts(b));
    a != b && (a.len() == 3 || b.len() == 3) && a.len() >= 2 && b.len() >= 2 && a[a.len() - 2..] == b[b.len() - 2..]
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
    let existing = cx.project.text(&path);
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
        // Another file: never applied without `--unsafe-fixes`.
        applicability: Applicability::Unsafe,
        snippet: false,
    }
}
