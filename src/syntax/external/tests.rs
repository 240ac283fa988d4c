//! The reader's behaviour as text snapshots: every field, bad entries beside good ones, wrong
//! shapes, unknown fields, duplicates, syntax errors, merge keys and non-ASCII spans.

use std::fmt::Write;

use super::*;

/// The parse as text: each span is shown as the text it covers.
fn render(text: &str) -> String {
    let parsed = parse_external_models(text);
    let mut out = String::new();
    for model in &parsed.models {
        let entry = model.entry.text(text);
        let _ = writeln!(out, "model {:?} at {:?}, entry {:?}", model.name.value, model.name.span.text(text), entry);
        let fields = [
            ("description", &model.description),
            ("dialect", &model.dialect),
            ("gateway", &model.gateway),
            ("start", &model.start),
        ];
        for (field, value) in fields {
            if let Some(value) = value {
                let _ = writeln!(out, "  {field}: {value:?}");
            }
        }
        for column in &model.columns {
            let _ = write!(
                out,
                "  column {:?} at {:?}: {:?}",
                column.name.value,
                column.name.span.text(text),
                column.data_type
            );
            let _ = writeln!(out, "{}", column.description.as_ref().map(|d| format!(" ({d:?})")).unwrap_or_default());
        }
        for audit in &model.audits {
            let (name, args) = (&audit.name, &audit.args);
            let _ = writeln!(out, "  audit {:?} at {:?}: {args:?}", name.value, name.span.text(text));
        }
        if !model.other.is_empty() {
            let _ = writeln!(out, "  other: {}", model.other.join(", "));
        }
    }
    for d in &parsed.diagnostics {
        let _ = writeln!(out, "{:?} {}: {} at {:?}", d.severity, d.code, d.message, d.span.text(text));
    }
    out
}

#[test]
fn reads_start_and_audits() {
    let text = "\
- name: raw.demographics
  start: 1 week ago
  audits:
    - name: NOT_NULL
      columns: \"[customer_id]\"
    - name: accepted_range
      column: zip
      min_v: \"'00000'\"
    - not_a_mapping
    - columns: x
- name: raw.epoch
  start: 1704067200000
";
    insta::assert_snapshot!(render(text), @r#"
    model "raw.demographics" at "raw.demographics", entry "- name: raw.demographics\n  start: 1 week ago\n  audits:\n    - name: NOT_NULL\n      columns: \"[customer_id]\"\n    - name: accepted_range\n      column: zip\n      min_v: \"'00000'\"\n    - not_a_mapping\n    - columns: x"
      start: "1 week ago"
      audit "not_null" at "NOT_NULL": [("columns", "[customer_id]")]
      audit "accepted_range" at "accepted_range": [("column", "zip"), ("min_v", "'00000'")]
    model "raw.epoch" at "raw.epoch", entry "- name: raw.epoch\n  start: 1704067200000"
      start: "1704067200000"
    Error external-models: an audit must be a mapping with `name:` and its arguments at "not_a_mapping"
    Error external-models: an audit must have a `name` at "columns: x"
    "#);
}

#[test]
fn reads_every_field() {
    let text = "\
# sources
- name: raw.events
  description: Raw click events
  columns:
    id: int
    ts: timestamp
    amount: decimal(10, 2)
  column_descriptions:
    id: The event id
  gateway: PROD
  dialect: DuckDB
  owner: data
  tags: [raw]

- name: '\"Raw\".\"Users\"'
  columns: {id: bigint, name: text}
";
    insta::assert_snapshot!(render(text), @r#"
    model "raw.events" at "raw.events", entry "- name: raw.events\n  description: Raw click events\n  columns:\n    id: int\n    ts: timestamp\n    amount: decimal(10, 2)\n  column_descriptions:\n    id: The event id\n  gateway: PROD\n  dialect: DuckDB\n  owner: data\n  tags: [raw]"
      description: "Raw click events"
      dialect: "duckdb"
      gateway: "prod"
      column "id" at "id": Some("int") ("The event id")
      column "ts" at "ts": Some("timestamp")
      column "amount" at "amount": Some("decimal(10, 2)")
      other: owner, tags
    model "\"Raw\".\"Users\"" at "'\"Raw\".\"Users\"'", entry "- name: '\"Raw\".\"Users\"'\n  columns: {id: bigint, name: text}"
      column "id" at "id": Some("bigint")
      column "name" at "name": Some("text")
    "#);
}

#[test]
fn a_bad_entry_does_not_hide_its_neighbours() {
    let text = "- name: a\n- description: no name\n  columns:\n    x: int\n- raw.events\n- name:\n- name: [a, b]\n- name: 123\n";
    insta::assert_snapshot!(render(text), @r#"
        model "a" at "a", entry "- name: a"
        model "123" at "123", entry "- name: 123"
        Error external-models: external model has no `name` at "- description: no name"
        Error external-models: an external model is a mapping with at least `name:` at "raw.events"
        Error external-models: `name` is empty at "name"
        Error external-models: `name` must be a string like `db.table` at "[a, b]"
        "#);
}

#[test]
fn wrong_shapes() {
    insta::assert_snapshot!(render("name: raw.events\ncolumns:\n  id: int\n"), @r#"Error external-models: an external models file is a list: start each model with `- name: ...` at "name: raw.events\ncolumns:\n  id: int""#);
    insta::assert_snapshot!(render("just text"), @r#"Error external-models: an external models file is a list of `- name: ...` entries at "just text""#);
    let text = "- name: a\n  columns:\n    - id\n    - ts\n- name: b\n  columns: id int\n  column_descriptions: [a]\n  description: [x]\n";
    insta::assert_snapshot!(render(text), @r#"
        model "a" at "a", entry "- name: a\n  columns:\n    - id\n    - ts"
        model "b" at "b", entry "- name: b\n  columns: id int\n  column_descriptions: [a]\n  description: [x]"
        Error external-models: `columns` must be a mapping of column name to data type (`id: int`), not a list at "- id\n    - ts"
        Error external-models: `columns` must be a mapping of column name to data type (`id: int`) at "id int"
        Error external-models: `description` must be a string at "[x]"
        Error external-models: `column_descriptions` must be a mapping of column name to description at "[a]"
        "#);
}

#[test]
fn columns_and_descriptions() {
    let text = "\
- name: a
  columns:
    id:
    ts: [int]
    1: int
    ? [x]
    : int
    Name: text
  column_descriptions:
    id: x
    name: case-insensitive match
    nope: y
    ts: 5
";
    insta::assert_snapshot!(render(text), @r#"
        model "a" at "a", entry "- name: a\n  columns:\n    id:\n    ts: [int]\n    1: int\n    ? [x]\n    : int\n    Name: text\n  column_descriptions:\n    id: x\n    name: case-insensitive match\n    nope: y\n    ts: 5"
          column "id" at "id": None ("x")
          column "ts" at "ts": None
          column "1" at "1": Some("int")
          column "Name" at "Name": Some("text") ("case-insensitive match")
        Error external-models: column `id` has no data type at "id"
        Error external-models: the data type of column `ts` must be a string like `int` at "[int]"
        Error external-models: column name `1` must be a string: quote it at "1"
        Error external-models: column names must be strings at "[x]"
        Warning external-models: `nope` is not in `columns`; SQLMesh ignores its description at "nope"
        Error external-models: the description of column `ts` must be a string at "5"
        "#);
}

#[test]
fn unknown_fields() {
    let text = "- name: a\n  colums:\n    id: int\n  Name: x\n  descripton: y\n  zzz: 1\n  cron: '@daily'\n";
    insta::assert_snapshot!(render(text), @r#"
        model "a" at "a", entry "- name: a\n  colums:\n    id: int\n  Name: x\n  descripton: y\n  zzz: 1\n  cron: '@daily'"
          other: colums, Name, descripton, zzz, cron
        Error external-models: `colums` is not a field of an external model; did you mean `columns`? at "colums"
        Error external-models: `Name` is not a field of an external model; did you mean `name`? at "Name"
        Error external-models: `descripton` is not a field of an external model; did you mean `description`? at "descripton"
        Error external-models: `zzz` is not a field of an external model at "zzz"
        "#);
}

#[test]
fn duplicate_names() {
    let text = "\
- name: a
- name: A
- name: a
  gateway: dev
- name: a
  gateway: Dev
- name: '\"a\"'
- name: '\"A\"'
";
    insta::assert_snapshot!(render(text), @r#"
        model "a" at "a", entry "- name: a"
        model "A" at "A", entry "- name: A"
        model "a" at "a", entry "- name: a\n  gateway: dev"
          gateway: "dev"
        model "a" at "a", entry "- name: a\n  gateway: Dev"
          gateway: "dev"
        model "\"a\"" at "'\"a\"'", entry "- name: '\"a\"'"
        model "\"A\"" at "'\"A\"'", entry "- name: '\"A\"'"
        Error external-models: external model `A` is defined more than once at "A"
        Error external-models: external model `a` is defined more than once for gateway `dev` at "a"
        "#);
}

#[test]
fn syntax_errors_keep_the_other_entries() {
    // The whole-file error would point at `columns:` of `b`; re-reading entries finds `a`.
    let text = "- name: a\n  x: [1, 2\n- name: b\n  columns:\n    id: int\n";
    insta::assert_snapshot!(render(text), @r#"
        model "b" at "b", entry "- name: b\n  columns:\n    id: int"
          column "id" at "id": Some("int")
        Error yaml-syntax: YAML syntax error: while parsing a flow sequence, expected ',' or ']' at "-"
        "#);
    insta::assert_snapshot!(render("- name: a\n  name: b\n- name: c\n"), @r#"
        model "c" at "c", entry "- name: c"
        Error yaml-syntax: YAML syntax error: duplicated key in mapping at "name"
        "#);
    insta::assert_snapshot!(render("- {name: a, columns: {id: int}}\n- {name: b\n- name: c\n"), @r#"
        model "a" at "a", entry "- {name: a, columns: {id: int}}"
          column "id" at "id": Some("int")
        model "c" at "c", entry "- name: c"
        Error yaml-syntax: YAML syntax error: while parsing a flow mapping, did not find expected ',' or '}' at "-"
        "#);
    insta::assert_snapshot!(render("- name: a\n  description: \"unterminated\n- name: b\n"), @r#"
        model "b" at "b", entry "- name: b"
        Error yaml-syntax: YAML syntax error: while scanning a quoted scalar, found unexpected end of stream at "\"unterminated"
        "#);
    insta::assert_snapshot!(render("  - name: a\n    x: ]\n  - name: b\n"), @r#"
        model "b" at "b", entry "- name: b"
        Error yaml-syntax: YAML syntax error: misplaced bracket at "]"
        "#);
    insta::assert_snapshot!(render("foo: [\n"), @r#"Error yaml-syntax: YAML syntax error: while parsing a node, did not find expected node content at """#);
}

#[test]
fn documents_and_empty_files() {
    insta::assert_snapshot!(render("- name: a\n---\n- name: b\n"), @r#"
        model "a" at "a", entry "- name: a"
        model "b" at "b", entry "- name: b"
        Error external-models: SQLMesh reads only one YAML document per file at "---"
        "#);
    for text in ["", "# only a comment\n", "---\n", "~\n", "\u{feff}"] {
        assert_eq!(parse_external_models(text), ExternalModels::default(), "{text:?}");
    }
}

#[test]
fn entry_spans() {
    let text = "- name: a\r\n  description: |\r\n    multi\r\n\r\n  # about b\r\n- name: b # trailing\r\n\r\n";
    insta::assert_snapshot!(render(text), @r#"
        model "a" at "a", entry "- name: a\r\n  description: |\r\n    multi"
          description: "multi\n"
        model "b" at "b", entry "- name: b"
        "#);
    insta::assert_snapshot!(render("- !custom\n  name: a\n  columns: !more\n    id: int\n"), @r#"
        model "a" at "a", entry "- !custom\n  name: a\n  columns: !more\n    id: int"
          column "id" at "id": Some("int")
        "#);
}

#[test]
fn merge_keys() {
    let text = "\
- &base
  name: a
  columns:
    id: int
- <<: *base
  name: b
  description: x
- <<: [*base, {owner: me}]
  name: c
- <<: 5
  name: d
";
    insta::assert_snapshot!(render(text), @r#"
        model "a" at "a", entry "- &base\n  name: a\n  columns:\n    id: int"
          column "id" at "id": Some("int")
        model "b" at "b", entry "- <<: *base\n  name: b\n  description: x"
          description: "x"
          column "id" at "id": Some("int")
        model "c" at "c", entry "- <<: [*base, {owner: me}]\n  name: c"
          column "id" at "id": Some("int")
          other: owner
        model "d" at "d", entry "- <<: 5\n  name: d"
        Error external-models: `<<` merges mappings only at "<<"
        "#);
}

#[test]
fn non_ascii_spans_are_bytes() {
    let text = "\u{feff}- name: é.ñ\n  description: Ünïcödé 名前\n  columns:\n    名前: text\n    ü: int\n  column_descriptions:\n    名前: 名前の説明\n- name: 😀.b\n  columns: {ä: int}\n";
    insta::assert_snapshot!(render(text), @r#"
        model "é.ñ" at "é.ñ", entry "- name: é.ñ\n  description: Ünïcödé 名前\n  columns:\n    名前: text\n    ü: int\n  column_descriptions:\n    名前: 名前の説明"
          description: "Ünïcödé 名前"
          column "名前" at "名前": Some("text") ("名前の説明")
          column "ü" at "ü": Some("int")
        model "😀.b" at "😀.b", entry "- name: 😀.b\n  columns: {ä: int}"
          column "ä" at "ä": Some("int")
        "#);
    let parsed = parse_external_models(text);
    assert_eq!(parsed.models[0].name.span, Span::new(11, 16));
    assert_eq!(parsed.models[0].entry.start, 3);
    // After a syntax error the entries are re-read alone; their spans must stay right.
    insta::assert_snapshot!(render("- name: é\n  x: [é\n- name: ü\n  columns: {ß: int}\n- name: ü2\n  y: ]\n"), @r#"
        model "ü" at "ü", entry "- name: ü\n  columns: {ß: int}"
          column "ß" at "ß": Some("int")
        Error yaml-syntax: YAML syntax error: while parsing a flow sequence, expected ',' or ']' at "-"
        Error yaml-syntax: YAML syntax error: misplaced bracket at "]"
        "#);
}

#[test]
fn deep_nesting_is_a_diagnostic() {
    let parsed = parse_external_models(&("- ".repeat(1000) + "x"));
    assert_eq!(parsed.models, []);
    assert_eq!(parsed.diagnostics.len(), 1);
    assert_eq!(parsed.diagnostics[0].code, "yaml-syntax");
}

#[test]
fn odd_input_never_panics() {
    let samples = [
        "- name: a\n  columns:\n    id: int\n",
        "- {name: é, columns: {x: [}}\n- name: b\n",
        "- &a [*a]\n",
        "- *unknown\n",
        "- name: a\n  <<: *nope\n",
        "- ? - a\n  : b\n",
        "--- - - x\n",
        "- name: \t\r\n\r\r\n",
        "\t- name: a\n",
        "%YAML 1.2\n---\n- name: a\n",
        "- name: 'a\n\n",
        "- |\n x\n- >-\n",
    ];
    for sample in samples {
        for end in 0..=sample.len() {
            if let Some(prefix) = sample.get(..end) {
                let _ = parse_external_models(prefix);
            }
        }
    }
}
