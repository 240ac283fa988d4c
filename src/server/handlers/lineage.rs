//! `meshls/columnLineage`: the column lineage graph around `{textDocument, position}` or
//! `{model, column?}`, with `direction` (`upstream`, `downstream`, `both`: the default) and
//! `depth` (default: no limit). Null when there is no column there.

use crate::analysis::lineage::{Direction, LineageGraph, column_graph, columns_at, named_columns};
use crate::server::backend::Backend;
use crate::server::convert::offset;
use crate::server::schedule::BackgroundRequest;
use crate::syntax::line_index::LineIndex;
use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{Position, Uri};

/// `meshls/columnLineage`: on the worker pool, over every project.
pub struct ColumnLineage;

impl BackgroundRequest for ColumnLineage {
    const NAME: &'static str = "meshls/columnLineage";
    type Params = Value;
    type Response = Option<LineageGraph>;

    fn document(_: &Value) -> Option<Uri> {
        None
    }

    fn run(backend: &Backend, params: Value) -> Result<Option<LineageGraph>> {
        Ok(column_lineage(backend, &params))
    }
}

fn column_lineage(backend: &Backend, params: &Value) -> Option<LineageGraph> {
    let direction = match params.get("direction").and_then(Value::as_str) {
        Some(text) => Direction::parse(text)?,
        None => Direction::Both,
    };
    let depth = params.get("depth").and_then(Value::as_u64).map(|d| d as usize);
    let (project, starts) = match params.get("model").and_then(Value::as_str) {
        Some(model) => {
            let column = params.get("column").and_then(Value::as_str);
            backend.state.projects().into_iter().find_map(|p| {
                let starts = named_columns(&p, model, column)?;
                Some((p, starts))
            })?
        }
        None => {
            let uri: Uri = serde_json::from_value(params.get("textDocument")?.get("uri")?.clone()).ok()?;
            let position: Position = serde_json::from_value(params.get("position")?.clone()).ok()?;
            let (project, text, file) = backend.parsed(&uri)?;
            let at = offset(&text, &LineIndex::new(&text), position, backend.state.encoding());
            let starts = columns_at(&project, file.facts.models.first()?, at)?;
            (project, starts)
        }
    };
    Some(column_graph(&project, &starts, direction, depth))
}
