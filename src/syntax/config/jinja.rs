//! Jinja in a YAML config, masked before the YAML parser sees it.

use std::borrow::Cow;
use std::ops::Range;

/// `text` with Jinja blanked out at the same byte length, newlines kept: `{{ ... }}` becomes
/// `_`s (so it still reads as a scalar), tags and comments become spaces, and so does every
/// `{% elif %}`/`{% else %}` branch after the first of an `{% if %}` (static reading assumes
/// the first branch; keeping all would duplicate keys). Also returns the ranges of the
/// `{{ ... }}` expressions that were kept.
pub(super) fn mask_jinja(text: &str) -> (Cow<'_, str>, Vec<Range<usize>>) {
    if !text.contains("{{") && !text.contains("{%") && !text.contains("{#") {
        return (Cow::Borrowed(text), Vec::new());
    }
    let src = text.as_bytes();
    let mut bytes = src.to_vec();
    let mut ranges = Vec::new();
    // For each open `{% if %}`: whether a later branch (elif/else) is being read.
    let mut ifs: Vec<bool> = Vec::new();
    let blank = |bytes: &mut [u8], r: Range<usize>, fill: u8| {
        for b in &mut bytes[r] {
            if *b != b'\n' && *b != b'\r' {
                *b = fill;
            }
        }
    };
    let mut i = 0;
    let mut plain_from = 0;
    while i + 1 < src.len() {
        let close: &[u8] = match (src[i], src[i + 1]) {
            (b'{', b'{') => b"}}",
            (b'{', b'%') => b"%}",
            (b'{', b'#') => b"#}",
            _ => {
                i += 1;
                continue;
            }
        };
        let Some(len) = src[i + 2..].windows(2).position(|w| w == close) else {
            break;
        };
        let end = i + 2 + len + 2;
        let skipping = ifs.iter().any(|&later| later);
        if skipping {
            blank(&mut bytes, plain_from..i, b' ');
        }
        if close == b"%}" {
            let inner = text.get(i + 2..end - 2).unwrap_or("");
            let keyword = inner.trim_start_matches(['-', '+']).split_whitespace().next().unwrap_or("");
            match keyword {
                "if" => ifs.push(false),
                "elif" | "else" => {
                    if let Some(later) = ifs.last_mut() {
                        *later = true;
                    }
                }
                "endif" => {
                    ifs.pop();
                }
                _ => {}
            }
        }
        if close == b"}}" && !skipping {
            blank(&mut bytes, i..end, b'_');
            ranges.push(i..end);
        } else {
            blank(&mut bytes, i..end, b' ');
        }
        i = end;
        plain_from = end;
    }
    if ifs.iter().any(|&later| later) {
        blank(&mut bytes, plain_from..src.len(), b' ');
    }
    match String::from_utf8(bytes) {
        Ok(s) => (Cow::Owned(s), ranges),
        Err(_) => (Cow::Borrowed(text), Vec::new()),
    }
}

/// A templated config value rendered as SQLMesh renders config.yaml: `env_var(name, default)`
/// reads meshls's own environment (the one the user runs SQLMesh in). None when the template
/// uses anything else, or an environment variable that is unset and has no default, so that
/// the value stays unknown rather than guessed.
pub(super) fn render_value(template: &str) -> Option<String> {
    use minijinja::{Environment, Error, ErrorKind, Value};
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_recursion_limit(16);
    env.add_function("env_var", |name: String, default: Option<Value>| -> Result<Value, Error> {
        match (std::env::var(&name), default) {
            (Ok(value), _) => Ok(Value::from(value)),
            (Err(_), Some(default)) => Ok(default),
            (Err(_), None) => Err(Error::new(ErrorKind::UndefinedError, format!("{name} is not set"))),
        }
    });
    env.render_str(template, ()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jinja_is_masked_at_the_same_length() {
        let text = "a: {{ x }}\n{% if y %}\nb: 1\n{% else %}\nb: 2\n{% endif %}\nc: 'é{# c #}'\n";
        let (masked, ranges) = mask_jinja(text);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked, "a: _______\n          \nb: 1\n          \n    \n           \nc: 'é       '\n");
        assert_eq!(ranges, vec![Range { start: 3, end: 10 }]);
    }
}
