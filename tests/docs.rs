//! The user manual lives beside the code: `docs/rules.md` is built from each rule module's `//!`
//! doc and `docs/features.md` from the `// Feature:` blocks of `src/analysis`. This test fails
//! when either is stale; `UPDATE_DOCS=1 cargo test --test docs` rewrites them.

use meshls::analysis::diagnostics::RULES;
use meshls::syntax::Severity;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The leading `//!` lines of a file, without the markers.
fn module_doc(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.trim_start_matches("//!").strip_prefix(' ').unwrap_or(l.trim_start_matches("//!")))
        .collect();
    lines.join("\n").trim().to_string()
}

fn severity(default: Option<Severity>) -> &'static str {
    match default {
        None => "off",
        Some(Severity::Error) => "error",
        Some(Severity::Warning) => "warning",
        Some(Severity::Info) => "info",
        Some(Severity::Hint) => "hint",
    }
}

fn rules_md() -> String {
    let dir = root().join("src/analysis/diagnostics");
    let mut sources: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs") && !p.ends_with("mod.rs"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    sources.sort();
    let mut out = String::from(
        "# Rules\n\n<!-- Generated from the `//!` docs of src/analysis/diagnostics/*.rs by tests/docs.rs: \
         edit those, then run `UPDATE_DOCS=1 cargo test --test docs`. -->\n\n\
         Severities can be changed per project in `meshls.toml` (`[rules] <code> = \"error\" | \"warning\" | \
         \"info\" | \"hint\" | \"off\"`); rules SQLMesh also has follow the project's `linter` section under \
         SQLMesh's name; a model's `ignored_rules` and a `-- meshls:ignore <code>` comment switch them off \
         locally.\n\n\
         A rule reports only what meshls read for certain: a query that sqlparser parsed before rendering \
         (never the token-level reading used while typing, nor a Jinja query), and schemas that are all known. \
         <a id=\"not-checked\"></a>When a rule cannot know (a `start` imported or computed, a table name made by \
         a macro variable, the default catalog, a model that may be disabled), it stays silent, and the file \
         gets at most one `not-checked` info listing what could not be read.\n\n\
         Fixes are safe, unsafe or display-only, as ruff's are. `meshls check --fix` applies the safe ones; \
         `--unsafe-fixes` adds those that may change what a model computes, guess what was meant, or edit \
         another file (`external_models.yaml`); display-only fixes (a placeholder to fill) are offered in the \
         editor only. `--fix` is all or nothing: when the fixed project would have an error it did not have, \
         nothing is written. `--diff` prints the changes instead.\n\n\
         | code | default | SQLMesh rule | what |\n| --- | --- | --- | --- |\n",
    );
    let mut sections = String::new();
    for rule in RULES {
        let (_, source) = sources
            .iter()
            .find(|(_, text)| text.contains(&format!("code: \"{}\"", rule.code)))
            .unwrap_or_else(|| panic!("no module defines rule {}", rule.code));
        out.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} | {3} |\n",
            rule.code,
            severity(rule.default),
            rule.sqlmesh.map_or("".to_string(), |s| format!("`{s}`")),
            rule.summary
        ));
        sections.push_str(&format!("\n## {}\n\n{}\n", rule.code, module_doc(source)));
    }
    out + &sections
}

fn features_md() -> String {
    let mut out = String::from(
        "# Editor features\n\n<!-- Generated from the `// Feature:` blocks of src/analysis by tests/docs.rs. -->\n",
    );
    let mut files: Vec<_> = std::fs::read_dir(root().join("src/analysis"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(title) =
                line.trim_start_matches("//!").trim_start_matches("//").trim().strip_prefix("// Feature: ")
            else {
                continue;
            };
            let body: Vec<&str> = lines[i + 1..]
                .iter()
                .take_while(|l| l.starts_with("//!") && !l.trim_start_matches("//!").trim().is_empty())
                .map(|l| l.trim_start_matches("//!").trim())
                .collect();
            out.push_str(&format!("\n## {title}\n\n{}\n", body.join("\n")));
        }
    }
    out
}

#[test]
fn generated_docs_are_current() {
    for (file, generated) in [("docs/rules.md", rules_md()), ("docs/features.md", features_md())] {
        let path = root().join(file);
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, &generated).unwrap();
            continue;
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(current == generated, "{file} is stale: run `UPDATE_DOCS=1 cargo test --test docs`");
    }
}
