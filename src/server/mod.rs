//! The language server: the only module that knows LSP. It converts and schedules, nothing
//! else. `backend` dispatches each LSP method to its handler in `handlers/` (one file per
//! method, or per group of methods on one thing), which converts the request, calls `analysis`
//! and converts the answer; `schedule` runs requests on the worker pool and sends diagnostics
//! in order; `state` holds the documents and projects, changed synchronously, in arrival order,
//! before any `.await`.

mod backend;
mod convert;
mod documents;
mod handlers;
mod indexing;
mod schedule;
mod settings;
mod state;

use backend::Backend;
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::{LspService, Server};

/// Serves LSP over stdio until the client says `exit`.
pub fn run() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("meshls: cannot start the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let debug = std::env::var_os("MESHLS_DEBUG").is_some();
        let mut builder = LspService::build(|client| Backend {
            client,
            state: Arc::new(state::State::default()),
            publishing: Arc::default(),
        })
        .custom_method("meshls/debug/documentText", Backend::document_text)
        .custom_method("meshls/columnLineage", Backend::column_lineage);
        if debug {
            builder = builder
                .custom_method("meshls/debug/panic", Backend::debug_panic)
                .custom_method("meshls/debug/sleep", Backend::debug_sleep);
        }
        let (service, socket) = builder.finish();
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    // Work of cancelled requests may still be running on the blocking pool: not waited for.
    runtime.shutdown_background();
    std::process::ExitCode::SUCCESS
}

fn path_of(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}
