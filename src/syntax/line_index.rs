//! Offsets ↔ (line, column) for one text. Every conversion between byte offsets and
//! editor positions goes through this one type, for UTF-8, UTF-16 and UTF-32 columns alike.
//!
//! Lines are the LSP spec's: `\r\n`, `\n` and a lone `\r` each end a line. A position past
//! the end of its line clamps to the line's end, before its line break, and an offset inside a
//! line break (between `\r` and `\n`) reads as the end of its line: no position ever falls
//! between the two bytes of a `\r\n`.
//!
//! sqlparser counts lines on `\n` only; its locations are converted by
//! `syntax::sql::locate`, not here.

use std::ops::Range;

/// The start offset of every line of a text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
}

/// How columns are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    /// Columns count chars (LSP's `utf-32`).
    Utf32,
}

/// A zero-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    pub line: u32,
    #[serde(rename = "character")]
    pub col: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line_starts.push(i as u32 + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 1;
                    line_starts.push(i as u32 + 1);
                }
                b'\r' => line_starts.push(i as u32 + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { line_starts, len: text.len() as u32 }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The text of line `line` without its line break, as a byte range; None past the last line.
    pub fn line_range(&self, text: &str, line: usize) -> Option<Range<usize>> {
        let start = *self.line_starts.get(line)? as usize;
        let end = match self.line_starts.get(line + 1) {
            Some(&next) => next as usize - break_len(text.as_bytes(), next as usize),
            None => text.len(),
        };
        Some(start..end)
    }

    /// The line and column of `offset`; an offset past the end is clamped to the end, one
    /// inside a line break to the end of its line.
    pub fn line_col(&self, text: &str, offset: usize, encoding: Encoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(self.len as usize));
        let line = self.line_starts.partition_point(|&s| s as usize <= offset) - 1;
        let Range { start, end } = self.line_range(text, line).unwrap_or(0..0);
        let offset = offset.min(end);
        LineCol { line: line as u32, col: column(&text[start..offset], encoding) as u32 }
    }

    /// The byte offset of a line and column; positions past the end of a line clamp to the
    /// line's end (before its line break), lines past the end clamp to the end of the text. A
    /// column inside a char (the second half of a surrogate pair, a byte of a UTF-8 sequence)
    /// moves to the char's end.
    pub fn offset(&self, text: &str, pos: LineCol, encoding: Encoding) -> usize {
        let Some(Range { start, end }) = self.line_range(text, pos.line as usize) else {
            return text.len();
        };
        let line = &text[start..end];
        let mut units = 0usize;
        for (i, ch) in line.char_indices() {
            if units >= pos.col as usize {
                return start + i;
            }
            units += match encoding {
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf16 => ch.len_utf16(),
                Encoding::Utf32 => 1,
            };
        }
        end
    }
}

/// The line around `offset` without its line break, as a byte range: the same lines as
/// [`LineIndex`], found without indexing the whole text. An offset inside a `\r\n` belongs to
/// the line the `\r\n` ends.
pub fn line_around(text: &str, offset: usize) -> Range<usize> {
    let bytes = text.as_bytes();
    let mut offset = offset.min(bytes.len());
    if offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n') {
        offset -= 1;
    }
    let is_break = |b: &u8| *b == b'\n' || *b == b'\r';
    let start = bytes[..offset].iter().rposition(is_break).map_or(0, |i| i + 1);
    let end = bytes[offset..].iter().position(is_break).map_or(bytes.len(), |i| offset + i);
    start..end
}

/// The length of the line break that ends just before `next` (the start of the next line).
fn break_len(bytes: &[u8], next: usize) -> usize {
    if next >= 2 && &bytes[next - 2..next] == b"\r\n" { 2 } else { 1 }
}

fn column(prefix: &str, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => prefix.len(),
        Encoding::Utf16 => prefix.encode_utf16().count(),
        Encoding::Utf32 => prefix.chars().count(),
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];

    fn at(line: u32, col: u32) -> LineCol {
        LineCol { line, col }
    }

    #[test]
    fn round_trips_utf16_and_utf8() {
        let text = "a😀b\nßc\n";
        let index = LineIndex::new(text);
        let b = text.find('b').unwrap();
        assert_eq!(index.line_col(text, b, Encoding::Utf16), at(0, 3));
        assert_eq!(index.line_col(text, b, Encoding::Utf8), at(0, 5));
        assert_eq!(index.line_col(text, b, Encoding::Utf32), at(0, 2));
        assert_eq!(index.offset(text, at(0, 3), Encoding::Utf16), b);
        let c = text.find('c').unwrap();
        assert_eq!(index.line_col(text, c, Encoding::Utf16), at(1, 1));
        assert_eq!(index.offset(text, at(1, 99), Encoding::Utf16), c + 1);
        assert_eq!(index.offset(text, at(9, 0), Encoding::Utf16), text.len());
    }

    #[test]
    fn crlf_lf_and_lone_cr_each_end_a_line() {
        let text = "a\r\nb\nc\rd\r\r\ne";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 6);
        let lines: Vec<&str> = (0..6).map(|l| &text[index.line_range(text, l).unwrap()]).collect();
        assert_eq!(lines, ["a", "b", "c", "d", "", "e"]);
        assert_eq!(index.line_range(text, 6), None);
        for encoding in ALL {
            for (needle, line) in [("b", 1), ("c", 2), ("d", 3), ("e", 5)] {
                let offset = text.find(needle).unwrap();
                assert_eq!(index.line_col(text, offset, encoding), at(line, 0), "{needle}");
                assert_eq!(index.offset(text, at(line, 0), encoding), offset, "{needle}");
            }
        }
    }

    #[test]
    fn a_text_ending_in_a_line_break_has_an_empty_last_line() {
        for text in ["x\r\n", "x\n", "x\r"] {
            let index = LineIndex::new(text);
            assert_eq!(index.line_count(), 2, "{text:?}");
            assert_eq!(index.line_col(text, text.len(), Encoding::Utf16), at(1, 0), "{text:?}");
            assert_eq!(index.offset(text, at(1, 5), Encoding::Utf16), text.len(), "{text:?}");
        }
        let index = LineIndex::new("");
        assert_eq!(index.line_count(), 1);
        assert_eq!(index.offset("", at(0, 3), Encoding::Utf16), 0);
        assert_eq!(index.line_col("", 7, Encoding::Utf16), at(0, 0));
    }

    #[test]
    fn columns_past_the_end_clamp_before_the_line_break() {
        let text = "ab\r\ncd\ref\ngh";
        let index = LineIndex::new(text);
        for encoding in ALL {
            assert_eq!(index.offset(text, at(0, 2), encoding), 2);
            assert_eq!(index.offset(text, at(0, 3), encoding), 2, "never between \\r and \\n");
            assert_eq!(index.offset(text, at(0, 99), encoding), 2);
            assert_eq!(index.offset(text, at(1, 99), encoding), 6, "before the lone \\r");
            assert_eq!(index.offset(text, at(2, 99), encoding), 9);
            assert_eq!(index.offset(text, at(3, 99), encoding), text.len());
            assert_eq!(index.offset(text, at(4, 0), encoding), text.len());
        }
    }

    #[test]
    fn offsets_inside_a_line_break_are_the_end_of_their_line() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 2, Encoding::Utf16), at(0, 2), "at the \\r");
        assert_eq!(index.line_col(text, 3, Encoding::Utf16), at(0, 2), "between \\r and \\n");
        assert_eq!(index.line_col(text, 4, Encoding::Utf16), at(1, 0));
        assert_eq!(index.line_col(text, 99, Encoding::Utf16), at(1, 2));
    }

    #[test]
    fn surrogate_pairs_count_two_utf16_units() {
        let text = "x😀y\r\n😀😀\rz";
        let index = LineIndex::new(text);
        let y = text.find('y').unwrap();
        assert_eq!(index.line_col(text, y, Encoding::Utf16), at(0, 3));
        assert_eq!(index.line_col(text, y, Encoding::Utf8), at(0, 5));
        assert_eq!(index.line_col(text, y, Encoding::Utf32), at(0, 2));
        assert_eq!(index.offset(text, at(0, 3), Encoding::Utf16), y);
        // A column between the two halves of a pair moves past the char, never into it.
        assert_eq!(index.offset(text, at(0, 2), Encoding::Utf16), y);
        // The same inside a UTF-8 sequence; an offset inside a char reads as its start.
        assert_eq!(index.offset(text, at(0, 3), Encoding::Utf8), y);
        assert_eq!(index.line_col(text, 2, Encoding::Utf16), at(0, 1));
        let second = text.find("😀😀").unwrap() + "😀".len();
        assert_eq!(index.line_col(text, second, Encoding::Utf16), at(1, 2));
        assert_eq!(index.offset(text, at(1, 2), Encoding::Utf16), second);
        assert_eq!(index.offset(text, at(1, 9), Encoding::Utf16), second + "😀".len(), "clamped before the \\r");
        assert_eq!(index.line_col(text, text.len() - 1, Encoding::Utf16), at(2, 0));
    }

    #[test]
    fn line_around_agrees_with_the_index() {
        let text = "ab\r\ncd\ref\n\r\n😀g\r";
        let index = LineIndex::new(text);
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let line = index.line_col(text, offset, Encoding::Utf8).line as usize;
            assert_eq!(line_around(text, offset), index.line_range(text, line).unwrap(), "at {offset}");
        }
    }
}
