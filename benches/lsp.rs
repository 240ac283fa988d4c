//! The language-server benchmark: `cargo bench --bench lsp` (10,000 models; `-- --models N` for
//! another size). Under `cargo test` it runs once on a small project as a smoke test.
//!
//! It drives the real binary (`meshls serve`, release build under `cargo bench`) over stdio with
//! the strict e2e client, as an editor would, on a generated, realistic project, and measures:
//! - start-up: `initialize` sent → the first `textDocument/publishDiagnostics` of a model file
//!   opened right after `initialized`, and → the first publish that is right (the file is opened
//!   with a reference to a missing table: right is that table flagged `unregistered-table`, and no
//!   other table flagged, as a graph read only in part would);
//! - `didChange` → `publishDiagnostics` of the edited file: the hub model (thousands of models
//!   downstream) is open with a few of its direct consumers, and each edit adds or removes a CTE
//!   that reads a missing table, so every edit changes the file's diagnostics and must be
//!   published; timed from sending the change to receiving the publish of that version;
//! - `textDocument/hover` on a model reference in an open consumer of the hub (the hub's own
//!   `FROM` reference, whose card counts its whole downstream, and the primary upstream's);
//! - `textDocument/hover` on column references (the column lineage card: upstream and
//!   downstream trees with the size of each closure) whose lineage reaches the most models, or
//!   goes furthest up, cycling through a few positions; then on the first of them (a column of
//!   the hub, or below it) right after each of a few edits of the hub, which drop the cached
//!   schemas of everything downstream of it;
//! - `didChange` of a model with about 500 downstream models → `publishDiagnostics` of an open
//!   direct consumer: each edit renames a column the consumer reads (and back), so the
//!   consumer's diagnostics change (`unknown-column`) and must be published;
//! - the server's peak resident memory (`VmHWM` of `/proc/<pid>/status`, just before shutdown).
//!
//! The machine's load average and, per phase, the server's CPU time and the time its threads
//! waited for a CPU (`/proc/<pid>/task/*/schedstat`) are printed too: on a busy machine the
//! latencies grow by the waiting, not by the server's own work.
//!
//! Every message the server sends is accounted for (progress, server requests, publishes), or the
//! client fails the run. Figures are printed; `docs/performance.md` records them and how to rerun.

#[path = "support/args.rs"]
mod args;
#[path = "support/lineage_targets.rs"]
mod lineage_targets;
#[path = "../tests/support/lsp_client.rs"]
mod lsp_client;
#[path = "support/project_gen.rs"]
mod project_gen;

use lsp_client::{ClientOptions, LspClient, file_uri, position, range};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PUBLISH: &str = "textDocument/publishDiagnostics";
/// Generous: the smoke run uses the debug binary.
const WAIT: Duration = Duration::from_secs(120);
/// How many direct consumers of the hub are open besides the hub.
const CONSUMERS: usize = 4;
/// The missing table the edits reference.
const MISSING: &str = "bench_missing.no_such_table";
/// A CTE inserted right after the hub's `WITH `: it reads a table nothing defines.
const PROBE: &str = "benchmark_probe AS (\n  SELECT 1 AS probe FROM bench_missing.no_such_table\n),\n";
/// How many column references the lineage hovers cycle through.
const LINEAGE_POSITIONS: usize = 4;
/// How many models downstream of the model whose column the upstream edits rename.
const EDITED_DOWNSTREAM: usize = 500;

struct Budget {
    first_diagnostics: Duration,
    change_p99: Duration,
    hover_p99: Duration,
    lineage_hover_p99: Duration,
    consumer_p99: Duration,
    /// Issue #12: a hover answered while a workspace-wide `references` runs.
    hover_beside_references_p99: Duration,
    /// Issue #12: `$/cancelRequest` → the cancelled request's response.
    cancel_p99: Duration,
    peak_mb: f64,
    /// Issue #12: the last of [`KEYSTROKES`] keystrokes → the publish of its version.
    burst_last: Duration,
    /// Issue #12: one edit of a model of [`WIDE_COLUMNS`] columns → its publish (median).
    wide_edit: Duration,
    /// Issue #12, at 100,000 models (`--startup-only --models 100000`).
    startup_100k: Duration,
    peak_100k_mb: f64,
}

const BUDGET: Budget = Budget {
    first_diagnostics: Duration::from_millis(1500),
    change_p99: Duration::from_millis(20),
    hover_p99: Duration::from_millis(5),
    lineage_hover_p99: Duration::from_millis(10),
    consumer_p99: Duration::from_millis(50),
    hover_beside_references_p99: Duration::from_millis(10),
    cancel_p99: Duration::from_millis(20),
    peak_mb: 250.0,
    burst_last: Duration::from_millis(30),
    wide_edit: Duration::from_millis(500),
    startup_100k: Duration::from_secs(5),
    peak_100k_mb: 1024.0,
};

/// Keystrokes of the burst typed into the hub, and the time between two.
const KEYSTROKES: usize = 50;
const KEYSTROKE_GAP: Duration = Duration::from_millis(30);
/// Columns of the wide model (`cargo bench`; the smoke test uses fewer).
const WIDE_COLUMNS: usize = 100_000;

fn main() {
    let (bench, models) = args::parse();
    let (edits, hovers) = if bench { (300, 500) } else { (40, 50) };
    let (lineage_hovers, cold_hovers, upstream_edits) = if bench { (400, 20, 200) } else { (20, 4, 10) };
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("lsp-project-{models}"));
    let started = Instant::now();
    let generated =
        project_gen::generate(&root, &project_gen::GenOptions { models, seed: 42 }).expect("generate the project");
    println!(
        "generated {} models ({} files) in {:.2?} at {}; hub {} with {} downstream models",
        generated.models.len(),
        generated.files.len(),
        started.elapsed(),
        root.display(),
        generated.hub,
        generated.hub_downstream
    );
    let setup = Setup::new(&generated);
    let started = Instant::now();
    let (column_hovers, upstream_edit) =
        lineage_targets::pick(&root, &generated.hub, LINEAGE_POSITIONS, EDITED_DOWNSTREAM);
    println!("picked the lineage hovers and the upstream edit in-process in {:.2?}:", started.elapsed());
    describe_picks(&root, &column_hovers, &upstream_edit);
    // Other work on the machine skews every figure below: say how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before the run: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    println!(
        "open: {} (+ probe CTE) and {} direct consumers: {}",
        rel(&root, &setup.hub),
        setup.consumers.len(),
        setup.consumers.iter().map(|p| rel(&root, p)).collect::<Vec<_>>().join(", ")
    );

    // 1. Start-up.
    let options = ClientOptions { work_done_progress: true, dynamic_watched_files: true, ..ClientOptions::default() };
    let mut client = LspClient::start(Path::new(env!("CARGO_BIN_EXE_meshls")), &["serve"], options);
    let pid = client.pid();
    let startup = start_up(&mut client, &setup);
    let startup_usage = Usage::of(pid);
    let (startup_hwm_mb, _) = memory_mb(pid);
    println!(
        "initialize → first publishDiagnostics of the opened hub: {:.1} ms ({} diagnostics)",
        ms(startup.publishes[0].0),
        startup.publishes[0].1
    );
    for (at, count, right) in &startup.publishes[1..] {
        println!("  then a publish at {:.1} ms ({count} diagnostics{})", ms(*at), if *right { ", right" } else { "" });
    }
    println!(
        "initialize → first right publishDiagnostics (after indexing): {:.1} ms; progress end seen at {:.1} ms; \
         by then the server used {:.0} ms of CPU and its threads waited {:.0} ms for one; server log: {}",
        ms(startup.right),
        ms(startup.progress_end),
        ms(startup_usage.cpu),
        ms(startup_usage.wait),
        startup.server_index_log.as_deref().unwrap_or("(no `indexed` line)")
    );

    if std::env::args().any(|a| a == "--startup-only") {
        let (hwm_mb, _) = memory_mb(pid);
        println!("server memory after start-up: peak (VmHWM) {hwm_mb:.1} MB");
        client.shutdown();
        if bench && models >= 100_000 {
            let checks = [
                ("initialize → first right publishDiagnostics <= 5 s", startup.right <= BUDGET.startup_100k),
                ("server peak memory <= 1 GB", hwm_mb <= BUDGET.peak_100k_mb),
            ];
            for (name, ok) in checks {
                println!("{} {name} ({models} models)", if ok { "PASS" } else { "FAIL" });
            }
        }
        return;
    }

    // 2. didChange → publishDiagnostics.
    let before = Usage::of(pid);
    let change = change_latencies(&mut client, &setup, edits);
    let used = Usage::of(pid).since(&before);
    report("didChange → publishDiagnostics of the hub", &change, &used, "edit");

    // 2b. A burst of keystrokes 30 ms apart: the last one's publish, and versions in order.
    let before = Usage::of(pid);
    let (burst, published) = keystroke_burst(&mut client, &setup);
    let used = Usage::of(pid).since(&before);
    println!(
        "{KEYSTROKES} keystrokes {} ms apart in the hub: last keystroke → its publishDiagnostics {:.2} ms; \
         {} publishes of the hub, versions in order (server CPU {:.0} ms, waiting for a CPU {:.0} ms)",
        KEYSTROKE_GAP.as_millis(),
        ms(burst),
        published,
        ms(used.cpu),
        ms(used.wait)
    );

    // 3. Hover.
    let consumer_uri = file_uri(&setup.consumers[0]);
    let before = Usage::of(pid);
    let hover_hub = hover_latencies(&mut client, &consumer_uri, setup.hover_hub, &generated.hub, hovers);
    let used = Usage::of(pid).since(&before);
    let label = format!("hover on `FROM {}` in {}", generated.hub, rel(&root, &setup.consumers[0]));
    report(&label, &hover_hub, &used, "request");
    let (upstream, at) = &setup.hover_upstream;
    let before = Usage::of(pid);
    let hover_up = hover_latencies(&mut client, &consumer_uri, *at, upstream, hovers);
    let used = Usage::of(pid).since(&before);
    report(&format!("hover on `FROM {upstream}` (primary upstream) there"), &hover_up, &used, "request");

    // 3b. Hover while `references` of the hub (its whole downstream) runs, and cancellation.
    let rounds = if bench { 100 } else { 10 };
    let before = Usage::of(pid);
    let (beside, cancel, locations) =
        beside_references(&mut client, &consumer_uri, setup.hover_hub, &generated.hub, rounds);
    let used = Usage::of(pid).since(&before);
    let label = format!("hover sent right after `references` of {} ({locations} locations)", generated.hub);
    report(&label, &beside, &used, "request");
    report("$/cancelRequest of `references` → its response", &cancel, &Usage::default(), "request");

    // 4. Hover on column references: the lineage card.
    let mut open: Vec<PathBuf> = std::iter::once(setup.hub.clone()).chain(setup.consumers.iter().cloned()).collect();
    open_more(&mut client, &mut open, column_hovers.iter().map(|h| h.path.clone()));
    let before = Usage::of(pid);
    let (lineage, firsts, warm) = lineage_hover_latencies(&mut client, &column_hovers, lineage_hovers);
    let used = Usage::of(pid).since(&before);
    let label = format!("hover on a column reference (lineage card), {} positions", column_hovers.len());
    report(&label, &lineage, &used, "request");
    println!(
        "  the first hover of each position (schemas cold after the edits above): {}; the others: p50 {:.2} ms, \
         p99 {:.2} ms, max {:.2} ms",
        firsts.iter().map(|d| format!("{:.2} ms", ms(*d))).collect::<Vec<_>>().join(", "),
        ms(pct(&warm, 50)),
        ms(pct(&warm, 99)),
        ms(warm[warm.len() - 1])
    );
    let h = &column_hovers[0];
    assert!(h.below_hub, "the first hovered column is the hub's or downstream of it");
    let before = Usage::of(pid);
    let cold = hover_after_edit_latencies(&mut client, &setup, h, cold_hovers);
    let used = Usage::of(pid).since(&before);
    let label = format!("hover on `{}.{}` right after an edit of the hub (cold schemas)", h.column.0, h.column.1);
    report(&label, &cold, &used, "round");

    // 5. didChange of a model with ~500 downstream models → publishDiagnostics of an open consumer.
    open_more(&mut client, &mut open, [upstream_edit.path.clone(), upstream_edit.consumer.clone()]);
    let before = Usage::of(pid);
    let consumer = consumer_latencies(&mut client, &upstream_edit, &open, upstream_edits);
    let used = Usage::of(pid).since(&before);
    if let Some(consumer) = &consumer {
        let label = format!(
            "didChange of {} ({} downstream) → publishDiagnostics of the open consumer",
            upstream_edit.model, upstream_edit.downstream
        );
        report(&label, consumer, &used, "edit");
    }

    // 6. Peak memory, then a clean shutdown (fails on any message left unaccounted for).
    let (hwm_mb, rss_mb) = memory_mb(pid);
    println!(
        "server memory before shutdown: peak (VmHWM) {hwm_mb:.1} MB, resident (VmRSS) {rss_mb:.1} MB; \
         peak after start-up {startup_hwm_mb:.1} MB"
    );
    client.shutdown();

    // 7. A model of many columns, in a project of its own: one edit → its publish.
    let columns = if bench { WIDE_COLUMNS } else { 2_000 };
    let (wide, used) = wide_edit_latencies(columns, if bench { 10 } else { 4 });
    report(&format!("didChange of a model of {columns} columns → its publishDiagnostics"), &wide, &used, "edit");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average after the run: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));

    if bench && models == 10_000 {
        let checks = [
            ("initialize → first publishDiagnostics <= 1.5 s", startup.publishes[0].0 <= BUDGET.first_diagnostics),
            ("initialize → first right publishDiagnostics <= 1.5 s", startup.right <= BUDGET.first_diagnostics),
            ("didChange → publishDiagnostics p99 <= 20 ms", pct(&change, 99) <= BUDGET.change_p99),
            ("hover on a FROM reference (the hub) p99 <= 5 ms", pct(&hover_hub, 99) <= BUDGET.hover_p99),
            ("hover on a FROM reference (primary upstream) p99 <= 5 ms", pct(&hover_up, 99) <= BUDGET.hover_p99),
            ("hover on a column reference (lineage) p99 <= 10 ms", pct(&lineage, 99) <= BUDGET.lineage_hover_p99),
            (
                "hover while a workspace-wide references runs p99 <= 10 ms",
                pct(&beside, 99) <= BUDGET.hover_beside_references_p99,
            ),
            ("$/cancelRequest → response p99 <= 20 ms", pct(&cancel, 99) <= BUDGET.cancel_p99),
            ("server peak memory <= 250 MB", hwm_mb <= BUDGET.peak_mb),
            ("last of 50 keystrokes 30 ms apart → its publish <= 30 ms", burst <= BUDGET.burst_last),
            (
                "didChange of a 100,000-column model → its publish (median) <= 500 ms",
                pct(&wide, 50) <= BUDGET.wide_edit,
            ),
        ];
        for (name, ok) in checks {
            println!("{} {name}", if ok { "PASS" } else { "FAIL" });
        }
        let name = "didChange of a model with ~500 downstream → consumer's publishDiagnostics p99 <= 50 ms";
        match &consumer {
            Some(consumer) => {
                println!("{} {name}", if pct(consumer, 99) <= BUDGET.consumer_p99 { "PASS" } else { "FAIL" })
            }
            None => println!("NOT MEASURED {name}: the consumer's diagnostics do not change"),
        }
    }
}

/// The files the benchmark opens and the positions it hovers.
struct Setup {
    root: PathBuf,
    hub: PathBuf,
    /// The hub's text with [`PROBE`] inserted: what it is opened with.
    hub_probed: String,
    /// Where [`PROBE`] goes: right after `WITH ` (line, UTF-16 column; the files are ASCII).
    probe_at: (u32, u32),
    /// Models that read the hub directly, in a `FROM` or `JOIN`.
    consumers: Vec<PathBuf>,
    /// Inside `customers.int_customer_profiles` of the first consumer's `FROM <hub>`.
    hover_hub: (u32, u32),
    /// The first consumer's first `FROM` reference to another model (its primary upstream).
    hover_upstream: (String, (u32, u32)),
}

impl Setup {
    fn new(generated: &project_gen::GeneratedProject) -> Setup {
        let sql: Vec<(&PathBuf, String)> = generated
            .files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "sql") && p.starts_with(generated.root.join("models")))
            .map(|p| (p, std::fs::read_to_string(p).expect("read a generated model")))
            .collect();
        let hub = &generated.hub;
        let (hub_path, hub_text) =
            sql.iter().find(|(_, text)| text.contains(&format!("\n  name {hub},\n"))).expect("the hub's file");
        let with = line_col(hub_text, "\nWITH ").expect("the hub's query starts with WITH");
        let probe_at = (with.0 + 1, 5);
        let offset = hub_text.find("\nWITH ").unwrap() + "\nWITH ".len();
        let hub_probed = format!("{}{PROBE}{}", &hub_text[..offset], &hub_text[offset..]);

        let reads_hub = |text: &str| text.contains(&format!("FROM {hub} ")) || text.contains(&format!("JOIN {hub} "));
        let consumers: Vec<&(&PathBuf, String)> =
            sql.iter().filter(|(p, text)| *p != *hub_path && reads_hub(text)).take(CONSUMERS).collect();
        let first = consumers
            .iter()
            .find(|(_, text)| text.contains(&format!("FROM {hub} ")))
            .expect("a consumer with `FROM <hub>`");
        let (line, col) = line_col(&first.1, &format!("FROM {hub} ")).unwrap();
        let hover_hub = (line, col + "FROM ".len() as u32 + 3);
        // The first FROM of the query (after the MODEL block) that names another model.
        let query_start = first.1.find(");\n").expect("end of the MODEL block");
        let upstream = first.1[query_start..]
            .match_indices("FROM ")
            .map(|(i, _)| {
                let name: String =
                    first.1[query_start + i + 5..].chars().take_while(|c| !c.is_whitespace() && *c != ')').collect();
                (query_start + i, name)
            })
            .find(|(_, name)| name.contains('.') && name != hub)
            .expect("a FROM reference to another model");
        let before = &first.1[..upstream.0];
        let (line, col) =
            (before.matches('\n').count() as u32, (upstream.0 - before.rfind('\n').map_or(0, |i| i + 1)) as u32);
        let hover_upstream = (upstream.1, (line, col + "FROM ".len() as u32 + 3));
        // The first consumer goes first: it is the one hovered.
        let mut ordered: Vec<PathBuf> = vec![first.0.clone()];
        ordered.extend(consumers.iter().map(|(p, _)| (*p).clone()).filter(|p| p != first.0));
        Setup {
            root: generated.root.clone(),
            hub: hub_path.to_path_buf(),
            hub_probed,
            probe_at,
            consumers: ordered,
            hover_hub,
            hover_upstream,
        }
    }
}

struct StartUp {
    /// Every publish for the hub up to the first right one: time since `initialize` was sent,
    /// number of diagnostics, whether it is the right answer.
    publishes: Vec<(Duration, usize, bool)>,
    right: Duration,
    progress_end: Duration,
    server_index_log: Option<String>,
}

/// Whether the hub's diagnostics are right with the probe in: the probe's missing table is
/// flagged and no other table is (a graph read only in part would flag the models not read yet).
/// Other rules' diagnostics may come and go with the project's rules; the edits check they stay put.
fn probe_right(diagnostics: &[Value]) -> bool {
    let unregistered: Vec<&Value> = diagnostics.iter().filter(|d| d["code"] == "unregistered-table").collect();
    unregistered.len() == 1 && unregistered[0]["message"].as_str().is_some_and(|m| m.contains(MISSING))
}

fn diagnostics_of(params: &Value) -> Vec<Value> {
    params["diagnostics"].as_array().cloned().expect("publishDiagnostics with a diagnostics array")
}

/// `initialize`, `initialized`, then at once `didOpen` of the hub (with the probe) and its
/// consumers; waits for the hub's diagnostics to be right and accounts for the start-up messages.
fn start_up(client: &mut LspClient, setup: &Setup) -> StartUp {
    let hub_uri = file_uri(&setup.hub);
    let started = Instant::now();
    client.initialize(&[setup.root.as_path()]);
    client.open(&hub_uri, "sql", &setup.hub_probed);
    for consumer in &setup.consumers {
        client.open(&file_uri(consumer), "sql", &std::fs::read_to_string(consumer).expect("read a consumer"));
    }
    let mut publishes = Vec::new();
    let right = loop {
        let params = client.expect_notification(PUBLISH, WAIT, |p| p["uri"] == hub_uri.as_str());
        let at = started.elapsed();
        let diagnostics = diagnostics_of(&params);
        let right = probe_right(&diagnostics);
        publishes.push((at, diagnostics.len(), right));
        if right {
            break at;
        }
    };
    client.expect_notification("$/progress", WAIT, |p| p["value"]["kind"] == "end");
    let progress_end = started.elapsed();
    let progress = client.take_notifications("$/progress");
    assert!(progress.iter().all(|p| p["value"]["kind"] != "end"), "one progress end only");
    assert_eq!(client.server_requests("window/workDoneProgress/create").len(), 1);
    let registrations = client.server_requests("client/registerCapability");
    assert_eq!(registrations.len(), 1, "one registration (file watchers)");
    // Whatever else was published at start-up: the consumers' (at didOpen and, if changed, after
    // indexing) and possibly the hub's again after indexing (then unchanged, so right).
    for params in client.take_notifications(PUBLISH) {
        let uri = params["uri"].as_str().unwrap_or_default();
        if uri == hub_uri {
            assert!(probe_right(&diagnostics_of(&params)), "a later start-up publish of the hub is right too");
        } else {
            assert!(setup.consumers.iter().any(|c| file_uri(c) == uri), "a publish for a file not open: {uri}");
        }
    }
    for method in ["window/logMessage", "window/showMessage"] {
        let messages = client.take_notifications(method);
        if !messages.is_empty() {
            println!("{} {method} at start-up: {:?}", messages.len(), messages);
        }
    }
    let server_index_log = client.stderr().lines().find(|l| l.contains("indexed ")).map(str::to_string);
    StartUp { publishes, right, progress_end, server_index_log }
}

/// Removes (`probed`) or re-inserts the probe CTE of the open hub and waits for the hub's
/// publish of that version; the time from the change to the publish, and its diagnostics.
fn toggle_probe(client: &mut LspClient, setup: &Setup, probed: bool) -> (Duration, Vec<Value>) {
    let hub_uri = file_uri(&setup.hub);
    let (line, col) = setup.probe_at;
    let change = if probed {
        json!([{ "range": range(line, col, line + 3, 0), "text": "" }])
    } else {
        json!([{ "range": range(line, col, line, col), "text": PROBE }])
    };
    let version = client.version(&hub_uri).expect("the hub is open") + 1;
    let started = Instant::now();
    client.change(&hub_uri, change);
    let params = client.expect_notification(PUBLISH, WAIT, |p| p["uri"] == hub_uri.as_str() && p["version"] == version);
    (started.elapsed(), diagnostics_of(&params))
}

/// Alternately removes and re-inserts the probe CTE of the open hub, `edits` times; after each
/// edit waits for the hub's publish of that version. Sorted latencies.
fn change_latencies(client: &mut LspClient, setup: &Setup, edits: usize) -> Vec<Duration> {
    let mut probed = true;
    let (mut with, mut without): (Option<Vec<Value>>, Option<Vec<Value>>) = (None, None);
    let mut latencies = Vec::with_capacity(edits);
    for _ in 0..edits {
        let (latency, diagnostics) = toggle_probe(client, setup, probed);
        probed = !probed;
        latencies.push(latency);
        if probed {
            assert!(probe_right(&diagnostics), "with the probe: its warning, got {diagnostics:?}");
            assert_eq!(with.get_or_insert_with(|| diagnostics.clone()), &diagnostics, "same diagnostics each time");
        } else {
            assert!(!diagnostics.iter().any(|d| d["message"].as_str().is_some_and(|m| m.contains(MISSING))));
            assert_eq!(without.get_or_insert_with(|| diagnostics.clone()), &diagnostics, "same diagnostics each time");
        }
    }
    // The consumers' diagnostics do not change with these edits: nothing else may be published.
    let extra = client.take_notifications(PUBLISH);
    assert!(extra.is_empty(), "unexpected publishes during the edits: {extra:?}");
    latencies.sort();
    latencies
}

/// Types [`KEYSTROKES`] characters into a comment on a new first line of the hub, one every
/// [`KEYSTROKE_GAP`], without waiting for publishes; then waits for the publish of the last
/// version and checks that the hub's publishes came in version order, and removes the comment.
/// Returns the time from the last keystroke to its publish, and how many versions were published.
fn keystroke_burst(client: &mut LspClient, setup: &Setup) -> (Duration, usize) {
    let hub_uri = file_uri(&setup.hub);
    let mut last_sent = Instant::now();
    for i in 0..KEYSTROKES {
        let (at, text) = if i == 0 { (0, "--\n") } else { (i as u32 + 1, "x") };
        std::thread::sleep(KEYSTROKE_GAP.saturating_sub(last_sent.elapsed()));
        last_sent = Instant::now();
        client.change(&hub_uri, json!([{ "range": range(0, at, 0, at), "text": text }]));
    }
    let last = client.version(&hub_uri).expect("the hub is open");
    client.expect_notification(PUBLISH, WAIT, |p| p["uri"] == hub_uri.as_str() && p["version"] == last);
    let latency = last_sent.elapsed();
    let mut versions: Vec<i64> = client
        .take_notifications(PUBLISH)
        .iter()
        .filter(|p| p["uri"] == hub_uri.as_str())
        .filter_map(|p| p["version"].as_i64())
        .collect();
    versions.push(last as i64);
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "the hub's publishes go back in version: {versions:?}");
    // Back to the text before the burst (the next phases read its positions).
    client.change(&hub_uri, json!([{ "range": range(0, 0, 1, 0), "text": "" }]));
    let version = client.version(&hub_uri).expect("the hub is open");
    client.expect_notification(PUBLISH, WAIT, |p| p["uri"] == hub_uri.as_str() && p["version"] == version);
    (latency, versions.len())
}

/// A project of three models, one of them `SELECT x + 0 AS c0, x + 1 AS c1, ...` with `columns`
/// columns; the server opens it, then each of `edits` edits renames `c1` to `c0` (a name used
/// twice: an `ambiguous-projection` warning) or back, and waits for the publish of that version.
/// Sorted latencies from each change to its publish.
fn wide_edit_latencies(columns: usize, edits: usize) -> (Vec<Duration>, Usage) {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("lsp-wide-{columns}"));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("models")).expect("create the wide project");
    let write = |path: &str, text: &str| std::fs::write(root.join(path), text).expect("write the wide project");
    write(
        "config.yaml",
        "gateways:\n  local:\n    connection:\n      type: duckdb\nmodel_defaults:\n  dialect: duckdb\n",
    );
    write("models/base.sql", "MODEL (name wide.base, kind FULL);\n\nSELECT 1 AS x\n");
    write(
        "models/reader.sql",
        &format!("MODEL (name wide.reader, kind FULL);\n\nSELECT c0, c{} FROM wide.wide\n", columns - 1),
    );
    let items: Vec<String> = (0..columns).map(|i| format!("  x + {i} AS c{i}")).collect();
    let text = format!("MODEL (name wide.wide, kind FULL);\n\nSELECT\n{}\nFROM wide.base\n", items.join(",\n"));
    write("models/wide.sql", &text);
    let path = root.join("models/wide.sql");
    let uri = file_uri(&path);
    let options = ClientOptions { request_timeout: WAIT, ..ClientOptions::default() };
    let mut client = LspClient::start(Path::new(env!("CARGO_BIN_EXE_meshls")), &["serve"], options);
    client.initialize(&[root.as_path()]);
    client.open(&uri, "sql", &text);
    client.expect_notification(PUBLISH, WAIT, |p| p["uri"] == uri.as_str());
    let before = Usage::of(client.pid());
    // `  x + 1 AS c1` is line 4; its name starts at column 11.
    let mut latencies = Vec::new();
    for i in 0..edits {
        let (name, twice) = if i % 2 == 0 { ("c0", true) } else { ("c1", false) };
        let version = client.version(&uri).expect("open") + 1;
        let started = Instant::now();
        client.change(&uri, json!([{ "range": range(4, 11, 4, 13), "text": name }]));
        let params = client.expect_notification(PUBLISH, WAIT, |p| p["uri"] == uri.as_str() && p["version"] == version);
        latencies.push(started.elapsed());
        let named_twice = diagnostics_of(&params).iter().any(|d| d["code"] == "ambiguous-projection");
        assert_eq!(named_twice, twice, "edit {i}: `c0` named twice or not, got {params}");
    }
    let used = Usage::of(client.pid()).since(&before);
    client.ignore(PUBLISH);
    client.ignore("$/progress");
    client.shutdown();
    latencies.sort();
    (latencies, used)
}

/// `requests` hovers at `at` in `uri`, one after another; each must show `name`'s card. Sorted.
fn hover_latencies(client: &mut LspClient, uri: &str, at: (u32, u32), name: &str, requests: usize) -> Vec<Duration> {
    let params = json!({ "textDocument": { "uri": uri }, "position": position(at.0, at.1) });
    let mut latencies = Vec::with_capacity(requests);
    for i in 0..requests {
        let started = Instant::now();
        let result = client.request("textDocument/hover", params.clone()).expect("hover succeeds");
        latencies.push(started.elapsed());
        if i == 0 {
            let markdown = result["contents"]["value"].as_str().unwrap_or_default();
            assert!(markdown.contains(&format!("`{name}`")), "hover on {name} shows its card, got {result}");
        }
    }
    latencies.sort();
    latencies
}

/// `rounds` times: `references` of the model at `at` (every model downstream reads it), then
/// a hover there timed while it runs; then `references` again, cancelled at once, timed from
/// the cancel to its response (cancelled, or answered if it was done first). Returns both
/// latencies sorted, and how many locations `references` found.
fn beside_references(
    client: &mut LspClient,
    uri: &str,
    at: (u32, u32),
    name: &str,
    rounds: usize,
) -> (Vec<Duration>, Vec<Duration>, usize) {
    let params = json!({ "textDocument": { "uri": uri }, "position": position(at.0, at.1) });
    let references = json!({
        "textDocument": { "uri": uri }, "position": position(at.0, at.1), "context": {"includeDeclaration": true}
    });
    let (mut beside, mut cancel, mut locations) = (Vec::new(), Vec::new(), 0);
    for _ in 0..rounds {
        let id = client.send_request("textDocument/references", references.clone());
        let started = Instant::now();
        let hover = client.request("textDocument/hover", params.clone()).expect("hover succeeds");
        beside.push(started.elapsed());
        let markdown = hover["contents"]["value"].as_str().unwrap_or_default();
        assert!(markdown.contains(&format!("`{name}`")), "hover on {name} shows its card, got {hover}");
        let found = client.response(id, "textDocument/references", WAIT).expect("references succeeds");
        locations = found.as_array().map_or(0, Vec::len);
        let id = client.send_request("textDocument/references", references.clone());
        let started = Instant::now();
        client.notify("$/cancelRequest", json!({ "id": id }));
        match client.response(id, "textDocument/references", WAIT) {
            Ok(_) => {}
            Err(error) => assert_eq!(error["code"], -32800, "cancelled, got {error}"),
        }
        cancel.push(started.elapsed());
    }
    beside.sort();
    cancel.sort();
    (beside, cancel, locations)
}

/// Prints what [`lineage_targets::pick`] chose.
fn describe_picks(root: &Path, hovers: &[lineage_targets::ColumnHover], edit: &lineage_targets::UpstreamEdit) {
    for h in hovers {
        println!(
            "  hover `{}.{}` in {} ({}) at {}:{}: upstream {} columns of {} models (a chain of {}), \
             downstream {} columns of {} models",
            h.column.0,
            h.column.1,
            h.model,
            rel(root, &h.path),
            h.at.0 + 1,
            h.at.1 + 1,
            h.upstream.0,
            h.upstream.1,
            h.chain,
            h.downstream.0,
            h.downstream.1
        );
    }
    println!(
        "  edit {} ({} downstream models): rename `{}` on line {}; open consumer {} (in-process it then gets \
         {} unknown-column diagnostics)",
        edit.model,
        edit.downstream,
        edit.column,
        edit.line + 1,
        edit.consumer_model,
        edit.unknown_in_process
    );
}

/// Opens those of `paths` not open yet (as an editor would before hovering or editing them) and
/// accounts for the publishes that follow: each must be for an open file.
fn open_more(client: &mut LspClient, open: &mut Vec<PathBuf>, paths: impl IntoIterator<Item = PathBuf>) {
    for path in paths {
        if !open.contains(&path) {
            client.open(&file_uri(&path), "sql", &std::fs::read_to_string(&path).expect("read a model"));
            open.push(path);
        }
    }
    for params in client.take_notifications(PUBLISH) {
        let uri = params["uri"].as_str().unwrap_or_default();
        assert!(open.iter().any(|p| file_uri(p) == uri), "a publish for a file not open: {uri}");
    }
}

/// One hover on a column reference, which must show the column's lineage card with both trees;
/// the latency and the card.
fn column_hover(client: &mut LspClient, h: &lineage_targets::ColumnHover) -> (Duration, String) {
    let params = json!({ "textDocument": { "uri": file_uri(&h.path) }, "position": position(h.at.0, h.at.1) });
    let started = Instant::now();
    let result = client.request("textDocument/hover", params).expect("hover succeeds");
    let latency = started.elapsed();
    let markdown = result["contents"]["value"].as_str().unwrap_or_default();
    let title = format!("### `{}`.`{}`", h.column.0, h.column.1);
    let card =
        markdown.starts_with(&title) && markdown.contains("**Upstream** (") && markdown.contains("**Downstream** (");
    assert!(card, "hover on `{}.{}` shows its lineage card, got {result}", h.column.0, h.column.1);
    (latency, markdown.to_string())
}

/// `requests` hovers on the column references, cycling through them, one after another. Sorted
/// latencies: of all, of the first of each position (cold, after the edits of the hub), and of
/// the others (warm).
fn lineage_hover_latencies(
    client: &mut LspClient,
    hovers: &[lineage_targets::ColumnHover],
    requests: usize,
) -> (Vec<Duration>, Vec<Duration>, Vec<Duration>) {
    let mut latencies = Vec::with_capacity(requests);
    let mut firsts = Vec::new();
    let mut warm = Vec::new();
    for i in 0..requests {
        let h = &hovers[i % hovers.len()];
        let (latency, markdown) = column_hover(client, h);
        latencies.push(latency);
        if i < hovers.len() {
            firsts.push(latency);
            let count = |section: &str| {
                let at = markdown.find(&format!("**{section}** ("))? + section.len() + 6;
                markdown[at..].split(' ').next()?.parse::<usize>().ok()
            };
            let (up, down) = (count("Upstream"), count("Downstream"));
            assert_eq!((up, down), (Some(h.upstream.0), Some(h.downstream.0)), "the card counts the lineage");
        } else {
            warm.push(latency);
        }
    }
    latencies.sort();
    warm.sort();
    (latencies, firsts, warm)
}

/// `rounds` times: an edit of the open hub (the probe CTE out, or back in), which drops the
/// cached schemas of the hub and of all its downstream models, then, once the hub's diagnostics
/// are published, one hover on `h`. Sorted hover latencies.
fn hover_after_edit_latencies(
    client: &mut LspClient,
    setup: &Setup,
    h: &lineage_targets::ColumnHover,
    rounds: usize,
) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(rounds);
    for i in 0..rounds {
        toggle_probe(client, setup, i % 2 == 0);
        latencies.push(column_hover(client, h).0);
    }
    if rounds % 2 == 1 {
        toggle_probe(client, setup, false);
    }
    latencies.sort();
    latencies
}

/// Renames a column of the open upstream model and back, `edits` times, one at a time; after
/// each edit waits for the open consumer's publish, whose diagnostics must have changed
/// (`unknown-column` after the rename, as before it after the revert). Sorted latencies, or
/// None when the first rename brings no publish of the consumer (its diagnostics did not
/// change: the server has no `unknown-column` rule).
fn consumer_latencies(
    client: &mut LspClient,
    edit: &lineage_targets::UpstreamEdit,
    open: &[PathBuf],
    edits: usize,
) -> Option<Vec<Duration>> {
    let uri = file_uri(&edit.path);
    let consumer = file_uri(&edit.consumer);
    let line = edit.line;
    let replace = |text: &str, old: &str| json!([{ "range": range(line, 0, line, old.len() as u32), "text": text }]);
    let unknown = |diagnostics: &[Value]| diagnostics.iter().filter(|d| d["code"] == "unknown-column").count();
    let account = |client: &mut LspClient| {
        let mut consumer_publishes = Vec::new();
        for params in client.take_notifications(PUBLISH) {
            let published = params["uri"].as_str().unwrap_or_default();
            assert!(open.iter().any(|p| file_uri(p) == published), "a publish for a file not open: {published}");
            if published == consumer {
                consumer_publishes.push(diagnostics_of(&params));
            }
        }
        consumer_publishes
    };
    // The first rename, untimed: does the consumer's publish come at all?
    client.change(&uri, replace(&edit.renamed, &edit.original));
    let probe = account(client);
    let Some(renamed) = probe.last() else {
        println!(
            "didChange of {} → no publishDiagnostics of the open consumer {}: its diagnostics did not change \
             (no `unknown-column` rule in the server?); not measured",
            edit.model, edit.consumer_model
        );
        client.change(&uri, replace(&edit.original, &edit.renamed));
        account(client);
        return None;
    };
    let flagged = unknown(renamed);
    assert!(flagged > 0, "the renamed column is flagged in the consumer, got {renamed:?}");
    let mut latencies = Vec::with_capacity(edits);
    let mut was: Option<Vec<Value>> = None;
    for i in 0..edits {
        let reverting = i % 2 == 0;
        let change =
            if reverting { replace(&edit.original, &edit.renamed) } else { replace(&edit.renamed, &edit.original) };
        let started = Instant::now();
        client.change(&uri, change);
        let params = client.expect_notification(PUBLISH, WAIT, |p| p["uri"] == consumer.as_str());
        latencies.push(started.elapsed());
        let diagnostics = diagnostics_of(&params);
        if reverting {
            assert_eq!(unknown(&diagnostics), 0, "after the revert the consumer reads no unknown column");
            assert_eq!(was.get_or_insert_with(|| diagnostics.clone()), &diagnostics, "same diagnostics each time");
        } else {
            assert_eq!(&diagnostics, renamed, "same diagnostics after each rename");
        }
    }
    if edits % 2 == 0 {
        // Back to the file as on disk.
        client.change(&uri, replace(&edit.original, &edit.renamed));
        client.expect_notification(PUBLISH, WAIT, |p| p["uri"] == consumer.as_str());
    }
    let others = account(client);
    assert!(others.is_empty(), "one publish of the consumer per edit, got more: {others:?}");
    latencies.sort();
    Some(latencies)
}

/// `VmHWM` and `VmRSS` of a process, in MB.
fn memory_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// What the server process has used so far: CPU time (user + system, all its threads, exited
/// ones included; 1/CLK_TCK resolution) and the time its live threads spent runnable, waiting
/// for a CPU (scheduler statistics): the share of a latency that other load on the machine adds.
#[derive(Default)]
struct Usage {
    cpu: Duration,
    wait: Duration,
}

impl Usage {
    fn of(pid: u32) -> Usage {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // The fields after the command name (which may hold spaces): state first, utime 12th.
        let fields: Vec<&str> = stat.rsplit_once(')').map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
        let ticks: u64 = fields.get(11..13).map_or(0, |f| f.iter().filter_map(|t| t.parse::<u64>().ok()).sum());
        // SAFETY: sysconf only reads a configuration value.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        let wait_ns: u64 = std::fs::read_dir(format!("/proc/{pid}/task"))
            .into_iter()
            .flatten()
            .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok())
            .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum();
        Usage { cpu: Duration::from_secs_f64(ticks as f64 / per_second), wait: Duration::from_nanos(wait_ns) }
    }

    fn since(&self, before: &Usage) -> Usage {
        Usage { cpu: self.cpu.saturating_sub(before.cpu), wait: self.wait.saturating_sub(before.wait) }
    }
}

/// The zero-based line and column of the first `needle` in ASCII `text`.
fn line_col(text: &str, needle: &str) -> Option<(u32, u32)> {
    let at = text.find(needle)?;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    Some((text[..at].matches('\n').count() as u32, (at - line_start) as u32))
}

/// One line: the latency percentiles of a phase and the server's CPU and CPU wait per operation.
fn report(label: &str, sorted: &[Duration], used: &Usage, operation: &str) {
    let n = sorted.len();
    println!(
        "{label}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {n} {operation}s \
         (per {operation}: server CPU {:.2} ms, waiting for a CPU {:.2} ms)",
        ms(pct(sorted, 50)),
        ms(pct(sorted, 99)),
        ms(sorted[n - 1]),
        ms(used.cpu) / n as f64,
        ms(used.wait) / n as f64
    );
}

fn pct(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}
