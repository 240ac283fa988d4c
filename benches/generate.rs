//! The code generation benchmark (issue #14): `cargo bench --bench generate` (10,000 models;
//! `-- --models N` for another size). Under `cargo test` it runs once on a small project as a
//! smoke test.
//!
//! It measures, on the generated project of `benches/index.rs`:
//! - the Dagster module generated in-process from a loaded project (`codegen::plan` and
//!   `codegen::dagster::module`): the first time (every model's schema computed) and again;
//! - `meshls generate dagster PATH -o FILE`, the whole command (loading the project included);
//! - when the Dagster venv is there (`$MESHLS_DAGSTER_PYTHON`, else `.venv-dagster`), the time
//!   Python takes to import the module and resolve its asset graph;
//! - side by side, at 1,000 models or fewer, when dg-sqlmesh's venv is there
//!   (`$MESHLS_DG_SQLMESH_PYTHON`, else `.venv-dg-sqlmesh`, from
//!   `benches/dg-sqlmesh/requirements.txt`), the time dg-sqlmesh's `sqlmesh_definitions_factory`
//!   takes to give Dagster the same project's definitions (it loads a SQLMesh `Context`).
//!
//! Figures are printed; `docs/performance.md` records them and how to rerun.

#[path = "support/args.rs"]
mod args;
#[path = "support/project_gen.rs"]
mod project_gen;

use meshls::codegen::{self, Options, dagster};
use meshls::project::Workspace;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Issue #14: generation on the 10,000-model project in at most 1 s.
const GENERATION_BUDGET: Duration = Duration::from_millis(1000);

fn main() {
    let (bench, models) = args::parse();
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-project-{models}"));
    let generated =
        project_gen::generate(&root, &project_gen::GenOptions { models, seed: 42 }).expect("generate the project");
    println!("generated {} models ({} files) at {}", generated.models.len(), generated.files.len(), root.display());
    let runs = if bench { 5 } else { 1 };

    let location = codegen::generate::Location {
        project_name: "bench".to_string(),
        project_from_module: ".".to_string(),
        regenerate: "meshls generate dagster . -o defs.py".to_string(),
    };
    let options = Options::default();
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut planned = Vec::new();
    let mut size = 0;
    for _ in 0..runs {
        let workspace = Workspace::load(std::slice::from_ref(&root));
        let project = &workspace.projects[0];
        let started = Instant::now();
        let module = dagster::module(&codegen::plan(project, &options), &options, &location);
        cold.push(started.elapsed());
        let started = Instant::now();
        let plan = codegen::plan(project, &options);
        planned.push(started.elapsed());
        let again = dagster::module(&plan, &options, &location);
        warm.push(started.elapsed());
        assert_eq!(module, again, "the same project gives the same module");
        size = module.len();
        std::mem::forget(workspace);
    }
    cold.sort();
    warm.sort();
    planned.sort();
    println!(
        "plan + Dagster module in-process: first {:.1} ms (median of {runs}), again {:.1} ms (the plan {:.1} ms); \
         {:.1} MB of Python",
        ms(cold[cold.len() / 2]),
        ms(warm[warm.len() / 2]),
        ms(planned[planned.len() / 2]),
        size as f64 / 1e6
    );

    let out = root.with_extension("defs.py");
    let mut walls = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_meshls"))
            .args(["generate", "dagster"])
            .arg(&root)
            .arg("-o")
            .arg(&out)
            .status()
            .expect("run meshls");
        walls.push(started.elapsed());
        assert!(status.success(), "meshls generate dagster failed");
    }
    walls.sort();
    println!(
        "meshls generate dagster (load included): median {:.1} ms, min {:.1} ms over {runs} runs",
        ms(walls[walls.len() / 2]),
        ms(walls[0])
    );

    if let Some(python) = venv_python("MESHLS_DAGSTER_PYTHON", ".venv-dagster") {
        let script = "import importlib.util, sys, time\nstarted = time.perf_counter()\n\
                      spec = importlib.util.spec_from_file_location('defs', sys.argv[1])\n\
                      module = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(module)\n\
                      graph = module.defs.resolve_asset_graph()\n\
                      print(f'{time.perf_counter() - started:.3f} {len(graph.get_all_asset_keys())}')\n";
        let output = Command::new(&python).arg("-c").arg(script).arg(&out).output().expect("run python");
        let text = String::from_utf8_lossy(&output.stdout);
        match text.split_whitespace().collect::<Vec<_>>().as_slice() {
            [seconds, assets] if output.status.success() => {
                println!("Dagster imports the module and resolves its {assets} assets in {seconds} s")
            }
            _ => println!("Dagster could not load the module: {}", String::from_utf8_lossy(&output.stderr)),
        }
    } else {
        println!("no Dagster venv (.venv-dagster or $MESHLS_DAGSTER_PYTHON): Dagster's load time not measured");
    }

    // dg-sqlmesh loads the project through SQLMesh: about 45 s at 1,000 models on the machine
    // of docs/performance.md, so it is measured at that size or below.
    match venv_python("MESHLS_DG_SQLMESH_PYTHON", ".venv-dg-sqlmesh") {
        Some(python) if models <= 1000 => {
            let script = "import sys, time, warnings\nwarnings.simplefilter('ignore')\n\
                          started = time.perf_counter()\nfrom dg_sqlmesh import sqlmesh_definitions_factory\n\
                          defs = sqlmesh_definitions_factory(project_dir=sys.argv[1], gateway='local', \
                          environment='prod', enable_schedule=True)\n\
                          graph = defs.resolve_asset_graph()\n\
                          print(f'{time.perf_counter() - started:.3f} {len(graph.get_all_asset_keys())}')\n";
            let output = Command::new(&python).arg("-c").arg(script).arg(&root).output().expect("run python");
            let text = String::from_utf8_lossy(&output.stdout);
            match text.split_whitespace().collect::<Vec<_>>().as_slice() {
                [seconds, assets] if output.status.success() => println!(
                    "dg-sqlmesh loads the same project (a SQLMesh Context) and resolves its {assets} assets in {seconds} s"
                ),
                _ => println!("dg-sqlmesh could not load the project: {}", String::from_utf8_lossy(&output.stderr)),
            }
        }
        Some(_) => println!("dg-sqlmesh is measured at 1,000 models or fewer (`-- --models 1000`)"),
        None => println!("no dg-sqlmesh venv (.venv-dg-sqlmesh or $MESHLS_DG_SQLMESH_PYTHON): not compared"),
    }

    if bench && models == 10_000 {
        let ok = cold[cold.len() / 2] <= GENERATION_BUDGET;
        println!("{} plan + Dagster module (first, median) <= 1.0 s", if ok { "PASS" } else { "FAIL" });
    }
}

/// The Python of a venv: `$variable` when set, else `<repo>/<folder>/bin/python`, when it exists.
fn venv_python(variable: &str, folder: &str) -> Option<PathBuf> {
    let python = std::env::var_os(variable)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(folder).join("bin/python"));
    python.exists().then_some(python)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
