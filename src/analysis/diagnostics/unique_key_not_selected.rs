//! An `INCREMENTAL_BY_UNIQUE_KEY` or `SCD_TYPE_2` model whose `unique_key` names a column its
//! query does not output.
//!
//! **Why:** SQLMesh loads the model without complaint, then matches rows on the key: an
//! `INCREMENTAL_BY_UNIQUE_KEY` model's first backfill (a plain insert) succeeds and every later
//! run, which merges on the key (`MERGE ... ON target.key = source.key`, or a delete and insert
//! by key on engines without `MERGE`), fails because the query has no such column; an
//! `SCD_TYPE_2` model fails on its first run. Checked only when the output columns are known:
//! no `*` and every projection named.
//!
//! **Example:** `kind INCREMENTAL_BY_UNIQUE_KEY (unique_key customer_id)` over
//! `SELECT id, email FROM raw.customers`.
//!
//! **Fix:** select the key column (`id AS customer_id`), or name a column the query outputs
//! in `unique_key`.

use super::keys::{KeyProperty, not_selected};
use super::{Context, Rule};
use crate::syntax::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "unique-key-not-selected",
    summary: "a unique_key column is not an output column of the query",
    default: Some(Severity::Error),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let keyed = |kind: &str| kind == "INCREMENTAL_BY_UNIQUE_KEY" || kind.starts_with("SCD_TYPE_2");
    if cx.model().is_some_and(|m| keyed(&m.kind)) {
        not_selected(cx, KeyProperty::UniqueKey, RULE.code, "unique_key", out);
    }
}
