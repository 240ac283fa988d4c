//! Text sync: `didOpen`, `didChange`, `didSave`, `didClose`. Each applies its change to the
//! state before its first `.await` (in arrival order), then sends the diagnostics it changed.

use super::workspace::files_changed;
use crate::server::backend::Backend;
use crate::server::path_of;
use crate::server::schedule::guard;
use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams, Uri,
};

pub async fn did_open(backend: &Backend, params: DidOpenTextDocumentParams) {
    let document = params.text_document;
    let Some(path) = path_of(&document.uri) else { return };
    let unsaved = backend.state.reloads_projects(&path)
        && std::fs::read(&path).ok().is_none_or(|disk| disk != document.text.as_bytes());
    let affected = guard("didOpen", || backend.state.open(&path, &document.text, document.version)).unwrap_or_default();
    if unsaved {
        reindex(backend).await;
    } else {
        backend.changed(affected, true, Some(path)).await;
    }
}

pub async fn did_change(backend: &Backend, params: DidChangeTextDocumentParams) {
    let Some(path) = path_of(&params.text_document.uri) else { return };
    let version = params.text_document.version;
    let affected =
        guard("didChange", || backend.state.change(&path, version, &params.content_changes)).unwrap_or_default();
    if backend.state.reloads_projects(&path) {
        reindex(backend).await;
    } else {
        backend.changed(affected, false, Some(path)).await;
    }
}

/// A config, `meshls.toml` or Jinja macro file changed in its editor: the projects are read
/// again with its buffer.
async fn reindex(backend: &Backend) {
    let support = backend.state.support();
    backend.index(support.progress).await;
}

pub async fn did_save(backend: &Backend, params: DidSaveTextDocumentParams) {
    // A client that watches files reports the save as a file change too.
    if !backend.state.support().watchers
        && let Some(path) = path_of(&params.text_document.uri)
    {
        files_changed(backend, vec![path]).await;
    }
}

pub async fn did_close(backend: &Backend, params: DidCloseTextDocumentParams) {
    let Some(path) = path_of(&params.text_document.uri) else { return };
    let reload = backend.state.reloads_projects(&path);
    let affected = guard("didClose", || backend.state.close(&path)).unwrap_or_default();
    // A closed document's pushed diagnostics are cleared; its consumers are re-checked.
    if !backend.state.support().pull
        && let Some(uri) = Uri::from_file_path(&path)
    {
        let _order = backend.publishing.lock().await;
        backend.client.publish_diagnostics(uri, Vec::new(), None).await;
    }
    if reload {
        // Back to the disk's text.
        reindex(backend).await;
    } else {
        backend.changed(affected.into_iter().filter(|p| *p != path).collect(), false, Some(path)).await;
    }
}
