//! A `start` or `end` that SQLMesh cannot read as a date, or reads as a date nobody means.
//!
//! **Why:** SQLMesh reads a number as an eight-digit `YYYYMMDD` date, else as *milliseconds*
//! since 1970, and any other text with `dateparser`. So `'2024-02-30'` and `'yesterdy'` stop
//! the project from loading, while `2024`, `20240230` and the epoch seconds `1704067200` all
//! quietly mean a day in January 1970, and a backfill from there. A date written without quotes
//! (`start 2024-01-01`) does not parse at all.
//!
//! meshls reads ISO dates and timestamps, numbers and English relative phrases (`1 week ago`,
//! `yesterday`, `in 2 days`); other text (`Jan 1 2024`, `hier`) is left to SQLMesh.
//!
//! **Example:** `start '2024-02-30'`, `end 'tomorow'`, `start 1704067200`, `start 2024-01-01`.
//!
//! **Fix:** a date that exists, as a string: `start '2024-01-01'`, `'1 week ago'`, or epoch
//! milliseconds (`1704067200000`).

use super::values::{Written, settings};
use super::{Context, Rule};
use crate::syntax::block::ValueKind;
use crate::syntax::date::{DateReading, read_date};
use crate::syntax::{Applicability, Diagnostic, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "invalid-date",
    summary: "a start or end that is not a date SQLMesh can read",
    default: Some(Severity::Error),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for setting in settings(cx, &["start", "end"]) {
        let (key, value) = (setting.key, &setting.value);
        let span = value.span();
        if value.is_unquoted_run() {
            out.push(unquoted(cx, key, value));
            continue;
        }
        let Some(text) = value.text() else { continue };
        let (why, meant, sure) = match read_date(&text) {
            DateReading::Unreadable { why, meant } => (why, meant, true),
            DateReading::Misread { why, meant, sure, .. } => (why, meant, sure),
            _ => continue,
        };
        let mut message = format!("{key} `{text}`: {why}");
        let Some(meant) = meant else {
            out.push(Diagnostic::error(RULE.code, span, message));
            continue;
        };
        message.push_str(&format!("; did you mean `{meant}`?"));
        let replacement = if value.is_number(cx.text) && meant.bytes().all(|b| b.is_ascii_digit()) {
            meant.clone()
        } else {
            value.string_literal(cx.text, &meant)
        };
        let applicability = if sure { Applicability::Safe } else { Applicability::Unsafe };
        let fix =
            Fix::local(format!("Change to {replacement}"), vec![(span, replacement)]).with_applicability(applicability);
        out.push(Diagnostic::error(RULE.code, span, message).with_fix(fix));
    }
}

/// `start 2024-01-01`: several atoms where SQLMesh reads one; the fix quotes them (or keeps
/// the string of `DATE '2024-01-01'`).
fn unquoted(cx: &Context, key: &str, value: &Written) -> Diagnostic {
    let span = value.span();
    let text = match value {
        Written::Block(values) => match values.atoms.as_slice() {
            [keyword, string] if matches!(keyword.kind, ValueKind::Name(_)) => match &string.kind {
                ValueKind::Str(s) => s.clone(),
                _ => span.text(cx.text).to_string(),
            },
            _ => span.text(cx.text).to_string(),
        },
        Written::Python(literal) => literal.value.clone(),
    };
    let literal = value.string_literal(cx.text, &text);
    let message = format!("a {key} must be a single value: write {literal}");
    let diagnostic = Diagnostic::error(RULE.code, span, message);
    match read_date(&text) {
        DateReading::Absolute(_) | DateReading::Relative => {
            diagnostic.with_fix(Fix::local(format!("Change to {literal}"), vec![(span, literal.clone())]))
        }
        _ => diagnostic,
    }
}
