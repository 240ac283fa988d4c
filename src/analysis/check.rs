//! The whole-workspace check behind `meshls check` (and tests): every file's diagnostics, and
//! the texts that the safe fixes produce.

use crate::analysis;
use crate::project::{Project, Workspace};
use crate::syntax::{Diagnostic, Span};
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


/// The new text of every file the safe fixes change, and how many fixes that is. Fixes whose
/// edits overlap an earlier one in the same file are left out (a second `--fix` run gets them).
pub fn fixed_texts(found: &[(PathBuf, Diagnostic)]) -> (BTreeMap<PathBuf, String>, usize) {
    let mut per_file: BTreeMap<PathBuf, Vec<(Span, String)>> = BTreeMap::new();
    let mut applied = 0;
    for (path, diagnostic) in found {
        let Some(fix) = diagnostic.fix.as_ref().filter(|f| f.safe && !f.snippet) else { continue };
        let edits: Vec<(PathBuf, Span, String)> = fix
            .edits
            .iter()
            .map(|e| (e.path.clone().unwrap_or_else(|| path.clone()), e.span, e.new_text.clone()))
            .collect();
        let overlaps = edits.iter().any(|(p, span, _)| {
            per_file.get(p).is_some_and(|existing| existing.iter().any(|(s, _)| overlap(*s, *span)))
        });
        if overlaps {
            continue;
        }
        for (p, span, text) in edits {
            per_file.entry(p).or_default().push((span, text));
        }
        applied += 1;
    }
    let mut texts = BTreeMap::new();
    for (path, mut edits) in per_file {
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        // Back to front, so earlier spans stay valid.
        edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
        for (span, new_text) in edits {
            let fits = span.end as usize <= text.len()
                && text.is_char_boundary(span.start as usize)
                && text.is_char_boundary(span.end as usize);
            if fits {
                text.replace_range(span.range(), &new_text);
            }
        }
        texts.insert(path, text);
    }
    (texts, applied)
}

/// Two spans overlap, or insert at the same point (their order would be ambiguous).
fn overlap(a: Span, b: Span) -> bool {
    a.start < b.end && b.start < a.end || a.start == b.start
}
