//! Model names as SQLMesh normalizes them, and their canonical spelling.
//!
//! SQLMesh normalizes a table name with its dialect's rules (sqlglot's `normalize_identifiers`)
//! and adds the project's default catalog to names that have a schema. meshls keys the graph by
//! the canonical spelling of the normalized name without the default catalog: `sushi.orders`,
//! `SUSHI.ORDERS` under Snowflake, `sushi."Mixed Case"` where a part needs quotes.

use crate::syntax::block::NamePart;
use crate::syntax::sqlmesh::{self, Normalization};
use serde::{Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// A normalized, canonical model name: the graph's key. Cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelName(Arc<str>);

impl ModelName {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A name from its canonical spelling (as `meshls index` prints it).
    pub fn from_canonical(text: &str) -> ModelName {
        ModelName(text.into())
    }
}

impl fmt::Debug for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ModelName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// The normalization strategy of a dialect name (the generic dialect's when unknown), or the
/// one its settings choose, as in `"tsql, normalization_strategy = case_sensitive"`.
pub fn normalization(dialect: Option<&str>) -> Normalization {
    let default =
        dialect.and_then(sqlmesh::dialect).map_or(sqlmesh::DEFAULT_DIALECT.normalization, |d| d.normalization);
    let setting = dialect.into_iter().flat_map(|d| d.split(',').skip(1)).find_map(|setting| {
        let (key, value) = setting.split_once('=')?;
        key.trim().eq_ignore_ascii_case("normalization_strategy").then(|| value.trim().to_ascii_lowercase())
    });
    match setting.as_deref() {
        Some("lowercase") => Normalization::Lowercase,
        Some("uppercase") => Normalization::Uppercase,
        Some("case_sensitive") => Normalization::CaseSensitive,
        Some("case_insensitive") => Normalization::CaseInsensitive,
        _ => default,
    }
}

/// Normalizes one identifier. `in_table` says whether it is part of a table name that has a
/// schema (BigQuery keeps those parts' case).
pub fn normalize_ident(text: &str, quoted: bool, strategy: Normalization, in_table: bool) -> String {
    match strategy {
        Normalization::Lowercase if !quoted => text.to_lowercase(),
        Normalization::Uppercase if !quoted => text.to_uppercase(),
        Normalization::CaseInsensitive => text.to_lowercase(),
        Normalization::BigQuery if !in_table => text.to_lowercase(),
        _ => text.to_string(),
    }
}

/// A part spelled bare when it is a plain identifier, else double-quoted.
fn canonical_part(text: &str, out: &mut String) {
    let bare = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if bare {
        out.push_str(text);
    } else {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    }
}

/// What is needed to normalize names within one project.
#[derive(Debug, Clone, Default)]
pub struct NameContext {
    /// The project's default catalog, as configured (None when it cannot be known statically).
    pub default_catalog: Option<String>,
}

impl NameContext {
    /// The canonical model name for `parts` written in `dialect`; None for an empty name.
    pub fn normalize(&self, parts: &[NamePart], dialect: Option<&str>) -> Option<ModelName> {
        let strategy = normalization(dialect);
        // BigQuery reads `` `project.dataset.table` `` as three parts.
        let split: Vec<NamePart>;
        let parts = if strategy == Normalization::BigQuery && parts.iter().any(|p| p.quoted && p.text.contains('.')) {
            split = parts
                .iter()
                .flat_map(|p| {
                    let pieces: Vec<&str> = if p.quoted { p.text.split('.').collect() } else { vec![p.text.as_str()] };
                    pieces.into_iter().map(move |t| NamePart { text: t.to_string(), quoted: p.quoted, span: p.span })
                })
                .collect();
            &split[..]
        } else {
            parts
        };
        let in_table = parts.len() > 1;
        let mut normalized: Vec<String> =
            parts.iter().map(|p| normalize_ident(&p.text, p.quoted, strategy, in_table)).collect();
        if normalized.is_empty() || normalized.iter().any(|p| p.is_empty()) {
            return None;
        }
        if normalized.len() == 3
            && let Some(catalog) = &self.default_catalog
            && normalized[0].eq_ignore_ascii_case(catalog)
        {
            normalized.remove(0);
        }
        let mut out = String::new();
        for (i, part) in normalized.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            canonical_part(part, &mut out);
        }
        Some(ModelName(out.into()))
    }

    /// Normalizes a name written as text (`sushi.orders`, `"Shop"."Orders"`, `` `a`.b ``),
    /// as in `depends_on` strings, Python models and external model YAML.
    pub fn normalize_text(&self, text: &str, dialect: Option<&str>) -> Option<ModelName> {
        self.normalize(&split_dotted(text), dialect)
    }
}

/// Splits a dotted name written as text into parts, honouring `"`, `` ` `` and `[]` quotes.
pub fn split_dotted(text: &str) -> Vec<NamePart> {
    use crate::syntax::Span;
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '`' | '[' if current.is_empty() && !quoted => {
                let close = if c == '[' { ']' } else { c };
                quoted = true;
                while let Some((_, d)) = chars.next() {
                    if d == close {
                        if chars.peek().map(|(_, n)| *n) == Some(close) {
                            chars.next();
                            current.push(close);
                            continue;
                        }
                        break;
                    }
                    current.push(d);
                }
            }
            '.' => {
                parts.push(NamePart { text: std::mem::take(&mut current), quoted, span: Span::new(start, i) });
                quoted = false;
                start = i + 1;
            }
            c if c.is_whitespace() && !quoted => {}
            _ => current.push(c),
        }
    }
    parts.push(NamePart { text: current, quoted, span: Span::new(start, text.len()) });
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str, dialect: &str, catalog: Option<&str>) -> String {
        let context = NameContext { default_catalog: catalog.map(str::to_string) };
        context.normalize_text(text, Some(dialect)).map(|n| n.to_string()).unwrap_or_default()
    }

    #[test]
    fn normalizes_per_dialect() {
        assert_eq!(norm("Sushi.Orders", "duckdb", None), "sushi.orders");
        assert_eq!(norm("\"Sushi\".\"Orders\"", "duckdb", None), "sushi.orders");
        assert_eq!(norm("\"Sushi\".\"Orders\"", "postgres", None), "Sushi.Orders");
        assert_eq!(norm("\"a b\".x", "duckdb", None), "\"a b\".x");
        assert_eq!(norm("sushi.orders", "snowflake", None), "SUSHI.ORDERS");
        assert_eq!(norm("db.\"MixedCase\"", "snowflake", None), "DB.MixedCase");
        assert_eq!(norm("Proj.Data.Tbl", "bigquery", None), "Proj.Data.Tbl");
        assert_eq!(norm("memory.sushi.orders", "duckdb", Some("memory")), "sushi.orders");
        assert_eq!(norm("other.sushi.orders", "duckdb", Some("memory")), "other.sushi.orders");
        assert_eq!(norm("MEMORY.sushi.orders", "snowflake", Some("memory")), "SUSHI.ORDERS");
        assert_eq!(norm("s.\"a b\"", "postgres", None), "s.\"a b\"");
        assert_eq!(norm("`my-proj.Sales.Orders`", "bigquery", None), "\"my-proj\".Sales.Orders");
    }
}
