//! The format-independent part: a [`Node`] tree (from YAML or from Python literals) read
//! into a [`Config`].

use super::super::span::{Diagnostic, Span, Spanned};
use super::{Config, ConfigValue, Gateway, LinterConfig, ModelDefaults};

/// A configuration value with its span, as read from either format.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeKind {
    Str(String),
    Number(String),
    Bool(bool),
    Null,
    List(Vec<Node>),
    /// A mapping; in Python, the class it was built with (`GatewayConfig`, ...), if any.
    Map(Vec<(Spanned<String>, Node)>, Option<String>),
    /// A value that cannot be known without running code.
    Dynamic,
}

impl Node {
    fn entries(&self) -> Option<&[(Spanned<String>, Node)]> {
        match &self.kind {
            NodeKind::Map(e, _) => Some(e),
            _ => None,
        }
    }
}

fn get<'n>(entries: &'n [(Spanned<String>, Node)], key: &str) -> Option<&'n Node> {
    entries.iter().rev().find(|(k, _)| k.value == key).map(|(_, v)| v)
}

/// Reads `root` into a [`Config`]. Values that were read but are [`NodeKind::Dynamic`] are
/// returned by path (`gateways.prod.connection.database`) with their spans.
pub(crate) fn build(root: &Node) -> (Config, Vec<(String, Span)>) {
    let mut b = Builder { config: Config::default(), dynamic: Vec::new() };
    match root.entries() {
        Some(entries) => b.root(entries),
        None if root.kind == NodeKind::Dynamic => b.dynamic.push(("config".to_string(), root.span)),
        None => {
            let msg = "the configuration must be a mapping of settings";
            b.config.diagnostics.push(Diagnostic::error("config", root.span, msg));
        }
    }
    (b.config, b.dynamic)
}

struct Builder {
    config: Config,
    dynamic: Vec<(String, Span)>,
}

struct Connection {
    kind: Option<String>,
    catalog: Option<String>,
}

impl Builder {
    fn expect_map<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n [(Spanned<String>, Node)]> {
        match &node.kind {
            NodeKind::Map(e, _) => Some(e),
            NodeKind::Dynamic => {
                self.dynamic.push((path.to_string(), node.span));
                None
            }
            NodeKind::Null => None,
            _ => {
                let msg = format!("`{path}` should be a mapping");
                self.config.diagnostics.push(Diagnostic::warning("config", node.span, msg));
                None
            }
        }
    }

    /// A string (or a number, as written).
    fn string(&mut self, node: &Node, path: &str) -> Option<Spanned<String>> {
        match &node.kind {
            NodeKind::Str(s) | NodeKind::Number(s) => Some(Spanned::new(s.clone(), node.span)),
            NodeKind::Dynamic => {
                self.dynamic.push((path.to_string(), node.span));
                None
            }
            NodeKind::Null => None,
            _ => {
                let msg = format!("`{path}` should be a string");
                self.config.diagnostics.push(Diagnostic::warning("config", node.span, msg));
                None
            }
        }
    }

    fn value(&mut self, node: &Node, path: &str) -> Option<ConfigValue> {
        Some(match &node.kind {
            NodeKind::Str(s) => ConfigValue::Str(s.clone()),
            NodeKind::Number(n) => ConfigValue::Number(n.clone()),
            NodeKind::Bool(b) => ConfigValue::Bool(*b),
            NodeKind::Null => ConfigValue::Null,
            NodeKind::List(items) => ConfigValue::List(
                items.iter().enumerate().filter_map(|(i, n)| self.value(n, &format!("{path}[{i}]"))).collect(),
            ),
            NodeKind::Map(entries, _) => ConfigValue::Map(
                entries
                    .iter()
                    .filter_map(|(k, n)| Some((k.value.clone(), self.value(n, &format!("{path}.{}", k.value))?)))
                    .collect(),
            ),
            NodeKind::Dynamic => {
                self.dynamic.push((path.to_string(), node.span));
                return None;
            }
        })
    }

    fn root(&mut self, entries: &[(Spanned<String>, Node)]) {
        if let Some(m) = get(entries, "model_defaults").and_then(|n| self.expect_map(n, "model_defaults")) {
            self.model_defaults(m);
        }
        let default_gateway = get(entries, "default_gateway").and_then(|n| self.string(n, "default_gateway"));
        self.config.default_gateway = default_gateway.as_ref().map(|s| s.value.clone());
        let default_connection = get(entries, "default_connection")
            .and_then(|n| self.expect_map(n, "default_connection"))
            .map(|m| self.connection(m, "default_connection"));
        let gateways = get(entries, "gateways")
            .map(|g| ("gateways", g))
            .or_else(|| get(entries, "gateway").map(|g| ("gateway", g)));
        if let Some((key, node)) = gateways {
            self.gateways(node, key, default_connection.as_ref());
        }
        if let Some(name) = default_gateway.filter(|n| !n.value.is_empty()) {
            let known = self.config.gateways.iter().any(|g| g.name == name.value.to_lowercase());
            let unknown = self.dynamic.iter().any(|(p, _)| p == "gateways" || p == "gateway");
            if !known && !unknown {
                let msg = format!("`default_gateway` names a gateway that is not configured: `{}`", name.value);
                self.config.diagnostics.push(Diagnostic::error("config", name.span, msg));
            }
        }
        self.config.variables = self.variables(entries, "variables");
        if let Some(l) = get(entries, "linter").and_then(|n| self.expect_map(n, "linter")) {
            self.config.linter = self.linter(l);
        }
        if let Some(n) = get(entries, "project") {
            self.config.project = self.string(n, "project").map(|s| s.value);
        }
        if let Some(n) = get(entries, "ignore_patterns") {
            self.config.ignore_patterns = self.strings(n, "ignore_patterns");
        }
        if let Some(naming) = get(entries, "model_naming").and_then(|n| self.expect_map(n, "model_naming")) {
            self.config.infer_names =
                get(naming, "infer_names").is_some_and(|n| self.boolean(n, "model_naming.infer_names"));
        }
    }

    fn model_defaults(&mut self, entries: &[(Spanned<String>, Node)]) {
        let mut d = ModelDefaults::default();
        for (k, v) in entries {
            let path = format!("model_defaults.{}", k.value);
            match k.value.as_str() {
                "dialect" => d.dialect = self.string(v, &path),
                "start" => d.start = self.string(v, &path),
                "cron" => d.cron = self.string(v, &path),
                "owner" => d.owner = self.string(v, &path).map(|s| s.value),
                "kind" => {
                    let name = match v.entries() {
                        Some(e) => get(e, "name").and_then(|n| self.string(n, &format!("{path}.name"))),
                        None => self.string(v, &path),
                    };
                    d.kind = name.map(|n| Spanned::new(n.value.to_uppercase(), n.span));
                }
                _ => {
                    if let Some(value) = self.value(v, &path) {
                        d.other.push((k.value.clone(), value));
                    }
                }
            }
        }
        self.config.model_defaults = d;
    }

    fn gateways(&mut self, node: &Node, key: &str, default_connection: Option<&Connection>) {
        if let NodeKind::Map(entries, Some(class)) = &node.kind {
            if class == "GatewayConfig" {
                // `gateways=GatewayConfig(...)` in Python: one unnamed gateway.
                let g = self.gateway(String::new(), entries, key, default_connection);
                self.config.gateways.push(g);
                return;
            }
        }
        let Some(entries) = self.expect_map(node, key) else {
            return;
        };
        for (name, g) in entries {
            let path = format!("{key}.{}", name.value);
            let Some(g) = self.expect_map(g, &path) else {
                continue;
            };
            let gateway = self.gateway(name.value.to_lowercase(), g, &path, default_connection);
            self.config.gateways.push(gateway);
        }
    }

    fn gateway(
        &mut self,
        name: String,
        entries: &[(Spanned<String>, Node)],
        path: &str,
        default_connection: Option<&Connection>,
    ) -> Gateway {
        let variables = self.variables(entries, &format!("{path}.variables"));
        let path = format!("{path}.connection");
        let own = get(entries, "connection").and_then(|n| self.expect_map(n, &path)).map(|c| self.connection(c, &path));
        let (connection_type, catalog) = match own.as_ref().or(default_connection) {
            Some(c) => (c.kind.clone(), c.catalog.clone()),
            None => (None, None),
        };
        Gateway { name, connection_type, catalog, variables }
    }

    fn connection(&mut self, entries: &[(Spanned<String>, Node)], path: &str) -> Connection {
        let kind =
            get(entries, "type").and_then(|n| self.string(n, &format!("{path}.type"))).map(|s| s.value.to_lowercase());
        let Some(kind) = kind else {
            return Connection { kind: None, catalog: None };
        };
        let mut field =
            |name: &str| get(entries, name).and_then(|n| self.string(n, &format!("{path}.{name}"))).map(|s| s.value);
        let catalog = match kind.as_str() {
            "duckdb" | "motherduck" => {
                let database = field("database").filter(|d| !d.is_empty());
                let first_catalog = get(entries, "catalogs")
                    .and_then(Node::entries)
                    .and_then(|e| e.first())
                    .map(|(k, _)| k.value.clone());
                match (database, first_catalog) {
                    (Some(db), _) => Some(path_stem(&db.replace(":memory:", "memory")).to_string()),
                    (None, Some(first)) => Some(first),
                    // An in-memory DuckDB database's catalog is `memory`.
                    (None, None) if kind == "duckdb" => Some("memory".to_string()),
                    (None, None) => None,
                }
            }
            "bigquery" => field("project"),
            "athena" => field("catalog_name"),
            // Engines whose adapters do not support catalogs.
            "mysql" | "starrocks" | "clickhouse" => None,
            "databricks" | "spark" | "trino" => field("catalog"),
            "gcp_postgres" => field("db"),
            "db2" => field("database").map(|d| d.to_uppercase()),
            "snowflake" | "redshift" | "postgres" | "mssql" | "azuresql" | "fabric" | "risingwave" => field("database"),
            _ => field("catalog").or_else(|| field("database")).or_else(|| field("db")),
        };
        let catalog = catalog.filter(|c| !c.is_empty() && !c.contains("{{") && !c.contains("{%"));
        Connection { kind: Some(kind), catalog }
    }

    /// The `variables` mapping among `entries`, keys lowercased as SQLMesh does.
    fn variables(&mut self, entries: &[(Spanned<String>, Node)], path: &str) -> Vec<(String, ConfigValue)> {
        let Some(vars) = get(entries, "variables").and_then(|n| self.expect_map(n, path)) else { return Vec::new() };
        vars.iter()
            .filter_map(|(k, v)| Some((k.value.to_lowercase(), self.value(v, &format!("{path}.{}", k.value))?)))
            .collect()
    }

    /// A list of strings; None (and, unless dynamic, a warning) when it is something else or
    /// one of its items is not a string.
    fn strings(&mut self, node: &Node, path: &str) -> Option<Vec<String>> {
        match &node.kind {
            NodeKind::List(items) => {
                items.iter().map(|i| self.string(i, path).map(|s| s.value)).collect::<Option<Vec<_>>>()
            }
            NodeKind::Dynamic => {
                self.dynamic.push((path.to_string(), node.span));
                None
            }
            _ => {
                let msg = format!("`{path}` should be a list of strings");
                self.config.diagnostics.push(Diagnostic::warning("config", node.span, msg));
                None
            }
        }
    }

    /// A boolean setting; anything else is false (and, unless dynamic, a warning).
    fn boolean(&mut self, node: &Node, path: &str) -> bool {
        match node.kind {
            NodeKind::Bool(b) => b,
            NodeKind::Dynamic => {
                self.dynamic.push((path.to_string(), node.span));
                false
            }
            _ => {
                let msg = format!("`{path}` should be true or false");
                self.config.diagnostics.push(Diagnostic::warning("config", node.span, msg));
                false
            }
        }
    }

    fn linter(&mut self, entries: &[(Spanned<String>, Node)]) -> LinterConfig {
        let mut l = LinterConfig::default();
        if let Some(n) = get(entries, "enabled") {
            l.enabled = self.boolean(n, "linter.enabled");
        }
        let mut rules = |key: &str| -> Vec<String> {
            let Some(n) = get(entries, key) else {
                return Vec::new();
            };
            let path = format!("linter.{key}");
            match &n.kind {
                NodeKind::List(items) => {
                    items.iter().filter_map(|i| self.string(i, &path)).map(|s| s.value.to_lowercase()).collect()
                }
                _ => self.string(n, &path).map(|s| s.value.to_lowercase()).into_iter().collect(),
            }
        };
        l.rules = rules("rules");
        l.warn_rules = rules("warn_rules");
        l.ignored_rules = rules("ignored_rules");
        l
    }
}

/// Whether the dynamic paths leave `model_defaults` unknown: the whole config, a `**` spread
/// into a config class, or a value under `model_defaults`.
pub(crate) fn defaults_unknown(dynamic: &[(String, Span)]) -> bool {
    dynamic.iter().any(|(path, _)| path == "config" || path == "**" || path.starts_with("model_defaults"))
}

/// Python's `PurePosixPath(path).stem`: the last component without its last suffix.
fn path_stem(path: &str) -> &str {
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    match name.rfind('.') {
        Some(dot) if dot > 0 && dot + 1 < name.len() => &name[..dot],
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::path_stem;

    #[test]
    fn stems_like_pathlib() {
        for (path, stem) in [
            ("a.", "a."),
            ("a.b.c", "a.b"),
            (".hidden", ".hidden"),
            ("dir/", "dir"),
            ("x.duckdb", "x"),
            ("md:my_db", "md:my_db"),
            ("s3://b/x.duckdb", "x"),
            ("", ""),
            ("memory", "memory"),
        ] {
            assert_eq!(path_stem(path), stem, "{path}");
        }
    }
}
