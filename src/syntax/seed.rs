//! The header row of a seed CSV file: the column names of a `SEED` model.
//!
//! SQLMesh reads a seed as UTF-8 text and hands it to `pandas.read_csv` with the model's
//! `csv_settings` (`delimiter`, `quotechar`, `doublequote`, `escapechar`, `lineterminator`, ...).
//! The columns reported here are named the way pandas names them, so the model's schema matches
//! what SQLMesh loads: blank lines before the header are skipped, a UTF-8 byte order mark is
//! dropped, an empty name becomes `Unnamed: N` (N counting from 0) and a repeated name `x`
//! becomes `x.1`, `x.2`, ... Identifier normalization (lowercasing) is left to the project layer,
//! which knows the dialect.

use std::collections::HashMap;

use serde::Serialize;

use crate::syntax::span::{Diagnostic, Span};

const CODE: &str = "seed-csv";

/// The column names of a seed CSV file, read from its header row, with what was wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedHeader {
    /// Column names in file order, named as SQLMesh (pandas) names them.
    pub columns: Vec<String>,
    /// Problems found: invalid UTF-8, no header row, empty or repeated column names.
    pub diagnostics: Vec<Diagnostic>,
}

/// The part of a `SEED` kind's `csv_settings` that decides how the header row is split.
///
/// Defaults are pandas' defaults: `,` as delimiter, `"` as quote, doubled quotes inside quoted
/// fields, no escape character, and any of `\n`, `\r\n`, `\r` ending a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SeedCsvSettings {
    /// `csv_settings.delimiter`: the field separator.
    pub delimiter: u8,
    /// `csv_settings.quotechar`: the character that quotes a field.
    pub quotechar: u8,
    /// `csv_settings.doublequote`: whether `""` inside a quoted field stands for one quote.
    pub doublequote: bool,
    /// `csv_settings.escapechar`: a character that escapes the quote inside a quoted field.
    pub escapechar: Option<u8>,
    /// `csv_settings.lineterminator`: the one byte that ends a row, instead of any line break.
    pub lineterminator: Option<u8>,
}

impl Default for SeedCsvSettings {
    fn default() -> Self {
        SeedCsvSettings { delimiter: b',', quotechar: b'"', doublequote: true, escapechar: None, lineterminator: None }
    }
}

/// Reads the header row of a seed CSV file with SQLMesh's default CSV settings.
///
/// `bytes` is the file, or a prefix of it that holds the header row. SQLMesh fails on invalid
/// UTF-8 anywhere in the file, so all of `bytes` is checked, but a character cut off at the end
/// (where a prefix may stop) is not reported. Only the header row is parsed.
pub fn parse_seed_header(bytes: &[u8]) -> SeedHeader {
    parse_seed_header_with_settings(bytes, &SeedCsvSettings::default())
}

/// Reads the header row of a seed CSV file whose fields are separated by `delimiter`
/// (`csv_settings (delimiter := ';')`), with the other settings at their defaults.
pub fn parse_seed_header_with(bytes: &[u8], delimiter: u8) -> SeedHeader {
    parse_seed_header_with_settings(bytes, &SeedCsvSettings { delimiter, ..SeedCsvSettings::default() })
}

/// Reads the header row of a seed CSV file with the given `csv_settings`.
pub fn parse_seed_header_with_settings(bytes: &[u8], settings: &SeedCsvSettings) -> SeedHeader {
    let mut diagnostics = Vec::new();
    if let Some((error, len)) = std::str::from_utf8(bytes).err().and_then(|error| Some((error, error.error_len()?))) {
        let start = error.valid_up_to();
        let end = start + len;
        diagnostics.push(Diagnostic::error(
            CODE,
            Span::new(start, end),
            "seed file is not valid UTF-8: SQLMesh reads seeds as UTF-8 text",
        ));
    }

    let Some((fields, row)) = read_header_row(bytes, settings) else {
        diagnostics.push(Diagnostic::error(
            CODE,
            Span::new(0, bytes.len()),
            "seed file has no header row: SQLMesh takes column names from the first row",
        ));
        return SeedHeader { columns: Vec::new(), diagnostics };
    };

    // The csv crate drops a leading byte order mark, as pandas does. The file-wide check above
    // already reported bad bytes; here they only must not stop us.
    let written: Vec<String> = fields.iter().map(|field| String::from_utf8_lossy(field).into_owned()).collect();
    let columns = pandas_names(&written);
    for (index, (name, written)) in columns.iter().zip(&written).enumerate() {
        let message = if written.is_empty() {
            format!("column {} of the header has no name; SQLMesh names it '{name}'", index + 1)
        } else if name != written {
            format!("column '{written}' appears more than once; SQLMesh renames this one '{name}'")
        } else {
            continue;
        };
        diagnostics.push(Diagnostic::warning(CODE, row, message));
    }
    SeedHeader { columns, diagnostics }
}

/// The fields of the first non-blank row and that row's span (without its line break).
fn read_header_row(bytes: &[u8], settings: &SeedCsvSettings) -> Option<(Vec<Vec<u8>>, Span)> {
    let mut builder = csv::ReaderBuilder::new();
    builder
        .has_headers(false)
        .flexible(true)
        .delimiter(settings.delimiter)
        .quote(settings.quotechar)
        .double_quote(settings.doublequote)
        .escape(settings.escapechar);
    if let Some(byte) = settings.lineterminator {
        builder.terminator(csv::Terminator::Any(byte));
    }
    let mut reader = builder.from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    loop {
        let start = reader.position().byte() as usize;
        // A malformed row is not an error for the csv crate with `flexible`; an I/O error cannot
        // happen on a slice, so any error simply ends the search.
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) | Err(_) => return None,
        }
        // pandas skips a line of nothing but spaces and tabs (the csv crate skips empty ones).
        if record.len() == 1 && record[0].iter().all(|b| matches!(b, b' ' | b'\t')) {
            continue;
        }
        let end = (reader.position().byte() as usize).min(bytes.len());
        return Some((record.iter().map(<[u8]>::to_vec).collect(), row_span(bytes, start, end)));
    }
}

/// The span of a row read from `start..end`: blank lines before it and the line break after it
/// are left out.
fn row_span(bytes: &[u8], start: usize, end: usize) -> Span {
    let bom = if start == 0 && bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
    let start = (start + bom).min(end);
    let row = &bytes[start..end];
    let lead = row.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
    let trail = row[lead..].iter().rev().take_while(|b| matches!(b, b'\r' | b'\n')).count();
    Span::new(start + lead, end - trail)
}

/// The names pandas gives the header's columns: an empty name becomes `Unnamed: N`, then repeated
/// names get `.1`, `.2`, ... suffixes that avoid every name in the header, named columns being
/// served before unnamed ones (pandas' C parser, `_get_header`).
fn pandas_names(written: &[String]) -> Vec<String> {
    let mut names: Vec<String> = written
        .iter()
        .enumerate()
        .map(|(index, name)| if name.is_empty() { format!("Unnamed: {index}") } else { name.clone() })
        .collect();
    let unnamed = (0..written.len()).filter(|&index| written[index].is_empty());
    let order: Vec<usize> = (0..written.len()).filter(|&index| !written[index].is_empty()).chain(unnamed).collect();
    // How many columns currently hold each name: pandas checks a candidate against the header.
    let mut taken: HashMap<String, usize> = HashMap::new();
    for name in &names {
        *taken.entry(name.clone()).or_default() += 1;
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for index in order {
        let original = names[index].clone();
        let mut name = original.clone();
        let mut count = counts.get(&name).copied().unwrap_or(0);
        while count > 0 {
            counts.insert(original.clone(), count + 1);
            name = format!("{original}.{count}");
            if taken.get(&name).is_some_and(|&n| n > 0) {
                count += 1;
            } else {
                count = counts.get(&name).copied().unwrap_or(0);
            }
        }
        counts.insert(name.clone(), count + 1);
        if name != original {
            if let Some(n) = taken.get_mut(&original) {
                *n -= 1;
            }
            *taken.entry(name.clone()).or_default() += 1;
            names[index] = name;
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::span::Severity;

    fn columns(text: &str) -> Vec<String> {
        parse_seed_header(text.as_bytes()).columns
    }

    #[test]
    fn plain_header() {
        let header = parse_seed_header(b"id,name,ds\n1,a,2024-01-01\n");
        assert_eq!(header.columns, ["id", "name", "ds"]);
        assert!(header.diagnostics.is_empty());
    }

    #[test]
    fn bom_crlf_and_quotes() {
        assert_eq!(columns("\u{feff}id,name\r\n1,a\r\n"), ["id", "name"]);
        assert_eq!(columns("\u{feff}\"id\",x\n"), ["id", "x"]);
        assert_eq!(columns("\u{feff}\n\u{feff}id\n"), ["\u{feff}id"]);
        assert_eq!(columns("\"x,y\",\"q\"\"z\",\"a\nb\"\n1,2,3\n"), ["x,y", "q\"z", "a\nb"]);
        assert_eq!(columns("a,b\rc,d\r"), ["a", "b"]);
    }

    #[test]
    fn whitespace_is_kept_and_blank_lines_skipped() {
        assert_eq!(columns(" a , b \n1,2\n"), [" a ", " b "]);
        assert_eq!(columns("\n\r\n  \n\t\nid,b\n1,2"), ["id", "b"]);
        let header = parse_seed_header(b"\n\n  \nid,b\n1,2");
        assert_eq!(header.diagnostics, []);
    }

    #[test]
    fn empty_and_repeated_names_follow_pandas() {
        let header = parse_seed_header(b"a,a,,b,a\n1,2,3,4,5\n");
        assert_eq!(header.columns, ["a", "a.1", "Unnamed: 2", "b", "a.2"]);
        assert_eq!(header.diagnostics.len(), 3);
        assert!(header.diagnostics.iter().all(|d| d.severity == Severity::Warning));
        assert_eq!(header.diagnostics[0].span, Span::new(0, 8));
        assert_eq!(columns("a,a.1,a\n"), ["a", "a.1", "a.2"]);
        assert_eq!(columns("a,a,a.1\n"), ["a", "a.2", "a.1"]);
        assert_eq!(columns("a,a,a,a.1,a.2\n"), ["a", "a.3", "a.4", "a.1", "a.2"]);
        assert_eq!(columns(",,Unnamed: 0\n"), ["Unnamed: 0.1", "Unnamed: 1", "Unnamed: 0"]);
        assert_eq!(columns("x,x.1,x,x.1\n"), ["x", "x.1", "x.2", "x.1.1"]);
        assert_eq!(columns("a,a,a.1,a.1,a,a.2\n"), ["a", "a.3", "a.1", "a.1.1", "a.4", "a.2"]);
        assert_eq!(columns("Unnamed: 1,,x\n"), ["Unnamed: 1", "Unnamed: 1.1", "x"]);
        assert_eq!(columns("Unnamed: 1,,Unnamed: 1\n"), ["Unnamed: 1", "Unnamed: 1.2", "Unnamed: 1.1"]);
        assert_eq!(columns(",\n1,2\n"), ["Unnamed: 0", "Unnamed: 1"]);
        assert_eq!(columns(" , \n"), [" ", " .1"]);
    }

    #[test]
    fn header_span_skips_blank_lines() {
        let header = parse_seed_header(b"\n\nx,x\r\n1,2\r\n");
        assert_eq!(header.diagnostics[0].span, Span::new(2, 5));
        let text = "\u{feff}é,é\n";
        let header = parse_seed_header(text.as_bytes());
        assert_eq!(header.diagnostics[0].span.text(text), "é,é");
    }

    #[test]
    fn empty_files_have_no_header() {
        for text in ["", "\n", "\r\n\r\n", "\u{feff}", "\u{feff}\n\n", "   \n", " \t \r\n"] {
            let header = parse_seed_header(text.as_bytes());
            assert_eq!(header.columns, Vec::<String>::new(), "{text:?}");
            assert_eq!(header.diagnostics.len(), 1, "{text:?}");
            assert_eq!(header.diagnostics[0].severity, Severity::Error);
        }
    }

    #[test]
    fn invalid_utf8_is_a_diagnostic() {
        let header = parse_seed_header(b"id,n\xffme\n1,2\n");
        assert_eq!(header.columns, ["id", "n\u{fffd}me"]);
        assert_eq!(header.diagnostics.len(), 1);
        assert_eq!(header.diagnostics[0].span, Span::new(4, 5));

        // Bad bytes after the header fail SQLMesh's load too.
        let header = parse_seed_header(b"id\n1\n\xc3(\n");
        assert_eq!(header.columns, ["id"]);
        assert_eq!(header.diagnostics[0].span, Span::new(5, 6));
        // A character cut off at the end may only mean that a prefix of the file was read.
        let header = parse_seed_header("id,é\n1,é".as_bytes().split_last().unwrap().1);
        assert_eq!(header.columns, ["id", "é"]);
        assert_eq!(header.diagnostics, []);
    }

    #[test]
    fn non_ascii_names() {
        assert_eq!(columns("município,größe,名前,😀\n"), ["município", "größe", "名前", "😀"]);
        // As in pandas, text after a closing quote joins the field.
        assert_eq!(columns("\u{feff}\"ñ\";é\n"), ["ñ;é"]);
        assert_eq!(parse_seed_header_with("\u{feff}\"ñ\";é\n".as_bytes(), b';').columns, ["ñ", "é"]);
    }

    #[test]
    fn csv_settings() {
        assert_eq!(parse_seed_header_with(b"id;x\n1;2", b';').columns, ["id", "x"]);
        assert_eq!(parse_seed_header_with(b"id\tx y\n", b'\t').columns, ["id", "x y"]);
        let settings = SeedCsvSettings { quotechar: b'\'', ..SeedCsvSettings::default() };
        assert_eq!(parse_seed_header_with_settings(b"'a,b',c\n", &settings).columns, ["a,b", "c"]);
        let settings = SeedCsvSettings { escapechar: Some(b'\\'), doublequote: false, ..SeedCsvSettings::default() };
        assert_eq!(parse_seed_header_with_settings(b"\"a\\\"b\",c\n", &settings).columns, ["a\"b", "c"]);
        let settings = SeedCsvSettings { lineterminator: Some(b'|'), ..SeedCsvSettings::default() };
        assert_eq!(parse_seed_header_with_settings(b"a,b|1,2|", &settings).columns, ["a", "b"]);
    }

    #[test]
    fn odd_input_never_panics() {
        for bytes in [&b"\"unterminated,b\n"[..], b"\"", b",,,", b"\xff\xfe", b"\xef\xbb", b"a\0b,c"] {
            let _ = parse_seed_header(bytes);
            for delimiter in [b',', b'"', b'\n', b'\r', 0] {
                let _ = parse_seed_header_with(bytes, delimiter);
            }
        }
    }
}

/// The most rows [`seed_types`] reads: a seed is a small table, and a type needs few rows.
const MAX_TYPED_ROWS: usize = 10_000;

/// The types pandas infers for a seed's columns (in header order), as SQLMesh maps them:
/// whole numbers `BIGINT` (`DOUBLE` when a value is missing), numbers `DOUBLE`, `True`/
/// `False` `BOOLEAN`, anything else `TEXT`; None for a column without values.
pub fn seed_types(bytes: &[u8], settings: &SeedCsvSettings) -> Vec<Option<&'static str>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Seen {
        Nothing,
        Int,
        Float,
        Bool,
        Text,
    }
    let mut builder = csv::ReaderBuilder::new();
    builder
        .has_headers(true)
        .flexible(true)
        .delimiter(settings.delimiter)
        .quote(settings.quotechar)
        .double_quote(settings.doublequote)
        .escape(settings.escapechar);
    let mut reader = builder.from_reader(bytes);
    let width = reader.byte_headers().map_or(0, |h| h.len());
    let mut seen = vec![Seen::Nothing; width];
    let mut missing = vec![false; width];
    let mut record = csv::ByteRecord::new();
    for _ in 0..MAX_TYPED_ROWS {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) | Err(_) => break,
        }
        for (i, state) in seen.iter_mut().enumerate() {
            let field = record.get(i).map(|f| String::from_utf8_lossy(f).trim().to_string()).unwrap_or_default();
            if field.is_empty() {
                missing[i] = true;
                continue;
            }
            let this = if field.parse::<i64>().is_ok() {
                Seen::Int
            } else if field.parse::<f64>().is_ok() {
                Seen::Float
            } else if matches!(field.as_str(), "True" | "False" | "TRUE" | "FALSE" | "true" | "false") {
                Seen::Bool
            } else {
                Seen::Text
            };
            *state = match (*state, this) {
                (Seen::Nothing, t) => t,
                (a, b) if a == b => a,
                (Seen::Int | Seen::Float, Seen::Int | Seen::Float) => Seen::Float,
                _ => Seen::Text,
            };
        }
    }
    seen.iter()
        .zip(&missing)
        .map(|(state, missing)| match state {
            Seen::Nothing => None,
            Seen::Int if *missing => Some("DOUBLE"),
            Seen::Int => Some("BIGINT"),
            Seen::Float => Some("DOUBLE"),
            Seen::Bool if *missing => Some("TEXT"),
            Seen::Bool => Some("BOOLEAN"),
            Seen::Text => Some("TEXT"),
        })
        .collect()
}

#[cfg(test)]
mod type_tests {
    use super::*;

    #[test]
    fn seed_types_follow_pandas() {
        let csv = b"id,price,name,active,maybe,empty\n1,2.5,a,True,3,\n2,3,b,False,,\n";
        assert_eq!(
            seed_types(csv, &SeedCsvSettings::default()),
            [Some("BIGINT"), Some("DOUBLE"), Some("TEXT"), Some("BOOLEAN"), Some("DOUBLE"), None]
        );
    }
}
