//! A tolerant Python tokenizer: enough of Python's lexical grammar to read decorators,
//! literals and call sites out of model, macro and config files without running them.
//!
//! It never fails: an unterminated string becomes a token that runs to the end of its line
//! (or of the file, for triple quotes) plus a diagnostic. Indentation is not tracked; a
//! [`Token::line_start`] flag and [`line_indent`] are enough for the readers built on it.
//! f-strings are split the way Python 3.12 does (`FStringStart`, literal `FStringMiddle`
//! parts, ordinary tokens for each replacement field, `FStringEnd`), so calls written inside
//! `{...}` — `context.resolve_table('x')` in an f-string query — are visible as tokens.

use serde::Serialize;

use super::super::span::{Diagnostic, Span};

/// f-strings nested deeper than this inside replacement fields are read as plain text.
const MAX_FSTRING_NESTING: usize = 64;

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TokenKind {
    /// An identifier or keyword (`def`, `model`, `True`, `None`, ...).
    Name,
    /// A numeric literal as written (`1_000`, `0x1f`, `1e-3`, `2j`).
    Number,
    /// A complete non-f string literal, prefix and quotes included.
    Str {
        /// Length in bytes of the prefix (`r`, `b`, `rb`, `u`, ...).
        prefix_len: u8,
        /// 1 for `'`/`"`, 3 for triple quotes.
        quote_len: u8,
        /// Whether the closing quote was found.
        terminated: bool,
        /// Whether the prefix contains `r` (no escape processing).
        raw: bool,
        /// Whether the prefix contains `b`.
        bytes: bool,
    },
    /// The prefix and opening quote of an f-string (or t-string).
    FStringStart,
    /// A literal run inside an f-string or a format spec; `{{`/`}}` still doubled.
    FStringMiddle,
    /// The closing quote of an f-string; empty when the f-string is unterminated.
    FStringEnd,
    /// An operator or delimiter other than a bracket (`.`, `,`, `=`, `**`, `->`, `@`, ...).
    Op,
    /// `(`, `[` or `{`.
    Open,
    /// `)`, `]` or `}`.
    Close,
    /// The end of a logical line (outside brackets and strings).
    Newline,
}

/// One token with its byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Where it is, in bytes.
    pub span: Span,
    /// Whether this is the first token of a logical line.
    pub line_start: bool,
}

impl Token {
    /// The source text of this token.
    pub fn text(self, src: &str) -> &str {
        self.span.text(src)
    }

    /// Whether this is the name `name`.
    pub fn is_name(self, src: &str, name: &str) -> bool {
        self.kind == TokenKind::Name && self.text(src) == name
    }

    /// Whether this is the operator, delimiter or bracket `op`.
    pub fn is_op(self, src: &str, op: &str) -> bool {
        matches!(self.kind, TokenKind::Op | TokenKind::Open | TokenKind::Close) && self.text(src) == op
    }
}

/// The tokens of one Python file and the lexical problems found in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lexed {
    /// The tokens, in file order; comments and whitespace are left out.
    pub tokens: Vec<Token>,
    /// Unterminated strings and unclosed brackets.
    pub diagnostics: Vec<Diagnostic>,
}

/// Operators, longest first so the first match is the longest.
const OPERATORS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "**", "//", "<<", ">>", "+=", "-=", "*=",
    "/=", "%=", "&=", "|=", "^=", "@=",
];

/// The column (in bytes) of the line that contains `offset`.
pub fn line_indent(src: &str, offset: usize) -> usize {
    let before = src.as_bytes().get(..offset).unwrap_or(src.as_bytes());
    match before.iter().rposition(|&b| b == b'\n') {
        Some(nl) => offset - nl - 1,
        None => offset,
    }
}

/// Where the lexer is: plain code, the literal part of an f-string, a replacement field,
/// or a format spec after `:` in a field.
#[derive(Debug, Clone, Copy)]
enum Frame {
    FStr { quote: u8, triple: bool, start: usize },
    Field { depth: u32 },
    Spec,
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    out: Vec<Token>,
    diagnostics: Vec<Diagnostic>,
    stack: Vec<Frame>,
    /// Offsets of the brackets open in plain code.
    open: Vec<usize>,
    at_line_start: bool,
}

/// Splits `src` into tokens. Never fails; see the module documentation.
pub fn tokenize(src: &str) -> Lexed {
    let mut lx = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        out: Vec::new(),
        diagnostics: Vec::new(),
        stack: Vec::new(),
        open: Vec::new(),
        at_line_start: true,
    };
    lx.run();
    Lexed { tokens: lx.out, diagnostics: lx.diagnostics }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: TokenKind, start: usize, end: usize) {
        let line_start = self.at_line_start && kind != TokenKind::Newline;
        if kind != TokenKind::Newline {
            self.at_line_start = false;
        }
        self.out.push(Token { kind, span: Span::new(start, end), line_start });
    }

    /// Moves past one character, which may be several bytes long.
    fn bump_char(&mut self) {
        self.pos += 1;
        while self.pos < self.bytes.len() && !self.src.is_char_boundary(self.pos) {
            self.pos += 1;
        }
    }

    fn run(&mut self) {
        // A UTF-8 byte order mark is not part of the first line.
        if self.src.starts_with('\u{feff}') {
            self.pos = '\u{feff}'.len_utf8();
        }
        while self.pos < self.bytes.len() {
            match self.stack.last().copied() {
                Some(Frame::FStr { quote, triple, start }) => self.fstring_literal(quote, triple, start, false),
                Some(Frame::Spec) => match self.enclosing_fstring() {
                    Some((quote, triple, start)) => self.fstring_literal(quote, triple, start, true),
                    None => {
                        self.stack.pop();
                    }
                },
                Some(Frame::Field { .. }) | None => self.code(),
            }
        }
        // Whatever is still open at the end of the file is unterminated.
        if self.stack.is_empty() {
            self.unclosed_bracket();
        }
        while let Some(frame) = self.stack.pop() {
            if let Frame::FStr { start, .. } = frame {
                self.unterminated(start, self.bytes.len());
                self.push(TokenKind::FStringEnd, self.bytes.len(), self.bytes.len());
            }
        }
    }

    fn enclosing_fstring(&self) -> Option<(u8, bool, usize)> {
        self.stack.iter().rev().find_map(|f| match *f {
            Frame::FStr { quote, triple, start } => Some((quote, triple, start)),
            _ => None,
        })
    }

    fn unterminated(&mut self, start: usize, end: usize) {
        self.diagnostics.push(Diagnostic::error("python-syntax", Span::new(start, end), "unterminated string literal"));
    }

    /// Closes the innermost f-string and everything opened inside it.
    fn close_fstring(&mut self, end_start: usize, end_end: usize) {
        while let Some(frame) = self.stack.pop() {
            if matches!(frame, Frame::FStr { .. }) {
                break;
            }
        }
        self.push(TokenKind::FStringEnd, end_start, end_end);
    }

    /// Reads literal text of an f-string (or of a format spec when `spec`) up to a field,
    /// the closing quote, or the end of a single-quoted line.
    fn fstring_literal(&mut self, quote: u8, triple: bool, start: usize, spec: bool) {
        let lit_start = self.pos;
        loop {
            let b = self.peek(0);
            if self.pos >= self.bytes.len() {
                self.flush_middle(lit_start);
                return;
            }
            if b == quote && (!triple || (self.peek(1) == quote && self.peek(2) == quote)) {
                self.flush_middle(lit_start);
                let qlen = if triple { 3 } else { 1 };
                self.close_fstring(self.pos, self.pos + qlen);
                self.pos += qlen;
                return;
            }
            if (b == b'\n' || b == b'\r') && !triple {
                self.flush_middle(lit_start);
                self.unterminated(start, self.pos);
                self.close_fstring(self.pos, self.pos);
                return;
            }
            if b == b'\\' && !matches!(self.peek(1), b'{' | b'}') {
                // Even in raw f-strings a backslash keeps the next quote from closing.
                self.pos += 1;
                if self.pos < self.bytes.len() {
                    self.bump_char();
                }
                continue;
            }
            if b == b'{' {
                if !spec && self.peek(1) == b'{' {
                    self.pos += 2;
                    continue;
                }
                self.flush_middle(lit_start);
                self.pos += 1;
                if self.stack.len() < MAX_FSTRING_NESTING {
                    self.stack.push(Frame::Field { depth: 0 });
                }
                return;
            }
            if b == b'}' {
                if spec {
                    // The end of the spec is also the end of its field.
                    self.flush_middle(lit_start);
                    self.pos += 1;
                    self.stack.pop();
                    if matches!(self.stack.last(), Some(Frame::Field { .. })) {
                        self.stack.pop();
                    }
                    return;
                }
                self.pos += if self.peek(1) == b'}' { 2 } else { 1 };
                continue;
            }
            self.bump_char();
        }
    }

    fn flush_middle(&mut self, lit_start: usize) {
        if self.pos > lit_start {
            self.push(TokenKind::FStringMiddle, lit_start, self.pos);
        }
    }

    /// Reads one token (or skips whitespace/comments) in code, including replacement fields.
    fn code(&mut self) {
        let b = self.peek(0);
        let start = self.pos;
        match b {
            b' ' | b'\t' | b'\x0c' => self.pos += 1,
            b'\r' | b'\n' => {
                self.pos += if b == b'\r' && self.peek(1) == b'\n' { 2 } else { 1 };
                if let Some((_, false, fstart)) = self.in_field_of() {
                    // A single-quoted f-string cannot span lines: give up on it.
                    self.unterminated(fstart, start);
                    self.close_fstring(start, start);
                } else if self.stack.is_empty() && !self.open.is_empty() && self.statement_follows() {
                    // Recover from an unclosed bracket (often one being typed) at the next
                    // line that can only start a statement, so later definitions stay visible.
                    self.unclosed_bracket();
                    self.push(TokenKind::Newline, start, self.pos);
                    self.at_line_start = true;
                } else if self.stack.is_empty() && self.open.is_empty() && !self.at_line_start {
                    self.push(TokenKind::Newline, start, self.pos);
                    self.at_line_start = true;
                }
            }
            b'#' => {
                while self.pos < self.bytes.len() && !matches!(self.peek(0), b'\n' | b'\r') {
                    self.pos += 1;
                }
            }
            b'\\' if matches!(self.peek(1), b'\n' | b'\r') => {
                self.pos += 1;
                self.pos += if self.peek(0) == b'\r' && self.peek(1) == b'\n' { 2 } else { 1 };
            }
            b'0'..=b'9' => self.number(),
            b'.' if self.peek(1).is_ascii_digit() => self.number(),
            b'"' | b'\'' => self.string(start, start),
            _ if is_ident_start(b) => {
                while self.pos < self.bytes.len() && is_ident_continue(self.peek(0)) {
                    self.pos += 1;
                }
                let q = self.peek(0);
                let word = &self.bytes[start..self.pos];
                if (q == b'"' || q == b'\'') && is_string_prefix(word) {
                    self.string(start, self.pos);
                } else {
                    self.push(TokenKind::Name, start, self.pos);
                }
            }
            b'(' | b'[' | b'{' => {
                self.pos += 1;
                self.push(TokenKind::Open, start, self.pos);
                self.enter();
            }
            b')' | b']' | b'}' => {
                if b == b'}' && matches!(self.stack.last(), Some(Frame::Field { depth: 0 })) {
                    self.pos += 1;
                    self.stack.pop();
                    return;
                }
                self.pos += 1;
                self.push(TokenKind::Close, start, self.pos);
                self.leave();
            }
            b':' if matches!(self.stack.last(), Some(Frame::Field { depth: 0 })) => {
                self.pos += 1;
                self.stack.push(Frame::Spec);
            }
            _ => {
                let rest = &self.bytes[self.pos..];
                let len = OPERATORS.iter().find(|op| rest.starts_with(op.as_bytes())).map_or(1, |op| op.len());
                self.pos += len;
                self.push(TokenKind::Op, start, self.pos);
            }
        }
    }

    /// The f-string enclosing the current replacement field, if the lexer is in one.
    fn in_field_of(&self) -> Option<(u8, bool, usize)> {
        if matches!(self.stack.last(), Some(Frame::Field { .. })) { self.enclosing_fstring() } else { None }
    }

    fn enter(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Field { depth }) => *depth += 1,
            _ => self.open.push(self.pos - 1),
        }
    }

    fn leave(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Field { depth }) => *depth = depth.saturating_sub(1),
            _ => {
                self.open.pop();
            }
        }
    }

    /// Whether the line starting at `self.pos` begins, at column 0, with something that can
    /// only be a statement: `def`, `class`, `async def`, `from`, `import`, `@decorator`.
    fn statement_follows(&self) -> bool {
        let rest = &self.bytes[self.pos..];
        ["def ", "class ", "async def ", "from ", "import "].iter().any(|k| rest.starts_with(k.as_bytes()))
            || (rest.first() == Some(&b'@') && rest.get(1).is_some_and(|&b| is_ident_start(b)))
    }

    fn unclosed_bracket(&mut self) {
        if let Some(&first) = self.open.first() {
            let msg = "this bracket is never closed";
            self.diagnostics.push(Diagnostic::error("python-syntax", Span::new(first, first + 1), msg));
        }
        self.open.clear();
    }

    fn number(&mut self) {
        let start = self.pos;
        let hex = self.peek(0) == b'0' && matches!(self.peek(1), b'x' | b'X' | b'o' | b'O' | b'b' | b'B');
        while self.pos < self.bytes.len() {
            let b = self.peek(0);
            let after_exponent = self.pos > start && matches!(self.bytes[self.pos - 1], b'e' | b'E');
            let sign = (b == b'+' || b == b'-') && !hex && after_exponent;
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || sign {
                self.pos += 1;
            } else {
                break;
            }
        }
        self.push(TokenKind::Number, start, self.pos);
    }

    /// Reads a string whose prefix starts at `start` and whose quote is at `quote_at`.
    fn string(&mut self, start: usize, quote_at: usize) {
        let prefix = self.src.get(start..quote_at).unwrap_or("").to_ascii_lowercase();
        let raw = prefix.contains('r');
        let quote = self.bytes[quote_at];
        self.pos = quote_at;
        let triple = self.peek(1) == quote && self.peek(2) == quote;
        let qlen = if triple { 3 } else { 1 };
        self.pos += qlen;
        if prefix.contains('f') || prefix.contains('t') {
            self.push(TokenKind::FStringStart, start, self.pos);
            self.stack.push(Frame::FStr { quote, triple, start });
            return;
        }
        let mut terminated = false;
        while self.pos < self.bytes.len() {
            let b = self.peek(0);
            if b == quote && (!triple || (self.peek(1) == quote && self.peek(2) == quote)) {
                self.pos += qlen;
                terminated = true;
                break;
            }
            if (b == b'\n' || b == b'\r') && !triple {
                break;
            }
            if b == b'\\' {
                // Even raw strings cannot end in an odd backslash before the quote.
                self.pos += 1;
                if self.pos < self.bytes.len() {
                    if self.peek(0) == b'\r' && self.peek(1) == b'\n' {
                        self.pos += 1;
                    }
                    self.bump_char();
                }
                continue;
            }
            self.bump_char();
        }
        if !terminated {
            self.unterminated(start, self.pos);
        }
        let kind = TokenKind::Str {
            prefix_len: (quote_at - start) as u8,
            quote_len: qlen as u8,
            terminated,
            raw,
            bytes: prefix.contains('b'),
        };
        self.push(kind, start, self.pos);
    }
}

fn is_string_prefix(word: &[u8]) -> bool {
    if word.is_empty() || word.len() > 2 {
        return false;
    }
    let lower: Vec<u8> = word.iter().map(u8::to_ascii_lowercase).collect();
    matches!(lower.as_slice(), b"r" | b"u" | b"b" | b"f" | b"t" | b"br" | b"rb" | b"fr" | b"rf" | b"tr" | b"rt")
}
