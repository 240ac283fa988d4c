//! YAML read with saphyr, located by byte spans, never panicking.
//!
//! saphyr's markers count characters (a UTF-8 byte order mark is one, `\r\n` is two); meshls
//! spans count bytes. [`YamlText`] parses a file, or a byte range of it, and [`Spans`] turns the
//! markers of what it parsed into byte spans of the whole file.
//!
//! Two inputs would crash saphyr rather than fail: nesting deep enough to overflow the stack
//! (`- - - - …`, or aliases that copy deep anchors into each other), and any bug of its own that
//! panics. The first is refused before parsing by a cheap upper bound on the nesting; the second
//! is caught and reported. Both become diagnostics like any syntax error.

use std::collections::HashSet;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use saphyr::{LoadableYamlNode, MarkedYaml, Marker, ScanError, YamlData};

use crate::syntax::span::{Diagnostic, Span};

/// The diagnostic code of YAML syntax errors.
pub const SYNTAX_CODE: &str = "yaml-syntax";

/// Deepest nesting handed to saphyr, whose recursion overflows a 2 MiB thread stack at around
/// 1,500 levels. Real files use a handful.
const MAX_DEPTH: usize = 500;

/// The text of one YAML file, ready to be parsed whole or in parts.
#[derive(Debug)]
pub struct YamlText<'t> {
    text: &'t str,
    /// The byte offset of each character, or `None` for ASCII text, where they are equal.
    char_starts: Option<Vec<usize>>,
}

impl<'t> YamlText<'t> {
    /// Prepares `text` for parsing.
    pub fn new(text: &'t str) -> YamlText<'t> {
        let char_starts = (!text.is_ascii()).then(|| text.char_indices().map(|(byte, _)| byte).collect());
        YamlText { text, char_starts }
    }

    /// The whole text.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// Parses the whole text into its documents; locate them with `self.spans(0)`.
    pub fn load(&self) -> Result<Vec<MarkedYaml<'t>>, Diagnostic> {
        self.load_range(0..self.text.len())
    }

    /// Parses `range` of the text alone (it must lie on character boundaries); locate what it
    /// returns with `self.spans(range.start)`. The error is a `yaml-syntax` diagnostic.
    pub fn load_range(&self, range: Range<usize>) -> Result<Vec<MarkedYaml<'t>>, Diagnostic> {
        let start = range.start;
        let Some(part) = self.text.get(range) else {
            return Err(Diagnostic::error(SYNTAX_CODE, Span::at(start), "YAML range is out of the text"));
        };
        if depth_bound(part) > MAX_DEPTH {
            return Err(Diagnostic::error(SYNTAX_CODE, Span::at(start), "YAML nesting is too deep to read"));
        }
        match catch_unwind(AssertUnwindSafe(|| MarkedYaml::load_from_str(part))) {
            Ok(Ok(documents)) => Ok(documents),
            Ok(Err(error)) => Err(self.spans(start).syntax_error(&error)),
            Err(_) => Err(Diagnostic::error(SYNTAX_CODE, Span::at(start), "the YAML parser failed on this text")),
        }
    }

    /// Locates the nodes parsed from the text starting at byte `start`.
    pub fn spans(&self, start: usize) -> Spans<'_> {
        let base = match &self.char_starts {
            None => start,
            Some(starts) => starts.partition_point(|&at| at < start),
        };
        Spans { yaml: self, base }
    }

    /// The byte offset of character `index`; past the end is the end.
    fn byte(&self, index: usize) -> usize {
        match &self.char_starts {
            None => index.min(self.text.len()),
            Some(starts) => starts.get(index).copied().unwrap_or(self.text.len()),
        }
    }
}

/// Turns the markers of nodes parsed from one part of a [`YamlText`] into byte spans of the
/// whole text.
#[derive(Debug, Clone, Copy)]
pub struct Spans<'a> {
    yaml: &'a YamlText<'a>,
    /// Characters before the parsed part.
    base: usize,
}

impl Spans<'_> {
    /// The byte offset of a marker.
    pub fn byte(&self, marker: Marker) -> usize {
        self.yaml.byte(self.base + marker.index())
    }

    /// A node's text: a scalar with its quotes, a flow collection with its brackets, a block
    /// collection from its first token to the end of its last value. Unlike saphyr's own end
    /// markers it leaves out trailing line breaks and the comments before the next node.
    pub fn span(&self, node: &MarkedYaml) -> Span {
        let text = self.yaml.text;
        let start = self.byte(node.span.start);
        let end = self.content_end(node).max(start);
        Span::new(start, start + text[start..end].trim_end().len())
    }

    fn content_end(&self, node: &MarkedYaml) -> usize {
        let bytes = self.yaml.text.as_bytes();
        let start = self.byte(node.span.start);
        let end = self.byte(node.span.end);
        let flow = matches!(bytes.get(start), Some(b'[' | b'{'));
        // A block collection ends at the next token, past comments: use its last child instead.
        let last_child = match &node.data {
            // So may a quoted scalar: it ends at its closing quote.
            YamlData::Value(_) | YamlData::Representation(..) => match bytes.get(start) {
                Some(&quote @ (b'"' | b'\'')) => {
                    bytes.get(start..end).and_then(|scalar| closing_quote(scalar, quote)).map(|at| start + at + 1)
                }
                _ => None,
            },
            YamlData::Tagged(_, inner) => return self.content_end(inner),
            YamlData::Sequence(items) if !flow => items.last().map(|item| self.content_end(item)),
            YamlData::Mapping(mapping) if !flow => {
                mapping.back().map(|(key, value)| self.content_end(key).max(self.content_end(value)))
            }
            _ => None,
        };
        match last_child {
            Some(child_end) => child_end,
            // A flow collection's end marker is at its closing bracket.
            None if flow && matches!(bytes.get(end), Some(b']' | b'}')) => end + 1,
            None => end,
        }
    }

    /// A syntax error as a diagnostic on the token at its marker.
    fn syntax_error(&self, error: &ScanError) -> Diagnostic {
        let text = self.yaml.text;
        let start = self.byte(*error.marker());
        let rest = &text[start..];
        let token = rest.find(|c: char| c.is_whitespace() || ":,[]{}#".contains(c)).unwrap_or(rest.len());
        let len = if token > 0 { token } else { rest.chars().next().map_or(0, char::len_utf8) };
        let message = format!("YAML syntax error: {}", error.info());
        Diagnostic::error(SYNTAX_CODE, Span::new(start, start + len), message)
    }
}

/// The offset of the quote that closes the quoted scalar at the start of `text`.
fn closing_quote(text: &[u8], quote: u8) -> Option<usize> {
    let mut at = 1;
    while at < text.len() {
        match text[at] {
            b'\\' if quote == b'"' => at += 1,
            // `''` inside single quotes is one quote.
            b'\'' if quote == b'\'' && text.get(at + 1) == Some(&b'\'') => at += 1,
            c if c == quote => return Some(at),
            _ => {}
        }
        at += 1;
    }
    None
}

/// The node under any user tags (`!custom value`).
pub fn untagged<'a, 'input>(mut node: &'a MarkedYaml<'input>) -> &'a MarkedYaml<'input> {
    while let YamlData::Tagged(_, inner) = &node.data {
        node = inner;
    }
    node
}

/// Byte ranges of the items of a top-level block list, found line by line without parsing, so
/// that they can be parsed one by one after the whole file failed. An item starts at a line
/// `- ...` at the indentation of the first such line and ends where the next one, or a document
/// marker, starts.
pub fn list_item_ranges(text: &str) -> Vec<Range<usize>> {
    let mut starts = Vec::new();
    let mut indent = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_start_matches(' ');
        let column = line.len() - content.len();
        let mut rest = content.chars();
        let is_item = rest.next() == Some('-') && rest.next().is_none_or(char::is_whitespace);
        if line.starts_with("---") || line.starts_with("...") {
            starts.push((offset, false));
        } else if is_item && *indent.get_or_insert(column) == column {
            starts.push((offset, true));
        }
        offset += line.len();
    }
    let ends = starts.iter().skip(1).map(|&(start, _)| start).chain([text.len()]);
    starts.iter().zip(ends).filter(|((_, item), _)| *item).map(|(&(start, _), end)| start..end).collect()
}

/// An upper bound for how deeply saphyr nests nodes on `text`, cheap enough to run before it.
///
/// Every block collection starts at a line's first token or just after a `- `, `? ` or `: `
/// indicator (or an anchor or tag) that opens a line, and nested ones move right at least every
/// second level, so twice the number of such columns bounds block nesting. Flow nesting is
/// capped by saphyr at 255 and cannot exceed the number of brackets. An alias copies an anchored
/// tree, which may itself hold aliases of earlier anchors: one chain at most.
fn depth_bound(text: &str) -> usize {
    let mut columns = HashSet::new();
    // A lone `\r` ends a line for saphyr too.
    for line in text.split(['\n', '\r']) {
        let mut chars = line.chars().enumerate().peekable();
        if line.starts_with("---") && line[3..].chars().next().is_none_or(char::is_whitespace) {
            chars.nth(2);
        }
        while let Some((column, c)) = chars.next() {
            if c == ' ' || c == '\t' {
                continue;
            }
            columns.insert(column);
            let separated = chars.peek().is_none_or(|(_, next)| next.is_whitespace());
            match c {
                '-' | '?' | ':' if separated => {}
                '&' | '!' => while chars.next_if(|(_, c)| !c.is_whitespace()).is_some() {},
                _ => break,
            }
        }
    }
    let brackets = text.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    // Anchors and aliases are `&name` and `*name` starting a token.
    let (mut anchors, mut aliases) = (0, 0);
    let mut previous = ' ';
    for c in text.chars() {
        if previous.is_whitespace() || matches!(previous, '[' | '{' | ',') {
            anchors += usize::from(c == '&');
            aliases += usize::from(c == '*');
        }
        previous = c;
    }
    (2 * columns.len() + 2 + brackets.min(255)) * (anchors.min(aliases) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each node of the first document as `kind "text it spans"`, depth-first.
    fn spans(text: &str) -> Vec<String> {
        fn walk(spans: Spans, text: &str, node: &MarkedYaml, out: &mut Vec<String>) {
            let kind = match &node.data {
                YamlData::Sequence(_) => "seq",
                YamlData::Mapping(_) => "map",
                YamlData::Tagged(..) => "tagged",
                _ => "scalar",
            };
            out.push(format!("{kind} {:?}", spans.span(node).text(text)));
            match &node.data {
                YamlData::Sequence(items) => items.iter().for_each(|item| walk(spans, text, item, out)),
                YamlData::Mapping(mapping) => {
                    for (key, value) in mapping {
                        walk(spans, text, key, out);
                        walk(spans, text, value, out);
                    }
                }
                YamlData::Tagged(_, inner) => walk(spans, text, inner, out),
                _ => {}
            }
        }
        let yaml = YamlText::new(text);
        let documents = yaml.load().unwrap();
        let mut out = Vec::new();
        walk(yaml.spans(0), text, &documents[0], &mut out);
        out
    }

    #[test]
    fn spans_are_bytes_of_the_node_text() {
        let text = "\u{feff}- é: \"ñ\" # c\n  ü:\n    - {a: [1, 2]}\n\n# next\n- |\n  名前\n\n";
        insta::assert_debug_snapshot!(spans(text), @r#"
        [
            "seq \"- é: \\\"ñ\\\" # c\\n  ü:\\n    - {a: [1, 2]}\\n\\n# next\\n- |\\n  名前\"",
            "map \"é: \\\"ñ\\\" # c\\n  ü:\\n    - {a: [1, 2]}\"",
            "scalar \"é\"",
            "scalar \"\\\"ñ\\\"\"",
            "scalar \"ü\"",
            "seq \"- {a: [1, 2]}\"",
            "map \"{a: [1, 2]}\"",
            "scalar \"a\"",
            "seq \"[1, 2]\"",
            "scalar \"1\"",
            "scalar \"2\"",
            "scalar \"名前\"",
        ]
        "#);
        let quoted = spans("- 'it''s' # c\n- \"a\\\"b\"  \n- x # c\n");
        assert_eq!(quoted[1..], ["scalar \"'it''s'\"", "scalar \"\\\"a\\\\\\\"b\\\"\"", "scalar \"x\""]);
        let crlf = spans("a:\r\n  b: c\r\n");
        assert_eq!(crlf, ["map \"a:\\r\\n  b: c\"", "scalar \"a\"", "map \"b: c\"", "scalar \"b\"", "scalar \"c\""]);
    }

    #[test]
    fn parts_are_located_in_the_whole_text() {
        let text = "é: 1\n- ü: [2\n- ß: 3\n";
        let yaml = YamlText::new(text);
        let ranges = list_item_ranges(text);
        assert_eq!(ranges, [6..15, 15..text.len()]);
        let error = yaml.load_range(ranges[0].clone()).unwrap_err();
        assert_eq!(error.span.text(text), "-");
        let documents = yaml.load_range(ranges[1].clone()).unwrap();
        let YamlData::Sequence(items) = &documents[0].data else { panic!("not a list") };
        assert_eq!(yaml.spans(ranges[1].start).span(&items[0]).text(text), "ß: 3");
        assert!(yaml.load_range(3..100).is_err());
    }

    #[test]
    fn syntax_errors_point_at_a_token() {
        let text = "a: 1\nname: x\nname: y\n";
        let error = YamlText::new(text).load().unwrap_err();
        assert_eq!(error.code, SYNTAX_CODE);
        assert_eq!(error.span.text(text), "name");
        assert_eq!(error.span.start, 13);
        let error = YamlText::new("a: [").load().unwrap_err();
        assert_eq!(error.span, Span::at(4));
    }

    #[test]
    fn list_items_follow_the_first_indentation() {
        let text = "# c\n  - a\n  -\n    - nested\n  - b\n---\n- other\n";
        let ranges: Vec<&str> = list_item_ranges(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(ranges, ["  - a\n", "  -\n    - nested\n", "  - b\n"]);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let refused = YamlText::new(&format!("- a\r{}x", "- ".repeat(MAX_DEPTH / 2))).load().unwrap_err();
        assert_eq!(refused.message, "YAML nesting is too deep to read");
        // Just under the limit still parses, on a test thread's small stack.
        let text = format!("{}{}{}", "- ".repeat(100), "[".repeat(254), "]".repeat(254));
        assert!(depth_bound(&text) <= MAX_DEPTH);
        assert!(YamlText::new(&text).load().is_ok());
        // saphyr limits flow nesting itself.
        assert!(YamlText::new(&"[".repeat(100_000)).load().is_err());
        // Each alias below copies the previous deep anchor into a deeper one.
        let mut text = String::new();
        for i in 0..12 {
            let alias = if i == 0 { String::new() } else { format!("*x{}", i - 1) };
            text += &format!("- &x{i} {}{alias}{}\n", "[".repeat(250), "]".repeat(250));
        }
        assert!(YamlText::new(&text).load().is_err());
        // Merge keys reuse one anchor many times: that is fine.
        let mut text = "- &base {a: 1}\n".to_string();
        for i in 0..500 {
            text += &format!("- <<: *base\n  name: t{i}\n");
        }
        assert!(YamlText::new(&text).load().is_ok());
    }
}
