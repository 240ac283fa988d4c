//! Workspace notifications: files changed on disk (`didChangeWatchedFiles`, and the watchers
//! registered for it) and workspace folders added or removed.

use crate::server::backend::Backend;
use crate::server::path_of;
use crate::server::schedule::guard;
use serde_json::json;
use std::path::PathBuf;
use tower_lsp_server::ls_types::{DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams, Registration};

pub async fn did_change_watched_files(backend: &Backend, params: DidChangeWatchedFilesParams) {
    files_changed(backend, params.changes.iter().filter_map(|c| path_of(&c.uri)).collect()).await;
}

pub async fn did_change_workspace_folders(backend: &Backend, params: DidChangeWorkspaceFoldersParams) {
    {
        let mut folders = backend.state.folders.write().unwrap_or_else(|e| e.into_inner());
        let removed: Vec<PathBuf> = params.event.removed.iter().filter_map(|f| path_of(&f.uri)).collect();
        folders.retain(|f| !removed.contains(f));
        folders.extend(params.event.added.iter().filter_map(|f| path_of(&f.uri)));
    }
    let support = backend.state.support();
    backend.index(support.progress).await;
}

/// Files changed on disk (watched, or saved by a client that does not watch): re-reads
/// them, or reloads the projects when a config or Jinja macro file changed.
pub async fn files_changed(backend: &Backend, paths: Vec<PathBuf>) {
    let mut affected = Vec::new();
    let mut reload = false;
    for path in paths {
        match guard("files changed", || backend.state.disk_changed(&path)) {
            Ok(Some(paths)) => affected.extend(paths),
            Ok(None) => reload = true,
            Err(_) => {}
        }
    }
    if reload {
        let support = backend.state.support();
        backend.index(support.progress).await;
    } else {
        // A saved change may make a generated file stale.
        affected.extend(backend.state.open_generated());
        affected.sort();
        affected.dedup();
        backend.changed(affected, false, None).await;
    }
}

/// Asks the client to watch the files of SQLMesh projects.
pub async fn register_watchers(backend: &Backend) {
    let options = json!({"watchers": [{"globPattern": "**/*.{sql,py,yaml,yml,csv}"}]});
    let registration = Registration {
        id: "meshls/watched-files".to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: Some(options),
    };
    if let Err(error) = backend.client.register_capability(vec![registration]).await {
        tracing::warn!("the client refused file watchers: {error}");
    }
}
