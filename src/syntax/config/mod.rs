//! Project configuration (`config.yaml`/`config.yml` or `config.py`), read statically.
//!
//! Both formats are first turned into one `build::Node` tree, which the `build` module reads into a
//! [`Config`] the same way for both. Only what the language server needs is kept: model
//! defaults, gateways and their default catalogs, variables, the linter and the project name.

mod build;
mod jinja;
mod py;
mod yaml;

use serde::Serialize;

use super::span::{Diagnostic, Spanned};

pub use py::parse_config_py;
pub use yaml::parse_config_yaml;

/// The statically known part of a SQLMesh project configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Config {
    /// `model_defaults`.
    pub model_defaults: ModelDefaults,
    /// `default_gateway`, as written.
    pub default_gateway: Option<String>,
    /// Gateways in file order.
    pub gateways: Vec<Gateway>,
    /// `variables`, keys lowercased as SQLMesh does.
    pub variables: Vec<(String, ConfigValue)>,
    /// `linter`.
    pub linter: LinterConfig,
    /// `project:`, the project's name in a multi-repo setup.
    pub project: Option<String>,
    /// `model_naming.infer_names`: a model without a name is named from its path.
    pub infer_names: bool,
    /// `ignore_patterns`, as written; None when the config does not set them (SQLMesh then
    /// ignores `.ipynb_checkpoints/*`) or they cannot be read statically.
    pub ignore_patterns: Option<Vec<String>>,
    /// Whether some settings could not be read statically (`Config(**settings)`, a config.py
    /// with no readable `config = Config(...)`): absent values may then be set after all, so
    /// rules that read a missing default stay silent.
    pub partial: bool,
    /// Problems found while reading, with spans into the config file.
    pub diagnostics: Vec<Diagnostic>,
}

/// `model_defaults`: values every model inherits unless it sets its own.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ModelDefaults {
    /// `dialect`: the SQL dialect of models that do not set their own.
    pub dialect: Option<Spanned<String>>,
    /// `start`, as written (a date, a relative time like `1 year ago`, or epoch milliseconds).
    pub start: Option<Spanned<String>>,
    /// `cron`, as written (`@daily` or a cron expression).
    pub cron: Option<Spanned<String>>,
    /// The default kind's name, upper-cased (`FULL`, `VIEW`, ...).
    pub kind: Option<Spanned<String>>,
    /// `owner`.
    pub owner: Option<String>,
    /// Every other key, in file order.
    pub other: Vec<(String, ConfigValue)>,
}

/// One gateway: a named connection to a data warehouse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gateway {
    /// The gateway's name, lowercased as SQLMesh does (`""` for a lone `GatewayConfig`).
    pub name: String,
    /// The connection `type` (`duckdb`, `snowflake`, ...), from the gateway's connection or
    /// else `default_connection`.
    pub connection_type: Option<String>,
    /// The connection's default catalog when it is known without connecting, by SQLMesh's
    /// `get_catalog` rules: DuckDB's `database` file stem (`memory` for `:memory:` or no
    /// database), else its first `catalogs` key; Snowflake/Postgres/Redshift/MSSQL `database`;
    /// BigQuery `project`; Databricks/Spark/Trino `catalog`; Athena `catalog_name`; none for
    /// MySQL, StarRocks and ClickHouse, nor when the value is templated (`{{ env_var(...) }}`).
    pub catalog: Option<String>,
    /// The gateway's own `variables`, keys lowercased; they override the project's.
    pub variables: Vec<(String, ConfigValue)>,
}

/// `linter`: which rules run and how severe they are. Rule names are lowercased; `"ALL"`
/// becomes `["all"]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct LinterConfig {
    /// `enabled`: whether the linter runs (off unless set).
    pub enabled: bool,
    /// `rules`: rules whose violations are errors.
    pub rules: Vec<String>,
    /// `warn_rules`: rules whose violations are warnings.
    pub warn_rules: Vec<String>,
    /// `ignored_rules`: rules that do not run.
    pub ignored_rules: Vec<String>,
}

/// A configuration value that was a literal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ConfigValue {
    /// A string.
    Str(String),
    /// A number as written.
    Number(String),
    /// `true`/`false` (`True`/`False` in Python).
    Bool(bool),
    /// `null`, `~` or an empty value (`None` in Python).
    Null,
    /// A sequence (a list, tuple or set in Python).
    List(Vec<ConfigValue>),
    /// A mapping, in file order (a dict or a config class's keyword arguments in Python).
    Map(Vec<(String, ConfigValue)>),
}

impl Config {
    /// The gateway SQLMesh uses when none is selected: `default_gateway`, else the gateway
    /// named `""`, else the first one.
    pub fn default_gateway(&self) -> Option<&Gateway> {
        match &self.default_gateway {
            Some(name) if !name.is_empty() => {
                let name = name.to_lowercase();
                self.gateways.iter().find(|g| g.name == name)
            }
            _ => self.gateways.iter().find(|g| g.name.is_empty()).or(self.gateways.first()),
        }
    }

    /// The variables models see when `gateway` (else the default gateway) is selected, as
    /// SQLMesh's `get_variables` makes them: the project's, then the gateway's over them, then
    /// `gateway`, the gateway's name.
    pub fn variables_for(&self, gateway: Option<&str>) -> Vec<(String, ConfigValue)> {
        let gateway = match gateway {
            Some(name) => self.gateways.iter().find(|g| g.name.eq_ignore_ascii_case(name)),
            None => self.default_gateway(),
        };
        let mut variables = self.variables.clone();
        for (key, value) in gateway.iter().flat_map(|g| &g.variables) {
            match variables.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value.clone(),
                None => variables.push((key.clone(), value.clone())),
            }
        }
        let name = gateway.map(|g| g.name.clone()).or_else(|| self.default_gateway.as_ref().map(|g| g.to_lowercase()));
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            variables.retain(|(k, _)| k != "gateway");
            variables.push(("gateway".to_string(), ConfigValue::Str(name)));
        }
        variables
    }

    /// The default catalog of the default gateway, when it is known statically.
    pub fn default_catalog(&self) -> Option<&str> {
        self.default_gateway()?.catalog.as_deref()
    }
}

#[cfg(test)]
mod tests;
