//! Decorated definitions (`@name(...)` lines followed by `def`) and which local names refer
//! to SQLMesh's `model`/`macro` decorators, read from the file's imports.

use super::super::span::{Diagnostic, Span};
use super::lexer::{Token, TokenKind};
use super::literal::{ExprReader, PyArg};

/// One `@name` or `@name(args)` line.
#[derive(Debug, Clone)]
pub(super) struct Decorator {
    /// The dotted name after `@`.
    pub name: String,
    /// From `@` to the end of the name or of the closing `)`.
    pub span: Span,
    /// The arguments when the decorator is called.
    pub args: Option<Vec<PyArg>>,
}

/// A run of decorators and the `def` they decorate (if a `def` follows).
#[derive(Debug, Clone)]
pub(super) struct Decorated {
    pub decorators: Vec<Decorator>,
    /// Index of the `def` (or `async`) token.
    pub def_at: Option<usize>,
    /// The function name token.
    pub def_name: Option<Token>,
    /// Index of the `(` opening the parameters.
    pub params_open: Option<usize>,
}

/// Reads the dotted name starting at token `i`: the name and the index after it.
pub(super) fn dotted_name(src: &str, toks: &[Token], mut i: usize) -> Option<(String, usize)> {
    let first = toks.get(i).filter(|t| t.kind == TokenKind::Name)?;
    let mut name = first.text(src).to_string();
    i += 1;
    while toks.get(i).is_some_and(|t| t.is_op(src, ".")) {
        let Some(n) = toks.get(i + 1).filter(|t| t.kind == TokenKind::Name) else {
            break;
        };
        name.push('.');
        name.push_str(n.text(src));
        i += 2;
    }
    Some((name, i))
}

/// Index of the `)`, `]` or `}` closing the bracket opened at token `open`, if any.
pub(super) fn matching_close(toks: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            TokenKind::Newline => return None,
            _ => {}
        }
    }
    None
}

fn next_newline(toks: &[Token], mut i: usize) -> usize {
    while toks.get(i).is_some_and(|t| t.kind != TokenKind::Newline) {
        i += 1;
    }
    i
}

/// Every run of decorators in the file with the definition that follows it.
pub(super) fn decorated_definitions(src: &str, toks: &[Token], diagnostics: &mut Vec<Diagnostic>) -> Vec<Decorated> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !(toks[i].line_start && toks[i].is_op(src, "@")) {
            i += 1;
            continue;
        }
        let mut decorators = Vec::new();
        while toks.get(i).is_some_and(|t| t.line_start && t.is_op(src, "@")) {
            let at = toks[i];
            let mut end = at.span.end as usize;
            let mut args = None;
            let mut next = i + 1;
            let name = match dotted_name(src, toks, i + 1) {
                Some((name, after)) => {
                    end = toks[after - 1].span.end as usize;
                    next = after;
                    if toks.get(after).is_some_and(|t| t.is_op(src, "(")) {
                        let mut reader = ExprReader::new(src, toks, after);
                        let (a, call_end) = reader.read_call_args();
                        diagnostics.append(&mut reader.diagnostics);
                        args = Some(a);
                        end = call_end;
                        next = reader.pos;
                    }
                    name
                }
                None => String::new(),
            };
            decorators.push(Decorator { name, span: Span::new(at.span.start as usize, end), args });
            i = next_newline(toks, next.max(i + 1)) + 1;
        }
        let mut d = Decorated { decorators, def_at: None, def_name: None, params_open: None };
        let mut j = i;
        if toks.get(j).is_some_and(|t| t.is_name(src, "async")) {
            j += 1;
        }
        if toks.get(j).is_some_and(|t| t.is_name(src, "def")) {
            d.def_at = Some(i);
            d.def_name = toks.get(j + 1).copied().filter(|t| t.kind == TokenKind::Name);
            if toks.get(j + 2).is_some_and(|t| t.is_op(src, "(")) && d.def_name.is_some() {
                d.params_open = Some(j + 2);
            }
        }
        out.push(d);
    }
    out
}

/// The names under which this file can refer to SQLMesh's decorator `attr` (`model` or
/// `macro`): `attr` itself (unless imported from another package), aliases imported from
/// `sqlmesh...`, and `sqlmesh.attr` (or its alias) for `import sqlmesh`.
pub(super) fn sqlmesh_decorator_names(src: &str, toks: &[Token], attr: &str) -> Vec<String> {
    let mut names = vec![format!("sqlmesh.{attr}")];
    let mut bare_from_sqlmesh = false;
    let mut bare_from_elsewhere = false;
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        if !t.line_start {
            i += 1;
            continue;
        }
        if t.is_name(src, "from") {
            let Some((module, mut j)) = dotted_name(src, toks, i + 1) else {
                i += 1;
                continue;
            };
            if !toks.get(j).is_some_and(|t| t.is_name(src, "import")) {
                i = j;
                continue;
            }
            j += 1;
            let is_sqlmesh = module == "sqlmesh" || module.starts_with("sqlmesh.");
            while let Some(t) = toks.get(j).filter(|t| t.kind != TokenKind::Newline) {
                if t.kind == TokenKind::Name && t.text(src) != "as" {
                    let imported = t.text(src);
                    let alias = toks
                        .get(j + 1)
                        .filter(|a| a.is_name(src, "as"))
                        .and_then(|_| toks.get(j + 2))
                        .filter(|a| a.kind == TokenKind::Name);
                    let bound = alias.map_or(imported, |a| a.text(src));
                    if imported == attr && is_sqlmesh {
                        names.push(bound.to_string());
                        bare_from_sqlmesh |= bound == attr;
                    } else if bound == attr {
                        bare_from_elsewhere = true;
                    }
                    if alias.is_some() {
                        j += 2;
                    }
                }
                j += 1;
            }
            i = j;
        } else if t.is_name(src, "import") {
            let mut j = i + 1;
            while let Some((module, after)) = dotted_name(src, toks, j) {
                j = after;
                let mut bound = module.clone();
                let alias = toks.get(j + 1).filter(|a| a.kind == TokenKind::Name);
                if let (true, Some(a)) = (toks.get(j).is_some_and(|t| t.is_name(src, "as")), alias) {
                    bound = a.text(src).to_string();
                    j += 2;
                }
                if module == "sqlmesh" {
                    names.push(format!("{bound}.{attr}"));
                }
                if !toks.get(j).is_some_and(|t| t.is_op(src, ",")) {
                    break;
                }
                j += 1;
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    if bare_from_sqlmesh || !bare_from_elsewhere {
        names.push(attr.to_string());
    }
    names
}
