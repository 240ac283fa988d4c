//! The indexing benchmark: `cargo bench --bench index` (10,000 models; `-- --models N` for
//! another size). Under `cargo test` it runs once on a small project as a smoke test.
//!
//! It measures what issue budgets name, on a generated, realistic project:
//! - `meshls index --format json` on the project: wall time and peak memory of the process;
//! - replacing one model file in the loaded graph (`Project::set_file`): latency percentiles.
//!
//! Figures are printed; `docs/performance.md` records them and how to rerun.

#[path = "support/args.rs"]
mod args;
#[path = "support/project_gen.rs"]
mod project_gen;

use meshls::project::{Project, Workspace};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Budget {
    index_wall: Duration,
    index_rss_mb: f64,
    replace_p99: Duration,
    check_wall: Duration,
}

const BUDGET: Budget = Budget {
    index_wall: Duration::from_millis(1000),
    index_rss_mb: 200.0,
    replace_p99: Duration::from_millis(1),
    check_wall: Duration::from_millis(2000),
};

fn main() {
    let (bench, models) = args::parse();
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-project-{models}"));
    let started = Instant::now();
    let generated =
        project_gen::generate(&root, &project_gen::GenOptions { models, seed: 42 }).expect("generate the project");
    println!(
        "generated {} models ({} files) in {:.2?} at {}",
        generated.models.len(),
        generated.files.len(),
        started.elapsed(),
        root.display()
    );

    let (walls, rss_mb) = run_meshls(&root, "index", if bench { 5 } else { 1 });
    let median = walls[walls.len() / 2];
    println!(
        "meshls index --format json: median {:.1} ms, min {:.1} ms over {} runs; peak RSS {:.1} MB",
        ms(median),
        ms(walls[0]),
        walls.len(),
        rss_mb
    );

    let (checks, _) = run_meshls(&root, "check", if bench { 5 } else { 1 });
    let check_median = checks[checks.len() / 2];
    println!(
        "meshls check --format json: median {:.1} ms, min {:.1} ms over {} runs",
        ms(check_median),
        ms(checks[0]),
        checks.len()
    );

    let replace = replace_one_file(&root, &generated, if bench { 2000 } else { 50 });
    println!(
        "replace one file in the loaded graph: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms over {} edits",
        ms(replace[replace.len() / 2]),
        ms(replace[replace.len() * 99 / 100]),
        ms(replace[replace.len() - 1]),
        replace.len()
    );

    if bench && models == 10_000 {
        let checks = [
            ("index wall (median) <= 1.0 s", median <= BUDGET.index_wall),
            ("index peak RSS <= 200 MB", rss_mb <= BUDGET.index_rss_mb),
            ("replace one file p99 < 1 ms", replace[replace.len() * 99 / 100] < BUDGET.replace_p99),
            ("check wall (median) <= 2.0 s", check_median <= BUDGET.check_wall),
        ];
        for (name, ok) in checks {
            println!("{} {name}", if ok { "PASS" } else { "FAIL" });
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `meshls <command> --format json` `runs` times; sorted wall times and the peak RSS in MB
/// of any child so far.
fn run_meshls(root: &Path, command: &str, runs: usize) -> (Vec<Duration>, f64) {
    let mut walls = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_meshls"))
            .args([command, "--format", "json"])
            .arg(root)
            .stdout(Stdio::null())
            .status()
            .expect("run meshls index");
        walls.push(started.elapsed());
        // `check` exits 1 when it reports errors; only a crash is a failure here.
        assert!(status.code().is_some_and(|c| c <= 1), "meshls {command} failed: {status}");
    }
    walls.sort();
    (walls, children_peak_rss_mb())
}

/// The largest resident set of any waited-for child process, in MB.
fn children_peak_rss_mb() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } == 0;
    if ok { usage.ru_maxrss as f64 / 1024.0 } else { f64::NAN }
}

/// Loads the project in-process, then replaces one mid-DAG model file `edits` times, alternating
/// two versions that differ in a projection; sorted latencies.
fn replace_one_file(root: &Path, generated: &project_gen::GeneratedProject, edits: usize) -> Vec<Duration> {
    let workspace = Workspace::load(&[root.to_path_buf()]);
    let project: &Project = &workspace.projects[0];
    let path = model_file(project, &generated.hub).expect("the hub model's file");
    let original = std::fs::read_to_string(&path).expect("read the hub file");
    let edited = original.replacen("SELECT", "SELECT\n  1 AS benchmark_edit,", 1);
    assert_ne!(original, edited, "the edit changes the file");
    let mut latencies = Vec::with_capacity(edits);
    for i in 0..edits {
        let text = if i % 2 == 0 { &edited } else { &original };
        let started = Instant::now();
        project.set_file(&path, Some(text.as_bytes()));
        latencies.push(started.elapsed());
    }
    latencies.sort();
    latencies
}

fn model_file(project: &Project, name: &str) -> Option<PathBuf> {
    project.files().into_iter().find(|f| f.models.iter().any(|m| m.name.as_str() == name)).map(|f| f.path.clone())
}
