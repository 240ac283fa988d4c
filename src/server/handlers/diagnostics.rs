//! Pull diagnostics: `textDocument/diagnostic` and `workspace/diagnostic`, each report with a
//! `resultId` ([`result_id`]), answered `unchanged` when the client already holds it.

use crate::analysis::check::check_project;
use crate::server::backend::Backend;
use crate::server::path_of;
use crate::server::schedule::{BackgroundRequest, result_id};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// `textDocument/diagnostic`: on the worker pool, over the document.
pub struct DocumentDiagnostic;

impl BackgroundRequest for DocumentDiagnostic {
    const NAME: &'static str = "textDocument/diagnostic";
    type Params = DocumentDiagnosticParams;
    type Response = DocumentDiagnosticReportResult;

    fn document(params: &DocumentDiagnosticParams) -> Option<Uri> {
        Some(params.text_document.uri.clone())
    }

    fn run(backend: &Backend, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        Ok(document_diagnostic(backend, params.text_document.uri, params.previous_result_id))
    }
}

fn document_diagnostic(backend: &Backend, uri: Uri, previous: Option<String>) -> DocumentDiagnosticReportResult {
    let path = path_of(&uri);
    let (id, _, items) =
        path.as_deref().and_then(|p| backend.report(p)).unwrap_or_else(|| (result_id(&[]), None, vec![]));
    if let Some(path) = path {
        backend.state.reported.insert(path, id.clone());
    }
    let report = if previous.as_deref() == Some(id.as_str()) {
        DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
            related_documents: None,
            unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id: id },
        })
    } else {
        DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: Some(id), items },
        })
    };
    DocumentDiagnosticReportResult::Report(report)
}

/// `workspace/diagnostic`: on the worker pool, over every project.
pub struct WorkspaceDiagnostic;

impl BackgroundRequest for WorkspaceDiagnostic {
    const NAME: &'static str = "workspace/diagnostic";
    type Params = WorkspaceDiagnosticParams;
    type Response = WorkspaceDiagnosticReportResult;

    fn document(_: &WorkspaceDiagnosticParams) -> Option<Uri> {
        None
    }

    fn run(backend: &Backend, params: WorkspaceDiagnosticParams) -> Result<WorkspaceDiagnosticReportResult> {
        Ok(workspace_diagnostic(backend, params.previous_result_ids))
    }
}

fn workspace_diagnostic(backend: &Backend, previous: Vec<PreviousResultId>) -> WorkspaceDiagnosticReportResult {
    let previous: HashMap<Uri, String> = previous.into_iter().map(|p| (p.uri, p.value)).collect();
    let state = &backend.state;
    let levels = state.settings().rules;
    let read = |path: &Path| match state.documents.get(path) {
        Some(document) => Some(document.text()),
        None => std::fs::read(path).ok().and_then(|b| String::from_utf8(b).ok()),
    };
    // Every file of every project is listed, those without diagnostics too, so that the
    // client clears what was fixed.
    let mut per_file: BTreeMap<PathBuf, Vec<crate::syntax::Diagnostic>> = BTreeMap::new();
    for project in state.projects() {
        per_file.extend(project.files().iter().map(|f| (f.path.clone(), Vec::new())));
        for (path, found) in check_project(&project, &read, &levels) {
            per_file.entry(path).or_default().push(found);
        }
    }
    let items = per_file
        .into_iter()
        .filter_map(|(path, found)| {
            let uri = Uri::from_file_path(&path)?;
            let version = state.documents.get(&path).map(|d| i64::from(d.version));
            let items = backend.converted(&path, None, &found);
            let id = result_id(&items);
            state.reported.insert(path, id.clone());
            Some(if previous.get(&uri) == Some(&id) {
                WorkspaceDocumentDiagnosticReport::Unchanged(WorkspaceUnchangedDocumentDiagnosticReport {
                    uri,
                    version,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id: id },
                })
            } else {
                WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                    uri,
                    version,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: Some(id), items },
                })
            })
        })
        .collect();
    WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items })
}
