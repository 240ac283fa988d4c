//! An audited `INCREMENTAL_BY_UNIQUE_KEY` model none of whose audits checks that its
//! `unique_key` is unique (`unique_values` on the key column, `unique_combination_of_columns`
//! on a composite key).
//!
//! **Why:** the key is unique in the table only if it is unique in the query's rows. The first
//! backfill is a plain insert that keeps duplicate keys; later runs merge on the key, which
//! fails on engines with `MERGE` (two source rows for one target row) and, on those without
//! (DuckDB, MySQL, ClickHouse), silently keeps one arbitrary row per key. An audit on
//! the key catches duplicates where they appear. Models without any audits are left to
//! `missing-audits`; a project-wide uniqueness audit from `model_defaults` is trusted.
//!
//! **Example:** `kind INCREMENTAL_BY_UNIQUE_KEY (unique_key order_id), audits
//! (not_null(columns := (order_id)))`.
//!
//! **Fix:** add `unique_values(columns := (order_id))` to `audits`
//! (`unique_combination_of_columns(columns := (a, b))` for a composite key).

use super::edits::after_entry;
use super::keys::{KeyProperty, key_columns, normalize, sql_column};
use super::missing_audits::{default_audits, has_audits};
use super::{Context, Rule};
use crate::syntax::block::{ValueKind, Values};
use crate::syntax::python::PyValueKind;
use crate::syntax::python::literal::kwarg;
use crate::syntax::{Applicability, Diagnostic, Edit, Fix, Severity, Span};

pub const RULE: Rule = Rule {
    code: "missing-unique-audit",
    summary: "an INCREMENTAL_BY_UNIQUE_KEY model without an audit of its key's uniqueness",
    default: Some(Severity::Info),
    sqlmesh: None,
    check,
};

/// A uniqueness audit: whether it checks a combination of columns, and which columns.
struct UniqueAudit {
    combination: bool,
    columns: Vec<String>,
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    if cx.model().is_none_or(|m| m.kind != "INCREMENTAL_BY_UNIQUE_KEY") || !has_audits(cx) {
        return;
    }
    let Some(keys) = key_columns(cx, KeyProperty::UniqueKey).filter(|k| !k.is_empty()) else { return };
    let unique_default = default_audits(cx).iter().any(|a| {
        let name = a.split('(').next().unwrap_or("").trim().to_ascii_lowercase();
        unique_name(&name).is_some()
    });
    if unique_default {
        return;
    }
    let names: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
    let covered = unique_audits(cx).iter().any(|audit| {
        if audit.combination {
            !audit.columns.is_empty() && audit.columns.iter().all(|c| names.contains(&c.as_str()))
        } else {
            audit.columns.iter().any(|c| names.contains(&c.as_str()))
        }
    });
    if covered {
        return;
    }
    let audit = if cx.python().is_some() {
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        match quoted.as_slice() {
            [one] => format!("(\"unique_values\", {{\"columns\": [{one}]}})"),
            many => format!("(\"unique_combination_of_columns\", {{\"columns\": [{}]}})", many.join(", ")),
        }
    } else {
        let written: Vec<&str> = keys.iter().map(|k| k.span.text(cx.text)).collect();
        match written.as_slice() {
            [one] => format!("unique_values(columns := ({one}))"),
            many => format!("unique_combination_of_columns(columns := ({}))", many.join(", ")),
        }
    };
    let shown = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    let message = format!("no audit checks that the unique_key ({shown}) is unique");
    let span = keys[0].span.cover(keys[keys.len() - 1].span);
    let mut diagnostic = Diagnostic::info(RULE.code, span, message);
    if let Some(fix) = add_audit(cx, &audit) {
        diagnostic = diagnostic.with_fix(fix);
    }
    out.push(diagnostic);
}

/// Whether an audit name is a uniqueness audit, and if so whether of a combination.
fn unique_name(name: &str) -> Option<bool> {
    match name.strip_suffix("_non_blocking").unwrap_or(name) {
        "unique_values" => Some(false),
        "unique_combination_of_columns" => Some(true),
        _ => None,
    }
}

/// The model's own uniqueness audits, from the MODEL block or the `@model` decorator.
fn unique_audits(cx: &Context) -> Vec<UniqueAudit> {
    let mut found = Vec::new();
    if let Some(property) = cx.sql().and_then(|f| f.property("audits")) {
        for item in property.value.items() {
            let Some(ValueKind::Call { name, args, .. }) = item.single().map(|v| &v.kind) else { continue };
            let Some(combination) = name.last().and_then(|n| unique_name(&n.text.to_ascii_lowercase())) else {
                continue;
            };
            let columns = args.iter().find_map(|arg| columns_argument(cx, arg)).unwrap_or_default();
            found.push(UniqueAudit { combination, columns });
        }
    }
    let python_audits = cx.python().and_then(|m| kwarg(&m.args, "audits")).and_then(|a| a.value.items());
    for item in python_audits.unwrap_or_default() {
        // `("unique_values", {"columns": ["id"]})`
        let Some([name, arguments]) = item.items() else { continue };
        let Some(combination) = name.as_str().and_then(|n| unique_name(&n.to_ascii_lowercase())) else { continue };
        let PyValueKind::Dict(entries) = &arguments.kind else { continue };
        let columns = entries
            .iter()
            .filter(|(k, _)| k.as_str() == Some("columns"))
            .flat_map(|(_, v)| match v.items() {
                Some(items) => items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>(),
                None => v.as_str().into_iter().collect(),
            })
            .map(|c| normalize(cx, c, false))
            .collect();
        found.push(UniqueAudit { combination, columns });
    }
    found
}

/// The columns of a `columns := (a, b)` (or `columns = [a, b]`) audit argument.
fn columns_argument(cx: &Context, arg: &Values) -> Option<Vec<String>> {
    let [key, op, value @ ..] = arg.atoms.as_slice() else { return None };
    let is_columns =
        matches!(&key.kind, ValueKind::Name(p) if p.len() == 1 && p[0].text.eq_ignore_ascii_case("columns"));
    if !is_columns || !matches!(&op.kind, ValueKind::Op(o) if o == ":=" || o == "=") {
        return None;
    }
    let value = Values { span: arg.span, atoms: value.to_vec() };
    Some(value.items().into_iter().filter_map(|item| sql_column(cx, item)).map(|c| c.name).collect())
}

/// Adds `audit` to the MODEL block's `audits (...)` list, after its last item.
fn add_audit(cx: &Context, audit: &str) -> Option<Fix> {
    let property = cx.sql()?.property("audits")?;
    let value = property.value.single()?;
    let (ValueKind::Tuple(items) | ValueKind::Array(items)) = &value.kind else { return None };
    let (at, new_text) = match items.last() {
        Some(last) => after_entry(cx.text, last.span.start as usize, last.span.end as usize, audit),
        None => (value.span.start as usize + 1, audit.to_string()),
    };
    Some(Fix {
        title: format!("Audit the key with `{audit}`"),
        edits: vec![Edit { path: None, span: Span::at(at), new_text }],
        // An audit is blocking: adding one can stop runs, so it is the user's call.
        applicability: Applicability::Unsafe,
        snippet: false,
    })
}
