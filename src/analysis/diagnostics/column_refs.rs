//! The column references of a model's query, resolved against upstream schemas: what the
//! column-aware rules (`unknown-column`, `ambiguous-column`, `select-star`) read.

use super::Context;
use crate::project::ModelName;
use crate::project::lineage::{QueryResolver, RefTarget};
use crate::syntax::sql::shape::{ColumnRef, ScopeId, ScopeKind, SelectShape};

/// Calls `f` with every SELECT scope of the file's query, with a resolver over the project's
/// schemas. Nothing happens for files without a parsed SQL query.
pub fn each_select(cx: &Context, mut f: impl FnMut(&mut QueryResolver, ScopeId, &SelectShape)) {
    let Some(model) = cx.model() else { return };
    // A rendered (Jinja) query's spans are not the file's: nothing to point at.
    let Some(shape) = model.query.as_ref().filter(|s| !s.rendered) else { return };
    let project = cx.project;
    let upstream = |n: &ModelName| project.schema(n);
    let Some(mut resolver) = QueryResolver::for_model(model, &project.settings, &upstream) else { return };
    for (id, scope) in shape.scopes.iter().enumerate() {
        if let ScopeKind::Select(select) = &scope.kind {
            f(&mut resolver, id as ScopeId, select);
        }
    }
}

/// Calls `f` with every written column reference and what it resolves to.
pub fn each_reference(cx: &Context, mut f: impl FnMut(&mut QueryResolver, &SelectShape, &ColumnRef, RefTarget)) {
    each_select(cx, |resolver, id, select| {
        for reference in select.written_refs() {
            let target = resolver.resolve(id, select, reference);
            f(resolver, select, reference, target);
        }
    });
}

/// Names that read as columns but are the engine's niladic functions.
pub fn is_niladic_function(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "current_date",
        "current_time",
        "current_timestamp",
        "current_datetime",
        "current_user",
        "current_role",
        "current_schema",
        "current_catalog",
        "localtime",
        "localtimestamp",
        "session_user",
        "system_user",
        "sysdate",
        "user",
    ];
    NAMES.iter().any(|n| name.eq_ignore_ascii_case(n))
}

/// Whether the text at `start` is the first argument of a function whose first argument is a
/// keyword, not a column: a date part (`DATEPART(year, ts)`, `DATEADD(day, 1, ts)`) or a type
/// (`CONVERT(SMALLDATETIME, ts)`). Dialect parsers do not all read these as keywords.
pub fn is_keyword_argument(text: &str, start: usize) -> bool {
    const FUNCTIONS: &[&str] = &[
        "datepart",
        "datename",
        "dateadd",
        "datediff",
        "datediff_big",
        "datetrunc",
        "date_bucket",
        "timestampadd",
        "timestampdiff",
        "timeadd",
        "timediff",
        "convert",
        "try_convert",
    ];
    let Some(before) = text.get(..start) else { return false };
    let Some(before) = before.trim_end().strip_suffix('(') else { return false };
    let before = before.trim_end();
    let word_start = before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
    FUNCTIONS.iter().any(|f| before[word_start..].eq_ignore_ascii_case(f))
}
