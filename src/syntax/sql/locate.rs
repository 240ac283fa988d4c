//! Where sqlparser's locations (line and column in chars) fall in the file, as byte spans.

use crate::syntax::block::{NamePart, unquote_ident};
use crate::syntax::span::Span;
use sqlparser::ast::{Ident, ObjectName};

/// Converts sqlparser locations (line and column in chars) in `sql` to byte offsets of the
/// file, in constant time: a query on one long line has thousands of locations, and counting
/// chars from the line's start for each made reading it quadratic.
pub(super) struct Locator<'a> {
    sql: &'a str,
    /// The byte offset of every char of the SQL, then the SQL's length.
    chars: Vec<u32>,
    /// For every line, the index in `chars` of its first char.
    lines: Vec<u32>,
    base: usize,
}

impl<'a> Locator<'a> {
    pub(super) fn new(sql: &'a str, base: usize) -> Locator<'a> {
        let mut chars = Vec::with_capacity(sql.len() + 1);
        let mut lines = vec![0];
        for (i, c) in sql.char_indices() {
            chars.push(i as u32);
            if c == '\n' {
                lines.push(chars.len() as u32);
            }
        }
        chars.push(sql.len() as u32);
        Locator { sql, chars, lines, base }
    }

    /// The file offset of a sqlparser location. sqlparser ends lines at `\n` only (not at
    /// a lone `\r`, as LSP does), so this is not [`LineIndex`](crate::syntax::line_index::LineIndex):
    /// a column past the end of its line clamps to the line's end (before `\r\n`), a line past
    /// the end to the end of the SQL.
    pub(super) fn offset(&self, location: sqlparser::tokenizer::Location) -> usize {
        let end_of_sql = self.chars.len() - 1;
        let line = location.line.saturating_sub(1) as usize;
        let Some(&first) = self.lines.get(line) else {
            return self.base + self.chars[end_of_sql] as usize;
        };
        // The index of the line's `\n` (or the end of the SQL), then of a `\r` before it.
        let mut end = self.lines.get(line + 1).map_or(end_of_sql, |&next| next as usize - 1);
        if end > first as usize && self.sql.as_bytes()[self.chars[end - 1] as usize] == b'\r' {
            end -= 1;
        }
        let index = (first as usize).saturating_add(location.column.saturating_sub(1) as usize).min(end);
        self.base + self.chars[index] as usize
    }

    pub(super) fn span(&self, span: sqlparser::tokenizer::Span) -> Option<Span> {
        if span.start.line == 0 {
            return None;
        }
        let start = self.offset(span.start);
        Some(Span::new(start, self.offset(span.end).max(start)))
    }

    pub(super) fn name_part(&self, original: &str, ident: &Ident) -> NamePart {
        let span = self.span(ident.span).map(|span| self.hyphenated(span, ident)).unwrap_or_default();
        let written = span.text(original);
        // Keep macros as written in the original (`@{schema}`), not their placeholder.
        let text = if ident.quote_style.is_some() {
            unquote_ident(written)
        } else if written.is_empty() {
            ident.value.clone()
        } else {
            written.to_string()
        };
        NamePart { text, quoted: ident.quote_style.is_some(), span }
    }

    /// The parts of a table's name as written, with BigQuery's `project.dataset.table` in one
    /// pair of backticks split into its parts (sqlparser gives them the quoted span each).
    pub(super) fn object_name(&self, original: &str, name: &ObjectName) -> Vec<NamePart> {
        let idents: Vec<&Ident> = name.0.iter().filter_map(|p| p.as_ident()).collect();
        let mut parts: Vec<NamePart> = Vec::new();
        let mut i = 0;
        while i < idents.len() {
            let same = idents[i..].iter().take_while(|id| id.span == idents[i].span).count();
            match self.split_quoted(original, &idents[i..i + same]) {
                Some(split) if same > 1 => parts.extend(split),
                _ => parts.extend(idents[i..i + same].iter().map(|id| self.name_part(original, id))),
            }
            i += same;
        }
        parts
    }

    /// BigQuery's unquoted `my-project.dataset.table`: sqlparser joins `my`, `-` and `project`
    /// into one identifier but gives it the first word's span; the span of the whole name.
    fn hyphenated(&self, span: Span, ident: &Ident) -> Span {
        if ident.quote_style.is_some() || !ident.value.contains('-') {
            return span;
        }
        let start = span.start as usize - self.base;
        let end = start + ident.value.len();
        match self.sql.get(start..end) {
            Some(written) if written.eq_ignore_ascii_case(&ident.value) => {
                Span::new(span.start as usize, self.base + end)
            }
            _ => span,
        }
    }

    /// Parts that sqlparser split out of one quoted identifier (`` `project.dataset.table` ``),
    /// each with its own span inside the quotes; None unless the quoted text is exactly the
    /// parts joined by dots.
    pub(super) fn split_quoted(&self, original: &str, idents: &[&Ident]) -> Option<Vec<NamePart>> {
        let span = self.span(idents.first()?.span)?;
        let written = span.text(original);
        let inner = written.strip_prefix('`')?.strip_suffix('`')?;
        let values: Vec<&str> = idents.iter().map(|i| i.value.as_str()).collect();
        if inner != values.join(".") {
            return None;
        }
        let mut at = span.start as usize + 1;
        let parts = values
            .iter()
            .map(|value| {
                let part = NamePart { text: value.to_string(), quoted: true, span: Span::new(at, at + value.len()) };
                at += value.len() + 1;
                part
            })
            .collect();
        Some(parts)
    }
}
