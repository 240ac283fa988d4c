//! An `end` before the model's `start` (its own, or `model_defaults.start` of the config),
//! when both are fixed dates.
//!
//! **Why:** SQLMesh refuses to load the model ("Start date / time can't be greater than end
//! date / time"). Relative dates (`1 week ago`) are not compared: their order can depend on
//! the day the project loads.
//!
//! **Example:** `start '2024-06-01', end '2024-01-01'`.
//!
//! **Fix:** swap them, or correct the one that is wrong.

use super::values::settings;
use super::{Context, Rule};
use crate::project::workspace::CONFIG_FILES;
use crate::syntax::date::{DateReading, format_ms, read_date};
use crate::syntax::{Diagnostic, Related, Severity};
use std::path::PathBuf;

pub const RULE: Rule = Rule {
    code: "end-before-start",
    summary: "an end date before the start date",
    default: Some(Severity::Error),
    sqlmesh: None,
    check,
};

/// The point in time SQLMesh reads, when it is fixed.
fn fixed(text: &str) -> Option<i64> {
    match read_date(text) {
        DateReading::Absolute(ms) | DateReading::Misread { at: ms, .. } => Some(ms),
        _ => None,
    }
}

/// A value and the date it stands for, when that is not how it is written.
fn shown(text: &str, at: i64) -> String {
    let date = format_ms(at);
    if date == text.trim() { format!("`{text}`") } else { format!("`{text}` ({date})") }
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    // Models only: an audit file's blocks each have their own dates.
    if cx.model().is_none() {
        return;
    }
    let found = settings(cx, &["start", "end"]);
    let value = |key: &str| found.iter().find(|s| s.key == key).map(|s| &s.value);
    let Some(end) = value("end") else { return };
    let Some(end_text) = end.text() else { return };
    let Some(end_at) = fixed(&end_text) else { return };
    // Where the start is: this file, or the config's model_defaults.
    let (start_text, start_span, start_path) = match value("start") {
        Some(start) => (start.text(), start.span(), cx.file.facts.path.clone()),
        None => {
            let Some(default) = &cx.project.settings.config.model_defaults.start else { return };
            let Some(config) = config_path(cx) else { return };
            (Some(default.value.clone()), default.span, config)
        }
    };
    let Some(start_text) = start_text else { return };
    let Some(start_at) = fixed(&start_text) else { return };
    if end_at >= start_at {
        return;
    }
    let from_defaults = start_path != cx.file.facts.path;
    let message = format!(
        "end {} is before {}start {}",
        shown(&end_text, end_at),
        if from_defaults { "the model_defaults " } else { "" },
        shown(&start_text, start_at)
    );
    let mut diagnostic = Diagnostic::error(RULE.code, end.span(), message);
    diagnostic.related.push(Related { path: start_path, span: start_span, message: format!("start `{start_text}`") });
    out.push(diagnostic);
}

/// The project's configuration file.
fn config_path(cx: &Context) -> Option<PathBuf> {
    CONFIG_FILES.iter().map(|name| cx.project.root.join(name)).find(|path| path.is_file())
}
