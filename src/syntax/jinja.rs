//! Jinja in SQL models (`JINJA_QUERY_BEGIN; ... JINJA_END;`), rendered with the project's
//! config variables so that the query's columns and lineage can be read.
//!
//! Rendering a template is not running project code: minijinja interprets the template in
//! its sandbox with `var()` and SQLMesh's date variables only. A template that calls anything
//! else (a project macro, `adapter`, ...) fails to render, and its query stays unknown.

use super::config::ConfigValue;
use minijinja::{Environment, Value};
use std::collections::BTreeMap;

/// Placeholders for SQLMesh's time macro variables: rendering only needs some value.
const TIME_VARIABLES: &[(&str, &str)] = &[
    ("start_ds", "1970-01-01"),
    ("end_ds", "1970-01-01"),
    ("execution_ds", "1970-01-01"),
    ("start_date", "1970-01-01"),
    ("end_date", "1970-01-01"),
    ("execution_date", "1970-01-01"),
    ("start_ts", "1970-01-01 00:00:00"),
    ("end_ts", "1970-01-01 00:00:00"),
    ("execution_ts", "1970-01-01 00:00:00"),
];

/// The `{% macro %} ... {% endmacro %}` definitions of a `macros/*.sql` file, as SQLMesh's
/// `MacroExtractor` keeps them (the rest of the file is not part of any template).
pub fn macro_definitions(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find("{%") {
        let after = &rest[open + 2..];
        let keyword = after.trim_start_matches(['-', '+']).trim_start();
        if !keyword.starts_with("macro ") && !keyword.starts_with("macro\t") {
            rest = after;
            continue;
        }
        let Some(end) = find_endmacro(after) else { break };
        out.push_str(&rest[open..open + 2 + end]);
        out.push('\n');
        rest = &after[end..];
    }
    out
}

/// The offset just past the `{% endmacro %}` tag in `text`.
fn find_endmacro(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find("{%") {
        let tag = from + i;
        let close = tag + text[tag..].find("%}")? + 2;
        let inner = text[tag + 2..close - 2].trim_matches(['-', '+', ' ', '\t', '\n', '\r']);
        if inner == "endmacro" || inner.starts_with("endmacro ") {
            return Some(close);
        }
        from = close;
    }
    None
}

/// Renders `template`; None when it uses what static rendering cannot provide. `macros` are
/// the project's Jinja macro definitions (see [`macro_definitions`]).
pub fn render(template: &str, variables: &[(String, ConfigValue)], macros: &str) -> Option<String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_recursion_limit(64);
    let vars: BTreeMap<String, Value> = variables.iter().map(|(k, v)| (k.to_lowercase(), value(v))).collect();
    env.add_function("var", move |name: String, default: Option<Value>| -> Result<Value, minijinja::Error> {
        match vars.get(&name.to_lowercase()) {
            Some(v) => Ok(v.clone()),
            None => Ok(default.unwrap_or(Value::from(()))),
        }
    });
    let context: BTreeMap<&str, &str> = TIME_VARIABLES.iter().copied().collect();
    if macros.is_empty() {
        return env.render_str(template, context).ok();
    }
    if let Ok(rendered) = env.render_str(&format!("{macros}{template}"), &context) {
        return Some(rendered);
    }
    // A project macro written with Jinja2 features minijinja lacks (`{% do %}`, `list.append`)
    // renders as NULL, so that the rest of the query is still read.
    let names = macro_names(macros);
    let mut patched = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}").map(|c| open + c + 2) else { break };
        let inner = rest[open + 2..close - 2].trim_matches(['-', '+', ' ', '\t', '\n', '\r']);
        let calls_macro =
            names.iter().any(|n| inner.strip_prefix(n.as_str()).is_some_and(|r| r.trim_start().starts_with('(')));
        patched.push_str(&rest[..open]);
        patched.push_str(if calls_macro { "NULL" } else { &rest[open..close] });
        rest = &rest[close..];
    }
    patched.push_str(rest);
    env.render_str(&patched, context).ok()
}

/// The names of the macros `{% macro name(...) %}` defines.
fn macro_names(macros: &str) -> Vec<String> {
    macros
        .split("{%")
        .filter_map(|tag| tag.trim_start_matches(['-', '+']).trim_start().strip_prefix("macro"))
        .filter_map(|rest| {
            let name: String = rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

fn value(config: &ConfigValue) -> Value {
    match config {
        ConfigValue::Str(s) => Value::from(s.as_str()),
        ConfigValue::Number(n) => n
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| n.parse::<f64>().map(Value::from))
            .unwrap_or_else(|_| Value::from(n.as_str())),
        ConfigValue::Bool(b) => Value::from(*b),
        ConfigValue::Null => Value::from(()),
        ConfigValue::List(items) => Value::from(items.iter().map(value).collect::<Vec<_>>()),
        ConfigValue::Map(entries) => {
            Value::from(entries.iter().map(|(k, v)| (k.clone(), value(v))).collect::<BTreeMap<_, _>>())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_loops_and_conditions_over_config_variables() {
        let variables = vec![
            (
                "Bike_Types".to_string(),
                ConfigValue::List(vec![ConfigValue::Str("classic".into()), ConfigValue::Str("cargo".into())]),
            ),
            ("include".to_string(), ConfigValue::Bool(false)),
        ];
        let template = "SELECT {% for t in var('bike_types') %}{{ t }}_n, {% endfor %}1 AS one{% if var('include') %} WHERE x{% endif %} -- {{ start_ds }}";
        assert_eq!(render(template, &variables, "").unwrap(), "SELECT classic_n, cargo_n, 1 AS one -- 1970-01-01");
    }

    #[test]
    fn project_macros_render() {
        let file = "-- helpers\n{% macro twice(x) -%} {{ x }} * 2 {%- endmacro %}\nSELECT 1;\n{%- macro one() %}1{% endmacro -%}";
        let macros = macro_definitions(file);
        assert!(!macros.contains("SELECT 1") && !macros.contains("helpers"), "{macros}");
        assert_eq!(render("SELECT {{ twice('a') }}, {{ one() }}", &[], &macros).unwrap(), "SELECT a * 2, 1");
        // A macro minijinja cannot run renders as NULL; the rest of the query still renders.
        let jinja2_only = "{% macro h(cs) %}{% do cs.append(1) %}{% endmacro %}";
        assert_eq!(
            render("SELECT {{ h(['a']) }} AS x, {{ 1 + 1 }} AS y", &[], jinja2_only).unwrap(),
            "SELECT NULL AS x, 2 AS y"
        );
    }

    #[test]
    fn unknown_functions_do_not_render() {
        assert_eq!(render("SELECT {{ my_macro() }}", &[], ""), None);
        assert_eq!(render("SELECT {{ undefined_variable }}", &[], ""), None);
    }
}
