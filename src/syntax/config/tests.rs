use super::*;
use crate::syntax::span::Severity;

const YAML: &str = r#"# Café project — non-ASCII before the values checks byte offsets.
gateways:
  Local:
    connection:
      type: duckdb
      database: data/local.duckdb
  warehouse:
    connection:
      type: snowflake
      account: abc
      database: ANALYTICS
  memory_only:
    connection:
      type: duckdb
  attached:
    connection:
      type: duckdb
      catalogs:
        persistent: 'local.duckdb'
        other: 'other.duckdb'
  no_connection:
    state_schema: x

default_gateway: local

default_connection:
  type: postgres
  database: pg_db

model_defaults:
  dialect: "duckdb"
  start: 2024-01-01
  cron: '@daily'
  kind: full
  owner: ana
  batch_concurrency: 4

variables:
  Region: eu
  limits: [1, 2.5, true, null]
  nested: {a: {b: c}}

linter:
  enabled: true
  rules: ["AmbiguousOrInvalidColumn", invalidselectstarexpansion]
  warn_rules: ALL
  ignored_rules: []

project: repo_a
"#;

#[test]
fn yaml_config() {
    let c = parse_config_yaml(YAML);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let dialect = c.model_defaults.dialect.as_ref().unwrap();
    assert_eq!(dialect.value, "duckdb");
    assert_eq!(dialect.span.text(YAML), "\"duckdb\"");
    assert_eq!(c.model_defaults.start.as_ref().unwrap().span.text(YAML), "2024-01-01");
    assert_eq!(c.model_defaults.cron.as_ref().unwrap().value, "@daily");
    assert_eq!(c.model_defaults.kind.as_ref().map(|k| k.value.as_str()), Some("FULL"));
    assert_eq!(c.model_defaults.owner.as_deref(), Some("ana"));
    assert_eq!(c.model_defaults.other, [("batch_concurrency".to_string(), ConfigValue::Number("4".into()))]);
    let gateways: Vec<(&str, Option<&str>, Option<&str>)> =
        c.gateways.iter().map(|g| (g.name.as_str(), g.connection_type.as_deref(), g.catalog.as_deref())).collect();
    assert_eq!(
        gateways,
        [
            ("local", Some("duckdb"), Some("local")),
            ("warehouse", Some("snowflake"), Some("ANALYTICS")),
            ("memory_only", Some("duckdb"), Some("memory")),
            ("attached", Some("duckdb"), Some("persistent")),
            ("no_connection", Some("postgres"), Some("pg_db")),
        ]
    );
    assert_eq!(c.default_gateway.as_deref(), Some("local"));
    assert_eq!(c.default_catalog(), Some("local"));
    assert_eq!(c.variables[0], ("region".to_string(), ConfigValue::Str("eu".into())));
    assert_eq!(
        c.variables[1].1,
        ConfigValue::List(vec![
            ConfigValue::Number("1".into()),
            ConfigValue::Number("2.5".into()),
            ConfigValue::Bool(true),
            ConfigValue::Null
        ])
    );
    assert!(c.linter.enabled);
    assert_eq!(c.linter.rules, ["ambiguousorinvalidcolumn", "invalidselectstarexpansion"]);
    assert_eq!(c.linter.warn_rules, ["all"]);
    assert!(c.linter.ignored_rules.is_empty());
    assert_eq!(c.project.as_deref(), Some("repo_a"));
}

#[test]
fn default_gateway_falls_back_to_first() {
    let c = parse_config_yaml(
        "gateways:\n  b:\n    connection:\n      type: bigquery\n      project: my-proj\n  a:\n    connection: {type: mysql, database: x}\n",
    );
    assert_eq!(c.default_catalog(), Some("my-proj"));
    assert_eq!(c.gateways[1].catalog, None);
    let c = parse_config_yaml(
        "gateways:\n  a:\n    connection: {type: duckdb, database: ':memory:'}\ndefault_gateway: missing\n",
    );
    assert_eq!(c.gateways[0].catalog.as_deref(), Some("memory"));
    assert_eq!(c.default_catalog(), None);
    // SQLMesh refuses a default gateway that does not exist.
    assert_eq!(
        c.diagnostics[0]
            .span
            .text("gateways:\n  a:\n    connection: {type: duckdb, database: ':memory:'}\ndefault_gateway: missing\n"),
        "missing"
    );
}

#[test]
fn yaml_syntax_error_is_located_in_bytes() {
    let text = "model_defaults:\n  owner: \"é\"\n  dialect: [duckdb\n";
    let c = parse_config_yaml(text);
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    let d = &c.diagnostics[0];
    assert_eq!((d.code, d.severity), ("yaml-syntax", Severity::Error));
    // The error is reported at the end of the unclosed flow sequence, past the `é`.
    assert_eq!(d.span.start as usize, text.len());
    let c = parse_config_yaml("a: b: c\nü: 1\n");
    assert_eq!(c.diagnostics[0].span.text("a: b: c\nü: 1\n"), ":");
}

#[test]
fn yaml_oddities_never_panic() {
    for text in [
        "",
        "# only a comment\n",
        "~",
        "- a\n- b\n",
        "gateways: 3\n",
        "linter: {enabled: yes-ish}\n",
        "\t\tx: [\n",
        "&a [*a]",
        "? [a, b]\n: c\n",
    ] {
        let c = parse_config_yaml(text);
        assert!(c.gateways.is_empty(), "{text}");
    }
    let c = parse_config_yaml("gateways: 3\n");
    assert_eq!(c.diagnostics[0].code, "config");
    let deep = "- ".repeat(100_000) + "x\n";
    assert_eq!(parse_config_yaml(&deep).diagnostics[0].code, "yaml-syntax");
    let deep_flow = "a: ".to_string() + &"[".repeat(300) + &"]".repeat(300);
    assert_eq!(parse_config_yaml(&deep_flow).diagnostics.len(), 1);
    let indented: String = (0..2000).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
    assert_eq!(parse_config_yaml(&indented).diagnostics.len(), 1);
    // Every prefix of a real file: the states of a file being typed.
    for end in (0..=YAML.len()).filter(|&i| YAML.is_char_boundary(i)) {
        let _ = parse_config_yaml(&YAML[..end]);
    }
}

#[test]
fn yaml_with_jinja() {
    let text = "gateways:\n  prod:\n    connection:\n      type: snowflake\n      database: \"{{ env_var('SNOWFLAKE_DB') }}\"\n{% if true %}\nmodel_defaults:\n  dialect: {{ env_var('DIALECT', 'duckdb') }}\n{% endif %}\n";
    let c = parse_config_yaml(text);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.gateways[0].catalog, None);
    let dialect = c.model_defaults.dialect.unwrap();
    // Rendered as SQLMesh renders it: DIALECT is unset here, so the default.
    assert_eq!(dialect.value, "duckdb");
    assert_eq!(dialect.span.text(text), "{{ env_var('DIALECT', 'duckdb') }}");
}

const PY: &str = r#"import os
from sqlmesh.core.config import (
    Config,
    GatewayConfig,
    DuckDBConnectionConfig,
    LinterConfig,
    ModelDefaultsConfig,
)

DIALECT = "duckdb"

defaults = ModelDefaultsConfig(dialect=DIALECT, start="2024-01-01", cron="@hourly", kind=ModelKindName.VIEW)

config = Config(
    model_defaults=defaults,
    default_gateway="Local",
    gateways={
        "local": GatewayConfig(connection=DuckDBConnectionConfig(database="db/warehouse.db")),
        "pg": GatewayConfig(connection={"type": "postgres", "database": "pg"}),
    },
    variables={"Limit": 10, "names": ["a", "b"]},
    linter=LinterConfig(enabled=True, rules="ALL", ignored_rules=["noselectstar"]),
    project="proj",
)
"#;

#[test]
fn py_config_literal() {
    let c = parse_config_py(PY);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let dialect = c.model_defaults.dialect.as_ref().unwrap();
    assert_eq!((dialect.value.as_str(), dialect.span.text(PY)), ("duckdb", "\"duckdb\""));
    assert_eq!(c.model_defaults.start.as_ref().unwrap().value, "2024-01-01");
    assert_eq!(c.model_defaults.cron.as_ref().unwrap().value, "@hourly");
    assert_eq!(c.model_defaults.kind.as_ref().unwrap().value, "VIEW");
    let gateways: Vec<(&str, Option<&str>, Option<&str>)> =
        c.gateways.iter().map(|g| (g.name.as_str(), g.connection_type.as_deref(), g.catalog.as_deref())).collect();
    assert_eq!(gateways, [("local", Some("duckdb"), Some("warehouse")), ("pg", Some("postgres"), Some("pg"))]);
    assert_eq!(c.default_catalog(), Some("warehouse"));
    assert_eq!(c.variables[0], ("limit".to_string(), ConfigValue::Number("10".into())));
    assert_eq!(
        c.linter,
        LinterConfig {
            enabled: true,
            rules: vec!["all".into()],
            warn_rules: vec![],
            ignored_rules: vec!["noselectstar".into()]
        }
    );
    assert_eq!(c.project.as_deref(), Some("proj"));
}

#[test]
fn py_config_non_literal() {
    let text = "import os\nfrom sqlmesh.core.config import Config, GatewayConfig, SnowflakeConnectionConfig, ModelDefaultsConfig\n\nconfig = Config(\n    model_defaults=ModelDefaultsConfig(dialect=os.environ['DIALECT']),\n    gateways=GatewayConfig(connection=SnowflakeConnectionConfig(account='x', database=get_db(), password=os.environ['PW'])),\n    variables={'a': 1, 'b': compute()},\n)\n";
    let c = parse_config_py(text);
    assert_eq!(c.gateways.len(), 1);
    assert_eq!((c.gateways[0].name.as_str(), c.gateways[0].connection_type.as_deref()), ("", Some("snowflake")));
    assert_eq!(c.default_catalog(), None);
    assert_eq!(c.variables.len(), 1);
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    let d = &c.diagnostics[0];
    assert_eq!((d.code, d.severity), ("config-py", Severity::Info));
    assert!(d.message.contains("model_defaults.dialect, gateways.connection.database, variables.b"), "{}", d.message);
    assert_eq!(d.span.text(text), "os.environ['DIALECT']");
}

#[test]
fn py_config_without_config_variable() {
    let c = parse_config_py("");
    assert_eq!(c.diagnostics[0].code, "config-py");
    let c = parse_config_py("from sqlmesh.core.config import Config\nmy_config = Config(project='p')\n");
    assert_eq!(c.project.as_deref(), Some("p"));
    assert_eq!(c.diagnostics[0].severity, Severity::Warning);
    let c = parse_config_py("config = load_config()\n");
    assert_eq!(c.diagnostics[0].span.text("config = load_config()\n"), "load_config()");
}

#[test]
fn yaml_jinja_branches_and_alias_bombs() {
    let text = "gateways:\n  prod: {}\n  dev: {}\n{% if env_var('PROD') %}\ndefault_gateway: prod\n{% else %}\ndefault_gateway: dev\n{% endif %}\n";
    let c = parse_config_yaml(text);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.default_gateway.as_deref(), Some("prod"));
    // Chained anchors would nest far deeper than the text shows.
    let chain: String = (0..200).map(|i| format!("a{i}: &x{i} [[[*x{}]]]\n", i.max(1) - 1)).collect();
    assert_eq!(parse_config_yaml(&chain).diagnostics[0].code, "yaml-syntax");
    let laughs: String =
        (0..30).map(|i| format!("l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}]\n", p = i.max(1) - 1)).collect();
    let _ = parse_config_yaml(&format!("l0: &l0 [x]\n{laughs}"));
    // Shared connections through an anchor are ordinary.
    let shared = "x-conn: &conn\n  type: duckdb\n  database: shared.db\ngateways:\n  a:\n    connection: *conn\n  b:\n    connection:\n      <<: *conn\n";
    let c = parse_config_yaml(shared);
    assert_eq!(c.gateways[0].catalog.as_deref(), Some("shared"));
}

#[test]
fn py_config_constants_cannot_blow_up() {
    let mut text = "a0 = ['x']\n".to_string();
    for i in 1..40 {
        text += &format!("a{i} = [a{p}, a{p}]\n", p = i - 1);
    }
    text += "config = Config(variables={'big': a39}, project='p')\n";
    let c = parse_config_py(&text);
    assert_eq!(c.project.as_deref(), Some("p"));
    // Cycles end at the nesting limit.
    let c = parse_config_py("a = [b]\nb = [a]\nconfig = Config(variables={'v': a})\n");
    assert_eq!(c.variables.len(), 1);
}

#[test]
fn py_config_settings_class_spread() {
    // A settings class's field defaults and the call's arguments, spread with `**dict(...)`;
    // gateways filled in by item assignment.
    let text = r#"
from pydantic import BaseModel
gateways = {}
gateways["warehouse"] = GatewayConfig(connection=DuckDBConnectionConfig())

class Base(BaseModel):
    default_gateway: str = "warehouse"

class Settings(Base):
    model_config = ConfigDict(protected_namespaces=())
    project: str
    model_defaults: ModelDefaultsConfig = ModelDefaultsConfig(dialect="duckdb", start="2024-01-01")
    gateways: dict = gateways
    variables: dict

    def describe(self) -> str:
        shadow = "not a field"
        return shadow

config = Config(**dict(Settings(project="p", variables={"v": 1})), username="me")
"#;
    let c = parse_config_py(text);
    assert!(!c.partial, "{:?}", c.diagnostics);
    assert_eq!(c.model_defaults.start.map(|s| s.value).as_deref(), Some("2024-01-01"));
    assert_eq!(c.model_defaults.dialect.map(|s| s.value).as_deref(), Some("duckdb"));
    assert_eq!(c.default_gateway.as_deref(), Some("warehouse"));
    assert_eq!(c.gateways.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["warehouse"]);
    assert_eq!(c.project.as_deref(), Some("p"));
    assert!(c.diagnostics.iter().all(|d| d.code != "config"), "{:?}", c.diagnostics);
}

#[test]
fn py_config_unreadable_spreads_stay_unknown() {
    for text in [
        "config = Config(**settings.model_dump())\n",
        "config = Config(**dict(Settings(1)))\nclass Settings:\n    model_defaults = ModelDefaultsConfig(start='2024-01-01')\n",
        "config = Config(**dict(Unknown()))\n",
        "g = {}\ng[name] = GatewayConfig()\nconfig = Config(gateways=g, default_gateway='x')\n",
    ] {
        let c = parse_config_py(text);
        assert!(c.diagnostics.iter().all(|d| d.code != "config"), "{text}: {:?}", c.diagnostics);
        if text.contains("**") {
            assert!(c.partial, "{text}");
        }
    }
}

#[test]
fn ignore_patterns_in_both_formats() {
    let yaml = parse_config_yaml("ignore_patterns:\n  - \"models/drafts/*\"\n  - '*_wip.sql'\n");
    assert_eq!(yaml.ignore_patterns, Some(vec!["models/drafts/*".to_string(), "*_wip.sql".to_string()]));
    let py = parse_config_py("from sqlmesh.core.config import Config\nconfig = Config(ignore_patterns=['a/*.sql'])\n");
    assert_eq!(py.ignore_patterns, Some(vec!["a/*.sql".to_string()]));
    // Unset: SQLMesh's default applies (`project::ignore`); a wrong shape is reported.
    assert_eq!(parse_config_yaml("project: p\n").ignore_patterns, None);
    let wrong = parse_config_yaml("ignore_patterns: models/x.sql\n");
    assert_eq!(wrong.ignore_patterns, None);
    assert!(wrong.diagnostics.iter().any(|d| d.message.contains("list of strings")), "{:?}", wrong.diagnostics);
}
