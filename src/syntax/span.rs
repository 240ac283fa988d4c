//! Byte spans and the diagnostics every parser returns beside its structures.

use serde::Serialize;

/// A half-open byte range `start..end` into the text of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span { start: start as u32, end: end as u32 }
    }

    /// An empty span at `offset`.
    pub fn at(offset: usize) -> Span {
        Span::new(offset, offset)
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    pub fn contains(self, offset: usize) -> bool {
        (self.start as usize) <= offset && offset <= (self.end as usize)
    }

    /// The text this span covers, or "" when it does not fit `text`.
    pub fn text(self, text: &str) -> &str {
        text.get(self.range()).unwrap_or("")
    }

    /// This span moved right by `delta` bytes.
    pub fn shift(self, delta: usize) -> Span {
        Span::new(self.start as usize + delta, self.end as usize + delta)
    }
}

/// How serious a diagnostic is; the names are LSP's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

/// A problem found in one file, located by a byte span of that file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub span: Span,
    pub severity: Severity,
    /// A stable kebab-case code, e.g. `sql-syntax`, `model-block`, `unknown-kind`.
    pub code: &'static str,
    pub message: String,
    /// A change that resolves the problem, where one is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Box<Fix>>,
    /// Other places involved (the other definition of a duplicate, the rest of a cycle).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

/// A change that resolves a diagnostic: text edits, in this file or others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, as a code action title (`Add a start date`).
    pub title: String,
    pub edits: Vec<Edit>,
    /// Whether `meshls check --fix` may apply it unattended.
    pub applicability: Applicability,
    /// Whether `new_text` holds snippet placeholders (`${1:2024-01-01}`) for the editor to fill.
    pub snippet: bool,
}

/// Whether a fix may be applied unattended, as ruff's `Applicability` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown in the editor only (a placeholder to fill, a choice to make): never applied by
    /// `meshls check --fix`.
    DisplayOnly,
    /// Offered in the editor; applied by `meshls check --fix` only with `--unsafe-fixes`: it may
    /// change what SQLMesh computes, guesses what the user meant, or edits another file.
    Unsafe,
    /// Cannot change what SQLMesh computes and edits only the diagnostic's own file: applied by
    /// `meshls check --fix`.
    Safe,
}

/// Replace `span` of a file with `new_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// The file to edit; None for the diagnostic's own file. A path that does not exist yet is
    /// created (its span is then empty at 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<std::path::PathBuf>,
    pub span: Span,
    pub new_text: String,
}

/// Another place a diagnostic refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub path: std::path::PathBuf,
    pub span: Span,
    pub message: String,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { span, severity, code, message: message.into(), fix: None, related: Vec::new() }
    }

    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, span, message)
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, span, message)
    }

    pub fn info(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Info, code, span, message)
    }

    /// This diagnostic with a fix.
    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fix = Some(Box::new(fix));
        self
    }
}

impl Fix {
    /// A safe fix that edits the diagnostic's own file.
    pub fn local(title: impl Into<String>, edits: Vec<(Span, String)>) -> Fix {
        Fix {
            title: title.into(),
            edits: edits.into_iter().map(|(span, new_text)| Edit { path: None, span, new_text }).collect(),
            applicability: Applicability::Safe,
            snippet: false,
        }
    }

    /// This fix, applicable as `applicability` says.
    pub fn with_applicability(mut self, applicability: Applicability) -> Fix {
        self.applicability = applicability;
        self
    }

    /// Whether `meshls check --fix` applies it: safe, or unsafe when `unsafe_fixes`; never a
    /// snippet. A fix that edits a file other than `path` (its diagnostic's) is never safe.
    pub fn applies(&self, path: &std::path::Path, unsafe_fixes: bool) -> bool {
        let elsewhere = self.edits.iter().any(|e| e.path.as_deref().is_some_and(|p| p != path));
        let applicability = if elsewhere { self.applicability.min(Applicability::Unsafe) } else { self.applicability };
        !self.snippet
            && match applicability {
                Applicability::Safe => true,
                Applicability::Unsafe => unsafe_fixes,
                Applicability::DisplayOnly => false,
            }
    }
}

/// A value together with the span of the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}
