//! A MODEL block or kind property whose value has the wrong shape: a boolean that is not one,
//! a count that is not a positive integer, a dialect, interval unit or option SQLMesh does not
//! know, a model name written as a string.
//!
//! **Why:** most of these stop the project from loading. Booleans are worse: SQLMesh reads
//! anything but `true`, `1`, `t`, `y`, `yes` and `on` as *false*, so `enabled ture` silently
//! disables the model. Dialect names are case-sensitive (`dialect DuckDB` fails to parse).
//! `cron`, `start`, `end` and `kind` have rules of their own.
//!
//! **Example:** `enabled ture`, `dialect duckdbb`, `interval_unit 'days'`,
//! `kind INCREMENTAL_BY_TIME_RANGE (time_column ds, batch_size '10')`, `name 'shop.orders'`.
//!
//! **Fix:** the value it resembles (`true`, `duckdb`, `day`), the number without quotes, the
//! name without quotes.

use super::did_you_mean::{closest, in_case_of};
use super::{Context, Rule};
use crate::syntax::block::{Property, ValueKind, Values};
use crate::syntax::sqlmesh::{
    DIALECTS, FALSE_WORDS, INTERVAL_UNITS, PropertySpec, TRUE_WORDS, ValueShape, kind, model_property,
};
use crate::syntax::{Applicability, Diagnostic, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "invalid-property-value",
    summary: "a property value of the wrong shape (boolean, number, dialect, interval unit, option)",
    default: Some(Severity::Error),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(file) = cx.sql() else { return };
    let Some(block) = &file.block else { return };
    for property in &block.properties {
        if let Some(spec) = model_property(&property.key.value) {
            check_value(cx, property, spec, out);
        }
    }
    let Some(model_kind) = file.kind() else { return };
    let Some(kind_spec) = kind(&model_kind.name.value) else { return };
    for property in &model_kind.properties {
        if let Some(spec) = kind_spec.property(&property.key.value) {
            check_value(cx, property, spec, out);
        }
    }
}

/// A single written value: its text (a string's content, a number, a bare word) and whether
/// it was a string literal.
fn single(values: &Values) -> Option<(String, bool)> {
    match &values.single()?.kind {
        ValueKind::Str(s) => Some((s.clone(), true)),
        ValueKind::Number(n) => Some((n.clone(), false)),
        ValueKind::Name(parts) if parts.len() == 1 => Some((parts[0].text.clone(), false)),
        _ => None,
    }
}

fn check_value(cx: &Context, property: &Property, spec: &PropertySpec, out: &mut Vec<Diagnostic>) {
    let key = spec.name;
    let value = &property.value;
    let span = value.span;
    // A macro's value is known only when SQLMesh renders it.
    let is_macro = |kind: &ValueKind| match kind {
        ValueKind::Macro(_) => true,
        ValueKind::Call { name, .. } | ValueKind::Name(name) => name.iter().any(|p| p.text.contains('@')),
        _ => false,
    };
    if value.atoms.is_empty() || value.atoms.iter().any(|a| is_macro(&a.kind)) {
        return;
    }
    let error = |message: String| Diagnostic::error(RULE.code, span, message);
    let with_fix = |diagnostic: Diagnostic, title: String, replacement: String| {
        diagnostic.with_fix(Fix::local(title, vec![(span, replacement)]))
    };
    // A "did you mean" is a guess at what the user meant.
    let with_guess = |diagnostic: Diagnostic, title: String, replacement: String| {
        let fix = Fix::local(title, vec![(span, replacement)]).with_applicability(Applicability::Unsafe);
        diagnostic.with_fix(fix)
    };
    let literal =
        |text: &str, string: bool| if string { format!("'{}'", text.replace('\'', "''")) } else { text.to_string() };
    match spec.shape {
        ValueShape::Bool => {
            let Some((text, _)) = single(value) else { return };
            let lower = text.to_ascii_lowercase();
            if TRUE_WORDS.contains(&lower.as_str()) || FALSE_WORDS.contains(&lower.as_str()) {
                return;
            }
            let diagnostic = error(format!("{key} `{text}` is not a boolean: SQLMesh reads it as false"));
            out.push(match closest(&text, ["true", "false"]) {
                Some(meant) => {
                    let replacement = in_case_of(&text, meant);
                    let mut diagnostic = diagnostic;
                    diagnostic.message.push_str(&format!("; did you mean `{meant}`?"));
                    with_guess(diagnostic, format!("Change to `{replacement}`"), replacement)
                }
                None => diagnostic,
            });
        }
        ValueShape::Integer => {
            let single = single(value);
            let positive = |t: &str| t.bytes().all(|b| b.is_ascii_digit()) && t.bytes().any(|b| b != b'0');
            match single {
                Some((text, false)) if positive(&text) => {}
                Some((text, true)) if positive(&text) => out.push(with_fix(
                    error(format!("{key} must be a number, not the string '{text}'")),
                    format!("Change to {text}"),
                    text,
                )),
                _ => out.push(error(format!("{key} must be a positive integer, not `{}`", span.text(cx.text)))),
            }
        }
        ValueShape::Dialect => {
            let Some((text, string)) = single(value) else { return };
            let base = text.split(',').next().unwrap_or_default().trim();
            if base.is_empty() || DIALECTS.iter().any(|d| d.name == base) {
                return;
            }
            let (message, meant, sure) = match DIALECTS.iter().find(|d| d.name.eq_ignore_ascii_case(base)) {
                Some(d) => (
                    format!("dialect names are case-sensitive: SQLMesh knows `{}`, not `{base}`", d.name),
                    Some(d.name),
                    true,
                ),
                None => {
                    let meant = closest(base, DIALECTS.iter().map(|d| d.name));
                    let hint = meant.map(|m| format!("; did you mean `{m}`?")).unwrap_or_default();
                    (format!("unknown dialect `{base}`{hint}"), meant, false)
                }
            };
            let diagnostic = error(message);
            out.push(match meant {
                Some(meant) => {
                    let replacement = literal(&text.replacen(base, meant, 1), string);
                    let title = format!("Change to `{meant}`");
                    if sure {
                        with_fix(diagnostic, title, replacement)
                    } else {
                        with_guess(diagnostic, title, replacement)
                    }
                }
                None => diagnostic,
            });
        }
        ValueShape::IntervalUnit | ValueShape::Enum(_) => {
            let Some((text, string)) = single(value) else { return };
            let options: &[&str] = match spec.shape {
                ValueShape::Enum(options) => options,
                _ => INTERVAL_UNITS,
            };
            if options.iter().any(|o| o.eq_ignore_ascii_case(&text)) {
                return;
            }
            let meant = closest(&text, options.iter().copied());
            let hint = meant.map(|m| format!("; did you mean `{m}`?")).unwrap_or_default();
            let diagnostic = error(format!("{key} `{text}` is not one of {}{hint}", options.join(", ")));
            out.push(match meant {
                Some(meant) => with_guess(diagnostic, format!("Change to `{meant}`"), literal(meant, string)),
                None => diagnostic,
            });
        }
        ValueShape::ModelName => {
            let Some(ValueKind::Str(text)) = value.single().map(|v| &v.kind) else { return };
            let diagnostic = error(format!("a model name is an identifier, not a string: write {text} without quotes"));
            let plain = |part: &str| {
                part.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            };
            out.push(if text.split('.').all(plain) {
                with_fix(diagnostic, format!("Change to {text}"), text.clone())
            } else {
                diagnostic
            });
        }
        _ => {}
    }
}
