//! A model's `cron` for an orchestrator: the five-field form schedulers read, and a
//! description in words for people.
//!
//! SQLMesh reads crons with croniter, and so does Dagster; Dagster only takes crons that expand
//! to five fields, so a SQLMesh cron with seconds (six fields) or a year (seven) has no
//! Dagster schedule.

use crate::syntax::cron::MONTH_NAMES;
use crate::syntax::sqlmesh::cron_alias;

/// The five-field cron for `written` (aliases expanded, spaces collapsed); None when it has
/// more fields than an orchestrator's scheduler reads.
pub fn five_field(written: &str) -> Option<String> {
    let trimmed = written.trim();
    let expanded = cron_alias(trimmed).unwrap_or(trimmed);
    let fields: Vec<&str> = expanded.split_whitespace().collect();
    (fields.len() == 5).then(|| fields.join(" "))
}

const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// `0 0 * * *` in `UTC` → `every day at 00:00 (UTC)`. Common shapes are put in words; any
/// other cron is quoted.
pub fn describe(cron: &str, timezone: &str) -> String {
    let Some(five) = five_field(cron) else { return format!("cron `{}` ({timezone})", cron.trim()) };
    let fields: Vec<&str> = five.split(' ').collect();
    let number = |s: &str| s.parse::<u32>().ok();
    let words = match (number(fields[0]), number(fields[1]), fields[2], fields[3], fields[4]) {
        (None, None, "*", "*", "*") if fields[0] == "*" && fields[1] == "*" => Some("every minute".to_string()),
        (None, None, "*", "*", "*") if fields[1] == "*" => {
            fields[0].strip_prefix("*/").and_then(number).map(|n| format!("every {n} minutes"))
        }
        (Some(0), None, "*", "*", "*") if fields[1] == "*" => Some("every hour".to_string()),
        (Some(m), None, "*", "*", "*") if fields[1] == "*" => Some(format!("every hour at minute {m}")),
        (Some(m), None, "*", "*", "*") => {
            fields[1].strip_prefix("*/").and_then(number).map(|n| format!("every {n} hours at minute {m}"))
        }
        (Some(m), Some(h), "*", "*", "*") if m < 60 && h < 24 => Some(format!("every day at {h:02}:{m:02}")),
        (Some(m), Some(h), "*", "*", day) if m < 60 && h < 24 => {
            weekday(day).map(|d| format!("every {d} at {h:02}:{m:02}"))
        }
        (Some(m), Some(h), day, "*", "*") if m < 60 && h < 24 => {
            number(day).map(|d| format!("on day {d} of every month at {h:02}:{m:02}"))
        }
        (Some(m), Some(h), day, month, "*") if m < 60 && h < 24 => match (number(day), month_name(month)) {
            (Some(d), Some(month)) => Some(format!("every year on {month} {d} at {h:02}:{m:02}")),
            _ => None,
        },
        _ => None,
    };
    match words {
        Some(words) => format!("{words} ({timezone})"),
        None => format!("cron `{five}` ({timezone})"),
    }
}

fn weekday(field: &str) -> Option<&'static str> {
    if let Ok(n) = field.parse::<usize>() {
        return WEEKDAYS.get(n % 7).copied();
    }
    WEEKDAYS.iter().find(|d| d[..3].eq_ignore_ascii_case(field)).copied()
}

fn month_name(field: &str) -> Option<&'static str> {
    if let Ok(n) = field.parse::<usize>() {
        return MONTH_NAMES.get(n.checked_sub(1)?).copied();
    }
    MONTH_NAMES.iter().find(|m| m[..3].eq_ignore_ascii_case(field)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_fields_and_words() {
        assert_eq!(five_field("@daily").as_deref(), Some("0 0 * * *"));
        assert_eq!(five_field(" 15  * * * * ").as_deref(), Some("15 * * * *"));
        assert_eq!(five_field("0 0 * * * 30"), None);
        assert_eq!(describe("@daily", "UTC"), "every day at 00:00 (UTC)");
        assert_eq!(describe("@hourly", "UTC"), "every hour (UTC)");
        assert_eq!(describe("15 * * * *", "UTC"), "every hour at minute 15 (UTC)");
        assert_eq!(describe("*/30 * * * *", "UTC"), "every 30 minutes (UTC)");
        assert_eq!(describe("30 6 * * *", "Europe/Paris"), "every day at 06:30 (Europe/Paris)");
        assert_eq!(describe("@weekly", "UTC"), "every Sunday at 00:00 (UTC)");
        assert_eq!(describe("0 8 * * mon", "UTC"), "every Monday at 08:00 (UTC)");
        assert_eq!(describe("@monthly", "UTC"), "on day 1 of every month at 00:00 (UTC)");
        assert_eq!(describe("@yearly", "UTC"), "every year on January 1 at 00:00 (UTC)");
        assert_eq!(describe("0 9-17 * * 1-5", "UTC"), "cron `0 9-17 * * 1-5` (UTC)");
        assert_eq!(describe("0 0 * * * 30", "UTC"), "cron `0 0 * * * 30` (UTC)");
    }
}
