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
    // `UNION ALL BY NAME` matches columns by name, which the query shapes do not model yet:
    // a query with one, or an upstream model made by one, has columns meshls does not know.
    let own = cx.sql().and_then(|f| f.query_statement()).is_some_and(|s| by_name(s.span.text(cx.text)));
    if own {
        cx.could_not_read("the columns of a set operation BY NAME");
        return;
    }
    let upstream = |n: &ModelName| {
        let schema = project.schema(n)?;
        let unknown = project.model(n).is_some_and(|m| {
            m.query.as_ref().is_some_and(|q| matches!(q.scopes.first().map(|s| &s.kind), Some(ScopeKind::SetOp(_))))
                && defining_text(project, n).is_some_and(|t| by_name(&t))
        });
        if unknown {
            cx.could_not_read("the columns of a set operation BY NAME");
            return None;
        }
        Some(schema)
    };
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

/// Whether SQL text has a set operation that matches columns by name (`UNION ALL BY NAME`).
fn by_name(text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let set_op = |w: &str| matches!(w, "union" | "intersect" | "except");
    // `UNION [ALL | DISTINCT] BY NAME`, not `ORDER BY name`.
    words.windows(4).any(|w| {
        w[2] == "by"
            && w[3] == "name"
            && (set_op(&w[1]) || (matches!(w[1].as_str(), "all" | "distinct") && set_op(&w[0])))
    })
}

/// The text of the file defining a SQL model (read only for set-operation models).
fn defining_text(project: &crate::project::Project, name: &ModelName) -> Option<String> {
    let graph = project.graph();
    let id = *graph.definers(name)?.first()?;
    drop(graph);
    project.text(&project.file(id)?.path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_set_operation_by_name() {
        assert!(super::by_name("SELECT * FROM a UNION ALL BY NAME SELECT * FROM b"));
        assert!(super::by_name("SELECT * FROM a union by name SELECT * FROM b"));
        assert!(!super::by_name("SELECT name FROM a ORDER BY name"));
        assert!(!super::by_name("SELECT * FROM a UNION ALL SELECT * FROM b GROUP BY name"));
    }
}
