//! Text edits that several rules' fixes make.

/// Inserts `item` as a new entry after the entry spanning `start..end` of a comma-separated
/// list (MODEL properties, decorator arguments, audits): on a line of its own, indented the
/// same, when that entry starts its line; else on the same line. Returns the offset and text.
pub(super) fn after_entry(text: &str, start: usize, end: usize, item: &str) -> (usize, String) {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..start];
    if indent.chars().all(char::is_whitespace) {
        (end, format!(",\n{indent}{item}"))
    } else {
        (end, format!(", {item}"))
    }
}
