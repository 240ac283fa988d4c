//! Diagnostics located by path, line and UTF-16 character, as `meshls index` and
//! `meshls check` print them.

use crate::syntax::line_index::{Encoding, LineCol, LineIndex};
use crate::syntax::{Diagnostic, Severity, Span};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A zero-based range in lines and UTF-16 characters.
#[derive(Serialize, Clone, Copy)]
pub struct RangeOut {
    pub start: LineCol,
    pub end: LineCol,
    /// Always true: says in the JSON itself that lines and characters count from 0 (the human
    /// output counts from 1), as LSP positions do.
    pub zero_based: bool,
}

/// An edit of a fix, located.
#[derive(Serialize)]
pub struct EditOut {
    pub path: String,
    pub range: RangeOut,
    pub new_text: String,
}

/// A fix, located.
#[derive(Serialize)]
pub struct FixOut {
    pub title: String,
    /// Whether `meshls check --fix` applies it (without `--unsafe-fixes`).
    pub safe: bool,
    /// `safe`, `unsafe` (applied with `--unsafe-fixes`) or `display-only` (never applied).
    pub applicability: crate::syntax::Applicability,
    pub edits: Vec<EditOut>,
}

/// A diagnostic located by line and character.
#[derive(Serialize)]
pub struct DiagnosticOut {
    pub path: String,
    pub range: RangeOut,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    /// Always present (null without a fix): `meshls check --format json`'s contract.
    pub fix: Option<FixOut>,
}

/// Converts spans to lines and columns, reading each file once. Paths are printed relative
/// to `base`.
pub struct Locator {
    base: PathBuf,
    texts: HashMap<PathBuf, (String, LineIndex)>,
}

impl Locator {
    pub fn new(base: &Path) -> Locator {
        Locator { base: base.to_path_buf(), texts: HashMap::new() }
    }

    /// The text of a file as read for locating (empty when unreadable).
    pub fn text(&mut self, path: &Path) -> &str {
        &self.entry(path).0
    }

    fn entry(&mut self, path: &Path) -> &(String, LineIndex) {
        self.texts.entry(path.to_path_buf()).or_insert_with(|| {
            let text = std::fs::read(path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
            let index = LineIndex::new(&text);
            (text, index)
        })
    }

    pub fn range(&mut self, path: &Path, span: Span) -> RangeOut {
        let (text, index) = self.entry(path);
        RangeOut {
            start: index.line_col(text, span.start as usize, Encoding::Utf16),
            end: index.line_col(text, span.end as usize, Encoding::Utf16),
            zero_based: true,
        }
    }

    pub fn relative(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.base).unwrap_or(path).to_string_lossy().replace('\\', "/");
        if relative.is_empty() { ".".to_string() } else { relative }
    }

    pub fn out(&mut self, path: &Path, diagnostic: &Diagnostic) -> DiagnosticOut {
        let fix = diagnostic.fix.as_ref().map(|fix| FixOut {
            title: fix.title.clone(),
            safe: fix.applies(path, false),
            applicability: if fix.snippet { crate::syntax::Applicability::DisplayOnly } else { fix.applicability },
            edits: fix
                .edits
                .iter()
                .map(|edit| {
                    let target = edit.path.as_deref().unwrap_or(path);
                    EditOut {
                        path: self.relative(target),
                        range: self.range(target, edit.span),
                        new_text: edit.new_text.clone(),
                    }
                })
                .collect(),
        });
        DiagnosticOut {
            path: self.relative(path),
            range: self.range(path, diagnostic.span),
            severity: diagnostic.severity,
            code: diagnostic.code,
            message: diagnostic.message.clone(),
            fix,
        }
    }
}
