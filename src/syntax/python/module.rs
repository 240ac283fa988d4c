//! A Python file's module-level constants, so that `cron=CRON` or `gateways=GATEWAYS` can be
//! followed to the literal they name.

use serde::Serialize;

use super::super::span::{Diagnostic, Spanned};
use super::lexer::{Token, TokenKind, line_indent, tokenize};
use super::literal::{ExprReader, PyValue, PyValueKind};

/// A Python file read as text: its tokens, its module-level `NAME = value` assignments and
/// its module-level classes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PyModule {
    /// Every token of the file.
    pub tokens: Vec<Token>,
    /// Module-level assignments in file order; a name may appear more than once. A literal
    /// dict also holds the items later assigned into it (`NAME["key"] = value`).
    pub assignments: Vec<(Spanned<String>, PyValue)>,
    /// Module-level classes, such as a pydantic settings class spread into `Config(...)`.
    pub classes: Vec<PyClass>,
    /// Lexical problems and over-deep nesting.
    pub diagnostics: Vec<Diagnostic>,
}

/// A module-level `class NAME(...):` and the fields its body declares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PyClass {
    /// The class name.
    pub name: Spanned<String>,
    /// The names in its header after the name: its bases (and keyword values).
    pub bases: Vec<String>,
    /// `field: annotation = default`, `field: annotation` and `field = default` at the top
    /// of the class body, in order; `None` for a field without a default.
    pub fields: Vec<(Spanned<String>, Option<PyValue>)>,
}

/// How many `NAME` → value hops [`PyModule::deref`] follows.
const MAX_DEREF: usize = 8;

impl PyModule {
    /// Tokenizes `src` and reads its module-level assignments.
    pub fn read(src: &str) -> PyModule {
        let lexed = tokenize(src);
        let tokens = lexed.tokens;
        let mut diagnostics = lexed.diagnostics;
        let mut assignments: Vec<(Spanned<String>, PyValue)> = Vec::new();
        let mut classes = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let t = tokens[i];
            let at_top = t.line_start && line_indent(src, t.span.start as usize) == 0;
            if at_top && t.is_name(src, "class") {
                let (class, next) = read_class(src, &tokens, i, &mut diagnostics);
                classes.extend(class);
                i = next;
                continue;
            }
            let is_target = at_top && t.kind == TokenKind::Name;
            if let Some(value_at) = is_target.then(|| assignment_value(src, &tokens, i + 1)).flatten() {
                let (value, next) = read_value(src, &tokens, value_at, &mut diagnostics);
                assignments.push((Spanned::new(t.text(src).to_string(), t.span), value));
                i = next.max(i + 1);
            } else if let Some((key, value_at)) = is_target.then(|| item_assignment(src, &tokens, i + 1)).flatten() {
                let (value, next) = read_value(src, &tokens, value_at, &mut diagnostics);
                let target = assignments.iter_mut().rev().find(|(n, _)| n.value == t.text(src));
                if let Some((_, dict)) = target {
                    match (&mut dict.kind, key) {
                        (PyValueKind::Dict(entries), Some(key)) => entries.push((key, value)),
                        // A key that is not a literal: the dict can no longer be known.
                        (PyValueKind::Dict(_), None) => dict.kind = PyValueKind::Other,
                        _ => {}
                    }
                }
                i = next.max(i + 1);
            } else {
                i += 1;
            }
        }
        PyModule { tokens, assignments, classes, diagnostics }
    }

    /// The last module-level class named `name`.
    pub fn class(&self, name: &str) -> Option<&PyClass> {
        self.classes.iter().rev().find(|c| c.name.value == name)
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

/// Reads the value starting at token `at` to the end of its logical line; returns it and
/// the index of the token after it.
fn read_value(src: &str, tokens: &[Token], at: usize, diagnostics: &mut Vec<Diagnostic>) -> (PyValue, usize) {
    let mut r = ExprReader::new(src, tokens, at);
    let mut value = r.read_value();
    if r.tok().is_some_and(|n| n.kind != TokenKind::Newline) {
        // `a = b = c`, `a = 1, 2`, ...: not a single literal.
        let start = value.span.start as usize;
        value = r.skip_to_newline(start);
    }
    diagnostics.append(&mut r.diagnostics);
    (value, r.pos)
}

/// For `NAME[key] = value` whose `[` is token `i`: the key when it is a literal, and the index
/// of the first token of the value.
fn item_assignment(src: &str, tokens: &[Token], i: usize) -> Option<(Option<PyValue>, usize)> {
    if !tokens.get(i)?.is_op(src, "[") {
        return None;
    }
    let mut r = ExprReader::new(src, tokens, i + 1);
    let key = r.read_value();
    let close = r.pos;
    if !tokens.get(close)?.is_op(src, "]") || !tokens.get(close + 1)?.is_op(src, "=") {
        return None;
    }
    let literal = matches!(key.kind, PyValueKind::Str(_) | PyValueKind::Number(_));
    Some((literal.then_some(key), close + 2))
}

/// Reads `class NAME(...):` starting at token `i` and the fields at the top of its body;
/// returns the class and the index of the first token after the body.
fn read_class(src: &str, tokens: &[Token], i: usize, diagnostics: &mut Vec<Diagnostic>) -> (Option<PyClass>, usize) {
    let header_end = (i..tokens.len()).find(|&j| tokens[j].kind == TokenKind::Newline).unwrap_or(tokens.len());
    let body_end = (header_end + 1..tokens.len())
        .find(|&j| tokens[j].line_start && line_indent(src, tokens[j].span.start as usize) == 0)
        .unwrap_or(tokens.len());
    let Some(name) = tokens.get(i + 1).filter(|t| t.kind == TokenKind::Name) else {
        return (None, body_end);
    };
    let name = Spanned::new(name.text(src).to_string(), name.span);
    let bases = tokens[i + 2..header_end.max(i + 2)]
        .iter()
        .filter(|t| t.kind == TokenKind::Name)
        .map(|t| t.text(src).to_string())
        .collect();
    let body_indent = tokens.get(header_end + 1).map(|t| line_indent(src, t.span.start as usize));
    let mut fields = Vec::new();
    let mut j = header_end + 1;
    while j < body_end {
        let t = tokens[j];
        let is_field = t.line_start
            && t.kind == TokenKind::Name
            && Some(line_indent(src, t.span.start as usize)) == body_indent
            && tokens.get(j + 1).is_some_and(|n| n.is_op(src, ":") || n.is_op(src, "="));
        if !is_field {
            j += 1;
            continue;
        }
        let field = Spanned::new(t.text(src).to_string(), t.span);
        match assignment_value(src, tokens, j + 1) {
            Some(at) => {
                let (value, next) = read_value(src, tokens, at, diagnostics);
                fields.push((field, Some(value)));
                j = next.max(j + 1);
            }
            None => {
                fields.push((field, None));
                j += 1;
            }
        }
    }
    (Some(PyClass { name, bases, fields }), body_end)
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
