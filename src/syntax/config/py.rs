//! `config.py`, read as text: the literal arguments of `config = Config(...)` and of the
//! config classes inside it, following module-level constants. Nothing is executed.

use super::super::python::{PyArg, PyModule, PyValue, PyValueKind, kind_for_class};
use super::super::span::{Diagnostic, Span, Spanned};
use super::Config;
use super::build::{Node, NodeKind, build};

const CODE: &str = "config-py";

/// Values nested deeper than this (including hops through constants) are not read.
const MAX_DEPTH: usize = 64;

/// SQLMesh's connection config classes and their `type`.
const CONNECTION_CLASSES: &[(&str, &str)] = &[
    ("DuckDBConnectionConfig", "duckdb"),
    ("MotherDuckConnectionConfig", "motherduck"),
    ("SnowflakeConnectionConfig", "snowflake"),
    ("DatabricksConnectionConfig", "databricks"),
    ("BigQueryConnectionConfig", "bigquery"),
    ("GCPPostgresConnectionConfig", "gcp_postgres"),
    ("RedshiftConnectionConfig", "redshift"),
    ("PostgresConnectionConfig", "postgres"),
    ("MySQLConnectionConfig", "mysql"),
    ("MSSQLConnectionConfig", "mssql"),
    ("AzureSQLConnectionConfig", "azuresql"),
    ("FabricConnectionConfig", "fabric"),
    ("SparkConnectionConfig", "spark"),
    ("TrinoConnectionConfig", "trino"),
    ("ClickhouseConnectionConfig", "clickhouse"),
    ("AthenaConnectionConfig", "athena"),
    ("RisingwaveConnectionConfig", "risingwave"),
    ("StarRocksConnectionConfig", "starrocks"),
    ("Db2ConnectionConfig", "db2"),
];

/// Reads a `config.py` without running it. What cannot be read statically (non-literal
/// values in the settings meshls uses) is named in one `config-py` info diagnostic.
pub fn parse_config_py(text: &str) -> Config {
    let module = PyModule::read(text);
    let mut diagnostics = module.diagnostics.clone();
    let is_config_call = |v: &PyValue| matches!(&v.kind, PyValueKind::Call { func, .. } if last(func) == "Config");
    let root = match module.lookup("config").map(|v| module.deref(v)) {
        Some(v) if is_config_call(v) => Some(v),
        _ => {
            let other = module.assignments.iter().find(|(_, v)| is_config_call(module.deref(v)));
            if let Some((name, _)) = other {
                let msg = format!("SQLMesh loads the variable `config`; reading `{}` instead", name.value);
                diagnostics.push(Diagnostic::warning(CODE, name.span, msg));
            }
            other.map(|(_, v)| module.deref(v))
        }
    };
    let Some(root) = root else {
        let at = module.lookup("config").map_or(Span::at(0), |v| v.span);
        let msg = "no `config = Config(...)` that can be read statically";
        diagnostics.push(Diagnostic::info(CODE, at, msg));
        return Config { diagnostics, partial: true, ..Config::default() };
    };
    let mut converter = Converter { module: &module, spreads: Vec::new(), budget: MAX_NODES };
    let (mut config, mut dynamic) = build(&converter.node(root, 0));
    dynamic.extend(converter.spreads.iter().map(|span| ("**".to_string(), *span)));
    config.partial = super::build::defaults_unknown(&dynamic);
    config.diagnostics.splice(0..0, diagnostics);
    if let Some((_, span)) = dynamic.first() {
        let names: Vec<&str> = dynamic.iter().map(|(p, _)| p.as_str()).collect();
        let msg = format!(
            "meshls reads config.py without running it; these values are not literals and are ignored: {}",
            names.join(", ")
        );
        config.diagnostics.push(Diagnostic::info(CODE, *span, msg));
    }
    config
}

fn last(func: &str) -> &str {
    func.rsplit('.').next().unwrap_or(func)
}

/// Values read from one config.py at most: constants used several times are copied each
/// time, so `b = [a, a]; c = [b, b]; ...` would otherwise grow exponentially.
const MAX_NODES: usize = 100_000;

/// Calls that read an environment variable, as SQLMesh does when it runs config.py.
const ENV_LOOKUPS: &[&str] = &["os.getenv", "getenv", "os.environ.get", "environ.get"];

/// `os.getenv("NAME", default)`: the variable in meshls's own environment (the one the user
/// runs SQLMesh in), else the literal default; dynamic when neither is known.
fn env_lookup(module: &PyModule, args: &[PyArg]) -> NodeKind {
    let positional: Vec<&PyValue> = args.iter().filter(|a| a.name.is_none()).map(|a| module.deref(&a.value)).collect();
    let keyword = |key: &str| args.iter().find(|a| a.name.as_ref().is_some_and(|n| n.value == key));
    let name = positional.first().copied().or_else(|| keyword("key").map(|a| module.deref(&a.value)));
    let default = positional.get(1).copied().or_else(|| keyword("default").map(|a| module.deref(&a.value)));
    let Some(PyValueKind::Str(name)) = name.map(|n| &n.kind) else { return NodeKind::Dynamic };
    if let Ok(value) = std::env::var(name) {
        return NodeKind::Str(value);
    }
    match default.map(|d| &d.kind) {
        Some(PyValueKind::Str(s)) => NodeKind::Str(s.clone()),
        Some(PyValueKind::Number(n)) => NodeKind::Number(n.clone()),
        Some(PyValueKind::Bool(b)) => NodeKind::Bool(*b),
        Some(PyValueKind::None) | None => NodeKind::Null,
        _ => NodeKind::Dynamic,
    }
}

struct Converter<'m> {
    module: &'m PyModule,
    /// `**settings` spread into a config class: settings that cannot be read.
    spreads: Vec<Span>,
    /// Nodes that may still be made.
    budget: usize,
}

impl Converter<'_> {
    fn node(&mut self, value: &PyValue, depth: usize) -> Node {
        let module = self.module;
        let v = module.deref(value);
        let span = v.span;
        if depth > MAX_DEPTH || self.budget == 0 {
            return Node { span, kind: NodeKind::Dynamic };
        }
        self.budget -= 1;
        let kind = self.kind(v, depth);
        Node { span, kind }
    }

    fn kind(&mut self, v: &PyValue, depth: usize) -> NodeKind {
        let module = self.module;
        let span = v.span;
        match &v.kind {
            PyValueKind::Str(s) => NodeKind::Str(s.clone()),
            PyValueKind::Number(n) => NodeKind::Number(n.clone()),
            PyValueKind::Bool(b) => NodeKind::Bool(*b),
            PyValueKind::None => NodeKind::Null,
            PyValueKind::List(items) | PyValueKind::Tuple(items) | PyValueKind::Set(items) => {
                NodeKind::List(items.iter().map(|i| self.node(i, depth + 1)).collect())
            }
            PyValueKind::Dict(entries) => {
                let entries = entries
                    .iter()
                    .filter_map(|(k, val)| {
                        let key = module.deref(k).as_spanned_str()?;
                        Some((key, self.node(val, depth + 1)))
                    })
                    .collect();
                NodeKind::Map(entries, None)
            }
            PyValueKind::Name(n) if n.starts_with("ModelKindName.") => NodeKind::Str(last(n).to_string()),
            PyValueKind::Call { func, args } => {
                let class = last(func);
                let mut entries: Vec<(Spanned<String>, Node)> = Vec::new();
                for a in args {
                    let Some(name) = &a.name else {
                        if matches!(a.value.kind, PyValueKind::Other) && class.ends_with("Config") {
                            self.spreads.push(a.value.span);
                        }
                        continue;
                    };
                    if depth == 0 {
                        // Each setting of `Config(...)` has its own budget, so that one
                        // oversized setting does not hide the others.
                        self.budget = MAX_NODES;
                    }
                    entries.push((name.clone(), self.node(&a.value, depth + 1)));
                }
                let synthetic = |name: &str, value: &str| {
                    let n = Node { span, kind: NodeKind::Str(value.to_string()) };
                    (Spanned::new(name.to_string(), span), n)
                };
                if ENV_LOOKUPS.contains(&func.as_str()) {
                    env_lookup(module, args)
                } else if class == "dict" {
                    NodeKind::Map(entries, None)
                } else if let Some(kind) = kind_for_class(class) {
                    entries.insert(0, synthetic("name", kind));
                    NodeKind::Map(entries, Some(class.to_string()))
                } else if let Some((_, ty)) = CONNECTION_CLASSES.iter().find(|(c, _)| *c == class) {
                    if !entries.iter().any(|(k, _)| k.value == "type") {
                        entries.insert(0, synthetic("type", ty));
                    }
                    NodeKind::Map(entries, Some(class.to_string()))
                } else if class.ends_with("Config") {
                    NodeKind::Map(entries, Some(class.to_string()))
                } else {
                    NodeKind::Dynamic
                }
            }
            _ => NodeKind::Dynamic,
        }
    }
}
