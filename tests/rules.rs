//! Rule fixtures: each folder under `fixtures/rules/` is a small SQLMesh project with cases that
//! trigger one rule and near-misses that must not. For each: a snapshot of every diagnostic
//! (with its fix's title), a snapshot of the files the safe fixes change, a re-check after the
//! fixes showing that the fixed diagnostics are gone, and a second `--fix` that changes
//! nothing; then the same with the unsafe fixes.

#[path = "support/fixture.rs"]
mod fixture;

use meshls::analysis::check::{check_workspace, plan_fixes};
use meshls::project::Workspace;
use meshls::syntax::line_index::{Encoding, LineIndex};
use meshls::syntax::{Applicability, Diagnostic};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn render(root: &Path, found: &[(PathBuf, Diagnostic)]) -> String {
    let mut out = String::new();
    let mut found: Vec<_> = found.iter().collect();
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.span.cmp(&b.1.span)));
    for (path, d) in found {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let at = LineIndex::new(&text).line_col(&text, d.span.start as usize, Encoding::Utf16);
        let relative = path.strip_prefix(root).unwrap_or(path).display();
        let severity = format!("{:?}", d.severity).to_lowercase();
        let _ = writeln!(out, "{relative}:{}:{} {severity}[{}] {}", at.line + 1, at.col + 1, d.code, d.message);
        let _ = writeln!(out, "    at `{}`", d.span.text(&text));
        if let Some(fix) = &d.fix {
            let how = match fix.applicability {
                _ if fix.snippet => " (display only)",
                _ if !fix.applies(path, false) && fix.applies(path, true) => " (unsafe)",
                Applicability::Safe => "",
                Applicability::Unsafe => " (unsafe)",
                Applicability::DisplayOnly => " (display only)",
            };
            let _ = writeln!(out, "    fix: {}{how}", fix.title);
        }
        for related in &d.related {
            let _ = writeln!(
                out,
                "    related: {} {}",
                related.path.strip_prefix(root).unwrap_or(&related.path).display(),
                related.message
            );
        }
    }
    out
}

#[test]
fn rule_fixtures() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&fixtures).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(&name);
        fixture::copy_dir(&case, &root);
        let workspace = Workspace::load(std::slice::from_ref(&root));
        let found = check_workspace(&workspace);
        insta::assert_snapshot!(format!("{name}-diagnostics"), render(&root, &found));

        let folders = std::slice::from_ref(&root);
        let plan = plan_fixes(folders, &found, false);
        assert!(plan.new_errors.is_empty(), "{name}: the safe fixes add errors\n{}", render(&root, &plan.new_errors));
        let mut fixed = String::new();
        for (path, text) in &plan.texts {
            let _ = writeln!(fixed, "=== {}\n{text}", path.strip_prefix(&root).unwrap_or(path).display());
            std::fs::write(path, text).unwrap();
        }
        if !plan.texts.is_empty() {
            insta::assert_snapshot!(format!("{name}-fixed"), fixed);
        }
        // What the safe fixes addressed is gone.
        let fixed_codes: Vec<(&PathBuf, &str)> = found
            .iter()
            .filter(|(p, d)| d.fix.as_ref().is_some_and(|f| f.applies(p, false)))
            .map(|(p, d)| (p, d.code))
            .collect();
        let again = check_workspace(&Workspace::load(folders));
        for (path, code) in fixed_codes {
            let left = again.iter().filter(|(p, d)| p == path && d.code == code).count();
            let before = found.iter().filter(|(p, d)| p == path && d.code == code).count();
            let unfixable = found
                .iter()
                .filter(|(p, d)| p == path && d.code == code && d.fix.as_ref().is_none_or(|f| !f.applies(p, false)))
                .count();
            assert!(
                left <= unfixable,
                "{name}: {code} in {} still reported after its fix ({left} of {before})\n{}",
                path.display(),
                render(&root, &again)
            );
        }
        // Idempotent: a second `--fix` changes nothing.
        let second = plan_fixes(folders, &again, false);
        assert!(
            second.texts.is_empty(),
            "{name}: a second --fix changes {:?}",
            second.texts.keys().collect::<Vec<_>>()
        );

        // `--fix --unsafe-fixes`: all of them or, when they would add an error, none.
        let plan = plan_fixes(folders, &again, true);
        let mut fixed = String::new();
        for (path, text) in &plan.texts {
            let _ = writeln!(fixed, "=== {}\n{text}", path.strip_prefix(&root).unwrap_or(path).display());
        }
        if !plan.new_errors.is_empty() {
            let _ = writeln!(fixed, "=== refused: new errors\n{}", render(&root, &plan.new_errors));
        }
        if !plan.texts.is_empty() {
            insta::assert_snapshot!(format!("{name}-unsafe-fixed"), fixed);
        }
        if plan.new_errors.is_empty() {
            for (path, text) in &plan.texts {
                std::fs::write(path, text).unwrap();
            }
            let again = check_workspace(&Workspace::load(folders));
            let second = plan_fixes(folders, &again, true);
            assert!(
                second.texts.is_empty(),
                "{name}: a second --fix --unsafe-fixes changes {:?}",
                second.texts.keys().collect::<Vec<_>>()
            );
        }
    }
}

/// The fixture projects written to be correct report nothing at all.
#[test]
fn clean_projects_report_nothing() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for name in ["bikeshop", "snowflake_mart", "multi_dialect", "python_config", "monorepo", "lineage", "windows"] {
        let workspace = Workspace::load(&[fixtures.join(name)]);
        let found = check_workspace(&workspace);
        assert!(found.is_empty(), "{name} should be clean:\n{}", render(&fixtures.join(name), &found));
    }
}
