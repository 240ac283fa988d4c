//! Checks the tables against SQLMesh: every kind is present, names are unique, lookups are
//! case-insensitive and follow aliases, docs are one line.

use super::*;
use std::collections::HashSet;

fn assert_unique<'a>(what: &str, names: impl IntoIterator<Item = &'a str>) {
    let mut seen = HashSet::new();
    for name in names {
        assert!(seen.insert(name.to_ascii_lowercase()), "{what}: duplicate {name}");
    }
}

fn property_names(properties: &[PropertySpec]) -> impl Iterator<Item = &str> {
    properties.iter().flat_map(|p| std::iter::once(p.name).chain(p.aliases.iter().copied()))
}

#[test]
fn every_kind_sqlmesh_defines_is_present() {
    // `ModelKindName` in sqlmesh/core/model/kind.py.
    let expected = [
        "INCREMENTAL_BY_TIME_RANGE",
        "INCREMENTAL_BY_UNIQUE_KEY",
        "INCREMENTAL_BY_PARTITION",
        "INCREMENTAL_UNMANAGED",
        "FULL",
        "SCD_TYPE_2",
        "SCD_TYPE_2_BY_TIME",
        "SCD_TYPE_2_BY_COLUMN",
        "VIEW",
        "EMBEDDED",
        "SEED",
        "EXTERNAL",
        "CUSTOM",
        "MANAGED",
        "DBT_CUSTOM",
    ];
    for name in expected {
        assert!(kind(name).is_some(), "missing kind {name}");
    }
    assert_eq!(MODEL_KINDS.len(), expected.len());
}

#[test]
fn names_are_unique() {
    assert_unique("kinds", MODEL_KINDS.iter().map(|k| k.name));
    for k in MODEL_KINDS {
        assert_unique(k.name, property_names(k.properties));
    }
    assert_unique("model properties", property_names(MODEL_PROPERTIES));
    assert_unique("audit properties", property_names(AUDIT_PROPERTIES));
    assert_unique("dialects", DIALECTS.iter().map(|d| d.name));
    assert_unique("macro variables", MACRO_VARIABLES.iter().map(|v| v.name));
    assert_unique("macros", BUILTIN_MACROS.iter().map(|m| m.name));
    assert_unique("audits", BUILTIN_AUDITS.iter().map(|a| a.name));
    assert_unique("cron aliases", CRON_ALIASES.iter().map(|(a, _)| *a));
}

#[test]
fn kind_lookup_is_case_insensitive() {
    assert_eq!(kind("full").map(|k| k.name), Some("FULL"));
    assert_eq!(kind("Incremental_By_Time_Range").map(|k| k.name), Some("INCREMENTAL_BY_TIME_RANGE"));
    assert!(kind("INCREMENTAL").is_none());
    let scd = kind("scd_type_2").unwrap();
    assert_eq!(scd.alias_of, Some("SCD_TYPE_2_BY_TIME"));
    let target = kind(scd.alias_of.unwrap()).unwrap();
    assert!(std::ptr::eq(scd.properties, target.properties));
}

#[test]
fn kind_properties() {
    let ibtr = kind("INCREMENTAL_BY_TIME_RANGE").unwrap();
    let time_column = ibtr.property("TIME_COLUMN").unwrap();
    assert!(time_column.required);
    assert_eq!(time_column.shape, ValueShape::TimeColumn);
    assert!(ibtr.property("unique_key").is_none());
    assert!(kind("INCREMENTAL_BY_UNIQUE_KEY").unwrap().property("unique_key").unwrap().required);
    assert!(kind("SEED").unwrap().property("path").unwrap().required);
    assert!(kind("CUSTOM").unwrap().property("materialization").unwrap().required);
    assert!(kind("SCD_TYPE_2_BY_COLUMN").unwrap().property("columns").unwrap().required);
    assert!(kind("INCREMENTAL_BY_PARTITION").unwrap().property("forward_only").is_none());
    assert!(kind("FULL").unwrap().properties.is_empty());
    assert!(!kind("VIEW").unwrap().time_range_variables);
    assert!(!kind("FULL").unwrap().time_range_variables);
    assert!(!kind("VIEW").unwrap().python_models);
}

#[test]
fn incremental_matches_sqlmesh() {
    let incremental: Vec<_> = MODEL_KINDS.iter().filter(|k| k.incremental).map(|k| k.name).collect();
    assert_eq!(
        incremental,
        [
            "INCREMENTAL_BY_TIME_RANGE",
            "INCREMENTAL_BY_UNIQUE_KEY",
            "INCREMENTAL_BY_PARTITION",
            "INCREMENTAL_UNMANAGED",
            "SCD_TYPE_2",
            "SCD_TYPE_2_BY_TIME",
            "SCD_TYPE_2_BY_COLUMN",
        ]
    );
}

#[test]
fn model_property_lookup_follows_aliases() {
    assert_eq!(model_property("grain").map(|p| p.name), Some("grains"));
    assert_eq!(model_property("TABLE_PROPERTIES").map(|p| p.name), Some("physical_properties"));
    assert!(model_property("name").unwrap().required);
    assert_eq!(model_property("Cron").unwrap().shape, ValueShape::Cron);
    assert!(model_property("default_catalog").is_none());
    assert!(model_property("time_column").is_none());
    assert!(audit_property("standalone").is_some());
}

#[test]
fn dialect_lookup() {
    assert_eq!(dialect("DuckDB").unwrap().normalization, Normalization::CaseInsensitive);
    assert_eq!(dialect("snowflake").unwrap().normalization, Normalization::Uppercase);
    assert_eq!(dialect("bigquery").unwrap().normalization, Normalization::BigQuery);
    assert_eq!(dialect("postgres").unwrap().parser, ParserDialect::Postgres);
    assert_eq!(dialect("snowflake, normalization_strategy = case_sensitive").unwrap().name, "snowflake");
    assert!(dialect("").is_none());
    assert!(dialect("postgresql").is_none());
    assert_eq!(DEFAULT_DIALECT.normalization, Normalization::Lowercase);
}

#[test]
fn macro_variable_lookup() {
    let start_ds = macro_variable("start_ds").unwrap();
    assert_eq!(start_ds.bound, Some(TimeBound::Start));
    assert_eq!(start_ds.family, Some("ds"));
    assert_eq!(macro_variable("@END_MILLIS").unwrap().bound, Some(TimeBound::End));
    assert_eq!(macro_variable("execution_ts").unwrap().bound, None);
    assert!(macro_variable("this_model").unwrap().family.is_none());
    assert!(macro_variable("start_hive").is_none());
    // Every family exists for every prefix.
    for prefix in ["start", "end", "execution", "latest"] {
        for family in ["dt", "dtntz", "date", "ds", "ts", "tstz", "epoch", "millis", "hour"] {
            let v = macro_variable(&format!("{prefix}_{family}")).unwrap();
            assert_eq!(v.family, Some(family));
        }
    }
}

#[test]
fn macro_audit_and_cron_lookup() {
    assert_eq!(builtin_macro("@each").unwrap().name, "EACH");
    assert!(builtin_macro("group_by").is_some());
    assert!(builtin_macro("my_macro").is_none());
    assert_eq!(builtin_audit("NOT_NULL_NON_BLOCKING").unwrap().name, "not_null");
    assert!(builtin_audit("my_audit").is_none());
    assert_eq!(cron_alias("@DAILY"), Some("0 0 * * *"));
    assert_eq!(cron_alias("@weekly"), Some("0 0 * * 0"));
    assert_eq!(cron_alias("daily"), None);
}

#[test]
fn docs_are_one_liners() {
    let docs = MODEL_KINDS
        .iter()
        .map(|k| k.doc)
        .chain(MODEL_KINDS.iter().flat_map(|k| k.properties.iter().map(|p| p.doc)))
        .chain(MODEL_PROPERTIES.iter().map(|p| p.doc))
        .chain(AUDIT_PROPERTIES.iter().map(|p| p.doc))
        .chain(MACRO_VARIABLES.iter().map(|v| v.doc))
        .chain(BUILTIN_MACROS.iter().map(|m| m.doc))
        .chain(BUILTIN_AUDITS.iter().map(|a| a.doc));
    for doc in docs {
        assert!(!doc.is_empty() && !doc.contains('\n'), "bad doc: {doc:?}");
    }
}
