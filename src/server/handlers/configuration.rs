//! The `meshls` settings: pulled with `workspace/configuration`, or sent with
//! `didChangeConfiguration`, then applied.

use crate::server::backend::Backend;
use crate::server::settings::Settings;
use serde_json::Value;
use std::path::PathBuf;
use tower_lsp_server::ls_types::{ConfigurationItem, DidChangeConfigurationParams};

pub async fn did_change_configuration(backend: &Backend, params: DidChangeConfigurationParams) {
    // A client that answers `workspace/configuration` may send anything here (often null).
    if backend.state.support().configuration {
        pull_settings(backend, true).await;
    } else {
        apply_settings(backend, Settings::from_json(&params.settings), true).await;
    }
}

/// Pulls the `meshls` settings from the client, and applies them (see [`apply_settings`]).
pub async fn pull_settings(backend: &Backend, announce: bool) {
    let items = vec![ConfigurationItem { scope_uri: None, section: Some("meshls".to_string()) }];
    match backend.client.configuration(items).await {
        Ok(values) => {
            apply_settings(backend, Settings::from_json(values.first().unwrap_or(&Value::Null)), announce).await
        }
        Err(error) => tracing::warn!("workspace/configuration failed: {error}"),
    }
}

/// Takes new settings; with `announce`, diagnostics are sent again (or pulled again) when
/// rule levels changed (not before indexing: that sends them all).
async fn apply_settings(backend: &Backend, settings: Settings, announce: bool) {
    let state = &backend.state;
    let before = std::mem::replace(&mut *state.settings.write().unwrap_or_else(|e| e.into_inner()), settings);
    let after = state.settings();
    if after.log_level != before.log_level
        && let Some(level) = &after.log_level
        && !crate::cli::set_log_level(level)
    {
        tracing::info!("meshls.logLevel not applied: MESHLS_LOG sets the log filter");
    }
    if announce && after.rules != before.rules {
        if state.support().pull {
            backend.refresh().await;
        } else {
            let open: Vec<PathBuf> = state.documents.iter().map(|d| d.key().clone()).collect();
            backend.publish(open, false).await;
        }
    }
}
