//! The editor's `meshls` settings, read from `workspace/configuration` or
//! `workspace/didChangeConfiguration` (see `docs/configuration.md`).

use crate::analysis::diagnostics::{RuleLevels, parse_level, rule};
use crate::analysis::lineage::HOVER_DEPTH;
use serde_json::Value;

/// What the editor set; every field has the default a client without settings gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `meshls.rules`: rule levels over each project's own configuration.
    pub rules: RuleLevels,
    /// `meshls.hover.lineageDepth`: the levels of a column's lineage trees in hover.
    pub lineage_depth: usize,
    /// `meshls.logLevel`: `error`, `warn`, `info`, `debug` or `trace`; None leaves the level
    /// the server started with.
    pub log_level: Option<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { rules: RuleLevels::default(), lineage_depth: HOVER_DEPTH, log_level: None }
    }
}

const LOG_LEVELS: &[&str] = &["error", "warn", "info", "debug", "trace"];

impl Settings {
    /// Reads the `meshls` section (or an object holding it under `meshls`, as
    /// `didChangeConfiguration` sends it). What is missing or invalid keeps its default; what
    /// is invalid is logged.
    pub fn from_json(value: &Value) -> Settings {
        let section = value.get("meshls").unwrap_or(value);
        let mut settings = Settings::default();
        if let Some(rules) = section.get("rules").and_then(Value::as_object) {
            for (code, level) in rules {
                let parsed = level.as_str().and_then(parse_level);
                match parsed {
                    Some(level) if rule(code).is_some() => settings.rules.0.push((code.clone(), level)),
                    Some(_) => tracing::warn!("meshls.rules: no rule is named {code:?}"),
                    None => tracing::warn!("meshls.rules.{code}: {level} is not error, warning, info, hint or off"),
                }
            }
        }
        if let Some(depth) = section.get("hover").and_then(|h| h.get("lineageDepth")) {
            match depth.as_u64() {
                Some(depth) if depth >= 1 => settings.lineage_depth = depth as usize,
                _ => tracing::warn!("meshls.hover.lineageDepth: {depth} is not an integer of at least 1"),
            }
        }
        match section.get("logLevel").and_then(Value::as_str) {
            Some(level) if LOG_LEVELS.contains(&level) => settings.log_level = Some(level.to_string()),
            Some(level) => tracing::warn!("meshls.logLevel: {level:?} is not one of {}", LOG_LEVELS.join(", ")),
            None => {}
        }
        settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Severity;
    use serde_json::json;

    #[test]
    fn reads_the_section_or_an_object_holding_it() {
        let section = json!({"rules": {"select-star": "error", "missing-start": "off", "nope": "error"},
                             "hover": {"lineageDepth": 5}, "logLevel": "debug"});
        let expected = Settings {
            rules: RuleLevels(vec![
                ("missing-start".to_string(), None),
                ("select-star".to_string(), Some(Severity::Error)),
            ]),
            lineage_depth: 5,
            log_level: Some("debug".to_string()),
        };
        let mut read = Settings::from_json(&section);
        read.rules.0.sort();
        assert_eq!(read, expected);
        let mut wrapped = Settings::from_json(&json!({"meshls": section}));
        wrapped.rules.0.sort();
        assert_eq!(wrapped, expected);
    }

    #[test]
    fn invalid_values_keep_their_defaults() {
        let read = Settings::from_json(&json!({"rules": {"select-star": "loud"}, "hover": {"lineageDepth": 0},
                                               "logLevel": "chatty"}));
        assert_eq!(read, Settings::default());
        assert_eq!(Settings::from_json(&Value::Null), Settings::default());
    }
}
