//! A Python model that reads the wall clock (`datetime.now()`, `datetime.utcnow()`,
//! `date.today()`, `time.time()`, `pd.Timestamp.now()`, ...) instead of the run's time.
//!
//! **Why:** SQLMesh passes every Python model the interval it computes (`start`, `end`) and
//! the time the run stands for (`execution_time`). A backfill, a restatement or a rerun of a
//! failed interval computes a past interval today: code that reads the clock then produces
//! rows that depend on when it ran, not on the interval, and two runs of the same interval
//! disagree.
//!
//! **Example:** `df["loaded_on"] = date.today()` in a model's `execute` function.
//!
//! **Fix:** take `execution_time` (or `start`/`end`) as an argument of the model function and
//! use it: `execution_time.date()` for `date.today()`.

use super::{Context, Rule};
use crate::syntax::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "python-model-now",
    summary: "a Python model reads the wall clock instead of execution_time",
    default: Some(Severity::Warning),
    sqlmesh: None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(model) = cx.python() else { return };
    for call in &model.now_calls {
        let message = format!("`{}` reads the wall clock; use `execution_time`", call.text(cx.text));
        out.push(Diagnostic::warning(RULE.code, *call, message));
    }
}
