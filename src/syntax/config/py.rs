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

/// Base classes followed at most, through classes of the same file.
const MAX_BASES: usize = 8;

type Entries = Vec<(Spanned<String>, Node)>;

struct Converter<'m> {
    module: &'m PyModule,
    /// `**settings` spread into a config class: settings that cannot be read.
    spreads: Vec<Span>,
    /// Nodes that may still be made.
    budget: usize,
}

impl Converter<'_> {
    /// The settings of `**value` when they can be read: a dict literal, `dict(k=v)`, or
    /// `dict(Settings(k=v))` of a settings class of this file (its field defaults, then the
    /// call's arguments).
    fn spread(&mut self, value: &PyValue, depth: usize) -> Option<Entries> {
        let module = self.module;
        match &module.deref(value).kind {
            PyValueKind::Dict(entries) => entries
                .iter()
                .map(|(k, v)| Some((module.deref(k).as_spanned_str()?, self.node(v, depth + 1))))
                .collect(),
            PyValueKind::Call { func, args } if func == "dict" => {
                let positional: Vec<&PyArg> =
                    args.iter().filter(|a| a.name.is_none() && a.unpacked.is_none()).collect();
                let mut entries = match positional[..] {
                    [] => Vec::new(),
                    [a] => match &module.deref(&a.value).kind {
                        PyValueKind::Call { func, args } => self.instance(func, args, depth)?,
                        _ => self.spread(&a.value, depth)?,
                    },
                    _ => return None,
                };
                entries.extend(self.keywords(args, depth)?);
                Some(entries)
            }
            _ => None,
        }
    }

    /// The fields of `Class(args)` for a class of this file: the defaults its body (and its
    /// bases in this file) declare, then the keyword arguments.
    fn instance(&mut self, func: &str, args: &[PyArg], depth: usize) -> Option<Entries> {
        if args.iter().any(|a| a.name.is_none() && a.unpacked.is_none()) {
            return None;
        }
        let mut entries = self.class_defaults(func, depth, 0)?;
        entries.extend(self.keywords(args, depth)?);
        Some(entries)
    }

    fn class_defaults(&mut self, name: &str, depth: usize, hops: usize) -> Option<Entries> {
        let class = self.module.class(name)?;
        if hops > MAX_BASES {
            return None;
        }
        let mut entries = Vec::new();
        for base in &class.bases {
            if self.module.class(base).is_some() {
                entries.extend(self.class_defaults(base, depth, hops + 1)?);
            }
        }
        for (field, default) in &class.fields {
            // pydantic's own settings, not a field.
            if field.value == "model_config" {
                continue;
            }
            if let Some(default) = default {
                entries.push((field.clone(), self.node(default, depth + 1)));
            }
        }
        Some(entries)
    }

    /// The `name=value` and `**mapping` arguments of a call (positional ones are left to
    /// the caller); `None` when a mapping cannot be read.
    fn keywords(&mut self, args: &[PyArg], depth: usize) -> Option<Entries> {
        let mut entries = Vec::new();
        for a in args {
            match (&a.name, &a.unpacked) {
                (Some(name), _) => entries.push((name.clone(), self.node(&a.value, depth + 1))),
                (None, Some(u)) => entries.extend(self.spread(u, depth)?),
                (None, None) => {}
            }
        }
        Some(entries)
    }

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
                        if let Some(spread) = a.unpacked.as_ref().and_then(|u| self.spread(u, depth)) {
                            entries.extend(spread);
                        } else if matches!(a.value.kind, PyValueKind::Other) && class.ends_with("Config") {
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
