//! Dates as SQLMesh reads a model's `start` and `end` (`sqlmesh/utils/date.py::to_datetime`).
//!
//! A value that Python's `float()` reads is a number: an eight-digit `YYYYMMDD` date when
//! `strptime(value, "%Y%m%d")` takes it, else milliseconds since 1970-01-01 UTC (so `2024` and
//! the epoch seconds `1704067200` both land in January 1970). Anything else goes to
//! `dateparser`, which knows many formats and languages and relative phrases (`1 week ago`,
//! `yesterday`, `in 2 days`, `hier`). meshls reads the formats it can be sure of, ISO dates and
//! timestamps and English relative phrases, reports what SQLMesh certainly rejects (an impossible
//! date, a misspelled phrase, a number out of range) and leaves every other text alone.

use std::fmt::Write as _;

/// What SQLMesh makes of a `start` or `end` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateReading {
    /// A fixed point in time, in milliseconds since 1970-01-01 UTC.
    Absolute(i64),
    /// A time relative to when SQLMesh runs (`1 week ago`, `yesterday`).
    Relative,
    /// A number SQLMesh reads as a point in time its writer surely did not mean, with why and
    /// the value likely meant (`1704067200000` for the epoch seconds `1704067200`); `sure` when
    /// that is the only reasonable reading (`2024` might be the start or the end of the year).
    Misread { at: i64, why: String, meant: Option<String>, sure: bool },
    /// A value SQLMesh rejects, with why and, for a misspelling, the value meant.
    Unreadable { why: String, meant: Option<String> },
    /// Text in a format meshls does not read; SQLMesh's parser may well accept it.
    Unknown,
}

const MS_PER_DAY: i64 = 86_400_000;
/// The range of Python's `datetime`: 0001-01-01 to 9999-12-31 23:59:59.999.
const MIN_MS: i64 = -62_135_596_800_000;
const MAX_MS: i64 = 253_402_300_799_999;

/// Reads a `start`/`end` value: the text of a string, or a number as written.
pub fn read_date(text: &str) -> DateReading {
    if let Some(number) = python_float(text) {
        return read_number(text, number);
    }
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return if text.is_empty() {
            // SQLMesh skips an empty value, as if none were given.
            DateReading::Unknown
        } else {
            DateReading::Unreadable { why: "it is blank".to_string(), meant: None }
        };
    }
    if let Some(result) = iso(trimmed) {
        return match result {
            Ok(ms) => DateReading::Absolute(ms),
            Err(why) => DateReading::Unreadable { why, meant: None },
        };
    }
    let lower = trimmed.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_ascii_whitespace().collect();
    if is_relative(&words) {
        return DateReading::Relative;
    }
    match misspelled_relative(&words) {
        Some(meant) => {
            DateReading::Unreadable { why: "it is not a date or time SQLMesh reads".to_string(), meant: Some(meant) }
        }
        None => DateReading::Unknown,
    }
}

/// Python's `float(text)`: surrounding whitespace, a sign, `_` between digits, exponents,
/// `inf` and `nan`.
fn python_float(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    let bytes = trimmed.as_bytes();
    let mut plain = String::with_capacity(trimmed.len());
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let digit_around = |j: Option<usize>| j.and_then(|j| bytes.get(j)).is_some_and(u8::is_ascii_digit);
            if !(digit_around(i.checked_sub(1)) && digit_around(Some(i + 1))) {
                return None;
            }
            continue;
        }
        plain.push(b as char);
    }
    plain.parse().ok()
}

fn read_number(text: &str, number: f64) -> DateReading {
    if let Some(ms) = yyyymmdd(text) {
        return DateReading::Absolute(ms);
    }
    let untrimmed = text;
    let text = text.trim();
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !number.is_finite() {
        return DateReading::Unreadable { why: "it is not a finite number".to_string(), meant: None };
    }
    let ms = number.trunc();
    if ms < MIN_MS as f64 || ms > MAX_MS as f64 {
        return DateReading::Unreadable {
            why: "as milliseconds since 1970 it is out of the range of dates".to_string(),
            meant: None,
        };
    }
    let at = ms as i64;
    if text != untrimmed && yyyymmdd(text).is_some() {
        return DateReading::Misread {
            at,
            why: format!("with the spaces around it, SQLMesh reads it as milliseconds since 1970: {}", format_ms(at)),
            meant: Some(text.to_string()),
            sure: true,
        };
    }
    if digits && text.len() == 8 {
        return DateReading::Misread {
            at,
            why: format!(
                "it is not a valid YYYYMMDD date, so SQLMesh reads it as milliseconds since 1970: {}",
                format_ms(at)
            ),
            meant: None,
            sure: false,
        };
    }
    if digits && text.len() == 4 && (1900..3000).contains(&(number as i64)) {
        return DateReading::Misread {
            at,
            why: format!("SQLMesh reads a number as milliseconds since 1970, so this is {}", format_ms(at)),
            meant: Some(format!("{text}-01-01")),
            sure: false,
        };
    }
    if digits && (9..=11).contains(&text.len()) && (at as f64 * 1000.0) <= MAX_MS as f64 {
        let seconds_at = at * 1000;
        return DateReading::Misread {
            at,
            why: format!(
                "SQLMesh reads a number as milliseconds, not seconds, since 1970: this is {}, not {}",
                format_ms(at),
                format_ms(seconds_at)
            ),
            meant: Some(format!("{text}000")),
            sure: true,
        };
    }
    DateReading::Absolute(at)
}

/// `strptime(text, "%Y%m%d")`: Python matches `%Y` as four digits, then `%m` and `%d` by the
/// first alternative of their patterns that fits (so `2024011` is 2024-01-01), with no
/// backtracking to use up the text.
fn yyyymmdd(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() < 6 || !bytes[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let year: i64 = text[..4].parse().ok()?;
    let digit = |i: usize| bytes.get(i).filter(|b| b.is_ascii_digit()).map(|b| i64::from(b - b'0'));
    // Each pattern's alternatives in order, as (value, length) when it matches at `at`.
    let months = |at: usize| -> Vec<(i64, usize)> {
        let (a, b) = (digit(at), digit(at + 1));
        let mut out = Vec::new();
        if let (Some(1), Some(d)) = (a, b)
            && d <= 2
        {
            out.push((10 + d, 2)); // 1[0-2]
        }
        if let (Some(0), Some(d)) = (a, b)
            && d >= 1
        {
            out.push((d, 2)); // 0[1-9]
        }
        if let Some(d) = a.filter(|d| *d >= 1) {
            out.push((d, 1)); // [1-9]
        }
        out
    };
    let days = |at: usize| -> Vec<(i64, usize)> {
        let (a, b) = (digit(at), digit(at + 1));
        let mut out = Vec::new();
        if let (Some(3), Some(d)) = (a, b)
            && d <= 1
        {
            out.push((30 + d, 2)); // 3[01]
        }
        if let (Some(t @ (1 | 2)), Some(d)) = (a, b) {
            out.push((t * 10 + d, 2)); // [12]\d
        }
        if let (Some(0), Some(d)) = (a, b)
            && d >= 1
        {
            out.push((d, 2)); // 0[1-9]
        }
        if let Some(d) = a.filter(|d| *d >= 1) {
            out.push((d, 1)); // [1-9]
        }
        if bytes.get(at) == Some(&b' ')
            && let Some(d) = digit(at + 1).filter(|d| *d >= 1)
        {
            out.push((d, 2)); // ' '[1-9]
        }
        out
    };
    // The regex match is the first combination that matches; the rest of the text must then
    // be empty ("unconverted data remains" otherwise).
    let (month, day, end) = months(4)
        .into_iter()
        .find_map(|(month, m_len)| days(4 + m_len).first().map(|&(day, d_len)| (month, day, 4 + m_len + d_len)))?;
    (end == bytes.len() && valid_date(year, month, day)).then(|| days_from_civil(year, month, day) * MS_PER_DAY)
}

fn leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn valid_date(year: i64, month: i64, day: i64) -> bool {
    (1..=9999).contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day counted from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// A point in time as `2024-01-01`, or `2024-01-01 06:30:00(.250)` when it has a time of day (UTC).
pub fn format_ms(ms: i64) -> String {
    let (year, month, day) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let mut out = format!("{year:04}-{month:02}-{day:02}");
    if in_day != 0 {
        let (h, m, s, milli) = (in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000);
        let _ = write!(out, " {h:02}:{m:02}:{s:02}");
        if milli != 0 {
            let _ = write!(out, ".{milli:03}");
        }
    }
    out
}

/// A run of 1 to `max` ASCII digits at the start of `text`: its value and the rest.
fn number_prefix(text: &str, max: usize) -> Option<(i64, &str)> {
    let len = text.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if len == 0 {
        return None;
    }
    Some((text[..len].parse().ok()?, &text[len..]))
}

/// An ISO-like date `YYYY-MM-DD` (or with `/` or `.`), optionally with a time `HH:MM[:SS[.f]]`
/// after `T` or a space and a zone `Z`/`±HH:MM`. None when the text has another shape; an
/// error when dateparser rejects it. dateparser reads the date as year-month-day, else as
/// year-day-month (`2024-13-01` is January 13th).
fn iso(text: &str) -> Option<Result<i64, String>> {
    let bytes = text.as_bytes();
    if bytes.len() < 8 || !bytes[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let year: i64 = text[..4].parse().ok()?;
    let separator = *bytes.get(4)?;
    if !matches!(separator, b'-' | b'/' | b'.') {
        return None;
    }
    let (a, rest) = number_prefix(&text[5..], 2)?;
    let rest = rest.strip_prefix(separator as char)?;
    let (b, rest) = number_prefix(rest, 2)?;
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut ms = 0;
    let mut bad_time = None;
    let mut rest = rest;
    if let Some(time) = rest.strip_prefix(['T', ' ']).filter(|t| !t.is_empty()) {
        let (hour, after) = number_prefix(time, 2)?;
        let after = after.strip_prefix(':')?;
        let (minute, after) = number_prefix(after, 2)?;
        let (second, after) = match after.strip_prefix(':') {
            Some(s) => number_prefix(s, 2)?,
            None => (0, after),
        };
        let (millis, after) = match after.strip_prefix('.') {
            Some(f) => {
                let rest = f.trim_start_matches(|c: char| c.is_ascii_digit());
                let digits = &f[..f.len() - rest.len()];
                let millis = format!("{digits:0<3}")[..3].parse().unwrap_or(0);
                (millis, rest)
            }
            None => (0, after),
        };
        if hour > 23 || minute > 59 || second > 59 {
            bad_time = Some(format!("{hour:02}:{minute:02}:{second:02} is not a time of day"));
        }
        ms = ((hour * 60 + minute) * 60 + second) * 1000 + millis;
        rest = after;
    }
    let offset_minutes = match rest {
        "" | "Z" => 0,
        zone => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            // dateparser rejects `+0530`; meshls leaves it alone.
            let (hh, mm) = zone[1..].split_once(':')?;
            let two_digits = |t: &str| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit());
            if !two_digits(hh) || !two_digits(mm) {
                return None;
            }
            let (hh, mm): (i64, i64) = (hh.parse().ok()?, mm.parse().ok()?);
            if hh > 23 || mm > 59 {
                return None;
            }
            sign * (hh * 60 + mm)
        }
    };
    let (month, day) = if valid_date(year, a, b) {
        (a, b)
    } else if valid_date(year, b, a) {
        (b, a)
    } else {
        return Some(Err(impossible_date(year, a, b)));
    };
    if let Some(why) = bad_time {
        return Some(Err(why));
    }
    Some(Ok(days_from_civil(year, month, day) * MS_PER_DAY + ms - offset_minutes * 60_000))
}

fn impossible_date(year: i64, a: i64, b: i64) -> String {
    const MONTHS: [&str; 12] = super::cron::MONTH_NAMES;
    if year == 0 {
        return "there is no year 0".to_string();
    }
    if (1..=12).contains(&a) {
        return format!("{} {year} has no day {b}", MONTHS[a as usize - 1]);
    }
    format!("{a} is not a month")
}

const NAMED_TIMES: &[&str] = &["now", "today", "yesterday", "tomorrow", "midnight", "noon"];
const WEEKDAYS: &[&str] = &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const COUNTS: &[&str] = &["a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
const UNITS: &[&str] = &[
    "second", "seconds", "sec", "secs", "minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "day",
    "days", "week", "weeks", "month", "months", "year", "years", "decade", "decades",
];
const KEYWORDS: &[&str] = &["in", "ago", "last", "next"];
/// Words one edit away from a word dateparser knows in another language (`minuto`, `minuti`):
/// never taken for misspellings.
const FOREIGN_LOOKALIKES: &[&str] = &["minute", "minutes"];

/// English relative phrases dateparser reads: `now`, `yesterday`, `monday`, `1 week ago`,
/// `in 2 days`, `3 months`, `an hour ago`, `last week`, `next month`.
fn is_relative(words: &[&str]) -> bool {
    let count = |w: &str| COUNTS.contains(&w) || (!w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()));
    let unit = |w: &str| UNITS.contains(&w);
    match words {
        [one] => NAMED_TIMES.contains(one) || WEEKDAYS.contains(one),
        ["last" | "next", "week" | "month" | "year" | "decade"] => true,
        ["last" | "next", _] => false,
        [n, u] | ["in", n, u] | [n, u, "ago"] => count(n) && unit(u),
        _ => false,
    }
}

/// The relative phrase `words` misspell, if each unknown word is one edit or two (in a long word)
/// from a word of the phrases.
fn misspelled_relative(words: &[&str]) -> Option<String> {
    let vocabulary = || NAMED_TIMES.iter().chain(WEEKDAYS).chain(COUNTS).chain(UNITS).chain(KEYWORDS);
    let mut fixed = Vec::with_capacity(words.len());
    let mut changed = false;
    for word in words {
        let known = vocabulary().any(|v| v == word) || word.bytes().all(|b| b.is_ascii_digit());
        if known {
            fixed.push(word.to_string());
            continue;
        }
        let len = word.chars().count();
        let limit = match len {
            // Short words are too often a word of another language dateparser knows.
            0..=3 => return None,
            4..=7 => 1,
            _ => 2,
        };
        let mut best: Vec<(usize, &str)> = vocabulary()
            .filter(|v| v.len() >= 3 && !FOREIGN_LOOKALIKES.contains(v))
            .map(|v| (strsim::damerau_levenshtein(word, v), *v))
            .filter(|(d, _)| *d <= limit)
            .collect();
        best.sort();
        match best.as_slice() {
            [(d, v), rest @ ..] if rest.first().is_none_or(|(d2, _)| d2 > d) => fixed.push(v.to_string()),
            _ => return None,
        }
        changed = true;
    }
    let phrase: Vec<&str> = fixed.iter().map(String::as_str).collect();
    (changed && is_relative(&phrase)).then(|| phrase.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        match read_date(text) {
            DateReading::Absolute(ms) => ms,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn unreadable(text: &str) -> Option<String> {
        match read_date(text) {
            DateReading::Unreadable { meant, .. } => meant,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn absolute_dates() {
        assert_eq!(at("1970-01-01"), 0);
        assert_eq!(format_ms(at("2024-01-01")), "2024-01-01");
        assert_eq!(format_ms(at("2024-1-1")), "2024-01-01");
        assert_eq!(format_ms(at("2024/12/31")), "2024-12-31");
        assert_eq!(format_ms(at("2024-13-01")), "2024-01-13");
        assert_eq!(format_ms(at("2024-02-29")), "2024-02-29");
        assert_eq!(format_ms(at("2024-01-01 12:30")), "2024-01-01 12:30:00");
        assert_eq!(format_ms(at("2024-01-01T12:00:00.5Z")), "2024-01-01 12:00:00.500");
        assert_eq!(format_ms(at("2024-01-01T12:00:00+02:00")), "2024-01-01 10:00:00");
        assert_eq!(format_ms(at("  2024-01-01  ")), "2024-01-01");
        assert_eq!(format_ms(at("20240101")), "2024-01-01");
        assert_eq!(format_ms(at("2024011")), "2024-01-01");
        assert_eq!(format_ms(at("1704067200000")), "2024-01-01");
        assert_eq!(format_ms(at("-1")), "1969-12-31 23:59:59.999");
        assert_eq!(at("1_000"), 1000);
        assert_eq!(at("253402300799999"), MAX_MS);
    }

    #[test]
    fn relative_and_unknown() {
        for text in [
            "1 week ago",
            "2 days ago",
            "yesterday",
            "Yesterday",
            "now",
            "in 2 days",
            "an hour ago",
            "last week",
            "monday",
            "3 months",
        ] {
            assert_eq!(read_date(text), DateReading::Relative, "{text}");
        }
        for text in ["", "hier", "gestern", "Jan 1 2024", "01/02/2024", "last monday", "2024-01-01 12", "garbage"] {
            assert_eq!(read_date(text), DateReading::Unknown, "{text}");
        }
    }

    #[test]
    fn unreadable_dates() {
        assert_eq!(unreadable("2024-02-30"), None);
        assert_eq!(unreadable("2023-02-29"), None);
        assert_eq!(unreadable("2024-13-13"), None);
        assert_eq!(unreadable("2024-01-01 24:00:00"), None);
        assert_eq!(unreadable("0000-01-01"), None);
        assert_eq!(unreadable("inf"), None);
        assert_eq!(unreadable("nan"), None);
        assert_eq!(unreadable("253402300800000"), None);
        assert_eq!(unreadable("   "), None);
        assert_eq!(unreadable("yesterdy").as_deref(), Some("yesterday"));
        assert_eq!(unreadable("1 wekk ago").as_deref(), Some("1 week ago"));
        // Three-letter words are too often another language's (`nov`, `hoy`): left alone.
        assert_eq!(read_date("1 wek ago"), DateReading::Unknown);
        assert_eq!(unreadable("tomorow").as_deref(), Some("tomorrow"));
        assert_eq!(unreadable("2 dyas ago").as_deref(), Some("2 days ago"));
        match read_date("2024-02-30") {
            DateReading::Unreadable { why, .. } => assert_eq!(why, "February 2024 has no day 30"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn misread_numbers() {
        let misread = |text: &str| match read_date(text) {
            DateReading::Misread { at, meant, .. } => (format_ms(at), meant),
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(misread("20240230"), ("1970-01-01 05:37:20.230".to_string(), None));
        assert_eq!(misread("2024"), ("1970-01-01 00:00:02.024".to_string(), Some("2024-01-01".to_string())));
        assert_eq!(misread("1704067200"), ("1970-01-20 17:21:07.200".to_string(), Some("1704067200000".to_string())));
    }
}
