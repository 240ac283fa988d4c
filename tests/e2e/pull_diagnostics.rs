//! Pull diagnostics (LSP 3.17 `textDocument/diagnostic`, `workspace/diagnostic`) and the
//! editor's settings (`workspace/configuration`, `workspace/didChangeConfiguration`), through the
//! real binary. A client that pulls gets no `publishDiagnostics`: the strict client fails on any.

use super::{WAIT, codes, find, start};
use crate::fixture::fixture;
use crate::lsp_client::{ClientOptions, LspClient, file_uri, range};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A model no one opens, with one `unregistered-table` finding.
const CLOSED: &str = "MODEL (name core.orphan, kind FULL, cron '@daily', start '2024-01-01');\n\
                      SELECT rental_id FROM core.rentalz\n";

/// The fixture with [`CLOSED`] written into it, and the closed model's path.
fn project() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, root) = fixture("bikeshop");
    let closed = root.join("models/core/orphan.sql");
    std::fs::write(&closed, CLOSED).unwrap();
    (dir, root, closed)
}

/// A client that pulls diagnostics (and answers `workspace/configuration` with `settings`,
/// when given), started on `root` and done indexing.
fn start_pulling(root: &Path, settings: Option<Value>) -> LspClient {
    let mut capabilities = json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false, "relatedDocumentSupport": false}},
        "workspace": {"diagnostics": {"refreshSupport": true}},
    });
    if settings.is_some() {
        capabilities["workspace"]["configuration"] = json!(true);
    }
    let options =
        ClientOptions { work_done_progress: true, extra_capabilities: Some(capabilities), ..ClientOptions::default() };
    let mut client = LspClient::start(Path::new(env!("CARGO_BIN_EXE_meshls")), &[], options);
    if let Some(settings) = settings {
        client.set_configuration(settings);
    }
    let result = client.initialize(&[root]);
    let provider = &result["capabilities"]["diagnosticProvider"];
    assert_eq!(provider["identifier"], "meshls");
    assert_eq!(provider["interFileDependencies"], true);
    assert_eq!(provider["workspaceDiagnostics"], true);
    client.expect_notification("$/progress", WAIT, |p| p["value"]["kind"] == "end");
    client.take_notifications("$/progress");
    client.server_requests("window/workDoneProgress/create");
    // Reports pulled while indexing saw a partial project: the client is asked to pull again.
    client.expect_server_request("workspace/diagnostic/refresh", WAIT, |_| true);
    client
}

fn pull(client: &mut LspClient, uri: &str, previous: Option<&str>) -> Value {
    let mut params = json!({"textDocument": {"uri": uri}, "identifier": "meshls"});
    if let Some(previous) = previous {
        params["previousResultId"] = json!(previous);
    }
    client.request("textDocument/diagnostic", params).unwrap()
}

/// The workspace report of `uri`.
fn workspace_item(report: &Value, uri: &str) -> Value {
    let items = report["items"].as_array().unwrap();
    items.iter().find(|i| i["uri"] == uri).unwrap_or_else(|| panic!("{uri} not in the workspace report")).clone()
}

fn items(report: &Value) -> Vec<Value> {
    report["items"].as_array().unwrap_or_else(|| panic!("not a full report: {report}")).clone()
}

#[test]
fn pulled_documents_and_workspace_with_result_ids() {
    let (_dir, root, closed) = project();
    let mut client = start_pulling(&root, None);
    let path = root.join("models/marts/daily_revenue.sql");
    let uri = file_uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    client.open(&uri, "sql", &text);
    let (line, col) = find(&text, "FROM core.rentals");
    client.change(&uri, json!([{"range": range(line, col + 5, line, col + 17), "text": "core.rentalz"}]));

    let report = pull(&mut client, &uri, None);
    assert_eq!(report["kind"], "full");
    assert_eq!(codes(&items(&report)), ["unregistered-table"]);
    assert_eq!(items(&report)[0]["range"], range(line, col + 5, line, col + 17));
    let id = report["resultId"].as_str().expect("a resultId").to_string();

    let again = pull(&mut client, &uri, Some(&id));
    assert_eq!(again, json!({"kind": "unchanged", "resultId": id}));

    // The workspace report lists the closed model's finding, and every other file.
    let closed_uri = file_uri(&closed);
    let report = client.request("workspace/diagnostic", json!({"previousResultIds": []})).unwrap();
    let item = workspace_item(&report, &closed_uri);
    assert_eq!(item["kind"], "full");
    assert_eq!(item["version"], Value::Null);
    assert_eq!(codes(&items(&item)), ["unregistered-table"]);
    assert_eq!(items(&item)[0]["range"]["start"]["line"], 1);
    let open = workspace_item(&report, &uri);
    assert_eq!(open["version"], 2);
    let clean = workspace_item(&report, &file_uri(&root.join("models/core/rentals.sql")));
    assert_eq!(items(&clean), Vec::<Value>::new());

    let previous: Vec<Value> =
        report["items"].as_array().unwrap().iter().map(|i| json!({"uri": i["uri"], "value": i["resultId"]})).collect();
    let again = client.request("workspace/diagnostic", json!({"previousResultIds": previous})).unwrap();
    assert!(again["items"].as_array().unwrap().iter().all(|i| i["kind"] == "unchanged"), "{again}");

    // Repairing the open model changes its own report only: no refresh is asked for.
    client.change(&uri, json!([{"range": range(line, col + 16, line, col + 17), "text": "s"}]));
    let report = pull(&mut client, &uri, Some(&id));
    assert_eq!(report["kind"], "full");
    assert_eq!(items(&report), Vec::<Value>::new());
    assert!(client.server_requests("workspace/diagnostic/refresh").is_empty());
    client.shutdown();
}

#[test]
fn pulled_settings_set_rule_levels_and_a_change_pulls_them_again() {
    let (_dir, root, closed) = project();
    let settings = json!({"meshls": {"rules": {"unregistered-table": "error"}, "hover": {"lineageDepth": 1}}});
    let mut client = start_pulling(&root, Some(settings));
    let asked = client.server_requests("workspace/configuration");
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0]["items"], json!([{"section": "meshls"}]));
    let uri = file_uri(&closed);
    let report = pull(&mut client, &uri, None);
    assert_eq!(codes(&items(&report)), ["unregistered-table"]);
    assert_eq!(items(&report)[0]["severity"], 1);

    client.set_configuration(json!({"meshls": {"rules": {"unregistered-table": "off"}}}));
    client.notify("workspace/didChangeConfiguration", json!({"settings": null}));
    client.expect_server_request("workspace/configuration", WAIT, |_| true);
    client.expect_server_request("workspace/diagnostic/refresh", WAIT, |_| true);
    let report = pull(&mut client, &uri, report["resultId"].as_str());
    assert_eq!(report["kind"], "full");
    assert_eq!(items(&report), Vec::<Value>::new());
    client.shutdown();
}

#[test]
fn a_client_without_pull_gets_pushed_diagnostics_following_its_settings() {
    let (_dir, root, _closed) = project();
    let mut client = start(&root, &["utf-16"]);
    let path = root.join("models/marts/daily_revenue.sql");
    let uri = file_uri(&path);
    let text = std::fs::read_to_string(&path).unwrap().replace("FROM core.rentals", "FROM core.rentalz");
    client.open(&uri, "sql", &text);
    let found = client.diagnostics_for(&uri, WAIT, |d| !d.is_empty());
    assert_eq!(codes(&found), ["unregistered-table"]);
    assert_eq!(found[0]["severity"], 2);

    // Settings sent in the notification, as by a client without `workspace/configuration`.
    let error = json!({"settings": {"meshls": {"rules": {"unregistered-table": "error"}}}});
    client.notify("workspace/didChangeConfiguration", error);
    let found = client.diagnostics_for(&uri, WAIT, |d| d.first().is_some_and(|d| d["severity"] == 1));
    assert_eq!(codes(&found), ["unregistered-table"]);

    let off = json!({"settings": {"meshls": {"rules": {"unregistered-table": "off"}}}});
    client.notify("workspace/didChangeConfiguration", off);
    client.diagnostics_for(&uri, WAIT, |d| d.is_empty());
    client.shutdown();
}
