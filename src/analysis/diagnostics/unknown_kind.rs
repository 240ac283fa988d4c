//! A model `kind` that SQLMesh does not know, in a MODEL block or a Python model's decorator.
//!
//! **Why:** SQLMesh refuses to load the model ("Model kind specified as 'X', but that is not a
//! valid model kind"). Kind names are case-insensitive.
//!
//! **Example:** `kind INCREMENTAL_BY_TIME (time_column ds)`, `kind="FULLL"`.
//!
//! **Fix:** the kind it resembles, one of `INCREMENTAL_BY_TIME_RANGE`,
//! `INCREMENTAL_BY_UNIQUE_KEY`, `INCREMENTAL_BY_PARTITION`, `INCREMENTAL_UNMANAGED`, `FULL`,
//! `VIEW`, `EMBEDDED`, `SEED`, `SCD_TYPE_2_BY_TIME`, `SCD_TYPE_2_BY_COLUMN`, `EXTERNAL`,
//! `CUSTOM`, `MANAGED`.

use super::did_you_mean::{closest, in_case_of};
use super::{Context, Rule};
use crate::syntax::sqlmesh::{MODEL_KINDS, kind};
use crate::syntax::{Applicability, Diagnostic, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "unknown-kind",
    summary: "a model kind SQLMesh does not know",
    default: Some(Severity::Error),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (name, span, python) = if let Some(file) = cx.sql() {
        let Some(kind) = file.kind() else { return };
        (kind.name.value, kind.name.span, false)
    } else if let Some(model) = cx.python() {
        let Some(kind) = &model.kind else { return };
        (kind.name.value.clone(), kind.name.span, true)
    } else {
        return;
    };
    if kind(&name).is_some() {
        return;
    }
    // The name as written, without quotes or `ModelKindName.`.
    let written = span.text(cx.text);
    let shown = written.trim_matches(|c| c == '\'' || c == '"');
    let shown = shown.rsplit_once('.').map_or(shown, |(_, member)| member);
    let mut diagnostic = Diagnostic::error(RULE.code, span, format!("unknown model kind `{shown}`"));
    let candidates = MODEL_KINDS.iter().filter(|k| !python || k.python_models).map(|k| k.name);
    if let Some(suggestion) = closest(&name, candidates) {
        diagnostic.message.push_str(&format!("; did you mean `{suggestion}`?"));
        let replacement = replacement(written, suggestion);
        diagnostic = diagnostic.with_fix(
            Fix::local(format!("Change to `{suggestion}`"), vec![(span, replacement)])
                .with_applicability(Applicability::Unsafe),
        );
    }
    out.push(diagnostic);
}

/// `kind` written the way `written` is: inside its quotes, after `ModelKindName.`, or bare in
/// the same case.
fn replacement(written: &str, kind: &str) -> String {
    if let Some(quote) = written.chars().last().filter(|c| *c == '\'' || *c == '"') {
        let open = written.find(quote).unwrap_or(0);
        let inner = &written[open + 1..written.len() - 1];
        return format!("{}{}{quote}", &written[..=open], in_case_of(inner, kind));
    }
    match written.rsplit_once('.') {
        Some((owner, _)) => format!("{owner}.{kind}"),
        None => in_case_of(written, kind),
    }
}

#[cfg(test)]
mod tests {
    use super::replacement;

    #[test]
    fn keeps_how_the_kind_is_written() {
        assert_eq!(replacement("FULLL", "FULL"), "FULL");
        assert_eq!(replacement("fulll", "FULL"), "full");
        assert_eq!(replacement("'fulll'", "FULL"), "'full'");
        assert_eq!(replacement("\"FULLL\"", "FULL"), "\"FULL\"");
        assert_eq!(replacement("ModelKindName.FULLL", "FULL"), "ModelKindName.FULL");
    }
}
