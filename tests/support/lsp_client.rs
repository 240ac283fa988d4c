//! An end-to-end LSP client that drives the real `meshls` binary over JSON-RPC on stdio.
//!
//! Modelled on ruff's e2e harness: every message the server sends must be accounted for.
//! Notifications wait in a queue until a test consumes them ([`LspClient::expect_notification`],
//! [`LspClient::diagnostics_for`], [`LspClient::take_notifications`]) or declares a method
//! uninteresting ([`LspClient::ignore`]); server→client requests are answered at once and recorded
//! until [`LspClient::server_requests`] consumes them. [`LspClient::shutdown`] fails the test if
//! anything is left over, so a new message from the server is a test failure until a test looks at it.
//!
//! Every wait has a timeout, and every failure shows the messages still queued and the tail of the
//! server's stderr (its `tracing` log). Set `MESHLS_E2E_TRACE=1` to print every message as it
//! crosses the wire, and the server's stderr as it is written.
//!
//! Include it with `#[path = "support/lsp_client.rs"] mod lsp_client;` (from `benches/`, with
//! `../tests/support/lsp_client.rs`); it brings in `lsp_transport.rs` from beside it.

// Each test file and benchmark that includes this module uses a different part of it.
#![allow(dead_code)]

// A `#[path]` module resolves its own modules beside it, in `tests/support/`.
mod lsp_transport;

use lsp_transport::{Event, Outgoing, Transport};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long [`LspClient::request`] waits for a response unless [`ClientOptions::request_timeout`] says otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long [`LspClient::shutdown`] waits for the process to exit after `exit`.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(10);
/// A settle ends once the server has been quiet this long ...
const SETTLE_QUIET: Duration = Duration::from_millis(150);
/// ... or after this long, if it keeps talking.
const SETTLE_MAX: Duration = Duration::from_secs(5);
/// How much of the server's stderr a failure message shows (its end).
const STDERR_TAIL: usize = 16 * 1024;
/// How much of each queued message a failure message shows.
const MESSAGE_PREVIEW: usize = 1_000;

/// What the client tells the server about itself in `initialize`, and how it starts the process.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// `general.positionEncodings`, in order of preference, e.g. `["utf-8", "utf-16"]`. Empty leaves
    /// the field out, as an LSP 3.16 client does (the server must then use UTF-16).
    pub position_encodings: Vec<String>,
    /// `window.workDoneProgress`: whether the server may create progress with `window/workDoneProgress/create`.
    pub work_done_progress: bool,
    /// `workspace.didChangeWatchedFiles.dynamicRegistration`: whether the server may register file
    /// watchers with `client/registerCapability`.
    pub dynamic_watched_files: bool,
    /// `initializationOptions`, sent as given.
    pub initialization_options: Option<Value>,
    /// Extra environment variables for the server process (for example `RUST_LOG`).
    pub env: Vec<(String, String)>,
    /// Merged over the built capabilities, objects recursively (for example
    /// `{"textDocument": {"completion": {"completionItem": {"snippetSupport": true}}}}`).
    pub extra_capabilities: Option<Value>,
    /// How long [`LspClient::request`] waits for each response.
    pub request_timeout: Duration,
}

impl Default for ClientOptions {
    /// A minimal modern client: UTF-16 positions only, no work-done progress, no dynamic file
    /// watching, no initialization options. Tests opt in to the rest.
    fn default() -> Self {
        ClientOptions {
            position_encodings: vec!["utf-16".to_string()],
            work_done_progress: false,
            dynamic_watched_files: false,
            initialization_options: None,
            env: Vec::new(),
            extra_capabilities: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }
}

/// A running language server and the client side of its JSON-RPC connection.
///
/// A reader thread parses `Content-Length` framed messages from the server's stdout, answers
/// server→client requests on the spot (so a server that awaits an answer never stalls on a test
/// that is not waiting for anything) and forwards everything to this struct through a channel. A
/// writer thread owns the server's stdin. Another thread copies stderr into a buffer.
pub struct LspClient {
    child: Child,
    options: ClientOptions,
    events: Receiver<Event>,
    outgoing: Sender<Outgoing>,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_thread: Option<JoinHandle<()>>,
    /// `workspace/workspaceFolders` is answered with these; shared with the reader thread.
    workspace_folders: Arc<Mutex<Value>>,
    /// `workspace/configuration` is answered from this; shared with the reader thread.
    configuration: Arc<Mutex<Value>>,
    next_id: i64,
    /// Responses that arrived while the client was waiting for something else, by id (as JSON text).
    responses: HashMap<String, Value>,
    /// Notifications not yet consumed, whole messages, in arrival order.
    notifications: VecDeque<Value>,
    /// Server→client requests (already answered) not yet consumed, whole messages, in arrival order.
    server_requests: Vec<Value>,
    ignored: HashSet<String>,
    versions: HashMap<String, i32>,
    stdout_closed: bool,
    exited: bool,
    shut_down: bool,
    /// Set once a failure message has shown the server's stderr, so `Drop` does not print it again.
    stderr_shown: bool,
    trace: bool,
}

/// How a wait treats the server closing its stdout.
#[derive(Clone, Copy, PartialEq)]
enum Closing {
    /// A crash: fail the test.
    Unexpected,
    /// After `exit`: fine.
    Expected,
}

impl LspClient {
    /// Starts `binary args...` with piped stdio and the threads that talk to it. Does not initialize.
    pub fn start(binary: &Path, args: &[&str], options: ClientOptions) -> LspClient {
        let trace = std::env::var_os("MESHLS_E2E_TRACE").is_some_and(|value| !value.is_empty() && value != "0");
        let mut command = Command::new(binary);
        command.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        if std::env::var_os("RUST_BACKTRACE").is_none() {
            command.env("RUST_BACKTRACE", "1");
        }
        command.envs(options.env.iter().map(|(key, value)| (key, value)));
        let mut child = command.spawn().unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));

        let Transport { events, outgoing, stderr, stderr_thread, workspace_folders, configuration } =
            lsp_transport::connect(&mut child, trace);

        LspClient {
            child,
            options,
            events,
            outgoing,
            stderr,
            stderr_thread: Some(stderr_thread),
            workspace_folders,
            configuration,
            next_id: 1,
            responses: HashMap::new(),
            notifications: VecDeque::new(),
            server_requests: Vec::new(),
            ignored: HashSet::new(),
            versions: HashMap::new(),
            stdout_closed: false,
            exited: false,
            shut_down: false,
            stderr_shown: false,
            trace,
        }
    }

    /// The `initialize` handshake: sends `initialize` for `workspace_folders` (the first is also
    /// `rootUri`) with capabilities built from the [`ClientOptions`], waits for the result, sends
    /// `initialized`. Returns the `InitializeResult`.
    pub fn initialize(&mut self, workspace_folders: &[&Path]) -> Value {
        let folders: Vec<Value> = workspace_folders
            .iter()
            .map(|path| {
                let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into());
                json!({ "uri": file_uri(path), "name": name })
            })
            .collect();
        let root_uri = folders.first().map_or(Value::Null, |folder| folder["uri"].clone());
        *self.workspace_folders.lock().unwrap() = Value::Array(folders.clone());

        let mut params = json!({
            "processId": std::process::id(),
            "clientInfo": { "name": "meshls-e2e", "version": "0" },
            "rootUri": root_uri,
            "workspaceFolders": folders,
            "capabilities": self.capabilities(),
            "trace": "off",
        });
        if let Some(options) = &self.options.initialization_options {
            params["initializationOptions"] = options.clone();
        }
        let result = match self.request("initialize", params) {
            Ok(result) => result,
            Err(error) => self.fail(format!("`initialize` failed: {error}")),
        };
        self.notify("initialized", json!({}));
        result
    }

    fn capabilities(&self) -> Value {
        let options = &self.options;
        let mut capabilities = json!({
            "window": { "workDoneProgress": options.work_done_progress },
            "workspace": {
                "applyEdit": true,
                "workspaceEdit": { "documentChanges": true },
                "workspaceFolders": true,
                "didChangeWatchedFiles": {
                    "dynamicRegistration": options.dynamic_watched_files,
                    "relativePatternSupport": true,
                },
            },
            "textDocument": {
                "synchronization": { "dynamicRegistration": false, "didSave": true, "willSave": false, "willSaveWaitUntil": false },
                "hover": { "dynamicRegistration": false, "contentFormat": ["markdown", "plaintext"] },
                "definition": { "dynamicRegistration": false, "linkSupport": true },
                "publishDiagnostics": {
                    "relatedInformation": true,
                    "versionSupport": true,
                    "codeDescriptionSupport": true,
                    "dataSupport": true,
                },
            },
        });
        if !options.position_encodings.is_empty() {
            capabilities["general"] = json!({ "positionEncodings": options.position_encodings });
        }
        if let Some(extra) = &options.extra_capabilities {
            merge(&mut capabilities, extra);
        }
        capabilities
    }

    /// The settings `workspace/configuration` is answered from from now on (an object of
    /// sections, e.g. `{"meshls": {...}}`; `null` answers `null` to every item, the default).
    pub fn set_configuration(&mut self, settings: Value) {
        *self.configuration.lock().unwrap() = settings;
    }

    /// Sends a request and waits ([`ClientOptions::request_timeout`]) for the response with its id:
    /// `Ok(result)`, or `Err(error object)` for an error response. Whatever else arrives meanwhile is queued.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.request_with_timeout(method, params, self.options.request_timeout)
    }

    /// [`LspClient::request`] with its own timeout.
    pub fn request_with_timeout(&mut self, method: &str, params: Value, timeout: Duration) -> Result<Value, Value> {
        let id = self.send_request(method, params);
        self.response(id, method, timeout)
    }

    /// Sends a request without waiting for its response; returns its id for
    /// [`LspClient::response`] (or for `$/cancelRequest`).
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(message(Some(id), method, params));
        id
    }

    /// Waits for the response to request `id` (sent as `method`), as [`LspClient::request`].
    pub fn response(&mut self, id: i64, method: &str, timeout: Duration) -> Result<Value, Value> {
        let key = Value::from(id).to_string();
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(mut response) = self.responses.remove(&key) {
                return match response.get_mut("error") {
                    Some(error) => Err(error.take()),
                    None => Ok(response.get_mut("result").map(Value::take).unwrap_or(Value::Null)),
                };
            }
            if !self.pump(deadline, Closing::Unexpected) {
                self.fail(format!("timed out after {timeout:?} waiting for the response to `{method}` (id {id})"));
            }
        }
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(message(None, method, params));
    }

    /// The params of the first notification of `method` whose params satisfy `matches`, taken from
    /// the queue or waited for (up to `timeout`). Other notifications stay queued.
    pub fn expect_notification(&mut self, method: &str, timeout: Duration, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.notifications.iter().position(|message| {
                message["method"] == method && matches(message.get("params").unwrap_or(&Value::Null))
            });
            if let Some(index) = found {
                let mut message = self.notifications.remove(index).expect("index from position");
                return message.get_mut("params").map(Value::take).unwrap_or(Value::Null);
            }
            if !self.pump(deadline, Closing::Unexpected) {
                self.fail(format!("timed out after {timeout:?} waiting for a matching `{method}` notification"));
            }
        }
    }

    /// The diagnostics of the first `textDocument/publishDiagnostics` for `uri` whose diagnostics
    /// satisfy `matches`, waited for up to `timeout`. Earlier publishes for `uri` that do not match
    /// are consumed (they were superseded); later ones stay queued.
    pub fn diagnostics_for(&mut self, uri: &str, timeout: Duration, matches: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        const METHOD: &str = "textDocument/publishDiagnostics";
        let deadline = Instant::now() + timeout;
        let mut superseded = Vec::new();
        loop {
            while let Some(index) = self
                .notifications
                .iter()
                .position(|message| message["method"] == METHOD && message["params"]["uri"] == uri)
            {
                let mut message = self.notifications.remove(index).expect("index from position");
                let diagnostics = match message["params"].get_mut("diagnostics").map(Value::take) {
                    Some(Value::Array(diagnostics)) => diagnostics,
                    other => self.fail(format!("{METHOD} for {uri} without a diagnostics array: {other:?}")),
                };
                if matches(&diagnostics) {
                    return diagnostics;
                }
                superseded.push(Value::Array(diagnostics));
            }
            if !self.pump(deadline, Closing::Unexpected) {
                let seen = superseded.iter().map(|d| format!("\n  {}", preview(d))).collect::<String>();
                self.fail(format!(
                    "timed out after {timeout:?} waiting for matching diagnostics for {uri}; \
                     publishes for it that did not match ({}):{seen}",
                    superseded.len()
                ));
            }
        }
    }

    /// The params of every queued notification of `method`, consumed, after waiting for the server
    /// to go quiet (see [`LspClient::settle`]).
    pub fn take_notifications(&mut self, method: &str) -> Vec<Value> {
        self.settle();
        let (taken, kept) = std::mem::take(&mut self.notifications).into_iter().partition(|m| m["method"] == method);
        self.notifications = kept;
        taken.into_iter().map(|mut message| message.get_mut("params").map(Value::take).unwrap_or(Value::Null)).collect()
    }

    /// Drops messages of `method` (notifications or server requests, the latter still answered) from
    /// now on, and any already queued: a deliberate "this test does not care", e.g. `window/logMessage`.
    pub fn ignore(&mut self, method: &str) {
        self.ignored.insert(method.to_string());
        self.notifications.retain(|message| message["method"] != method);
        self.server_requests.retain(|message| message["method"] != method);
    }

    /// The params of every recorded server→client request of `method`, consumed, after waiting for
    /// the server to go quiet (see [`LspClient::settle`]). Each was answered when it arrived:
    /// `workspace/applyEdit` with `{"applied": true}`, `workspace/configuration` with a `null` per
    /// item unless [`LspClient::set_configuration`] gave settings, `workspace/workspaceFolders` with the folders given to `initialize`, `window/showDocument`
    /// with `{"success": true}`, the `client/(un)registerCapability`, `window/workDoneProgress/create`,
    /// `window/showMessageRequest` and `workspace/*/refresh` requests with `null`, and any other
    /// method with a "method not found" error.
    pub fn server_requests(&mut self, method: &str) -> Vec<Value> {
        self.settle();
        let (taken, kept) = std::mem::take(&mut self.server_requests).into_iter().partition(|m| m["method"] == method);
        self.server_requests = kept;
        taken.into_iter().map(|mut message| message.get_mut("params").map(Value::take).unwrap_or(Value::Null)).collect()
    }

    /// The params of the first server→client request of `method` whose params satisfy `matches`,
    /// taken from the record or waited for (up to `timeout`). It has already been answered.
    pub fn expect_server_request(
        &mut self,
        method: &str,
        timeout: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.server_requests.iter().position(|message| {
                message["method"] == method && matches(message.get("params").unwrap_or(&Value::Null))
            });
            if let Some(index) = found {
                let mut message = self.server_requests.remove(index);
                return message.get_mut("params").map(Value::take).unwrap_or(Value::Null);
            }
            if !self.pump(deadline, Closing::Unexpected) {
                self.fail(format!(
                    "timed out after {timeout:?} waiting for a matching `{method}` request from the server"
                ));
            }
        }
    }

    /// Waits until the server has sent nothing for a short while (150 ms, at most 5 s in all),
    /// queueing what arrives. A heuristic: wait for a specific message instead where there is one.
    pub fn settle(&mut self) {
        let start = Instant::now();
        loop {
            let quiet_until = (Instant::now() + SETTLE_QUIET).min(start + SETTLE_MAX);
            if !self.pump(quiet_until, Closing::Unexpected) || Instant::now() >= start + SETTLE_MAX {
                return;
            }
        }
    }

    /// `textDocument/didOpen` at version 1.
    pub fn open(&mut self, uri: &str, language_id: &str, text: &str) {
        if self.versions.contains_key(uri) {
            self.fail(format!("{uri} is already open"));
        }
        self.versions.insert(uri.to_string(), 1);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language_id, "version": 1, "text": text } }),
        );
    }

    /// `textDocument/didChange` at the document's next version; `changes` is the `contentChanges`
    /// array, e.g. `json!([{ "range": range(0, 0, 0, 3), "text": "new" }])` or `json!([{ "text": "whole file" }])`.
    pub fn change(&mut self, uri: &str, changes: Value) {
        let Some(version) = self.versions.get_mut(uri) else {
            self.fail(format!("change to {uri}, which is not open"))
        };
        *version += 1;
        let version = *version;
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
    }

    /// `textDocument/didClose`.
    pub fn close(&mut self, uri: &str) {
        if self.versions.remove(uri).is_none() {
            self.fail(format!("close of {uri}, which is not open"));
        }
        self.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    }

    /// The version the client last sent for `uri`, if it is open.
    pub fn version(&self, uri: &str) -> Option<i32> {
        self.versions.get(uri).copied()
    }

    /// The server process's id (for reading `/proc/<pid>/status`, profiling).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server has written to stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// `shutdown` (which must return `null`), then `exit`; waits up to 10 s for the process to exit
    /// with code 0 (with stdin still open: `exit` alone must end it). Then fails the test if any
    /// message is unaccounted for: queued notifications, unconsumed server requests, responses
    /// nobody asked for, or anything that arrived after `shutdown`. The failure lists every one.
    pub fn shutdown(mut self) {
        match self.request("shutdown", Value::Null) {
            Ok(Value::Null) => {}
            Ok(other) => self.fail(format!("`shutdown` returned {other} instead of null")),
            Err(error) => self.fail(format!("`shutdown` failed: {error}")),
        }
        self.notify("exit", Value::Null);
        let status = self.wait_for_exit(EXIT_TIMEOUT).unwrap_or_else(|| {
            self.fail(format!(
                "the server did not exit within {EXIT_TIMEOUT:?} of `exit` (the client keeps its stdin open: \
                 `exit` alone must end the process)"
            ))
        });
        self.exited = true;
        if status.code() != Some(0) {
            self.fail(format!("the server exited with {status} after shutdown and exit, not code 0"));
        }
        let _ = self.outgoing.send(Outgoing::Close);
        // Collect whatever the server wrote before it exited.
        let deadline = Instant::now() + Duration::from_secs(2);
        while !self.stdout_closed && self.pump(deadline, Closing::Expected) {}
        self.join_stderr(Duration::from_secs(2));
        if !self.unaccounted().is_empty() {
            self.fail("messages from the server were not accounted for by the test".to_string());
        }
        self.shut_down = true;
    }

    /// Sends `exit` without `shutdown` and returns the exit code (the LSP says 1), or `None` if
    /// killed by a signal. Unaccounted messages are not checked: this is for testing the exit path.
    pub fn exit_without_shutdown(mut self) -> Option<i32> {
        self.notify("exit", Value::Null);
        let status = self
            .wait_for_exit(EXIT_TIMEOUT)
            .unwrap_or_else(|| self.fail(format!("the server did not exit within {EXIT_TIMEOUT:?} of `exit`")));
        self.exited = true;
        self.shut_down = true;
        status.code()
    }

    /// Waits for the process to exit, queueing what it still sends.
    fn wait_for_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait on the server") {
                return Some(status);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            let step = (now + Duration::from_millis(20)).min(deadline);
            if self.stdout_closed {
                thread::sleep(step - now);
            } else {
                self.pump(step, Closing::Expected);
            }
        }
    }

    fn join_stderr(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.stderr_thread.as_ref().is_some_and(|thread| !thread.is_finished()) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        if let Some(thread) = self.stderr_thread.take_if(|thread| thread.is_finished()) {
            let _ = thread.join();
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        if self.trace {
            eprintln!("[lsp client →] {body}");
        }
        if self.outgoing.send(Outgoing::Frame(lsp_transport::frame(&body))).is_err() {
            self.fail(format!("cannot send {}: the writer thread has stopped", preview(&message)));
        }
    }

    /// Handles one event from the threads, waiting until `deadline`. False on timeout.
    fn pump(&mut self, deadline: Instant, closing: Closing) -> bool {
        if self.stdout_closed {
            if closing == Closing::Expected {
                return false;
            }
            self.fail_closed();
        }
        let timeout = deadline.saturating_duration_since(Instant::now());
        let event = match self.events.recv_timeout(timeout) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => return false,
            // The reader thread always reports StdoutClosed before it ends, so this is unreachable
            // in practice; treat it the same way.
            Err(RecvTimeoutError::Disconnected) => Event::StdoutClosed,
        };
        match event {
            Event::Message(message) => {
                if let Some(method) = message.get("method").and_then(Value::as_str) {
                    if !self.ignored.contains(method) {
                        self.notifications.push_back(message);
                    }
                } else {
                    self.responses.insert(message["id"].to_string(), message);
                }
            }
            Event::ServerRequest(message) => {
                if !message["method"].as_str().is_some_and(|method| self.ignored.contains(method)) {
                    self.server_requests.push(message);
                }
            }
            Event::StdoutClosed => {
                self.stdout_closed = true;
                if closing == Closing::Unexpected {
                    self.fail_closed();
                }
            }
            Event::ProtocolError(error) => self.fail(format!("the server broke the protocol on stdout: {error}")),
            Event::WriteFailed(error) => {
                if closing == Closing::Unexpected {
                    self.fail(format!("writing to the server's stdin failed: {error}"));
                }
            }
        }
        true
    }

    fn fail_closed(&mut self) -> ! {
        let status = self.wait_for_exit(Duration::from_secs(2));
        self.exited = status.is_some();
        let status =
            status.map_or_else(|| "it is still running".to_string(), |status| format!("it exited with {status}"));
        self.fail(format!("the server closed its stdout unexpectedly ({status})"))
    }

    /// Every message not accounted for, one line each.
    fn unaccounted(&self) -> Vec<String> {
        let notifications =
            self.notifications.iter().map(|m| format!("notification {}: {}", m["method"], preview(&m["params"])));
        let requests = self
            .server_requests
            .iter()
            .map(|m| format!("server request {} (answered): {}", m["method"], preview(&m["params"])));
        let mut responses: Vec<_> = self.responses.values().collect();
        responses.sort_by_key(|m| m["id"].to_string());
        let responses = responses.into_iter().map(|m| format!("response nobody waited for: {}", preview(m)));
        notifications.chain(requests).chain(responses).collect()
    }

    /// Panics with `message`, the unaccounted messages and the tail of the server's stderr.
    fn fail(&mut self, message: String) -> ! {
        let unaccounted = self.unaccounted();
        let mut report =
            format!("meshls e2e: {message}\n--- unaccounted messages from the server ({}) ---\n", unaccounted.len());
        for line in &unaccounted {
            report.push_str(line);
            report.push('\n');
        }
        report.push_str(&self.stderr_report());
        self.stderr_shown = true;
        panic!("{report}");
    }

    fn stderr_report(&self) -> String {
        let stderr = self.stderr();
        let tail_start = stderr.len().saturating_sub(STDERR_TAIL);
        let tail_start = (tail_start..stderr.len()).find(|&i| stderr.is_char_boundary(i)).unwrap_or(stderr.len());
        let omitted = if tail_start > 0 {
            format!(", last {} of {} bytes", stderr.len() - tail_start, stderr.len())
        } else {
            String::new()
        };
        format!("--- server stderr{omitted} ---\n{}\n--- end of server stderr ---", &stderr[tail_start..])
    }
}

impl Drop for LspClient {
    /// Kills the server if it is still running. A client dropped without [`LspClient::shutdown`]
    /// fails the test (its messages would go unchecked), unless the test is already failing, in
    /// which case the server's stderr is printed, if no failure message showed it yet.
    fn drop(&mut self) {
        if !self.exited {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if thread::panicking() {
            if !self.stderr_shown {
                self.join_stderr(Duration::from_millis(500));
                eprintln!("meshls e2e: the test failed while the server was running.\n{}", self.stderr_report());
            }
        } else if !self.shut_down {
            self.stderr_shown = true;
            panic!("meshls e2e: LspClient dropped without shutdown(); call it so unaccounted messages fail the test");
        }
    }
}

/// A `file://` URI for `path` (made absolute against the current directory if relative), with
/// every byte other than ASCII letters, digits, `-._~` and `/` percent-encoded, as VS Code writes them.
pub fn file_uri(path: &Path) -> String {
    let absolute = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap().join(path) };
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(absolute.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = {
        let text = absolute.to_string_lossy().replace('\\', "/");
        if text.starts_with('/') { text.into_bytes() } else { format!("/{text}").into_bytes() }
    };
    let mut uri = String::from("file://");
    for byte in bytes {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// An LSP `Range` (zero-based lines and characters in the negotiated encoding).
pub fn range(start_line: u32, start_character: u32, end_line: u32, end_character: u32) -> Value {
    json!({
        "start": { "line": start_line, "character": start_character },
        "end": { "line": end_line, "character": end_character },
    })
}

/// An LSP `Position`.
pub fn position(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

/// A request (with an id) or a notification; `null` params are left out, as for `shutdown` and `exit`.
fn message(id: Option<i64>, method: &str, params: Value) -> Value {
    let mut message = json!({ "jsonrpc": "2.0", "method": method });
    if let Some(id) = id {
        message["id"] = id.into();
    }
    if !params.is_null() {
        message["params"] = params;
    }
    message
}

/// Merges `patch` into `base`: objects key by key, recursively; anything else replaces.
fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            for (key, value) in patch {
                merge(base.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
        (base, patch) => *base = patch.clone(),
    }
}

/// A message shortened for a failure report.
fn preview(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= MESSAGE_PREVIEW {
        return text;
    }
    let end = (0..=MESSAGE_PREVIEW).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    format!("{}… ({} bytes)", &text[..end], text.len())
}
