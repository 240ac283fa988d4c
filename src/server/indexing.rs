//! Indexing the workspace: every project's files read on the blocking pool in chunks, with
//! `$/progress` reports, then the diagnostics of the open documents sent.

use super::backend::Backend;
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp_server::ls_types::{NumberOrString, WorkDoneProgressCreateParams, request};

/// Files are indexed in chunks of this many, with a progress report after each.
const INDEX_CHUNK: usize = 1000;

impl Backend {
    /// Indexes every project of the workspace, reporting progress, then publishes the
    /// diagnostics of the open documents.
    pub async fn index(&self, progress: bool) {
        let opened = self.state.open_projects();
        let total: usize = opened.iter().map(|(_, files)| files.len()).sum();
        let token = NumberOrString::String("meshls/index".to_string());
        let ongoing = if progress
            && self
                .client
                .send_request::<request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams { token: token.clone() })
                .await
                .is_ok()
        {
            Some(self.client.progress(token, "Indexing SQLMesh projects").with_percentage(0).begin().await)
        } else {
            None
        };
        let started = std::time::Instant::now();
        let mut done = 0;
        for (project, files) in opened {
            for chunk in files.chunks(INDEX_CHUNK) {
                let (project, files) = (Arc::clone(&project), chunk.to_vec());
                if let Err(error) = tokio::task::spawn_blocking(move || project.load_files(&files)).await {
                    tracing::error!("indexing failed: {error}");
                }
                done += chunk.len();
                if let Some(ongoing) = &ongoing {
                    let percent = (done * 100 / total.max(1)) as u32;
                    ongoing.report_with_message(format!("{done}/{total} files"), percent).await;
                }
            }
            project.set_indexed();
        }
        // Open buffers win over what was read from disk.
        let open: Vec<(PathBuf, String)> = self.state.documents.iter().map(|d| (d.key().clone(), d.text())).collect();
        for (path, text) in &open {
            if let Some(project) = self.state.project_of(path) {
                project.set_file(path, Some(text.as_bytes()));
            }
        }
        tracing::info!("indexed {total} files in {:.0?}", started.elapsed());
        if let Some(ongoing) = ongoing {
            ongoing.finish_with_message(format!("{total} files")).await;
        }
        // Documents opened meanwhile were answered from what was indexed then; send only changes.
        // Reports pulled meanwhile saw a partial project: all pulled again.
        if self.state.support().pull {
            self.refresh().await;
        } else {
            self.publish(open.into_iter().map(|(p, _)| p).collect(), false).await;
        }
    }
}
