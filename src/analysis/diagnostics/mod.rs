//! Diagnostics: what the parsers reported, then the rules. Each rule is one module with a
//! stable code, a default severity and a `//!` doc that `docs/rules.md` is built from.
//!
//! Which rules run, and how severe they are, is configured as SQLMesh users expect:
//! 1. a model's `ignored_rules` property (meshls codes or SQLMesh rule names, or `ALL`);
//! 2. `meshls.toml` at the project root: `[rules] missing-start = "error"` (or `"off"`);
//! 3. for rules SQLMesh also has, the project's `linter` section (`enabled`, `rules` → error,
//!    `warn_rules` → warning, `ignored_rules` → off), under SQLMesh's rule name;
//! 4. the rule's default.
//!
//! An editor's `meshls.rules` setting ([`RuleLevels`]) applies over all of these but a model's
//! `ignored_rules` and `meshls:ignore` comments, which are the user's word on one place.
//!
//! A `-- meshls:ignore <code>` comment (or `# meshls:ignore` in Python) suppresses that code on
//! its own line, or on the next line when the comment stands alone.

mod ambiguous_column;
mod ambiguous_projection;
mod column_refs;
mod dependency_cycle;
pub mod did_you_mean;
mod duplicate_model;
mod edits;
mod end_before_start;
mod grain_not_selected;
mod invalid_cron;
mod invalid_date;
mod invalid_property_value;
mod keys;
mod missing_audits;
mod missing_start;
mod missing_time_filter;
mod missing_unique_audit;
mod python_model_now;
mod select_star;
mod time_column_not_selected;
mod unique_key_not_selected;
mod unknown_column;
mod unknown_kind;
mod unknown_property;
mod unregistered_table;
mod values;

use super::ParsedFile;
use crate::project::facts::Syntax;
use crate::project::{Model, Project};
use crate::syntax::model_file::ModelFile;
use crate::syntax::python::PythonModel;
use crate::syntax::{Diagnostic, Severity, Span};
use std::cell::RefCell;

/// What a rule sees: the project and one parsed file with its text.
pub struct Context<'a> {
    pub project: &'a Project,
    pub file: &'a ParsedFile,
    pub text: &'a str,
    /// What the rules could not read statically, for the file's one `not-checked` info.
    unread: RefCell<Vec<&'static str>>,
}

impl<'a> Context<'a> {
    /// Notes that a rule could not read `what` (`the \`start\` date`) and so stays silent.
    pub fn could_not_read(&self, what: &'static str) {
        let mut unread = self.unread.borrow_mut();
        if !unread.contains(&what) {
            unread.push(what);
        }
    }

    /// The SQL model file, if this is one.
    pub fn sql(&self) -> Option<&'a ModelFile> {
        match &self.file.syntax {
            Syntax::Sql(file) => Some(file),
            _ => None,
        }
    }

    /// The Python model, if this is one.
    pub fn python(&self) -> Option<&'a PythonModel> {
        match &self.file.syntax {
            Syntax::Python(Some(model)) => Some(model),
            _ => None,
        }
    }

    /// The model this file defines (SQL and Python models define one).
    pub fn model(&self) -> Option<&'a Model> {
        match self.file.facts.role {
            crate::project::FileRole::SqlModel | crate::project::FileRole::PythonModel => {
                self.file.facts.models.first()
            }
            _ => None,
        }
    }
}

/// One rule.
pub struct Rule {
    /// Stable kebab-case code, as users write it in `meshls.toml` and ignore comments.
    pub code: &'static str,
    /// One line for listings.
    pub summary: &'static str,
    /// The default severity; None: off unless configured.
    pub default: Option<Severity>,
    /// SQLMesh's name for the same rule, whose `linter` configuration then applies.
    pub sqlmesh: Option<&'static str>,
    /// Pushes the rule's findings; their severity is set by the caller.
    pub check: fn(&Context, &mut Vec<Diagnostic>),
}

/// Every rule, in the order their findings are reported.
pub static RULES: &[&Rule] = &[
    &ambiguous_column::RULE,
    &ambiguous_projection::RULE,
    &dependency_cycle::RULE,
    &duplicate_model::RULE,
    &end_before_start::RULE,
    &grain_not_selected::RULE,
    &invalid_cron::RULE,
    &invalid_date::RULE,
    &invalid_property_value::RULE,
    &missing_audits::RULE,
    &missing_start::RULE,
    &missing_time_filter::RULE,
    &missing_unique_audit::RULE,
    &python_model_now::RULE,
    &select_star::RULE,
    &time_column_not_selected::RULE,
    &unique_key_not_selected::RULE,
    &unknown_column::RULE,
    &unknown_kind::RULE,
    &unknown_property::RULE,
    &unregistered_table::RULE,
];

/// Where a diagnostic code is explained: its section of `docs/rules.md`, for rules and the
/// `not-checked` info. The docs live at `$MESHLS_DOCS_URL` when the build sets it (a published
/// copy of `docs/`), else in the source tree the binary was built from.
pub fn doc_url(code: &str) -> Option<String> {
    if rule(code).is_none() && code != NOT_CHECKED {
        return None;
    }
    let base = match option_env!("MESHLS_DOCS_URL") {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => format!("file://{}/docs", env!("CARGO_MANIFEST_DIR")),
    };
    Some(format!("{base}/rules.md#{code}"))
}

/// The code of the one info a file gets when rules were skipped for what meshls cannot read.
pub const NOT_CHECKED: &str = "not-checked";

/// The rule with this code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code == code)
}

/// Rule levels set by an editor (`meshls.rules`), over each project's own configuration: a
/// rule code and its severity, None for off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleLevels(pub Vec<(String, Option<Severity>)>);

impl RuleLevels {
    /// The level of a rule set here, if any: Some(None) when it is turned off.
    fn get(&self, code: &str) -> Option<Option<Severity>> {
        self.0.iter().find(|(c, _)| c == code).map(|(_, level)| *level)
    }
}

/// A level as users write it: `error`, `warning` (or `warn`), `info`, `hint`, or `off`; None
/// when the text is none of these.
pub fn parse_level(text: &str) -> Option<Option<Severity>> {
    match text {
        "error" => Some(Some(Severity::Error)),
        "warning" | "warn" => Some(Some(Severity::Warning)),
        "info" => Some(Some(Severity::Info)),
        "hint" => Some(Some(Severity::Hint)),
        "off" => Some(None),
        _ => None,
    }
}

/// Every diagnostic of a parsed file, sorted by position.
pub fn diagnostics(project: &Project, file: &ParsedFile, text: &str) -> Vec<Diagnostic> {
    diagnostics_with(project, file, text, &RuleLevels::default())
}

/// [`diagnostics`], with an editor's rule levels over the project's configuration.
pub fn diagnostics_with(project: &Project, file: &ParsedFile, text: &str, levels: &RuleLevels) -> Vec<Diagnostic> {
    let cx = Context { project, file, text, unread: RefCell::new(Vec::new()) };
    let mut out = file.facts.diagnostics.clone();
    let ignored_by_model = model_ignored_rules(&cx);
    // Rules read the graph: while the project is still being indexed it is partial, and they
    // would report models not read yet as missing.
    let rules = if project.is_indexed() { RULES } else { &[] };
    // SQLMesh neither loads nor lints a disabled model; one that may be disabled (`enabled
    // @var`, `enabled (0 = 1)`) is left alone too. Duplicates still count: SQLMesh reads both.
    let enabled = enabled(&cx);
    if enabled.is_none() {
        cx.could_not_read("whether the model is enabled");
    }
    let enabled = enabled == Some(true);
    // A query that does not parse before rendering (Jinja, a statement made by a macro) is
    // left to the rules that read it, silently: the user chose to write it so, and a note on
    // every such model would be noise.
    let on_disabled = [duplicate_model::RULE.code, invalid_property_value::RULE.code];
    for rule in rules.iter().filter(|r| enabled || on_disabled.contains(&r.code)) {
        let Some(severity) = level(project, rule, &ignored_by_model, levels) else { continue };
        let start = out.len();
        (rule.check)(&cx, &mut out);
        for diagnostic in &mut out[start..] {
            diagnostic.severity = severity;
        }
    }
    let unread = cx.unread.borrow();
    if !unread.is_empty() && rules.iter().any(|r| level(project, r, &ignored_by_model, levels).is_some()) {
        let at = cx.model().map_or(Span::at(0), |m| m.name_span);
        let message = format!("rules skipped: meshls cannot know {} without running SQLMesh", unread.join(", "));
        out.push(Diagnostic::info(NOT_CHECKED, at, message));
    }
    suppress_ignored(text, &mut out);
    out.sort_by_key(|d| (d.span, d.code));
    out
}

/// The configured severity of a rule for a file; None when it is off.
fn level(project: &Project, rule: &Rule, ignored_by_model: &[String], levels: &RuleLevels) -> Option<Severity> {
    let names = [Some(rule.code), rule.sqlmesh];
    let named = |list: &[String]| list.iter().any(|n| n == "all" || names.contains(&Some(n.as_str())));
    if named(ignored_by_model) {
        return None;
    }
    if let Some(level) = levels.get(rule.code) {
        return level;
    }
    if let Some((_, level)) = project.settings.rule_levels.iter().find(|(code, _)| code == rule.code) {
        // Anything but a known level turns the rule off, as `off` does.
        return parse_level(level).flatten();
    }
    let linter = &project.settings.config.linter;
    if linter.enabled && rule.sqlmesh.is_some() {
        let lower = |list: &[String]| list.iter().map(|n| n.to_ascii_lowercase()).collect::<Vec<_>>();
        if named(&lower(&linter.ignored_rules)) {
            return None;
        }
        if named(&lower(&linter.rules)) {
            return Some(Severity::Error);
        }
        if named(&lower(&linter.warn_rules)) {
            return Some(Severity::Warning);
        }
    }
    rule.default
}

/// Whether the file's model is enabled, as the project read it (variables rendered); None when
/// `enabled` is an expression meshls cannot evaluate (`enabled (0 = 1)`).
fn enabled(cx: &Context) -> Option<bool> {
    let facts = &cx.file.facts;
    if facts.enabled_unknown {
        return None;
    }
    Some(facts.models.iter().any(|m| m.source != crate::project::Source::External) || facts.disabled.is_empty())
}

/// The model's `ignored_rules`, lowercased.
fn model_ignored_rules(cx: &Context) -> Vec<String> {
    let Some(property) = cx.sql().and_then(|f| f.property("ignored_rules")) else { return Vec::new() };
    property.value.items().into_iter().filter_map(|v| v.as_text()).map(|t| t.value.to_ascii_lowercase()).collect()
}

/// Drops diagnostics suppressed by `meshls:ignore` comments.
fn suppress_ignored(text: &str, diagnostics: &mut Vec<Diagnostic>) {
    if !text.contains("meshls:ignore") {
        return;
    }
    // (line, codes; empty = every code)
    let mut ignores: Vec<(usize, Vec<String>)> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let Some(at) = line.find("meshls:ignore") else { continue };
        let before = line[..at].trim_end();
        let is_comment = before.ends_with("--") || before.ends_with('#');
        if !is_comment {
            continue;
        }
        let codes: Vec<String> = line[at + "meshls:ignore".len()..]
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        let alone = before.trim_start().len() <= 2;
        ignores.push((if alone { number + 1 } else { number }, codes));
    }
    let line_of = |offset: usize| text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count();
    diagnostics.retain(|d| {
        let line = line_of(d.span.start as usize);
        !ignores.iter().any(|(l, codes)| *l == line && (codes.is_empty() || codes.iter().any(|c| c == d.code)))
    });
}
