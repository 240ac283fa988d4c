//! What a generated module may be asked to do differently: `meshls.toml`'s `[codegen.dagster]`
//! table, with command-line flags over it. Every option is documented in `docs/dagster.md`.

use serde::Deserialize;
use std::path::PathBuf;

/// The options of one backend (today only Dagster's), each `None` or empty when not set.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct Options {
    /// Where the module is written, relative to the project root (`-o` is relative to the
    /// current folder).
    pub output: Option<PathBuf>,
    /// Selection expressions: `schema.model`, a glob (`mart.*`), `tag:name`, `+model` (with
    /// its upstream), `model+` (with its downstream). Empty: every model.
    #[serde(default)]
    pub select: Vec<String>,
    /// Selection expressions whose models are left out (they become external assets when a
    /// selected model depends on them).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Segments put before every key (`"warehouse"`, `["a", "b"]`); `a/b` is two segments.
    #[serde(default, deserialize_with = "one_or_many")]
    pub key_prefix: Vec<String>,
    /// The key of a model: segments separated by `/`, with `{node.database}`, `{node.schema}`,
    /// `{node.name}` and `{node.fqn}`. Default `{node.schema}/{node.name}` (the catalog too
    /// when the name has one).
    pub key_template: Option<String>,
    /// The key of an external model, with the same placeholders; default the model template.
    pub external_key_template: Option<String>,
    /// The group of a model without a `dagster:group_name:<group>` tag; default its schema.
    pub default_group: Option<String>,
    /// The SQLMesh gateway the run uses; default the project's default gateway.
    pub gateway: Option<String>,
    /// The SQLMesh environment the run uses; default `prod`.
    pub environment: Option<String>,
    /// Dagster's retry policy for the SQLMesh step.
    pub retry_policy: Option<RetryPolicy>,
    /// Tags on the SQLMesh step (`dagster/concurrency_key` is always set).
    #[serde(default)]
    pub op_tags: std::collections::BTreeMap<String, String>,
    /// The name of the multi-asset (its op); default `sqlmesh`.
    pub name: Option<String>,
}

/// `retry_policy = { max_retries = 2, delay = 30 }`.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    pub max_retries: u32,
    /// Seconds between tries.
    pub delay: Option<u32>,
}

impl Options {
    /// `[codegen.dagster]` of a `meshls.toml`'s text.
    pub fn from_toml(text: &str) -> Result<Options, String> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.message().to_string())?;
        let Some(dagster) = table.get("codegen").and_then(|c| c.get("dagster")) else { return Ok(Options::default()) };
        let mut options =
            Options::deserialize(dagster.clone()).map_err(|e| format!("[codegen.dagster]: {}", e.message()))?;
        options.key_prefix = options.key_prefix.iter().flat_map(|p| segments(p)).collect();
        Ok(options)
    }

    /// These options with every option `over` sets replacing this one's.
    pub fn overridden_by(mut self, over: Options) -> Options {
        macro_rules! take {
            ($($field:ident),*) => {$(
                if over.$field.is_some() {
                    self.$field = over.$field;
                }
            )*};
        }
        take!(output, key_template, external_key_template, default_group, gateway, environment, retry_policy, name);
        if !over.select.is_empty() {
            self.select = over.select;
        }
        if !over.exclude.is_empty() {
            self.exclude = over.exclude;
        }
        if !over.key_prefix.is_empty() {
            self.key_prefix = over.key_prefix.iter().flat_map(|p| segments(p)).collect();
        }
        self.op_tags.extend(over.op_tags);
        self
    }
}

/// The options a command line sets (`meshls generate dagster --select X`), as the flags that
/// set them, in this order: what a generated file's header records, and reads back.
const FLAGS: [&str; 6] = ["select", "exclude", "gateway", "environment", "key-prefix", "default-group"];

impl Options {
    /// The flags that set the command-line options of `self` (the [`FLAGS`]), with their values.
    pub fn flags(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for flag in FLAGS {
            let values: Vec<String> = match flag {
                "select" => self.select.clone(),
                "exclude" => self.exclude.clone(),
                "gateway" => self.gateway.iter().cloned().collect(),
                "environment" => self.environment.iter().cloned().collect(),
                "key-prefix" if !self.key_prefix.is_empty() => vec![self.key_prefix.join("/")],
                "default-group" => self.default_group.iter().cloned().collect(),
                _ => Vec::new(),
            };
            out.extend(values.into_iter().map(|v| (flag, v)));
        }
        out
    }

    /// Sets what `--flag value` sets; false for a flag that is not one of the [`FLAGS`].
    pub fn set_flag(&mut self, flag: &str, value: &str) -> bool {
        let value = value.to_string();
        match flag {
            "select" => self.select.push(value),
            "exclude" => self.exclude.push(value),
            "gateway" => self.gateway = Some(value),
            "environment" => self.environment = Some(value),
            "key-prefix" => self.key_prefix = segments(&value),
            "default-group" => self.default_group = Some(value),
            _ => return false,
        }
        true
    }
}

/// A string or a list of strings.
fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// `a/b` → [`a`, `b`], empty segments dropped.
pub fn segments(text: &str) -> Vec<String> {
    text.split('/').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn reads_the_table_and_flags_win() {
        let toml = "[rules]\nselect-star = \"off\"\n\n[codegen.dagster]\noutput = \"orchestration/defs.py\"\n\
                    key_prefix = [\"warehouse/raw\"]\nselect = [\"+mart.top\"]\ngateway = \"local\"\n\
                    retry_policy = { max_retries = 2, delay = 30 }\nop_tags = { team = \"data\" }\n";
        let options = Options::from_toml(toml).unwrap();
        assert_eq!(options.output.as_deref(), Some(Path::new("orchestration/defs.py")));
        assert_eq!(options.key_prefix, ["warehouse", "raw"]);
        assert_eq!(options.retry_policy, Some(RetryPolicy { max_retries: 2, delay: Some(30) }));
        let flags = Options { gateway: Some("prod".into()), key_prefix: vec!["x".into()], ..Options::default() };
        let merged = options.overridden_by(flags);
        assert_eq!(merged.gateway.as_deref(), Some("prod"));
        assert_eq!(merged.key_prefix, ["x"]);
        assert_eq!(merged.select, ["+mart.top"]);
        assert_eq!(merged.op_tags.get("team").map(String::as_str), Some("data"));
        assert!(Options::from_toml("[codegen.dagster]\nbogus = 1\n").unwrap_err().contains("bogus"));
        let one = Options::from_toml("[codegen.dagster]\nkey_prefix = \"a/b\"\n").unwrap();
        assert_eq!(one.key_prefix, ["a", "b"]);
        assert_eq!(Options::from_toml("[rules]\n").unwrap(), Options::default());
    }

    #[test]
    fn flags_read_back_as_they_were_set() {
        let set = Options {
            select: vec!["+mart.top".into(), "tag:daily".into()],
            gateway: Some("local".into()),
            key_prefix: vec!["a".into(), "b".into()],
            ..Options::default()
        };
        let mut read = Options::default();
        for (flag, value) in set.flags() {
            assert!(read.set_flag(flag, &value));
        }
        assert_eq!(read, set);
        assert!(!read.set_flag("check", ""));
    }
}
