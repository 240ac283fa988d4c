//! Literal Python expressions read from tokens: strings, numbers, names, containers and calls,
//! each with its span. Anything else (arithmetic, lambdas, comprehensions, f-strings with
//! fields) is [`PyValueKind::Other`], so a decorator argument list can always be read in full.

use serde::Serialize;

use super::super::span::{Diagnostic, Span, Spanned};
use super::lexer::{Token, TokenKind};
use super::strings::string_value;

/// Containers and calls nested deeper than this are read as [`PyValueKind::Other`].
pub const MAX_DEPTH: usize = 64;

/// A Python expression read statically, with the span of its source text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PyValue {
    /// The expression's source text; for a string, the literal with its prefix and quotes.
    pub span: Span,
    /// What the expression is.
    pub kind: PyValueKind,
}

/// The shape of a [`PyValue`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PyValueKind {
    /// A string literal, or adjacent literals concatenated, with escapes processed.
    Str(String),
    /// A number as written, with its sign if it has one (`-1`, `1_000`, `2.5e3`).
    Number(String),
    /// `True` or `False`.
    Bool(bool),
    /// `None`.
    None,
    /// A name or dotted name: `ModelKindName.FULL`, `exp.DataType.build`.
    Name(String),
    /// `[...]`.
    List(Vec<PyValue>),
    /// `(a, b)`, `(a,)` or `()`.
    Tuple(Vec<PyValue>),
    /// `{a, b}`.
    Set(Vec<PyValue>),
    /// `{k: v}` or `{}`.
    Dict(Vec<(PyValue, PyValue)>),
    /// A call of a (dotted) name: `dict(name=...)`, `IncrementalByTimeRangeKind(...)`.
    Call {
        /// The dotted name called.
        func: String,
        /// Its arguments, in order.
        args: Vec<PyArg>,
    },
    /// Any other expression: arithmetic, lambdas, comprehensions, f-strings with fields, ...
    Other,
}

/// One argument of a call: `value` or `name=value`. `*args`/`**kwargs` are positional
/// [`PyValueKind::Other`] arguments; for `**kwargs`, [`PyArg::unpacked`] holds `kwargs`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PyArg {
    /// The keyword, for `name=value`.
    pub name: Option<Spanned<String>>,
    /// The argument's value.
    pub value: PyValue,
    /// For `**mapping`, the expression unpacked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unpacked: Option<Box<PyValue>>,
}

impl PyValue {
    /// The string value of a `Str`.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            PyValueKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A `Str` (or a `Number`, as written) with the span of its literal.
    pub fn as_spanned_str(&self) -> Option<Spanned<String>> {
        match &self.kind {
            PyValueKind::Str(s) | PyValueKind::Number(s) => Some(Spanned::new(s.clone(), self.span)),
            _ => None,
        }
    }

    /// The items of a list, tuple or set.
    pub fn items(&self) -> Option<&[PyValue]> {
        match &self.kind {
            PyValueKind::List(v) | PyValueKind::Tuple(v) | PyValueKind::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Whether this value and everything in it was read as a literal (no `Other`).
    pub fn is_literal(&self) -> bool {
        match &self.kind {
            PyValueKind::Other => false,
            PyValueKind::List(v) | PyValueKind::Tuple(v) | PyValueKind::Set(v) => v.iter().all(PyValue::is_literal),
            PyValueKind::Dict(v) => v.iter().all(|(k, v)| k.is_literal() && v.is_literal()),
            PyValueKind::Call { args, .. } => args.iter().all(|a| a.value.is_literal()),
            _ => true,
        }
    }

    fn other(span: Span) -> PyValue {
        PyValue { span, kind: PyValueKind::Other }
    }
}

/// Finds the keyword argument `name` in `args`.
pub fn kwarg<'a>(args: &'a [PyArg], name: &str) -> Option<&'a PyArg> {
    args.iter().find(|a| a.name.as_ref().is_some_and(|n| n.value == name))
}

/// The `index`-th positional argument in `args`.
pub fn positional(args: &[PyArg], index: usize) -> Option<&PyValue> {
    args.iter().filter(|a| a.name.is_none()).nth(index).map(|a| &a.value)
}

/// Reads expressions from a token slice, starting at `pos`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprReader<'a> {
    src: &'a str,
    toks: &'a [Token],
    /// Index of the next token to read.
    pub pos: usize,
    /// Problems found while reading (nesting too deep).
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> ExprReader<'a> {
    /// A reader over `toks` (the tokens of `src`) positioned at token `pos`.
    pub fn new(src: &'a str, toks: &'a [Token], pos: usize) -> Self {
        ExprReader { src, toks, pos, diagnostics: Vec::new() }
    }

    pub(super) fn tok(&self) -> Option<Token> {
        self.toks.get(self.pos).copied()
    }

    fn at_op(&self, op: &str) -> bool {
        self.tok().is_some_and(|t| t.is_op(self.src, op))
    }

    /// The byte offset where the current token starts (or the end of the file).
    fn here(&self) -> usize {
        self.tok().map_or(self.src.len(), |t| t.span.start as usize)
    }

    /// The end of the previously read token.
    fn prev_end(&self) -> usize {
        self.pos.checked_sub(1).and_then(|i| self.toks.get(i)).map_or(0, |t| t.span.end as usize)
    }

    fn at_stop(&self, stop_colon: bool) -> bool {
        let Some(t) = self.tok() else { return true };
        match t.kind {
            TokenKind::Close | TokenKind::Newline | TokenKind::FStringMiddle | TokenKind::FStringEnd => true,
            TokenKind::Op => {
                let op = t.text(self.src);
                op == "," || op == "=" || (stop_colon && op == ":")
            }
            _ => false,
        }
    }

    /// Reads one expression: a literal when it is one, else `Other` covering it.
    pub fn read_value(&mut self) -> PyValue {
        self.read_expr(0, false)
    }

    fn read_expr(&mut self, depth: usize, stop_colon: bool) -> PyValue {
        let start = self.here();
        if depth > MAX_DEPTH {
            if !self.diagnostics.iter().any(|d| d.code == "python-depth") {
                let msg = format!("expression nested deeper than {MAX_DEPTH} levels is not read");
                self.diagnostics.push(Diagnostic::warning("python-depth", Span::at(start), msg));
            }
            return self.skip_expr(start, stop_colon);
        }
        let begin = self.pos;
        match self.read_primary(depth) {
            Some(v) if self.at_stop(stop_colon) => v,
            _ => {
                self.pos = self.pos.max(begin);
                self.skip_expr(start, stop_colon)
            }
        }
    }

    /// Moves to the end of the current expression and returns `Other` spanning `start..`.
    fn skip_expr(&mut self, start: usize, stop_colon: bool) -> PyValue {
        let mut depth = 0usize;
        let mut lambdas = 0usize;
        while let Some(t) = self.tok() {
            match t.kind {
                TokenKind::Open => depth += 1,
                TokenKind::Close if depth == 0 => break,
                TokenKind::Close => depth -= 1,
                TokenKind::Newline => break,
                TokenKind::FStringMiddle | TokenKind::FStringEnd if depth == 0 => break,
                TokenKind::Name if depth == 0 && t.text(self.src) == "lambda" => lambdas += 1,
                TokenKind::Op if depth == 0 => match t.text(self.src) {
                    "," => break,
                    ":" if lambdas > 0 => lambdas -= 1,
                    "=" if lambdas > 0 => {}
                    ":" if stop_colon => break,
                    "=" => break,
                    _ => {}
                },
                _ => {}
            }
            self.pos += 1;
        }
        PyValue::other(Span::new(start, self.prev_end().max(start)))
    }

    fn read_primary(&mut self, depth: usize) -> Option<PyValue> {
        let t = self.tok()?;
        let text = t.text(self.src);
        match t.kind {
            TokenKind::Str { .. } | TokenKind::FStringStart => Some(self.read_strings()),
            TokenKind::Number => {
                self.pos += 1;
                Some(PyValue { span: t.span, kind: PyValueKind::Number(text.to_string()) })
            }
            TokenKind::Op if text == "-" || text == "+" => {
                let n = self.toks.get(self.pos + 1).filter(|n| n.kind == TokenKind::Number)?;
                self.pos += 2;
                let sign = if text == "-" { "-" } else { "" };
                let kind = PyValueKind::Number(format!("{sign}{}", n.text(self.src)));
                Some(PyValue { span: t.span.cover(n.span), kind })
            }
            TokenKind::Name => self.read_name(depth),
            TokenKind::Open => {
                self.pos += 1;
                Some(match text {
                    "(" => self.read_paren(t.span.start as usize, depth),
                    "[" => {
                        let (items, other) = self.read_items(depth, "]");
                        let span = Span::new(t.span.start as usize, self.prev_end());
                        if other { PyValue::other(span) } else { PyValue { span, kind: PyValueKind::List(items) } }
                    }
                    _ => self.read_brace(t.span.start as usize, depth),
                })
            }
            _ => None,
        }
    }

    fn read_name(&mut self, depth: usize) -> Option<PyValue> {
        let first = self.tok()?;
        let kind = match first.text(self.src) {
            "True" => Some(PyValueKind::Bool(true)),
            "False" => Some(PyValueKind::Bool(false)),
            "None" => Some(PyValueKind::None),
            "lambda" | "not" | "await" | "yield" => return None,
            _ => None,
        };
        if let Some(kind) = kind {
            self.pos += 1;
            return Some(PyValue { span: first.span, kind });
        }
        let mut name = first.text(self.src).to_string();
        let mut end = first.span.end as usize;
        self.pos += 1;
        while self.at_op(".") {
            match self.toks.get(self.pos + 1).filter(|t| t.kind == TokenKind::Name) {
                Some(n) => {
                    name.push('.');
                    name.push_str(n.text(self.src));
                    end = n.span.end as usize;
                    self.pos += 2;
                }
                None => return None,
            }
        }
        let start = first.span.start as usize;
        if self.at_op("(") {
            let (args, call_end) = self.read_call_args_at(depth + 1);
            return Some(PyValue { span: Span::new(start, call_end), kind: PyValueKind::Call { func: name, args } });
        }
        Some(PyValue { span: Span::new(start, end), kind: PyValueKind::Name(name) })
    }

    /// Adjacent string literals, concatenated; `Other` if an f-string has fields.
    fn read_strings(&mut self) -> PyValue {
        let start = self.here();
        let mut value = String::new();
        let mut literal = true;
        while let Some(t) = self.tok() {
            match t.kind {
                TokenKind::Str { .. } => {
                    value.push_str(&string_value(self.src, t).unwrap_or_default());
                    self.pos += 1;
                }
                TokenKind::FStringStart => {
                    self.pos += 1;
                    let mut nesting = 1usize;
                    while let Some(t) = self.tok() {
                        self.pos += 1;
                        match t.kind {
                            TokenKind::FStringStart => nesting += 1,
                            TokenKind::FStringEnd => {
                                nesting -= 1;
                                if nesting == 0 {
                                    break;
                                }
                            }
                            TokenKind::FStringMiddle if nesting == 1 => {
                                value.push_str(&string_value(self.src, t).unwrap_or_default());
                            }
                            _ => literal = false,
                        }
                    }
                }
                _ => break,
            }
        }
        let span = Span::new(start, self.prev_end().max(start));
        if literal { PyValue { span, kind: PyValueKind::Str(value) } } else { PyValue::other(span) }
    }

    /// Reads items up to the closing bracket `close`; the flag is set when an item is starred.
    fn read_items(&mut self, depth: usize, close: &str) -> (Vec<PyValue>, bool) {
        let mut items = Vec::new();
        let mut other = false;
        while let Some(t) = self.tok() {
            if t.kind == TokenKind::Close {
                if t.text(self.src) == close {
                    self.pos += 1;
                }
                break;
            }
            if t.kind == TokenKind::Newline {
                break;
            }
            if self.at_op("*") || self.at_op("**") {
                other = true;
                self.pos += 1;
            }
            let before = self.pos;
            items.push(self.read_expr(depth + 1, false));
            if !self.eat_separator(before) {
                break;
            }
        }
        (items, other)
    }

    /// After an item: eats `,` (or a stray `=`/`:`); false when the list is over.
    fn eat_separator(&mut self, before: usize) -> bool {
        match self.tok() {
            Some(t) if t.kind == TokenKind::Op => {
                self.pos += 1;
                true
            }
            Some(t) if matches!(t.kind, TokenKind::Close | TokenKind::Newline) => true,
            Some(_) if self.pos == before => {
                self.pos += 1;
                true
            }
            Some(_) => true,
            None => false,
        }
    }

    fn read_paren(&mut self, start: usize, depth: usize) -> PyValue {
        if self.at_op(")") {
            self.pos += 1;
            return PyValue { span: Span::new(start, self.prev_end()), kind: PyValueKind::Tuple(Vec::new()) };
        }
        let first = self.read_expr(depth + 1, false);
        if self.at_op(")") {
            // A parenthesized expression, not a tuple.
            self.pos += 1;
            return first;
        }
        let mut items = vec![first];
        let other = if self.at_op(",") {
            self.pos += 1;
            let (rest, starred) = self.read_items(depth, ")");
            items.extend(rest);
            starred
        } else {
            self.read_items(depth, ")");
            true
        };
        let span = Span::new(start, self.prev_end());
        if other { PyValue::other(span) } else { PyValue { span, kind: PyValueKind::Tuple(items) } }
    }

    fn read_brace(&mut self, start: usize, depth: usize) -> PyValue {
        if self.at_op("}") {
            self.pos += 1;
            return PyValue { span: Span::new(start, self.prev_end()), kind: PyValueKind::Dict(Vec::new()) };
        }
        let mut entries = Vec::new();
        let mut items = Vec::new();
        let mut other = false;
        let mut is_dict = None;
        while let Some(t) = self.tok() {
            if t.kind == TokenKind::Close {
                if t.text(self.src) == "}" {
                    self.pos += 1;
                }
                break;
            }
            if t.kind == TokenKind::Newline {
                break;
            }
            if self.at_op("**") || self.at_op("*") {
                other = true;
                self.pos += 1;
            }
            let before = self.pos;
            let key = self.read_expr(depth + 1, true);
            if self.at_op(":") {
                self.pos += 1;
                is_dict.get_or_insert(true);
                let value = self.read_expr(depth + 1, false);
                entries.push((key, value));
            } else {
                is_dict.get_or_insert(false);
                items.push(key);
            }
            if !self.eat_separator(before) {
                break;
            }
        }
        let span = Span::new(start, self.prev_end());
        match is_dict {
            _ if other => PyValue::other(span),
            Some(true) if items.is_empty() => PyValue { span, kind: PyValueKind::Dict(entries) },
            Some(false) if entries.is_empty() => PyValue { span, kind: PyValueKind::Set(items) },
            _ => PyValue::other(span),
        }
    }

    /// Reads `(args)` starting at the `(` token; returns the arguments and the end offset.
    pub fn read_call_args(&mut self) -> (Vec<PyArg>, usize) {
        self.read_call_args_at(0)
    }

    fn read_call_args_at(&mut self, depth: usize) -> (Vec<PyArg>, usize) {
        self.pos += 1; // the `(`
        let mut args = Vec::new();
        while let Some(t) = self.tok() {
            if t.kind == TokenKind::Close {
                if t.text(self.src) == ")" {
                    self.pos += 1;
                }
                break;
            }
            if t.kind == TokenKind::Newline {
                break;
            }
            let before = self.pos;
            let next_is_eq = self.toks.get(self.pos + 1).is_some_and(|n| n.is_op(self.src, "="));
            if t.kind == TokenKind::Name && next_is_eq {
                self.pos += 2;
                let name = Spanned::new(t.text(self.src).to_string(), t.span);
                let value = self.read_expr(depth + 1, false);
                args.push(PyArg { name: Some(name), value, unpacked: None });
            } else if self.at_op("*") || self.at_op("**") {
                let double = self.at_op("**");
                self.pos += 1;
                let value = self.read_expr(depth + 1, false);
                let span = t.span.cover(value.span);
                let unpacked = double.then(|| Box::new(value));
                args.push(PyArg { name: None, value: PyValue::other(span), unpacked });
            } else {
                let value = self.read_expr(depth + 1, false);
                args.push(PyArg { name: None, value, unpacked: None });
            }
            if !self.eat_separator(before) {
                break;
            }
        }
        (args, self.prev_end())
    }
}

impl ExprReader<'_> {
    pub(super) fn skip_to_newline(&mut self, start: usize) -> PyValue {
        while self.tok().is_some_and(|t| t.kind != TokenKind::Newline) {
            self.pos += 1;
        }
        PyValue::other(Span::new(start, self.prev_end().max(start)))
    }
}
