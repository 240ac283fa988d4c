//! What the key rules (`time-column-not-selected`, `unique-key-not-selected`,
//! `grain-not-selected`, `missing-unique-audit`) share: the columns a model outputs, when they
//! are all known, and the columns its key properties name, in SQL and Python models alike.

use super::Context;
use crate::project::names::{normalization, normalize_ident};
use crate::syntax::block::{ValueKind, Values, unquote_ident};
use crate::syntax::lexer::{LexOptions, Token, TokenKind, tokenize_significant};
use crate::syntax::python::{PyValue, PyValueKind};
use crate::syntax::{Diagnostic, Span, Spanned};

/// A column named by a property (`time_column ds`, `unique_key [a, b]`, `grain="id"`).
pub(super) struct KeyColumn {
    /// Normalized with the model's dialect, as SQLMesh compares columns.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// Which key property.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyProperty {
    /// The kind's `time_column`.
    TimeColumn,
    /// The kind's `unique_key`.
    UniqueKey,
    /// The model's `grain` (or `grains`).
    Grain,
}

fn dialect<'a>(cx: &Context<'a>) -> Option<&'a str> {
    cx.model().and_then(|m| m.dialect.as_deref())
}

/// A column name as SQLMesh normalizes it in the model's dialect.
pub(super) fn normalize(cx: &Context, text: &str, quoted: bool) -> String {
    normalize_ident(text, quoted, normalization(dialect(cx)), false)
}

/// The model's output columns, normalized, when every one is known: a SQL query read by
/// sqlparser whose outer projections are all named (no `*`, no macro such as `@STAR(t)` that
/// renders to columns of its own), or a Python model's `columns`.
pub(super) fn output_columns(cx: &Context) -> Option<Vec<Spanned<String>>> {
    if let Some(file) = cx.sql() {
        let query = file.query.as_ref().filter(|q| q.parsed && !q.projections.is_empty())?;
        return query
            .projections
            .iter()
            .map(|p| {
                let name = p.name.as_ref().filter(|n| p.star.is_none() && !n.value.contains('@'))?;
                let quoted = name.span.text(cx.text).starts_with(['"', '`', '[']);
                Some(Spanned::new(normalize(cx, &name.value, quoted), name.span))
            })
            .collect();
    }
    let columns = cx.python()?.columns.as_ref().filter(|c| !c.is_empty())?;
    Some(columns.iter().map(|(name, _)| Spanned::new(normalize(cx, &name.value, false), name.span)).collect())
}

/// The columns a key property names, or None when the model does not set it. Items that are
/// expressions rather than plain columns (`unique_key COALESCE(a, b)`) are left out.
pub(super) fn key_columns(cx: &Context, key: KeyProperty) -> Option<Vec<KeyColumn>> {
    if let Some(file) = cx.sql() {
        let values = match key {
            KeyProperty::Grain => file.property("grain").or_else(|| file.property("grains"))?.value.clone(),
            KeyProperty::TimeColumn | KeyProperty::UniqueKey => {
                let name = if key == KeyProperty::TimeColumn { "time_column" } else { "unique_key" };
                file.kind()?.properties.into_iter().find(|p| p.key.value.eq_ignore_ascii_case(name))?.value
            }
        };
        let items = values.items();
        // `time_column (ds, '%Y-%m-%d')`: the column and its format.
        let items = if key == KeyProperty::TimeColumn { items.into_iter().take(1).collect() } else { items };
        return Some(
            items
                .into_iter()
                .filter_map(|item| match key {
                    KeyProperty::Grain => sql_column(cx, item).or_else(|| {
                        let name = grain_column(cx, item.text(cx.text))?;
                        Some(KeyColumn { name, span: item.span })
                    }),
                    _ => sql_column(cx, item),
                })
                .collect(),
        );
    }
    let model = cx.python()?;
    if key == KeyProperty::Grain {
        if model.grain.is_empty() {
            return None;
        }
        // Each string is parsed as SQL, as in a MODEL block.
        return Some(
            model
                .grain
                .iter()
                .filter_map(|g| Some(KeyColumn { name: grain_column(cx, &g.value)?, span: g.span }))
                .collect(),
        );
    }
    let name = if key == KeyProperty::TimeColumn { "time_column" } else { "unique_key" };
    let (_, value) = model.kind.as_ref()?.properties.iter().find(|(k, _)| k.value == name)?;
    let strings: Vec<&PyValue> = match &value.kind {
        PyValueKind::Str(_) => vec![value],
        PyValueKind::Dict(entries) if key == KeyProperty::TimeColumn => {
            entries.iter().filter(|(k, _)| k.as_str() == Some("column")).map(|(_, v)| v).collect()
        }
        _ => match value.items() {
            Some(items) if key == KeyProperty::TimeColumn => items.iter().take(1).collect(),
            Some(items) => items.iter().collect(),
            None => Vec::new(),
        },
    };
    Some(
        strings
            .into_iter()
            .filter_map(|v| Some(KeyColumn { name: normalize(cx, v.as_str()?, false), span: v.span }))
            .collect(),
    )
}

/// A plain column in a MODEL block value: `ds`, `"Ds"`, `t.ds` (its last part), `'ds'`.
pub(super) fn sql_column(cx: &Context, item: &Values) -> Option<KeyColumn> {
    let value = item.single()?;
    match &value.kind {
        ValueKind::Name(parts) => {
            let last = parts.last()?;
            Some(KeyColumn { name: normalize(cx, &last.text, last.quoted), span: value.span })
        }
        ValueKind::Str(s) => Some(KeyColumn { name: normalize(cx, s, false), span: value.span }),
        _ => None,
    }
}

/// The column a grain item keys on, normalized: `id`, `t.id` or `"Id"` (its last part), or
/// `id AS order_id` / `id order_id`, which keys on `id`: SQLMesh's `table_diff` joins on the
/// aliased expression (`ModelMeta.on` reads `alias.this`) while `order_id` only names the
/// reference. None for any other expression (`COALESCE(a, b)`), which the rules leave alone.
pub(super) fn grain_column(cx: &Context, text: &str) -> Option<String> {
    let tokens = tokenize_significant(text, LexOptions::default());
    let name = |t: &Token| matches!(t.kind, TokenKind::Ident | TokenKind::QuotedIdent);
    // The dotted column: name (. name)*.
    let mut end = 0;
    while tokens.get(end).is_some_and(name) {
        end += 1;
        if tokens.get(end).is_some_and(|t| t.kind == TokenKind::Dot) && tokens.get(end + 1).is_some_and(name) {
            end += 1;
        } else {
            break;
        }
    }
    let alias = &tokens[end..];
    let aliased = match alias {
        [] => true,
        [a] => name(a) && !a.is_word(text, "AS"),
        [as_, a] => as_.is_word(text, "AS") && name(a),
        _ => false,
    };
    let last = tokens[..end].last().filter(|_| aliased)?;
    let quoted = last.kind == TokenKind::QuotedIdent;
    let part = if quoted { unquote_ident(last.text(text)) } else { last.text(text).to_string() };
    Some(normalize(cx, &part, quoted))
}

/// Lists names for a message: `` `a`, `b`, `c` `` (at most eight, then `...`).
pub(super) fn list(names: &[Spanned<String>]) -> String {
    let mut shown: Vec<String> = names.iter().take(8).map(|n| format!("`{}`", n.value)).collect();
    if names.len() > 8 {
        shown.push("...".to_string());
    }
    shown.join(", ")
}

/// Reports each column `key` names that the model does not output, when the output is known.
/// `property` is how the message names the property (`time_column`).
pub(super) fn not_selected(
    cx: &Context,
    key: KeyProperty,
    code: &'static str,
    property: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some(keys) = key_columns(cx, key) else { return };
    let Some(outputs) = output_columns(cx) else { return };
    let source = if cx.python().is_some() { "the model's `columns`" } else { "the query's output columns" };
    for column in keys {
        if outputs.iter().any(|o| o.value == column.name) {
            continue;
        }
        let message = format!("{property} `{}` is not among {source} ({})", column.name, list(&outputs));
        out.push(Diagnostic::warning(code, column.span, message));
    }
}
