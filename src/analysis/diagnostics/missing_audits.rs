//! A model without audits: none in its MODEL block or `@model` decorator, none defined inline
//! in its file, none from `model_defaults`. Off by default, as in SQLMesh.
//!
//! **Why:** audits are the checks SQLMesh runs on a model's data after each run (`not_null`,
//! `unique_values`, `accepted_range`, your own SQL audits); a model without one is never
//! checked. External and embedded models are not materialized and need none. SQLMesh's rule
//! for this is `nomissingaudits`.
//!
//! **Example:** `MODEL (name shop.orders, kind FULL)` with no `audits (...)`.
//!
//! **Fix:** add `audits (not_null(columns := (order_id)), unique_values(columns :=
//! (order_id)))` or audits of your own.

use super::{Context, Rule};
use crate::syntax::Diagnostic;
use crate::syntax::config::ConfigValue;

pub const RULE: Rule = Rule {
    code: "missing-audits",
    summary: "a model without audits",
    default: None,
    sqlmesh: Some("nomissingaudits"),
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(model) = cx.model() else { return };
    if matches!(model.kind.as_str(), "EXTERNAL" | "EMBEDDED") || has_audits(cx) {
        return;
    }
    let message = format!("model `{}` has no audits: nothing checks its data after a run", model.name);
    out.push(Diagnostic::warning(RULE.code, model.name_span, message));
}

/// Whether the model has an audit: its own, an inline one or a default one.
pub(super) fn has_audits(cx: &Context) -> bool {
    let own = cx.model().is_some_and(|m| !m.audits.is_empty());
    own || inline_audits(cx) || !default_audits(cx).is_empty()
}

/// The audits `model_defaults` gives every model, as written (`not_null(columns := [id])`).
pub(super) fn default_audits(cx: &Context) -> Vec<String> {
    let defaults = &cx.project.settings.config.model_defaults.other;
    let Some((_, value)) = defaults.iter().find(|(k, _)| k.eq_ignore_ascii_case("audits")) else { return Vec::new() };
    let items = match value {
        ConfigValue::List(items) => items.iter().collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .filter_map(|v| match v {
            ConfigValue::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// Whether the model file defines audits of its own (`AUDIT (name ...); SELECT ...` after the
/// query), which SQLMesh runs on the model without their being listed.
fn inline_audits(cx: &Context) -> bool {
    let Some(file) = cx.sql() else { return false };
    file.statements.iter().any(|s| {
        let text = s.span.text(cx.text);
        text.get(..5).is_some_and(|w| w.eq_ignore_ascii_case("audit")) && text[5..].trim_start().starts_with('(')
    })
}
