//! Hover.
//!
//! // Feature: Hover
//! On a model reference (or a model's own name) shows the model card: name, kind and its key
//! properties, cron in words, start, owner, description, columns with types and descriptions
//! where known, upstream and downstream counts, and the file that defines it.

use super::ParsedFile;
use super::lineage::{HOVER_DEPTH, column_hover};
use super::references::reference_at;
use crate::project::{Model, ModelName, Project, Source};
use crate::syntax::Span;
use std::fmt::Write as _;

/// A hover answer: Markdown and the span it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub markdown: String,
    pub span: Span,
}

/// The hover at `offset` of a parsed file.
pub fn hover(project: &Project, file: &ParsedFile, offset: usize) -> Option<Hover> {
    hover_with_depth(project, file, offset, HOVER_DEPTH)
}

/// [`hover`], a column's lineage trees shown `lineage_depth` levels deep (at least one).
pub fn hover_with_depth(project: &Project, file: &ParsedFile, offset: usize, lineage_depth: usize) -> Option<Hover> {
    let Some(reference) = reference_at(project, file, offset) else {
        let model = file.facts.models.first().filter(|m| m.query.is_some())?;
        let (markdown, span) = column_hover(project, model, offset, lineage_depth.max(1))?;
        return Some(Hover { markdown, span });
    };
    let markdown = match project.model(&reference.name) {
        Some(model) => model_card(project, &model),
        None => format!(
            "### `{}`\n\nNot a model, seed or external model of this project: SQLMesh knows nothing of its columns.",
            reference.name
        ),
    };
    Some(Hover { markdown, span: reference.span })
}

/// The Markdown card of a model.
pub fn model_card(project: &Project, model: &Model) -> String {
    let mut out = format!("### `{}`\n\n", model.name);
    let mut facts = vec![format!("**{}**", model.kind)];
    for (key, value) in &model.kind_properties {
        if matches!(key.as_str(), "time_column" | "unique_key" | "partition_by_time_column" | "batch_size" | "lookback")
        {
            facts.push(format!("{key} `{value}`"));
        }
    }
    if let Some(time_column) = &model.time_column
        && !model.kind_properties.iter().any(|(k, _)| k == "time_column")
    {
        facts.push(format!("time_column `{time_column}`"));
    }
    out.push_str(&facts.join(" · "));
    out.push_str("\n\n");
    let _ = writeln!(out, "- cron `{}`: {}", model.cron, cron_words(&model.cron));
    if let Some(start) = &model.start {
        let _ = writeln!(out, "- start `{start}`");
    }
    if let Some(owner) = &model.owner {
        let _ = writeln!(out, "- owner {owner}");
    }
    if let Some(dialect) = &model.dialect {
        let _ = writeln!(out, "- dialect {dialect}");
    }
    if let Some(description) = &model.description {
        let _ = write!(out, "\n{description}\n");
    }
    let schema = project.schema(&model.name);
    if let Some(columns) = schema.as_ref().and_then(|s| s.columns.as_ref())
        && !columns.is_empty()
    {
        out.push_str("\n| column | type | description |\n| --- | --- | --- |\n");
        for column in columns {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                column.name,
                column.data_type.as_deref().unwrap_or(""),
                column.description.as_deref().unwrap_or("").replace('|', "\\|").replace('\n', " ")
            );
        }
    }
    let graph = project.graph();
    let (upstream, downstream) = (graph.upstream_count(&model.name), graph.downstream_count(&model.name));
    let direct = |names: Vec<ModelName>| names.len();
    let _ = write!(
        out,
        "\n{} upstream ({} direct) · {} downstream ({} direct)\n",
        upstream,
        direct(graph.parents(&model.name)),
        downstream,
        direct(graph.children(&model.name))
    );
    drop(graph);
    if let Some(path) = defining_file(project, &model.name) {
        let relative = path.strip_prefix(&project.root).unwrap_or(&path).display().to_string();
        let source = match model.source {
            Source::Sql => "SQL model",
            Source::Python => "Python model",
            Source::Seed => "seed",
            Source::External => "external model",
        };
        let _ = write!(out, "\n{source} in `{relative}`\n");
    }
    out
}

fn defining_file(project: &Project, name: &ModelName) -> Option<std::path::PathBuf> {
    let id = *project.graph().definers(name)?.first()?;
    Some(project.file(id)?.path.clone())
}

/// A cron expression in words, for the common shapes; other expressions are described as such.
pub fn cron_words(cron: &str) -> String {
    let words = match cron.trim().to_ascii_lowercase().as_str() {
        "@hourly" => "every hour, on the hour (UTC)",
        "@daily" | "@midnight" => "every day at midnight (UTC)",
        "@weekly" => "every Sunday at midnight (UTC)",
        "@monthly" => "on the first day of every month at midnight (UTC)",
        "@yearly" | "@annually" => "every year on January 1st at midnight (UTC)",
        _ => return five_field_words(cron).unwrap_or_else(|| "a custom schedule".to_string()),
    };
    words.to_string()
}

fn five_field_words(cron: &str) -> Option<String> {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    let [minute, hour, day, month, weekday] = fields.as_slice() else { return None };
    let number = |s: &str| s.parse::<u32>().ok();
    match (number(minute), *hour, *day, *month, *weekday) {
        (Some(m), "*", "*", "*", "*") => Some(format!("every hour at minute {m} (UTC)")),
        (Some(m), h, "*", "*", "*") if number(h).is_some() => Some(format!("every day at {h:0>2}:{m:02} (UTC)")),
        (Some(m), h, "*", "*", w) if number(h).is_some() && number(w).is_some() => {
            let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
            Some(format!("every {} at {h:0>2}:{m:02} (UTC)", days.get(number(w)? as usize)?))
        }
        (Some(m), h, d, "*", "*") if number(h).is_some() && number(d).is_some() => {
            Some(format!("on day {d} of every month at {h:0>2}:{m:02} (UTC)"))
        }
        _ if minute.starts_with("*/") && *hour == "*" => Some(format!("every {} minutes", &minute[2..])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::cron_words;

    #[test]
    fn crons_in_words() {
        assert_eq!(cron_words("@daily"), "every day at midnight (UTC)");
        assert_eq!(cron_words("30 6 * * *"), "every day at 06:30 (UTC)");
        assert_eq!(cron_words("0 7 * * 1"), "every Monday at 07:00 (UTC)");
        assert_eq!(cron_words("*/15 * * * *"), "every 15 minutes");
        assert_eq!(cron_words("0 0 1,15 * *"), "a custom schedule");
    }
}
