//! Orchestrator definitions from the editor (issue #14): the "Generate …" code actions write
//! the file through `workspace/applyEdit`, with the same text as `meshls generate`; an open
//! generated file that the project outgrew gets a `stale-generated-file` info whose fix
//! regenerates it.

use super::{WAIT, codes, start};
use crate::fixture::fixture;
use crate::lsp_client::{LspClient, file_uri, range};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

/// What `meshls generate dagster ROOT -o OUTPUT [flags]` writes.
fn cli_module(root: &Path, output: &Path, flags: &[&str]) -> String {
    let status = Command::new(env!("CARGO_BIN_EXE_meshls"))
        .args(["generate", "dagster"])
        .arg(root)
        .arg("-o")
        .arg(output)
        .args(flags)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read_to_string(output).unwrap()
}

/// The generate actions on `uri`, asked for as source actions.
fn generate_actions(client: &mut LspClient, uri: &str) -> Vec<Value> {
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range(0, 0, 0, 0),
                   "context": {"diagnostics": [], "only": ["source"]}}),
        )
        .unwrap();
    actions.as_array().unwrap().clone()
}

/// Runs an action's command; returns the edit the server asked the client to apply.
fn run(client: &mut LspClient, action: &Value) -> Value {
    let command = &action["command"];
    let answer = client
        .request("workspace/executeCommand", json!({"command": command["command"], "arguments": command["arguments"]}))
        .unwrap();
    assert!(answer.as_str().is_some_and(|p| p.ends_with(".py")), "answers the file written: {answer}");
    client.expect_server_request("workspace/applyEdit", WAIT, |_| true)["edit"].clone()
}

/// The URI a WorkspaceEdit creates and the text its one edit writes.
fn created(edit: &Value) -> (String, String) {
    let changes = edit["documentChanges"].as_array().unwrap();
    assert_eq!(changes[0]["kind"], "create", "{edit}");
    let edits = changes[1]["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    (changes[0]["uri"].as_str().unwrap().to_string(), edits[0]["newText"].as_str().unwrap().to_string())
}

#[test]
fn the_generate_actions_write_what_the_command_line_writes() {
    let (_dir, root) = fixture("dagster/shop");
    let mut client = start(&root, &["utf-16"]);
    let model = root.join("models/top_customers.sql");
    let uri = file_uri(&model);
    client.open(&uri, "sql", &std::fs::read_to_string(&model).unwrap());
    client.diagnostics_for(&uri, WAIT, |_| true);

    let actions = generate_actions(&mut client, &uri);
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Generate Dagster definitions for this project",
            "Generate Dagster definitions for shop.top_customers and its upstream"
        ]
    );
    assert!(actions.iter().all(|a| a["kind"] == "source.generate.dagster"));
    // Quick fixes only: none of them.
    let quick = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range(0, 0, 0, 0),
                   "context": {"diagnostics": [], "only": ["quickfix"]}}),
        )
        .unwrap();
    assert!(quick.is_null(), "{quick}");

    // The whole project, into the default output.
    let (created_uri, text) = created(&run(&mut client, &actions[0]));
    let output = root.join("orchestration/dagster_definitions.py");
    assert_eq!(created_uri, file_uri(&output));
    let expected = cli_module(&root, &output, &[]);
    assert_eq!(text, expected);
    assert!(text.contains("    meshls generate dagster .. -o dagster_definitions.py\n"), "{text}");

    // The model and its upstream, beside it.
    let (created_uri, text) = created(&run(&mut client, &actions[1]));
    let beside = root.join("orchestration/dagster_definitions_shop_top_customers.py");
    assert_eq!(created_uri, file_uri(&beside));
    assert_eq!(text, cli_module(&root, &beside, &["--select", "+shop.top_customers"]));
    assert!(text.contains(" -o dagster_definitions_shop_top_customers.py --select +shop.top_customers\n"), "{text}");
    client.shutdown();
}

#[test]
fn a_stale_generated_file_says_so_and_its_fix_regenerates_it() {
    let (_dir, root) = fixture("dagster/shop");
    let output = root.join("orchestration/defs.py");
    std::fs::write(root.join("meshls.toml"), "[codegen.dagster]\noutput = \"orchestration/defs.py\"\n").unwrap();
    let current = cli_module(&root, &output, &[]);
    let mut client = start(&root, &["utf-16"]);
    let uri = file_uri(&output);
    client.open(&uri, "python", &current);
    client.diagnostics_for(&uri, WAIT, |d| d.is_empty());

    // A model gains a column on disk: the open module no longer says what the project is.
    let model = root.join("models/top_customers.sql");
    let text = std::fs::read_to_string(&model).unwrap();
    let changed = text.replacen("SELECT\n", "SELECT\n  1 AS added,\n", 1);
    assert_ne!(changed, text);
    std::fs::write(&model, changed).unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": file_uri(&model), "type": 2}]}));
    let diagnostics = client.diagnostics_for(&uri, WAIT, |d| !d.is_empty());
    assert_eq!(codes(&diagnostics), ["stale-generated-file"]);
    assert_eq!(diagnostics[0]["severity"], 3, "information");

    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": diagnostics[0]["range"],
                   "context": {"diagnostics": diagnostics, "only": ["quickfix"]}}),
        )
        .unwrap();
    assert_eq!(actions[0]["title"], "Regenerate the Dagster definitions");
    let edits = actions[0]["edit"]["documentChanges"][0]["edits"].as_array().unwrap().clone();
    let regenerated = super::apply_text_edits(&current, &edits);
    let fresh = cli_module(&root, &root.join("orchestration/fresh.py"), &[]);
    assert_eq!(regenerated, fresh.replace("-o fresh.py", "-o defs.py"));
    assert!(regenerated.contains("\"added\""), "the new column is in the module");

    // Once regenerated, the file is current again.
    client.change(&uri, json!([{"range": super::whole(&current), "text": regenerated}]));
    client.diagnostics_for(&uri, WAIT, |d| d.is_empty());
    client.shutdown();
}
