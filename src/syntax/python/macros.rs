//! Project macros: Python functions registered with SQLMesh's `@macro()` decorator.

use serde::Serialize;

use super::super::span::{Span, Spanned};
use super::decorators::{decorated_definitions, matching_close, sqlmesh_decorator_names};
use super::lexer::{Token, TokenKind, tokenize};
use super::literal::{PyValue, kwarg, positional};
use super::strings::string_value;

/// A macro defined in Python, callable from SQL as `@name(...)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PythonMacro {
    /// The name SQLMesh registers, lowercased as SQLMesh does: the alias given to the
    /// decorator (`@macro("alias")`, `@macro(name="alias")`, spanning its string literal) or
    /// else the function name.
    pub name: Spanned<String>,
    /// From `def` (or `async`) to the `:` ending the signature.
    pub def_span: Span,
    /// The parameters after the leading evaluator parameter.
    pub params: Vec<MacroParam>,
    /// The docstring, dedented like `inspect.cleandoc`.
    pub doc: Option<String>,
}

/// One parameter of a Python macro.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MacroParam {
    /// The name; variadic parameters keep their stars (`*args`, `**kwargs`).
    pub name: String,
    /// The annotation as written, on one line.
    pub annotation: Option<String>,
    /// The default value as written, on one line.
    pub default: Option<String>,
    /// Whether this is `*args` or `**kwargs`.
    pub variadic: bool,
}

/// Every function in `text` decorated with SQLMesh's `@macro()` (also the bare `@macro`).
pub fn parse_macro_module(text: &str) -> Vec<PythonMacro> {
    let lexed = tokenize(text);
    let toks = &lexed.tokens;
    let names = sqlmesh_decorator_names(text, toks, "macro");
    let mut ignored = Vec::new();
    let mut out = Vec::new();
    for def in decorated_definitions(text, toks, &mut ignored) {
        let Some(dec) = def.decorators.iter().find(|d| names.contains(&d.name)) else {
            continue;
        };
        let (Some(def_at), Some(fn_name), Some(open)) = (def.def_at, def.def_name, def.params_open) else {
            continue;
        };
        let alias = dec.args.as_deref().and_then(|args| {
            positional(args, 0).or_else(|| kwarg(args, "name").map(|a| &a.value)).and_then(PyValue::as_spanned_str)
        });
        let name = match alias.filter(|a| !a.value.is_empty()) {
            Some(a) => Spanned::new(a.value.to_lowercase(), a.span),
            None => Spanned::new(fn_name.text(text).to_lowercase(), fn_name.span),
        };
        let close = matching_close(toks, open);
        let params = close.map(|c| read_params(text, &toks[open + 1..c])).unwrap_or_default();
        let colon = close.and_then(|c| signature_colon(text, toks, c));
        let sig_end = colon.or(close).map_or(toks[open].span.end, |i| toks[i].span.end);
        let def_span = Span::new(toks[def_at].span.start as usize, sig_end as usize);
        let doc = colon.and_then(|c| docstring(text, toks, c));
        out.push(PythonMacro { name, def_span, params, doc });
    }
    out
}

/// The `:` ending a signature whose parameters close at token `close` (after `-> ann`).
fn signature_colon(text: &str, toks: &[Token], close: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(close + 1) {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Newline => return None,
            TokenKind::Op if depth == 0 && t.text(text) == ":" => return Some(i),
            _ => {}
        }
    }
    None
}

fn docstring(text: &str, toks: &[Token], colon: usize) -> Option<String> {
    let mut i = colon + 1;
    if toks.get(i).is_some_and(|t| t.kind == TokenKind::Newline) {
        i += 1;
    }
    let t = toks.get(i)?;
    if !matches!(t.kind, TokenKind::Str { bytes: false, .. }) {
        return None;
    }
    if toks.get(i + 1).is_some_and(|n| n.kind != TokenKind::Newline && !n.is_op(text, ";")) {
        return None;
    }
    Some(cleandoc(&string_value(text, *t)?))
}

/// Python's `inspect.cleandoc`: strip the first line, dedent the rest by their common
/// indentation, drop leading and trailing blank lines.
pub(super) fn cleandoc(doc: &str) -> String {
    let lines: Vec<String> = doc.lines().map(expand_tabs).collect();
    let margin = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<&str> = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        out.push(if i == 0 { l.trim_start() } else { l.get(margin..).unwrap_or("") });
    }
    while out.first().is_some_and(|l| l.trim().is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut col = 0;
    for c in line.chars() {
        if c == '\t' {
            let n = 8 - col % 8;
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        } else {
            out.push(c);
            col += 1;
        }
    }
    out
}

/// Source text of `toks` on one line: tokens joined as written, any gap (spaces, newlines,
/// comments) shown as one space.
fn tokens_text(text: &str, toks: &[Token]) -> String {
    let mut out = String::new();
    for (i, t) in toks.iter().enumerate() {
        if i > 0 && toks[i - 1].span.end < t.span.start {
            out.push(' ');
        }
        out.push_str(t.text(text));
    }
    out
}

/// The first `=` outside brackets.
fn depth_zero_eq(text: &str, toks: &[Token]) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Op if depth == 0 && t.text(text) == "=" => return Some(i),
            _ => {}
        }
    }
    None
}

/// The parameters between the brackets of a `def`, without the leading evaluator.
fn read_params(text: &str, toks: &[Token]) -> Vec<MacroParam> {
    let mut segments = Vec::new();
    let mut depth = 0usize;
    // Commas between `lambda` and its `:` belong to a default value.
    let mut lambdas = 0usize;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Name if depth == 0 && t.text(text) == "lambda" => lambdas += 1,
            TokenKind::Op if depth == 0 && lambdas > 0 && t.text(text) == ":" => lambdas -= 1,
            TokenKind::Op if depth == 0 && lambdas == 0 && t.text(text) == "," => {
                segments.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    segments.push(&toks[start..]);
    let mut params = Vec::new();
    let mut first = true;
    for seg in segments {
        let Some(head) = seg.first() else { continue };
        let stars = match head.text(text) {
            "*" | "**" if head.kind == TokenKind::Op => head.text(text),
            _ => "",
        };
        let name_tok = seg.get(stars.len().min(1)).filter(|t| t.kind == TokenKind::Name);
        let Some(name_tok) = name_tok else {
            // A bare `*` or `/` marker.
            first = false;
            continue;
        };
        let rest = &seg[1 + stars.len().min(1)..];
        let eq = depth_zero_eq(text, rest);
        let annotation = match rest.first() {
            Some(c) if c.is_op(text, ":") => Some(tokens_text(text, &rest[1..eq.unwrap_or(rest.len())])),
            _ => None,
        };
        let default = eq.map(|e| tokens_text(text, &rest[e + 1..]));
        let is_evaluator = first && stars.is_empty();
        first = false;
        if is_evaluator {
            continue;
        }
        params.push(MacroParam {
            name: format!("{stars}{}", name_tok.text(text)),
            annotation,
            default,
            variadic: !stars.is_empty(),
        });
    }
    params
}
