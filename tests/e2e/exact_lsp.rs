//! Positions and ranges exactly as the LSP spec defines them, through the real binary: `\r\n`,
//! `\n` and a lone `\r` each end a line (`fixtures/windows` is written with CR LF; the lone-CR
//! file is written here), a column past a line's end clamps before its line break, a completion
//! edit stays on one line, document symbols nest, and each workspace symbol keeps its own
//! location.

use super::{WAIT, codes, start};
use crate::fixture::fixture;
use crate::lsp_client::{LspClient, file_uri, position, range};
use serde_json::{Value, json};

/// The zero-based line and column of the first `needle` in `text`, columns counted in
/// `encoding`: lines end at `\r\n`, `\n` or a lone `\r`. Written apart from the server's line
/// index, so that the two check each other.
fn find(text: &str, needle: &str, encoding: &str) -> (u32, u32) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in text"));
    let before = &text[..at];
    let line = before.replace("\r\n", "\n").chars().filter(|&c| c == '\n' || c == '\r').count() as u32;
    let line_start = before.rfind(['\r', '\n']).map_or(0, |i| i + 1);
    let column = &text[line_start..at];
    let col = if encoding == "utf-8" { column.len() } else { column.encode_utf16().count() };
    (line, col as u32)
}

/// The length of `text` in `encoding`'s units.
fn units(text: &str, encoding: &str) -> u32 {
    if encoding == "utf-8" { text.len() as u32 } else { text.encode_utf16().count() as u32 }
}

fn document_text(client: &mut LspClient, uri: &str) -> String {
    let text = client.request("meshls/debug/documentText", json!({"uri": uri})).unwrap();
    text.as_str().unwrap_or_else(|| panic!("{uri} is not open: {text}")).to_string()
}

fn at(uri: &str, (line, col): (u32, u32), shift: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position(line, col + shift)})
}

#[test]
fn a_crlf_project_answers_at_the_right_positions() {
    let (_dir, root) = fixture("windows");
    let orders = root.join("models/orders.sql");
    assert!(std::fs::read_to_string(&orders).unwrap().contains("kind FULL,\r\n"), "the fixture keeps its CR LF");
    for encoding in ["utf-16", "utf-8"] {
        let mut client = start(&root, &[encoding]);
        let path = root.join("models/order_totals.sql");
        let uri = file_uri(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        client.open(&uri, "sql", &text);
        client.diagnostics_for(&uri, WAIT, |d| d.is_empty());

        // After a comment holding an emoji: UTF-8 and UTF-16 columns differ.
        let (line, col) = find(&text, "shop.orders", encoding);
        let hover = client.request("textDocument/hover", at(&uri, (line, col), 6)).unwrap();
        assert!(hover["contents"]["value"].as_str().unwrap().starts_with("### `shop.orders`"), "{hover}");
        assert_eq!(hover["range"], range(line, col, line, col + 11), "{encoding}");
        let definition = client.request("textDocument/definition", at(&uri, (line, col), 6)).unwrap();
        assert_eq!(definition[0]["uri"], file_uri(&orders));
        assert_eq!(definition[0]["range"], range(1, 7, 1, 18));

        // A diagnostic where the edit made it, and gone once the edit is undone.
        client.change(&uri, json!([{"range": range(line, col + 5, line, col + 11), "text": "orderz"}]));
        let diagnostics = client.diagnostics_for(&uri, WAIT, |d| !d.is_empty());
        assert_eq!(codes(&diagnostics), ["unregistered-table"]);
        assert_eq!(diagnostics[0]["range"], range(line, col, line, col + 11));
        client.change(&uri, json!([{"range": range(line, col + 5, line, col + 11), "text": "orders"}]));
        client.diagnostics_for(&uri, WAIT, |d| d.is_empty());
        assert_eq!(document_text(&mut client, &uri), text);

        // A column on the line after a CR LF.
        let (line, col) = find(&text, "customer_name,", encoding);
        let hover = client.request("textDocument/hover", at(&uri, (line, col), 2)).unwrap();
        assert_eq!(hover["range"], range(line, col, line, col + 13), "{hover}");

        // A position past the end of a line is before its CR LF, never between CR and LF.
        let (select, _) = find(&text, "SELECT\r\n", encoding);
        client.change(&uri, json!([{"range": range(select, 99, select, 999), "text": " DISTINCT"}]));
        assert_eq!(document_text(&mut client, &uri), text.replace("SELECT\r\n", "SELECT DISTINCT\r\n"));
        client.change(&uri, json!([{"range": range(select, 6, select, 99), "text": ""}]));
        assert_eq!(document_text(&mut client, &uri), text);
        client.shutdown();
    }
}

#[test]
fn a_lone_cr_file_answers_at_the_right_positions() {
    let (_dir, root) = fixture("windows");
    // Classic Mac OS line breaks: a lone CR ends each line.
    let text = [
        "MODEL (",
        "  name shop.lone_cr,",
        "  kind FULL",
        ");",
        "",
        "SELECT",
        "  o.order_id",
        "FROM /* 😀 */ shop.orders AS o",
        "JOIN shop.missing AS m ON m.id = o.order_id",
        "",
    ]
    .join("\r");
    let path = root.join("models/lone_cr.sql");
    std::fs::write(&path, &text).unwrap();
    for encoding in ["utf-16", "utf-8"] {
        let mut client = start(&root, &[encoding]);
        let uri = file_uri(&path);
        client.open(&uri, "sql", &text);
        let diagnostics = client.diagnostics_for(&uri, WAIT, |d| !d.is_empty());
        assert_eq!(codes(&diagnostics), ["unregistered-table"]);
        let (line, col) = find(&text, "shop.missing", encoding);
        assert_eq!((line, col), (8, 5));
        assert_eq!(diagnostics[0]["range"], range(line, col, line, col + 12));

        let reference = find(&text, "shop.orders", encoding);
        let (line, col) = reference;
        assert_eq!(line, 7);
        let hover = client.request("textDocument/hover", at(&uri, reference, 6)).unwrap();
        assert_eq!(hover["range"], range(line, col, line, col + units("shop.orders", encoding)), "{hover}");
        let definition = client.request("textDocument/definition", at(&uri, reference, 6)).unwrap();
        assert_eq!(definition[0]["range"], range(1, 7, 1, 18));

        // The location of a model defined in a lone-CR file, read from the disk.
        let found = client.request("workspace/symbol", json!({"query": "lone_cr"})).unwrap();
        assert_eq!(found[0]["location"]["uri"], file_uri(&path));
        assert_eq!(found[0]["location"]["range"], range(1, 7, 1, 19));

        // An edit at the start of line 6 lands there (lines split on `\n` alone would put line 6
        // past the end of the file), and sqlparser's error, which counts lines on `\n` only,
        // is placed on LSP's line.
        client.change(&uri, json!([{"range": range(6, 0, 6, 0), "text": ") "}]));
        assert_eq!(document_text(&mut client, &uri), text.replace("\r  o.order_id", "\r)   o.order_id"));
        let diagnostics = client.diagnostics_for(&uri, WAIT, |d| codes(d).contains(&"sql-syntax".to_string()));
        let syntax = diagnostics.iter().find(|d| d["code"] == "sql-syntax").unwrap();
        assert_eq!(syntax["range"], range(6, 0, 6, 1), "{syntax}");
        client.change(&uri, json!([{"range": range(6, 0, 6, 2), "text": ""}]));
        client.diagnostics_for(&uri, WAIT, |d| codes(d) == ["unregistered-table"]);
        assert_eq!(document_text(&mut client, &uri), text);
        client.shutdown();
    }
}

#[test]
fn completion_edits_stay_on_the_cursor_line_in_an_unclosed_cron_string() {
    let (_dir, root) = fixture("windows");
    let mut client = start(&root, &["utf-16"]);
    for (name, line_break) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        let text = ["MODEL (", "  name shop.typing,", "  cron '@", ");", "", "SELECT 1 AS x", ""].join(line_break);
        let uri = file_uri(&root.join(format!("models/typing_{name}.sql")));
        client.open(&uri, "sql", &text);
        client.diagnostics_for(&uri, WAIT, |_| true);
        let list = client.request("textDocument/completion", at(&uri, (2, 9), 0)).unwrap();
        let items = list["items"].as_array().unwrap();
        assert!(items.iter().any(|i| i["label"] == "@daily"), "{name}: {list}");
        for item in items {
            // From the string's opening quote to the end of the cursor's line, not of the file.
            assert_eq!(item["textEdit"]["range"], range(2, 8, 2, 9), "{name}: {item}");
        }
    }
    client.shutdown();
}

/// Every child's range lies inside its parent's, and every selection range inside its range.
fn assert_nested(symbols: &Value, parent: Option<&Value>) {
    let point = |p: &Value| (p["line"].as_u64().unwrap(), p["character"].as_u64().unwrap());
    let inside = |inner: &Value, outer: &Value| {
        point(&outer["start"]) <= point(&inner["start"]) && point(&inner["end"]) <= point(&outer["end"])
    };
    for symbol in symbols.as_array().unwrap() {
        assert!(inside(&symbol["selectionRange"], &symbol["range"]), "{symbol}");
        if let Some(parent) = parent {
            assert!(inside(&symbol["range"], &parent["range"]), "{} outside {}", symbol["name"], parent["name"]);
        }
        assert_nested(&symbol["children"], Some(symbol));
    }
}

#[test]
fn document_symbols_nest_inside_their_parents() {
    let (_dir, root) = fixture("windows");
    // A Python model whose `columns=` names a dict written above its `@model(...)`.
    let python = [
        "from sqlmesh import model",
        "",
        "COLUMNS = {",
        "    \"customer_name\": \"text\",",
        "    \"orders\": \"int\",",
        "}",
        "",
        "",
        "@model(",
        "    \"shop.customers\",",
        "    kind=\"FULL\",",
        "    columns=COLUMNS,",
        ")",
        "def execute(context, **kwargs):",
        "    return context.fetchdf(\"SELECT 1\")",
        "",
    ]
    .join("\r\n");
    let python_path = root.join("models/customers.py");
    std::fs::write(&python_path, &python).unwrap();
    let mut client = start(&root, &["utf-16"]);
    let uri = file_uri(&python_path);
    client.open(&uri, "python", &python);
    client.diagnostics_for(&uri, WAIT, |_| true);
    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}})).unwrap();
    assert_eq!(symbols[0]["name"], "shop.customers");
    let columns: Vec<&str> =
        symbols[0]["children"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(columns, ["customer_name", "orders"]);
    assert_nested(&symbols, None);
    assert_eq!(symbols[0]["range"]["start"], position(3, 4), "the model's range starts at its first column");

    for file in ["models/orders.sql", "models/order_totals.sql"] {
        let path = root.join(file);
        let uri = file_uri(&path);
        client.open(&uri, "sql", &std::fs::read_to_string(&path).unwrap());
        client.diagnostics_for(&uri, WAIT, |d| d.is_empty());
        let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}})).unwrap();
        assert!(!symbols[0]["children"].as_array().unwrap().is_empty(), "{symbols}");
        assert_nested(&symbols, None);
    }
    client.shutdown();
}

#[test]
fn workspace_symbols_keep_their_own_locations_when_a_file_cannot_be_read() {
    let (_dir, root) = fixture("windows");
    let mut client = start(&root, &["utf-16"]);
    let located = |found: &Value| -> Vec<(String, String)> {
        let found = found.as_array().unwrap().iter();
        found.map(|s| (s["name"].to_string(), s["location"]["uri"].to_string())).collect()
    };
    let uri = |file: &str| json!(file_uri(&root.join(file))).to_string();
    let found = client.request("workspace/symbol", json!({"query": "order"})).unwrap();
    assert_eq!(
        located(&found),
        [
            ("\"shop.orders\"".to_string(), uri("models/orders.sql")),
            ("\"shop.order_totals\"".to_string(), uri("models/order_totals.sql"))
        ]
    );
    // `shop.orders` ranks first but its file is gone (and no watcher said so): it is left out,
    // and `shop.order_totals` keeps its own location.
    std::fs::remove_file(root.join("models/orders.sql")).unwrap();
    let found = client.request("workspace/symbol", json!({"query": "order"})).unwrap();
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["name"], "shop.order_totals");
    assert_eq!(found[0]["location"]["uri"], file_uri(&root.join("models/order_totals.sql")));
    assert_eq!(found[0]["location"]["range"], range(1, 7, 1, 24));
    client.shutdown();
}
