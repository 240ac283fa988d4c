//! `*` or `alias.*` in the model's output columns.
//!
//! **Why:** the model's columns then change whenever an upstream model's do, silently: a
//! column added upstream appears downstream, a column removed upstream breaks consumers
//! further down, and reviews cannot see what the model produces. SQLMesh's rule for this is
//! `noselectstar` (off by default there as here; turn it on in the `linter` section or in
//! `meshls.toml`).
//!
//! **Example:** `SELECT * FROM shop.orders`.
//!
//! **Fix:** list the columns; the quick fix expands the `*` into the columns it stands for
//! today, when every schema involved is known.

use super::column_refs::each_select;
use super::{Context, Rule};
use crate::syntax::sql::shape::ScopeKind;
use crate::syntax::{Applicability, Diagnostic, Fix};

pub const RULE: Rule = Rule {
    code: "select-star",
    summary: "`*` in the model's output columns",
    default: None,
    sqlmesh: Some("noselectstar"),
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(shape) = cx.model().and_then(|m| m.query.as_ref()) else { return };
    // The SELECTs producing the output: the root, or each branch of a root set operation.
    let outer: Vec<u32> = match &shape.scopes.first().map(|s| &s.kind) {
        Some(ScopeKind::SetOp(branches)) => branches.clone(),
        Some(_) => vec![0],
        None => return,
    };
    each_select(cx, |resolver, id, select| {
        if !outer.contains(&id) {
            return;
        }
        let qualify = select.sources.len() > 1;
        for item in &select.items {
            let Some(star) = &item.star else { continue };
            let mut diagnostic = Diagnostic::warning(
                RULE.code,
                item.span,
                "`*` makes the model's columns whatever its upstream has; list them",
            );
            // The expansion, when every relation it covers has a known schema.
            let relations: Vec<usize> = match &star.qualifier {
                Some(q) => {
                    let Some(last) = q.last() else { continue };
                    let name = resolver.normalize(last);
                    select
                        .sources
                        .iter()
                        .position(|r| r.alias.as_ref().is_some_and(|a| resolver.normalize(a) == name))
                        .into_iter()
                        .collect()
                }
                None => (0..select.sources.len()).collect(),
            };
            let except: Vec<String> = star.except.iter().map(|p| resolver.normalize(p)).collect();
            let mut columns: Vec<String> = Vec::new();
            let mut known = !relations.is_empty() && star.replace.is_empty() && star.rename.is_empty();
            let using: Vec<String> =
                select.using.iter().flat_map(|(_, names)| names.iter().map(|n| resolver.normalize(n))).collect();
            for &r in &relations {
                let Some(names) = resolver.relation_columns(&select.sources[r]) else {
                    known = false;
                    break;
                };
                for (name, _) in names {
                    if except.contains(&name) {
                        continue;
                    }
                    let shared = star.qualifier.is_none() && using.contains(&name);
                    if shared && columns.contains(&name) {
                        continue;
                    }
                    let qualifier = select.sources[r].alias.as_ref().filter(|_| qualify && !shared);
                    columns.push(match qualifier {
                        Some(alias) => format!("{}.{}", alias.span.text(cx.text), quote(&name)),
                        None => quote(&name),
                    });
                }
            }
            if known && !columns.is_empty() {
                // One per line when the `*` starts its line, else on the `*`'s line.
                let list = match line_indent(cx.text, item.span.start as usize) {
                    Some(indent) => columns.join(&format!(",\n{indent}")),
                    None => columns.join(", "),
                };
                diagnostic = diagnostic.with_fix(
                    // The model stops following its upstream's columns.
                    Fix::local("Expand `*` into the column list", vec![(item.span, list)])
                        .with_applicability(Applicability::Unsafe),
                );
            }
            out.push(diagnostic);
        }
    });
}

/// A column name as SQL: bare when it is a plain lowercase identifier, else double-quoted.
fn quote(name: &str) -> String {
    let bare = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if bare { name.to_string() } else { format!("\"{}\"", name.replace('"', "\"\"")) }
}

/// The indentation before `offset` when only spaces precede it on its line.
fn line_indent(text: &str, offset: usize) -> Option<&str> {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[start..offset];
    before.chars().all(|c| c == ' ' || c == '\t').then_some(before)
}
