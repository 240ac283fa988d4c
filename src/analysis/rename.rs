//! Rename.
//!
//! // Feature: Rename
//! On a model name (its MODEL `name`, or any reference to it), renames the model: its name
//! where it is defined and every reference across the workspace's projects (audit queries
//! included), as one edit (the file is left where it is: moving it is the user's call). On a CTE, renames its definition
//! and every use in the file (FROMs and qualifiers). The rename is refused, with the reason,
//! where it cannot be done safely: a reference written through a macro or variable
//! (`@{schema}.orders`, `FROM @source` with `@DEF(source, ...)`), a downstream model whose
//! reference meshls cannot see (a macro that builds the name, a Python model that computes
//! its table name), a new name that is taken, or a new name that would need quoting. Python
//! models are rewritten where they name the model in plain string literals
//! (`context.resolve_table("sushi.orders")`, `depends_on=["sushi.orders"]`, also through a
//! module constant); a Python model that computes a table name is refused.

use super::ParsedFile;
use super::highlight::{cte_occurrences, name_at};
use super::navigation::{Symbol, cte_scopes, query_of, symbol_at};
use super::references::{FileMentions, Form, Sources, model_mentions, string_inner};
use crate::project::facts::Syntax;
use crate::project::names::split_dotted;
use crate::project::{ModelName, Project};
use crate::syntax::Span;
use crate::syntax::sql::shape::{ScopeId, ScopeKind, Target as RelationTarget};
use std::path::{Path, PathBuf};

/// One rename: replace `span` of the file at the path with the text.
pub type RenameEdits = Vec<(PathBuf, Span, String)>;

/// What a rename at `offset` would rename: the span of the name under the cursor and the
/// name as it reads (for the editor's input box); Err with why nothing can be renamed there.
pub fn prepare_rename(
    project: &Project,
    file: &ParsedFile,
    text: &str,
    offset: usize,
) -> Result<(Span, String), String> {
    match symbol_at(project, file, offset) {
        Some(Symbol::Model(reference)) => Ok((reference.span, reference.name.to_string())),
        Some(Symbol::Cte { scope, span }) => {
            let (_, shape) = query_of(file).ok_or_else(|| "the query could not be read".to_string())?;
            let name = shape.scopes[scope as usize].name.as_ref().map(|n| n.text.clone()).unwrap_or_default();
            // Before an explicit alias, the cursor's span is a guess: read the name written there.
            Ok((name_at(text, span.start as usize), name))
        }
        Some(_) => Err("only models and CTEs can be renamed".to_string()),
        None => Err("nothing to rename here: put the cursor on a model name or a CTE".to_string()),
    }
}

/// Renames what is at `offset` of `file` (whose text is `text`) to `new_name`: every edit
/// across the workspace, or why the rename is refused.
pub fn rename(
    project: &Project,
    file: &ParsedFile,
    text: &str,
    offset: usize,
    new_name: &str,
    sources: &Sources,
) -> Result<RenameEdits, String> {
    match symbol_at(project, file, offset) {
        Some(Symbol::Model(reference)) => rename_model(project, file, text, &reference.name, new_name.trim(), sources),
        Some(Symbol::Cte { scope, .. }) => rename_cte(project, file, text, scope, new_name.trim()),
        Some(_) => Err("only models and CTEs can be renamed".to_string()),
        None => Err("nothing to rename here: put the cursor on a model name or a CTE".to_string()),
    }
}

/// Whether `part` can be written without quotes.
fn bare(part: &str) -> bool {
    part.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn relative<'p>(project: &Project, path: &'p Path) -> std::borrow::Cow<'p, str> {
    path.strip_prefix(&project.root).unwrap_or(path).to_string_lossy()
}

fn rename_model(
    project: &Project,
    file: &ParsedFile,
    text: &str,
    old: &ModelName,
    new_name: &str,
    sources: &Sources,
) -> Result<RenameEdits, String> {
    let parts: Vec<String> = split_dotted(new_name).into_iter().map(|p| p.text).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("`{new_name}` is not a model name"));
    }
    if new_name.contains(['"', '`', '[']) || !parts.iter().all(|p| bare(p)) {
        return Err(format!(
            "`{new_name}` would need quoting: meshls renames only to plain names (letters, digits and `_`, not \
             starting with a digit)"
        ));
    }
    let model_dialect = project.model(old).and_then(|m| m.dialect);
    let new = project
        .settings
        .names
        .normalize_text(new_name, model_dialect.as_deref())
        .ok_or_else(|| format!("`{new_name}` is not a model name"))?;
    if &new == old {
        return Ok(Vec::new());
    }
    if project.graph().is_defined(&new) {
        return Err(format!("a model named `{new}` already exists in this project"));
    }
    let files = model_mentions(project, file, text, old, sources);
    for other in super::references::all_projects(project, sources) {
        let touched = files.iter().any(|f| f.path.starts_with(&other.root));
        if touched && !std::ptr::eq(other, project) && other.graph().is_defined(&new) {
            let folder = other
                .root
                .file_name()
                .map_or_else(|| other.root.display().to_string(), |n| n.to_string_lossy().into_owned());
            return Err(format!("a model named `{new}` already exists in the project `{folder}`, which reads `{old}`"));
        }
    }
    let mut edits = Vec::new();
    for found in &files {
        refuse_unseen_python(project, found, old)?;
        // A file whose dialect reads the new name otherwise names another model.
        let dialect = found.parsed.facts.models.first().and_then(|m| m.dialect.clone()).or(model_dialect.clone());
        if project.settings.names.normalize_text(new_name, dialect.as_deref()).as_ref() != Some(&new) {
            return Err(format!(
                "`{new_name}` reads as a different name in {} (dialect {}): write it in the case that dialect \
                 normalizes to",
                relative(project, &found.path),
                dialect.as_deref().unwrap_or("default")
            ));
        }
        for mention in &found.mentions {
            let span = mention.reference.span;
            let (span, replacement) = match &mention.form {
                Form::Macro => {
                    return Err(format!(
                        "`{old}` is referenced through a macro variable in {} (`{}`): rename it there by hand",
                        relative(project, &found.path),
                        span.text(&found.text)
                    ));
                }
                Form::Name(written) => {
                    // BigQuery's `` `project.dataset.table` ``: one quoted name of several parts.
                    if written.windows(2).any(|w| w[0].span == w[1].span) {
                        return Err(format!(
                            "`{}` in {} is one quoted name holding several parts: rename it there by hand",
                            span.text(&found.text),
                            relative(project, &found.path)
                        ));
                    }
                    keep_catalog(written.iter().map(|p| p.span).collect(), span, &parts)
                }
                Form::Str => {
                    let inner = string_inner(&found.text, span);
                    let written: Vec<Span> = split_dotted(inner.text(&found.text))
                        .into_iter()
                        .map(|p| p.span.shift(inner.start as usize))
                        .collect();
                    keep_catalog(written, inner, &parts)
                }
            };
            edits.push((found.path.clone(), span, replacement));
        }
    }
    refuse_unseen_readers(project, old, &files, sources)?;
    edits.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    if !files.iter().any(|f| f.mentions.iter().any(|m| m.reference.definition)) {
        return Err(format!("`{old}` is named from its file's path, not in its file: rename the file instead"));
    }
    Ok(edits)
}

/// The span of a reference to rewrite and its new text: a reference that writes more parts
/// than the new name (a catalog before the schema) keeps those leading parts.
fn keep_catalog(written: Vec<Span>, whole: Span, new_parts: &[String]) -> (Span, String) {
    let text = new_parts.join(".");
    if written.len() > new_parts.len() {
        let first = written[written.len() - new_parts.len()];
        return (Span::new(first.start as usize, whole.end as usize), text);
    }
    (whole, text)
}

/// A Python model that names tables with computed strings may name this one too.
fn refuse_unseen_python(project: &Project, found: &FileMentions, old: &ModelName) -> Result<(), String> {
    let Syntax::Python(Some(python)) = &found.parsed.syntax else { return Ok(()) };
    let calls = found.text.matches("context.resolve_table(").count() + found.text.matches("context.table(").count();
    if calls > python.resolved_tables.len() {
        return Err(format!(
            "{} computes a table name in Python (a `context.resolve_table(...)` whose argument is not a string \
             literal); meshls cannot tell whether it names `{old}`: rename it there by hand",
            relative(project, &found.path)
        ));
    }
    Ok(())
}

/// Every model that reads `old` must have a reference found in its file, else the rename would
/// leave it reading the old name (a `FROM @source` through `@DEF`, a macro building the name).
fn refuse_unseen_readers(
    project: &Project,
    old: &ModelName,
    files: &[FileMentions],
    sources: &Sources,
) -> Result<(), String> {
    for current in super::references::all_projects(project, sources) {
        let graph = current.graph();
        for child in graph.children(old) {
            for &id in graph.definers(&child).unwrap_or(&[]) {
                let Some(facts) = current.file(id) else { continue };
                let seen =
                    files.iter().any(|f| f.path == facts.path && f.mentions.iter().any(|m| !m.reference.definition));
                // A `@DEF` naming the model is read through a macro variable, whatever else the
                // file names.
                let via_def = facts.models.iter().find_map(|m| {
                    m.defs.iter().find(|(_, value)| {
                        current.settings.names.normalize_text(value, m.dialect.as_deref()).as_ref() == Some(old)
                    })
                });
                let how = match via_def {
                    Some((name, _)) => format!("through `@DEF({name}, ...)`"),
                    None if seen => continue,
                    None => "in a way meshls cannot rewrite (a macro or computed name)".to_string(),
                };
                return Err(format!(
                    "`{child}` reads `{old}` {how} in {}: rename it there by hand",
                    relative(current, &facts.path)
                ));
            }
        }
    }
    Ok(())
}

fn rename_cte(
    project: &Project,
    file: &ParsedFile,
    text: &str,
    cte: ScopeId,
    new_name: &str,
) -> Result<RenameEdits, String> {
    let (model, shape) = query_of(file).ok_or_else(|| "the query could not be read".to_string())?;
    if !bare(new_name) {
        return Err(format!(
            "`{new_name}` would need quoting: meshls renames a CTE only to a plain name (letters, digits and `_`, \
             not starting with a digit)"
        ));
    }
    let strategy = crate::project::names::normalization(model.dialect.as_deref());
    let normalize = |text: &str, quoted: bool| crate::project::names::normalize_ident(text, quoted, strategy, false);
    let new = normalize(new_name, false);
    let old = shape.scopes[cte as usize].name.as_ref().map(|n| normalize(&n.text, n.quoted));
    if old.as_deref() == Some(new.as_str()) {
        return Ok(Vec::new());
    }
    for other in cte_scopes(shape) {
        if let Some(name) = &shape.scopes[other as usize].name
            && other != cte
            && normalize(&name.text, name.quoted) == new
        {
            return Err(format!("a CTE named `{}` already exists in this query", name.text));
        }
    }
    for scope in &shape.scopes {
        let ScopeKind::Select(select) = &scope.kind else { continue };
        for relation in &select.sources {
            match &relation.target {
                RelationTarget::Table(parts)
                    if parts.len() == 1 && normalize(&parts[0].text, parts[0].quoted) == new =>
                {
                    return Err(format!("the query reads a table named `{}`: the CTE would hide it", parts[0].text));
                }
                _ => {}
            }
            if let Some(alias) = &relation.alias
                && normalize(&alias.text, alias.quoted) == new
            {
                return Err(format!("the query already uses `{}` as a table alias", alias.text));
            }
        }
    }
    let mut edits: RenameEdits = cte_occurrences(project, file, text, cte)
        .into_iter()
        .map(|h| (file.facts.path.clone(), h.span, new_name.to_string()))
        .collect();
    edits.sort_by_key(|(_, span, _)| *span);
    edits.dedup();
    Ok(edits)
}
