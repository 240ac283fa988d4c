//! One way in for every backend, shared by `meshls generate` and the editor (its code actions
//! and its staleness diagnostic): the backend, the project, where the file goes, and the
//! command line that writes it again. The file's header records that command line, and
//! [`Regenerate::read`] reads it back, so that any generated file can be checked against
//! what its own command would write now.

use super::{Options, dagster, identifier, plan};
use crate::project::Project;
use crate::syntax::{Applicability, Diagnostic, Edit, Fix, Span};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// An orchestrator meshls writes definitions for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Dagster,
}

impl Backend {
    pub const ALL: [Backend; 1] = [Backend::Dagster];

    /// The name in `meshls generate <name>` and in `[codegen.<name>]`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Dagster => "dagster",
        }
    }

    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL.into_iter().find(|b| b.name() == name)
    }

    /// What the generated file holds, for titles and messages.
    pub fn title(self) -> &'static str {
        match self {
            Backend::Dagster => "Dagster definitions",
        }
    }

    /// The kind of the editor's code actions that generate it.
    pub fn action_kind(self) -> &'static str {
        match self {
            Backend::Dagster => "source.generate.dagster",
        }
    }

    /// Where the editor writes a whole project's file when `meshls.toml` names no `output`,
    /// relative to the project root.
    pub fn default_output(self) -> &'static str {
        match self {
            Backend::Dagster => "orchestration/dagster_definitions.py",
        }
    }

    /// The options of `[codegen.<name>]` in a `meshls.toml`'s text; the defaults without one.
    pub fn options(self, meshls_toml: Option<&str>) -> Result<Options, String> {
        match (self, meshls_toml) {
            (_, None) => Ok(Options::default()),
            (Backend::Dagster, Some(text)) => Options::from_toml(text).map_err(|e| format!("meshls.toml: {e}")),
        }
    }
}

/// What to generate.
pub struct Request<'a> {
    pub backend: Backend,
    pub project: &'a Project,
    /// The project's options (`meshls.toml`) with `flags` over them.
    pub options: Options,
    /// The options given on the command line, which the header records.
    pub flags: Options,
    /// The file written, absolute; None when the text goes to stdout.
    pub output: Option<PathBuf>,
    /// The folder the module is imported from when it has no file (the current folder).
    pub cwd: PathBuf,
}

/// A generated file's text, and what could not be carried over (one line each).
pub struct Generated {
    pub text: String,
    pub warnings: Vec<String>,
}

/// Where a generated file sits relative to its project, for its header and for finding the
/// project when it runs.
#[derive(Debug, Clone)]
pub struct Location {
    /// The project's folder name (`bikeshop`).
    pub project_name: String,
    /// The project root relative to the file's folder (`../fixtures/bikeshop`, or `.`).
    pub project_from_module: String,
    /// The command that writes the file again, run from its folder.
    pub regenerate: String,
}

/// The text `request` asks for.
pub fn generate(request: &Request) -> Generated {
    let project = request.project;
    let folder = request.output.as_deref().and_then(Path::parent).unwrap_or(&request.cwd);
    let command = Regenerate {
        backend: request.backend,
        project: relative(&project.root, folder),
        output: request.output.as_deref().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned()),
        flags: request.flags.clone(),
    };
    let location = Location {
        project_name: project.root.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        project_from_module: command.project.clone(),
        regenerate: command.command_line(),
    };
    let plan = plan(project, &request.options);
    let text = match request.backend {
        Backend::Dagster => dagster::module(&plan, &request.options, &location),
    };
    Generated { text, warnings: plan.warnings }
}

/// The request of the editor's "Generate …" code actions: the whole project into `output` of
/// `meshls.toml` (else [`Backend::default_output`]), or `model` and its upstream into a file
/// beside it named after the model. `meshls_toml` is that file's text, when there is one.
pub fn for_editor<'a>(
    backend: Backend,
    project: &'a Project,
    meshls_toml: Option<&str>,
    model: Option<&str>,
) -> Result<Request<'a>, String> {
    let options = backend.options(meshls_toml)?;
    let whole = project.root.join(options.output.as_deref().unwrap_or(Path::new(backend.default_output())));
    let mut flags = Options::default();
    let output = match model {
        None => whole,
        Some(model) => {
            flags.select = vec![format!("+{model}")];
            let stem = whole.file_stem().map_or_else(|| backend.name().into(), |s| s.to_string_lossy().into_owned());
            whole.with_file_name(format!("{stem}_{}.py", identifier(model)))
        }
    };
    Ok(Request {
        backend,
        project,
        options: options.overridden_by(flags.clone()),
        flags,
        output: Some(output),
        cwd: project.root.clone(),
    })
}

/// The `stale-generated-file` info of a file meshls generated whose text is not what its
/// header's command would write now, with a fix that writes it. None when the file is
/// current, is not one meshls generated, or its command names no project of `projects` that
/// is fully indexed: silent rather than wrong.
pub fn staleness(
    path: &Path,
    text: &str,
    projects: &[Arc<Project>],
    read: impl Fn(&Path) -> Option<String>,
) -> Option<Diagnostic> {
    let (command, line) = Regenerate::read(text)?;
    let folder = path.parent()?;
    if command.output.as_deref() != path.file_name().and_then(|n| n.to_str()) {
        return None;
    }
    let root = normalized(&folder.join(&command.project));
    let project = projects.iter().find(|p| normalized(&p.root) == root && p.is_indexed())?;
    let options = command.backend.options(read(&project.root.join("meshls.toml")).as_deref()).ok()?;
    let request = Request {
        backend: command.backend,
        project,
        options: options.overridden_by(command.flags.clone()),
        flags: command.flags.clone(),
        output: Some(path.to_path_buf()),
        cwd: folder.to_path_buf(),
    };
    let fresh = generate(&request).text;
    // A command read back otherwise than it was written would compare other files.
    if fresh == text || Regenerate::read(&fresh).map(|(c, _)| c.command_line()) != Some(command.command_line()) {
        return None;
    }
    let message = format!(
        "this file is stale: the project changed since it was generated; regenerate it (`{}`)",
        command.command_line()
    );
    let fix = Fix {
        title: format!("Regenerate the {}", command.backend.title()),
        edits: vec![Edit { path: None, span: Span::new(0, text.len()), new_text: fresh }],
        applicability: Applicability::Safe,
        snippet: false,
    };
    Some(Diagnostic::info(STALE, line, message).with_fix(fix))
}

/// The code of the staleness diagnostic.
pub const STALE: &str = "stale-generated-file";

/// `meshls generate <backend> <project> [-o <file>] [flags]`, run from the file's folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Regenerate {
    pub backend: Backend,
    /// The project root, relative to the file's folder (or absolute).
    pub project: String,
    /// The file's name.
    pub output: Option<String>,
    pub flags: Options,
}

impl Regenerate {
    /// The command as a shell reads it.
    pub fn command_line(&self) -> String {
        let mut words =
            vec!["meshls".to_string(), "generate".into(), self.backend.name().into(), quoted(&self.project)];
        if let Some(output) = &self.output {
            words.extend(["-o".to_string(), quoted(output)]);
        }
        for (flag, value) in self.flags.flags() {
            words.extend([format!("--{flag}"), quoted(&value)]);
        }
        words.join(" ")
    }

    /// The command a generated file's header records, with the span of its line; None for a
    /// file whose opening docstring holds no such command.
    pub fn read(text: &str) -> Option<(Regenerate, Span)> {
        let docstring = text.strip_prefix("\"\"\"")?;
        let docstring = &docstring[..docstring.find("\"\"\"")?];
        let mut at = 3;
        for line in docstring.split_inclusive('\n') {
            let start = at;
            at += line.len();
            let Some(command) = line.trim().strip_prefix("meshls generate ") else { continue };
            let words = words(command)?;
            let mut words = words.iter();
            let backend = Backend::from_name(words.next()?)?;
            let mut read = Regenerate { backend, project: String::new(), output: None, flags: Options::default() };
            while let Some(word) = words.next() {
                match word.as_str() {
                    "-o" => read.output = Some(words.next()?.clone()),
                    flag if flag.starts_with("--") => {
                        if !read.flags.set_flag(&flag[2..], words.next()?) {
                            return None;
                        }
                    }
                    project if read.project.is_empty() => read.project = project.to_string(),
                    _ => return None,
                }
            }
            let indent = line.len() - line.trim_start().len();
            return Some((read, Span::new(start + indent, start + line.trim_end().len())));
        }
        None
    }
}

/// A word as a POSIX shell reads it back: as it is when it holds no special character, else
/// in single quotes.
fn quoted(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\"'\"'"))
    }
}

/// The words of a command line written by [`Regenerate::command_line`]; None when a quote is
/// not closed.
fn words(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => words.extend(word.take()),
            '\'' | '"' => {
                let quoted = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        q if q == c => break,
                        other => quoted.push(other),
                    }
                }
            }
            other => word.get_or_insert_with(String::new).push(other),
        }
    }
    words.extend(word);
    Some(words)
}

/// `path` with `.` and `..` resolved by its text alone (the disk is not asked).
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `target` relative to `base` with `/` separators (`../fixtures/x`, `.`); absolute when they
/// share no root.
pub fn relative(target: &Path, base: &Path) -> String {
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
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/a/b/p"), Path::new("/a/b")), "p");
        assert_eq!(relative(Path::new("/a/b/p"), Path::new("/a/b/p")), ".");
        assert_eq!(relative(Path::new("/a/p"), Path::new("/a/b/c")), "../../p");
        assert_eq!(relative(Path::new("/a/p"), Path::new("/tmp")), "/a/p");
        assert_eq!(normalized(Path::new("/a/b/../p/./q")), Path::new("/a/p/q"));
    }

    #[test]
    fn a_header_command_reads_back_as_it_was_written() {
        let command = Regenerate {
            backend: Backend::Dagster,
            project: "../my project".into(),
            output: Some("defs.py".into()),
            flags: Options {
                select: vec!["+mart.top".into(), "mart.*".into()],
                key_prefix: vec!["a".into(), "b".into()],
                ..Options::default()
            },
        };
        let line = command.command_line();
        assert_eq!(
            line,
            "meshls generate dagster '../my project' -o defs.py --select +mart.top --select 'mart.*' --key-prefix a/b"
        );
        let text = format!("\"\"\"Dagster definitions.\n\nRegenerate it with\n\n    {line}\n\nDone.\n\"\"\"\n");
        let (read, span) = Regenerate::read(&text).unwrap();
        assert_eq!(read, command);
        assert_eq!(&text[span.start as usize..span.end as usize], line);
        assert!(Regenerate::read("\"\"\"No command.\"\"\"\nmeshls generate dagster .\n").is_none());
        assert!(Regenerate::read("import os\n").is_none());
    }
}
