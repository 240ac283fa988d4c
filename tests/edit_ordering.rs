//! 1,000 rapid incremental edits (insertions, deletions, multi-line ranges, emoji and CJK),
//! sent without waiting: the server's text must equal the expected text byte for byte, in
//! both position encodings. A replay of real keystroke sequences, non-ASCII included, follows.

#[path = "support/lsp_client.rs"]
mod lsp_client;
#[path = "support/rng.rs"]
mod rng;

use lsp_client::{ClientOptions, LspClient, file_uri, range};
use rng::Rng;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

/// The LSP position of byte `offset` of `text` in `encoding`.
fn position(text: &str, offset: usize, encoding: &str) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_text = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let col = match encoding {
        "utf-8" => line_text.len(),
        _ => line_text.encode_utf16().count(),
    };
    (line, col as u32)
}

fn char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

const INSERTS: &[&str] =
    &["a", "SELECT ", "😀", "中文字", "é", "\n", "x\ny\n", "🧑‍🚀 ok", "'", "-- c\n", "@start_ds", "\r\n"];

fn server_text(client: &mut LspClient, uri: &str) -> String {
    client.request("meshls/debug/documentText", json!({"uri": uri})).unwrap().as_str().unwrap().to_string()
}

fn run(encoding: &str, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let options = ClientOptions { position_encodings: vec![encoding.to_string()], ..ClientOptions::default() };
    let mut client = LspClient::start(Path::new(env!("CARGO_BIN_EXE_meshls")), &[], options);
    client.initialize(&[dir.path()]);
    let uri = file_uri(&dir.path().join("scratch.sql"));
    let mut text = String::from("MODEL (name s.t);\nSELECT 1 AS 列, '😀' AS e\n");
    client.open(&uri, "sql", &text);
    // Outside any project: one (empty) publish on open, none after edits.
    client.diagnostics_for(&uri, Duration::from_secs(10), |d| d.is_empty());

    let mut rng = Rng(seed);
    for _ in 0..1000 {
        let start = char_boundary(&text, rng.below(text.len() + 1));
        let end = match rng.below(4) {
            0 => start,
            1 => char_boundary(&text, (start + rng.below(40)).min(text.len())),
            _ => char_boundary(&text, (start + rng.below(6)).min(text.len())),
        };
        let insert = if rng.below(3) == 0 { "" } else { INSERTS[rng.below(INSERTS.len())] };
        let (l1, c1) = position(&text, start, encoding);
        let (l2, c2) = position(&text, end, encoding);
        let change: Value = json!([{"range": range(l1, c1, l2, c2), "text": insert}]);
        text.replace_range(start..end, insert);
        client.change(&uri, change);
    }
    assert_eq!(server_text(&mut client, &uri), text, "{encoding}: the server's text differs");
    client.shutdown();
}

#[test]
fn a_thousand_rapid_edits_in_utf16() {
    run("utf-16", 1);
}

#[test]
fn a_thousand_rapid_edits_in_utf8() {
    run("utf-8", 2);
}

/// Typing a line character by character, then deleting it backwards with backspace, as an
/// editor sends it (each keystroke its own didChange), with CJK and emoji.
#[test]
fn replayed_keystrokes_with_non_ascii() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = LspClient::start(Path::new(env!("CARGO_BIN_EXE_meshls")), &[], ClientOptions::default());
    client.initialize(&[dir.path()]);
    let uri = file_uri(&dir.path().join("typed.sql"));
    client.open(&uri, "sql", "");
    client.diagnostics_for(&uri, Duration::from_secs(10), |d| d.is_empty());
    let typed = "SELECT '数据 😀' AS ё, 1 AS x";
    let mut col = 0u32;
    for ch in typed.chars() {
        client.change(&uri, json!([{"range": range(0, col, 0, col), "text": ch.to_string()}]));
        col += ch.len_utf16() as u32;
    }
    assert_eq!(server_text(&mut client, &uri), typed);
    for ch in typed.chars().rev().take(10) {
        let width = ch.len_utf16() as u32;
        client.change(&uri, json!([{"range": range(0, col - width, 0, col), "text": ""}]));
        col -= width;
    }
    let kept: String = typed.chars().take(typed.chars().count() - 10).collect();
    assert_eq!(server_text(&mut client, &uri), kept);
    client.shutdown();
}
