//! SQL model files: one model per blueprint, with the project's and the blueprint's variables
//! rendered into the name, the table names and the properties SQLMesh renders at load.

use super::*;

pub(super) fn sql_model(settings: &Settings, facts: &mut FileFacts, text: &str) -> Syntax {
    let file = parse_model_file(text, settings.default_dialect());
    facts.diagnostics.extend(file.diagnostics.iter().cloned());
    // Under `infer_names` SQLMesh reads a file without a MODEL block as a model named from
    // its path, with every property defaulted.
    let keyword = match &file.block {
        Some(block) => block.keyword.span,
        None if settings.infer_names => Span::at(0),
        None => {
            facts.diagnostics.push(Diagnostic::error(
                "model-block",
                Span::at(0),
                "a SQL model file must start with a MODEL (...) block",
            ));
            return Syntax::Sql(Box::new(file));
        }
    };
    let defs: Vec<(String, String)> = file
        .defs
        .iter()
        .filter_map(|d| Some((d.name.value.to_lowercase(), d.value?.text(text).trim().to_string())))
        .collect();
    // One model per blueprint, each with its variables; one model when there are none.
    let blueprints = match file.property("blueprints") {
        None => vec![Vec::new()],
        Some(property) => match blueprints(text, &property.value) {
            Some(blueprints) => blueprints,
            None => {
                let msg = "meshls cannot read these blueprints without running code: their models are not indexed";
                facts.diagnostics.push(Diagnostic::info("blueprints", property.value.span, msg));
                return Syntax::Sql(Box::new(file));
            }
        },
    };
    for blueprint in blueprints {
        // SQLMesh looks up `@DEF`s before blueprint variables.
        let mut local = defs.clone();
        local.extend(blueprint);
        let vars = Variables { settings, local: &local };
        if let Some(model) = sql_model_of(settings, facts, &file, text, keyword, &vars) {
            facts.models.push(model);
        }
    }
    Syntax::Sql(Box::new(file))
}

/// The variables of each blueprint: `blueprints ((a := 1, b := x), (a := 2, b := y))` (or in
/// `[...]`), or one blueprint `(a := 1)`. Keys are lowercased; values are kept as SQL. None
/// when they cannot be known statically (a macro makes them).
fn blueprints(text: &str, value: &Values) -> Option<Vec<Vec<(String, String)>>> {
    let pair = |item: &Values| -> Option<(String, String)> {
        let [key, op, rest @ ..] = item.atoms.as_slice() else { return None };
        let (ValueKind::Name(parts), ValueKind::Op(op)) = (&key.kind, &op.kind) else { return None };
        let (first, last) = (rest.first()?, rest.last()?);
        let value = first.span.cover(last.span).text(text).to_string();
        (op == ":=" || op == "=").then(|| (NamePart::join(parts).to_lowercase(), value))
    };
    let items = value.items();
    if items.is_empty() {
        return None;
    }
    if items.iter().all(|item| pair(item).is_some()) {
        return Some(vec![items.iter().filter_map(|item| pair(item)).collect()]);
    }
    items
        .iter()
        .map(|item| match item.single().map(|v| &v.kind) {
            Some(ValueKind::Tuple(pairs)) => pairs.iter().map(pair).collect::<Option<Vec<_>>>(),
            _ => None,
        })
        .collect()
}

/// A boolean property (`enabled`, `doublequote`) as SQLMesh's validator reads it: one of its
/// true words is true, another single word false; None for an expression meshls cannot
/// evaluate.
pub(super) fn read_bool(rendered: &str) -> Option<bool> {
    // A comparison of two literals, as in `enabled (0 = 1)`.
    let inner = rendered.trim().trim_start_matches('(').trim_end_matches(')').trim();
    for (op, equal) in [("<>", false), ("!=", false), ("==", true), ("=", true)] {
        if let Some((left, right)) = inner.split_once(op) {
            let literal = |s: &str| {
                let s = s.trim();
                let plain = s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
                (plain || s.len() >= 2 && s.starts_with('\'') && s.ends_with('\''))
                    .then(|| s.trim_matches('\'').to_string())
            };
            return Some((literal(left)? == literal(right)?) == equal);
        }
    }
    let word = rendered.trim().trim_matches(['\'', '"']).to_ascii_lowercase();
    if word.is_empty() || word.contains(|c: char| c.is_whitespace() || "()=<>!".contains(c)) {
        return None;
    }
    Some(crate::syntax::sqlmesh::TRUE_WORDS.contains(&word.as_str()))
}

/// One model of a SQL file, with `vars` (the file's `@DEF`s, one blueprint's variables and the
/// project's) rendered into its name and table names.
fn sql_model_of(
    settings: &Settings,
    facts: &mut FileFacts,
    file: &ModelFile,
    text: &str,
    keyword: Span,
    vars: &Variables,
) -> Option<Model> {
    let text_prop = |key: &str| file.property(key).and_then(|p| p.value.as_text());
    let dialect = text_prop("dialect").map(|d| d.value).or_else(|| settings.default_dialect().map(str::to_string));
    let dialect = dialect.as_deref();
    let name = match file.property("name") {
        Some(property) => match rendered_name(settings, vars, &property.value, text, dialect) {
            Some(name) => name,
            None => {
                let msg = "meshls cannot render this name statically: the model is not indexed";
                facts.diagnostics.push(Diagnostic::info("model-name", property.value.span, msg));
                return None;
            }
        },
        None if settings.infer_names => infer_name(settings, &facts.path, dialect)?,
        None => {
            facts.diagnostics.push(Diagnostic::error("model-block", keyword, "the MODEL block has no `name`"));
            return None;
        }
    };
    let name_span = file.property("name").map_or(keyword, |p| p.value.span);
    let enabled = match file.property("enabled") {
        Some(p) => vars.render(p.value.text(text)).and_then(|v| read_bool(&v)),
        None => settings.default_text("enabled").map_or(Some(true), |v| read_bool(&v)),
    };
    match enabled {
        Some(false) => {
            facts.disabled.push(Spanned::new(name, name_span));
            return None;
        }
        None => facts.enabled_unknown = true,
        Some(true) => {}
    }
    // An unknown kind is reported by the `unknown-kind` rule. `model_defaults.kind` does not
    // apply to SQL models: SQLMesh always passes VIEW for them.
    let kind = file.kind();
    let kind_name = kind.as_ref().map_or_else(|| "VIEW".to_string(), |k| k.name.value.clone());
    let kind_prop =
        |key: &str| kind.as_ref().and_then(|k| k.properties.iter().find(|p| p.key.value.eq_ignore_ascii_case(key)));
    let time_column = (kind_name == "INCREMENTAL_BY_TIME_RANGE")
        .then(|| kind_prop("time_column").and_then(|p| first_name(&p.value)))
        .flatten()
        .map(|c| normalize_ident(&c.text, c.quoted, normalization(dialect), false));

    let mut columns = file.property("columns").map(|p| column_types(text, &p.value, dialect));
    let mut columns_declared = columns.is_some();
    let mut source = Source::Sql;
    if kind_name == "SEED" {
        source = Source::Seed;
        if let Some(path) = kind_prop("path").and_then(|p| p.value.as_text()) {
            let csv = seed_path(settings, &facts.path, &path.value);
            let csv_settings = kind_prop("csv_settings").map(|p| csv_settings(&p.value)).unwrap_or_default();
            if columns.is_none() {
                match std::fs::read(&csv) {
                    Ok(bytes) => {
                        let header = parse_seed_header_with_settings(&bytes, &csv_settings);
                        let types = seed_types(&bytes, &csv_settings);
                        columns_declared = true;
                        columns = Some(
                            header
                                .columns
                                .into_iter()
                                .enumerate()
                                .map(|(i, name)| Column {
                                    // SQLMesh normalizes a seed's header as unquoted names.
                                    name: normalize_ident(&name, false, normalization(dialect), false),
                                    data_type: types.get(i).copied().flatten().map(str::to_string),
                                    description: None,
                                })
                                .collect(),
                        );
                    }
                    Err(error) => facts.diagnostics.push(Diagnostic::error(
                        "seed-file",
                        path.span,
                        format!("cannot read seed file {}: {error}", csv.display()),
                    )),
                }
            }
            facts.seed_csv = Some(csv);
        }
    } else if columns.is_none()
        && let Some(query) = &file.query
        && !query.projections.is_empty()
        // A projection that is a macro (`@safe_div(a, b)`) is named only once rendered.
        && query.projections.iter().all(|p| p.name.as_ref().is_some_and(|n| !n.value.starts_with('@')))
    {
        let strategy = normalization(dialect);
        columns = Some(
            query
                .projections
                .iter()
                .filter_map(|p| p.name.as_ref().map(|n| (n, p.cast.clone())))
                .map(|(n, data_type)| {
                    let quoted = n.span.text(text).starts_with(['"', '`', '[']);
                    Column { name: normalize_ident(&n.value, quoted, strategy, false), data_type, description: None }
                })
                .collect(),
        );
    }

    let mut column_descriptions = Vec::new();
    if let Some(descriptions) = file.property("column_descriptions") {
        let strategy = normalization(dialect);
        for item in descriptions.value.items() {
            let (Some(key), Some(value)) = (item.atoms.first(), item.atoms.last()) else { continue };
            let (ValueKind::Name(parts), ValueKind::Str(description)) = (&key.kind, &value.kind) else { continue };
            let Some(part) = parts.last() else { continue };
            let key = normalize_ident(&part.text, part.quoted, strategy, false);
            if let Some(column) = columns.as_mut().and_then(|c| c.iter_mut().find(|c| c.name == key)) {
                column.description = Some(description.clone());
            }
            column_descriptions.push((key, description.clone()));
        }
    }
    let kind_properties = kind
        .as_ref()
        .map(|k| {
            k.properties.iter().map(|p| (p.key.value.to_ascii_lowercase(), p.value.text(text).to_string())).collect()
        })
        .unwrap_or_default();
    let defs = vars.local.to_vec();
    let mut depends_on: Vec<ModelName> = file
        .property("depends_on")
        .map(|p| {
            p.value
                .items()
                .into_iter()
                .filter_map(|v| v.as_name())
                .filter_map(|(parts, _)| defined_table(settings, &defs, &parts, dialect))
                .collect()
        })
        .unwrap_or_default();
    if let Some(query) = &file.query {
        depends_on.extend(query.tables.iter().filter_map(|t| defined_table(settings, &defs, &t.name, dialect)));
    }
    // The query's own text, outside Jinja.
    let query_text =
        file.statements.iter().find(|s| s.role == StatementRole::Query && !s.jinja).map(|s| s.span.text(text));
    let union = query_text.and_then(|q| union_tables(settings, &defs, q, dialect)).unwrap_or_default();
    depends_on.extend(union.iter().cloned());
    Some(Model {
        depends_on: finish_deps(depends_on, &name),
        name,
        name_span,
        source,
        kind: kind_name,
        dialect: dialect.map(str::to_string),
        cron: match file.property("cron") {
            Some(p) => rendered_text(vars, &p.value, text).unwrap_or_else(|| settings.default_cron()),
            None => settings.default_cron(),
        },
        start: match file.property("start") {
            Some(p) => rendered_text(vars, &p.value, text),
            None => settings.default_start(),
        },
        start_written: file.property("start").is_some(),
        depends_unknown: query_text.is_some_and(crate::syntax::sql::reads_macro_relation),
        time_column,
        columns,
        audits: file.property("audits").map(|p| call_names(&p.value)).unwrap_or_default(),
        audit_calls: file.property("audits").map(|p| audit_calls(text, &p.value)).unwrap_or_default(),
        tags: file.property("tags").map(|p| texts(&p.value)).unwrap_or_default(),
        description: text_prop("description").map(|d| d.value),
        owner: text_prop("owner").map(|o| o.value),
        cron_tz: match file.property("cron_tz") {
            Some(p) => rendered_text(vars, &p.value, text),
            None => settings.default_text("cron_tz"),
        },
        layout: ["partitioned_by", "clustered_by", "grain", "grains"]
            .into_iter()
            .filter_map(|key| Some((key, file.property(key)?.value.text(text).trim().to_string())))
            .collect(),
        kind_properties,
        columns_declared,
        query: if source == Source::Sql {
            file.query.as_ref().and_then(|q| q.shape.clone()).or_else(|| {
                jinja_query_shape(file, text, dialect, &settings.variables, &settings.jinja_macros).map(Arc::new)
            })
        } else {
            None
        },
        column_descriptions,
        defs,
        parsed: file.query.as_ref().is_none_or(|q| q.parsed) || !union.is_empty(),
        union,
    })
}

/// The tables of a query that is one `@UNION` call: `@UNION('all', a.t1, a.t2)`, with an
/// optional leading condition (`@UNION(TRUE, 'distinct', ...)`). None for any other query.
fn union_tables(
    settings: &Settings,
    local: &[(String, String)],
    query: &str,
    dialect: Option<&str>,
) -> Option<Vec<ModelName>> {
    let call = query.trim().strip_prefix('@')?;
    let open = call.find('(')?;
    if !call[..open].trim().eq_ignore_ascii_case("union") {
        return None;
    }
    let inner = call[open + 1..].trim_end().strip_suffix(')')?;
    let mut args: Vec<&str> = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                args.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    args.push(inner[start..].trim());
    let mut tables = args.as_slice();
    let mut only_first = false;
    if let [first, rest @ ..] = tables
        && (first.eq_ignore_ascii_case("true") || first.eq_ignore_ascii_case("false"))
    {
        // `@UNION(FALSE, ...)` selects from the first table only.
        only_first = first.eq_ignore_ascii_case("false");
        tables = rest;
    }
    if let [first, rest @ ..] = tables
        && first.starts_with('\'')
    {
        tables = rest;
    }
    if only_first {
        tables = &tables[..tables.len().min(1)];
    }
    tables.iter().map(|t| defined_table(settings, local, &split_dotted(t), dialect)).collect()
}

/// A property's text (`'@daily'` → `@daily`, `@start_var` → its value); None when a variable
/// in it has no statically known value.
fn rendered_text(vars: &Variables, value: &Values, text: &str) -> Option<String> {
    // String literals are not rendered (`'@daily'` stays a cron alias), nor quoted names
    // (`cron "0 13 * * *"` is the identifier's text).
    match value.single().map(|v| &v.kind) {
        Some(ValueKind::Str(s)) => return Some(s.clone()),
        Some(ValueKind::Name(parts)) if parts.len() == 1 && parts[0].quoted => return Some(parts[0].text.clone()),
        _ => {}
    }
    let written = value.as_text().map(|t| t.value).unwrap_or_else(|| value.text(text).to_string());
    vars.render(&written).map(|rendered| rendered.trim_matches('\'').to_string())
}

/// The model's name with its variables rendered, normalized as SQLMesh reads it back.
fn rendered_name(
    settings: &Settings,
    vars: &Variables,
    value: &Values,
    text: &str,
    dialect: Option<&str>,
) -> Option<ModelName> {
    if let Some((parts, _)) = value.as_name() {
        return defined_table(settings, vars.local, &parts, dialect);
    }
    let written = value.text(text).trim();
    let written = written.strip_prefix('\'').and_then(|w| w.strip_suffix('\'')).unwrap_or(written);
    settings.names.normalize_text(&vars.render(written)?, dialect)
}

/// A seed's CSV file: `$root/...` under the project root, else relative to the model file.
fn seed_path(settings: &Settings, model: &Path, written: &str) -> PathBuf {
    let relative = Path::new(written);
    let mut parts = relative.iter();
    if parts.next().and_then(|p| p.to_str()).is_some_and(|p| p.eq_ignore_ascii_case("$root")) {
        return settings.root.join(parts.as_path());
    }
    model.parent().unwrap_or(Path::new("")).join(relative)
}

/// `csv_settings (delimiter = ';', quotechar = '|')`: what pandas reads the seed with.
fn csv_settings(value: &Values) -> SeedCsvSettings {
    let mut settings = SeedCsvSettings::default();
    for item in value.items() {
        let [key, op, value] = item.atoms.as_slice() else { continue };
        let (ValueKind::Name(key), ValueKind::Op(op)) = (&key.kind, &op.kind) else { continue };
        if op != ":=" && op != "=" {
            continue;
        }
        let byte = match &value.kind {
            ValueKind::Str(s) if s.len() == 1 => Some(s.as_bytes()[0]),
            ValueKind::Str(s) if s == "\\t" => Some(b'\t'),
            _ => None,
        };
        let flag = match &value.kind {
            ValueKind::Name(parts) | ValueKind::Call { name: parts, .. } => {
                parts.first().and_then(|p| read_bool(&p.text))
            }
            ValueKind::Str(s) => read_bool(s),
            _ => None,
        };
        match NamePart::join(key).to_ascii_lowercase().as_str() {
            "delimiter" | "sep" => settings.delimiter = byte.unwrap_or(settings.delimiter),
            "quotechar" => settings.quotechar = byte.unwrap_or(settings.quotechar),
            "doublequote" => settings.doublequote = flag.unwrap_or(settings.doublequote),
            "escapechar" => settings.escapechar = byte,
            "lineterminator" => settings.lineterminator = byte,
            _ => {}
        }
    }
    settings
}
