use super::lexer::{TokenKind, tokenize};
use super::literal::{ExprReader, PyValueKind};
use super::strings::string_value;
use super::*;

fn model(src: &str) -> PythonModel {
    parse_python_model(src).expect("a @model decorator")
}

fn texts(v: &[crate::syntax::span::Spanned<String>]) -> Vec<&str> {
    v.iter().map(|s| s.value.as_str()).collect()
}

fn codes(m: &PythonModel) -> Vec<&str> {
    m.diagnostics.iter().map(|d| d.code).collect()
}

const SUSHI: &str = r#"import typing as t
from datetime import datetime

import pandas as pd
from sqlglot import exp
from sqlmesh import ExecutionContext, model
from sqlmesh.core.model.kind import ModelKindName

SOURCE = "sushi.orders"

@model(
    "sushi.customer_revenue",  # the name, positional
    kind=dict(
        name=ModelKindName.INCREMENTAL_BY_TIME_RANGE,
        time_column="ds",  # a comment inside
    ),
    cron="@daily",
    start="2024-01-01",
    owner='jen',
    columns={
        "customer_id": "int",
        "revenue": "double",
        "ds": exp.DataType.build("date"),
        "extra": some_type(),
    },
    grain=["customer_id", "ds"],
    audits=[("not_null", {"columns": ["customer_id"]}), "unique_values"],
    tags="finance",
    description="""Revenue
    per customer""",
)
def execute(
    context: ExecutionContext,
    start: datetime,
    **kwargs: t.Any,
) -> pd.DataFrame:
    orders = context.resolve_table(SOURCE)
    items = context.table(model_name='sushi.items')
    now = datetime.now()
    other = self.context.table("not.a.dependency")
    return context.fetchdf(f"SELECT * FROM {orders} JOIN {context.resolve_table("sushi.x")} WHERE ds = '{start:%Y-%m-%d}'")
"#;

#[test]
fn multi_line_decorator_with_comments() {
    let m = model(SUSHI);
    assert_eq!(m.decorator.text(SUSHI).lines().next(), Some("@model("));
    assert!(m.decorator.text(SUSHI).ends_with("per customer\"\"\",\n)"));
    let name = m.name.as_ref().unwrap();
    assert_eq!(name.value, "sushi.customer_revenue");
    assert_eq!(name.span.text(SUSHI), "\"sushi.customer_revenue\"");
    let kind = m.kind.as_ref().unwrap();
    assert_eq!(kind.name.value, "INCREMENTAL_BY_TIME_RANGE");
    assert_eq!(kind.properties.len(), 1);
    assert_eq!(kind.properties[0].0.value, "time_column");
    assert_eq!(kind.properties[0].1.kind, PyValueKind::Str("ds".into()));
    assert_eq!(m.cron.as_ref().unwrap().span.text(SUSHI), "\"@daily\"");
    assert_eq!(m.start.as_ref().unwrap().value, "2024-01-01");
    assert_eq!(m.owner.as_ref().unwrap().span.text(SUSHI), "'jen'");
    assert_eq!(m.description.as_ref().unwrap().value, "Revenue\n    per customer");
    let columns: Vec<(&str, Option<&str>)> =
        m.columns.as_ref().unwrap().iter().map(|(n, t)| (n.value.as_str(), t.as_deref())).collect();
    assert_eq!(
        columns,
        [("customer_id", Some("int")), ("revenue", Some("double")), ("ds", Some("date")), ("extra", None)]
    );
    assert_eq!(texts(&m.grain), ["customer_id", "ds"]);
    assert_eq!(texts(&m.audits), ["not_null", "unique_values"]);
    assert_eq!(texts(&m.tags), ["finance"]);
    assert_eq!(m.depends_on, None);
    assert_eq!(texts(&m.resolved_tables), ["sushi.orders", "sushi.items", "sushi.x"]);
    // A constant's value is spanned where the constant is defined.
    assert_eq!(m.resolved_tables[0].span.text(SUSHI), "\"sushi.orders\"");
    assert_eq!(m.now_calls.iter().map(|s| s.text(SUSHI)).collect::<Vec<_>>(), ["datetime.now()"]);
    assert_eq!(m.entrypoint.as_ref().map(|e| e.value.as_str()), Some("execute"));
    assert_eq!(m.args.len(), 10);
    assert!(m.diagnostics.is_empty(), "{:?}", m.diagnostics);
}

#[test]
fn full_model_snapshot() {
    let src = "from sqlmesh import model\n@model('db.m', kind='full', columns={'a': 'int'}, depends_on=['db.up'])\ndef run(context, **kw):\n    return context.fetchdf('select 1')\n";
    insta::assert_yaml_snapshot!(model(src));
}

#[test]
fn kind_as_string_enum_dict_and_class() {
    let kind = |k: &str| {
        let src = format!("@model('m', columns={{}}, kind={k})\ndef f(context): ...\n");
        let m = model(&src);
        (m.kind.map(|k| (k.name.value, k.properties.len())), codes_of(&m.diagnostics))
    };
    fn codes_of(d: &[crate::syntax::span::Diagnostic]) -> Vec<String> {
        d.iter().map(|d| format!("{:?}", d.severity)).collect()
    }
    assert_eq!(kind("'full'"), (Some(("FULL".into(), 0)), vec![]));
    assert_eq!(kind("ModelKindName.VIEW"), (Some(("VIEW".into(), 0)), vec![]));
    assert_eq!(
        kind("{'name': ModelKindName.INCREMENTAL_BY_UNIQUE_KEY, 'unique_key': ['id']}"),
        (Some(("INCREMENTAL_BY_UNIQUE_KEY".into(), 1)), vec![])
    );
    // SQLMesh rejects a kind dictionary whose name is not a ModelKindName member.
    assert_eq!(kind("dict(name='FULL')"), (Some(("FULL".into(), 0)), vec!["Error".into()]));
    assert_eq!(kind("dict(time_column='ds')"), (None, vec!["Error".into()]));
    // Kind objects work but SQLMesh warns about them.
    assert_eq!(
        kind("IncrementalByTimeRangeKind(time_column='ds')"),
        (Some(("INCREMENTAL_BY_TIME_RANGE".into(), 1)), vec!["Warning".into()])
    );
    assert_eq!(kind("make_kind()"), (None, vec![]));
    assert_eq!(kind("SOME_CONSTANT"), (None, vec![]));
    assert_eq!(kind("dict(name=kind_name())"), (None, vec![]));
}

#[test]
fn explicit_depends_on_and_missing_columns() {
    let src = "from sqlmesh import model\nDEPS = {'a.b', \"c.d\"}\n@model('m', depends_on=DEPS)\ndef f(context):\n    return context.resolve_table(name)\n";
    let m = model(src);
    assert_eq!(texts(m.depends_on.as_ref().unwrap()), ["a.b", "c.d"]);
    assert!(m.resolved_tables.is_empty());
    // No `columns=`: SQLMesh refuses the model. A non-literal resolve_table is fine when
    // depends_on is given.
    assert_eq!(codes(&m), ["python-model"]);
    assert!(m.diagnostics[0].message.contains("column schema"));
}

#[test]
fn non_literal_resolve_table_without_depends_on() {
    let src =
        "@model('m', columns={'a': 'int'})\ndef f(context, schema):\n    t = context.resolve_table(f'{schema}.x')\n";
    let m = model(src);
    assert!(m.resolved_tables.is_empty());
    assert_eq!(codes(&m), ["python-model"]);
    assert_eq!(m.diagnostics[0].span.text(src), "f'{schema}.x'");
}

#[test]
fn is_sql_models_need_no_columns_and_spread_is_unknown() {
    assert!(model("@model('m', is_sql=True, kind='VIEW')\ndef f(evaluator): ...\n").diagnostics.is_empty());
    assert!(model("@model('m', **COMMON)\ndef f(context): ...\n").diagnostics.is_empty());
}

#[test]
fn no_model_decorator() {
    assert_eq!(parse_python_model(""), None);
    assert_eq!(parse_python_model("import pandas\n\ndef f():\n    return 1\n"), None);
    assert_eq!(parse_python_model("from sqlmesh import model\n@model\ndef f(): ...\n"), None);
    // `model` from another package is not SQLMesh's decorator.
    assert_eq!(parse_python_model("from mylib import model\n@model('x')\ndef f(): ...\n"), None);
    assert!(parse_python_model("import sqlmesh as sm\n@sm.model('x', columns={})\ndef f(): ...\n").is_some());
    assert!(parse_python_model("from sqlmesh import model as m\n@m('x', columns={})\ndef f(): ...\n").is_some());
    // A byte order mark does not hide the first line.
    assert!(parse_python_model("\u{feff}@model('x', columns={})\ndef f(): ...\n").is_some());
}

#[test]
fn unterminated_string() {
    let src = "from sqlmesh import model\n@model('m, columns={'a': 'int'})\ndef f(context):\n    x = \"never closed\n    return 1\n";
    let m = model(src);
    assert!(m.diagnostics.iter().any(|d| d.code == "python-syntax"));
    assert_eq!(m.entrypoint.map(|e| e.value), Some("f".into()));
    let triple = "@model('m', columns={}, description=\"\"\"open\n";
    let m = model(triple);
    assert_eq!(m.description.map(|d| d.value), Some("open\n".into()));
    assert!(m.diagnostics.iter().any(|d| d.message.contains("unterminated")));
}

#[test]
fn deep_brackets_are_cut_off() {
    let deep = format!("@model('m', columns={{}}, tags={}{})\ndef f(context): ...\n", "[".repeat(200), "]".repeat(200));
    let m = model(&deep);
    assert!(m.diagnostics.iter().any(|d| d.code == "python-depth"), "{:?}", m.diagnostics);
    assert_eq!(m.entrypoint.map(|e| e.value), Some("f".into()));
    // Far deeper input, unbalanced, also stays within the stack.
    let deeper = format!("@model('m', columns={{}}, tags={}\ndef f(): ...\n", "({[".repeat(100_000));
    assert!(parse_python_model(&deeper).is_some());
}

#[test]
fn unclosed_bracket_recovers_at_next_statement() {
    let src = "from sqlmesh import model\nx = foo(\n\n@model('m', columns={'a': 'int'})\ndef f(context): ...\n";
    let m = model(src);
    assert_eq!(m.name.map(|n| n.value), Some("m".into()));
    assert!(m.diagnostics.iter().any(|d| d.code == "python-syntax"));
}

#[test]
fn now_calls() {
    let src = "@model('m', columns={})\ndef f(context):\n    a = datetime.datetime.utcnow()\n    b = date.today()\n    c = time.time()\n    d = pd.Timestamp.now(tz='UTC')\n    e = x.datetime.now()\n    g = datetime.now\n";
    let m = model(src);
    let calls: Vec<&str> = m.now_calls.iter().map(|s| s.text(src)).collect();
    assert_eq!(calls, ["datetime.datetime.utcnow()", "date.today()", "time.time()", "pd.Timestamp.now(tz='UTC')"]);
}

#[test]
fn literal_values() {
    let src = "x = (1, -2.5, 'a' \"b\", None, True, [], {}, {1, 2}, (3,), (4), f'{y}', a + b, lambda q: q, [*z])";
    let module = PyModule::read(src);
    let value = module.lookup("x").unwrap();
    let PyValueKind::Tuple(items) = &value.kind else { panic!("{value:?}") };
    let kinds: Vec<String> = items
        .iter()
        .map(|v| match &v.kind {
            PyValueKind::Str(s) | PyValueKind::Number(s) => s.clone(),
            k => format!("{k:?}").chars().take(12).collect(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "1",
            "-2.5",
            "ab",
            "None",
            "Bool(true)",
            "List([])",
            "Dict([])",
            "Set([PyValue",
            "Tuple([PyVal",
            "4",
            "Other",
            "Other",
            "Other",
            "Other"
        ]
    );
    assert_eq!(items[2].span.text(src), "'a' \"b\"");
    assert_eq!(items[11].span.text(src), "a + b");
    assert_eq!(items[12].span.text(src), "lambda q: q");
}

#[test]
fn call_arguments() {
    let src = "f('a', key=[1, 2], *rest, **kw)";
    let lexed = tokenize(src);
    let mut r = ExprReader::new(src, &lexed.tokens, 0);
    let PyValue { kind: PyValueKind::Call { func, args }, span } = r.read_value() else { panic!() };
    assert_eq!((func.as_str(), span.text(src)), ("f", src));
    let names: Vec<Option<&str>> = args.iter().map(|a| a.name.as_ref().map(|n| n.value.as_str())).collect();
    assert_eq!(names, [None, Some("key"), None, None]);
    assert_eq!(args[2].value.span.text(src), "*rest");
}

#[test]
fn string_tokens() {
    let src = r#"a = rb'\d' + "\x41\n\u00e9\N{DASH}" + '''it's''' + f"{d["k"]!r:>{w}} {{lit}}" + "#;
    let lexed = tokenize(src);
    let values: Vec<String> = lexed.tokens.iter().filter_map(|t| string_value(src, *t)).collect();
    assert_eq!(values, ["\\d", "A\né\\N{DASH}", "it's", "k", ">", " {lit}"]);
    let kinds: Vec<TokenKind> = lexed.tokens.iter().map(|t| t.kind).collect();
    assert!(kinds.contains(&TokenKind::FStringStart) && kinds.contains(&TokenKind::FStringEnd));
    assert!(lexed.diagnostics.is_empty(), "{:?}", lexed.diagnostics);
    let open = tokenize("x = 'abc\ny = \"\"\"never");
    assert_eq!(open.diagnostics.len(), 2);
}

/// Deterministic pseudo-random text: the parsers must not panic on any of it, nor on any
/// prefix of a real file (every state of a file being typed).
#[test]
fn never_panics() {
    for end in (0..=SUSHI.len()).filter(|&i| SUSHI.is_char_boundary(i)) {
        let prefix = &SUSHI[..end];
        let _ = parse_python_model(prefix);
        let _ = parse_macro_module(prefix);
        let _ = crate::syntax::config::parse_config_py(prefix);
    }
    let alphabet: Vec<char> = "@model(\"'rbf{}[]),:=.#\\\n \tcontext.resolve_table é€x1_*-lambda def".chars().collect();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..2000 {
        let len = (seed % 300) as usize;
        let text: String = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                alphabet[(seed % alphabet.len() as u64) as usize]
            })
            .collect();
        let _ = parse_python_model(&text);
        let _ = parse_macro_module(&text);
        let _ = crate::syntax::config::parse_config_py(&text);
    }
}

const MACROS: &str = r#"from sqlglot import exp
from sqlmesh import macro
from sqlmesh.core.macros import MacroEvaluator

@macro()
def add_one(evaluator: MacroEvaluator, column: exp.Expression, step: int = 1, *rest, key: t.Dict[str, int] = {"a": 1}, **kw) -> exp.Add:
    """Adds one.

        Indented example.
    Done.
    """
    return column + 1

@macro("Alias_Name", metadata_only=True)
async def other(evaluator, a, /, b, *, c=lambda x, y: 0): ...

@some.other()
@macro(name="named")
def third(
    evaluator,  # the evaluator
    values: list[
        str
    ],
):
    'One line.'

@other.decorator()
def not_a_macro(evaluator): pass
"#;

#[test]
fn macros() {
    let macros = parse_macro_module(MACROS);
    let names: Vec<&str> = macros.iter().map(|m| m.name.value.as_str()).collect();
    assert_eq!(names, ["add_one", "alias_name", "named"]);
    let add_one = &macros[0];
    assert!(add_one.def_span.text(MACROS).starts_with("def add_one(evaluator"));
    assert!(add_one.def_span.text(MACROS).ends_with("-> exp.Add:"));
    assert_eq!(add_one.doc.as_deref(), Some("Adds one.\n\n    Indented example.\nDone."));
    let params: Vec<(&str, Option<&str>, Option<&str>, bool)> = add_one
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.annotation.as_deref(), p.default.as_deref(), p.variadic))
        .collect();
    assert_eq!(
        params,
        [
            ("column", Some("exp.Expression"), None, false),
            ("step", Some("int"), Some("1"), false),
            ("*rest", None, None, true),
            ("key", Some("t.Dict[str, int]"), Some("{\"a\": 1}"), false),
            ("**kw", None, None, true),
        ]
    );
    assert_eq!(macros[1].name.span.text(MACROS), "\"Alias_Name\"");
    let other: Vec<(&str, Option<&str>)> =
        macros[1].params.iter().map(|p| (p.name.as_str(), p.default.as_deref())).collect();
    assert_eq!(other, [("a", None), ("b", None), ("c", Some("lambda x, y: 0"))]);
    assert_eq!(macros[2].params[0].annotation.as_deref(), Some("list[ str ]"));
    assert_eq!(macros[2].doc.as_deref(), Some("One line."));
}

#[test]
fn bare_macro_and_empty_module() {
    assert!(parse_macro_module("").is_empty());
    let m = parse_macro_module("from sqlmesh import macro\n@macro\ndef bare(evaluator):\n    pass\n");
    assert_eq!(m.len(), 1);
    assert!(m[0].params.is_empty());
    assert!(parse_macro_module("from jinja import macro\n@macro()\ndef x(e): ...\n").is_empty());
}
