//! The wire side of the e2e LSP client: the threads that own the server's pipes, `Content-Length`
//! framing, and the client's answers to server→client requests.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

/// What the reader and writer threads report.
pub enum Event {
    /// A notification or a response.
    Message(Value),
    /// A server→client request, already answered.
    ServerRequest(Value),
    /// The server closed its stdout (it exited or crashed).
    StdoutClosed,
    /// The server wrote something that is not a framed JSON-RPC message; reading stopped.
    ProtocolError(String),
    /// Writing to the server's stdin failed.
    WriteFailed(String),
}

/// What the writer thread is asked to do.
pub enum Outgoing {
    /// Write this frame (see [`frame`]).
    Frame(Vec<u8>),
    /// Close the server's stdin.
    Close,
}

/// The channels and buffers shared with the threads started by [`connect`].
pub struct Transport {
    /// Everything the server sends, and the threads' failures, in order.
    pub events: Receiver<Event>,
    /// Frames for the server's stdin.
    pub outgoing: Sender<Outgoing>,
    /// Everything the server has written to stderr.
    pub stderr: Arc<Mutex<Vec<u8>>>,
    /// The thread copying stderr; it ends when the server closes stderr.
    pub stderr_thread: JoinHandle<()>,
    /// `workspace/workspaceFolders` is answered with this (`null` until set).
    pub workspace_folders: Arc<Mutex<Value>>,
    /// `workspace/configuration` items are answered from this object, by section (`null`
    /// where it has none).
    pub configuration: Arc<Mutex<Value>>,
}

/// Takes the child's piped stdin, stdout and stderr and starts a thread on each: the writer (owns
/// stdin), the reader (parses stdout, answers server requests on the spot so a server awaiting an
/// answer never stalls on a test that is not waiting for anything) and the stderr copier.
/// `trace` prints every message and the server's stderr as they pass.
pub fn connect(child: &mut Child, trace: bool) -> Transport {
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr_pipe = child.stderr.take().expect("stderr is piped");
    let (event_tx, events) = mpsc::channel();
    let (outgoing, outgoing_rx) = mpsc::channel();
    let workspace_folders = Arc::new(Mutex::new(Value::Null));
    let configuration = Arc::new(Mutex::new(Value::Null));
    {
        let event_tx = event_tx.clone();
        thread::Builder::new()
            .name("lsp-client-writer".into())
            .spawn(move || write_frames(stdin, &outgoing_rx, &event_tx))
            .expect("spawn writer thread");
    }
    {
        let outgoing = outgoing.clone();
        let folders = Arc::clone(&workspace_folders);
        let settings = Arc::clone(&configuration);
        thread::Builder::new()
            .name("lsp-client-reader".into())
            .spawn(move || read_frames(stdout, &event_tx, &outgoing, (&folders, &settings), trace))
            .expect("spawn reader thread");
    }
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let stderr_thread = {
        let stderr = Arc::clone(&stderr);
        thread::Builder::new()
            .name("lsp-client-stderr".into())
            .spawn(move || copy_stderr(stderr_pipe, &stderr, trace))
            .expect("spawn stderr thread")
    };
    Transport { events, outgoing, stderr, stderr_thread, workspace_folders, configuration }
}

/// A JSON body with its `Content-Length` header.
pub fn frame(body: &str) -> Vec<u8> {
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body.as_bytes());
    frame
}

fn write_frames(mut stdin: ChildStdin, outgoing: &Receiver<Outgoing>, events: &Sender<Event>) {
    while let Ok(Outgoing::Frame(frame)) = outgoing.recv() {
        if let Err(error) = stdin.write_all(&frame).and_then(|()| stdin.flush()) {
            let _ = events.send(Event::WriteFailed(error.to_string()));
            return;
        }
    }
}

fn copy_stderr(mut pipe: impl Read, buffer: &Mutex<Vec<u8>>, trace: bool) {
    let mut chunk = [0; 8192];
    loop {
        match pipe.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if trace {
                    eprint!("{}", String::from_utf8_lossy(&chunk[..n]));
                }
                buffer.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        }
    }
}

/// The reader thread: frames → messages → events, answering server requests on the way.
fn read_frames(
    stdout: ChildStdout,
    events: &Sender<Event>,
    outgoing: &Sender<Outgoing>,
    (workspace_folders, configuration): (&Mutex<Value>, &Mutex<Value>),
    trace: bool,
) {
    let mut reader = BufReader::new(stdout);
    loop {
        let message = match read_frame(&mut reader).and_then(|frame| frame.map(|body| parse_message(&body)).transpose())
        {
            Ok(Some(message)) => message,
            Ok(None) => break,
            Err(error) => {
                let _ = events.send(Event::ProtocolError(error));
                // Keep draining so the server never blocks on a full pipe.
                let _ = std::io::copy(&mut reader, &mut std::io::sink());
                break;
            }
        };
        if trace {
            eprintln!("[lsp client ←] {message}");
        }
        let event = if message.get("method").is_some() && message.get("id").is_some() {
            let response = answer(&message, &workspace_folders.lock().unwrap(), &configuration.lock().unwrap());
            if trace {
                eprintln!("[lsp client →] {response}");
            }
            let _ = outgoing.send(Outgoing::Frame(frame(&response.to_string())));
            Event::ServerRequest(message)
        } else {
            Event::Message(message)
        };
        if events.send(event).is_err() {
            return;
        }
    }
    let _ = events.send(Event::StdoutClosed);
}

/// One frame's body, `None` at a clean end of stream. Strict: header lines end in `\r\n`, and only
/// `Content-Length` and `Content-Type` headers exist, so stray output on stdout is caught.
fn read_frame(reader: &mut impl BufRead) -> Result<Option<Vec<u8>>, String> {
    let mut content_length = None;
    let mut first = true;
    loop {
        let mut line = Vec::new();
        let read = reader.read_until(b'\n', &mut line).map_err(|e| format!("reading stdout: {e}"))?;
        if read == 0 {
            return if first { Ok(None) } else { Err("end of stream inside a message header".into()) };
        }
        first = false;
        let Some(line) = line.strip_suffix(b"\r\n") else {
            return Err(format!("header line not ended by \\r\\n: {:?}", String::from_utf8_lossy(&line)));
        };
        if line.is_empty() {
            break;
        }
        let text = String::from_utf8_lossy(line);
        let Some((name, value)) = text.split_once(':') else {
            return Err(format!("not a header line: {text:?}"));
        };
        if name.eq_ignore_ascii_case("content-length") {
            let length = value.trim().parse::<usize>().map_err(|_| format!("bad Content-Length: {text:?}"))?;
            content_length = Some(length);
        } else if !name.eq_ignore_ascii_case("content-type") {
            return Err(format!("unknown header: {text:?}"));
        }
    }
    let length = content_length.ok_or("a message header without Content-Length")?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(|e| format!("reading a {length}-byte message body: {e}"))?;
    Ok(Some(body))
}

/// A JSON-RPC 2.0 message: a request, a notification or a response (no batches).
fn parse_message(body: &[u8]) -> Result<Value, String> {
    let message: Value = serde_json::from_slice(body)
        .map_err(|e| format!("message body is not JSON ({e}): {:?}", String::from_utf8_lossy(body)))?;
    let valid = message.is_object()
        && message["jsonrpc"] == "2.0"
        && (message["method"].is_string()
            || (message.get("id").is_some() && (message.get("result").is_some() != message.get("error").is_some())));
    if valid { Ok(message) } else { Err(format!("not a JSON-RPC 2.0 message: {message}")) }
}

/// The client's answer to a server→client request (listed on `LspClient::server_requests`).
fn answer(request: &Value, workspace_folders: &Value, configuration: &Value) -> Value {
    let method = request["method"].as_str().unwrap_or_default();
    let result = match method {
        "workspace/applyEdit" => json!({ "applied": true }),
        "workspace/configuration" => {
            let items = request["params"]["items"].as_array().cloned().unwrap_or_default();
            let section = |item: &Value| {
                let path = item["section"].as_str().unwrap_or_default();
                path.split('.').filter(|s| !s.is_empty()).fold(configuration.clone(), |v, key| v[key].clone())
            };
            Value::Array(items.iter().map(section).collect())
        }
        "workspace/workspaceFolders" => workspace_folders.clone(),
        "window/showDocument" => json!({ "success": true }),
        "window/workDoneProgress/create"
        | "client/registerCapability"
        | "client/unregisterCapability"
        | "window/showMessageRequest" => Value::Null,
        _ if method.starts_with("workspace/") && method.ends_with("/refresh") => Value::Null,
        _ => {
            let error = json!({ "code": -32601, "message": format!("the meshls e2e client does not handle {method}") });
            return json!({ "jsonrpc": "2.0", "id": request["id"], "error": error });
        }
    };
    json!({ "jsonrpc": "2.0", "id": request["id"], "result": result })
}
