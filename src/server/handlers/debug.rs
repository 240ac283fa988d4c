//! The `meshls/debug/...` methods, for tests: the server's copy of a document, and, with
//! `MESHLS_DEBUG` set, a request that panics and one that works for a while.

use crate::server::backend::Backend;
use crate::server::path_of;
use crate::server::schedule::{BackgroundRequest, guard};
use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::Uri;

/// `meshls/debug/documentText {uri}`: the server's copy of an open document.
pub fn document_text(backend: &Backend, params: Value) -> Option<String> {
    let uri: Option<Uri> = params.get("uri").and_then(|u| serde_json::from_value(u.clone()).ok());
    uri.and_then(|u| path_of(&u)).and_then(|p| backend.state.documents.get(&p).map(|d| d.text()))
}

/// `meshls/debug/panic`: panics inside a request, to prove the server survives it.
pub fn panic(_: Value) -> Result<Option<String>> {
    guard("meshls/debug/panic", || -> Option<String> { panic!("requested by meshls/debug/panic") })
}

/// `meshls/debug/sleep {ms, textDocument?}`: works for `ms` milliseconds on the worker pool,
/// about a document when one is given (for the cancellation tests).
pub struct Sleep;

impl BackgroundRequest for Sleep {
    const NAME: &'static str = "meshls/debug/sleep";
    type Params = Value;
    type Response = Option<u64>;

    fn document(params: &Value) -> Option<Uri> {
        params.get("textDocument").and_then(|d| serde_json::from_value(d.get("uri")?.clone()).ok())
    }

    fn run(_: &Backend, params: Value) -> Result<Option<u64>> {
        let ms = params.get("ms").and_then(Value::as_u64).unwrap_or(0);
        std::thread::sleep(std::time::Duration::from_millis(ms));
        Ok(Some(ms))
    }
}
