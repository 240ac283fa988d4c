//! A SQL tokenizer for SQLMesh files that never fails.
//!
//! It knows what sqlparser does not: `@macro` and `@{var}` tokens, Jinja delimiters, and the
//! quoting of every dialect at once. The MODEL block parser, the statement splitter, macro
//! masking and the token-level fallback pass all read its output.

use super::span::Span;

/// What a token is. Trivia (white space, comments) is kept so that callers can rebuild text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: keyword or identifier. May contain `@{var}` interpolations (`tbl_@{x}`).
    Ident,
    /// `"x"`, `` `x` `` or (T-SQL) `[x]`.
    QuotedIdent,
    /// `'x'`, `E'x'`, `$$x$$`, `$tag$x$tag$`.
    String,
    Number,
    /// `@name` or `@{name}`.
    Macro,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semicolon,
    Dot,
    /// Any other operator or punctuation: `=`, `::`, `:=`, `->`, `<=`, ...
    Op,
    /// `{{ ... }}`
    JinjaExpr,
    /// `{% ... %}`
    JinjaStmt,
    /// `{# ... #}`
    JinjaComment,
    Whitespace,
    Comment,
    /// A string, quoted identifier or comment that runs to the end of the text.
    Unterminated,
    /// A byte sequence that starts no token (kept so that every byte belongs to a token).
    Unknown,
}

impl TokenKind {
    pub fn is_trivia(self) -> bool {
        matches!(self, TokenKind::Whitespace | TokenKind::Comment | TokenKind::JinjaComment)
    }
}

/// One token: its kind and its byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

impl Token {
    pub fn text(self, text: &str) -> &str {
        self.span.text(text)
    }

    /// Whether this is the bare word `word` (ASCII case-insensitive).
    pub fn is_word(self, text: &str, word: &str) -> bool {
        self.kind == TokenKind::Ident && self.text(text).eq_ignore_ascii_case(word)
    }
}

/// Lexing options that depend on the dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct LexOptions {
    /// `[x]` is a quoted identifier (T-SQL) rather than an array bracket.
    pub bracket_identifiers: bool,
    /// A backslash escapes the next character inside strings (BigQuery, MySQL, Spark, ...).
    pub backslash_escapes: bool,
}

/// Every token of `text`, trivia included; their spans tile the text exactly.
pub fn tokenize(text: &str, options: LexOptions) -> Vec<Token> {
    let mut lexer = Lexer { bytes: text.as_bytes(), text, pos: 0, options, tokens: Vec::new() };
    lexer.run();
    lexer.tokens
}

/// The tokens of `text` without trivia.
pub fn tokenize_significant(text: &str, options: LexOptions) -> Vec<Token> {
    let mut tokens = tokenize(text, options);
    tokens.retain(|t| !t.kind.is_trivia());
    tokens
}

struct Lexer<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    options: LexOptions,
    tokens: Vec<Token>,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        // Keep every token on char boundaries: a multi-byte char is never split.
        while self.pos < self.bytes.len() && !self.text.is_char_boundary(self.pos) {
            self.pos += 1;
        }
        self.tokens.push(Token { kind, span: Span::new(start, self.pos) });
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let kind = self.next_kind();
            debug_assert!(self.pos > start);
            self.push(kind, start);
        }
    }

    fn next_kind(&mut self) -> TokenKind {
        let b = self.peek(0);
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0c => {
                while matches!(self.peek(0), b' ' | b'\t' | b'\n' | b'\r' | 0x0c) {
                    self.pos += 1;
                }
                TokenKind::Whitespace
            }
            b'-' if self.peek(1) == b'-' => self.line_comment(),
            b'/' if self.peek(1) == b'*' => {
                self.pos += 2;
                self.until(b"*/", TokenKind::Comment)
            }
            b'{' if self.peek(1) == b'{' => {
                self.pos += 2;
                self.until(b"}}", TokenKind::JinjaExpr)
            }
            b'{' if self.peek(1) == b'%' => {
                self.pos += 2;
                self.until(b"%}", TokenKind::JinjaStmt)
            }
            b'{' if self.peek(1) == b'#' => {
                self.pos += 2;
                self.until(b"#}", TokenKind::JinjaComment)
            }
            b'\'' => self.quoted(b'\'', TokenKind::String),
            b'"' => self.quoted(b'"', TokenKind::QuotedIdent),
            b'`' => self.quoted(b'`', TokenKind::QuotedIdent),
            b'[' if self.options.bracket_identifiers => self.quoted(b']', TokenKind::QuotedIdent),
            b'$' if self.dollar_tag().is_some() => self.dollar_string(),
            b'@' if self.peek(1) == b'{' || is_ident_start(self.peek(1)) => self.ident_like(TokenKind::Macro),
            b'0'..=b'9' => self.number(),
            b'.' if self.peek(1).is_ascii_digit() => self.number(),
            b'E' | b'e' | b'N' | b'n' | b'X' | b'x' | b'B' | b'b' | b'R' | b'r' if self.peek(1) == b'\'' => {
                self.pos += 1;
                self.quoted(b'\'', TokenKind::String)
            }
            _ if is_ident_start(b) || (b == b'@' && self.peek(1) == b'{') => self.ident_like(TokenKind::Ident),
            b'(' => self.one(TokenKind::LParen),
            b')' => self.one(TokenKind::RParen),
            b'[' => self.one(TokenKind::LBracket),
            b']' => self.one(TokenKind::RBracket),
            b'{' => self.one(TokenKind::LBrace),
            b'}' => self.one(TokenKind::RBrace),
            b',' => self.one(TokenKind::Comma),
            b';' => self.one(TokenKind::Semicolon),
            b'.' => self.one(TokenKind::Dot),
            _ if b.is_ascii_punctuation() => {
                // Greedy two-character operators: ::  :=  ->  =>  <=  >=  <>  !=  ||  ->>
                const TWO: [&[u8; 2]; 10] = [b"::", b":=", b"->", b"=>", b"<=", b">=", b"<>", b"!=", b"||", b"**"];
                let pair = [b, self.peek(1)];
                self.pos += if TWO.iter().any(|t| **t == pair) { 2 } else { 1 };
                TokenKind::Op
            }
            _ => {
                self.pos += 1;
                TokenKind::Unknown
            }
        }
    }

    fn one(&mut self, kind: TokenKind) -> TokenKind {
        self.pos += 1;
        kind
    }

    fn line_comment(&mut self) -> TokenKind {
        while self.pos < self.bytes.len() && self.peek(0) != b'\n' {
            self.pos += 1;
        }
        TokenKind::Comment
    }

    /// Consume through `end`; unterminated when the text ends first.
    fn until(&mut self, end: &[u8], kind: TokenKind) -> TokenKind {
        match find(&self.bytes[self.pos..], end) {
            Some(i) => {
                self.pos += i + end.len();
                kind
            }
            None => {
                self.pos = self.bytes.len();
                TokenKind::Unterminated
            }
        }
    }

    /// A quoted run whose closing quote is escaped by doubling it.
    fn quoted(&mut self, close: u8, kind: TokenKind) -> TokenKind {
        self.pos += 1;
        let escapes = self.options.backslash_escapes && kind == TokenKind::String;
        while self.pos < self.bytes.len() {
            let b = self.peek(0);
            if escapes && b == b'\\' {
                self.pos += 2;
                continue;
            }
            self.pos += 1;
            if b == close {
                if self.peek(0) == close {
                    self.pos += 1;
                    continue;
                }
                return kind;
            }
        }
        self.pos = self.bytes.len();
        TokenKind::Unterminated
    }

    /// The length of a `$tag$` opener at the cursor, if one is there.
    fn dollar_tag(&self) -> Option<usize> {
        let rest = &self.bytes[self.pos + 1..];
        let len = rest.iter().take_while(|b| is_ident_continue(**b) && **b != b'$').count();
        (rest.get(len) == Some(&b'$') && rest.first().is_none_or(|b| !b.is_ascii_digit())).then_some(len + 2)
    }

    fn dollar_string(&mut self) -> TokenKind {
        let tag_len = self.dollar_tag().unwrap_or(2);
        let tag = self.bytes[self.pos..self.pos + tag_len].to_vec();
        self.pos += tag_len;
        self.until(&tag, TokenKind::String)
    }

    fn number(&mut self) -> TokenKind {
        while self.peek(0).is_ascii_alphanumeric() || self.peek(0) == b'_' || self.peek(0) == b'.' {
            let exponent = matches!(self.peek(0), b'e' | b'E') && matches!(self.peek(1), b'+' | b'-');
            self.pos += if exponent { 2 } else { 1 };
        }
        TokenKind::Number
    }

    /// An identifier or macro, with `@{var}` interpolations glued in: `tbl_@{x}_v2`, `@{schema}`.
    fn ident_like(&mut self, kind: TokenKind) -> TokenKind {
        if self.peek(0) == b'@' {
            self.pos += 1;
        }
        loop {
            let b = self.peek(0);
            if b == b'@' && self.peek(1) == b'{' || b == b'{' && self.pos > 0 && self.bytes[self.pos - 1] == b'@' {
                let at = if b == b'@' { 2 } else { 1 };
                match find(&self.bytes[self.pos + at..], b"}") {
                    Some(i) => self.pos += at + i + 1,
                    None => {
                        self.pos = self.bytes.len();
                        return TokenKind::Unterminated;
                    }
                }
            } else if self.pos < self.bytes.len() && is_ident_continue(b) {
                self.pos += 1;
            } else {
                return kind;
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokenize_significant(text, LexOptions::default()).into_iter().map(|t| (t.kind, t.text(text))).collect()
    }

    #[test]
    fn macros_and_interpolation() {
        assert_eq!(
            kinds("SELECT @start_ds, tbl_@{x}_v, @{schema}.t, @IF(a, b)"),
            vec![
                (TokenKind::Ident, "SELECT"),
                (TokenKind::Macro, "@start_ds"),
                (TokenKind::Comma, ","),
                (TokenKind::Ident, "tbl_@{x}_v"),
                (TokenKind::Comma, ","),
                (TokenKind::Macro, "@{schema}"),
                (TokenKind::Dot, "."),
                (TokenKind::Ident, "t"),
                (TokenKind::Comma, ","),
                (TokenKind::Macro, "@IF"),
                (TokenKind::LParen, "("),
                (TokenKind::Ident, "a"),
                (TokenKind::Comma, ","),
                (TokenKind::Ident, "b"),
                (TokenKind::RParen, ")"),
            ]
        );
    }

    #[test]
    fn strings_comments_and_unterminated() {
        assert_eq!(
            kinds("'it''s' -- c\n$$a;b$$ x::int"),
            vec![
                (TokenKind::String, "'it''s'"),
                (TokenKind::String, "$$a;b$$"),
                (TokenKind::Ident, "x"),
                (TokenKind::Op, "::"),
                (TokenKind::Ident, "int"),
            ]
        );
        assert_eq!(kinds("'open"), vec![(TokenKind::Unterminated, "'open")]);
        assert_eq!(kinds("/* open"), vec![(TokenKind::Unterminated, "/* open")]);
    }

    #[test]
    fn tokens_tile_any_text() {
        for text in ["é'😀", "@{", "\"a\"\"b\" `c` [d]", "{{ x }} {% if %} {#", "1.5e-3e", "$1 $$", "@"] {
            let tokens = tokenize(text, LexOptions { bracket_identifiers: true, backslash_escapes: true });
            let mut at = 0;
            for t in &tokens {
                assert_eq!(t.span.start as usize, at, "{text:?}");
                at = t.span.end as usize;
            }
            assert_eq!(at, text.len(), "{text:?}");
        }
    }
}
