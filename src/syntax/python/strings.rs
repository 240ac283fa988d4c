//! String literal values: Python's escape sequences applied to [`TokenKind::Str`] tokens and
//! f-string literal parts.

use super::lexer::{Token, TokenKind};

/// The value of a [`TokenKind::Str`] token with escapes processed (unless raw), or of an
/// f-string literal part when `kind` is [`TokenKind::FStringMiddle`]; `None` for other tokens.
pub fn string_value(src: &str, token: Token) -> Option<String> {
    let text = token.text(src);
    match token.kind {
        TokenKind::Str { prefix_len, quote_len, terminated, raw, .. } => {
            let body_start = usize::from(prefix_len) + usize::from(quote_len);
            let body_end = if terminated { text.len().saturating_sub(usize::from(quote_len)) } else { text.len() };
            let body = text.get(body_start..body_end.max(body_start)).unwrap_or("");
            Some(if raw { body.to_string() } else { unescape(body) })
        }
        TokenKind::FStringMiddle => Some(unescape(text).replace("{{", "{").replace("}}", "}")),
        _ => None,
    }
}

/// Python's escape sequences; unknown escapes are kept as written, as Python does.
pub fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            '\n' => {}
            '\r' => {
                chars.next_if_eq(&'\n');
            }
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            '\\' | '\'' | '"' => out.push(e),
            '0'..='7' => {
                let mut code = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            code = code * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let digits: String = (0..n).map_while(|_| chars.next_if(char::is_ascii_hexdigit)).collect();
                match u32::from_str_radix(&digits, 16).ok().filter(|_| digits.len() == n).and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push('\\');
                        out.push(e);
                        out.push_str(&digits);
                    }
                }
            }
            _ => {
                out.push('\\');
                out.push(e);
            }
        }
    }
    out
}
