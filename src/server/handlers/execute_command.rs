//! `workspace/executeCommand`: the server's commands. Runs on the I/O task: it asks the client
//! to show a message or to apply an edit.

use crate::analysis;
use crate::server::backend::Backend;
use crate::server::schedule::guard;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{ExecuteCommandParams, LSPAny, MessageType, Uri};

/// `meshls.applyFixes [uri]`: applies every safe fix of a document through `workspace/applyEdit`.
pub const APPLY_FIXES: &str = "meshls.applyFixes";
/// The code lens command: its arguments are the model and its upstream and downstream models,
/// for the editor to list (the server answers with the same lists).
pub const SHOW_DEPENDENCIES: &str = "meshls.showDependencies";

pub async fn execute_command(backend: &Backend, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
    if params.command == SHOW_DEPENDENCIES {
        // Any client can show a message: the lists, also returned for editors that show
        // them their own way.
        let lists = params.arguments.first().cloned();
        if let Some(message) = lists.as_ref().and_then(dependencies_message) {
            backend.client.show_message(MessageType::INFO, message).await;
        }
        return Ok(lists);
    }
    if params.command != APPLY_FIXES {
        return Err(Error::invalid_params(format!("unknown command {}", params.command)));
    }
    let uri: Option<Uri> = params.arguments.first().and_then(|a| serde_json::from_value(a.clone()).ok());
    let Some(uri) = uri else { return Err(Error::invalid_params("meshls.applyFixes takes a document URI")) };
    let edit = guard("applyFixes", || {
        let (path, _, diagnostics) = backend.current_diagnostics(&uri)?;
        let chosen = analysis::code_action::fix_all(&path, &diagnostics);
        (!chosen.is_empty()).then(|| backend.fix_edit(&path, &chosen)).flatten()
    })?;
    if let Some(edit) = edit
        && let Err(error) = backend.client.apply_edit(edit).await
    {
        tracing::warn!("workspace/applyEdit failed: {error}");
    }
    Ok(None)
}

/// The code lens command's arguments as a message (None when they are not the lists it sent).
fn dependencies_message(lists: &Value) -> Option<String> {
    fn names<'a>(lists: &'a Value, key: &str) -> Option<Vec<&'a str>> {
        Some(lists.get(key)?.as_array()?.iter().filter_map(Value::as_str).collect())
    }
    let model = lists.get("model")?.as_str()?;
    let (upstream, downstream) = (names(lists, "upstream")?, names(lists, "downstream")?);
    Some(analysis::code_lens::dependencies_message(model, &upstream, &downstream))
}
