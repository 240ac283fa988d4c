//! `config.yaml`: parsed with the shared [`YamlText`] (byte spans, nesting bound, no panics).
//! SQLMesh renders the file as Jinja before parsing it, so Jinja is masked first
//! (see [`mask_jinja`]) and templated values are kept as written.

use std::ops::Range;

use saphyr::{MarkedYaml, Scalar, YamlData};

use super::super::span::{Diagnostic, Span, Spanned};
use super::super::yaml::{Spans, YamlText};
use super::Config;
use super::build::{Node, NodeKind, build};
use super::jinja::{mask_jinja, render_value};

const CODE: &str = "config-yaml";

/// Nodes nested deeper than this are not read.
const MAX_DEPTH: usize = 64;

/// Reads a `config.yaml`. A syntax error becomes a `yaml-syntax` error diagnostic at its
/// location and an otherwise empty [`Config`].
pub fn parse_config_yaml(text: &str) -> Config {
    let (masked, jinja) = mask_jinja(text);
    let yaml = YamlText::new(&masked);
    let docs = match yaml.load() {
        Ok(docs) => docs,
        Err(d) => {
            return Config { diagnostics: vec![d], ..Config::default() };
        }
    };
    let Some(doc) = docs.first().filter(|d| !matches!(d.data, YamlData::BadValue)) else {
        let msg = "the configuration is empty";
        return Config { diagnostics: vec![Diagnostic::warning(CODE, Span::at(0), msg)], ..Config::default() };
    };
    let mut reader = Reader { text, spans: yaml.spans(0), jinja: &jinja, diagnostics: Vec::new() };
    let root = reader.node(doc, 0);
    let (mut config, dynamic) = build(&root);
    config.diagnostics.append(&mut reader.diagnostics);
    config.partial = super::build::defaults_unknown(&dynamic);
    if let Some((_, span)) = dynamic.first() {
        let names: Vec<&str> = dynamic.iter().map(|(p, _)| p.as_str()).collect();
        let msg = format!("these values could not be read: {}", names.join(", "));
        config.diagnostics.push(Diagnostic::info(CODE, *span, msg));
    }
    config
}

struct Reader<'a> {
    /// The original text (the parser saw it with Jinja masked).
    text: &'a str,
    spans: Spans<'a>,
    jinja: &'a [Range<usize>],
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    /// The scalar as written when `span` touches masked Jinja, else `None`.
    fn templated(&self, span: Span) -> Option<String> {
        let r = span.range();
        self.jinja.iter().any(|j| j.start < r.end && r.start < j.end).then(|| {
            let t = span.text(self.text);
            let quoted =
                t.len() >= 2 && (t.starts_with('"') && t.ends_with('"') || t.starts_with('\'') && t.ends_with('\''));
            let t = if quoted { &t[1..t.len() - 1] } else { t };
            render_value(t).unwrap_or_else(|| t.to_string())
        })
    }

    fn node(&mut self, n: &MarkedYaml, depth: usize) -> Node {
        let span = self.spans.span(n);
        if depth > MAX_DEPTH {
            if !self.diagnostics.iter().any(|d| d.code == CODE) {
                let msg = format!("values nested deeper than {MAX_DEPTH} levels are not read");
                self.diagnostics.push(Diagnostic::warning(CODE, span, msg));
            }
            return Node { span, kind: NodeKind::Dynamic };
        }
        let kind = match &n.data {
            YamlData::Value(Scalar::String(s)) => NodeKind::Str(self.templated(span).unwrap_or_else(|| s.to_string())),
            YamlData::Value(Scalar::Integer(i)) => NodeKind::Number(self.number_text(span, i)),
            YamlData::Value(Scalar::FloatingPoint(f)) => NodeKind::Number(self.number_text(span, f)),
            YamlData::Value(Scalar::Boolean(b)) => NodeKind::Bool(*b),
            YamlData::Value(Scalar::Null) => NodeKind::Null,
            YamlData::Representation(s, _, _) => NodeKind::Str(s.to_string()),
            YamlData::Sequence(items) => NodeKind::List(items.iter().map(|i| self.node(i, depth + 1)).collect()),
            YamlData::Mapping(map) => {
                let mut entries = Vec::with_capacity(map.len());
                for (k, v) in map {
                    let key_span = self.spans.span(k);
                    let key = match &k.data {
                        YamlData::Value(Scalar::String(s)) => self.templated(key_span).unwrap_or_else(|| s.to_string()),
                        YamlData::Value(Scalar::Integer(i)) => i.to_string(),
                        YamlData::Value(Scalar::Boolean(b)) => b.to_string(),
                        YamlData::Value(Scalar::FloatingPoint(_)) => key_span.text(self.text).to_string(),
                        _ => continue,
                    };
                    entries.push((Spanned::new(key, key_span), self.node(v, depth + 1)));
                }
                NodeKind::Map(entries, None)
            }
            YamlData::Tagged(_, inner) => return self.node(inner, depth + 1),
            _ => NodeKind::Dynamic,
        };
        Node { span, kind }
    }

    fn number_text(&self, span: Span, value: &dyn std::fmt::Display) -> String {
        let t = span.text(self.text).trim();
        if t.is_empty() { value.to_string() } else { t.to_string() }
    }
}
