//! `external_models.yaml` and `external_models/*.yaml`: the entries of the selected gateway.

use super::*;

pub(super) fn external_models(settings: &Settings, facts: &mut FileFacts, text: &str) -> Syntax {
    let parsed = parse_external_models(text);
    facts.diagnostics.extend(parsed.diagnostics.iter().cloned());
    // Entries for another gateway than the selected one are dropped; the selected gateway's
    // replace the entries without a gateway of the same name (SQLMesh's `_load_external_models`).
    let selected = settings.config.default_gateway().map(|g| g.name.as_str());
    let for_gateway = |entry: &ExternalModel| match &entry.gateway {
        None => true,
        Some(gateway) => selected.is_some_and(|s| s.eq_ignore_ascii_case(gateway)),
    };
    let overridden = |entry: &ExternalModel| {
        entry.gateway.is_none()
            && parsed
                .models
                .iter()
                .any(|other| other.gateway.is_some() && for_gateway(other) && other.name.value == entry.name.value)
    };
    for entry in parsed.models.iter().filter(|e| for_gateway(e) && !overridden(e)) {
        let dialect = entry.dialect.clone().or_else(|| settings.default_dialect().map(str::to_string));
        let strategy = normalization(dialect.as_deref());
        let Some(name) = settings.names.normalize_text(&entry.name.value, dialect.as_deref()) else {
            facts.diagnostics.push(Diagnostic::error("external-models", entry.name.span, "empty external model name"));
            continue;
        };
        facts.models.push(Model {
            name,
            name_span: entry.name.span,
            source: Source::External,
            kind: "EXTERNAL".to_string(),
            dialect,
            cron: settings.default_cron(),
            start: entry.start.clone().or_else(|| settings.default_start()),
            start_written: entry.start.is_some(),
            depends_unknown: false,
            time_column: None,
            depends_on: Vec::new(),
            columns: (!entry.columns.is_empty()).then(|| {
                entry
                    .columns
                    .iter()
                    .map(|c| {
                        // `'"AuthorId"'`: a quoted identifier inside the YAML string.
                        let name = &c.name.value;
                        let quoted = name.len() >= 2 && name.starts_with('"') && name.ends_with('"');
                        let text = if quoted { name[1..name.len() - 1].replace("\"\"", "\"") } else { name.clone() };
                        Column {
                            name: normalize_ident(&text, quoted, strategy, false),
                            data_type: c.data_type.clone(),
                            description: c.description.clone(),
                        }
                    })
                    .collect()
            }),
            audits: entry.audits.iter().map(|a| a.name.value.clone()).collect(),
            audit_calls: entry
                .audits
                .iter()
                .map(|a| AuditCall { name: a.name.value.clone(), args: a.args.clone() })
                .collect(),
            tags: Vec::new(),
            description: entry.description.clone(),
            owner: None,
            cron_tz: None,
            layout: Vec::new(),
            kind_properties: Vec::new(),
            columns_declared: true,
            query: None,
            column_descriptions: Vec::new(),
            defs: Vec::new(),
            union: Vec::new(),
            parsed: true,
        });
    }
    Syntax::External(parsed)
}
