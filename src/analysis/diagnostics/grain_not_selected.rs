//! A `grain` column that the model's query does not output.
//!
//! **Why:** the grain says which columns identify a row; SQLMesh uses it to match rows when it
//! compares a model's versions (`sqlmesh table_diff`), and readers take it as documentation.
//! A grain column the query does not produce makes both wrong, silently: SQLMesh does not
//! check it. Checked only when the output columns are known: no `*` and every projection
//! named. An aliased item (`grain id AS order_id`, `grains=["id AS order_id"]`) keys on its
//! expression, `id`, as SQLMesh's table diff joins on it; other expressions are not checked.
//!
//! **Example:** `grain [order_id, line_no]` over `SELECT order_id, line_number, amount FROM
//! raw.order_lines`.
//!
//! **Fix:** name the output columns in `grain`, or select the missing column.

use super::keys::{KeyProperty, not_selected};
use super::{Context, Rule};
use crate::syntax::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "grain-not-selected",
    summary: "a grain column is not an output column of the query",
    default: Some(Severity::Warning),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    not_selected(cx, KeyProperty::Grain, RULE.code, "grain", out);
}
