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

/// Renders `template`; None when it uses what static rendering cannot provide.
pub fn render(template: &str, variables: &[(String, ConfigValue)]) -> Option<String> {
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
    env.render_str(template, context).ok()
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
        assert_eq!(render(template, &variables).unwrap(), "SELECT classic_n, cargo_n, 1 AS one -- 1970-01-01");
    }

    #[test]
    fn unknown_functions_do_not_render() {
        assert_eq!(render("SELECT {{ my_macro() }}", &[]), None);
        assert_eq!(render("SELECT {{ undefined_variable }}", &[]), None);
    }
}
