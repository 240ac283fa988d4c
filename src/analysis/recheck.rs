//! Which files to check again after a file changed: the answers a change can alter, found
//! through the model graph, so that an edit re-checks only those.

use crate::project::workspace::CONFIG_FILES;
use crate::project::{ModelName, Project};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The models the file at `path` of `project` defines (none when it is not tracked).
pub fn defined_models(project: &Project, path: &Path) -> BTreeSet<ModelName> {
    project
        .file_id(path)
        .and_then(|id| project.file(id))
        .map(|f| f.models.iter().map(|m| m.name.clone()).collect())
        .unwrap_or_default()
}

/// The files to check again after the file at `path` changed in `project`, where it defined
/// `before` (see [`defined_models`]): the file, the files defining models that read a model it
/// defined before or defines now, and those of `open` anywhere downstream of those models (a
/// column dropped here breaks a reader two levels down). In path order.
pub fn files_to_recheck(project: &Project, path: &Path, before: BTreeSet<ModelName>, open: &[PathBuf]) -> Vec<PathBuf> {
    let mut names = before;
    names.extend(defined_models(project, path));
    let graph = project.graph();
    let mut affected = BTreeSet::from([path.to_path_buf()]);
    for name in &names {
        for child in graph.children(name) {
            for id in graph.definers(&child).unwrap_or_default() {
                if let Some(file) = project.file(*id) {
                    affected.insert(file.path.clone());
                }
            }
        }
    }
    let others: Vec<&PathBuf> = open.iter().filter(|p| !affected.contains(*p)).collect();
    for other in others {
        let reads = defined_models(project, other)
            .iter()
            .any(|model| graph.upstream(model).iter().any(|up| names.contains(up)));
        if reads {
            affected.insert(other.clone());
        }
    }
    affected.into_iter().collect()
}

/// The seed files of `project` that load the CSV at `csv`: they change when it does.
pub fn seeds_loading(project: &Project, csv: &Path) -> Vec<PathBuf> {
    project.files().iter().filter(|f| f.seed_csv.as_deref() == Some(csv)).map(|f| f.path.clone()).collect()
}

/// Whether a change of the file at `path` (of `project`, when it belongs to one) changes
/// every project's settings, so that the projects are loaded again: a config file, `meshls.toml`, or a Jinja
/// macro file (`macros/**/*.sql`, read into the project's settings).
pub fn reloads_projects(project: Option<&Project>, path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    CONFIG_FILES.contains(&name)
        || name == "meshls.toml"
        || (path.extension().is_some_and(|e| e == "sql")
            && project.is_some_and(|p| path.starts_with(p.root.join("macros"))))
}
