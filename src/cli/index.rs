//! `meshls index PATH [--format json]`: the workspace as SQLMesh would load it.
//!
//! The JSON shape is a contract: `{"projects": [{"root", "models": [{"name", "path", "source",
//! "kind", "dialect", "cron", "start", "time_column", "depends_on", "columns", "audits",
//! "tags", "unknown"}], "diagnostics": [...]}], "diagnostics": [...]}`. `unknown` lists the
//! fields a model sets that cannot be known without running code (a `start` computed in
//! Python); it is left out when empty.

use super::Format;
use super::located::{DiagnosticOut, Locator};
use crate::project::{FileFacts, Model, PathDiagnostic, Project, Workspace};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

struct Output<'a> {
    projects: Vec<ProjectOut<'a>>,
    diagnostics: Vec<DiagnosticOut>,
}

struct ProjectOut<'a> {
    root: String,
    models: ModelsOut<'a>,
    diagnostics: Vec<DiagnosticOut>,
}

/// A project's models with their paths, sorted by name.
struct ModelsOut<'a> {
    project: &'a Project,
    models: Vec<(String, &'a Model)>,
}

#[derive(Serialize)]
struct ModelOut<'a> {
    path: Option<String>,
    #[serde(flatten)]
    model: &'a Model,
    /// The resolved schema: declared columns, else the query's output with `*` expanded.
    columns: Option<Vec<ColumnOut>>,
    /// Output column → upstream model → the source columns it is computed from.
    lineage: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Fields the model sets whose values cannot be known statically.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unknown: Vec<&'static str>,
}

#[derive(Serialize)]
struct ColumnOut {
    name: String,
    #[serde(rename = "type")]
    data_type: Option<String>,
}

fn model_out<'a>(project: &Project, path: String, model: &'a Model) -> ModelOut<'a> {
    let schema = project.schema(&model.name).unwrap_or_default();
    let columns = schema.columns.as_ref().map(|columns| {
        columns.iter().map(|c| ColumnOut { name: c.name.clone(), data_type: c.data_type.clone() }).collect()
    });
    let mut lineage = BTreeMap::new();
    let named = schema.columns.iter().flatten().map(|c| &c.name).zip(&schema.lineage);
    for (column, deps) in named.chain(schema.partial.iter().map(|(n, deps)| (n, deps))) {
        let mut by_model: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (upstream, source) in deps {
            by_model.entry(upstream.as_str().to_string()).or_default().push(source.clone());
        }
        lineage.insert(column.clone(), by_model);
    }
    let mut unknown = Vec::new();
    if model.start_written && model.start.is_none() {
        unknown.push("start");
    }
    if model.depends_unknown {
        unknown.push("depends_on");
    }
    ModelOut { path: Some(path), model, columns, lineage, unknown }
}

fn project_out<'a>(project: &'a Project, files: &'a [Arc<FileFacts>]) -> ProjectOut<'a> {
    let root = &project.root;
    let mut locator = Locator::new(root);
    let mut models = Vec::new();
    let mut diagnostics: Vec<DiagnosticOut> =
        project.diagnostics.iter().map(|d| locator.out(&d.path, &d.diagnostic)).collect();
    for file in files {
        for model in &file.models {
            models.push((locator.relative(&file.path), model));
        }
        diagnostics.extend(file.diagnostics.iter().map(|d| locator.out(&file.path, d)));
    }
    models.sort_by(|a, b| a.1.name.cmp(&b.1.name).then_with(|| a.0.cmp(&b.0)));
    ProjectOut { root: root.to_string_lossy().into_owned(), models: ModelsOut { project, models }, diagnostics }
}

pub fn run(paths: &[PathBuf], format: Format) -> ExitCode {
    let paths: Vec<PathBuf> = paths.iter().map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone())).collect();
    let workspace = Workspace::load(&paths);
    if matches!(format, Format::Json) {
        for project in &workspace.projects {
            project.compute_schemas();
        }
    }
    let files: Vec<Vec<Arc<FileFacts>>> = workspace.projects.iter().map(|p| p.files()).collect();
    let output = Output {
        projects: workspace.projects.iter().zip(&files).map(|(p, f)| project_out(p, f)).collect(),
        diagnostics: workspace
            .diagnostics
            .iter()
            .map(|PathDiagnostic { path, diagnostic }| Locator::new(path).out(path, diagnostic))
            .collect(),
    };
    let written = match format {
        Format::Json => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write_json(&mut out, &output).and_then(|()| out.flush())
        }
        Format::Human => {
            let cwd = std::env::current_dir().unwrap_or_default();
            print_human(&output, &workspace, &cwd)
        }
    };
    match written {
        Ok(()) => {}
        // A reader that stopped early (`meshls index | head`) ends the output, as ripgrep treats it.
        Err(error) if is_broken_pipe(&error) => return ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("meshls: cannot print the index: {error}");
            return ExitCode::FAILURE;
        }
    }
    let code = if workspace.projects.is_empty() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
    // The process ends here: freeing every file's facts and every cached schema one by one
    // would cost about a tenth of the run (0.15 s at N = 10,000), for memory the OS reclaims
    // at once on exit.
    std::mem::forget(output);
    std::mem::forget(files);
    std::mem::forget(workspace);
    code
}

/// Whether writing failed because the reader went away (serde_json wraps the I/O error).
fn is_broken_pipe(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::BrokenPipe
        || error
            .get_ref()
            .and_then(|e| e.downcast_ref::<serde_json::Error>())
            .and_then(|e| e.io_error_kind())
            .is_some_and(|k| k == std::io::ErrorKind::BrokenPipe)
}

/// Writes `output` as `serde_json::to_writer_pretty` would, with the models serialized in
/// parallel, a window at a time (the schemas are computed beforehand).
fn write_json(out: &mut impl std::io::Write, output: &Output) -> std::io::Result<()> {
    /// Models serialized at once: enough to keep every core busy, few enough to keep the
    /// memory of the text small.
    const WINDOW: usize = 1024;
    out.write_all(b"{\n  \"projects\": [")?;
    for (i, project) in output.projects.iter().enumerate() {
        out.write_all(if i == 0 { b"\n    {\n" } else { b",\n    {\n" })?;
        write!(out, "      \"root\": {},\n      \"models\": ", serde_json::to_string(&project.root)?)?;
        let models = &project.models.models;
        if models.is_empty() {
            out.write_all(b"[]")?;
        } else {
            out.write_all(b"[")?;
            let mut separator: &[u8] = b"\n        ";
            for window in models.chunks(WINDOW) {
                let texts: Vec<serde_json::Result<Vec<u8>>> = window
                    .par_iter()
                    .map(|(path, model)| indented(&model_out(project.models.project, path.clone(), model), 8))
                    .collect();
                for text in texts {
                    out.write_all(separator)?;
                    out.write_all(&text?)?;
                    separator = b",\n        ";
                }
            }
            out.write_all(b"\n      ]")?;
        }
        out.write_all(b",\n      \"diagnostics\": ")?;
        out.write_all(&indented(&project.diagnostics, 6)?)?;
        out.write_all(b"\n    }")?;
    }
    out.write_all(if output.projects.is_empty() { b"],\n" } else { b"\n  ],\n" })?;
    out.write_all(b"  \"diagnostics\": ")?;
    out.write_all(&indented(&output.diagnostics, 2)?)?;
    out.write_all(b"\n}\n")
}

/// `value` as pretty JSON whose lines after the first are indented by `indent` spaces.
fn indented(value: &impl Serialize, indent: usize) -> serde_json::Result<Vec<u8>> {
    let text = serde_json::to_vec_pretty(value)?;
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
            out.resize(out.len() + indent, b' ');
        }
        out.extend_from_slice(line);
    }
    Ok(out)
}

/// Paths relative to `cwd`; lines and columns from 1; `severity[code]` as `meshls check`
/// prints it.
fn print_human(output: &Output, workspace: &Workspace, cwd: &Path) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let shown = |path: &Path| {
        let relative = path.strip_prefix(cwd).unwrap_or(path).to_string_lossy().replace('\\', "/");
        if relative.is_empty() { ".".to_string() } else { relative }
    };
    for (project, root) in output.projects.iter().zip(workspace.projects.iter().map(|p| &p.root)) {
        writeln!(out, "{} ({} models)", shown(root), project.models.models.len())?;
        for (path, m) in &project.models.models {
            let deps = m.depends_on.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ");
            let deps = if deps.is_empty() { String::new() } else { format!(" <- {deps}") };
            writeln!(out, "  {} [{}] {}{deps}", m.name, m.kind, shown(&root.join(path)))?;
        }
        for d in &project.diagnostics {
            writeln!(
                out,
                "  {}:{}:{}: {}[{}] {}",
                shown(&root.join(&d.path)),
                d.range.start.line + 1,
                d.range.start.col + 1,
                severity(d.severity),
                d.code,
                d.message
            )?;
        }
    }
    for (d, found) in output.diagnostics.iter().zip(&workspace.diagnostics) {
        writeln!(out, "{}: {}[{}] {}", shown(&found.path), severity(d.severity), d.code, d.message)?;
    }
    out.flush()
}

fn severity(severity: crate::syntax::Severity) -> String {
    format!("{severity:?}").to_lowercase()
}
