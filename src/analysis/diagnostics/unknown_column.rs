//! A column reference that no relation in scope has.
//!
//! **Why:** the warehouse rejects the query when the model runs, and whatever reads this
//! model fails with it. It is reported only when the schema of every relation involved is
//! known (declared columns, external models with columns, or upstream queries meshls could
//! resolve), so an unknown schema never produces a false alarm. Editing a column out of an
//! upstream model updates this diagnostic in its open consumers.
//!
//! **Example:** `SELECT o.order_total FROM shop.orders AS o`, where `shop.orders` has
//! `order_id, customer_id, amount`.
//!
//! **Fix:** use a column the relation has; when one is close, the quick fix renames the
//! reference to it.

use super::column_refs::{each_reference, is_keyword_argument, is_niladic_function};
use super::did_you_mean::closest;
use super::{Context, Rule};
use crate::project::lineage::RefTarget;
use crate::syntax::{Diagnostic, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "unknown-column",
    summary: "a column that no relation in scope has",
    default: Some(Severity::Error),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    each_reference(cx, |resolver, select, reference, target| {
        let Some(last) = reference.parts.last() else { return };
        let (relations, name) = match target {
            RefTarget::Missing if !select.sources.is_empty() && !is_niladic_function(&last.text) => {
                ((0..select.sources.len()).collect::<Vec<_>>(), resolver.normalize(&reference.parts[0]))
            }
            RefTarget::Column { relation, name } => (vec![relation], name),
            _ => return,
        };
        let mut candidates = Vec::new();
        for &r in &relations {
            match resolver.relation_columns(&select.sources[r]) {
                Some(columns) => candidates.extend(columns.into_iter().map(|(n, _)| n)),
                None => return,
            }
        }
        // A name equal but for case is left alone: under a case-sensitive normalization
        // strategy (`tsql,normalization_strategy=case_sensitive`) the warehouse may still
        // resolve identifiers case-insensitively, as T-SQL's default collation does.
        let known = candidates.iter().any(|c| c.eq_ignore_ascii_case(&name));
        if known || is_keyword_argument(cx.text, reference.parts[0].span.start as usize) {
            return;
        }
        // The part that names the column: after the qualifier, or the first one.
        let part = if relations.len() == 1 && reference.parts.len() >= 2 {
            reference.parts.iter().find(|p| resolver.normalize(p) == name).unwrap_or(last)
        } else {
            &reference.parts[0]
        };
        let owner = match relations.as_slice() {
            [r] => select.sources[*r]
                .alias
                .as_ref()
                .map_or_else(|| "the relation".to_string(), |a| format!("`{}`", a.text)),
            _ => "any relation in scope".to_string(),
        };
        let mut diagnostic =
            Diagnostic::error(RULE.code, part.span, format!("`{}` is not a column of {owner}", part.text));
        if let Some(suggestion) = closest(&name, candidates.iter().map(String::as_str)) {
            diagnostic.message.push_str(&format!("; did you mean `{suggestion}`?"));
            diagnostic = diagnostic.with_fix(guess(Fix::local(
                format!("Change to `{suggestion}`"),
                vec![(part.span, suggestion.to_string())],
            )));
        }
        out.push(diagnostic);
    });
}

/// A fix that guesses the user's intent: offered in the editor, not applied by `check --fix`.
fn guess(fix: Fix) -> Fix {
    fix.with_applicability(crate::syntax::Applicability::Unsafe)
}
