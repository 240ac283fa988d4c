//! Python model files: the `@model(...)` decorator's literal arguments, one model per
//! blueprint.

use super::sql::read_bool;
use super::*;

pub(super) fn python_model(settings: &Settings, facts: &mut FileFacts, text: &str) -> Syntax {
    let Some(model) = parse_python_model(text) else {
        // A helper module under models/: nothing to index.
        return Syntax::Python(None);
    };
    facts.diagnostics.extend(model.diagnostics.iter().cloned());
    let written = model.args.iter().find(|a| a.name.as_ref().is_some_and(|n| n.value == "blueprints"));
    let blueprints = match written {
        None => vec![Vec::new()],
        Some(arg) => match python_blueprints(&arg.value) {
            Some(blueprints) => blueprints,
            None => {
                let msg = "meshls cannot read these blueprints without running code: their models are not indexed";
                facts.diagnostics.push(Diagnostic::info("blueprints", arg.value.span, msg));
                return Syntax::Python(Some(Box::new(model)));
            }
        },
    };
    for blueprint in blueprints {
        let vars = Variables { settings, local: &blueprint };
        if let Some(built) = python_model_of(settings, facts, &model, &vars) {
            facts.models.push(built);
        }
    }
    Syntax::Python(Some(Box::new(model)))
}

/// `blueprints=[{"customer": "acme"}, ...]`: each blueprint's variables, keys lowercased.
fn python_blueprints(value: &PyValue) -> Option<Vec<Vec<(String, String)>>> {
    let (PyValueKind::List(items) | PyValueKind::Tuple(items)) = &value.kind else { return None };
    items
        .iter()
        .map(|item| {
            let PyValueKind::Dict(entries) = &item.kind else { return None };
            entries
                .iter()
                .map(|(k, v)| {
                    let PyValueKind::Str(key) = &k.kind else { return None };
                    let value = match &v.kind {
                        PyValueKind::Str(s) | PyValueKind::Number(s) => s.clone(),
                        PyValueKind::Bool(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((key.to_lowercase(), value))
                })
                .collect()
        })
        .collect()
}

/// One model of a Python file, with `vars` (one blueprint's variables and the project's)
/// rendered into its name.
fn python_model_of(settings: &Settings, facts: &mut FileFacts, model: &PythonModel, vars: &Variables) -> Option<Model> {
    let dialect =
        model.dialect.as_ref().map(|d| d.value.clone()).or_else(|| settings.default_dialect().map(str::to_string));
    let dialect = dialect.as_deref();
    let name = match &model.name {
        Some(name) => match vars.render(&name.value).and_then(|n| settings.names.normalize_text(&n, dialect)) {
            Some(rendered) => Some((rendered, name.span)),
            None => {
                let msg = "meshls cannot render this name statically: the model is not indexed";
                facts.diagnostics.push(Diagnostic::info("model-name", name.span, msg));
                return None;
            }
        },
        None if settings.infer_names => infer_name(settings, &facts.path, dialect).map(|n| (n, model.decorator)),
        None => {
            facts.diagnostics.push(Diagnostic::error(
                "model-block",
                model.decorator,
                "the @model decorator has no name",
            ));
            None
        }
    };
    if let Some((name, span)) = &name
        && python_disabled(settings, model)
    {
        facts.disabled.push(Spanned::new(name.clone(), *span));
        return None;
    }
    let (name, name_span) = name?;
    {
        let kind = model.kind.as_ref().map(|k| k.name.value.clone()).unwrap_or_else(|| settings.default_python_kind());
        let time_column = (kind == "INCREMENTAL_BY_TIME_RANGE")
            .then(|| {
                let (_, value) = model.kind.as_ref()?.properties.iter().find(|(k, _)| k.value == "time_column")?;
                match &value.kind {
                    PyValueKind::Str(s) => Some(s.clone()),
                    PyValueKind::Tuple(items) | PyValueKind::List(items) => match &items.first()?.kind {
                        PyValueKind::Str(s) => Some(s.clone()),
                        _ => None,
                    },
                    // `TimeColumn(column="ds", format="%Y-%m-%d")` or `TimeColumn("ds")`.
                    PyValueKind::Call { func, args } if func.rsplit('.').next() == Some("TimeColumn") => {
                        let column = args.iter().find(|a| a.name.as_ref().is_none_or(|n| n.value == "column"))?;
                        match &column.value.kind {
                            PyValueKind::Str(s) => Some(s.clone()),
                            _ => None,
                        }
                    }
                    _ => None,
                }
            })
            .flatten()
            .map(|c| normalize_ident(&c, false, normalization(dialect), false));
        let deps = match &model.depends_on {
            Some(explicit) => explicit.clone(),
            None => model.resolved_tables.clone(),
        };
        let strategy = normalization(dialect);
        let start_written = model.args.iter().any(|a| a.name.as_ref().is_some_and(|n| n.value == "start"));
        let depends_on = deps.iter().filter_map(|d| settings.names.normalize_text(&d.value, dialect)).collect();
        Some(Model {
            depends_on: finish_deps(depends_on, &name),
            name,
            name_span,
            source: Source::Python,
            kind,
            dialect: dialect.map(str::to_string),
            cron: model.cron.as_ref().map_or_else(|| settings.default_cron(), |c| c.value.clone()),
            start: match &model.start {
                Some(start) => Some(start.value.clone()),
                // A start SQLMesh reads from code meshls does not run is unknown, not missing.
                None if start_written => None,
                None => settings.default_start(),
            },
            start_written,
            // An `is_sql` model's dependencies are its written `depends_on` and the tables of
            // the query its function builds (SQLMesh's `full_depends_on`), known only by
            // running it.
            depends_unknown: model.is_sql,
            time_column,
            columns: model.columns.as_ref().map(|cols| {
                cols.iter()
                    .map(|(n, t)| Column {
                        name: normalize_ident(&n.value, false, strategy, false),
                        data_type: t.clone(),
                        description: None,
                    })
                    .collect()
            }),
            audits: model.audits.iter().map(|a| a.value.to_lowercase()).collect(),
            audit_calls: model
                .audits
                .iter()
                .map(|a| AuditCall { name: a.value.to_lowercase(), args: Vec::new() })
                .collect(),
            tags: model.tags.iter().map(|t| t.value.clone()).collect(),
            description: model.description.as_ref().map(|d| d.value.clone()),
            owner: model.owner.as_ref().map(|o| o.value.clone()),
            cron_tz: model
                .args
                .iter()
                .find(|a| a.name.as_ref().is_some_and(|n| n.value == "cron_tz"))
                .and_then(|a| match &a.value.kind {
                    PyValueKind::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .or_else(|| settings.default_text("cron_tz")),
            layout: Vec::new(),
            kind_properties: Vec::new(),
            columns_declared: model.columns.is_some(),
            query: None,
            column_descriptions: Vec::new(),
            defs: Vec::new(),
            union: Vec::new(),
            parsed: true,
        })
    }
}

/// Whether `enabled=False` (or `"false"`, `"@var"`, or `model_defaults.enabled`) disables a
/// Python model.
fn python_disabled(settings: &Settings, model: &PythonModel) -> bool {
    let vars = Variables { settings, local: &[] };
    match model.args.iter().find(|a| a.name.as_ref().is_some_and(|n| n.value == "enabled")).map(|a| &a.value.kind) {
        Some(PyValueKind::Bool(enabled)) => !enabled,
        Some(PyValueKind::Number(n)) => n == "0",
        Some(PyValueKind::Str(s)) => vars.render(s).and_then(|v| read_bool(&v)) == Some(false),
        Some(_) => false,
        None => settings.default_text("enabled").and_then(|v| read_bool(&v)) == Some(false),
    }
}
