//! An incremental model whose query reads the interval, with no `start`, neither its own nor
//! one from `model_defaults`: an `INCREMENTAL_BY_TIME_RANGE` model, or another incremental
//! kind (`INCREMENTAL_BY_UNIQUE_KEY`, `INCREMENTAL_BY_PARTITION`, `INCREMENTAL_UNMANAGED`, the
//! `SCD_TYPE_2` kinds) whose query uses an interval macro (`@start_ds`, `@end_ts`, ...).
//!
//! **Why:** the start is where the model's history begins. Without one SQLMesh infers it anew
//! at every plan: the earliest start of the model's upstream models, or, when none of them has
//! one, the beginning of the last complete interval of the model's cron (yesterday for
//! `@daily`, the previous hour for `@hourly`). A query that reads only its interval then
//! backfills a single interval, or whatever history the upstream models happen to have; and a
//! date inferred from the cron moves forward with every plan. A query that reads its sources
//! whole (most `INCREMENTAL_BY_UNIQUE_KEY` and `SCD_TYPE_2` models) loses nothing, and is not
//! reported. A `start` that is written but not statically known (imported, computed, a macro)
//! is not missing.
//!
//! **Example:** `MODEL (name shop.orders, kind INCREMENTAL_BY_TIME_RANGE (time_column
//! order_date))` in a project whose `model_defaults` has no `start`.
//!
//! **Fix:** add `start '2024-01-01'` (the first date the model should hold) to the MODEL
//! block or the `@model` decorator, or a `start` to `model_defaults` for every model.

use super::edits::after_entry;
use super::{Context, Rule};
use crate::syntax::python::literal::kwarg;
use crate::syntax::{Applicability, Diagnostic, Edit, Fix, Severity, Span, sqlmesh};

pub const RULE: Rule = Rule {
    code: "missing-start",
    summary: "an incremental model without a start date",
    default: Some(Severity::Warning),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(model) = cx.model() else { return };
    if model.start.is_some() || !sqlmesh::kind(&model.kind).is_some_and(|k| k.incremental) {
        return;
    }
    // A `start` that is written but not statically known (`start=start_of(...)`, a constant
    // imported from a module meshls does not follow, `start @var`) is not missing.
    let written = cx.sql().is_some_and(|f| f.property("start").is_some())
        || cx.python().is_some_and(|p| kwarg(&p.args, "start").is_some());
    if written {
        cx.could_not_read("the `start` value");
        return;
    }
    // `model_defaults` may hold a `start` meshls could not read.
    if cx.project.settings.config.partial {
        cx.could_not_read("the config's `model_defaults`");
        return;
    }
    if model.kind != "INCREMENTAL_BY_TIME_RANGE" && !reads_interval(cx) {
        return;
    }
    let message = format!("{} model without a `start`", model.kind);
    let (span, insert) = if let Some(file) = cx.sql() {
        let kind = file.property("kind");
        let span = file.kind().map_or(model.name_span, |k| k.name.span);
        (
            span,
            kind.map(|p| {
                after_entry(cx.text, p.key.span.start as usize, p.span.end as usize, "start '${1:2024-01-01}'")
            }),
        )
    } else if let Some(python) = cx.python() {
        let span = python.kind.as_ref().map_or(model.name_span, |k| k.name.span);
        // After `kind=...`, else after the first argument; only where the value is written inside
        // the decorator (a constant's value may be defined elsewhere).
        let anchor = kwarg(&python.args, "kind").or(python.args.first());
        let insert = anchor.filter(|a| python.decorator.contains(a.value.span.end as usize)).map(|a| {
            let start = a.name.as_ref().map_or(a.value.span.start, |n| n.span.start) as usize;
            after_entry(cx.text, start, a.value.span.end as usize, "start=\"${1:2024-01-01}\"")
        });
        (span, insert)
    } else {
        return;
    };
    let mut diagnostic = Diagnostic::warning(RULE.code, span, message);
    if let Some((at, new_text)) = insert {
        diagnostic = diagnostic.with_fix(Fix {
            title: "Add a start date".to_string(),
            edits: vec![Edit { path: None, span: Span::at(at), new_text }],
            applicability: Applicability::DisplayOnly,
            snippet: true,
        });
    }
    out.push(diagnostic);
}

/// Whether a SQL model's query uses an interval macro (`@start_ds`, `@end_ts`, `@start_date`).
fn reads_interval(cx: &Context) -> bool {
    let Some(statement) = cx.sql().and_then(|f| f.query_statement()) else { return false };
    let text = statement.span.text(cx.text).to_ascii_lowercase();
    ["@start_", "@end_", "@{start_", "@{end_"].iter().any(|m| text.contains(m))
}
