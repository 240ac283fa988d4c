//! `workspace/executeCommand`: the server's commands. Runs on the I/O task: it asks the client
//! to show a message or to apply an edit (computed on the worker pool).

use crate::analysis;
use crate::codegen::{self, Backend as Generator};
use crate::server::backend::Backend;
use crate::server::path_of;
use crate::server::schedule::guard;
use crate::syntax::{Applicability, Edit, Fix, Span};
use serde_json::Value;
use std::path::PathBuf;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{ExecuteCommandParams, LSPAny, MessageType, Uri, WorkspaceEdit};

/// `meshls.applyFixes [uri]`: applies every safe fix of a document through `workspace/applyEdit`.
pub const APPLY_FIXES: &str = "meshls.applyFixes";
/// `meshls.generate {backend, uri, model?}`: writes the generated definitions of the project of
/// the document `uri` (of `model` and its upstream, when given) through `workspace/applyEdit`,
/// and answers the path of the file written.
pub const GENERATE: &str = "meshls.generate";
/// The code lens command: its arguments are the model and its upstream and downstream models,
/// for the editor to list (the server answers with the same lists).
pub const SHOW_DEPENDENCIES: &str = "meshls.showDependencies";

pub async fn execute_command(backend: &Backend, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
    if params.command == SHOW_DEPENDENCIES {
        // Any client can show a message: the lists, also returned for editors that show
        // them their own way.
        let lists = params.arguments.first().cloned();
        if let Some(message) = lists.as_ref().and_then(dependencies_message) {
            backend.client.show_message(MessageType::INFO, message).await;
        }
        return Ok(lists);
    }
    if params.command == GENERATE {
        return generate(backend, params.arguments.first().cloned()).await;
    }
    if params.command != APPLY_FIXES {
        return Err(Error::invalid_params(format!("unknown command {}", params.command)));
    }
    let uri: Option<Uri> = params.arguments.first().and_then(|a| serde_json::from_value(a.clone()).ok());
    let Some(uri) = uri else { return Err(Error::invalid_params("meshls.applyFixes takes a document URI")) };
    let edit = guard("applyFixes", || {
        let (path, _, diagnostics) = backend.current_diagnostics(&uri)?;
        let chosen = analysis::code_action::fix_all(&path, &diagnostics);
        (!chosen.is_empty()).then(|| backend.fix_edit(&path, &chosen)).flatten()
    })?;
    if let Some(edit) = edit
        && let Err(error) = backend.client.apply_edit(edit).await
    {
        tracing::warn!("workspace/applyEdit failed: {error}");
    }
    Ok(None)
}

/// The arguments of [`GENERATE`].
#[derive(serde::Deserialize, serde::Serialize)]
pub struct GenerateArguments {
    /// The backend's name (`dagster`).
    pub backend: String,
    /// A document of the project.
    pub uri: Uri,
    /// The model whose upstream is generated; None for the whole project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

async fn generate(backend: &Backend, arguments: Option<Value>) -> Result<Option<LSPAny>> {
    let arguments: GenerateArguments = arguments
        .and_then(|a| serde_json::from_value(a).ok())
        .ok_or_else(|| Error::invalid_params("meshls.generate takes {backend, uri, model?}"))?;
    let Some(generator) = Generator::from_name(&arguments.backend) else {
        return Err(Error::invalid_params(format!("unknown backend {}", arguments.backend)));
    };
    let work = move |this: &Backend| -> std::result::Result<(PathBuf, WorkspaceEdit), String> {
        let path = path_of(&arguments.uri).ok_or("not a file")?;
        let project = this.state.project_of(&path).ok_or("the document is in no SQLMesh project")?;
        if !project.is_indexed() {
            return Err("the project is still being indexed; try again when it is done".to_string());
        }
        let toml = this.state.text(&project.root.join("meshls.toml"));
        let request = codegen::generate::for_editor(generator, &project, toml.as_deref(), arguments.model.as_deref())?;
        let output = request.output.clone().ok_or("no output file")?;
        let text = codegen::generate(&request).text;
        let current = this.state.text(&output).unwrap_or_default();
        let fix = Fix {
            title: format!("Generate the {}", generator.title()),
            edits: vec![Edit { path: Some(output.clone()), span: Span::new(0, current.len()), new_text: text }],
            applicability: Applicability::Unsafe,
            snippet: false,
        };
        let edit = this.fix_edit(&output, &[&fix]).ok_or("cannot name the output file as a URI")?;
        Ok((output, edit))
    };
    let (output, edit) = backend.background("generate", None, work).await?.map_err(Error::invalid_params)?;
    let applied = backend.client.apply_edit(edit).await;
    match applied {
        Ok(response) if response.applied => Ok(Some(Value::String(output.to_string_lossy().into_owned()))),
        Ok(response) => Err(Error::invalid_params(format!(
            "the editor did not apply the edit: {}",
            response.failure_reason.unwrap_or_default()
        ))),
        Err(error) => Err(error),
    }
}

/// The code lens command's arguments as a message (None when they are not the lists it sent).
fn dependencies_message(lists: &Value) -> Option<String> {
    fn names<'a>(lists: &'a Value, key: &str) -> Option<Vec<&'a str>> {
        Some(lists.get(key)?.as_array()?.iter().filter_map(Value::as_str).collect())
    }
    let model = lists.get("model")?.as_str()?;
    let (upstream, downstream) = (names(lists, "upstream")?, names(lists, "downstream")?);
    Some(analysis::code_lens::dependencies_message(model, &upstream, &downstream))
}
