//! A `cron` (or a kind's `auto_restatement_cron`) that SQLMesh rejects: neither one of its
//! aliases (`@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`, `@annually`, `@midnight`)
//! nor a cron expression croniter reads, or a schedule running more often than every five
//! minutes, or one that never runs (`0 0 31 2 *`).
//!
//! **Why:** SQLMesh fails to load the project. croniter's syntax is not every cron's: the
//! seconds come *after* the day of week (`0 6 * * * 30`), 0 and 7 are both Sunday, the last
//! Friday is `L5` (not `5L`), and `H` is not available. An alias written without quotes
//! (`cron @daily`) is read as a macro variable.
//!
//! **Example:** `cron '@dayly'`, `cron 'daily'`, `cron '0 24 * * *'`, `cron '*/2 * * * *'`.
//!
//! **Fix:** the alias it resembles, or a five-field cron such as `'0 6 * * 1-5'` (06:00 on
//! weekdays), as a string.

use super::did_you_mean::closest;
use super::values::settings;
use super::{Context, Rule};
use crate::syntax::cron::{CronError, check_cron};
use crate::syntax::sqlmesh::CRON_ALIASES;
use crate::syntax::{Applicability, Diagnostic, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "invalid-cron",
    summary: "a cron that is neither a cron alias nor a valid cron expression",
    default: Some(Severity::Error),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for setting in settings(cx, &["cron", "auto_restatement_cron"]) {
        let value = &setting.value;
        let span = value.span();
        let key = setting.key;
        if let Some(name) = value.macro_text() {
            // `cron @daily` reads the macro variable `daily`; only a project variable makes that work.
            let variable = name.trim_start_matches('@').to_ascii_lowercase();
            let defined = cx.project.settings.variables.iter().any(|(k, _)| *k == variable);
            if let Some(alias) = alias_meant(name).filter(|_| !defined) {
                let literal = value.string_literal(cx.text, alias);
                let message = format!(
                    "`{key} {name}` reads the macro variable `{variable}`, which the project does not define: \
                     write the cron alias as a string, {literal}"
                );
                out.push(
                    Diagnostic::error(RULE.code, span, message)
                        .with_fix(Fix::local(format!("Change to {literal}"), vec![(span, literal)])),
                );
            }
            continue;
        }
        if value.is_unquoted_run() {
            let text = span.text(cx.text).to_string();
            let literal = value.string_literal(cx.text, &text);
            let message = format!("a {key} must be a string: write {literal}");
            let mut diagnostic = Diagnostic::error(RULE.code, span, message);
            if check_cron(&text).is_ok() {
                diagnostic = diagnostic.with_fix(Fix::local(format!("Quote `{text}`"), vec![(span, literal)]));
            }
            out.push(diagnostic);
            continue;
        }
        let Some(text) = value.text() else { continue };
        let Err(error) = check_cron(&text) else { continue };
        let word = text.trim();
        let alias_like = !word.is_empty()
            && !word.contains(char::is_whitespace)
            && (word.starts_with('@') || word.chars().all(|c| c.is_ascii_alphabetic()));
        let message = match &error {
            CronError::Invalid(_) if alias_like => format!("`{text}` is not a cron alias"),
            CronError::Invalid(why) => format!("`{text}` is not a cron SQLMesh accepts: {why}"),
            _ => format!("SQLMesh rejects the {key} `{text}`: {error}"),
        };
        let mut diagnostic = Diagnostic::error(RULE.code, span, message);
        if matches!(error, CronError::Invalid(_))
            && let Some(alias) = alias_meant(&text)
        {
            diagnostic.message.push_str(&format!("; did you mean `{alias}`?"));
            let literal = value.string_literal(cx.text, alias);
            // The alias written without its `@` or in another case is certain; a misspelling's
            // closest alias is a guess.
            let exact = format!("@{}", word.trim_start_matches('@')).eq_ignore_ascii_case(alias);
            let applicability = if exact { Applicability::Safe } else { Applicability::Unsafe };
            let fix = Fix::local(format!("Change to `{alias}`"), vec![(span, literal)]);
            diagnostic = diagnostic.with_fix(fix.with_applicability(applicability));
        }
        out.push(diagnostic);
    }
}

/// The cron alias a single word misspells or misses the `@` of (`@dayly`, `daily`, `@daily `).
fn alias_meant(text: &str) -> Option<&'static str> {
    let word = text.trim().to_ascii_lowercase();
    if word.contains(char::is_whitespace) {
        return None;
    }
    let word = format!("@{}", word.trim_start_matches('@'));
    let aliases = CRON_ALIASES.iter().map(|(alias, _)| *alias);
    aliases.clone().find(|alias| *alias == word).or_else(|| closest(&word, aliases))
}
