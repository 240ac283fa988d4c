//! An unqualified column reference that several relations in scope have.
//!
//! **Why:** the warehouse rejects the query ("ambiguous column"), and SQLMesh cannot trace
//! the column's lineage: it is dropped from `column_dependencies`. A name in a `USING`
//! list, or one that is also an output alias of the same SELECT, is not ambiguous.
//!
//! **Example:** `SELECT id FROM shop.orders AS o JOIN shop.customers AS c ON ...`, where
//! both have `id`.
//!
//! **Fix:** qualify it with the relation it is meant to read; the quick fixes offer each.

use super::Context;
use super::Rule;
use super::column_refs::each_reference;
use crate::project::lineage::RefTarget;
use crate::syntax::{Diagnostic, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "ambiguous-column",
    summary: "an unqualified column that several relations in scope have",
    default: Some(Severity::Error),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    each_reference(cx, |_, select, reference, target| {
        let RefTarget::Ambiguous(relations) = target else { return };
        if select.natural || reference.parts.len() != 1 {
            return;
        }
        let part = &reference.parts[0];
        let aliases: Vec<&str> =
            relations.iter().filter_map(|&r| select.sources[r].alias.as_ref()).map(|a| a.text.as_str()).collect();
        let quoted: Vec<String> = aliases.iter().map(|a| format!("`{a}`")).collect();
        let listed = match quoted.as_slice() {
            [a, b] => format!("both {a} and {b} have it"),
            _ => format!("{} all have it", quoted.join(", ")),
        };
        let mut diagnostic = Diagnostic::error(RULE.code, part.span, format!("`{}` is ambiguous: {listed}", part.text));
        // One quick fix per relation; the first carries it (a diagnostic holds one fix).
        if let Some(first) = aliases.first() {
            let written = part.span.text(cx.text);
            diagnostic = diagnostic.with_fix(guess(Fix::local(
                format!("Qualify as `{first}.{written}`"),
                vec![(part.span, format!("{first}.{written}"))],
            )));
        }
        out.push(diagnostic);
    });
}

/// A fix that guesses the user's intent: offered in the editor, not applied by `check --fix`.
fn guess(fix: Fix) -> Fix {
    fix.with_applicability(crate::syntax::Applicability::Unsafe)
}
