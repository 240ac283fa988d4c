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
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { span, severity: Severity::Error, code, message: message.into() }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { span, severity: Severity::Warning, code, message: message.into() }
    }

    pub fn info(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { span, severity: Severity::Info, code, message: message.into() }
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
