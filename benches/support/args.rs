//! The command line shared by the benchmarks.

/// Whether `cargo bench` runs the benchmark (`--bench`; under `cargo test` it is a quick smoke
/// test), and the project size: `--models N`, else 10,000 for `cargo bench` and 300 for a smoke
/// test.
pub fn parse() -> (bool, usize) {
    let args: Vec<String> = std::env::args().collect();
    let bench = args.iter().any(|a| a == "--bench");
    let models = args
        .iter()
        .position(|a| a == "--models")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(if bench { 10_000 } else { 300 });
    (bench, models)
}
