//! The `MODEL (...)` and `AUDIT (...)` blocks: `key value` pairs separated by commas.
//!
//! SQLMesh parses these with sqlglot into properties whose values are arbitrary expressions
//! (`kind INCREMENTAL_BY_TIME_RANGE (time_column ds)`, `columns (id INT)`, `audits
//! (not_null(columns := (id)))`, `grain [a, b]`). meshls keeps the same shape generically:
//! a property is a key and a sequence of atoms; typed readers live on [`Values`].

use super::lexer::{Token, TokenKind};
use super::span::{Diagnostic, Span, Spanned};
use serde::Serialize;

/// Deeper nesting than this is reported rather than followed.
const MAX_DEPTH: usize = 64;

/// One part of a dotted name, with whether it was quoted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamePart {
    /// The identifier without its quotes.
    pub text: String,
    pub quoted: bool,
    pub span: Span,
}

/// An atom of a property value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    pub span: Span,
    pub kind: ValueKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ValueKind {
    /// A string literal, unquoted.
    Str(String),
    Number(String),
    /// A (possibly dotted) name: `ds`, `sushi.orders`, `"Shop"."Orders"`, `TRUE`.
    Name(Vec<NamePart>),
    /// `@var` or `@{var}`, as written.
    Macro(String),
    /// `name(...)`: a kind with properties, a function, a type like `DECIMAL(10, 2)`.
    Call {
        name: Vec<NamePart>,
        args: Vec<Values>,
        /// From `(` to `)` (or the end of what was read): the value when `key (...)` is read
        /// as a property.
        parens: Span,
    },
    /// `(...)`
    Tuple(Vec<Values>),
    /// `[...]`
    Array(Vec<Values>),
    /// An operator: `=`, `:=`, `::`, `-`, `<`, ...
    Op(String),
    /// Anything else, kept as text.
    Other(String),
}

/// The atoms of one comma-separated item.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Values {
    pub span: Span,
    pub atoms: Vec<Value>,
}

/// `key value` in a block or in a kind's parentheses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Property {
    /// The key as written.
    pub key: Spanned<String>,
    pub value: Values,
    /// The key and its value.
    pub span: Span,
}

/// A parsed `MODEL (...)`/`AUDIT (...)` block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    /// From the keyword to the closing parenthesis (or the end of what was read).
    pub span: Span,
    pub keyword: Spanned<String>,
    pub properties: Vec<Property>,
}

impl NamePart {
    /// Joins parts as written, quoting quoted parts with `"`.
    pub fn join(parts: &[NamePart]) -> String {
        let mut out = String::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            if part.quoted {
                out.push('"');
                out.push_str(&part.text.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(&part.text);
            }
        }
        out
    }
}

impl Values {
    /// The single atom of this item, if it has exactly one.
    pub fn single(&self) -> Option<&Value> {
        match self.atoms.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// A string, name, number or macro read as text (`'@daily'` → `@daily`, `sushi.orders` →
    /// `sushi.orders`); None for structured values.
    pub fn as_text(&self) -> Option<Spanned<String>> {
        let value = self.single()?;
        let text = match &value.kind {
            ValueKind::Str(s) | ValueKind::Number(s) | ValueKind::Macro(s) => s.clone(),
            ValueKind::Name(parts) => NamePart::join(parts),
            _ => return None,
        };
        Some(Spanned::new(text, value.span))
    }

    /// A dotted name, if this item is one (strings holding a name are accepted, as SQLMesh does).
    pub fn as_name(&self) -> Option<(Vec<NamePart>, Span)> {
        let value = self.single()?;
        match &value.kind {
            ValueKind::Name(parts) => Some((parts.clone(), value.span)),
            ValueKind::Str(s) => {
                let inner = Span::new(
                    value.span.start as usize + 1,
                    (value.span.end as usize).saturating_sub(1).max(value.span.start as usize + 1),
                );
                Some((split_name(s, inner), value.span))
            }
            _ => None,
        }
    }

    /// The items of a list value: `(a, b)` and `[a, b]` give their items, a lone value itself.
    pub fn items(&self) -> Vec<&Values> {
        match self.single().map(|v| &v.kind) {
            Some(ValueKind::Tuple(items) | ValueKind::Array(items)) => items.iter().collect(),
            _ if self.atoms.is_empty() => Vec::new(),
            _ => vec![self],
        }
    }

    /// A parenthesized list of `key value` pairs (`(time_column ds, batch_size 10)`).
    pub fn as_properties(&self) -> Vec<Property> {
        match self.single().map(|v| &v.kind) {
            Some(ValueKind::Tuple(items)) => properties_of(items),
            _ => Vec::new(),
        }
    }

    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        self.span.text(source)
    }
}

/// Reads comma-separated items as `key value` properties; items not starting with a name are
/// skipped (the caller reports shape errors it cares about).
pub fn properties_of(items: &[Values]) -> Vec<Property> {
    items
        .iter()
        .filter_map(|item| {
            let first = item.atoms.first()?;
            let key = match &first.kind {
                ValueKind::Name(parts) if parts.len() == 1 => Spanned::new(parts[0].text.clone(), first.span),
                // `key(...)` glued to its value, as in `time_column(ds, '%Y')`.
                ValueKind::Call { name, args, parens } if name.len() == 1 => {
                    let value = Values {
                        span: *parens,
                        atoms: vec![Value { span: *parens, kind: ValueKind::Tuple(args.clone()) }],
                    };
                    return Some(Property {
                        key: Spanned::new(name[0].text.clone(), name[0].span),
                        value,
                        span: item.span,
                    });
                }
                _ => return None,
            };
            let rest = &item.atoms[1..];
            let span = match (rest.first(), rest.last()) {
                (Some(a), Some(b)) => a.span.cover(b.span),
                _ => Span::at(first.span.end as usize),
            };
            Some(Property { key, value: Values { span, atoms: rest.to_vec() }, span: item.span })
        })
        .collect()
}

/// Splits a dotted name written inside a string (`'db.tbl'`); `base` is the span of its text.
fn split_name(text: &str, base: Span) -> Vec<NamePart> {
    let mut parts = Vec::new();
    let mut offset = base.start as usize;
    for piece in text.split('.') {
        let (inner, quoted) = match piece.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
            Some(inner) => (inner, true),
            None => (piece, false),
        };
        parts.push(NamePart { text: inner.to_string(), quoted, span: Span::new(offset, offset + piece.len()) });
        offset += piece.len() + 1;
    }
    parts
}

/// Parses a block starting at `tokens[0]` (the keyword; trivia already removed). Returns the
/// block and the number of tokens consumed; problems are pushed to `diagnostics`.
pub fn parse_block(text: &str, tokens: &[Token], diagnostics: &mut Vec<Diagnostic>) -> (Block, usize) {
    let keyword = Spanned::new(tokens[0].text(text).to_string(), tokens[0].span);
    let mut parser = Parser { text, tokens, pos: 1, diagnostics, depth: 0 };
    let mut properties = Vec::new();
    let mut end = keyword.span.end as usize;
    if parser.peek_kind() == Some(TokenKind::LParen) {
        let open = parser.tokens[1].span;
        parser.pos += 1;
        let (items, close) = parser.items(TokenKind::RParen, open);
        end = close.end as usize;
        for item in &items {
            if item.atoms.is_empty() {
                continue;
            }
            match properties_of(std::slice::from_ref(item)).pop() {
                Some(property) => properties.push(property),
                None => parser.diagnostics.push(Diagnostic::error(
                    "model-block",
                    item.span,
                    format!("expected `property value` in the {} block", keyword.value.to_uppercase()),
                )),
            }
        }
    } else {
        parser.diagnostics.push(Diagnostic::error(
            "model-block",
            keyword.span,
            format!("expected `(` after {}", keyword.value.to_uppercase()),
        ));
    }
    let consumed = parser.pos;
    (Block { span: Span::new(keyword.span.start as usize, end), keyword, properties }, consumed)
}

struct Parser<'a, 'd> {
    text: &'a str,
    tokens: &'a [Token],
    pos: usize,
    diagnostics: &'d mut Vec<Diagnostic>,
    depth: usize,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.pos).copied()
    }

    fn peek_kind(&self) -> Option<TokenKind> {
        self.peek().map(|t| t.kind)
    }

    /// Comma-separated items up to `close`; returns them and the span of the closing token
    /// (or of the last token read, after reporting, when the text ends first).
    fn items(&mut self, close: TokenKind, open: Span) -> (Vec<Values>, Span) {
        let mut items = Vec::new();
        let mut current = Values { span: Span::at(open.end as usize), atoms: Vec::new() };
        loop {
            let Some(token) = self.peek() else {
                self.diagnostics.push(Diagnostic::error("model-block", open, "unclosed `(`: the block never ends"));
                let last = self.tokens.last().map_or(open, |t| t.span);
                finish(&mut items, current);
                return (items, last);
            };
            match token.kind {
                k if k == close => {
                    self.pos += 1;
                    finish(&mut items, current);
                    return (items, token.span);
                }
                TokenKind::Comma => {
                    self.pos += 1;
                    finish(&mut items, std::mem::take(&mut current));
                    current.span = Span::at(token.span.end as usize);
                }
                TokenKind::RParen | TokenKind::RBracket | TokenKind::Semicolon => {
                    // A closer that is not ours: the block is broken here. Stop without eating it
                    // unless it is a stray `)`/`]` inside a healthy item.
                    self.diagnostics.push(Diagnostic::error(
                        "model-block",
                        token.span,
                        format!("unexpected `{}`", token.text(self.text)),
                    ));
                    finish(&mut items, current);
                    return (items, token.span);
                }
                _ => {
                    if let Some(value) = self.atom() {
                        current.span =
                            if current.atoms.is_empty() { value.span } else { current.span.cover(value.span) };
                        current.atoms.push(value);
                    }
                }
            }
        }
    }

    fn atom(&mut self) -> Option<Value> {
        let token = self.peek()?;
        let text = token.text(self.text);
        let kind = match token.kind {
            TokenKind::String => {
                self.pos += 1;
                ValueKind::Str(unquote_string(text))
            }
            TokenKind::Number => {
                self.pos += 1;
                ValueKind::Number(text.to_string())
            }
            TokenKind::Macro => {
                self.pos += 1;
                if self.peek_kind() == Some(TokenKind::LParen) {
                    let name = vec![NamePart { text: text.to_string(), quoted: false, span: token.span }];
                    return Some(self.call(name, token.span));
                }
                ValueKind::Macro(text.to_string())
            }
            TokenKind::Ident | TokenKind::QuotedIdent => {
                let parts = self.name();
                let span = parts[0].span.cover(parts[parts.len() - 1].span);
                if self.peek_kind() == Some(TokenKind::LParen) {
                    return Some(self.call(parts, span));
                }
                return Some(Value { span, kind: ValueKind::Name(parts) });
            }
            TokenKind::LParen | TokenKind::LBracket => {
                let close = if token.kind == TokenKind::LParen { TokenKind::RParen } else { TokenKind::RBracket };
                let (items, end) = self.nested(close, token.span)?;
                let span = token.span.cover(end);
                let kind = if close == TokenKind::RParen { ValueKind::Tuple(items) } else { ValueKind::Array(items) };
                return Some(Value { span, kind });
            }
            TokenKind::Op | TokenKind::Dot => {
                self.pos += 1;
                ValueKind::Op(text.to_string())
            }
            _ => {
                self.pos += 1;
                ValueKind::Other(text.to_string())
            }
        };
        Some(Value { span: token.span, kind })
    }

    fn call(&mut self, name: Vec<NamePart>, name_span: Span) -> Value {
        let open = self.peek().map_or(name_span, |t| t.span);
        match self.nested(TokenKind::RParen, open) {
            Some((args, end)) => {
                Value { span: name_span.cover(end), kind: ValueKind::Call { name, args, parens: open.cover(end) } }
            }
            None => {
                Value { span: name_span.cover(open), kind: ValueKind::Call { name, args: Vec::new(), parens: open } }
            }
        }
    }

    /// Parses a bracketed group whose opener is at the cursor, within the depth limit.
    fn nested(&mut self, close: TokenKind, open: Span) -> Option<(Vec<Values>, Span)> {
        self.pos += 1;
        if self.depth >= MAX_DEPTH {
            self.diagnostics.push(Diagnostic::error("model-block", open, "nesting is too deep to read"));
            self.skip_group();
            return None;
        }
        self.depth += 1;
        let result = self.items(close, open);
        self.depth -= 1;
        Some(result)
    }

    /// Skips to the end of the group the cursor is in, counting brackets without recursion.
    fn skip_group(&mut self) {
        let mut depth = 1usize;
        while let Some(token) = self.peek() {
            self.pos += 1;
            match token.kind {
                TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RParen | TokenKind::RBracket => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// A dotted name at the cursor (at least one part).
    fn name(&mut self) -> Vec<NamePart> {
        if let Some(parts) = self.hyphenated_name() {
            return parts;
        }
        let mut parts = Vec::new();
        while let Some(token) = self.peek() {
            let part = match token.kind {
                TokenKind::Ident => {
                    NamePart { text: token.text(self.text).to_string(), quoted: false, span: token.span }
                }
                TokenKind::QuotedIdent => {
                    NamePart { text: unquote_ident(token.text(self.text)), quoted: true, span: token.span }
                }
                TokenKind::Macro if !parts.is_empty() => {
                    NamePart { text: token.text(self.text).to_string(), quoted: false, span: token.span }
                }
                _ => break,
            };
            parts.push(part);
            self.pos += 1;
            let dot = self.peek_kind() == Some(TokenKind::Dot);
            let next_is_part = matches!(
                self.tokens.get(self.pos + 1).map(|t| t.kind),
                Some(TokenKind::Ident | TokenKind::QuotedIdent | TokenKind::Macro)
            );
            if !(dot && next_is_part) {
                break;
            }
            self.pos += 1;
        }
        parts
    }
}

impl Parser<'_, '_> {
    /// BigQuery's unquoted project with dashes, `my-project-123.dataset.table`, which sqlglot
    /// reads as one identifier per dotted part (the tokens split it at `-` and numbers): the
    /// name is re-read from the text when a `-` is glued to the first word.
    fn hyphenated_name(&mut self) -> Option<Vec<NamePart>> {
        let first = self.peek().filter(|t| t.kind == TokenKind::Ident)?;
        let dash = self.tokens.get(self.pos + 1)?;
        if dash.span.start != first.span.end || dash.text(self.text) != "-" {
            return None;
        }
        let bytes = self.text.as_bytes();
        let start = first.span.start as usize;
        let mut end = start;
        while end < bytes.len() {
            match bytes[end] {
                b'@' if bytes.get(end + 1) == Some(&b'{') => {
                    end += bytes[end..].iter().position(|&b| b == b'}').map_or(bytes.len() - end, |close| close + 1);
                }
                b if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'@' | b'$') => end += 1,
                _ => break,
            }
        }
        while end > start && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        // The name must end where a token ends, or it is not one name.
        let last = self.tokens[self.pos..].iter().position(|t| t.span.end as usize == end)?;
        let mut parts = Vec::new();
        let mut at = start;
        for piece in self.text[start..end].split('.') {
            parts.push(NamePart { text: piece.to_string(), quoted: false, span: Span::new(at, at + piece.len()) });
            at += piece.len() + 1;
        }
        if parts.iter().any(|p| p.text.is_empty()) {
            return None;
        }
        self.pos += last + 1;
        Some(parts)
    }
}

fn finish(items: &mut Vec<Values>, current: Values) {
    if !current.atoms.is_empty() {
        items.push(current);
    }
}

/// The content of a string literal token: quotes removed, doubled quotes and common backslash
/// escapes undone.
pub fn unquote_string(text: &str) -> String {
    let body = if let Some(rest) = text.strip_prefix("$$") {
        return rest.strip_suffix("$$").unwrap_or(rest).to_string();
    } else {
        let start = text.find('\'').map_or(0, |i| i + 1);
        let end = if text.len() > start && text.ends_with('\'') { text.len() - 1 } else { text.len() };
        &text[start..end.max(start)]
    };
    body.replace("''", "'").replace("\\'", "'")
}

/// The content of a quoted identifier token: `"a""b"` → `a"b`, `` `x` `` → `x`, `[x]` → `x`.
pub fn unquote_ident(text: &str) -> String {
    let Some(open) = text.chars().next() else { return String::new() };
    let close = if open == '[' { ']' } else { open };
    let inner = &text[open.len_utf8()..];
    let inner = inner.strip_suffix(close).unwrap_or(inner);
    let doubled: String = [close, close].iter().collect();
    inner.replace(&doubled, &close.to_string())
}
