//! Reading the entries of an external models file: each field's shape, the columns and their
//! descriptions, and `<<` merge keys, with a diagnostic for every value SQLMesh would reject.

use saphyr::{AnnotatedMapping, MarkedYaml, Scalar, YamlData};

use super::checks::{KNOWN_FIELDS, suggestion};
use super::{CODE, ExternalAudit, ExternalColumn, ExternalModel, Reader};
use crate::syntax::span::{Diagnostic, Span, Spanned};
use crate::syntax::yaml::untagged;

/// What a scalar field holds.
enum Value {
    Text(String),
    Null,
    /// A sequence, mapping or unresolved alias where a scalar belongs.
    NotScalar,
}

impl Reader<'_> {
    fn span(&self, node: &MarkedYaml) -> Span {
        self.spans.span(node)
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.out.diagnostics.push(Diagnostic::error(CODE, span, message));
    }

    pub(super) fn read_documents(&mut self, documents: &[MarkedYaml]) {
        for (index, document) in documents.iter().enumerate() {
            let node = untagged(document);
            if matches!(node.data, YamlData::BadValue | YamlData::Value(Scalar::Null)) {
                continue;
            }
            let span = self.span(node);
            if index > 0 {
                // Point at the `---` that starts this document, when there is one.
                let start = span.start as usize;
                let marker = self.text[..start].rfind("---").map_or(Span::at(start), |at| Span::new(at, at + 3));
                self.error(marker, "SQLMesh reads only one YAML document per file");
            }
            match &node.data {
                YamlData::Sequence(entries) => entries.iter().for_each(|entry| self.read_entry(entry)),
                YamlData::Mapping(mapping) if mapping.keys().any(|key| key.data.as_str() == Some("name")) => {
                    self.error(span, "an external models file is a list: start each model with `- name: ...`")
                }
                _ => self.error(span, "an external models file is a list of `- name: ...` entries"),
            }
        }
    }

    pub(super) fn read_entry(&mut self, entry: &MarkedYaml) {
        let node = untagged(entry);
        let YamlData::Mapping(mapping) = &node.data else {
            self.error(self.span(node), "an external model is a mapping with at least `name:`");
            return;
        };
        let mut name = None;
        // Set when `name` is there but unusable, which is reported where it is.
        let mut bad_name = false;
        let mut model = ExternalModel {
            name: Spanned::new(String::new(), Span::default()),
            entry: self.entry_span(node),
            description: None,
            dialect: None,
            gateway: None,
            start: None,
            audits: Vec::new(),
            columns: Vec::new(),
            other: Vec::new(),
        };
        let mut descriptions = None;
        for (key, value) in self.fields(mapping) {
            let key_span = self.span(key);
            let Some(field) = key.data.as_str() else {
                self.error(key_span, "field names of an external model must be strings");
                continue;
            };
            match field {
                "name" => match self.scalar(value) {
                    Value::Text(text) => name = Some(Spanned::new(text, self.span(value))),
                    Value::Null => {
                        bad_name = true;
                        self.error(key_span, "`name` is empty");
                    }
                    Value::NotScalar => {
                        bad_name = true;
                        self.error(self.span(value), "`name` must be a string like `db.table`");
                    }
                },
                "description" => model.description = self.text_field(field, value),
                "dialect" => model.dialect = self.text_field(field, value).map(|d| d.to_lowercase()),
                "gateway" => model.gateway = self.text_field(field, value).map(|g| g.to_lowercase()),
                "columns" => model.columns = self.read_columns(value),
                "start" => model.start = self.text_field(field, value),
                "audits" => model.audits = self.read_audits(value),
                "column_descriptions" => descriptions = Some(value),
                _ => {
                    model.other.push(field.to_string());
                    if !KNOWN_FIELDS.contains(&field) {
                        let hint = suggestion(field).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
                        self.error(key_span, format!("`{field}` is not a field of an external model{hint}"));
                    }
                }
            }
        }
        if let Some(descriptions) = descriptions {
            self.read_column_descriptions(descriptions, &mut model.columns);
        }
        match name {
            Some(name) => {
                model.name = name;
                self.out.models.push(model);
            }
            None if bad_name => {}
            None => {
                let start = model.entry.start as usize;
                let end = self.text[start..].find(['\n', '\r']).map_or(self.text.len(), |end| start + end);
                self.error(Span::new(start, end), "external model has no `name`");
            }
        }
    }

    /// The fields of an entry, with those merged in by `<<: *anchor` (which SQLMesh's YAML loader
    /// supports) after the entry's own, unless the entry sets them itself.
    fn fields<'n, 'i>(
        &mut self,
        mapping: &'n AnnotatedMapping<'i, MarkedYaml<'i>>,
    ) -> Vec<(&'n MarkedYaml<'i>, &'n MarkedYaml<'i>)> {
        let is_merge = |key: &MarkedYaml| key.data.as_str() == Some("<<");
        let mut fields: Vec<_> = mapping.iter().filter(|(key, _)| !is_merge(key)).collect();
        for (key, value) in mapping.iter().filter(|(key, _)| is_merge(key)) {
            let value = untagged(value);
            let merged: Vec<&MarkedYaml> = match &value.data {
                YamlData::Sequence(items) => items.iter().map(untagged).collect(),
                _ => vec![value],
            };
            for source in merged {
                let YamlData::Mapping(source) = &source.data else {
                    self.error(self.span(key), "`<<` merges mappings only");
                    continue;
                };
                for (key, value) in source {
                    if !fields.iter().any(|(k, _)| k.data == key.data) {
                        fields.push((key, value));
                    }
                }
            }
        }
        fields
    }

    fn read_columns(&mut self, value: &MarkedYaml) -> Vec<ExternalColumn> {
        let node = untagged(value);
        let mapping = match &node.data {
            YamlData::Mapping(mapping) => mapping,
            YamlData::Value(Scalar::Null) => return Vec::new(),
            YamlData::Sequence(_) => {
                let message = "`columns` must be a mapping of column name to data type (`id: int`), not a list";
                self.error(self.span(node), message);
                return Vec::new();
            }
            _ => {
                self.error(self.span(node), "`columns` must be a mapping of column name to data type (`id: int`)");
                return Vec::new();
            }
        };
        let mut columns = Vec::with_capacity(mapping.len());
        for (key, data_type) in mapping {
            let Some(name) = self.column_name(key) else {
                continue;
            };
            let data_type = match self.scalar(data_type) {
                Value::Text(text) => Some(text),
                Value::Null => {
                    self.error(name.span, format!("column `{}` has no data type", name.value));
                    None
                }
                Value::NotScalar => {
                    let message = format!("the data type of column `{}` must be a string like `int`", name.value);
                    self.error(self.span(data_type), message);
                    None
                }
            };
            columns.push(ExternalColumn { name, data_type, description: None });
        }
        columns
    }

    /// `audits`: a list of mappings, each with a `name` and the audit's arguments (SQLMesh's
    /// `extract_function_calls`; it rejects any other entry).
    fn read_audits(&mut self, value: &MarkedYaml) -> Vec<ExternalAudit> {
        let node = untagged(value);
        let items = match &node.data {
            YamlData::Sequence(items) => items,
            YamlData::Value(Scalar::Null) => return Vec::new(),
            _ => {
                self.error(self.span(node), "`audits` must be a list of `- name: audit_name` entries");
                return Vec::new();
            }
        };
        let mut audits = Vec::new();
        for item in items {
            let item = untagged(item);
            let YamlData::Mapping(mapping) = &item.data else {
                self.error(self.span(item), "an audit must be a mapping with `name:` and its arguments");
                continue;
            };
            let mut name = None;
            let mut args = Vec::new();
            for (key, arg) in mapping {
                let Some(key) = key.data.as_str() else { continue };
                let text = match self.scalar(arg) {
                    Value::Text(text) => text,
                    Value::Null => String::new(),
                    Value::NotScalar => self.span(arg).text(self.text).to_string(),
                };
                if key == "name" {
                    name = Some(Spanned::new(text.to_lowercase(), self.span(arg)));
                } else {
                    args.push((key.to_lowercase(), text));
                }
            }
            match name {
                Some(name) => audits.push(ExternalAudit { name, args }),
                None => self.error(self.span(item), "an audit must have a `name`"),
            }
        }
        audits
    }

    fn read_column_descriptions(&mut self, value: &MarkedYaml, columns: &mut [ExternalColumn]) {
        let node = untagged(value);
        let mapping = match &node.data {
            YamlData::Mapping(mapping) => mapping,
            YamlData::Value(Scalar::Null) => return,
            _ => {
                self.error(self.span(node), "`column_descriptions` must be a mapping of column name to description");
                return;
            }
        };
        for (key, description) in mapping {
            let Some(name) = self.column_name(key) else {
                continue;
            };
            // SQLMesh takes strings only here, unlike `description`.
            let description = match (self.scalar(description), &untagged(description).data) {
                (Value::Text(text), YamlData::Value(Scalar::String(_))) => text,
                _ => {
                    let message = format!("the description of column `{}` must be a string", name.value);
                    self.error(self.span(description), message);
                    continue;
                }
            };
            // Unquoted names are case-insensitive in most dialects; the exact match wins.
            let found = columns
                .iter()
                .position(|c| c.name.value == name.value)
                .or_else(|| columns.iter().position(|c| c.name.value.eq_ignore_ascii_case(&name.value)));
            match found {
                Some(index) => columns[index].description = Some(description),
                // SQLMesh drops such a description with a warning; without `columns` it keeps
                // them, but they describe no known column here.
                None if !columns.is_empty() => self.out.diagnostics.push(Diagnostic::warning(
                    CODE,
                    name.span,
                    format!("`{}` is not in `columns`; SQLMesh ignores its description", name.value),
                )),
                None => {}
            }
        }
    }

    fn column_name(&mut self, key: &MarkedYaml) -> Option<Spanned<String>> {
        let span = self.span(key);
        match self.scalar(key) {
            Value::Text(text) if key.data.as_str().is_some() => Some(Spanned::new(text, span)),
            Value::Text(text) => {
                self.error(span, format!("column name `{text}` must be a string: quote it"));
                Some(Spanned::new(text, span))
            }
            Value::Null | Value::NotScalar => {
                self.error(span, "column names must be strings");
                None
            }
        }
    }

    /// A scalar field SQLMesh reads as a string; anything else is reported.
    fn text_field(&mut self, field: &str, value: &MarkedYaml) -> Option<String> {
        match self.scalar(value) {
            Value::Text(text) => Some(text),
            Value::Null => None,
            Value::NotScalar => {
                self.error(self.span(value), format!("`{field}` must be a string"));
                None
            }
        }
    }

    /// A scalar as text: strings as parsed, other scalars (`1`, `true`) as written.
    fn scalar(&self, node: &MarkedYaml) -> Value {
        let node = untagged(node);
        match &node.data {
            YamlData::Value(Scalar::Null) => Value::Null,
            YamlData::Value(Scalar::String(text)) => Value::Text(text.to_string()),
            YamlData::Representation(text, ..) => Value::Text(text.to_string()),
            YamlData::Value(_) => Value::Text(self.span(node).text(self.text).to_string()),
            _ => Value::NotScalar,
        }
    }

    /// The span of a list entry: from its `-` to the end of its last value.
    fn entry_span(&self, node: &MarkedYaml) -> Span {
        let span = self.span(node);
        let before = self.text[..span.start as usize].trim_end_matches([' ', '\t']);
        match before.strip_suffix('-') {
            Some(rest) => Span::new(rest.len(), span.end as usize),
            None => span,
        }
    }
}
