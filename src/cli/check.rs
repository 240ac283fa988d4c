//! `meshls check [PATH...] [--format human|json|sarif] [--fix] [--unsafe-fixes] [--diff]`: the
//! server's diagnostics, for CI. Exits 1 when any error is reported.

use super::located::{DiagnosticOut, Locator};
use crate::analysis;
use crate::analysis::check::{FixPlan, Overlay, check_workspace, plan_fixes};
use crate::project::Workspace;
use crate::syntax::line_index::{Encoding, LineIndex};
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

/// What `--fix`, `--unsafe-fixes` and `--diff` ask for.
#[derive(Clone, Copy, Default)]
pub struct Fixing {
    pub fix: bool,
    pub unsafe_fixes: bool,
    pub diff: bool,
}

pub fn run(paths: &[PathBuf], format: CheckFormat, fixing: Fixing) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_default();
    let paths: Vec<PathBuf> = paths.iter().map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone())).collect();
    let workspace = Workspace::load(&paths);
    let mut found = check_workspace(&workspace);
    let mut locator = Locator::new(&cwd);
    if fixing.fix || fixing.diff {
        let plan = plan_fixes(&paths, &found, fixing.unsafe_fixes);
        if !plan.new_errors.is_empty() {
            // Nothing is written; the diagnostics printed are the project's as it is.
            report_refused(&plan, &mut locator);
            let _ = print(format, &found, &mut locator);
            return ExitCode::FAILURE;
        }
        if fixing.diff {
            return match print_diff(&plan, &locator) {
                Ok(()) if plan.texts.is_empty() => ExitCode::SUCCESS,
                Ok(()) => ExitCode::FAILURE,
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("meshls: cannot print the diff: {error}");
                    ExitCode::from(2)
                }
            };
        }
        if plan.applied > 0 {
            if let Err(error) = write_all(&plan.texts) {
                eprintln!("meshls: {error}");
                return ExitCode::from(2);
            }
            let n = plan.applied;
            eprintln!(
                "meshls: applied {n} fix{} in {} file{}",
                plural(n, "es"),
                plan.texts.len(),
                plural(plan.texts.len(), "s")
            );
            found = plan.after;
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.span.cmp(&b.1.span)));
    match print(format, &found, &mut locator) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(error) => {
            eprintln!("meshls: cannot print the diagnostics: {error}");
            return ExitCode::from(2);
        }
    }
    if found.iter().any(|(_, d)| d.severity == Severity::Error) { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn plural(n: usize, suffix: &str) -> &str {
    if n == 1 { "" } else { suffix }
}

fn print(format: CheckFormat, found: &[(PathBuf, Diagnostic)], locator: &mut Locator) -> std::io::Result<()> {
    let located: Vec<DiagnosticOut> = found.iter().map(|(path, d)| locator.out(path, d)).collect();
    match format {
        CheckFormat::Human => print_human(found, &located, locator),
        CheckFormat::Json => print_json(&located),
        CheckFormat::Sarif => print_json(&sarif(&located)),
    }
}

/// Says why `--fix` wrote nothing: the errors the fixed text would have, located in it.
fn report_refused(plan: &FixPlan, locator: &mut Locator) {
    let n = plan.new_errors.len();
    eprintln!(
        "meshls: --fix wrote nothing: after the {} fix{}, the project would have {n} new error{}:",
        plan.applied,
        plural(plan.applied, "es"),
        plural(n, "s")
    );
    for (path, d) in &plan.new_errors {
        let (line, col) = match plan.texts.get(path) {
            Some(text) => {
                let at = LineIndex::new(text).line_col(text, d.span.start as usize, Encoding::Utf16);
                (at.line, at.col)
            }
            None => {
                let range = locator.range(path, d.span);
                (range.start.line, range.start.col)
            }
        };
        eprintln!("  {}:{}:{}: error[{}] {}", locator.relative(path), line + 1, col + 1, d.code, d.message);
    }
}

/// The changes as a unified diff, one file after another.
fn print_diff(plan: &FixPlan, locator: &Locator) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (path, new) in &plan.texts {
        let old = std::fs::read_to_string(path).unwrap_or_default();
        let name = locator.relative(path);
        let diff = similar::TextDiff::from_lines(&old, new);
        write!(out, "{}", diff.unified_diff().header(&format!("a/{name}"), &format!("b/{name}")))?;
    }
    if !plan.texts.is_empty() {
        eprintln!(
            "meshls: {} fix{} would change {} file{}",
            plan.applied,
            plural(plan.applied, "es"),
            plan.texts.len(),
            plural(plan.texts.len(), "s")
        );
    }
    out.flush()
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

/// Writes every file: each to a sibling temporary file first, then all renamed over their
/// targets, so that a failed write leaves every file as it was.
fn write_all(texts: &Overlay) -> Result<(), String> {
    let mut written: Vec<(PathBuf, &Path)> = Vec::new();
    for (path, text) in texts {
        match write_temporary(path, text) {
            Ok(tmp) => written.push((tmp, path)),
            Err(error) => {
                for (tmp, _) in &written {
                    let _ = std::fs::remove_file(tmp);
                }
                return Err(format!("cannot write {}: {error}; nothing was changed", path.display()));
            }
        }
    }
    for (tmp, path) in &written {
        if let Err(error) = std::fs::rename(tmp, path) {
            let _ = std::fs::remove_file(tmp);
            return Err(format!("cannot replace {}: {error}", path.display()));
        }
    }
    Ok(())
}

/// Writes `text` to a temporary file beside `path` (with its permissions) and returns its path.
fn write_temporary(path: &Path, text: &str) -> std::io::Result<PathBuf> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.meshls-{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    if let Ok(metadata) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, metadata.permissions());
    }
    Ok(tmp)
}
