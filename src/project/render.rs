//! SQLMesh's load-time rendering of macro variables, done statically where the values are
//! known: `@var`, `@{var}` and `@VAR('var'[, default])` in model names, table names and
//! properties, with the file's `@DEF`s and blueprint variables first, then the project's
//! variables (the default gateway's over the project's, and `@gateway`).
//!
//! SQLMesh renders the `MODEL` block as SQL and reads the name back, so a rendered name is
//! normalized again: a blueprint value `"Quoted"` names the model `quoted.e` in DuckDB, and a
//! string value `'temp'` gives the bare part `temp`.

use super::facts::Settings;
use crate::syntax::config::ConfigValue;

/// Where macro variables are looked up: the model's own (its `@DEF`s and blueprint variables,
/// names lowercased, values as written in SQL) before the project's.
pub struct Variables<'a> {
    pub settings: &'a Settings,
    pub local: &'a [(String, String)],
}

impl Variables<'_> {
    /// The text a variable renders to, or None when it has no statically known value.
    pub fn get(&self, name: &str) -> Option<String> {
        if let Some((_, value)) = self.local.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return Some(sql_value_text(value));
        }
        let (_, value) = self.settings.variables.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))?;
        config_value_text(value)
    }

    /// `text` with every macro variable replaced by its value; None when one has no known value
    /// or a macro call other than `@VAR` is in the way.
    pub fn render(&self, text: &str) -> Option<String> {
        if !text.contains('@') {
            return Some(text.to_string());
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('@') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            if let Some(inner) = after.strip_prefix('{') {
                let close = inner.find('}')?;
                out.push_str(&self.get(inner[..close].trim())?);
                rest = &inner[close + 1..];
                continue;
            }
            let len = after.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(after.len());
            if len == 0 {
                return None;
            }
            let (name, tail) = after.split_at(len);
            if let Some(args) = tail.strip_prefix('(') {
                if !name.eq_ignore_ascii_case("var") {
                    return None;
                }
                let close = args.find(')')?;
                out.push_str(&self.var_call(&args[..close])?);
                rest = &args[close + 1..];
            } else {
                out.push_str(&self.get(name)?);
                rest = tail;
            }
        }
        out.push_str(rest);
        Some(out)
    }

    /// `@VAR('name')` or `@VAR('name', default)`: the variable, else the default.
    fn var_call(&self, args: &str) -> Option<String> {
        let (name, default) = match args.split_once(',') {
            Some((name, default)) => (name, Some(default.trim())),
            None => (args, None),
        };
        let name = name.trim().trim_matches(['\'', '"']);
        self.get(name).or_else(|| default.map(sql_value_text))
    }
}

/// A SQL value as it renders into a name: a string's or quoted identifier's content, else
/// the text itself.
fn sql_value_text(value: &str) -> String {
    let value = value.trim();
    for quote in ['\'', '"', '`'] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            let doubled: String = [quote, quote].iter().collect();
            return value[1..value.len() - 1].replace(&doubled, &quote.to_string());
        }
    }
    value.to_string()
}

/// A config variable as it renders: strings and numbers as their text, booleans as SQL's.
fn config_value_text(value: &ConfigValue) -> Option<String> {
    match value {
        ConfigValue::Str(s) | ConfigValue::Number(s) => Some(s.clone()),
        ConfigValue::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            variables: vec![
                ("schema".to_string(), ConfigValue::Str("analytics".to_string())),
                ("n".to_string(), ConfigValue::Number("3".to_string())),
            ],
            ..Settings::default()
        }
    }

    #[test]
    fn renders_variables_in_every_spelling() {
        let settings = settings();
        let local = [("bp".to_string(), "'temp'".to_string()), ("c".to_string(), "\"Quoted\"".to_string())];
        let vars = Variables { settings: &settings, local: &local };
        for (text, rendered) in [
            ("@schema.orders", Some("analytics.orders")),
            ("@{schema}.b_@{n}", Some("analytics.b_3")),
            ("@VAR('schema').c", Some("analytics.c")),
            ("@var('missing', 'dflt').c", Some("dflt.c")),
            ("@bp.e", Some("temp.e")),
            ("@c.e", Some("Quoted.e")),
            ("plain.name", Some("plain.name")),
            ("@missing.x", None),
            ("@other_macro(1).x", None),
            ("@{unclosed.x", None),
        ] {
            assert_eq!(vars.render(text).as_deref(), rendered, "{text}");
        }
    }
}
