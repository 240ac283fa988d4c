//! `meshls generate dagster [PATH] [-o FILE] [--check]`: orchestrator definitions written from
//! the project (see `src/codegen` and `docs/dagster.md`).
//!
//! Options come from `[codegen.dagster]` of the project's `meshls.toml`, flags over them. The
//! module goes to `-o FILE`, else to the table's `output` (relative to the project root), else
//! to stdout. `--check` writes nothing: it exits 1 with a unified diff when the file is not
//! what would be written.

use crate::codegen::{self, Options, dagster};
use crate::project::Workspace;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

/// What `meshls generate dagster` was asked.
pub struct Request {
    pub path: PathBuf,
    pub output: Option<PathBuf>,
    pub check: bool,
    /// The flags' options, over the project's.
    pub flags: Options,
}

pub fn run_dagster(request: Request) -> ExitCode {
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
    let options = match Options::from_meshls_toml(&project.root) {
        Ok(options) => options.overridden_by(request.flags),
        Err(error) => {
            eprintln!("meshls: {error}");
            return ExitCode::from(2);
        }
    };
    let output = request.output.map(|o| cwd.join(o)).or_else(|| options.output.as_ref().map(|o| project.root.join(o)));
    if request.check && output.is_none() {
        eprintln!("meshls: --check needs the generated file: -o FILE, or `output` in [codegen.dagster] of meshls.toml");
        return ExitCode::from(2);
    }
    let module_dir = output.as_deref().and_then(Path::parent).map_or_else(|| cwd.clone(), Path::to_path_buf);
    let location = dagster::Location {
        project_name: project.root.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        project_from_module: relative(&project.root, &module_dir),
        module_file: output.as_deref().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned()),
    };
    let plan = codegen::plan(project, &options);
    for warning in &plan.warnings {
        eprintln!("meshls: warning: {warning}");
    }
    let module = dagster::module(&plan, &options, &location);
    let code = match (&output, request.check) {
        (None, _) => super::print_text(&module, "module"),
        (Some(output), true) => check(output, &module, &cwd),
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
fn check(output: &Path, module: &str, cwd: &Path) -> ExitCode {
    let shown = output.strip_prefix(cwd).unwrap_or(output).to_string_lossy().replace('\\', "/");
    let current = match std::fs::read_to_string(output) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("meshls: {shown} does not exist; run `meshls generate dagster` without --check to write it");
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
        "meshls: {shown} is stale: regenerate it with `meshls generate dagster` (the diff above is what changes)"
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

/// `target` relative to `base` with `/` separators (`../fixtures/x`, `.`); absolute when they
/// share no root.
fn relative(target: &Path, base: &Path) -> String {
    let target: Vec<Component> = target.components().collect();
    let base: Vec<Component> = base.components().collect();
    let common = target.iter().zip(&base).take_while(|(a, b)| a == b).count();
    // Sharing only the root (`/`, `C:\`) is sharing nothing.
    let root_only =
        common == target.iter().take_while(|c| matches!(c, Component::RootDir | Component::Prefix(_))).count();
    if common == 0 || root_only {
        return target.iter().collect::<PathBuf>().to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = base[common..].iter().map(|_| "..".to_string()).collect();
    parts.extend(target[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    if parts.is_empty() { ".".to_string() } else { parts.join("/") }
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/a/b/p"), Path::new("/a/b")), "p");
        assert_eq!(relative(Path::new("/a/b/p"), Path::new("/a/b/p")), ".");
        assert_eq!(relative(Path::new("/a/p"), Path::new("/a/b/c")), "../../p");
        assert_eq!(relative(Path::new("/a/p"), Path::new("/tmp")), "/a/p");
    }
}
