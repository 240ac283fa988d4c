//! A Python file's module-level constants, so that `cron=CRON` or `gateways=GATEWAYS` can be
//! followed to the literal they name.

use serde::Serialize;

use super::super::span::{Diagnostic, Spanned};
use super::lexer::{Token, TokenKind, line_indent, tokenize};
use super::literal::{ExprReader, PyValue, PyValueKind};

/// A Python file read as text: its tokens and its module-level `NAME = value` assignments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PyModule {
    /// Every token of the file.
    pub tokens: Vec<Token>,
    /// Module-level assignments in file order; a name may appear more than once.
    pub assignments: Vec<(Spanned<String>, PyValue)>,
    /// Lexical problems and over-deep nesting.
    pub diagnostics: Vec<Diagnostic>,
}

/// How many `NAME` → value hops [`PyModule::deref`] follows.
const MAX_DEREF: usize = 8;

impl PyModule {
    /// Tokenizes `src` and reads its module-level assignments.
    pub fn read(src: &str) -> PyModule {
        let lexed = tokenize(src);
        let tokens = lexed.tokens;
        let mut diagnostics = lexed.diagnostics;
        let mut assignments = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let t = tokens[i];
            let is_target = t.line_start && t.kind == TokenKind::Name && line_indent(src, t.span.start as usize) == 0;
            if let Some(value_at) = is_target.then(|| assignment_value(src, &tokens, i + 1)).flatten() {
                let mut r = ExprReader::new(src, &tokens, value_at);
                let mut value = r.read_value();
                if r.tok().is_some_and(|n| n.kind != TokenKind::Newline) {
                    // `a = b = c`, `a = 1, 2`, ...: not a single literal.
                    let start = value.span.start as usize;
                    value = r.skip_to_newline(start);
                }
                diagnostics.append(&mut r.diagnostics);
                assignments.push((Spanned::new(t.text(src).to_string(), t.span), value));
                i = r.pos.max(i + 1);
            } else {
                i += 1;
            }
        }
        PyModule { tokens, assignments, diagnostics }
    }

    /// The last module-level value assigned to `name`.
    pub fn lookup(&self, name: &str) -> Option<&PyValue> {
        self.assignments.iter().rev().find(|(n, _)| n.value == name).map(|(_, v)| v)
    }

    /// `value`, or the module-level value it names when it is a plain (undotted) name.
    pub fn deref<'v>(&'v self, mut value: &'v PyValue) -> &'v PyValue {
        for _ in 0..MAX_DEREF {
            match &value.kind {
                PyValueKind::Name(n) if !n.contains('.') => match self.lookup(n) {
                    Some(v) => value = v,
                    None => break,
                },
                _ => break,
            }
        }
        value
    }
}

/// For a statement whose target name ends just before token `i`: the index of the first
/// token of the assigned value in `NAME = value` or `NAME: annotation = value`.
fn assignment_value(src: &str, tokens: &[Token], i: usize) -> Option<usize> {
    let t = tokens.get(i)?;
    if t.is_op(src, "=") {
        return Some(i + 1);
    }
    if !t.is_op(src, ":") {
        return None;
    }
    let mut j = i + 1;
    while let Some(t) = tokens.get(j) {
        if t.kind == TokenKind::Newline {
            return None;
        }
        if t.is_op(src, "=") {
            return Some(j + 1);
        }
        j += 1;
    }
    None
}
