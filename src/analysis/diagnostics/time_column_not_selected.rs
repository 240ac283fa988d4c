//! An `INCREMENTAL_BY_TIME_RANGE` model whose `time_column` is not one of the columns its
//! query outputs.
//!
//! **Why:** SQLMesh keeps each interval's rows by the time column: it partitions the table by
//! it (unless `partition_by_time_column false`) and filters the query's output on it (`WHERE
//! time_column BETWEEN start AND end`) before inserting. When it can tell the query's columns
//! it refuses to load the model (`partitioned_by keys ['event_date'] are missing in the model
//! definition`); otherwise the first run fails. Checked only when the output columns are
//! known: no `*` and every projection named.
//!
//! **Example:** `kind INCREMENTAL_BY_TIME_RANGE (time_column event_date)` over
//! `SELECT id, CAST(ts AS DATE) AS event_day FROM raw.events`.
//!
//! **Fix:** select the column under the name `time_column` gives (`... AS event_date`), or
//! point `time_column` at a column the query outputs.

use super::keys::{KeyProperty, not_selected};
use super::{Context, Rule};
use crate::syntax::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "time-column-not-selected",
    summary: "the time_column is not an output column of the query",
    default: Some(Severity::Error),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    if cx.model().is_some_and(|m| m.kind == "INCREMENTAL_BY_TIME_RANGE") {
        not_selected(cx, KeyProperty::TimeColumn, RULE.code, "time_column", out);
    }
}
