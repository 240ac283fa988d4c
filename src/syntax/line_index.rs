//! Offsets ↔ (line, column) for one text. Every conversion between byte offsets and
//! editor positions goes through this one type, for UTF-8 and UTF-16 columns alike.

/// The start offset of every line of a text, plus what is needed to count UTF-16 units.
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
    /// Columns count chars (LSP's `utf-32`; also sqlparser's locations).
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
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
        LineIndex { line_starts, len: text.len() as u32 }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The line and column of `offset`; an offset past the end is clamped to the end.
    pub fn line_col(&self, text: &str, offset: usize, encoding: Encoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(self.len as usize));
        let line = self.line_starts.partition_point(|&s| s as usize <= offset) - 1;
        let start = self.line_starts[line] as usize;
        let col = match encoding {
            Encoding::Utf8 => offset - start,
            Encoding::Utf16 => text[start..offset].encode_utf16().count(),
            Encoding::Utf32 => text[start..offset].chars().count(),
        };
        LineCol { line: line as u32, col: col as u32 }
    }

    /// The byte offset of a line and column; positions past the end of a line clamp to the
    /// line's end (before its newline), lines past the end clamp to the end of the text.
    pub fn offset(&self, text: &str, pos: LineCol, encoding: Encoding) -> usize {
        let Some(&start) = self.line_starts.get(pos.line as usize) else {
            return text.len();
        };
        let start = start as usize;
        let end = self.line_starts.get(pos.line as usize + 1).map_or(text.len(), |&e| e as usize - 1);
        let line = &text[start..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
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
        start + line.len()
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

    #[test]
    fn round_trips_utf16_and_utf8() {
        let text = "a😀b\nßc\n";
        let index = LineIndex::new(text);
        let b = text.find('b').unwrap();
        assert_eq!(index.line_col(text, b, Encoding::Utf16), LineCol { line: 0, col: 3 });
        assert_eq!(index.line_col(text, b, Encoding::Utf8), LineCol { line: 0, col: 5 });
        assert_eq!(index.offset(text, LineCol { line: 0, col: 3 }, Encoding::Utf16), b);
        let c = text.find('c').unwrap();
        assert_eq!(index.line_col(text, c, Encoding::Utf16), LineCol { line: 1, col: 1 });
        assert_eq!(index.offset(text, LineCol { line: 1, col: 99 }, Encoding::Utf16), c + 1);
        assert_eq!(index.offset(text, LineCol { line: 9, col: 0 }, Encoding::Utf16), text.len());
    }
}
