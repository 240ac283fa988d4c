//! Python expressions written as `ruff format` leaves them: on one line when that line fits in
//! 88 columns, else one element per line with a trailing comma (the "magic trailing comma",
//! which keeps ruff from joining them back); strings in double quotes unless the text holds
//! more double quotes than single ones.

/// The line length `ruff format` keeps to by default.
pub const LINE_LENGTH: usize = 88;

/// A Python expression.
#[derive(Debug, Clone)]
pub enum Py {
    /// Written as it is: a name, a number, `True`, `None`.
    Raw(String),
    Str(String),
    /// `callee(args...)`.
    Call(String, Vec<Arg>),
    List(Vec<Py>),
    /// At least two items (a one-item tuple would need its own trailing comma).
    Tuple(Vec<Py>),
    /// At least one item (`{}` is a dict).
    Set(Vec<Py>),
    /// Keys are expressions too (strings, most often).
    Dict(Vec<(Py, Py)>),
}

/// One argument of a call.
#[derive(Debug, Clone)]
pub enum Arg {
    Pos(Py),
    Kw(&'static str, Py),
}

impl Py {
    pub fn str(text: impl Into<String>) -> Py {
        Py::Str(text.into())
    }

    pub fn raw(text: impl Into<String>) -> Py {
        Py::Raw(text.into())
    }

    pub fn call(callee: &str, args: Vec<Arg>) -> Py {
        Py::Call(callee.to_string(), args)
    }

    /// `["a", "b"]`.
    pub fn strs<S: AsRef<str>>(items: &[S]) -> Py {
        Py::List(items.iter().map(|s| Py::str(s.as_ref())).collect())
    }

    /// `None` or the string.
    pub fn opt_str(text: Option<&str>) -> Py {
        text.map_or_else(|| Py::raw("None"), Py::str)
    }
}

/// Writes `prefix` + the expression + `suffix` at `indent` spaces, then a newline.
pub fn write(out: &mut String, indent: usize, prefix: &str, expr: &Py, suffix: &str) {
    let budget = LINE_LENGTH.saturating_sub(indent + prefix.chars().count() + suffix.chars().count());
    let one_line = fits(expr, budget);
    let (open, close, items) = match expr {
        Py::Call(callee, args) if !args.is_empty() => ("(", ")", Items::Args(callee, args)),
        Py::List(items) if !items.is_empty() => ("[", "]", Items::List(items)),
        Py::Tuple(items) if !items.is_empty() => ("(", ")", Items::List(items)),
        Py::Set(items) if !items.is_empty() => ("{", "}", Items::List(items)),
        Py::Dict(items) if !items.is_empty() => ("{", "}", Items::Dict(items)),
        _ => ("", "", Items::None),
    };
    if let Some(one_line) = one_line.or_else(|| matches!(items, Items::None).then(|| flat(expr))) {
        push_line(out, indent, &format!("{prefix}{one_line}{suffix}"));
        return;
    }
    let head = match items {
        Items::Args(callee, _) => format!("{prefix}{callee}{open}"),
        _ => format!("{prefix}{open}"),
    };
    push_line(out, indent, &head);
    let inner = indent + 4;
    match items {
        Items::Args(_, args) => {
            for arg in args {
                match arg {
                    Arg::Pos(value) => write(out, inner, "", value, ","),
                    Arg::Kw(name, value) => write(out, inner, &format!("{name}="), value, ","),
                }
            }
        }
        Items::List(values) => {
            for value in values {
                write(out, inner, "", value, ",");
            }
        }
        Items::Dict(entries) => {
            for (key, value) in entries {
                write(out, inner, &format!("{}: ", flat(key)), value, ",");
            }
        }
        Items::None => {}
    }
    push_line(out, indent, &format!("{close}{suffix}"));
}

enum Items<'a> {
    Args(&'a str, &'a [Arg]),
    List(&'a [Py]),
    Dict(&'a [(Py, Py)]),
    None,
}

fn push_line(out: &mut String, indent: usize, text: &str) {
    out.extend(std::iter::repeat_n(' ', indent));
    out.push_str(text);
    out.push('\n');
}

/// The expression on one line when it takes at most `budget` columns. Gives up as soon as it
/// is longer, so that a large literal is not written out once per level of nesting.
fn fits(expr: &Py, budget: usize) -> Option<String> {
    if width_at_least(expr, budget + 1) > budget {
        return None;
    }
    Some(flat(expr))
}

/// The expression's width on one line, counted until it passes `limit`.
fn width_at_least(expr: &Py, limit: usize) -> usize {
    let items = |items: &mut dyn Iterator<Item = usize>, open: usize| {
        let mut width = open;
        for (i, w) in items.enumerate() {
            width += w + if i > 0 { 2 } else { 0 };
            if width > limit {
                return width;
            }
        }
        width
    };
    match expr {
        Py::Raw(text) => text.chars().count(),
        Py::Str(text) => string_width(text),
        Py::Call(callee, args) => items(
            &mut args.iter().map(|a| match a {
                Arg::Pos(value) => width_at_least(value, limit),
                Arg::Kw(name, value) => name.len() + 1 + width_at_least(value, limit),
            }),
            callee.chars().count() + 2,
        ),
        Py::List(values) | Py::Tuple(values) | Py::Set(values) => {
            items(&mut values.iter().map(|v| width_at_least(v, limit)), 2)
        }
        Py::Dict(entries) => {
            items(&mut entries.iter().map(|(k, v)| width_at_least(k, limit) + 2 + width_at_least(v, limit)), 2)
        }
    }
}

/// The width of [`string`]'s literal for `text`, without writing it.
fn string_width(text: &str) -> usize {
    let doubles = text.matches('"').count();
    let singles = text.matches('\'').count();
    let escaped_quotes = if doubles > singles { singles } else { doubles };
    let escapes: usize = text
        .chars()
        .map(|c| match c {
            '\\' | '\n' | '\r' | '\t' => 1,
            c if (c as u32) < 0x20 || c == '\u{7f}' => 3,
            _ => 0,
        })
        .sum();
    text.chars().count() + escaped_quotes + escapes + 2
}

/// The expression on one line.
pub fn flat(expr: &Py) -> String {
    match expr {
        Py::Raw(text) => text.clone(),
        Py::Str(text) => string(text),
        Py::Call(callee, args) => {
            let args: Vec<String> = args
                .iter()
                .map(|a| match a {
                    Arg::Pos(value) => flat(value),
                    Arg::Kw(name, value) => format!("{name}={}", flat(value)),
                })
                .collect();
            format!("{callee}({})", args.join(", "))
        }
        Py::List(items) => format!("[{}]", items.iter().map(flat).collect::<Vec<_>>().join(", ")),
        Py::Tuple(items) => format!("({})", items.iter().map(flat).collect::<Vec<_>>().join(", ")),
        Py::Set(items) => format!("{{{}}}", items.iter().map(flat).collect::<Vec<_>>().join(", ")),
        Py::Dict(items) => {
            let entries: Vec<String> = items.iter().map(|(k, v)| format!("{}: {}", flat(k), flat(v))).collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

/// A string literal as ruff writes it: double quotes unless the text holds more double
/// quotes than single ones; backslashes, the chosen quote and control characters escaped.
pub fn string(text: &str) -> String {
    let doubles = text.matches('"').count();
    let singles = text.matches('\'').count();
    let quote = if doubles > singles { '\'' } else { '"' };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_lines() {
        assert_eq!(string("a"), "\"a\"");
        assert_eq!(string("say \"hi\""), "'say \"hi\"'");
        assert_eq!(string("it's \"x\" 'y'"), "\"it's \\\"x\\\" 'y'\"");
        assert_eq!(string("a\\b\nc"), "\"a\\\\b\\nc\"");
        for text in ["a", "say \"hi\"", "it's \"x\" 'y'", "a\\b\nc\u{1}", "é"] {
            assert_eq!(string_width(text), string(text).chars().count(), "{text}");
        }
        let mut out = String::new();
        let call = Py::call("f", vec![Arg::Pos(Py::str("x")), Arg::Kw("k", Py::List(vec![]))]);
        write(&mut out, 0, "y = ", &call, "");
        assert_eq!(out, "y = f(\"x\", k=[])\n");
        let mut out = String::new();
        let long = Py::List((0..30).map(|i| Py::raw(i.to_string())).collect());
        write(&mut out, 0, "y = ", &long, "");
        assert!(out.starts_with("y = [\n    0,\n    1,\n"), "{out}");
        assert!(out.ends_with("    29,\n]\n"), "{out}");
    }
}
