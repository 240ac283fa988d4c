//! External model files: `external_models.yaml`, the files in `external_models/`, and the legacy
//! `schema.yaml`.
//!
//! Each is a YAML list with one mapping per external model, as SQLMesh's loader reads it:
//!
//! ```yaml
//! - name: raw.events            # required: [catalog.][schema.]table
//!   description: Raw click events
//!   columns:                    # column name: data type
//!     id: int
//!     ts: timestamp
//!   column_descriptions:        # column name: description
//!     id: The event id
//!   gateway: prod               # only used when this gateway is selected
//!   dialect: duckdb             # dialect of the name and the data types
//! ```
//!
//! Any other field of a SQLMesh model is accepted too (SQLMesh passes the whole mapping on to
//! its model class); a field it does not know makes SQLMesh reject the file. SQLMesh also fails
//! the whole file on one bad entry; here every good entry still loads and each problem becomes a
//! diagnostic, so the editor keeps working on a half-written file.

use std::collections::HashMap;

use saphyr::{AnnotatedMapping, MarkedYaml, Scalar, YamlData};
use serde::Serialize;

use crate::syntax::span::{Diagnostic, Span, Spanned};
use crate::syntax::yaml::{Spans, YamlText, list_item_ranges, untagged};

const CODE: &str = "external-models";

/// Fields of an external model that SQLMesh accepts (`ExternalModel.all_fields()` in 0.236).
#[rustfmt::skip] // one long list reads better packed than one name a line
const KNOWN_FIELDS: &[&str] = &[
    "allow_partials", "audit_definitions", "audits", "clustered_by", "column_descriptions",
    "columns", "cron", "cron_tz", "dbt_node_info", "default_catalog", "depends_on", "description",
    "dialect", "enabled", "end", "extract_dependencies_from_query", "formatting", "gateway",
    "grains", "grants", "grants_target_layer", "ignored_rules", "interval_unit", "jinja_macros",
    "kind", "mapping_schema", "name", "on_virtual_update", "optimize_query", "owner",
    "partitioned_by", "physical_properties", "physical_schema_override", "physical_version",
    "post_statements", "pre_statements", "project", "python_env", "references", "retention",
    "session_properties", "signals", "source_type", "stamp", "start", "storage_format",
    "table_format", "tags", "virtual_environment_mode", "virtual_properties",
];

/// One external model: a table SQLMesh does not build but whose columns it knows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExternalModel {
    /// The model name as written (e.g. `raw.events`); the span is that of the YAML value,
    /// quotes included.
    pub name: Spanned<String>,
    /// The whole list entry, from its `-` to the end of its last value.
    pub entry: Span,
    /// `description`.
    pub description: Option<String>,
    /// `dialect`, lowercased as SQLMesh stores it.
    pub dialect: Option<String>,
    /// `gateway`, lowercased as SQLMesh stores it: the entry is used only with that gateway.
    pub gateway: Option<String>,
    /// `columns`, in file order, with descriptions from `column_descriptions`.
    pub columns: Vec<ExternalColumn>,
    /// The other fields present, in file order (known to SQLMesh or not).
    pub other: Vec<String>,
}

/// One column of an external model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExternalColumn {
    /// The column name as written, with the span of its YAML key.
    pub name: Spanned<String>,
    /// The data type as written (`int`, `decimal(10, 2)`), or `None` when missing.
    pub data_type: Option<String>,
    /// The column's entry in `column_descriptions`.
    pub description: Option<String>,
}

/// What one external models file declares.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ExternalModels {
    /// The entries that have a name, in file order.
    pub models: Vec<ExternalModel>,
    /// YAML syntax errors (code `yaml-syntax`) and entries SQLMesh would reject
    /// (`external-models`).
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads an external models file. Never fails: problems become diagnostics, and the entries that
/// can be read are returned even when others cannot.
pub fn parse_external_models(text: &str) -> ExternalModels {
    let yaml = YamlText::new(text);
    let mut reader = Reader { text, spans: yaml.spans(0), out: ExternalModels::default() };
    match yaml.load() {
        Ok(documents) => reader.read_documents(&documents),
        Err(error) => {
            // Entries re-read one by one point at the broken one better than the whole file's
            // first error, which may lie in a later, innocent entry.
            let mut found = false;
            for range in list_item_ranges(text) {
                reader.spans = yaml.spans(range.start);
                match yaml.load_range(range) {
                    Ok(documents) => {
                        if let Some(YamlData::Sequence(entries)) = documents.first().map(|d| &untagged(d).data) {
                            entries.iter().for_each(|entry| reader.read_entry(entry));
                        }
                    }
                    Err(error) => {
                        reader.out.diagnostics.push(error);
                        found = true;
                    }
                }
            }
            if !found {
                reader.out.diagnostics.push(error);
            }
        }
    }
    reader.report_duplicates();
    reader.out
}

/// What a scalar field holds.
enum Value {
    Text(String),
    Null,
    /// A sequence, mapping or unresolved alias where a scalar belongs.
    NotScalar,
}

struct Reader<'t> {
    text: &'t str,
    /// Locates the nodes being read: those of the whole file, or of one entry re-read alone.
    spans: Spans<'t>,
    out: ExternalModels,
}

impl Reader<'_> {
    fn span(&self, node: &MarkedYaml) -> Span {
        self.spans.span(node)
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.out.diagnostics.push(Diagnostic::error(CODE, span, message));
    }

    fn read_documents(&mut self, documents: &[MarkedYaml]) {
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

    fn read_entry(&mut self, entry: &MarkedYaml) {
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

    /// SQLMesh rejects two entries for the same model and gateway in one load.
    fn report_duplicates(&mut self) {
        let mut seen: HashMap<(String, Option<String>), usize> = HashMap::new();
        for model in &self.out.models {
            let count = seen.entry((name_key(&model.name.value), model.gateway.clone())).or_default();
            *count += 1;
            if *count > 1 {
                let gateway = model.gateway.as_ref().map(|g| format!(" for gateway `{g}`")).unwrap_or_default();
                let message = format!("external model `{}` is defined more than once{gateway}", model.name.value);
                self.out.diagnostics.push(Diagnostic::error(CODE, model.name.span, message));
            }
        }
    }
}

/// How two model names are compared for duplicates: unquoted names case-insensitively.
/// The project layer does the dialect-aware normalization; this only has to avoid false alarms.
fn name_key(name: &str) -> String {
    if name.contains(['"', '`', '[']) { name.to_string() } else { name.to_lowercase() }
}

/// The known field closest to a misspelled one, if it is close enough to be a likely typo.
fn suggestion(field: &str) -> Option<&'static str> {
    let (distance, known) = KNOWN_FIELDS.iter().map(|known| (edit_distance(field, known), *known)).min()?;
    let len = field.chars().count();
    (distance <= 2.max(len / 4) && distance < len).then_some(known)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;

    /// The parse as text: each span is shown as the text it covers.
    fn render(text: &str) -> String {
        let parsed = parse_external_models(text);
        let mut out = String::new();
        for model in &parsed.models {
            let entry = model.entry.text(text);
            let _ =
                writeln!(out, "model {:?} at {:?}, entry {:?}", model.name.value, model.name.span.text(text), entry);
            let fields =
                [("description", &model.description), ("dialect", &model.dialect), ("gateway", &model.gateway)];
            for (field, value) in fields {
                if let Some(value) = value {
                    let _ = writeln!(out, "  {field}: {value:?}");
                }
            }
            for column in &model.columns {
                let _ = write!(
                    out,
                    "  column {:?} at {:?}: {:?}",
                    column.name.value,
                    column.name.span.text(text),
                    column.data_type
                );
                let _ =
                    writeln!(out, "{}", column.description.as_ref().map(|d| format!(" ({d:?})")).unwrap_or_default());
            }
            if !model.other.is_empty() {
                let _ = writeln!(out, "  other: {}", model.other.join(", "));
            }
        }
        for d in &parsed.diagnostics {
            let _ = writeln!(out, "{:?} {}: {} at {:?}", d.severity, d.code, d.message, d.span.text(text));
        }
        out
    }

    #[test]
    fn reads_every_field() {
        let text = "\
# sources
- name: raw.events
  description: Raw click events
  columns:
    id: int
    ts: timestamp
    amount: decimal(10, 2)
  column_descriptions:
    id: The event id
  gateway: PROD
  dialect: DuckDB
  owner: data
  tags: [raw]

- name: '\"Raw\".\"Users\"'
  columns: {id: bigint, name: text}
";
        insta::assert_snapshot!(render(text), @r#"
        model "raw.events" at "raw.events", entry "- name: raw.events\n  description: Raw click events\n  columns:\n    id: int\n    ts: timestamp\n    amount: decimal(10, 2)\n  column_descriptions:\n    id: The event id\n  gateway: PROD\n  dialect: DuckDB\n  owner: data\n  tags: [raw]"
          description: "Raw click events"
          dialect: "duckdb"
          gateway: "prod"
          column "id" at "id": Some("int") ("The event id")
          column "ts" at "ts": Some("timestamp")
          column "amount" at "amount": Some("decimal(10, 2)")
          other: owner, tags
        model "\"Raw\".\"Users\"" at "'\"Raw\".\"Users\"'", entry "- name: '\"Raw\".\"Users\"'\n  columns: {id: bigint, name: text}"
          column "id" at "id": Some("bigint")
          column "name" at "name": Some("text")
        "#);
    }

    #[test]
    fn a_bad_entry_does_not_hide_its_neighbours() {
        let text = "- name: a\n- description: no name\n  columns:\n    x: int\n- raw.events\n- name:\n- name: [a, b]\n- name: 123\n";
        insta::assert_snapshot!(render(text), @r#"
            model "a" at "a", entry "- name: a"
            model "123" at "123", entry "- name: 123"
            Error external-models: external model has no `name` at "- description: no name"
            Error external-models: an external model is a mapping with at least `name:` at "raw.events"
            Error external-models: `name` is empty at "name"
            Error external-models: `name` must be a string like `db.table` at "[a, b]"
            "#);
    }

    #[test]
    fn wrong_shapes() {
        insta::assert_snapshot!(render("name: raw.events\ncolumns:\n  id: int\n"), @r#"Error external-models: an external models file is a list: start each model with `- name: ...` at "name: raw.events\ncolumns:\n  id: int""#);
        insta::assert_snapshot!(render("just text"), @r#"Error external-models: an external models file is a list of `- name: ...` entries at "just text""#);
        let text = "- name: a\n  columns:\n    - id\n    - ts\n- name: b\n  columns: id int\n  column_descriptions: [a]\n  description: [x]\n";
        insta::assert_snapshot!(render(text), @r#"
            model "a" at "a", entry "- name: a\n  columns:\n    - id\n    - ts"
            model "b" at "b", entry "- name: b\n  columns: id int\n  column_descriptions: [a]\n  description: [x]"
            Error external-models: `columns` must be a mapping of column name to data type (`id: int`), not a list at "- id\n    - ts"
            Error external-models: `columns` must be a mapping of column name to data type (`id: int`) at "id int"
            Error external-models: `description` must be a string at "[x]"
            Error external-models: `column_descriptions` must be a mapping of column name to description at "[a]"
            "#);
    }

    #[test]
    fn columns_and_descriptions() {
        let text = "\
- name: a
  columns:
    id:
    ts: [int]
    1: int
    ? [x]
    : int
    Name: text
  column_descriptions:
    id: x
    name: case-insensitive match
    nope: y
    ts: 5
";
        insta::assert_snapshot!(render(text), @r#"
            model "a" at "a", entry "- name: a\n  columns:\n    id:\n    ts: [int]\n    1: int\n    ? [x]\n    : int\n    Name: text\n  column_descriptions:\n    id: x\n    name: case-insensitive match\n    nope: y\n    ts: 5"
              column "id" at "id": None ("x")
              column "ts" at "ts": None
              column "1" at "1": Some("int")
              column "Name" at "Name": Some("text") ("case-insensitive match")
            Error external-models: column `id` has no data type at "id"
            Error external-models: the data type of column `ts` must be a string like `int` at "[int]"
            Error external-models: column name `1` must be a string: quote it at "1"
            Error external-models: column names must be strings at "[x]"
            Warning external-models: `nope` is not in `columns`; SQLMesh ignores its description at "nope"
            Error external-models: the description of column `ts` must be a string at "5"
            "#);
    }

    #[test]
    fn unknown_fields() {
        let text = "- name: a\n  colums:\n    id: int\n  Name: x\n  descripton: y\n  zzz: 1\n  cron: '@daily'\n";
        insta::assert_snapshot!(render(text), @r#"
            model "a" at "a", entry "- name: a\n  colums:\n    id: int\n  Name: x\n  descripton: y\n  zzz: 1\n  cron: '@daily'"
              other: colums, Name, descripton, zzz, cron
            Error external-models: `colums` is not a field of an external model; did you mean `columns`? at "colums"
            Error external-models: `Name` is not a field of an external model; did you mean `name`? at "Name"
            Error external-models: `descripton` is not a field of an external model; did you mean `description`? at "descripton"
            Error external-models: `zzz` is not a field of an external model at "zzz"
            "#);
    }

    #[test]
    fn duplicate_names() {
        let text = "\
- name: a
- name: A
- name: a
  gateway: dev
- name: a
  gateway: Dev
- name: '\"a\"'
- name: '\"A\"'
";
        insta::assert_snapshot!(render(text), @r#"
            model "a" at "a", entry "- name: a"
            model "A" at "A", entry "- name: A"
            model "a" at "a", entry "- name: a\n  gateway: dev"
              gateway: "dev"
            model "a" at "a", entry "- name: a\n  gateway: Dev"
              gateway: "dev"
            model "\"a\"" at "'\"a\"'", entry "- name: '\"a\"'"
            model "\"A\"" at "'\"A\"'", entry "- name: '\"A\"'"
            Error external-models: external model `A` is defined more than once at "A"
            Error external-models: external model `a` is defined more than once for gateway `dev` at "a"
            "#);
    }

    #[test]
    fn syntax_errors_keep_the_other_entries() {
        // The whole-file error would point at `columns:` of `b`; re-reading entries finds `a`.
        let text = "- name: a\n  x: [1, 2\n- name: b\n  columns:\n    id: int\n";
        insta::assert_snapshot!(render(text), @r#"
            model "b" at "b", entry "- name: b\n  columns:\n    id: int"
              column "id" at "id": Some("int")
            Error yaml-syntax: YAML syntax error: while parsing a flow sequence, expected ',' or ']' at "-"
            "#);
        insta::assert_snapshot!(render("- name: a\n  name: b\n- name: c\n"), @r#"
            model "c" at "c", entry "- name: c"
            Error yaml-syntax: YAML syntax error: duplicated key in mapping at "name"
            "#);
        insta::assert_snapshot!(render("- {name: a, columns: {id: int}}\n- {name: b\n- name: c\n"), @r#"
            model "a" at "a", entry "- {name: a, columns: {id: int}}"
              column "id" at "id": Some("int")
            model "c" at "c", entry "- name: c"
            Error yaml-syntax: YAML syntax error: while parsing a flow mapping, did not find expected ',' or '}' at "-"
            "#);
        insta::assert_snapshot!(render("- name: a\n  description: \"unterminated\n- name: b\n"), @r#"
            model "b" at "b", entry "- name: b"
            Error yaml-syntax: YAML syntax error: while scanning a quoted scalar, found unexpected end of stream at "\"unterminated"
            "#);
        insta::assert_snapshot!(render("  - name: a\n    x: ]\n  - name: b\n"), @r#"
            model "b" at "b", entry "- name: b"
            Error yaml-syntax: YAML syntax error: misplaced bracket at "]"
            "#);
        insta::assert_snapshot!(render("foo: [\n"), @r#"Error yaml-syntax: YAML syntax error: while parsing a node, did not find expected node content at """#);
    }

    #[test]
    fn documents_and_empty_files() {
        insta::assert_snapshot!(render("- name: a\n---\n- name: b\n"), @r#"
            model "a" at "a", entry "- name: a"
            model "b" at "b", entry "- name: b"
            Error external-models: SQLMesh reads only one YAML document per file at "---"
            "#);
        for text in ["", "# only a comment\n", "---\n", "~\n", "\u{feff}"] {
            assert_eq!(parse_external_models(text), ExternalModels::default(), "{text:?}");
        }
    }

    #[test]
    fn entry_spans() {
        let text = "- name: a\r\n  description: |\r\n    multi\r\n\r\n  # about b\r\n- name: b # trailing\r\n\r\n";
        insta::assert_snapshot!(render(text), @r#"
            model "a" at "a", entry "- name: a\r\n  description: |\r\n    multi"
              description: "multi\n"
            model "b" at "b", entry "- name: b"
            "#);
        insta::assert_snapshot!(render("- !custom\n  name: a\n  columns: !more\n    id: int\n"), @r#"
            model "a" at "a", entry "- !custom\n  name: a\n  columns: !more\n    id: int"
              column "id" at "id": Some("int")
            "#);
    }

    #[test]
    fn merge_keys() {
        let text = "\
- &base
  name: a
  columns:
    id: int
- <<: *base
  name: b
  description: x
- <<: [*base, {owner: me}]
  name: c
- <<: 5
  name: d
";
        insta::assert_snapshot!(render(text), @r#"
            model "a" at "a", entry "- &base\n  name: a\n  columns:\n    id: int"
              column "id" at "id": Some("int")
            model "b" at "b", entry "- <<: *base\n  name: b\n  description: x"
              description: "x"
              column "id" at "id": Some("int")
            model "c" at "c", entry "- <<: [*base, {owner: me}]\n  name: c"
              column "id" at "id": Some("int")
              other: owner
            model "d" at "d", entry "- <<: 5\n  name: d"
            Error external-models: `<<` merges mappings only at "<<"
            "#);
    }

    #[test]
    fn non_ascii_spans_are_bytes() {
        let text = "\u{feff}- name: é.ñ\n  description: Ünïcödé 名前\n  columns:\n    名前: text\n    ü: int\n  column_descriptions:\n    名前: 名前の説明\n- name: 😀.b\n  columns: {ä: int}\n";
        insta::assert_snapshot!(render(text), @r#"
            model "é.ñ" at "é.ñ", entry "- name: é.ñ\n  description: Ünïcödé 名前\n  columns:\n    名前: text\n    ü: int\n  column_descriptions:\n    名前: 名前の説明"
              description: "Ünïcödé 名前"
              column "名前" at "名前": Some("text") ("名前の説明")
              column "ü" at "ü": Some("int")
            model "😀.b" at "😀.b", entry "- name: 😀.b\n  columns: {ä: int}"
              column "ä" at "ä": Some("int")
            "#);
        let parsed = parse_external_models(text);
        assert_eq!(parsed.models[0].name.span, Span::new(11, 16));
        assert_eq!(parsed.models[0].entry.start, 3);
        // After a syntax error the entries are re-read alone; their spans must stay right.
        insta::assert_snapshot!(render("- name: é\n  x: [é\n- name: ü\n  columns: {ß: int}\n- name: ü2\n  y: ]\n"), @r#"
            model "ü" at "ü", entry "- name: ü\n  columns: {ß: int}"
              column "ß" at "ß": Some("int")
            Error yaml-syntax: YAML syntax error: while parsing a flow sequence, expected ',' or ']' at "-"
            Error yaml-syntax: YAML syntax error: misplaced bracket at "]"
            "#);
    }

    #[test]
    fn deep_nesting_is_a_diagnostic() {
        let parsed = parse_external_models(&("- ".repeat(1000) + "x"));
        assert_eq!(parsed.models, []);
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.diagnostics[0].code, "yaml-syntax");
    }

    #[test]
    fn odd_input_never_panics() {
        let samples = [
            "- name: a\n  columns:\n    id: int\n",
            "- {name: é, columns: {x: [}}\n- name: b\n",
            "- &a [*a]\n",
            "- *unknown\n",
            "- name: a\n  <<: *nope\n",
            "- ? - a\n  : b\n",
            "--- - - x\n",
            "- name: \t\r\n\r\r\n",
            "\t- name: a\n",
            "%YAML 1.2\n---\n- name: a\n",
            "- name: 'a\n\n",
            "- |\n x\n- >-\n",
        ];
        for sample in samples {
            for end in 0..=sample.len() {
                if let Some(prefix) = sample.get(..end) {
                    let _ = parse_external_models(prefix);
                }
            }
        }
    }
}
