//! End-to-end: the real binary over stdio, real JSON-RPC, a copy of a fixture project. The
//! client fails the test if any message the server sent is left unaccounted for.

#[path = "support/fixture.rs"]
mod fixture;
#[path = "support/lsp_client.rs"]
mod lsp_client;

#[path = "e2e/exact_lsp.rs"]
mod exact_lsp;
#[path = "e2e/generate.rs"]
mod generate;
#[path = "e2e/pull_diagnostics.rs"]
mod pull_diagnostics;

use fixture::fixture;
use lsp_client::{ClientOptions, LspClient, file_uri, position, range};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// A server on `root` that has finished indexing, with its start-up messages accounted for.
fn start(root: &Path, encodings: &[&str]) -> LspClient {
    let options = ClientOptions {
        position_encodings: encodings.iter().map(|e| e.to_string()).collect(),
        work_done_progress: true,
        dynamic_watched_files: true,
        env: vec![("MESHLS_DEBUG".to_string(), "1".to_string())],
        ..ClientOptions::default()
    };
    let mut client = LspClient::start(Path::new(env!("CARGO_BIN_EXE_meshls")), &[], options);
    let result = client.initialize(&[root]);
    let expected = if encodings.contains(&"utf-8") { "utf-8" } else { "utf-16" };
    assert_eq!(result["capabilities"]["positionEncoding"], expected);
    client.expect_notification("$/progress", WAIT, |p| p["value"]["kind"] == "end");
    let progress = client.take_notifications("$/progress");
    assert!(progress.iter().all(|p| p["value"]["kind"] != "end"), "one end only");
    assert_eq!(client.server_requests("window/workDoneProgress/create").len(), 1);
    let registrations = client.server_requests("client/registerCapability");
    assert_eq!(registrations[0]["registrations"][0]["method"], "workspace/didChangeWatchedFiles");
    client
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect()
}

/// The zero-based line and UTF-16 column of the first `needle` in `text`.
fn find(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in text"));
    let line = text[..at].matches('\n').count() as u32;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..at].encode_utf16().count() as u32)
}

/// Opens `relative` under `root` with its text from disk and waits for its first publish,
/// which must be clean; returns its URI and text.
fn open_clean(client: &mut LspClient, root: &Path, relative: &str) -> (String, String) {
    let path = root.join(relative);
    let uri = file_uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    client.open(&uri, "sql", &text);
    client.diagnostics_for(&uri, WAIT, |d| d.is_empty());
    (uri, text)
}

fn whole(text: &str) -> Value {
    let lines = text.matches('\n').count() as u32;
    range(0, 0, lines + 1, 0)
}

#[test]
fn progress_then_diagnostics_appear_and_clear_as_the_user_types() {
    let (_dir, root) = fixture("bikeshop");
    let mut client = start(&root, &["utf-16"]);
    let (uri, text) = open_clean(&mut client, &root, "models/marts/daily_revenue.sql");

    let (line, col) = find(&text, "FROM core.rentals");
    client.change(&uri, json!([{"range": range(line, col + 5, line, col + 17), "text": "core.rentalz"}]));
    let diagnostics = client.diagnostics_for(&uri, WAIT, |d| !d.is_empty());
    assert_eq!(codes(&diagnostics), ["unregistered-table"]);
    assert_eq!(diagnostics[0]["range"], range(line, col + 5, line, col + 17));

    client.change(&uri, json!([{"range": range(line, col + 16, line, col + 17), "text": "s"}]));
    client.diagnostics_for(&uri, WAIT, |d| d.is_empty());

    // A syntax error, then its repair.
    client.change(
        &uri,
        json!([{"range": whole(&text), "text": "MODEL (name marts.daily_revenue);\nSELECT rental_id FROM core.rentals WHERE ("}]),
    );
    let diagnostics = client.diagnostics_for(&uri, WAIT, |d| !d.is_empty());
    assert_eq!(codes(&diagnostics), ["sql-syntax"]);
    client.change(&uri, json!([{"range": whole("x\n"), "text": text}]));
    client.diagnostics_for(&uri, WAIT, |d| d.is_empty());
    client.shutdown();
}

#[test]
fn renaming_a_model_updates_its_open_consumers() {
    let (_dir, root) = fixture("bikeshop");
    let mut client = start(&root, &["utf-16"]);
    let upstream = root.join("models/shop/mixed_case.sql");
    let consumer = root.join("models/shop/top_spenders.sql");
    let (up_uri, consumer_uri) = (file_uri(&upstream), file_uri(&consumer));
    let up_text = std::fs::read_to_string(&upstream).unwrap();
    client.open(&consumer_uri, "sql", &std::fs::read_to_string(&consumer).unwrap());
    client.diagnostics_for(&consumer_uri, WAIT, |d| d.is_empty());
    client.open(&up_uri, "sql", &up_text);
    client.diagnostics_for(&up_uri, WAIT, |d| d.is_empty());

    let (line, col) = find(&up_text, "\"MixedCase\"");
    client.change(&up_uri, json!([{"range": range(line, col + 1, line, col + 10), "text": "Renamed"}]));
    let diagnostics = client.diagnostics_for(&consumer_uri, WAIT, |d| !d.is_empty());
    assert_eq!(codes(&diagnostics), ["unregistered-table"]);
    assert!(diagnostics[0]["message"].as_str().unwrap().contains("shop.mixedcase"));

    client.change(&up_uri, json!([{"range": range(line, col + 1, line, col + 8), "text": "MixedCase"}]));
    client.diagnostics_for(&consumer_uri, WAIT, |d| d.is_empty());
    client.shutdown();
}

#[test]
fn hover_and_definition_on_quoted_and_mixed_case_names() {
    let (_dir, root) = fixture("bikeshop");
    for encoding in ["utf-16", "utf-8"] {
        let mut client = start(&root, &[encoding]);
        let consumer = root.join("models/shop/top_spenders.sql");
        let uri = file_uri(&consumer);
        let text = std::fs::read_to_string(&consumer).unwrap();
        client.open(&uri, "sql", &text);
        client.diagnostics_for(&uri, WAIT, |d| d.is_empty());

        // `FROM "Shop"."MixedCase"`: quoted and mixed case, a duckdb model named shop.mixedcase.
        let (line, col) = find(&text, "\"MixedCase\"");
        let at = json!({"textDocument": {"uri": uri}, "position": position(line, col + 3)});
        let hover = client.request("textDocument/hover", at.clone()).unwrap();
        let markdown = hover["contents"]["value"].as_str().unwrap();
        assert!(markdown.starts_with("### `shop.mixedcase`"), "{markdown}");
        assert!(markdown.contains("**VIEW**") && markdown.contains("models/shop/mixed_case.sql"), "{markdown}");
        let definition = client.request("textDocument/definition", at).unwrap();
        let target = &definition[0];
        assert_eq!(target["uri"], file_uri(&root.join("models/shop/mixed_case.sql")));
        assert_eq!(target["range"], range(1, 7, 1, 25));

        // `JOIN core.customers` to its MODEL name; the hover has the card's counts.
        let (line, col) = find(&text, "core.customers");
        let at = json!({"textDocument": {"uri": uri}, "position": position(line, col + 6)});
        let markdown = client.request("textDocument/hover", at.clone()).unwrap()["contents"]["value"].clone();
        assert!(markdown.as_str().unwrap().contains("INCREMENTAL_BY_UNIQUE_KEY"), "{markdown}");
        let definition = client.request("textDocument/definition", at).unwrap();
        assert_eq!(definition[0]["uri"], file_uri(&root.join("models/core/customers.sql")));

        // An external model goes to its YAML entry; nothing under the cursor answers null.
        let nothing = json!({"textDocument": {"uri": uri}, "position": position(0, 0)});
        assert_eq!(client.request("textDocument/hover", nothing.clone()).unwrap(), Value::Null);
        assert_eq!(client.request("textDocument/definition", nothing).unwrap(), Value::Null);
        let past_the_end = json!({"textDocument": {"uri": uri}, "position": position(999, 999)});
        assert_eq!(client.request("textDocument/hover", past_the_end).unwrap(), Value::Null);
        let unknown = json!({"textDocument": {"uri": "file:///nowhere/x.sql"}, "position": position(0, 0)});
        assert_eq!(client.request("textDocument/hover", unknown).unwrap(), Value::Null);
        client.shutdown();
    }
}

#[test]
fn files_changed_on_disk_are_followed_through_watched_files() {
    let (_dir, root) = fixture("bikeshop");
    let mut client = start(&root, &["utf-16"]);
    let consumer = root.join("models/shop/top_spenders.sql");
    let uri = file_uri(&consumer);
    let text = std::fs::read_to_string(&consumer).unwrap().replace("core.customers", "shop.brand_new");
    client.open(&uri, "sql", &text);
    let diagnostics = client.diagnostics_for(&uri, WAIT, |d| !d.is_empty());
    assert_eq!(codes(&diagnostics), ["unregistered-table"]);

    // A new model appears on disk (a git checkout, say): the reference resolves.
    let new_model = root.join("models/shop/brand_new.sql");
    std::fs::write(&new_model, "MODEL (name shop.brand_new, kind FULL);\nSELECT 1 AS customer_id, 'x' AS full_name")
        .unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": file_uri(&new_model), "type": 1}]}));
    client.diagnostics_for(&uri, WAIT, |d| d.is_empty());

    // It is deleted again.
    std::fs::remove_file(&new_model).unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": file_uri(&new_model), "type": 3}]}));
    client.diagnostics_for(&uri, WAIT, |d| !d.is_empty());
    client.shutdown();
}

#[test]
fn a_panicking_request_is_an_error_and_the_server_keeps_serving() {
    let (_dir, root) = fixture("bikeshop");
    let mut client = start(&root, &["utf-16"]);
    let error = client.request("meshls/debug/panic", json!({})).unwrap_err();
    assert!(error["message"].as_str().unwrap().contains("requested by meshls/debug/panic"), "{error}");
    let (uri, text) = open_clean(&mut client, &root, "models/shop/top_spenders.sql");
    let (line, col) = find(&text, "core.customers");
    let hover =
        client.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": position(line, col)}));
    assert!(hover.unwrap()["contents"]["value"].as_str().unwrap().contains("core.customers"));
    client.shutdown();
}

#[test]
fn requests_run_beside_a_long_one_and_cancel_at_once() {
    let (_dir, root) = fixture("bikeshop");
    let mut client = start(&root, &["utf-16"]);
    let (uri, text) = open_clean(&mut client, &root, "models/shop/top_spenders.sql");
    // A request that works for 20 s does not hold up a hover sent after it.
    let long = client.send_request("meshls/debug/sleep", json!({"ms": 20_000}));
    let started = std::time::Instant::now();
    let (line, col) = find(&text, "core.customers");
    let hover =
        client.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": position(line, col)}));
    assert!(hover.unwrap()["contents"]["value"].as_str().unwrap().contains("core.customers"));
    // Cancelled, it answers RequestCancelled at once, not when its work ends.
    client.notify("$/cancelRequest", json!({"id": long}));
    let error = client.response(long, "meshls/debug/sleep", WAIT).unwrap_err();
    assert_eq!(error["code"], -32800, "{error}");
    assert!(started.elapsed() < Duration::from_secs(10), "answered after {:?}", started.elapsed());
    client.shutdown();
}

#[test]
fn a_request_whose_document_changes_meanwhile_answers_content_modified() {
    let (_dir, root) = fixture("bikeshop");
    let mut client = start(&root, &["utf-16"]);
    let (uri, _) = open_clean(&mut client, &root, "models/shop/top_spenders.sql");
    let slow = client.send_request("meshls/debug/sleep", json!({"ms": 1_000, "textDocument": {"uri": uri}}));
    client.change(&uri, json!([{"range": range(0, 0, 0, 0), "text": "-- edited\n"}]));
    let error = client.response(slow, "meshls/debug/sleep", WAIT).unwrap_err();
    assert_eq!(error["code"], -32801, "{error}");
    // Unchanged, the same request answers.
    let answer = client.request("meshls/debug/sleep", json!({"ms": 10, "textDocument": {"uri": uri}}));
    assert_eq!(answer.unwrap(), 10);
    client.settle();
    client.ignore("textDocument/publishDiagnostics");
    client.shutdown();
}

#[test]
fn a_checkout_that_changes_two_hundred_files_leaves_the_index_right() {
    let (_dir, root) = fixture("bikeshop");
    let mut client = start(&root, &["utf-16"]);
    let names: Vec<String> = (0..200).map(|i| format!("shop.checkout_{i:03}")).collect();
    let consumer = root.join("models/shop/reads_all.sql");
    let selects: Vec<String> = names.iter().map(|n| format!("SELECT 1 AS x FROM {n}")).collect();
    let text = format!("MODEL (name shop.reads_all, kind FULL);\n{}\n", selects.join("\nUNION ALL\n"));
    std::fs::write(&consumer, &text).unwrap();
    let uri = file_uri(&consumer);
    client.open(&uri, "sql", &text);
    let diagnostics = client.diagnostics_for(&uri, WAIT, |d| !d.is_empty());
    assert_eq!(diagnostics.len(), 200);

    // The checkout writes 200 models at once and the client reports them in one notification.
    let changes: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let path = root.join(format!("models/shop/checkout_{i:03}.sql"));
            std::fs::write(&path, format!("MODEL (name {name});\nSELECT 1 AS x")).unwrap();
            json!({"uri": file_uri(&path), "type": 1})
        })
        .collect();
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": changes}));
    client.diagnostics_for(&uri, WAIT, |d| d.is_empty());

    // A closed file answers empty; an open one answers from its buffer.
    let closed = file_uri(&root.join("models/shop/checkout_000.sql"));
    let at = json!({"textDocument": {"uri": closed}, "position": position(0, 13)});
    assert_eq!(client.request("textDocument/hover", at).unwrap(), Value::Null);
    let (line, col) = find(&text, "shop.checkout_199");
    let at = json!({"textDocument": {"uri": uri}, "position": position(line, col + 2)});
    let hover = client.request("textDocument/hover", at).unwrap();
    assert!(hover["contents"]["value"].as_str().unwrap().contains("models/shop/checkout_199.sql"));
    client.shutdown();
}

/// Applies LSP text edits (UTF-16 positions) to a text.
fn apply_text_edits(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| {
        let (line, character) =
            (position["line"].as_u64().unwrap() as usize, position["character"].as_u64().unwrap() as usize);
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let line_text = text[start..].split('\n').next().unwrap_or("");
        let mut units = 0;
        let within = line_text.char_indices().find(|(_, c)| {
            let found = units >= character;
            units += c.len_utf16();
            found
        });
        start + within.map_or(line_text.len(), |(i, _)| i)
    };
    let mut located: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| (offset(&e["range"]["start"]), offset(&e["range"]["end"]), e["newText"].as_str().unwrap()))
        .collect();
    located.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    let mut out = text.to_string();
    for (start, end, new_text) in located {
        out.replace_range(start..end, new_text);
    }
    out
}

#[test]
fn an_unsafe_fix_offered_as_a_quick_fix_clears_the_diagnostic() {
    let (_dir, root) = fixture("bikeshop");
    let mut client = start(&root, &["utf-16"]);
    let path = root.join("models/shop/top_spenders.sql");
    let uri = file_uri(&path);
    let text = std::fs::read_to_string(&path).unwrap().replace("core.customers", "raw.loyalty_members");
    client.open(&uri, "sql", &text);
    let diagnostics = client.diagnostics_for(&uri, WAIT, |d| !d.is_empty());
    assert_eq!(codes(&diagnostics), ["unregistered-table"]);

    let actions = client
        .request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": diagnostics[0]["range"], "context": {"diagnostics": diagnostics}}))
        .unwrap();
    assert_eq!(actions[0]["title"], "Declare `raw.loyalty_members` in external_models.yaml");
    assert_eq!(actions[0]["kind"], "quickfix");
    // It edits another file, so it is not safe: offered as a quick fix, not preferred, and no
    // "apply every safe fix" action includes it.
    assert_eq!(actions[0]["isPreferred"], false);
    let kinds: Vec<&str> = actions.as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["quickfix", "source.generate.dagster", "source.generate.dagster"], "{actions}");

    let changes = actions[0]["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    let yaml_uri = changes[0]["textDocument"]["uri"].as_str().unwrap();
    let yaml = root.join("external_models.yaml");
    assert_eq!(yaml_uri, file_uri(&yaml));
    // The client applied the edit to the (closed) YAML file, which the watcher reports.
    let applied = apply_text_edits(&std::fs::read_to_string(&yaml).unwrap(), changes[0]["edits"].as_array().unwrap());
    assert!(applied.ends_with("- name: raw.loyalty_members\n"), "{applied}");
    std::fs::write(&yaml, applied).unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": yaml_uri, "type": 2}]}));
    client.diagnostics_for(&uri, WAIT, |d| d.is_empty());
    client.shutdown();
}

#[test]
fn every_safe_fix_applied_through_workspace_apply_edit() {
    let (_dir, root) = fixture("bikeshop");
    let mut client = start(&root, &["utf-16"]);
    let path = root.join("models/shop/orders.sql");
    let uri = file_uri(&path);
    // A cron alias without its `@`: the fix is certain, so safe.
    let text = "MODEL (name shop.cron_typo, kind FULL, cron 'daily');\nSELECT 1 AS id\n";
    client.open(&uri, "sql", text);
    let diagnostics = client.diagnostics_for(&uri, WAIT, |d| !d.is_empty());
    assert_eq!(codes(&diagnostics), ["invalid-cron"]);
    assert!(diagnostics[0]["codeDescription"]["href"].as_str().unwrap().ends_with("/docs/rules.md#invalid-cron"));
    let actions = client
        .request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": diagnostics[0]["range"], "context": {"diagnostics": diagnostics}}))
        .unwrap();
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(actions[1]["command"]["command"], "meshls.applyFixes");

    client.request("workspace/executeCommand", json!({"command": "meshls.applyFixes", "arguments": [uri]})).unwrap();
    let request = client.expect_server_request("workspace/applyEdit", WAIT, |_| true);
    let changes = request["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    let applied = apply_text_edits(text, changes[0]["edits"].as_array().unwrap());
    assert_eq!(applied, text.replace("'daily'", "'@daily'"));
    client.shutdown();
}

#[test]
fn column_hover_lineage_request_and_unknown_columns_follow_upstream_edits() {
    let (_dir, root) = fixture("lineage");
    let mut client = start(&root, &["utf-16"]);
    let consumer = root.join("models/mart/user_plays.sql");
    let upstream = root.join("models/stage/users.sql");
    let (consumer_uri, up_uri) = (file_uri(&consumer), file_uri(&upstream));
    let consumer_text = std::fs::read_to_string(&consumer).unwrap();
    let up_text = std::fs::read_to_string(&upstream).unwrap();
    client.open(&consumer_uri, "sql", &consumer_text);
    client.diagnostics_for(&consumer_uri, WAIT, |d| d.is_empty());

    // Hover on `u.user_name`, an output column: its card with the chain up to the source.
    let (line, col) = find(&consumer_text, "user_name");
    let at = json!({"textDocument": {"uri": consumer_uri}, "position": position(line, col + 2)});
    let hover = client.request("textDocument/hover", at.clone()).unwrap();
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.starts_with("### `mart.user_plays`.`user_name` · `TEXT`"), "{markdown}");
    assert!(markdown.contains("```sql\nu.user_name\n```"), "the expression: {markdown}");
    assert!(markdown.contains("- `stage.users.user_name`\n  - `raw.users.username`"), "upstream: {markdown}");
    assert_eq!(hover["range"], range(line, col, line, col + 9));
    // On the join key in `USING (user_id)`: the column of the joined model.
    let (line, col) = find(&consumer_text, "user_id)");
    let using = json!({"textDocument": {"uri": consumer_uri}, "position": position(line, col)});
    let markdown = client.request("textDocument/hover", using).unwrap()["contents"]["value"].clone();
    assert!(markdown.as_str().unwrap_or("").contains("user_id"), "{markdown}");

    // The same column as a graph, by position and by name.
    let mut request = at.clone();
    request["direction"] = json!("upstream");
    let graph = client.request("meshls/columnLineage", request).unwrap();
    let ids: Vec<&str> = graph["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["mart.user_plays.user_name", "stage.users.user_name", "raw.users.username"]);
    assert_eq!(graph["edges"], json!([{"from": 1, "to": 0}, {"from": 2, "to": 1}]));
    let by_name = json!({"model": "raw.plays", "column": "user_id", "direction": "downstream", "depth": 1});
    let graph = client.request("meshls/columnLineage", by_name).unwrap();
    let ids: Vec<&str> = graph["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["raw.plays.user_id", "stage.plays.user_id"]);
    assert_eq!(graph["truncated"], true, "stage.plays.user_id has consumers beyond depth 1");

    // Renaming the column upstream flags its open consumer; renaming it back clears it.
    client.open(&up_uri, "sql", &up_text);
    client.diagnostics_for(&up_uri, WAIT, |d| d.is_empty());
    let (line, col) = find(&up_text, "AS user_name");
    client.change(&up_uri, json!([{"range": range(line, col + 3, line, col + 12), "text": "display_name"}]));
    let diagnostics = client.diagnostics_for(&consumer_uri, WAIT, |d| !d.is_empty());
    assert_eq!(codes(&diagnostics), ["unknown-column"]);
    client.change(&up_uri, json!([{"range": range(line, col + 3, line, col + 15), "text": "user_name"}]));
    client.diagnostics_for(&consumer_uri, WAIT, |d| d.is_empty());
    client.shutdown();
}

#[test]
fn an_upstream_edit_reaches_open_readers_two_levels_down() {
    let (_dir, root) = fixture("lineage");
    // stage.users -> mart.users_public (SELECT * EXCLUDE ...) -> mart.users_by_country.
    let reader = root.join("models/mart/users_by_country.sql");
    let reader_text = "MODEL (\n  name mart.users_by_country,\n  kind VIEW\n);\n\nSELECT\n  country,\n  COUNT(*) AS users\nFROM mart.users_public\nGROUP BY country\n";
    std::fs::write(&reader, reader_text).unwrap();
    let mut client = start(&root, &["utf-16"]);
    let upstream = root.join("models/stage/users.sql");
    let (reader_uri, up_uri) = (file_uri(&reader), file_uri(&upstream));
    let up_text = std::fs::read_to_string(&upstream).unwrap();
    client.open(&reader_uri, "sql", reader_text);
    client.diagnostics_for(&reader_uri, WAIT, |d| d.is_empty());
    client.open(&up_uri, "sql", &up_text);
    client.diagnostics_for(&up_uri, WAIT, |d| d.is_empty());
    let (line, col) = find(&up_text, "users.country");
    let end = col + "users.country".len() as u32;
    client.change(&up_uri, json!([{"range": range(line, end, line, end), "text": " AS nation"}]));
    let diagnostics = client.diagnostics_for(&reader_uri, WAIT, |d| !d.is_empty());
    assert!(codes(&diagnostics).iter().all(|c| c == "unknown-column"), "{diagnostics:?}");
    client.change(&up_uri, json!([{"range": range(line, end, line, end + 10), "text": ""}]));
    client.diagnostics_for(&reader_uri, WAIT, |d| d.is_empty());
    client.settle();
    client.ignore("textDocument/publishDiagnostics");
    client.shutdown();
}

#[test]
fn a_client_without_file_watching_is_followed_on_save() {
    let (_dir, root) = fixture("bikeshop");
    let options = ClientOptions { work_done_progress: true, ..ClientOptions::default() };
    let mut client = LspClient::start(Path::new(env!("CARGO_BIN_EXE_meshls")), &[], options);
    client.initialize(&[&root]);
    client.expect_notification("$/progress", WAIT, |p| p["value"]["kind"] == "end");
    client.take_notifications("$/progress");
    client.server_requests("window/workDoneProgress/create");
    let path = root.join("models/shop/top_spenders.sql");
    let uri = file_uri(&path);
    let text = std::fs::read_to_string(&path).unwrap().replace("core.customers", "raw.loyalty_members");
    client.open(&uri, "sql", &text);
    let diagnostics = client.diagnostics_for(&uri, WAIT, |d| !d.is_empty());
    assert!(codes(&diagnostics).contains(&"unregistered-table".to_string()), "{diagnostics:?}");
    // The table is declared and the file saved: didSave alone re-reads it.
    let externals = root.join("external_models.yaml");
    let mut yaml = std::fs::read_to_string(&externals).unwrap();
    yaml.push_str("- name: raw.loyalty_members\n");
    std::fs::write(&externals, yaml).unwrap();
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": file_uri(&externals)}}));
    let diagnostics = client.diagnostics_for(&uri, WAIT, |d| !codes(d).contains(&"unregistered-table".to_string()));
    assert!(!codes(&diagnostics).contains(&"unregistered-table".to_string()));
    client.settle();
    client.ignore("textDocument/publishDiagnostics");
    client.shutdown();
}

#[test]
fn navigation_requests_answer_across_the_project() {
    let (_dir, root) = fixture("lineage");
    let mut client = start(&root, &["utf-16"]);
    let (uri, text) = open_clean(&mut client, &root, "models/mart/daily_listening.sql");
    let doc = json!({"uri": uri});
    let at = |needle: &str, shift: u32| {
        let (line, col) = find(&text, needle);
        json!({"textDocument": doc, "position": position(line, col + shift)})
    };

    // References of `stage.plays`: its definition and its readers in other files.
    let mut params = at("stage.plays", 7);
    params["context"] = json!({"includeDeclaration": true});
    let found = client.request("textDocument/references", params).unwrap();
    let uris: Vec<&str> = found.as_array().unwrap().iter().map(|l| l["uri"].as_str().unwrap()).collect();
    assert!(uris.iter().any(|u| u.ends_with("models/stage/plays.sql")), "{uris:?}");
    assert!(uris.iter().any(|u| u.ends_with("models/mart/top_tracks.sql")), "{uris:?}");

    // Renaming the CTE `daily`: its definition and its use, as one edit of this file.
    let rename_at = at("daily AS", 1);
    let prepared = client.request("textDocument/prepareRename", rename_at.clone()).unwrap();
    assert_eq!(prepared["placeholder"], "daily");
    let mut params = rename_at;
    params["newName"] = json!("per_day");
    let edit = client.request("textDocument/rename", params).unwrap();
    let edits = edit["changes"][&uri].as_array().or_else(|| edit["documentChanges"][0]["edits"].as_array()).unwrap();
    assert_eq!(edits.len(), 2, "{edit}");
    let mut params = at("FROM stage.plays", 1);
    params["newName"] = json!("mart.top_tracks");
    assert!(client.request("textDocument/rename", params).is_err(), "a taken name is refused");

    // The outline, workspace symbols, highlights, the lens and type hints.
    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": doc})).unwrap();
    let names: Vec<&str> =
        symbols[0]["children"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"daily") && names.contains(&"minutes_played"), "{names:?}");
    let found = client.request("workspace/symbol", json!({"query": "dailylis"})).unwrap();
    assert_eq!(found[0]["name"], "mart.daily_listening");
    let highlights = client.request("textDocument/documentHighlight", at("FROM daily", 6)).unwrap();
    assert_eq!(highlights.as_array().unwrap().len(), 2, "{highlights}");
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": doc})).unwrap();
    assert!(lenses[0]["command"]["title"].as_str().unwrap().contains("upstream"), "{lenses}");
    // The lens's command lists the models, as a message any client shows.
    let command = &lenses[0]["command"];
    let params = json!({"command": command["command"], "arguments": command["arguments"]});
    client.request("workspace/executeCommand", params).unwrap();
    let shown = client.expect_notification("window/showMessage", WAIT, |_| true);
    assert!(
        shown["message"].as_str().unwrap().contains("mart.daily_listening: 2 upstream: raw.plays, stage.plays"),
        "{shown}"
    );
    let hints = client.request("textDocument/inlayHint", json!({"textDocument": doc, "range": whole(&text)})).unwrap();
    assert!(
        hints.as_array().unwrap().iter().any(|h| h["label"] == ": BIGINT" || h["label"].as_str().is_some()),
        "{hints}"
    );

    // Signature help inside a macro call.
    let path = root.join("models/mart/play_quality.sql");
    let quality = std::fs::read_to_string(&path).unwrap();
    let quality_uri = file_uri(&path);
    client.open(&quality_uri, "sql", &quality);
    client.diagnostics_for(&quality_uri, WAIT, |d| d.is_empty());
    let (line, col) = find(&quality, "t.duration_ms)");
    let help = client
        .request(
            "textDocument/signatureHelp",
            json!({"textDocument": {"uri": quality_uri}, "position": position(line, col)}),
        )
        .unwrap();
    assert!(help["signatures"][0]["label"].as_str().unwrap().starts_with("@ratio("), "{help}");
    assert_eq!(help["activeParameter"], 1);
    client.shutdown();
}

#[test]
fn completion_knows_the_query_even_half_typed() {
    let (_dir, root) = fixture("lineage");
    let mut client = start(&root, &["utf-16"]);
    let (uri, text) = open_clean(&mut client, &root, "models/mart/user_plays.sql");
    let labels = |client: &mut LspClient, line: u32, col: u32| -> Vec<String> {
        let params = json!({"textDocument": {"uri": uri}, "position": position(line, col)});
        let list = client.request("textDocument/completion", params).unwrap();
        list["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
    };

    // `u.` typed at the end of the select list: the SQL no longer parses.
    let (line, col) = find(&text, "  p.play_date");
    let end = col + "  p.play_date".len() as u32;
    client.change(&uri, json!([{"range": range(line, end, line, end), "text": ",\n  u."}]));
    client.diagnostics_for(&uri, WAIT, |d| codes(d).contains(&"sql-syntax".to_string()));
    let found = labels(&mut client, line + 1, 4);
    assert!(found.contains(&"user_name".to_string()) && found.contains(&"country".to_string()), "{found:?}");
    assert!(!found.contains(&"play_id".to_string()), "only u's columns after `u.`: {found:?}");

    // After `FROM stage.`: that schema's models.
    let (line, col) = find(&text, "FROM stage.plays");
    let found = labels(&mut client, line + 1, col + "FROM stage.".len() as u32);
    assert!(found.contains(&"users".to_string()) && found.contains(&"track_details".to_string()), "{found:?}");
    client.shutdown();
}

#[test]
fn definition_crosses_projects_of_a_monorepo() {
    let (_dir, root) = fixture("monorepo");
    let mut client = start(&root, &["utf-16"]);
    let (uri, text) = open_clean(&mut client, &root, "marketing/models/campaign_revenue.sql");
    let (line, col) = find(&text, "billing.invoices");
    let at = json!({"textDocument": {"uri": uri}, "position": position(line, col + 9)});
    let found = client.request("textDocument/definition", at).unwrap();
    let uris: Vec<&str> = found.as_array().unwrap().iter().map(|l| l["uri"].as_str().unwrap()).collect();
    assert!(uris.iter().any(|u| u.ends_with("marketing/external_models.yaml")), "its declaration here: {uris:?}");
    assert!(uris.iter().any(|u| u.ends_with("billing/models/invoices.sql")), "the model itself: {uris:?}");
    client.shutdown();
}

#[test]
fn a_config_edited_in_its_buffer_counts_before_it_is_saved() {
    let (_dir, root) = fixture("rules/missing-start/plain");
    let mut client = start(&root, &["utf-16"]);
    let uri = file_uri(&root.join("models/events.sql"));
    let text = std::fs::read_to_string(root.join("models/events.sql")).unwrap();
    client.open(&uri, "sql", &text);
    let has_start_warning = |d: &[Value]| codes(d).contains(&"missing-start".to_string());
    client.diagnostics_for(&uri, WAIT, has_start_warning);

    // A `start` in model_defaults, typed and not saved: the warning goes.
    let config = root.join("config.yaml");
    let config_uri = file_uri(&config);
    let config_text = std::fs::read_to_string(&config).unwrap();
    client.open(&config_uri, "yaml", &config_text);
    let (line, _) = find(&config_text, "  dialect: duckdb");
    client.change(&config_uri, json!([{"range": range(line, 0, line, 0), "text": "  start: '2024-01-01'\n"}]));
    client.diagnostics_for(&uri, WAIT, |d| !has_start_warning(d));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), config_text, "the disk is untouched");

    // Closed without saving: the disk's config counts again.
    client.close(&config_uri);
    client.diagnostics_for(&uri, WAIT, has_start_warning);
    client.ignore("$/progress");
    client.ignore("textDocument/publishDiagnostics");
    client.server_requests("window/workDoneProgress/create");
    client.shutdown();
}
