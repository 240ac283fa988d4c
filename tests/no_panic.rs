//! Robustness of the syntax layer: every parser is fed prefixes, random mutations and
//! hand-made pathological inputs, and must neither panic nor return a span that does not lie
//! within the text on char boundaries.
//!
//! Inputs are the text files under `fixtures/` and `tests/syntax/`. Everything is
//! deterministic (a tiny PRNG seeded from each file's path), so a failure reproduces; the
//! failing input is written to the system temp directory and named in the failure message.

#[path = "support/rng.rs"]
mod rng;

use rng::Rng;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use meshls::syntax::{self, Diagnostic};
use serde::Serialize;
use serde_json::Value;

/// Files shorter than this are cut at every char boundary; longer ones at `CUTS` places.
const ALL_CUTS_BELOW: usize = 2048;
const CUTS: usize = 300;
const MUTATIONS: usize = 300;
/// One input in this many has all its spans checked (5: the dialects rotate through 4).
const FULL_CHECK_EVERY: usize = 5;

/// Fragments the mutator inserts: openers without closers, quotes, macro and Jinja starts,
/// statement and block starts, NUL and multi-byte chars.
const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "'",
    "\"",
    "`",
    "@{",
    "@",
    "{{",
    "{%",
    "}}",
    ";",
    "MODEL (",
    "AUDIT (",
    "\0",
    "é",
    "😀",
    "名",
    "\u{feff}",
    "$$",
    "--",
    "/*",
    "\"\"\"",
    ":",
    "::",
    "=",
    ",",
    "\n",
    "\r\n",
    "\t",
    "    ",
    "- ",
    "@model(",
    "def ",
    "JINJA_END;",
    "ON_VIRTUAL_UPDATE_BEGIN;",
    "SELECT ",
    " FROM ",
    "WITH a AS (",
];

/// The kind of file, which decides the parsers that read it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FileType {
    Sql,
    Python,
    Yaml,
    Csv,
    Other,
}

fn file_type(path: &Path) -> FileType {
    match path.extension().and_then(|e| e.to_str()) {
        Some("sql") => FileType::Sql,
        Some("py") => FileType::Python,
        Some("yaml" | "yml") => FileType::Yaml,
        Some("csv") => FileType::Csv,
        _ => FileType::Other,
    }
}

/// Where a problem was found, for the failure message.
struct Failure {
    what: String,
    input: Vec<u8>,
}

#[derive(Default)]
struct Report {
    failures: Mutex<Vec<Failure>>,
    inputs: AtomicUsize,
}

impl Report {
    fn fail(&self, what: String, input: &[u8]) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).push(Failure { what, input: input.to_vec() });
    }
}

/// The text spans point into: bytes, and whether they must fall on char boundaries.
#[derive(Clone, Copy)]
enum Text<'a> {
    Str(&'a str),
    Bytes(&'a [u8]),
}

/// Every span in `value` (objects with exactly numeric `start` and `end`): the problems found.
fn check_spans(value: &Value, text: Text, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if map.len() == 2
                && let (Some(start), Some(end)) =
                    (map.get("start").and_then(Value::as_u64), map.get("end").and_then(Value::as_u64))
            {
                check_span(start as usize, end as usize, text, problems);
                return;
            }
            map.values().for_each(|v| check_spans(v, text, problems));
        }
        Value::Array(items) => items.iter().for_each(|v| check_spans(v, text, problems)),
        _ => {}
    }
}

fn check_span(start: usize, end: usize, text: Text, problems: &mut Vec<String>) {
    let len = match text {
        Text::Str(s) => s.len(),
        Text::Bytes(b) => b.len(),
    };
    if start > end || end > len {
        problems.push(format!("span {start}..{end} does not fit a text of {len} bytes"));
    } else if let Text::Str(s) = text
        && (!s.is_char_boundary(start) || !s.is_char_boundary(end))
    {
        problems.push(format!("span {start}..{end} is not on char boundaries"));
    }
}

/// Checks the diagnostics against the text, and with `all` every other span the result holds.
fn check_result(result: &impl Serialize, diagnostics: &[Diagnostic], text: Text, all: bool) -> Vec<String> {
    let mut problems = Vec::new();
    for d in diagnostics {
        check_span(d.span.start as usize, d.span.end as usize, text, &mut problems);
    }
    if all {
        match serde_json::to_value(result) {
            Ok(value) => check_spans(&value, text, &mut problems),
            Err(e) => problems.push(format!("result does not serialize: {e}")),
        }
    }
    problems
}

/// Runs the parsers that fit `file_type` (and the model parser whatever the type) on `text`.
/// `variant` rotates the model parser's project dialect and, every `FULL_CHECK_EVERY`th time,
/// has every span of the results checked, not only the diagnostics' (serializing the results
/// to find their spans doubles the time taken).
fn parse_text(text: &str, file_type: FileType, variant: usize) -> Vec<String> {
    let all = variant % FULL_CHECK_EVERY == 0;
    const DIALECTS: [Option<&str>; 4] = [None, Some("bigquery"), Some("tsql"), Some("snowflake")];
    let checked = Text::Str(text);
    let mut problems = Vec::new();
    let mut add = |name: &str, found: Vec<String>| problems.extend(found.into_iter().map(|p| format!("{name}: {p}")));

    let model = syntax::model_file::parse_model_file(text, DIALECTS[variant % DIALECTS.len()]);
    add("parse_model_file", check_result(&model, &model.diagnostics, checked, all));
    match file_type {
        FileType::Sql => {
            let audits = syntax::audit::parse_audit_file(text);
            add("parse_audit_file", check_result(&audits, &audits.diagnostics, checked, all));
        }
        FileType::Python => {
            if let Some(model) = syntax::python::parse_python_model(text) {
                add("parse_python_model", check_result(&model, &model.diagnostics, checked, all));
            }
            let macros = syntax::python::parse_macro_module(text);
            add("parse_macro_module", check_result(&macros, &[], checked, all));
            let config = syntax::config::parse_config_py(text);
            add("parse_config_py", check_result(&config, &config.diagnostics, checked, all));
        }
        FileType::Yaml => {
            let config = syntax::config::parse_config_yaml(text);
            add("parse_config_yaml", check_result(&config, &config.diagnostics, checked, all));
            let external = syntax::external::parse_external_models(text);
            add("parse_external_models", check_result(&external, &external.diagnostics, checked, all));
        }
        FileType::Csv => add("parse_seed_header", parse_seed(text.as_bytes(), all)),
        FileType::Other => {}
    }
    problems
}

fn parse_seed(bytes: &[u8], all: bool) -> Vec<String> {
    let header = syntax::seed::parse_seed_header(bytes);
    // Seeds are bytes: a span must fit them, char boundaries do not apply.
    check_result(&header, &header.diagnostics, Text::Bytes(bytes), all)
}

/// Parses one input, catching a panic; problems and panics go to the report.
fn run(report: &Report, what: &str, text: &str, file_type: FileType, variant: usize) {
    report.inputs.fetch_add(1, Ordering::Relaxed);
    match std::panic::catch_unwind(|| parse_text(text, file_type, variant)) {
        Ok(problems) if problems.is_empty() => {}
        Ok(problems) => report.fail(format!("{what}: {}", problems.join("; ")), text.as_bytes()),
        Err(_) => report.fail(format!("{what}: panicked"), text.as_bytes()),
    }
}

fn run_seed(report: &Report, what: &str, bytes: &[u8]) {
    report.inputs.fetch_add(1, Ordering::Relaxed);
    match std::panic::catch_unwind(|| parse_seed(bytes, true)) {
        Ok(problems) if problems.is_empty() => {}
        Ok(problems) => report.fail(format!("{what}: {}", problems.join("; ")), bytes),
        Err(_) => report.fail(format!("{what}: panicked"), bytes),
    }
}

/// The byte offsets where prefixes of `text` are cut.
fn cuts(text: &str) -> Vec<usize> {
    if text.len() < ALL_CUTS_BELOW {
        return (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
    }
    let mut cuts: Vec<usize> = (0..=CUTS)
        .map(|k| {
            let mut at = text.len() * k / CUTS;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        })
        .collect();
    cuts.dedup();
    cuts
}

/// A random char boundary of `text` (0..=len).
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// One to three random edits of `text`: insert, delete or duplicate a range, or insert a
/// fragment. Positions are char boundaries, so the result is valid UTF-8.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut out = text.to_string();
    for _ in 0..1 + rng.below(3) {
        let a = boundary(rng, &out);
        let b = boundary(rng, &out);
        let (lo, hi) = (a.min(b), a.max(b));
        // Ranges of at most 64 bytes keep most of the text's structure.
        let hi = if hi - lo > 64 {
            let mut h = lo + 64;
            while !out.is_char_boundary(h) {
                h -= 1;
            }
            h
        } else {
            hi
        };
        match rng.below(4) {
            0 => out.replace_range(lo..hi, ""),
            1 => {
                let piece = out[lo..hi].to_string();
                out.insert_str(hi, &piece);
            }
            2 => {
                let piece = out[lo..hi].to_string();
                let at = boundary(rng, &out);
                out.insert_str(at, &piece);
            }
            _ => {
                let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())];
                out.insert_str(lo, fragment);
            }
        }
    }
    out
}

/// Byte-level edits that may break UTF-8, for the seed reader.
fn mutate_bytes(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(4) {
            0 if at < out.len() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at..end);
            }
            1 => out.insert(at, [0xff, 0xc3, 0x80, 0xef, b'"', b',', b'\n', b'\r', 0][rng.below(9)]),
            _ => {
                let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                out.splice(at..at, fragment.iter().copied());
            }
        }
    }
    out
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "__pycache__") {
                collect_files(&path, out);
            }
        } else if std::fs::read(&path).is_ok_and(|b| std::str::from_utf8(&b).is_ok()) {
            out.push(path);
        }
    }
}

/// Prefixes and mutations of one file.
fn fuzz_file(report: &Report, root: &Path, path: &Path) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let name = path.strip_prefix(root).unwrap_or(path).display().to_string();
    let file_type = file_type(path);
    for (k, cut) in cuts(&text).into_iter().enumerate() {
        run(report, &format!("{name} cut at {cut}"), &text[..cut], file_type, k);
    }
    let mut rng = Rng::from_text(&name);
    for k in 0..MUTATIONS {
        let mutated = mutate(&mut rng, &text);
        run(report, &format!("{name} mutation {k}"), &mutated, file_type, k);
    }
    if file_type == FileType::Csv {
        for k in 0..MUTATIONS {
            let mutated = mutate_bytes(&mut rng, text.as_bytes());
            run_seed(report, &format!("{name} byte mutation {k}"), &mutated);
        }
    }
}

/// Inputs built to hit depth limits, unterminated constructs and sheer size.
fn nasties() -> Vec<(String, String, FileType)> {
    let parens = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
    let mut list = vec![
        (
            "500 nested parentheses in a MODEL block".to_string(),
            format!("MODEL (\n  name harbor.deep,\n  kind FULL,\n  grain {}\n);\nSELECT 1 AS x", parens(500)),
            FileType::Sql,
        ),
        (
            "500 nested parentheses in a query".to_string(),
            format!("MODEL (name harbor.deep);\nSELECT {} AS x FROM harbor.t", parens(500)),
            FileType::Sql,
        ),
        (
            "500 nested parentheses in an AUDIT block".to_string(),
            format!("AUDIT (name deep, defaults (x = {}));\nSELECT 1", parens(500)),
            FileType::Sql,
        ),
        ("an unterminated MODEL (".to_string(), "MODEL (".to_string(), FileType::Sql),
        (
            "an unterminated MODEL ( with a kind".to_string(),
            "MODEL (\n  name harbor.x,\n  kind INCREMENTAL_BY_TIME_RANGE (\n    time_column (ds, '%Y".to_string(),
            FileType::Sql,
        ),
    ];
    for open in ["[", "(", "{"] {
        let deep = open.repeat(5000);
        for (what, file_type, text) in [
            ("SQL", FileType::Sql, format!("MODEL (name harbor.x, grain {deep}")),
            ("a query", FileType::Sql, format!("SELECT {deep}")),
            ("YAML", FileType::Yaml, format!("- name: harbor.x\n  columns: {deep}")),
            ("a Python model", FileType::Python, format!("@model('harbor.x', columns={deep}\ndef f(): pass")),
            ("config.py", FileType::Python, format!("config = Config(model_defaults={deep}")),
            ("CSV", FileType::Csv, deep.clone()),
        ] {
            list.push((format!("5,000-deep `{open}` in {what}"), text, file_type));
        }
    }
    list.push(("5,000 nested YAML sequences".to_string(), "- ".repeat(5000) + "x", FileType::Yaml));
    let mut mappings = String::new();
    for depth in 0..1000 {
        mappings.push_str(&format!("{}k{depth}:\n", " ".repeat(depth)));
    }
    list.push(("1,000 nested YAML mappings".to_string(), mappings, FileType::Yaml));
    // 1 MB queries on one line: a long select list (parsed), long operator chains (too deep
    // for sqlparser's tree, left to the token pass).
    let mut select = String::from("MODEL (name harbor.wide, kind FULL); SELECT ");
    let mut i = 0;
    while select.len() < 1_000_000 {
        select.push_str(&format!("CAST(c{i} AS INT) AS a{i}, @start_ds AS d{i}, "));
        i += 1;
    }
    select.push_str("1 AS last FROM harbor.t");
    list.push(("a 1 MB single-line select list".to_string(), select, FileType::Sql));
    let mut chain = String::from("SELECT 1 AS x FROM harbor.t WHERE ");
    while chain.len() < 1_000_000 {
        chain.push_str(&format!("c{i} = 'x' AND "));
        i += 1;
    }
    chain.push_str("TRUE");
    list.push(("a 1 MB single-line WHERE chain".to_string(), chain, FileType::Sql));
    list.push(("a 1 MB sum".to_string(), format!("SELECT {}1 AS x", "a + ".repeat(250_000)), FileType::Sql));
    list.push(("a 1 MB UNION".to_string(), "SELECT 1 UNION ALL ".repeat(52_000) + "SELECT 1", FileType::Sql));
    list
}

#[test]
fn parsers_never_panic_and_spans_fit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect_files(&root.join("fixtures"), &mut files);
    collect_files(&root.join("tests/syntax"), &mut files);
    assert!(files.len() > 50, "expected the fixtures and tests/syntax inputs, found {} files", files.len());

    let report = Report::default();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while let Some(path) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                    fuzz_file(&report, root, path);
                }
            });
        }
    });
    assert_no_failures(report);
}

#[test]
fn pathological_inputs() {
    let report = Report::default();
    for (k, (what, text, file_type)) in nasties().into_iter().enumerate() {
        run(&report, &what, &text, file_type, k * FULL_CHECK_EVERY);
    }
    assert_no_failures(report);
}

fn assert_no_failures(report: Report) {
    eprintln!("{} inputs parsed", report.inputs.load(Ordering::Relaxed));
    let failures = report.failures.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut message = String::new();
    for (k, failure) in failures.iter().take(20).enumerate() {
        let saved = std::env::temp_dir().join(format!("meshls-no-panic-{k}.txt"));
        let _ = std::fs::write(&saved, &failure.input);
        message.push_str(&format!("\n{} (input saved to {})", failure.what, saved.display()));
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs failed:{message}",
        failures.len(),
        report.inputs.load(Ordering::Relaxed)
    );
}

#[test]
fn span_checks_catch_bad_spans() {
    let value = serde_json::json!({ "a": [{ "start": 1, "end": 2 }], "b": { "start": 0, "end": 9 } });
    let mut problems = Vec::new();
    check_spans(&value, Text::Str("é"), &mut problems);
    assert_eq!(problems, ["span 1..2 is not on char boundaries", "span 0..9 does not fit a text of 2 bytes"]);
    let mut problems = Vec::new();
    check_spans(&value, Text::Bytes("é".as_bytes()), &mut problems);
    assert_eq!(problems, ["span 0..9 does not fit a text of 2 bytes"]);
}

#[test]
fn mutations_are_deterministic_and_valid_utf8() {
    let text = "MODEL (name é.😀);\nSELECT 1";
    let (mut a, mut b) = (Rng::from_text("x"), Rng::from_text("x"));
    for _ in 0..100 {
        let (m, n) = (mutate(&mut a, text), mutate(&mut b, text));
        assert_eq!(m, n);
    }
    assert_eq!(cuts("aé").len(), 3);
    assert_eq!(cuts(&"x".repeat(5000)).len(), CUTS + 1);
}
