//! Open documents: their text, updated by incremental edits in any position encoding.
//!
//! An edit's positions are converted by the document's [`LineIndex`], the one converter every
//! handler uses, so edits and answers agree on where each line ends (`\r\n`, `\n` or a lone
//! `\r`) and on how a column past a line's end clamps.

use crate::syntax::line_index::{Encoding, LineCol, LineIndex};
use tower_lsp_server::ls_types::{Position, TextDocumentContentChangeEvent};

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    text: String,
    /// The lines of `text`, rebuilt after every change.
    index: LineIndex,
    pub version: i32,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Document {
        Document { text: text.to_string(), index: LineIndex::new(text), version }
    }

    pub fn text(&self) -> String {
        self.text.clone()
    }

    /// Applies one change; a change without a range replaces the whole text.
    pub fn apply(&mut self, change: &TextDocumentContentChangeEvent, encoding: Encoding) {
        match change.range {
            None => self.text.clone_from(&change.text),
            Some(range) => {
                let start = self.offset(range.start, encoding);
                let end = self.offset(range.end, encoding).max(start);
                self.text.replace_range(start..end, &change.text);
            }
        }
        // An edit can join a `\r` and a `\n` into one line break, or split one: every line
        // after it may move.
        self.index = LineIndex::new(&self.text);
    }

    /// The byte offset of a position (always on a char boundary); positions past a line's end
    /// clamp to it, lines past the end of the text clamp to the end.
    fn offset(&self, position: Position, encoding: Encoding) -> usize {
        self.index.offset(&self.text, LineCol { line: position.line, col: position.character }, encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::Range;

    fn edit(doc: &mut Document, (l1, c1, l2, c2): (u32, u32, u32, u32), text: &str, encoding: Encoding) {
        let range = Range::new(Position::new(l1, c1), Position::new(l2, c2));
        doc.apply(
            &TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: text.into() },
            encoding,
        );
    }

    #[test]
    fn edits_in_every_encoding() {
        let mut doc = Document::new("a😀b\nsecond\n", 1);
        edit(&mut doc, (0, 3, 0, 3), "X", Encoding::Utf16);
        assert_eq!(doc.text(), "a😀Xb\nsecond\n");
        edit(&mut doc, (0, 5, 0, 6), "", Encoding::Utf8);
        assert_eq!(doc.text(), "a😀b\nsecond\n");
        edit(&mut doc, (0, 2, 0, 3), "-", Encoding::Utf32);
        assert_eq!(doc.text(), "a😀-\nsecond\n");
        edit(&mut doc, (0, 99, 1, 3), "-", Encoding::Utf16);
        assert_eq!(doc.text(), "a😀--ond\n");
        edit(&mut doc, (7, 0, 9, 0), "end", Encoding::Utf16);
        assert_eq!(doc.text(), "a😀--ond\nend");
        let mut doc = Document::new("x", 1);
        doc.apply(
            &TextDocumentContentChangeEvent { range: None, range_length: None, text: "whole".into() },
            Encoding::Utf16,
        );
        assert_eq!(doc.text(), "whole");
        edit(&mut doc, (0, 5, 0, 5), "!", Encoding::Utf16);
        assert_eq!(doc.text(), "whole!");
    }

    #[test]
    fn edits_on_crlf_and_lone_cr_lines() {
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let mut doc = Document::new("ab\r\ncd\ref\n", 1);
            // Past the end of line 0: before its `\r\n`, never between `\r` and `\n`.
            edit(&mut doc, (0, 3, 0, 9), "!", encoding);
            assert_eq!(doc.text(), "ab!\r\ncd\ref\n");
            // A lone `\r` ends line 1: line 2 is `ef`.
            edit(&mut doc, (2, 0, 2, 1), "E", encoding);
            assert_eq!(doc.text(), "ab!\r\ncd\rEf\n");
            edit(&mut doc, (1, 99, 1, 99), "?", encoding);
            assert_eq!(doc.text(), "ab!\r\ncd?\rEf\n");
            // Deleting a line break joins its lines; the next line moves up.
            edit(&mut doc, (1, 3, 2, 0), "", encoding);
            assert_eq!(doc.text(), "ab!\r\ncd?Ef\n");
            edit(&mut doc, (2, 0, 2, 0), "end", encoding);
            assert_eq!(doc.text(), "ab!\r\ncd?Ef\nend");
        }
    }

    #[test]
    fn a_cr_and_a_lf_typed_apart_make_one_line_break() {
        let mut doc = Document::new("ab", 1);
        edit(&mut doc, (0, 1, 0, 1), "\r", Encoding::Utf16);
        assert_eq!(doc.text(), "a\rb");
        // `\n` typed at the start of line 1 joins the `\r`: still two lines.
        edit(&mut doc, (1, 0, 1, 0), "\n", Encoding::Utf16);
        assert_eq!(doc.text(), "a\r\nb");
        edit(&mut doc, (1, 1, 1, 1), "c", Encoding::Utf16);
        assert_eq!(doc.text(), "a\r\nbc");
        // Past the end of line 0 is before the `\r`.
        edit(&mut doc, (0, 5, 0, 5), "😀", Encoding::Utf16);
        assert_eq!(doc.text(), "a😀\r\nbc");
        edit(&mut doc, (0, 1, 0, 3), "", Encoding::Utf16);
        assert_eq!(doc.text(), "a\r\nbc");
    }
}
