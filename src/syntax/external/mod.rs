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
//!   start: 1 week ago           # else model_defaults.start
//!   audits:                     # each a mapping: the audit's name and its arguments
//!     - name: not_null
//!       columns: "[id]"
//! ```
//!
//! Any other field of a SQLMesh model is accepted too (SQLMesh passes the whole mapping on to
//! its model class); a field it does not know makes SQLMesh reject the file. SQLMesh also fails
//! the whole file on one bad entry; here every good entry still loads and each problem becomes a
//! diagnostic, so the editor keeps working on a half-written file.
//!
//! This module holds what a file declares and [`parse_external_models`]; reading the entries
//! and the checks across entries and field names live in submodules.

mod checks;
mod read;
#[cfg(test)]
mod tests;

use saphyr::YamlData;
use serde::Serialize;

use crate::syntax::span::{Diagnostic, Span, Spanned};
use crate::syntax::yaml::{Spans, YamlText, list_item_ranges, untagged};

const CODE: &str = "external-models";

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
    /// `start`, as written (`2024-01-01`, `1 week ago`, epoch milliseconds).
    pub start: Option<String>,
    /// `audits`, in file order.
    pub audits: Vec<ExternalAudit>,
    /// `columns`, in file order, with descriptions from `column_descriptions`.
    pub columns: Vec<ExternalColumn>,
    /// The other fields present, in file order (known to SQLMesh or not).
    pub other: Vec<String>,
}

/// One `- name: not_null` entry of an external model's `audits`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExternalAudit {
    /// The audit's name, lowercased as SQLMesh looks audits up, with the span of its value.
    pub name: Spanned<String>,
    /// Its other keys (lowercased) with their values as written.
    pub args: Vec<(String, String)>,
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

struct Reader<'t> {
    text: &'t str,
    /// Locates the nodes being read: those of the whole file, or of one entry re-read alone.
    spans: Spans<'t>,
    out: ExternalModels,
}
