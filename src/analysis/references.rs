//! The model names a file mentions, with where: table references in SQL, `depends_on`
//! entries, the model's own name, Python `depends_on`/`context.resolve_table` strings.

use super::ParsedFile;
use crate::project::facts::Syntax;
use crate::project::{ModelName, Project};
use crate::syntax::Span;
use crate::syntax::block::NamePart;

/// One mention of a model name in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub name: ModelName,
    pub span: Span,
    /// Whether this is the file's own model name (its definition), not a use.
    pub definition: bool,
}

/// Every model name mentioned in a parsed file, in text order. Names that stay unresolved
/// macros (`@{schema}.t` without a literal variable, `@this_model`) are left out.
pub fn references(project: &Project, file: &ParsedFile) -> Vec<Reference> {
    let mut out = Vec::new();
    let model = file.facts.models.first();
    let dialect = model.and_then(|m| m.dialect.as_deref());
    let mut push = |parts: &[NamePart], span: Span, definition: bool| {
        if let Some(name) = crate::project::facts::table_name(&project.settings, parts, dialect) {
            out.push(Reference { name, span, definition });
        }
    };
    match &file.syntax {
        Syntax::Sql(sql) => {
            if let Some((parts, span)) = sql.name() {
                push(&parts, span, true);
            }
            if let Some(depends_on) = sql.property("depends_on") {
                for (parts, span) in depends_on.value.items().into_iter().filter_map(|v| v.as_name()) {
                    push(&parts, span, false);
                }
            }
            for table in sql.query.iter().flat_map(|q| q.tables.iter()).chain(&sql.statement_tables) {
                push(&table.name, table.span, false);
            }
        }
        Syntax::Python(Some(python)) => {
            let strings = python
                .name
                .iter()
                .map(|n| (n, true))
                .chain(python.depends_on.iter().flatten().chain(&python.resolved_tables).map(|n| (n, false)));
            for (name, definition) in strings {
                push(&crate::project::names::split_dotted(&name.value), name.span, definition);
            }
        }
        Syntax::External(external) => {
            for entry in &external.models {
                push(&crate::project::names::split_dotted(&entry.name.value), entry.name.span, true);
            }
        }
        _ => {}
    }
    out.sort_by_key(|r| r.span);
    out
}

/// The reference under `offset`, if any.
pub fn reference_at(project: &Project, file: &ParsedFile, offset: usize) -> Option<Reference> {
    references(project, file).into_iter().find(|r| r.span.contains(offset))
}
