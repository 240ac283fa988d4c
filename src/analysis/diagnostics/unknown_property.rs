//! A property SQLMesh does not accept where it is written: in the MODEL block, or inside a
//! kind's parentheses.
//!
//! **Why:** SQLMesh refuses to load the model ("Invalid field name present in the MODEL
//! block"). A kind accepts only its own properties: `time_column` belongs to
//! `INCREMENTAL_BY_TIME_RANGE`, `unique_key` to `INCREMENTAL_BY_UNIQUE_KEY` and the SCD kinds;
//! `FULL`, `EMBEDDED`, `EXTERNAL` and `MANAGED` take none. A MODEL property such as `cron` is
//! not a kind property, nor the other way around.
//!
//! **Example:** `ownr 'data-team'`, `kind FULL (time_column ds)`,
//! `kind INCREMENTAL_BY_TIME_RANGE (time_colum ds)`.
//!
//! **Fix:** the property it resembles (`owner`, `time_column`); a kind property moves inside
//! the right kind's parentheses.

use super::did_you_mean::{closest, in_case_of};
use super::{Context, Rule};
use crate::syntax::block::Property;
use crate::syntax::sqlmesh::{MODEL_KINDS, MODEL_PROPERTIES, kind, model_property};
use crate::syntax::{Applicability, Diagnostic, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "unknown-property",
    summary: "a property the MODEL block or the model's kind does not accept",
    default: Some(Severity::Error),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(file) = cx.sql() else { return };
    let Some(block) = &file.block else { return };
    let model_kind = file.kind();
    let spec = model_kind.as_ref().and_then(|k| kind(&k.name.value));
    for property in &block.properties {
        let key = &property.key.value;
        if model_property(key).is_some() || key.starts_with('@') {
            continue;
        }
        let accepting = kinds_accepting(key);
        let message = if let Some(kind) = spec.filter(|k| k.property(key).is_some()) {
            format!("`{key}` is a property of kind {0}: write it inside `kind {0} (...)`", kind.name)
        } else if !accepting.is_empty() {
            format!("`{key}` is not a MODEL property: it is a property of kind {}", list(&accepting))
        } else if key.eq_ignore_ascii_case("default_catalog") {
            "`default_catalog` cannot be set per model: it comes from the gateway's connection".to_string()
        } else {
            let names = MODEL_PROPERTIES.iter().flat_map(|p| std::iter::once(p.name).chain(p.aliases.iter().copied()));
            out.push(unknown(cx, property, "a MODEL property", closest(key, names)));
            continue;
        };
        out.push(Diagnostic::error(RULE.code, property.key.span, message));
    }
    let (Some(model_kind), Some(spec)) = (model_kind, spec) else { return };
    for property in &model_kind.properties {
        let key = &property.key.value;
        if spec.property(key).is_some() {
            continue;
        }
        let accepting: Vec<&str> = kinds_accepting(key).into_iter().filter(|k| *k != spec.name).collect();
        let message = if spec.properties.is_empty() {
            let belongs = if accepting.is_empty() {
                String::new()
            } else {
                format!("; `{key}` is a property of kind {}", list(&accepting))
            };
            format!("kind {} takes no properties{belongs}", spec.name)
        } else if !accepting.is_empty() {
            format!("`{key}` is not a property of kind {}: it is a property of kind {}", spec.name, list(&accepting))
        } else if model_property(key).is_some() {
            format!(
                "`{key}` is a MODEL property, not a property of the kind: write it outside `kind {} (...)`",
                spec.name
            )
        } else {
            let names = spec.properties.iter().map(|p| p.name);
            out.push(unknown(cx, property, &format!("a property of kind {}", spec.name), closest(key, names)));
            continue;
        };
        out.push(Diagnostic::error(RULE.code, property.key.span, message));
    }
}

/// An unknown key, with the known one it resembles as a fix.
fn unknown(cx: &Context, property: &Property, what: &str, suggestion: Option<&str>) -> Diagnostic {
    let key = &property.key;
    let mut diagnostic = Diagnostic::error(RULE.code, key.span, format!("`{}` is not {what}", key.value));
    if let Some(suggestion) = suggestion {
        diagnostic.message.push_str(&format!("; did you mean `{suggestion}`?"));
        let replacement = in_case_of(key.span.text(cx.text), suggestion);
        let title = format!("Change to `{replacement}`");
        diagnostic = diagnostic
            .with_fix(Fix::local(title, vec![(key.span, replacement)]).with_applicability(Applicability::Unsafe));
    }
    diagnostic
}

/// The kinds (not their legacy aliases) that accept a property called `key`.
fn kinds_accepting(key: &str) -> Vec<&'static str> {
    MODEL_KINDS.iter().filter(|k| k.alias_of.is_none() && k.property(key).is_some()).map(|k| k.name).collect()
}

/// `A`, `A or B`, `A, B or C`, and `A, B, C, ...` beyond three.
fn list(kinds: &[&str]) -> String {
    match kinds {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] if kinds.len() <= 3 => format!("{} or {last}", init.join(", ")),
        _ => format!("{}, ...", kinds[..3].join(", ")),
    }
}
