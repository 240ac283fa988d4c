//! Snapshot tests of the syntax layer: each file under `tests/syntax/` is parsed by the parser
//! its name selects, and the result is snapshotted as JSON in which every span is shown with
//! the text it covers (`"12..19 `harbor.x`"`), so a reviewer can check spans by eye.
//!
//! Which parser reads a file: `audit_*.sql` the audit parser, other `*.sql` the model parser
//! (project dialect duckdb), `python_model*.py` the Python model reader, `macros*.py` the macro
//! module reader, `config.py`/`config.yaml` the config readers, `external_models*.yaml` the
//! external models reader, `*.csv` the seed header reader.
//!
//! Update with `INSTA_UPDATE=always cargo test --test syntax` (or `cargo insta review`), then
//! review the diff.

use std::path::{Path, PathBuf};

use meshls::syntax;
use serde_json::Value;

/// Covered text longer than this many chars is shown as its head and tail.
const MAX_SHOWN: usize = 90;
const SHOWN_END: usize = 40;

/// Parses one input file with the parser its name selects; None for files no parser reads.
fn parse(name: &str, text: &str) -> Option<Value> {
    let value = if name.starts_with("audit_") && name.ends_with(".sql") {
        serde_json::to_value(syntax::audit::parse_audit_file(text))
    } else if name.ends_with(".sql") {
        serde_json::to_value(syntax::model_file::parse_model_file(text, Some("duckdb")))
    } else if name.starts_with("python_model") && name.ends_with(".py") {
        serde_json::to_value(syntax::python::parse_python_model(text))
    } else if name.starts_with("macros") && name.ends_with(".py") {
        serde_json::to_value(syntax::python::parse_macro_module(text))
    } else if name == "config.py" {
        serde_json::to_value(syntax::config::parse_config_py(text))
    } else if name == "config.yaml" {
        serde_json::to_value(syntax::config::parse_config_yaml(text))
    } else if name.starts_with("external_models") && name.ends_with(".yaml") {
        serde_json::to_value(syntax::external::parse_external_models(text))
    } else if name.ends_with(".csv") {
        serde_json::to_value(syntax::seed::parse_seed_header(text.as_bytes()))
    } else {
        return None;
    };
    Some(value.expect("syntax structures serialize to JSON"))
}

/// Replaces every `{ "start": n, "end": m }` object by `"n..m `covered text`"`.
fn render_spans(value: Value, text: &str) -> Value {
    match value {
        Value::Object(map) => {
            if let Some((start, end)) = as_span(&map) {
                return Value::String(show_span(start, end, text));
            }
            Value::Object(map.into_iter().map(|(k, v)| (k, render_spans(v, text))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|v| render_spans(v, text)).collect()),
        other => other,
    }
}

fn as_span(map: &serde_json::Map<String, Value>) -> Option<(usize, usize)> {
    if map.len() != 2 {
        return None;
    }
    let start = map.get("start")?.as_u64()?;
    let end = map.get("end")?.as_u64()?;
    Some((start as usize, end as usize))
}

/// `start..end `text``; a span that does not fit the text says so loudly.
fn show_span(start: usize, end: usize, text: &str) -> String {
    if start > end || end > text.len() {
        return format!("{start}..{end} <OUT OF RANGE: text is {} bytes>", text.len());
    }
    if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return format!("{start}..{end} <NOT ON A CHAR BOUNDARY>");
    }
    let covered = &text[start..end];
    let count = covered.chars().count();
    let shown = if count > MAX_SHOWN {
        let head: String = covered.chars().take(SHOWN_END).collect();
        let tail: String = covered.chars().skip(count - SHOWN_END).collect();
        format!("{head} … {tail}")
    } else {
        covered.to_string()
    };
    format!("{start}..{end} `{shown}`")
}

fn inputs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/syntax");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/syntax exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn parsed_structures() {
    let mut failed = Vec::new();
    let mut seen = 0;
    for path in inputs() {
        let name = path.file_name().and_then(|n| n.to_str()).expect("UTF-8 file name").to_string();
        let text = std::fs::read_to_string(&path).expect("input is UTF-8");
        let Some(parsed) = parse(&name, &text) else { continue };
        seen += 1;
        let rendered = serde_json::to_string_pretty(&render_spans(parsed, &text)).expect("JSON values print") + "\n";
        // `config.py` and `config.yaml` share a stem: the suffix keeps the extension.
        let suffix = name.replace('.', "_");
        let result = std::panic::catch_unwind(|| {
            insta::with_settings!({
                snapshot_suffix => suffix.clone(),
                input_file => path.clone(),
                omit_expression => true,
            }, {
                insta::assert_snapshot!("parse", rendered);
            });
        });
        if result.is_err() {
            failed.push(name);
        }
    }
    assert!(seen >= 15, "expected the inputs under tests/syntax, found {seen}");
    assert!(failed.is_empty(), "snapshots differ for: {failed:?}");
}

#[test]
fn renderer_shows_covered_text() {
    let text = "ab😀c";
    let value = serde_json::json!({ "span": { "start": 2, "end": 6 }, "other": { "start": 0, "end": 1, "x": 2 } });
    let rendered = render_spans(value, text);
    assert_eq!(rendered["span"], "2..6 `😀`");
    assert_eq!(rendered["other"]["x"], 2);
    assert_eq!(show_span(3, 4, text), "3..4 <NOT ON A CHAR BOUNDARY>");
    assert_eq!(show_span(0, 99, text), "0..99 <OUT OF RANGE: text is 7 bytes>");
}
