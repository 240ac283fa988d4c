//! Cron expressions as SQLMesh reads them.
//!
//! SQLMesh checks `cron` (and a kind's `auto_restatement_cron`) by constructing a croniter
//! (`sqlmesh/utils/pydantic.py::cron_validator`), then infers the model's interval unit from its
//! next run times and rejects a schedule that runs more often than every five minutes
//! (`IntervalUnit.from_cron`, at load time). croniter's grammar is not the classic one, which is
//! why it is followed here rather than a general cron parser's:
//! - five fields, six with the *seconds last*, or seven with the year (1970-2099) after them;
//! - day-of-week 0-7 (0 and 7 are Sunday), names `sun`..`sat` and `jan`..`dec`, case-insensitive;
//! - ranges may wrap (`sat-sun`, `nov-feb`), `a-a` means the whole field, `a/n` means `a-max/n`;
//! - `L` (last day of the month, also `10-L`), `15W`/`W15` (nearest weekday, alone in its field),
//!   `2#3`/`mon#1` (nth weekday, 1-5), `L5` (the last Friday; `5L` is rejected), `?` in the
//!   day fields, `R`/`R(a-b)`/`R/n` (random); `H` (hashed) needs a hash id SQLMesh never passes;
//! - the aliases of [`CRON_ALIASES`](super::sqlmesh::CRON_ALIASES), matched exactly (`@daily `
//!   with a trailing space is not one).

use super::sqlmesh::cron_alias;
use std::fmt;

/// Why SQLMesh rejects a cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CronError {
    /// croniter does not read it.
    Invalid(String),
    /// croniter reads it, but it runs this many seconds apart, under SQLMesh's five minutes.
    TooFrequent(u32),
    /// croniter reads it, but no date ever matches (`0 0 31 2 *`): SQLMesh fails looking for
    /// the next run.
    Never(String),
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CronError::Invalid(why) => f.write_str(why),
            CronError::TooFrequent(seconds) => {
                write!(f, "it runs {} apart, and SQLMesh requires at least 5 minutes between runs", duration(*seconds))
            }
            CronError::Never(why) => write!(f, "it never runs ({why})"),
        }
    }
}

fn duration(seconds: u32) -> String {
    match seconds {
        s if s % 60 == 0 => format!("{} minute{}", s / 60, if s == 60 { "" } else { "s" }),
        s => format!("{s} second{}", if s == 1 { "" } else { "s" }),
    }
}

struct FieldSpec {
    name: &'static str,
    min: u32,
    max: u32,
}

const MINUTE: usize = 0;
const HOUR: usize = 1;
const DAY: usize = 2;
const MONTH: usize = 3;
const WEEKDAY: usize = 4;
const SECOND: usize = 5;

/// croniter's fields in its order: the seconds come after the day of week, the year last.
const FIELDS: [FieldSpec; 7] = [
    FieldSpec { name: "minute", min: 0, max: 59 },
    FieldSpec { name: "hour", min: 0, max: 23 },
    FieldSpec { name: "day-of-month", min: 1, max: 31 },
    FieldSpec { name: "month", min: 1, max: 12 },
    FieldSpec { name: "day-of-week", min: 0, max: 6 },
    FieldSpec { name: "second", min: 0, max: 59 },
    FieldSpec { name: "year", min: 1970, max: 2099 },
];

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
/// Month names for messages (also used by the date reader and the cron descriptions of codegen).
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// The most days each month can have (February in a leap year).
const MONTH_DAYS: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/// SQLMesh's shortest interval unit, five minutes.
const MIN_INTERVAL: u32 = 300;

/// One field read: the values it matches, or what made them unknowable statically.
#[derive(Debug, Default)]
struct Field {
    values: Vec<u32>,
    /// `*` (or `?`) was among the elements.
    all: bool,
    /// `L`, `W` or an nth weekday: matched days depend on the calendar.
    calendar: bool,
    /// `R`: the values are drawn at random.
    random: bool,
}

impl Field {
    fn values(&self, spec: &FieldSpec) -> Vec<u32> {
        if self.all { (spec.min..=spec.max).collect() } else { self.values.clone() }
    }
}

/// Checks a cron expression the way SQLMesh does; Ok when it loads.
pub fn check_cron(expr: &str) -> Result<(), CronError> {
    let lower = expr.to_ascii_lowercase();
    let expanded = cron_alias(&lower).map_or(lower.as_str(), |cron| cron);
    // croniter splits on ASCII whitespace only (`\S+` under re.ASCII).
    let parts: Vec<&str> =
        expanded.split(|c: char| c.is_ascii_whitespace() || c == '\x0b').filter(|p| !p.is_empty()).collect();
    if !(5..=7).contains(&parts.len()) {
        return Err(CronError::Invalid(format!(
            "a cron has 5 fields (minute hour day-of-month month day-of-week), not {}",
            parts.len()
        )));
    }
    let originals: Vec<&str> =
        expr.split(|c: char| c.is_ascii_whitespace() || c == '\x0b').filter(|p| !p.is_empty()).collect();
    let mut fields = Vec::with_capacity(parts.len());
    for (index, part) in parts.iter().enumerate() {
        let original = originals.get(index).copied().filter(|o| o.len() == part.len()).unwrap_or(part);
        fields.push(field(index, part).map_err(|why| CronError::Invalid(in_original_case(&why, part, original)))?);
    }
    if let Some(why) = never(&fields) {
        return Err(CronError::Never(why));
    }
    match shortest_gap(&fields) {
        Some(gap) if gap < MIN_INTERVAL => Err(CronError::TooFrequent(gap)),
        _ => Ok(()),
    }
}

/// `message` with the pieces of `lower` it quotes in backticks spelled as in `original`
/// (messages are built from the lowercased field).
fn in_original_case(message: &str, lower: &str, original: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for (i, piece) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        match lower.find(piece).filter(|_| i % 2 == 1 && !piece.is_empty()) {
            Some(at) => out.push_str(original.get(at..at + piece.len()).unwrap_or(piece)),
            None => out.push_str(piece),
        }
    }
    out
}

/// Reads one field, following croniter's `_expand`.
fn field(index: usize, expr: &str) -> Result<Field, String> {
    let spec = &FIELDS[index];
    let mut out = Field::default();
    if let Some(result) = random(index, expr) {
        result?;
        out.random = true;
        return Ok(out);
    }
    let expr = if expr.contains('?') {
        if expr != "?" {
            return Err("`?` cannot be combined with other values".to_string());
        }
        if index != DAY && index != WEEKDAY {
            return Err(format!("`?` is only allowed in day-of-month and day-of-week, not in the {}", spec.name));
        }
        "*"
    } else {
        expr
    };
    let elements: Vec<&str> = expr.split(',').collect();
    // Day-of-week values given with `#n` or `L`, and those given plainly.
    let mut nth_days = Vec::new();
    let mut plain_days = Vec::new();
    for element in &elements {
        let mut nth = false;
        let mut element = *element;
        if index == WEEKDAY
            && let Some(day) = nth_weekday(element)?
        {
            element = day;
            nth = true;
        }
        if index == DAY
            && let Some(day) = nearest_weekday(element)
        {
            if !(1..=31).contains(&day) {
                return Err(format!("`{element}`: day {day} is out of range 1-31"));
            }
            if elements.len() > 1 {
                return Err("`W` can only be used with a single day, not in a list".to_string());
            }
            out.calendar = true;
            continue;
        }
        let values = element_values(index, element, &mut out)?;
        if nth {
            out.calendar = true;
            nth_days.extend(values);
        } else {
            plain_days.extend(values.iter().copied());
            out.values.extend(values);
        }
    }
    out.values.sort_unstable();
    out.values.dedup();
    if !nth_days.is_empty() {
        // croniter rejects plain days beside nth days unless every day is listed.
        let mut distinct: Vec<u32> = nth_days.iter().chain(&plain_days).copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        let entries = distinct.len() + usize::from(out.all);
        if plain_days.iter().any(|d| !nth_days.contains(d)) && entries != 7 {
            return Err("day-of-week cannot mix plain days with `#` or `L` days".to_string());
        }
    }
    Ok(out)
}

/// `R`, `R(a-b)`, `R/n`, `R(a-b)/n` (random) or `H...` (hashed), which croniter reads before
/// anything else; None when the field is neither.
fn random(index: usize, expr: &str) -> Option<Result<(), String>> {
    let spec = &FIELDS[index];
    let kind = expr.chars().next().filter(|c| *c == 'h' || *c == 'r')?;
    let mut rest = &expr[1..];
    let mut range = None;
    if let Some(inner) = rest.strip_prefix('(') {
        let close = inner.find(')')?;
        let (begin, end) = inner[..close].split_once('-')?;
        range = Some((digits(begin)?, digits(end)?));
        rest = &inner[close + 1..];
    }
    let divisor = match rest.strip_prefix('/') {
        Some(d) => Some(digits(d)?),
        None if rest.is_empty() => None,
        None => return None,
    };
    if kind == 'h' {
        return Some(Err("`H` (a hashed value) needs a hash id, which SQLMesh does not pass".to_string()));
    }
    if let Some((begin, end)) = range {
        if begin >= end {
            return Some(Err(format!("`{expr}`: the range must end after it starts")));
        }
        for bound in [begin, end] {
            let bound = alias_value(index, bound);
            if bound < u64::from(spec.min) || bound > u64::from(spec.max) {
                return Some(Err(format!("`{expr}` is out of the {}'s range {}-{}", spec.name, spec.min, spec.max)));
            }
        }
    }
    if divisor == Some(0) {
        return Some(Err(format!("`{expr}`: a step of 0")));
    }
    Some(Ok(()))
}

/// ASCII digits as a number (saturating: croniter's integers are unbounded).
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().unwrap_or(u64::MAX))
}

/// croniter's `value_alias`: 7 is Sunday in the day of week.
fn alias_value(index: usize, value: u64) -> u64 {
    if index == WEEKDAY && value == 7 { 0 } else { value }
}

/// `x#n` or `Ln` in the day of week: the day part; an error when `n` is out of 1-5.
fn nth_weekday(element: &str) -> Result<Option<&str>, String> {
    if let Some((day, n)) = element.split_once('#') {
        let names = |list: &[&str]| match day.split_once('-') {
            Some((a, b)) => list.contains(&a) && list.contains(&b),
            None => false,
        };
        let word = !day.is_empty() && day.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let Some(n) = digits(n) else { return Ok(None) };
        if !(word || names(&WEEKDAYS) || names(&MONTHS)) {
            return Ok(None);
        }
        if !(1..=5).contains(&n) {
            return Err(format!("`{element}`: there is no weekday number {n} in a month (1-5)"));
        }
        return Ok(Some(day));
    }
    Ok(element.strip_prefix('l').filter(|n| digits(n).is_some()))
}

/// `15w` or `w15` in the day of month: the day.
fn nearest_weekday(element: &str) -> Option<u64> {
    element.strip_suffix('w').or_else(|| element.strip_prefix('w')).and_then(digits)
}

/// `a-b[/n]`: the bounds and the step, as croniter's `step_search_re` splits them.
fn range_parts(text: &str) -> Option<(&str, &str, Option<&str>)> {
    let (low, rest) = text.split_once('-')?;
    let (high, step) = match rest.split_once('/') {
        Some((high, step)) => (high, Some(step)),
        None => (rest, None),
    };
    let step_ok = step.is_none_or(|s| digits(s).is_some());
    (!low.is_empty() && !high.is_empty() && !high.contains('-') && step_ok).then_some((low, high, step))
}

/// A bound or a single value: a number, or a name of this field.
fn number_or_name(index: usize, element: &str, text: &str) -> Result<u64, String> {
    if let Some(n) = digits(text) {
        return Ok(n);
    }
    let names: &[&str] = match index {
        MONTH => &MONTHS,
        WEEKDAY => &WEEKDAYS,
        _ => &[],
    };
    match names.iter().position(|n| *n == text) {
        Some(i) if index == MONTH => Ok(i as u64 + 1),
        Some(i) => Ok(i as u64),
        None if index == WEEKDAY && text.strip_suffix('l').is_some_and(|d| digits(d).is_some()) => Err(format!(
            "`{element}` is not valid: croniter writes the last such weekday of the month as `L{}`",
            &text[..text.len() - 1]
        )),
        None => Err(format!("`{element}` is not a valid {} value", FIELDS[index].name)),
    }
}

/// The values one comma-separated element matches.
fn element_values(index: usize, element: &str, out: &mut Field) -> Result<Vec<u32>, String> {
    let spec = &FIELDS[index];
    let out_of_range = || format!("`{element}` is out of the {}'s range {}-{}", spec.name, spec.min, spec.max);
    // `*/n` → `min-max/n`; `a/n` → `a-max/n`.
    let mut text = match element.strip_prefix("*/") {
        Some(step) if !step.is_empty() => format!("{}-{}/{step}", spec.min, spec.max),
        _ => element.to_string(),
    };
    let mut start_with_step = false;
    if range_parts(&text).is_none()
        && let Some((start, step)) = text.rsplit_once('/')
        && !start.is_empty()
        && !step.is_empty()
    {
        text = format!("{start}-{}/{step}", spec.max);
        start_with_step = range_parts(&text).is_some();
    }
    if let Some((low, high, step)) = range_parts(&text) {
        let high = if index == DAY && high == "l" { "31" } else { high };
        let low = alias_value(index, number_or_name(index, element, low)?);
        let high = alias_value(index, number_or_name(index, element, high)?);
        let step = step.and_then(digits).unwrap_or(1);
        let stride = usize::try_from(step).unwrap_or(usize::MAX);
        if step == 0 {
            return Err(format!("`{element}`: a step of 0"));
        }
        if low.max(high) > u64::from(spec.max) {
            return Err(out_of_range());
        }
        let (min, max) = (u64::from(spec.min), u64::from(spec.max));
        let (low, high) = if low == high && !start_with_step { (min, max) } else { (low, high) };
        let values: Vec<u64> = if start_with_step && low == high {
            vec![low]
        } else if low > high {
            // A range that wraps: `sat-sun`, `nov-feb`, stepping on across the end.
            let mut values: Vec<u64> = (low..=max).step_by(stride).collect();
            let mut skip = 0;
            if let Some(&last) = values.last() {
                let skipped = max - last;
                let position = last.saturating_sub(min);
                if position.saturating_add(step) > max - min + 1 && skipped < step {
                    skip = step - skipped;
                }
            }
            values.extend((min.saturating_add(skip)..=high).step_by(stride));
            values
        } else {
            (low..=high).step_by(stride).collect()
        };
        if values.iter().any(|v| *v < min || *v > max) {
            return Err(out_of_range());
        }
        return Ok(values.into_iter().map(|v| v as u32).collect());
    }
    if text.starts_with('-') {
        return Err(format!("`{element}`: negative numbers are not allowed"));
    }
    if text == "*" {
        out.all = true;
        return Ok(Vec::new());
    }
    if index == DAY && text == "l" {
        out.calendar = true;
        return Ok(Vec::new());
    }
    let value = alias_value(index, number_or_name(index, element, &text)?);
    if value < u64::from(spec.min) || value > u64::from(spec.max) {
        return Err(out_of_range());
    }
    Ok(vec![value as u32])
}

/// Why no date matches the day of month and month, when none does. Only the case croniter
/// itself fails on: the day of week unrestricted (else either day field may match).
fn never(fields: &[Field]) -> Option<String> {
    let (days, months, weekdays) = (&fields[DAY], &fields[MONTH], &fields[WEEKDAY]);
    if days.all || days.calendar || days.random || days.values.is_empty() || months.all || months.random {
        return None;
    }
    if !(weekdays.all && !weekdays.calendar && weekdays.values.is_empty()) {
        return None;
    }
    let first_day = *days.values.first()?;
    let longest = months.values.iter().map(|m| MONTH_DAYS[*m as usize - 1]).max()?;
    if first_day <= longest {
        return None;
    }
    let names: Vec<&str> = months.values.iter().map(|m| MONTH_NAMES[*m as usize - 1]).collect();
    Some(format!("{} has no day {first_day}", names.join(" or ")))
}

/// The shortest gap between runs that SQLMesh is bound to see, in seconds; None when runs are
/// at least a day apart or the times of day are not known statically.
///
/// SQLMesh takes the smallest of the four gaps after the current time. Every day with a run
/// has the same times of day, so the gaps repeat daily; the gap from one day's last run to the
/// next day's first is counted as long, since the next day may have no run. The schedule fails
/// at any time only when every four consecutive gaps include a short one.
fn shortest_gap(fields: &[Field]) -> Option<u32> {
    // croniter draws `R` values anew for every next-run lookup, so the gaps SQLMesh sees are
    // random too.
    if fields.iter().any(|f| f.random) {
        return None;
    }
    let hours = fields[HOUR].values(&FIELDS[HOUR]);
    let minutes = fields[MINUTE].values(&FIELDS[MINUTE]);
    let seconds = fields.get(SECOND).map_or_else(|| vec![0], |f| f.values(&FIELDS[SECOND]));
    let mut times = Vec::with_capacity(hours.len() * minutes.len() * seconds.len());
    for h in &hours {
        for m in &minutes {
            for s in &seconds {
                times.push(h * 3600 + m * 60 + s);
            }
        }
    }
    let gaps: Vec<u32> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let shortest = *gaps.iter().min()?;
    let long = |g: &u32| *g >= MIN_INTERVAL;
    // Runs of long gaps in the daily cycle, the day boundary being one long gap.
    let inner = gaps.split(|g| !long(g)).map(<[u32]>::len).max().unwrap_or(0);
    let leading = gaps.iter().take_while(|g| long(g)).count();
    let trailing = gaps.iter().rev().take_while(|g| long(g)).count();
    let around_midnight = if leading == gaps.len() { gaps.len() + 1 } else { leading + 1 + trailing };
    (inner.max(around_midnight) < 4).then_some(shortest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(expr: &str) {
        assert_eq!(check_cron(expr), Ok(()), "{expr}");
    }

    fn invalid(expr: &str) {
        assert!(matches!(check_cron(expr), Err(CronError::Invalid(_))), "{expr}: {:?}", check_cron(expr));
    }

    #[test]
    fn accepts_what_croniter_accepts() {
        for expr in [
            "@daily",
            "@DAILY",
            "@midnight",
            "0 6 * * 1-5",
            "0 6 * * MON-FRI",
            "0 6 * * 7",
            "0 6 * * 0-7",
            "0 6 * * sat-sun",
            "0 6 * nov-feb *",
            "0 6 L * *",
            "0 6 1-l * *",
            "0 6 15W * *",
            "0 6 * * 1#2",
            "0 6 * * mon-fri#2",
            "0 6 * * l5",
            "0 6 * * *,1#2",
            "0 6 ? * *",
            "R 6 * * *",
            "R(0-10) 6 * * *",
            "59/15 * * * *",
            "*/5 * * * *",
            "0 6 * * * 0",
            "0 6 * * * 0 2024",
            "0   6 * * *",
            "0 6 31 2 1",
            "0 6 29 2 *",
        ] {
            ok(expr);
        }
    }

    #[test]
    fn rejects_what_croniter_rejects() {
        for expr in [
            "daily",
            "@every 5m",
            "@daily ",
            " @daily",
            "0 6 * *",
            "0 6 * * 8",
            "0 6 * * 5L",
            "H 6 * * *",
            "0 24 * * *",
            "60 6 * * *",
            "0 6 0 * *",
            "0 6 0-5 * *",
            "0 6 * 0 *",
            "0 6 * * * 60",
            "*/0 * * * *",
            "0 6 * * * * 2100",
            "0 6 * * 1#2,3",
            "0 6 15w,1 * *",
            "0 6 * * 1#6",
            "0 6 * * MONDAY",
            "0 -6 * * *",
            "0 6 ? ? ?",
        ] {
            invalid(expr);
        }
    }

    #[test]
    fn too_frequent_and_never() {
        assert_eq!(check_cron("* * * * *"), Err(CronError::TooFrequent(60)));
        assert_eq!(check_cron("*/2 * * * *"), Err(CronError::TooFrequent(120)));
        assert_eq!(check_cron("0,1 6 * * *"), Err(CronError::TooFrequent(60)));
        assert_eq!(check_cron("0 6 * * * */10"), Err(CronError::TooFrequent(10)));
        // Whether SQLMesh fails depends on the time it loads: not reported.
        ok("0,10,20,30,31 * * * *");
        assert!(matches!(check_cron("0 6 31 2 *"), Err(CronError::Never(_))));
        assert!(matches!(check_cron("0 6 31 4,6 *"), Err(CronError::Never(_))));
        assert_eq!(check_cron("0 6 31 2 *").unwrap_err().to_string(), "it never runs (February has no day 31)");
    }
}
