//! The whole-workspace check behind `meshls check` (and tests): every file's diagnostics, and
//! the texts that the safe fixes produce.

use crate::analysis;
use crate::project::{Project, Workspace};
use crate::syntax::{Diagnostic, Fix, Span};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every diagnostic of every project file under `paths`, with the file it belongs to.
pub fn check_workspace(workspace: &Workspace) -> Vec<(PathBuf, Diagnostic)> {
    let mut found = Vec::new();
    for project in &workspace.projects {
        found.extend(project.diagnostics.iter().map(|d| (d.path.clone(), d.diagnostic.clone())));
        let files = project.files();
        let per_file: Vec<Vec<(PathBuf, Diagnostic)>> =
            files.par_iter().map(|facts| check_file(project, &facts.path)).collect();
        found.extend(per_file.into_iter().flatten());
    }
    found.extend(workspace.diagnostics.iter().map(|d| (d.path.clone(), d.diagnostic.clone())));
    found
}

fn check_file(project: &Project, path: &Path) -> Vec<(PathBuf, Diagnostic)> {
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            // The facts already carry the unreadable-file diagnostic.
            Err(_) => return facts_diagnostics(project, path),
        },
        Err(_) => return facts_diagnostics(project, path),
    };
    match analysis::parse(project, path, &text) {
        Some(file) => analysis::diagnostics::diagnostics(project, &file, &text)
            .into_iter()
            .map(|d| (path.to_path_buf(), d))
            .collect(),
        None => Vec::new(),
    }
}

fn facts_diagnostics(project: &Project, path: &Path) -> Vec<(PathBuf, Diagnostic)> {
    let facts = project.file_id(path).and_then(|id| project.file(id));
    facts.map(|f| f.diagnostics.iter().map(|d| (path.to_path_buf(), d.clone())).collect()).unwrap_or_default()
}

/// The safe, non-snippet fixes that can be applied together, in order: a fix whose edits
/// overlap an earlier chosen one's in the same file waits for the next run. `path` is the file
/// each fix's diagnostic belongs to (the target of its edits without a path).
pub fn compatible_fixes<'a>(found: impl IntoIterator<Item = (&'a Path, &'a Fix)>) -> Vec<(&'a Path, &'a Fix)> {
    let mut taken: Vec<(PathBuf, Span)> = Vec::new();
    let mut chosen = Vec::new();
    for (path, fix) in found {
        if !fix.safe || fix.snippet {
            continue;
        }
        let targets: Vec<(PathBuf, Span)> =
            fix.edits.iter().map(|e| (e.path.clone().unwrap_or_else(|| path.to_path_buf()), e.span)).collect();
        if targets.iter().any(|(p, span)| taken.iter().any(|(q, s)| p == q && overlap(*s, *span))) {
            continue;
        }
        taken.extend(targets);
        chosen.push((path, fix));
    }
    chosen
}

/// The new text of every file the safe fixes change, and how many fixes that is.
pub fn fixed_texts(found: &[(PathBuf, Diagnostic)]) -> (BTreeMap<PathBuf, String>, usize) {
    let chosen = compatible_fixes(found.iter().filter_map(|(p, d)| Some((p.as_path(), d.fix.as_deref()?))));
    let mut per_file: BTreeMap<PathBuf, Vec<(Span, String)>> = BTreeMap::new();
    for (path, fix) in &chosen {
        for edit in &fix.edits {
            let target = edit.path.clone().unwrap_or_else(|| path.to_path_buf());
            per_file.entry(target).or_default().push((edit.span, edit.new_text.clone()));
        }
    }
    let mut texts = BTreeMap::new();
    for (path, mut edits) in per_file {
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        // Back to front, so earlier spans stay valid; insertions at one point keep their order.
        let mut edits: Vec<(usize, (Span, String))> = edits.drain(..).enumerate().collect();
        edits.sort_by_key(|(i, (span, _))| (std::cmp::Reverse(span.start), std::cmp::Reverse(*i)));
        for (_, (span, new_text)) in edits {
            let fits = span.end as usize <= text.len()
                && text.is_char_boundary(span.start as usize)
                && text.is_char_boundary(span.end as usize);
            if fits {
                text.replace_range(span.range(), &new_text);
            }
        }
        texts.insert(path, text);
    }
    (texts, chosen.len())
}

/// Two spans overlap, or one inserts where the other replaces (the order would be ambiguous).
/// Insertions at one point do not clash: they are applied in the order of their diagnostics.
fn overlap(a: Span, b: Span) -> bool {
    (a.start < b.end && b.start < a.end) || (a.start == b.start && !(a.is_empty() && b.is_empty()))
}
