//! `meshls generate <backend> [PATH] [-o FILE] [--check]`: orchestrator definitions written from
//! the project (see `src/codegen` and `docs/dagster.md`).
//!
//! Options come from `[codegen.<backend>]` of the project's `meshls.toml`, flags over them. The
//! module goes to `-o FILE`, else to the table's `output` (relative to the project root), else
//! to stdout. `--check` writes nothing: it exits 1 with a unified diff when the file is not
//! what would be written.

use crate::codegen::{self, Backend, Options};
use crate::project::Workspace;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `meshls generate <backend>` was asked.
pub struct Request {
    pub path: PathBuf,
    pub output: Option<PathBuf>,
    pub check: bool,
    /// The flags' options, over the project's.
    pub flags: Options,
}

pub fn run(backend: Backend, request: Request) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = std::path::absolute(&request.path).unwrap_or_else(|_| request.path.clone());
    let workspace = Workspace::load(std::slice::from_ref(&path));
    let project = match workspace.projects.as_slice() {
        [project] => project,
        [] => {
            eprintln!("meshls: no SQLMesh project at {}", request.path.display());
            return ExitCode::from(2);
        }
        several => {
            eprintln!(
                "meshls: {} holds {} SQLMesh projects; point at one of them:",
                request.path.display(),
                several.len()
            );
            for project in several {
                eprintln!("  {}", project.root.display());
            }
            return ExitCode::from(2);
        }
    };
    let meshls_toml = std::fs::read_to_string(project.root.join("meshls.toml")).ok();
    let options = match backend.options(meshls_toml.as_deref()) {
        Ok(options) => options.overridden_by(request.flags.clone()),
        Err(error) => {
            eprintln!("meshls: {}: {error}", project.root.display());
            return ExitCode::from(2);
        }
    };
    let output = request.output.map(|o| cwd.join(o)).or_else(|| options.output.as_ref().map(|o| project.root.join(o)));
    if request.check && output.is_none() {
        eprintln!(
            "meshls: --check needs the generated file: -o FILE, or `output` in [codegen.{}] of meshls.toml",
            backend.name()
        );
        return ExitCode::from(2);
    }
    let generated = codegen::generate(&codegen::Request {
        backend,
        project,
        options,
        flags: request.flags,
        output: output.clone(),
        cwd: cwd.clone(),
    });
    for warning in &generated.warnings {
        eprintln!("meshls: warning: {warning}");
    }
    let module = generated.text;
    let code = match (&output, request.check) {
        (None, _) => super::print_text(&module, "module"),
        (Some(output), true) => check(backend, output, &module, &cwd),
        (Some(output), false) => match write(output, &module) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("meshls: cannot write {}: {error}", output.display());
                ExitCode::FAILURE
            }
        },
    };
    std::mem::forget(workspace);
    code
}

/// Exit 0 when `output` holds `module`; else a unified diff on stdout and exit 1.
fn check(backend: Backend, output: &Path, module: &str, cwd: &Path) -> ExitCode {
    let shown = output.strip_prefix(cwd).unwrap_or(output).to_string_lossy().replace('\\', "/");
    let current = match std::fs::read_to_string(output) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "meshls: {shown} does not exist; run `meshls generate {}` without --check to write it",
                backend.name()
            );
            return ExitCode::FAILURE;
        }
        Err(error) => {
            eprintln!("meshls: cannot read {shown}: {error}");
            return ExitCode::FAILURE;
        }
    };
    if current == module {
        return ExitCode::SUCCESS;
    }
    let diff = similar::TextDiff::from_lines(current.as_str(), module);
    let mut stdout = std::io::stdout().lock();
    let _ = write!(stdout, "{}", diff.unified_diff().header(&format!("a/{shown}"), &format!("b/{shown}")));
    let _ = stdout.flush();
    eprintln!(
        "meshls: {shown} is stale: regenerate it with `meshls generate {}` (the diff above is what changes)",
        backend.name()
    );
    ExitCode::FAILURE
}

/// Writes through a sibling temporary file, so that a reader never sees half a module.
fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension("py.meshls-tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
