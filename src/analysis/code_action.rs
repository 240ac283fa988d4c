//! Code actions.
//!
//! // Feature: Code Actions
//! On a selection, the fix of every diagnostic it touches, as a quick fix (preferred when
//! safe); and, when the file has a safe fix, one action that applies every safe fix of the
//! file that can be applied together. On a model's file, source actions generate the
//! project's Dagster definitions, or those of the model and its upstream (`docs/dagster.md`);
//! a generated file that is stale gets a quick fix that regenerates it.

use super::check::compatible_fixes;
use crate::syntax::{Diagnostic, Fix};
use std::path::Path;

/// The code actions of a range of a file.
#[derive(Debug)]
pub struct CodeActions<'a> {
    /// One per diagnostic the range touches that has a fix, in the diagnostics' order.
    pub quick_fixes: Vec<QuickFix<'a>>,
    /// Whether to offer applying every safe fix of the file ([`fix_all`]): the file has one.
    pub fix_all: bool,
}

/// A diagnostic's fix offered as a quick fix.
#[derive(Debug)]
pub struct QuickFix<'a> {
    pub diagnostic: &'a Diagnostic,
    pub fix: &'a Fix,
    /// Safe to apply unattended ([`Fix::applies`]): the editor may apply it at once.
    pub preferred: bool,
}

/// The actions for the byte range `start..=end` of the file at `path`, whose diagnostics are
/// `diagnostics`. A diagnostic touches the range when their spans meet, ends included.
pub fn code_actions<'a>(path: &Path, diagnostics: &'a [Diagnostic], (start, end): (usize, usize)) -> CodeActions<'a> {
    let quick_fixes = diagnostics
        .iter()
        .filter(|d| (d.span.start as usize) <= end && start <= (d.span.end as usize))
        .filter_map(|diagnostic| {
            let fix = diagnostic.fix.as_deref()?;
            Some(QuickFix { diagnostic, fix, preferred: fix.applies(path, false) })
        })
        .collect();
    let fix_all = diagnostics.iter().any(|d| d.fix.as_ref().is_some_and(|f| f.applies(path, false)));
    CodeActions { quick_fixes, fix_all }
}

/// The fixes that "apply every safe fix" applies to the file at `path`: the safe fixes of its
/// `diagnostics` that can be applied together, in order ([`compatible_fixes`]).
pub fn fix_all<'a>(path: &'a Path, diagnostics: &'a [Diagnostic]) -> Vec<&'a Fix> {
    compatible_fixes(diagnostics.iter().filter_map(|d| Some((path, d.fix.as_deref()?))), false)
        .into_iter()
        .map(|(_, fix)| fix)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Applicability, Edit, Span};

    fn fixed(span: Span, applicability: Applicability) -> Diagnostic {
        let mut d = Diagnostic::warning("missing-start", span, "m");
        d.fix = Some(Box::new(Fix {
            title: "fix".to_string(),
            edits: vec![Edit { path: None, span, new_text: "x".to_string() }],
            applicability,
            snippet: false,
        }));
        d
    }

    #[test]
    fn a_range_gets_the_fixes_it_touches_and_fix_all_when_the_file_has_a_safe_fix() {
        let path = Path::new("/p/models/a.sql");
        let diagnostics =
            vec![fixed(Span::new(0, 4), Applicability::Unsafe), fixed(Span::new(10, 14), Applicability::Safe)];
        let actions = code_actions(path, &diagnostics, (4, 4));
        assert_eq!(actions.quick_fixes.len(), 1);
        assert!(!actions.quick_fixes[0].preferred);
        assert!(actions.fix_all);
        assert_eq!(fix_all(path, &diagnostics).len(), 1);
        let none = code_actions(path, &diagnostics[..1], (20, 30));
        assert!(none.quick_fixes.is_empty() && !none.fix_all);
    }
}
