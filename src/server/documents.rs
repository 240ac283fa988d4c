//! Open documents: ropey buffers updated by incremental edits, in either position encoding.
//!
//! Lines are split on `\n` only (ropey's Unicode and CR line breaks are off), the same rule as
//! [`LineIndex`](crate::syntax::line_index::LineIndex), so both agree on every position.

use crate::syntax::line_index::Encoding;
use ropey::Rope;
use tower_lsp_server::ls_types::{Position, TextDocumentContentChangeEvent};

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Document {
        Document { rope: Rope::from_str(text), version }
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Applies one change; a change without a range replaces the whole text.
    pub fn apply(&mut self, change: &TextDocumentContentChangeEvent, encoding: Encoding) {
        match change.range {
            None => self.rope = Rope::from_str(&change.text),
            Some(range) => {
                let start = self.char_index(range.start, encoding);
                let end = self.char_index(range.end, encoding).max(start);
                self.rope.remove(start..end);
                self.rope.insert(start, &change.text);
            }
        }
    }

    /// The char index of a position; positions past a line's end clamp to it, lines past the
    /// end of the text clamp to the end.
    fn char_index(&self, position: Position, encoding: Encoding) -> usize {
        let rope = &self.rope;
        let line = position.line as usize;
        if line >= rope.len_lines() {
            return rope.len_chars();
        }
        let line_start = rope.line_to_char(line);
        let line_slice = rope.line(line);
        let mut line_chars = line_slice.len_chars();
        if line_chars > 0 && line_slice.char(line_chars - 1) == '\n' {
            line_chars -= 1;
        }
        let line_end = line_start + line_chars;
        let col = position.character as usize;
        match encoding {
            Encoding::Utf32 => (line_start + col).min(line_end),
            Encoding::Utf16 => {
                let base = rope.char_to_utf16_cu(line_start);
                let target = (base + col).min(rope.char_to_utf16_cu(line_end));
                rope.utf16_cu_to_char(target)
            }
            Encoding::Utf8 => {
                let base = rope.char_to_byte(line_start);
                let target = (base + col).min(rope.char_to_byte(line_end));
                rope.byte_to_char(target)
            }
        }
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
    fn edits_in_both_encodings() {
        let mut doc = Document::new("a😀b\nsecond\n", 1);
        edit(&mut doc, (0, 3, 0, 3), "X", Encoding::Utf16);
        assert_eq!(doc.text(), "a😀Xb\nsecond\n");
        edit(&mut doc, (0, 5, 0, 6), "", Encoding::Utf8);
        assert_eq!(doc.text(), "a😀b\nsecond\n");
        edit(&mut doc, (0, 99, 1, 3), "-", Encoding::Utf16);
        assert_eq!(doc.text(), "a😀b-ond\n");
        edit(&mut doc, (7, 0, 9, 0), "end", Encoding::Utf16);
        assert_eq!(doc.text(), "a😀b-ond\nend");
    }
}
