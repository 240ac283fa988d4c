//! Python models: the `@model(...)` decorator of a SQLMesh Python model, read statically.
//!
//! Values that are module-level constants (`CRON = "@daily"` ... `cron=CRON`) are followed to
//! their literal; the span is then the literal's, at the constant's definition.

use serde::Serialize;

use super::super::span::{Diagnostic, Span, Spanned};
use super::decorators::{Decorated, decorated_definitions, dotted_name, sqlmesh_decorator_names};
use super::lexer::{Token, TokenKind};
use super::literal::{ExprReader, PyArg, PyValue, PyValueKind, kwarg, positional};
use super::module::PyModule;

/// The facts of a Python model file, read from its `@model(...)` decorator and body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PythonModel {
    /// The whole `@model(...)` decorator, from `@` to `)`.
    pub decorator: Span,
    /// The first positional argument or `name=`.
    pub name: Option<Spanned<String>>,
    /// `kind=`: a string, a `ModelKindName` member, a `dict(...)`/`{...}` with `name`, or a kind class call.
    pub kind: Option<PyKind>,
    /// `cron=`.
    pub cron: Option<Spanned<String>>,
    /// `start=`, a string or a number as written.
    pub start: Option<Spanned<String>>,
    /// `end=`, a string or a number as written.
    pub end: Option<Spanned<String>>,
    /// `owner=`.
    pub owner: Option<Spanned<String>>,
    /// `description=`.
    pub description: Option<Spanned<String>>,
    /// `dialect=`.
    pub dialect: Option<Spanned<String>>,
    /// `columns={"id": "int", ...}`: each column name and its SQL type when it is a literal
    /// (a string or `exp.DataType.build("...")`).
    pub columns: Option<Vec<(Spanned<String>, Option<String>)>>,
    /// An explicit `depends_on=[...]`; when given, SQLMesh infers nothing from the body.
    pub depends_on: Option<Vec<Spanned<String>>>,
    /// Literal first arguments of `context.resolve_table(...)`/`context.table(...)` anywhere in
    /// the file: SQLMesh's dependencies when `depends_on` is not given.
    pub resolved_tables: Vec<Spanned<String>>,
    /// `grain=` (or `grains=`): a string or a list of strings.
    pub grain: Vec<Spanned<String>>,
    /// `is_sql=` set to anything but a literal `False`: the function returns the query, which
    /// SQLMesh renders at load time (a SQL model whose query only running code can tell).
    pub is_sql: bool,
    /// Audit names: strings, or the first item of `("audit", {args})` pairs.
    pub audits: Vec<Spanned<String>>,
    /// `tags=`: a string or a list of strings.
    pub tags: Vec<Spanned<String>>,
    /// Every decorator argument, as written.
    pub args: Vec<PyArg>,
    /// Calls that read the wall clock: `datetime.now()`, `date.today()`, `time.time()`, ...
    pub now_calls: Vec<Span>,
    /// The decorated function's name.
    pub entrypoint: Option<Spanned<String>>,
    /// Syntax problems and what SQLMesh would reject when loading the model.
    pub diagnostics: Vec<Diagnostic>,
}

/// A model kind given in Python.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PyKind {
    /// The upper-case kind name, e.g. `INCREMENTAL_BY_TIME_RANGE`.
    pub name: Spanned<String>,
    /// The kind's other properties (`time_column`, `unique_key`, ...), as written.
    pub properties: Vec<(Spanned<String>, PyValue)>,
}

/// SQLMesh's kind classes (`sqlmesh.core.model.kind`) and the kind each one builds.
const KIND_CLASSES: &[(&str, &str)] = &[
    ("IncrementalByTimeRangeKind", "INCREMENTAL_BY_TIME_RANGE"),
    ("IncrementalByUniqueKeyKind", "INCREMENTAL_BY_UNIQUE_KEY"),
    ("IncrementalByPartitionKind", "INCREMENTAL_BY_PARTITION"),
    ("IncrementalUnmanagedKind", "INCREMENTAL_UNMANAGED"),
    ("FullKind", "FULL"),
    ("ViewKind", "VIEW"),
    ("SeedKind", "SEED"),
    ("SCDType2ByTimeKind", "SCD_TYPE_2_BY_TIME"),
    ("SCDType2ByColumnKind", "SCD_TYPE_2_BY_COLUMN"),
    ("ManagedKind", "MANAGED"),
    ("DbtCustomKind", "DBT_CUSTOM"),
    ("EmbeddedKind", "EMBEDDED"),
    ("ExternalKind", "EXTERNAL"),
    ("CustomKind", "CUSTOM"),
];

/// The kind a SQLMesh kind class builds: `IncrementalByTimeRangeKind` → `INCREMENTAL_BY_TIME_RANGE`.
pub fn kind_for_class(class: &str) -> Option<&'static str> {
    KIND_CLASSES.iter().find(|(c, _)| *c == class).map(|(_, k)| *k)
}

/// Dotted call names that read the current time.
const NOW_CALLS: &[&str] = &[
    "datetime.now",
    "datetime.utcnow",
    "datetime.today",
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.today",
    "date.today",
    "datetime.date.today",
    "time.time",
    "time.time_ns",
    "Timestamp.now",
    "Timestamp.utcnow",
    "Timestamp.today",
    "pd.Timestamp.now",
    "pd.Timestamp.utcnow",
    "pd.Timestamp.today",
    "pandas.Timestamp.now",
    "pandas.Timestamp.utcnow",
    "pandas.Timestamp.today",
    "pendulum.now",
    "pendulum.today",
    "arrow.now",
    "arrow.utcnow",
];

const CODE: &str = "python-model";

/// Reads the SQLMesh Python model defined in `text`; `None` when the file has no `@model(...)`
/// decorator (`model` imported from `sqlmesh`, or not imported from anywhere else).
pub fn parse_python_model(text: &str) -> Option<PythonModel> {
    let module = PyModule::read(text);
    let toks = &module.tokens;
    let mut diagnostics = module.diagnostics.clone();
    let names = sqlmesh_decorator_names(text, toks, "model");
    let defs = decorated_definitions(text, toks, &mut diagnostics);
    let mut found = defs.iter().flat_map(|d| {
        d.decorators.iter().filter(|dec| dec.args.is_some() && names.contains(&dec.name)).map(move |dec| (d, dec))
    });
    let (def, dec) = found.next()?;
    if let Some((_, other)) = found.next() {
        let msg = "only the first @model in a file is read; this one is ignored";
        diagnostics.push(Diagnostic::info(CODE, other.span, msg));
    }
    let args = dec.args.clone().unwrap_or_default();
    let get = |key: &str| kwarg(&args, key).map(|a| module.deref(&a.value));
    let string = |key: &str| get(key).and_then(PyValue::as_spanned_str);
    let strings = |key: &str| get(key).map(|v| string_list(&module, v)).unwrap_or_default();

    let name =
        positional(&args, 0).map(|v| module.deref(v)).and_then(PyValue::as_spanned_str).or_else(|| string("name"));
    let kind = get("kind").and_then(|v| read_kind(&module, v, &mut diagnostics));
    let columns = get("columns").and_then(|v| read_columns(&module, v));
    let depends_on = get("depends_on").and_then(|v| match v.kind {
        PyValueKind::None => None,
        _ => Some(string_list(&module, v)),
    });
    let audits = get("audits").map(|v| audit_names(&module, v)).unwrap_or_default();
    let resolved_tables = resolved_tables(text, &module, depends_on.is_none(), &mut diagnostics);

    let spread = args.iter().any(|a| a.name.is_none() && a.value.span.text(text).starts_with('*'));
    let is_sql = get("is_sql").is_some_and(|v| !matches!(v.kind, PyValueKind::Bool(false)));
    if !spread && !is_sql && kwarg(&args, "columns").is_none() {
        diagnostics.push(Diagnostic::error(CODE, dec.span, "Python model must define column schema (`columns=`)"));
    }
    if let Some(a) = kwarg(&args, "default_catalog") {
        let span = a.name.as_ref().map_or(dec.span, |n| n.span);
        diagnostics.push(Diagnostic::error(CODE, span, "`default_catalog` cannot be set on a per-model basis"));
    }

    Some(PythonModel {
        decorator: dec.span,
        name,
        kind,
        cron: string("cron"),
        start: string("start"),
        end: string("end"),
        owner: string("owner"),
        description: string("description"),
        dialect: string("dialect"),
        columns,
        depends_on,
        resolved_tables,
        grain: [strings("grain"), strings("grains")].concat(),
        is_sql,
        audits,
        tags: strings("tags"),
        now_calls: now_calls(text, toks),
        entrypoint: entrypoint(text, def),
        args,
        diagnostics,
    })
}

fn entrypoint(text: &str, def: &Decorated) -> Option<Spanned<String>> {
    def.def_name.map(|t| Spanned::new(t.text(text).to_string(), t.span))
}

/// A string, or the strings in a list/tuple/set.
fn string_list(module: &PyModule, v: &PyValue) -> Vec<Spanned<String>> {
    match v.items() {
        Some(items) => items.iter().filter_map(|i| module.deref(i).as_spanned_str()).collect(),
        None => v.as_spanned_str().into_iter().collect(),
    }
}

fn audit_names(module: &PyModule, v: &PyValue) -> Vec<Spanned<String>> {
    let one = |item: &PyValue| {
        let item = module.deref(item);
        match item.items() {
            Some(pair) => pair.first().and_then(|n| module.deref(n).as_spanned_str()),
            None => item.as_spanned_str(),
        }
    };
    match v.items() {
        Some(items) => items.iter().filter_map(one).collect(),
        None => v.as_spanned_str().into_iter().collect(),
    }
}

/// `key=value` pairs of a `dict(...)` call or string-keyed `{...}` literal.
fn mapping_entries(module: &PyModule, v: &PyValue) -> Option<Vec<(Spanned<String>, PyValue)>> {
    match &v.kind {
        PyValueKind::Dict(entries) => Some(
            entries
                .iter()
                .filter_map(|(k, val)| Some((module.deref(k).as_spanned_str()?, module.deref(val).clone())))
                .collect(),
        ),
        PyValueKind::Call { func, args } if func == "dict" => {
            Some(args.iter().filter_map(|a| Some((a.name.clone()?, module.deref(&a.value).clone()))).collect())
        }
        _ => None,
    }
}

/// The member name of `ModelKindName.X` (also `kind.ModelKindName.X`).
fn kind_enum_member(name: &str) -> Option<&str> {
    let (owner, member) = name.rsplit_once('.')?;
    (owner == "ModelKindName" || owner.ends_with(".ModelKindName")).then_some(member)
}

fn read_kind(module: &PyModule, v: &PyValue, diagnostics: &mut Vec<Diagnostic>) -> Option<PyKind> {
    let named = |name: &str, span: Span| Spanned::new(name.to_ascii_uppercase(), span);
    match &v.kind {
        PyValueKind::Str(s) => Some(PyKind { name: named(s, v.span), properties: Vec::new() }),
        PyValueKind::Name(n) => {
            let member = kind_enum_member(n)?;
            Some(PyKind { name: named(member, v.span), properties: Vec::new() })
        }
        PyValueKind::Call { func, args } if func != "dict" => {
            let class = func.rsplit('.').next().unwrap_or(func);
            let kind = kind_for_class(class)?;
            let msg = format!(
                "`kind` is passed a SQLMesh `{class}` object, which may result in unexpected behavior; provide a dictionary instead"
            );
            diagnostics.push(Diagnostic::warning(CODE, v.span, msg));
            let properties = args
                .iter()
                .filter_map(|a| Some((a.name.clone()?, module.deref(&a.value).clone())))
                .filter(|(k, _)| k.value != "name")
                .collect();
            Some(PyKind { name: Spanned::new(kind.to_string(), v.span), properties })
        }
        _ => {
            let entries = mapping_entries(module, v)?;
            let enum_msg = "the `kind` dictionary must contain a `name` key with a `ModelKindName` enum value";
            let name = match entries.iter().find(|(k, _)| k.value == "name").map(|(_, n)| n) {
                Some(PyValue { kind: PyValueKind::Name(n), span }) => named(kind_enum_member(n)?, *span),
                Some(PyValue { kind: PyValueKind::Str(s), span }) => {
                    diagnostics.push(Diagnostic::error(CODE, *span, enum_msg));
                    named(s, *span)
                }
                // Not a literal: it may hold a ModelKindName, which cannot be known statically.
                Some(PyValue { kind: PyValueKind::Other | PyValueKind::Call { .. }, .. }) => return None,
                Some(other) => {
                    diagnostics.push(Diagnostic::error(CODE, other.span, enum_msg));
                    return None;
                }
                None => {
                    diagnostics.push(Diagnostic::error(CODE, v.span, enum_msg));
                    return None;
                }
            };
            let properties = entries.into_iter().filter(|(k, _)| k.value != "name").collect();
            Some(PyKind { name, properties })
        }
    }
}

fn read_columns(module: &PyModule, v: &PyValue) -> Option<Vec<(Spanned<String>, Option<String>)>> {
    let entries = mapping_entries(module, v)?;
    Some(entries.into_iter().map(|(name, ty)| (name, column_type(module, &ty))).collect())
}

/// A column type given as a string or as `exp.DataType.build("...")`.
fn column_type(module: &PyModule, ty: &PyValue) -> Option<String> {
    match &ty.kind {
        PyValueKind::Str(s) => Some(s.clone()),
        PyValueKind::Call { func, args } if func == "DataType.build" || func.ends_with(".DataType.build") => {
            positional(args, 0).map(|v| module.deref(v)).and_then(PyValue::as_str).map(str::to_string)
        }
        _ => None,
    }
}

/// The name a call at token `i` is made on, when token `i` starts a dotted name that is not
/// itself an attribute (`x.context.table` is not `context.table`).
fn call_at(text: &str, toks: &[Token], i: usize) -> Option<(String, usize)> {
    if i > 0 && toks[i - 1].is_op(text, ".") {
        return None;
    }
    let (name, after) = dotted_name(text, toks, i)?;
    toks.get(after).filter(|t| t.is_op(text, "("))?;
    Some((name, after))
}

/// `context.resolve_table(x)` / `context.table(x)`, as SQLMesh's `parse_dependencies` finds
/// them: the receiver is the plain name `context`; the argument is the first positional one,
/// else `model_name=`.
fn resolved_tables(
    text: &str,
    module: &PyModule,
    infer: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Spanned<String>> {
    let toks = &module.tokens;
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let call = toks[i].is_name(text, "context").then(|| call_at(text, toks, i)).flatten();
        let Some((_, open)) = call.filter(|(n, _)| n == "context.resolve_table" || n == "context.table") else {
            i += 1;
            continue;
        };
        let mut reader = ExprReader::new(text, toks, open);
        let (args, end) = reader.read_call_args();
        let arg = positional(&args, 0).or_else(|| kwarg(&args, "model_name").map(|a| &a.value));
        match arg.map(|a| module.deref(a)) {
            Some(PyValue { kind: PyValueKind::Str(s), span }) => out.push(Spanned::new(s.clone(), *span)),
            other if infer => {
                let span = other.map_or(Span::new(toks[i].span.start as usize, end), |a| a.span);
                let msg =
                    "this table name is not a literal, so meshls cannot infer the dependency; add it to `depends_on`";
                diagnostics.push(Diagnostic::info(CODE, span, msg));
            }
            _ => {}
        }
        // Arguments are read once: an unclosed call must not make this quadratic.
        i = reader.pos.max(i + 1);
    }
    out
}

fn now_calls(text: &str, toks: &[Token]) -> Vec<Span> {
    // The closing bracket of each opening one, computed once.
    let mut close_of = vec![None; toks.len()];
    let mut open = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            TokenKind::Open => open.push(i),
            TokenKind::Close => {
                if let Some(o) = open.pop() {
                    close_of[o] = Some(i);
                }
            }
            TokenKind::Newline => open.clear(),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for i in 0..toks.len() {
        if toks[i].kind != TokenKind::Name {
            continue;
        }
        let Some((name, open)) = call_at(text, toks, i) else {
            continue;
        };
        if NOW_CALLS.contains(&name.as_str()) {
            let end = close_of[open].map_or(toks[open].span.end, |c| toks[c].span.end);
            out.push(Span::new(toks[i].span.start as usize, end as usize));
        }
    }
    out
}
