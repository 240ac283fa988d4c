//! Scheduling, in one place: a request's work runs on the blocking pool, over the state of
//! one moment ([`Backend::background`]); a panic becomes an error response ([`guard`]); and
//! diagnostics go out in the order of the changes, pushed or pulled ([`Backend::changed`]).

use super::backend::Backend;
use super::convert::diagnostic;
use super::path_of;
use crate::syntax::line_index::LineIndex;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{Diagnostic, Uri};

/// A request answered on the worker pool ([`Backend::background`]): what a handler declares.
pub trait BackgroundRequest {
    /// Names the request in logs and error messages.
    const NAME: &'static str;
    type Params: Send + 'static;
    type Response: Send + 'static;
    /// The document the answer is about: when it changes while the work runs, the answer is
    /// `ContentModified`.
    fn document(params: &Self::Params) -> Option<Uri>;
    /// The work: convert the request, ask `analysis`, convert the answer.
    fn run(backend: &Backend, params: Self::Params) -> Result<Self::Response>;
}

thread_local! {
    /// Set on a worker thread while it runs a request: whether the request was cancelled.
    static CANCELLED: std::cell::RefCell<Option<Arc<AtomicBool>>> = const { std::cell::RefCell::new(None) };
}

/// Whether the request this worker thread runs was cancelled (its response is not wanted):
/// long work checks it and stops early.
pub fn cancelled() -> bool {
    CANCELLED.with(|c| c.borrow().as_ref().is_some_and(|flag| flag.load(Ordering::Relaxed)))
}

/// Raises its flag when dropped: the request's future was dropped (cancelled) or it ended.
struct RaiseOnDrop(Arc<AtomicBool>);

impl Drop for RaiseOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs `f`, turning a panic into an error response (and a log line) instead of a crash.
pub fn guard<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        tracing::error!("{what} panicked: {message}");
        let mut error = Error::internal_error();
        error.message = format!("meshls: {what} failed: {message}").into();
        error
    })
}

/// A report's `resultId`: a hash of its diagnostics, so that the same diagnostics always get
/// the same id and a pull with it is answered `unchanged`.
pub fn result_id(items: &[Diagnostic]) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(items).unwrap_or_default().hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

impl Backend {
    /// Answers a request declared as a [`BackgroundRequest`].
    pub async fn answer<R: BackgroundRequest>(&self, params: R::Params) -> Result<R::Response> {
        let document = R::document(&params);
        self.background(R::NAME, document, move |backend| R::run(backend, params)).await?
    }

    /// Runs a request's work on the blocking pool, off the task that reads and writes
    /// JSON-RPC, so that other requests and notifications go on meanwhile and
    /// `$/cancelRequest` is answered at once (the request's future is dropped, and the work
    /// sees [`cancelled`]). A panic
    /// becomes an error response. When the request is about a document that changed while it
    /// ran, the answer is `ContentModified`: the client asks again.
    pub async fn background<T: Send + 'static>(
        &self,
        what: &'static str,
        document: Option<Uri>,
        work: impl FnOnce(&Backend) -> T + Send + 'static,
    ) -> Result<T> {
        let version = |uri: &Uri| path_of(uri).and_then(|p| self.state.documents.get(&p).map(|d| d.version));
        let before = document.as_ref().map(version);
        let this = self.clone();
        let flag = Arc::new(AtomicBool::new(false));
        let _cancel = RaiseOnDrop(Arc::clone(&flag));
        let run = move || {
            CANCELLED.with(|c| *c.borrow_mut() = Some(flag));
            let answer = guard(what, || work(&this));
            CANCELLED.with(|c| *c.borrow_mut() = None);
            answer
        };
        let answer = tokio::task::spawn_blocking(run).await.unwrap_or_else(|error| {
            tracing::error!("{what} did not finish: {error}");
            Err(Error::internal_error())
        });
        if let (Some(uri), Some(before)) = (document.as_ref(), before)
            && version(uri) != before
        {
            return Err(Error::content_modified());
        }
        answer
    }

    /// After a change to `edited` (or to files on disk, None): a client that pulls diagnostics
    /// is asked to pull again when the report of another of `paths` it holds went stale (it
    /// pulls the edited document itself); to other clients, the diagnostics of those `paths`
    /// that are open are pushed, when they changed (or always, with `force`).
    pub async fn changed(&self, paths: Vec<PathBuf>, force: bool, edited: Option<PathBuf>) {
        if !self.state.support().pull {
            return self.publish(paths, force).await;
        }
        let stale = self
            .background("diagnostics", None, move |this| {
                paths.iter().filter(|p| Some(*p) != edited.as_ref()).any(|path| {
                    let Some(held) = this.state.reported.get(path).map(|id| id.clone()) else { return false };
                    this.report(path).map(|(id, ..)| id) != Some(held)
                })
            })
            .await
            .unwrap_or(false);
        if stale {
            self.refresh().await;
        }
    }

    /// Asks a client that pulls diagnostics to pull them all again, when it supports that.
    pub async fn refresh(&self) {
        let support = self.state.support();
        if support.pull
            && support.refresh
            && let Err(error) = self.client.workspace_diagnostic_refresh().await
        {
            tracing::warn!("workspace/diagnostic/refresh failed: {error}");
        }
    }

    /// A file's diagnostics as a pull reports them: a `resultId` that changes when they do,
    /// the version of an open document, the diagnostics. None outside every project.
    pub fn report(&self, path: &Path) -> Option<(String, Option<i32>, Vec<Diagnostic>)> {
        let (text, version, found) = self.state.file_diagnostics(path)?;
        let items = self.converted(path, text, &found);
        Some((result_id(&items), version, items))
    }

    /// Diagnostics of `path` converted with its text (read when not given).
    pub fn converted(&self, path: &Path, text: Option<String>, found: &[crate::syntax::Diagnostic]) -> Vec<Diagnostic> {
        if found.is_empty() {
            return Vec::new();
        }
        let text = text.or_else(|| self.state.text(path)).unwrap_or_default();
        let (index, encoding) = (LineIndex::new(&text), self.state.encoding());
        found.iter().map(|d| diagnostic(&text, &index, encoding, d)).collect()
    }

    /// Publishes the diagnostics of those `paths` that are open, when they changed (or always,
    /// with `force`).
    pub async fn publish(&self, paths: Vec<PathBuf>, force: bool) {
        if paths.is_empty() {
            return;
        }
        let _order = self.publishing.lock().await;
        // Computed off the I/O task; each document at its version when computed.
        let found = self
            .background("diagnostics", None, move |this| {
                let each = |path: &PathBuf| guard("diagnostics", || this.diagnostics_of(path, force)).ok().flatten();
                paths.iter().filter_map(each).collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
        for (uri, version, diagnostics) in found {
            self.client.publish_diagnostics(uri, diagnostics, Some(version)).await;
        }
    }

    fn diagnostics_of(&self, path: &Path, force: bool) -> Option<(Uri, i32, Vec<Diagnostic>)> {
        let (text, version, found) = self.state.diagnostics(path)?;
        if !force && self.state.published.get(path).is_some_and(|old| *old == found) {
            return None;
        }
        let encoding = self.state.encoding();
        let index = LineIndex::new(&text);
        let converted = found.iter().map(|d| diagnostic(&text, &index, encoding, d)).collect();
        self.state.published.insert(path.to_path_buf(), found);
        Some((Uri::from_file_path(path)?, version, converted))
    }
}
