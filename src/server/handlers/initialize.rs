//! `initialize`: the position encoding, the workspace folders and what the client supports
//! are recorded, the server's capabilities answered; `initialized`: file watchers registered,
//! settings pulled, indexing started.

use super::configuration::pull_settings;
use super::execute_command::{APPLY_FIXES, GENERATE, SHOW_DEPENDENCIES};
use super::workspace::register_watchers;
use crate::server::backend::Backend;
use crate::server::path_of;
use crate::server::state::ClientSupport;
use crate::syntax::line_index::Encoding;
use std::path::PathBuf;
use tower_lsp_server::ls_types::*;

pub fn initialize(backend: &Backend, params: InitializeParams) -> InitializeResult {
    let state = &backend.state;
    let offers_utf8 = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
    let (encoding, kind) = if offers_utf8 {
        (Encoding::Utf8, PositionEncodingKind::UTF8)
    } else {
        (Encoding::Utf16, PositionEncodingKind::UTF16)
    };
    *state.encoding.write().unwrap_or_else(|e| e.into_inner()) = encoding;
    let mut folders: Vec<PathBuf> = params.workspace_folders.iter().flatten().filter_map(|f| path_of(&f.uri)).collect();
    #[allow(deprecated)] // root_uri is the fallback for clients without workspace folders
    if folders.is_empty()
        && let Some(root) = params.root_uri.as_ref().and_then(path_of)
    {
        folders.push(root);
    }
    *state.folders.write().unwrap_or_else(|e| e.into_inner()) = folders;
    *state.support.write().unwrap_or_else(|e| e.into_inner()) = client_support(&params.capabilities);
    InitializeResult {
        capabilities: capabilities(kind, state.support().pull),
        server_info: Some(ServerInfo {
            name: "meshls".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        offset_encoding: None,
    }
}

pub async fn initialized(backend: &Backend) {
    let support = backend.state.support();
    if support.watchers {
        register_watchers(backend).await;
    }
    // Before indexing, so that the first diagnostics already follow the settings.
    if support.configuration {
        pull_settings(backend, false).await;
    }
    let backend = backend.clone();
    tokio::spawn(async move { backend.index(support.progress).await });
}

fn client_support(capabilities: &ClientCapabilities) -> ClientSupport {
    ClientSupport {
        progress: capabilities.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
        watchers: capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        snippets: capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false),
        pull: capabilities.text_document.as_ref().is_some_and(|t| t.diagnostic.is_some()),
        refresh: capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false),
        configuration: capabilities.workspace.as_ref().and_then(|w| w.configuration).unwrap_or(false),
    }
}

/// What the server offers, in the position encoding `kind`; pull diagnostics when the client
/// pulls them.
fn capabilities(kind: PositionEncodingKind, pull: bool) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(kind),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            save: Some(TextDocumentSyncSaveOptions::Supported(true)),
            ..Default::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string(), "@".to_string()]),
            resolve_provider: Some(false),
            ..Default::default()
        }),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
        inlay_hint_provider: Some(OneOf::Left(true)),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".to_string(), ",".to_string()]),
            ..Default::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(
                [CodeActionKind::QUICKFIX, CodeActionKind::SOURCE_FIX_ALL]
                    .into_iter()
                    .chain(crate::codegen::Backend::ALL.map(|b| CodeActionKind::new(b.action_kind())))
                    .collect(),
            ),
            ..Default::default()
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![APPLY_FIXES.to_string(), GENERATE.to_string(), SHOW_DEPENDENCIES.to_string()],
            ..Default::default()
        }),
        // Offered only to clients that pull: others get diagnostics pushed.
        diagnostic_provider: pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("meshls".to_string()),
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: Default::default(),
            })
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}
