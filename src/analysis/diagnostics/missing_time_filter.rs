//! An `INCREMENTAL_BY_TIME_RANGE` query that does not restrict what it reads to the interval
//! being processed: no condition (`WHERE`, `JOIN ... ON`, `HAVING`, `QUALIFY`, in the outer
//! query or in a CTE or subquery that reads a table) uses both a start macro (`@start_ds`,
//! `@start_ts`, `@start_date`, `@start_epoch`, ...) and the end macro of the same family.
//!
//! **Why:** SQLMesh runs the query for the intervals that are missing (all at once, or per
//! `batch_size`) and keeps only the rows whose time column falls in them: it wraps the query in
//! `SELECT ... WHERE time_column BETWEEN start AND end`. The result is right, but without a
//! filter of its own every run reads and computes the sources' whole history: a daily run
//! computes years of rows to keep one day's. Queries meshls cannot read (Jinja, SQL that does
//! not parse) and filters written with the project's own macros are not checked.
//!
//! **Example:** `SELECT order_id, CAST(ordered_at AS DATE) AS order_date FROM raw.orders` with
//! `time_column order_date`.
//!
//! **Fix:** filter on the interval: `WHERE CAST(ordered_at AS DATE) BETWEEN @start_ds AND
//! @end_ds` (`@start_ts`/`@end_ts` for a timestamp column). The quick fix adds this to the
//! outer query, using the time column's expression when it is an alias.

use super::keys::{KeyProperty, key_columns};
use super::{Context, Rule};
use crate::project::Model;
use crate::syntax::lexer::{TokenKind, tokenize_significant};
use crate::syntax::model_file::{ModelFile, lex_options};
use crate::syntax::select::SelectFacts;
use crate::syntax::sql::QueryFacts;
use crate::syntax::sqlmesh::{self, TimeBound};
use crate::syntax::{Applicability, Diagnostic, Fix, Severity, Span};

pub const RULE: Rule = Rule {
    code: "missing-time-filter",
    summary: "an INCREMENTAL_BY_TIME_RANGE query that does not filter on the interval",
    default: Some(Severity::Warning),
    sqlmesh: None,
    check,
};

/// What one condition says about the interval.
enum Reading {
    /// It uses a start and an end macro of one family.
    Bounded,
    /// It uses a macro meshls cannot see into (a macro of the project, an `@DEF` variable).
    Unknown,
    /// It uses only one bound.
    OneBound(OneBound),
    Nothing,
}

/// A condition with one bound of the interval.
#[derive(Clone)]
struct OneBound {
    /// The macro as written (`@start_ds`).
    written: String,
    bound: TimeBound,
    family: &'static str,
    /// Whether the condition is the outer query's WHERE, where the other bound can be added.
    outer_where: bool,
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(model) = cx.model().filter(|m| m.kind == "INCREMENTAL_BY_TIME_RANGE") else { return };
    let Some(file) = cx.sql() else { return };
    if file.query_statement().is_none_or(|s| s.jinja) {
        return;
    }
    let Some(query) = file.query.as_ref().filter(|q| q.parsed && !q.selects.is_empty()) else { return };
    // `FROM @my_source(...)`: a macro of the project may bring its own filter.
    if query.tables.iter().any(|t| t.name.iter().any(|p| !p.quoted && p.text.starts_with('@') && p.text.contains('(')))
    {
        return;
    }
    let mut one_bound: Option<OneBound> = None;
    for select in query.selects.iter().filter(|s| s.outer || s.reads_table) {
        for filter in &select.filters {
            match read(cx, file, model, *filter) {
                Reading::Bounded | Reading::Unknown => return,
                Reading::OneBound(mut found) => {
                    found.outer_where = select.outer && select.where_condition == Some(*filter);
                    if one_bound.as_ref().is_none_or(|b| !b.outer_where) {
                        one_bound = Some(found);
                    }
                }
                Reading::Nothing => {}
            }
        }
    }
    let Some(anchor) = query.selects.iter().find(|s| s.outer) else { return };
    let message = match &one_bound {
        Some(found) => format!(
            "the filter on `{}` has no {} bound",
            found.written,
            if found.bound == TimeBound::Start { "end" } else { "start" },
        ),
        None => "the query does not filter on the interval (`@start_*` and `@end_*`)".to_string(),
    };
    let mut diagnostic = Diagnostic::warning(RULE.code, anchor.keyword, message);
    if let Some(fix) = add_filter(cx, model, query, one_bound.filter(|b| b.outer_where)) {
        diagnostic = diagnostic.with_fix(fix);
    }
    out.push(diagnostic);
}

/// Reads the macros of one condition.
fn read(cx: &Context, file: &ModelFile, model: &Model, condition: Span) -> Reading {
    let text = condition.text(cx.text);
    let tokens = tokenize_significant(text, lex_options(model.dialect.as_deref()));
    let (mut starts, mut ends) = (Vec::new(), Vec::new());
    let mut first: Option<OneBound> = None;
    for (i, token) in tokens.iter().enumerate() {
        if token.kind != TokenKind::Macro {
            continue;
        }
        let written = token.text(text);
        let name = written.trim_start_matches('@').trim_start_matches('{').trim_end_matches('}');
        let call = tokens.get(i + 1).is_some_and(|t| t.kind == TokenKind::LParen && t.span.start == token.span.end);
        if let Some(variable) = sqlmesh::macro_variable(name)
            && let (Some(bound), Some(family)) = (variable.bound, variable.family)
        {
            match bound {
                TimeBound::Start => starts.push(family),
                TimeBound::End => ends.push(family),
            }
            first.get_or_insert(OneBound { written: written.to_string(), bound, family, outer_where: false });
        } else if call && sqlmesh::builtin_macro(name).is_none()
            || !call && file.defs.iter().any(|d| d.name.value.eq_ignore_ascii_case(name))
        {
            return Reading::Unknown;
        }
    }
    if starts.iter().any(|s| ends.contains(s)) {
        Reading::Bounded
    } else {
        first.map_or(Reading::Nothing, Reading::OneBound)
    }
}

/// Adds `<time column> BETWEEN @start_ds AND @end_ds` to the outer query's WHERE, when the
/// query has a single outer SELECT; when that WHERE already has one bound, the other one
/// (`<time column> <= @end_ds`).
fn add_filter(cx: &Context, model: &Model, query: &QueryFacts, one_bound: Option<OneBound>) -> Option<Fix> {
    let [select] = query.selects.iter().filter(|s| s.outer).collect::<Vec<&SelectFacts>>()[..] else { return None };
    let time_column = model.time_column.as_deref()?;
    let written = key_columns(cx, KeyProperty::TimeColumn)?.into_iter().next()?;
    let projection = query.projections.iter().find(|p| {
        p.star.is_none()
            && p.name.as_ref().is_some_and(|n| {
                let quoted = n.span.text(cx.text).starts_with(['"', '`', '[']);
                super::keys::normalize(cx, &n.value, quoted) == time_column
            })
    });
    let expression = match projection {
        Some(p) if row_level(cx, model, p.expr) => p.expr.text(cx.text),
        Some(_) => return None,
        None => written.span.text(cx.text),
    };
    let data_type = projection.and_then(|p| p.cast.clone()).or_else(|| {
        let columns = model.columns.as_ref()?;
        columns.iter().find(|c| c.name == time_column).and_then(|c| c.data_type.clone())
    });
    let filter = match one_bound {
        Some(OneBound { bound: TimeBound::Start, family, .. }) => format!("{expression} <= @end_{family}"),
        Some(OneBound { bound: TimeBound::End, family, .. }) => format!("{expression} >= @start_{family}"),
        None => {
            let family = family(data_type.as_deref());
            format!("{expression} BETWEEN @start_{family} AND @end_{family}")
        }
    };
    let edits = if let Some(condition) = select.where_condition {
        if has_top_level_or(cx, model, condition) {
            vec![
                (Span::at(condition.start as usize), "(".to_string()),
                (Span::at(condition.end as usize), format!(") AND {filter}")),
            ]
        } else {
            vec![(Span::at(condition.end as usize), format!(" AND {filter}"))]
        }
    } else {
        let at = select.where_insert? as usize;
        let line_end = cx.text[at..].find('\n').map_or(cx.text.len(), |i| at + i);
        let rest = cx.text[at..line_end].trim();
        if rest.is_empty() || rest.starts_with("--") {
            let keyword = select.keyword.start as usize;
            let line_start = cx.text[..keyword].rfind('\n').map_or(0, |i| i + 1);
            let indent: String = cx.text[line_start..keyword].chars().take_while(|c| c.is_whitespace()).collect();
            vec![(Span::at(line_end), format!("\n{indent}WHERE {filter}"))]
        } else {
            vec![(Span::at(at), format!(" WHERE {filter}"))]
        }
    };
    // It changes the rows the model reads.
    Some(Fix::local(format!("Filter on the interval: `{filter}`"), edits).with_applicability(Applicability::Unsafe))
}

/// The macro family for a time column of this type: `ts` (or `tstz`) for timestamps, else `ds`.
fn family(data_type: Option<&str>) -> &'static str {
    let data_type = data_type.unwrap_or("").to_ascii_uppercase();
    if !data_type.contains("TIMESTAMP") && !data_type.contains("DATETIME") {
        "ds"
    } else if data_type.contains("NTZ") || !(data_type.contains("TZ") || data_type.contains("TIME ZONE")) {
        "ts"
    } else {
        "tstz"
    }
}

/// Aggregate functions: an expression using one cannot go in a WHERE.
const AGGREGATES: &[&str] = &[
    "sum",
    "count",
    "min",
    "max",
    "avg",
    "any_value",
    "array_agg",
    "string_agg",
    "listagg",
    "group_concat",
    "median",
    "mode",
    "first",
    "last",
    "arg_min",
    "arg_max",
    "min_by",
    "max_by",
    "bool_and",
    "bool_or",
    "countif",
    "logical_and",
    "logical_or",
    "percentile_cont",
    "percentile_disc",
    "stddev",
    "variance",
    "approx_count_distinct",
];

/// Whether an expression is computed row by row (no aggregate, window or subquery), so that it
/// can be repeated in a WHERE.
fn row_level(cx: &Context, model: &Model, expr: Span) -> bool {
    let text = expr.text(cx.text);
    let tokens = tokenize_significant(text, lex_options(model.dialect.as_deref()));
    !tokens.iter().enumerate().any(|(i, t)| {
        let word = (t.kind == TokenKind::Ident).then(|| t.text(text).to_ascii_lowercase());
        let call = tokens.get(i + 1).is_some_and(|n| n.kind == TokenKind::LParen);
        match word.as_deref() {
            Some("over" | "select") => true,
            Some(w) => call && AGGREGATES.contains(&w),
            None => false,
        }
    })
}

/// Whether a condition has an `OR` outside parentheses (so that `AND` binds tighter).
fn has_top_level_or(cx: &Context, model: &Model, condition: Span) -> bool {
    let text = condition.text(cx.text);
    let mut depth = 0i32;
    tokenize_significant(text, lex_options(model.dialect.as_deref())).iter().any(|t| {
        match t.kind {
            TokenKind::LParen => depth += 1,
            TokenKind::RParen => depth -= 1,
            _ => {}
        }
        depth == 0 && (t.is_word(text, "or") || t.is_word(text, "xor"))
    })
}
