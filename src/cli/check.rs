//! `meshls check [PATH...] [--format human|json|sarif] [--fix]`: the server's diagnostics, for
//! CI. Exits 1 when any error is reported.

use super::located::{DiagnosticOut, Locator};
use crate::analysis;
use crate::analysis::check::{check_workspace, fixed_texts};
use crate::project::Workspace;
use crate::syntax::{Diagnostic, Severity};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How `check` prints.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
}

pub fn run(paths: &[PathBuf], format: CheckFormat, fix: bool) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_default();
    let paths: Vec<PathBuf> = paths.iter().map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone())).collect();
    let mut workspace = Workspace::load(&paths);
    let mut found = check_workspace(&workspace);
    if fix {
        let fixed = apply_fixes(&found);
        if fixed > 0 {
            eprintln!("meshls: applied {fixed} fix{}", if fixed == 1 { "" } else { "es" });
            workspace = Workspace::load(&paths);
            found = check_workspace(&workspace);
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.span.cmp(&b.1.span)));
    let mut locator = Locator::new(&cwd);
    let located: Vec<DiagnosticOut> = found.iter().map(|(path, d)| locator.out(path, d)).collect();
    let written = match format {
        CheckFormat::Human => print_human(&found, &located, &mut locator),
        CheckFormat::Json => print_json(&located),
        CheckFormat::Sarif => print_json(&sarif(&located)),
    };
    if let Err(error) = written {
        eprintln!("meshls: cannot print the diagnostics: {error}");
        return ExitCode::from(2);
    }
    if found.iter().any(|(_, d)| d.severity == Severity::Error) { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn print_json(value: &impl serde::Serialize) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()
}

/// `path:line:col: severity[code] message`, the source line and a marker under the range.
fn print_human(
    found: &[(PathBuf, Diagnostic)],
    located: &[DiagnosticOut],
    locator: &mut Locator,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut counts = BTreeMap::new();
    for ((path, _), d) in found.iter().zip(located) {
        *counts.entry(format!("{:?}", d.severity).to_lowercase()).or_insert(0) += 1;
        let severity = format!("{:?}", d.severity).to_lowercase();
        writeln!(
            out,
            "{}:{}:{}: {severity}[{}] {}",
            d.path,
            d.range.start.line + 1,
            d.range.start.col + 1,
            d.code,
            d.message
        )?;
        let text = locator.text(path);
        if let Some(line) = text.lines().nth(d.range.start.line as usize) {
            let width = if d.range.end.line == d.range.start.line {
                (d.range.end.col.saturating_sub(d.range.start.col)).max(1) as usize
            } else {
                1
            };
            let indent: String = line
                .encode_utf16()
                .take(d.range.start.col as usize)
                .map(|u| if u == u16::from(b'\t') { '\t' } else { ' ' })
                .collect();
            writeln!(out, "  | {line}\n  | {indent}{}", "^".repeat(width))?;
        }
    }
    let summary: Vec<String> =
        counts.iter().map(|(k, n)| format!("{n} {k}{}", if *n == 1 { "" } else { "s" })).collect();
    if summary.is_empty() {
        writeln!(out, "no problems found")?;
    } else {
        writeln!(out, "{}", summary.join(", "))?;
    }
    out.flush()
}

/// SARIF 2.1.0 for code-scanning services; columns are 1-based UTF-16 code units.
fn sarif(located: &[DiagnosticOut]) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = analysis::diagnostics::RULES
        .iter()
        .map(|r| json!({"id": r.code, "shortDescription": {"text": r.summary}}))
        .collect();
    let results: Vec<serde_json::Value> = located
        .iter()
        .map(|d| {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Hint => "note",
            };
            json!({
                "ruleId": d.code,
                "level": level,
                "message": {"text": d.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": d.path},
                    "region": {
                        "startLine": d.range.start.line + 1, "startColumn": d.range.start.col + 1,
                        "endLine": d.range.end.line + 1, "endColumn": d.range.end.col + 1,
                    }
                }}]
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "meshls", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    })
}

/// Applies every safe fix, each file rewritten once and atomically; returns how many fixes
/// were applied.
fn apply_fixes(found: &[(PathBuf, Diagnostic)]) -> usize {
    let (texts, applied) = fixed_texts(found);
    for (path, text) in texts {
        if let Err(error) = write_atomically(&path, &text) {
            eprintln!("meshls: cannot write {}: {error}", path.display());
        }
    }
    applied
}

/// Writes a sibling temporary file, then renames it over `path`.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.meshls-{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    if let Ok(metadata) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, metadata.permissions());
    }
    std::fs::rename(&tmp, path)
}
