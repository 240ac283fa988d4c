//! The whole-workspace check behind `meshls check` (and tests): every file's diagnostics, and
//! `--fix` as a transaction: every edit computed first, the project checked again on the fixed
//! text in memory, and nothing to write when that check finds an error the project did not have.

use crate::analysis;
use crate::analysis::diagnostics::RuleLevels;
use crate::project::{Project, Workspace};
use crate::syntax::{Diagnostic, Fix, Severity, Span};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File texts that stand in for the disk: the fixed text of the files a fix changes.
pub type Overlay = BTreeMap<PathBuf, String>;

/// How many rounds of fixes `--fix` applies at most: a fix whose edits overlap another's waits
/// for the next round, on the text the first one produced.
const MAX_ROUNDS: usize = 10;

/// Every diagnostic of every project file under `paths`, with the file it belongs to.
pub fn check_workspace(workspace: &Workspace) -> Vec<(PathBuf, Diagnostic)> {
    check_with(workspace, &Overlay::new())
}

/// [`check_workspace`], with `overlay`'s texts read instead of the disk's. The workspace's
/// projects are updated with them first (a file of the overlay that does not exist yet, such as
/// a new `external_models.yaml`, joins its project).
pub fn check_with(workspace: &Workspace, overlay: &Overlay) -> Vec<(PathBuf, Diagnostic)> {
    for (path, text) in overlay {
        if let Some(project) = workspace.project_of(path) {
            project.set_file(path, Some(text.as_bytes()));
        }
    }
    let read = |path: &Path| match overlay.get(path) {
        Some(text) => Some(text.clone()),
        None => std::fs::read(path).ok().and_then(|bytes| String::from_utf8(bytes).ok()),
    };
    let mut found = Vec::new();
    for project in &workspace.projects {
        found.extend(check_project(project, &read, &RuleLevels::default()));
    }
    found.extend(workspace.diagnostics.iter().map(|d| (d.path.clone(), d.diagnostic.clone())));
    found
}

/// Every diagnostic of one project: its own (configuration files) and each file's, with `read`
/// giving a file's text (None when it cannot be read) and `levels` over the project's rule levels.
pub fn check_project(
    project: &Project,
    read: &(dyn Fn(&Path) -> Option<String> + Sync),
    levels: &RuleLevels,
) -> Vec<(PathBuf, Diagnostic)> {
    // The rules read schemas: computed once, in parallel, rather than chain by chain per file.
    project.compute_schemas();
    let mut found: Vec<(PathBuf, Diagnostic)> =
        project.diagnostics.iter().map(|d| (d.path.clone(), d.diagnostic.clone())).collect();
    let files = project.files();
    let per_file: Vec<Vec<(PathBuf, Diagnostic)>> = files
        .par_iter()
        .map(|facts| {
            let text = read(&facts.path);
            check_file(project, &facts.path, text.as_deref(), levels)
                .into_iter()
                .map(|d| (facts.path.clone(), d))
                .collect()
        })
        .collect();
    found.extend(per_file.into_iter().flatten());
    found
}

/// The diagnostics of one file of `project` with `text` (None: the file cannot be read, and its
/// facts carry the diagnostic saying so), as `meshls check` reports them.
pub fn check_file(project: &Project, path: &Path, text: Option<&str>, levels: &RuleLevels) -> Vec<Diagnostic> {
    let Some(text) = text else {
        let facts = project.file_id(path).and_then(|id| project.file(id));
        return facts.map(|f| f.diagnostics.clone()).unwrap_or_default();
    };
    match analysis::parse(project, path, text) {
        Some(file) => analysis::diagnostics::diagnostics_with(project, &file, text, levels),
        None => Vec::new(),
    }
}

/// The fixes `--fix` applies (safe ones, and unsafe ones too with `unsafe_fixes`; never a
/// snippet) that can be applied together, in order: a fix whose edits overlap an earlier chosen
/// one's in the same file waits for the next round. `path` is the file each fix's diagnostic
/// belongs to (the target of its edits without a path).
pub fn compatible_fixes<'a>(
    found: impl IntoIterator<Item = (&'a Path, &'a Fix)>,
    unsafe_fixes: bool,
) -> Vec<(&'a Path, &'a Fix)> {
    let mut taken: Vec<(PathBuf, Span)> = Vec::new();
    let mut made: Vec<Vec<(PathBuf, Span, &str)>> = Vec::new();
    let mut chosen: Vec<(&Path, &Fix)> = Vec::new();
    for (path, fix) in found {
        if !fix.applies(path, unsafe_fixes) {
            continue;
        }
        let edits: Vec<(PathBuf, Span, &str)> = fix
            .edits
            .iter()
            .map(|e| (e.path.clone().unwrap_or_else(|| path.to_path_buf()), e.span, e.new_text.as_str()))
            .collect();
        // The same edits for another diagnostic (two references to one unregistered table):
        // made once.
        if made.contains(&edits) {
            continue;
        }
        if edits.iter().any(|(p, span, _)| taken.iter().any(|(q, s)| p == q && overlap(*s, *span))) {
            continue;
        }
        taken.extend(edits.iter().map(|(p, s, _)| (p.clone(), *s)));
        made.push(edits);
        chosen.push((path, fix));
    }
    chosen
}

/// The new text of every file the chosen fixes change (each starting from `base`'s text, else
/// the disk's), and how many fixes that is.
pub fn fixed_texts(found: &[(PathBuf, Diagnostic)], unsafe_fixes: bool, base: &Overlay) -> (Overlay, usize) {
    let chosen =
        compatible_fixes(found.iter().filter_map(|(p, d)| Some((p.as_path(), d.fix.as_deref()?))), unsafe_fixes);
    let mut per_file: BTreeMap<PathBuf, Vec<(Span, String)>> = BTreeMap::new();
    for (path, fix) in &chosen {
        for edit in &fix.edits {
            let target = edit.path.clone().unwrap_or_else(|| path.to_path_buf());
            per_file.entry(target).or_default().push((edit.span, edit.new_text.clone()));
        }
    }
    let mut texts = Overlay::new();
    for (path, mut edits) in per_file {
        let mut text = base.get(&path).cloned().unwrap_or_else(|| std::fs::read_to_string(&path).unwrap_or_default());
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

/// What `--fix` would do, computed without writing anything.
pub struct FixPlan {
    /// The fixed text of every file that changes (a file new to the project included).
    pub texts: Overlay,
    /// How many fixes were applied, over every round.
    pub applied: usize,
    /// The diagnostics of the project with the fixed texts.
    pub after: Vec<(PathBuf, Diagnostic)>,
    /// Errors of the fixed project that the project did not have: when there are any, the
    /// fixes must not be written.
    pub new_errors: Vec<(PathBuf, Diagnostic)>,
}

/// Applies the fixes to `found` (the diagnostics of the projects under `folders`) in memory,
/// round after round until none is left to apply, and checks the result.
pub fn plan_fixes(folders: &[PathBuf], found: &[(PathBuf, Diagnostic)], unsafe_fixes: bool) -> FixPlan {
    let mut texts = Overlay::new();
    let mut applied = 0;
    let mut current = found.to_vec();
    // Later rounds fix only what was found at first (fixes that waited for an overlapping one):
    // never a diagnostic that an earlier fix caused, which would chain guesses.
    let original = |(path, d): &(PathBuf, Diagnostic)| {
        found.iter().any(|(p, f)| p == path && f.code == d.code && f.message == d.message)
    };
    for _ in 0..MAX_ROUNDS {
        let fixable: Vec<(PathBuf, Diagnostic)> = current.iter().filter(|f| original(f)).cloned().collect();
        let (changed, count) = fixed_texts(&fixable, unsafe_fixes, &texts);
        // A fix whose text is already there (an idempotent fix) changes nothing.
        let changed: Overlay = changed.into_iter().filter(|(p, t)| text_of(&texts, p).as_deref() != Some(t)).collect();
        if changed.is_empty() || count == 0 {
            break;
        }
        applied += count;
        texts.extend(changed);
        current = check_with(&Workspace::load(folders), &texts);
    }
    let new_errors = new_errors(found, &current);
    FixPlan { texts, applied, after: current, new_errors }
}

fn text_of(overlay: &Overlay, path: &Path) -> Option<String> {
    overlay.get(path).cloned().or_else(|| std::fs::read_to_string(path).ok())
}

/// The errors of `after` that `before` does not have (the same file, code and message).
fn new_errors(before: &[(PathBuf, Diagnostic)], after: &[(PathBuf, Diagnostic)]) -> Vec<(PathBuf, Diagnostic)> {
    let key = |(path, d): &(PathBuf, Diagnostic)| (path.clone(), d.code, d.message.clone());
    let mut known: BTreeMap<(PathBuf, &str, String), usize> = BTreeMap::new();
    for found in before.iter().filter(|(_, d)| d.severity == Severity::Error) {
        *known.entry(key(found)).or_default() += 1;
    }
    let mut new = Vec::new();
    for found in after.iter().filter(|(_, d)| d.severity == Severity::Error) {
        match known.get_mut(&key(found)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => new.push(found.clone()),
        }
    }
    new
}

/// Two spans overlap, or one inserts where the other replaces (the order would be ambiguous).
/// Insertions at one point do not clash: they are applied in the order of their diagnostics.
fn overlap(a: Span, b: Span) -> bool {
    (a.start < b.end && b.start < a.end) || (a.start == b.start && !(a.is_empty() && b.is_empty()))
}
