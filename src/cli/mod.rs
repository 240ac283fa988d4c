//! The command line: `meshls check | index | lineage | generate`, sharing the project model with the server.

mod check;
mod generate;
mod index;
mod lineage;
mod located;

use crate::analysis::lineage::Direction;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "meshls", version, about = "A static, incremental language server for SQLMesh projects")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Log level for stderr (error, warn, info, debug, trace); `MESHLS_LOG` overrides it and
    /// accepts tracing's filter syntax.
    #[arg(long, global = true, default_value = "info")]
    log_level: String,
}

#[derive(Subcommand)]
enum Command {
    /// Speak the Language Server Protocol over stdio (the default with no command).
    Serve,
    /// Report every diagnostic of the projects under PATH; exit 1 when any is an error.
    Check {
        /// Folders to search for SQLMesh projects.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = check::CheckFormat::Human)]
        format: check::CheckFormat,
        /// Apply the safe fixes, then report what remains. All of them or none: when the fixed
        /// project would have an error it did not have, nothing is written. Files are replaced
        /// atomically.
        #[arg(long)]
        fix: bool,
        /// With `--fix` or `--diff`, also the unsafe fixes: those that may change what a model
        /// computes, guess what was meant, or edit another file (`external_models.yaml`).
        #[arg(long)]
        unsafe_fixes: bool,
        /// Print the changes `--fix` would make as a unified diff, without writing; exit 1 when
        /// there are any.
        #[arg(long)]
        diff: bool,
    },
    /// Print every project, model and dependency found under PATH.
    Index {
        /// Folders to search for SQLMesh projects.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Print the column lineage of MODEL[.COLUMN]: the columns it is computed from and the
    /// columns computed from it (every column of MODEL when no column is given).
    Lineage {
        /// A model or a model's column, e.g. `mart.top_tracks` or `mart.top_tracks.listeners`.
        #[arg(value_name = "MODEL[.COLUMN]")]
        target: String,
        /// The folder to search for SQLMesh projects.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Only the columns it is computed from.
        #[arg(long, conflicts_with = "downstream")]
        upstream: bool,
        /// Only the columns computed from it.
        #[arg(long)]
        downstream: bool,
        /// At most N steps each way (no limit by default).
        #[arg(long, value_name = "N")]
        depth: Option<usize>,
        #[arg(long, value_enum, default_value_t = lineage::LineageFormat::Human)]
        format: lineage::LineageFormat,
    },
    /// Write orchestrator definitions generated from the project (see docs/dagster.md).
    #[command(subcommand)]
    Generate(Generate),
}

#[derive(Subcommand)]
enum Generate {
    /// A Dagster module: one asset per model, a check per audit, schedules from the crons.
    /// Options come from `[codegen.dagster]` of the project's meshls.toml, these flags over them.
    Dagster {
        /// The SQLMesh project's folder.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Write the module here (default: `output` of [codegen.dagster], else stdout).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Write nothing; exit 1 with a diff when the file is not what would be written.
        #[arg(long)]
        check: bool,
        /// Only these models: `schema.model`, a glob (`mart.*`), `tag:NAME`, `+model`
        /// (with its upstream), `model+` (with its downstream). Repeatable.
        #[arg(long, value_name = "EXPR")]
        select: Vec<String>,
        /// Leave these models out (same expressions). Repeatable.
        #[arg(long, value_name = "EXPR")]
        exclude: Vec<String>,
        /// The SQLMesh gateway the run uses by default.
        #[arg(long)]
        gateway: Option<String>,
        /// The SQLMesh environment the run uses by default (`prod`).
        #[arg(long)]
        environment: Option<String>,
        /// Segments before every asset key (`warehouse` or `a/b`).
        #[arg(long, value_name = "PREFIX")]
        key_prefix: Option<String>,
        /// The group of models without a `dagster:group_name:` tag (default: their schema).
        #[arg(long, value_name = "GROUP")]
        default_group: Option<String>,
    },
}

/// How results are printed.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match cli.command {
        None | Some(Command::Serve) => cli.log_level.as_str(),
        // Commands print results; only warnings and errors go to stderr by default.
        _ if cli.log_level == "info" => "warn",
        _ => cli.log_level.as_str(),
    };
    init_logging(level);
    match cli.command {
        None | Some(Command::Serve) => crate::server::run(),
        Some(Command::Index { paths, format }) => index::run(&paths, format),
        Some(Command::Check { paths, format, fix, unsafe_fixes, diff }) => {
            check::run(&paths, format, check::Fixing { fix, unsafe_fixes, diff })
        }
        Some(Command::Lineage { target, path, upstream, downstream, depth, format }) => {
            let direction = match (upstream, downstream) {
                (true, _) => Direction::Upstream,
                (_, true) => Direction::Downstream,
                _ => Direction::Both,
            };
            lineage::run(&target, &path, direction, depth, format)
        }
        Some(Command::Generate(Generate::Dagster {
            path,
            output,
            check,
            select,
            exclude,
            gateway,
            environment,
            key_prefix,
            default_group,
        })) => {
            let flags = crate::codegen::Options {
                select,
                exclude,
                gateway,
                environment,
                key_prefix: key_prefix.into_iter().collect(),
                default_group,
                ..Default::default()
            };
            generate::run(crate::codegen::Backend::Dagster, generate::Request { path, output, check, flags })
        }
    }
}

/// Logs go to stderr (an LSP client's log), never stdout.
/// Writes `text` to stdout; a reader that stopped early (`| head`) is not an error. `what`
/// names the text in the error message.
fn print_text(text: &str, what: &str) -> ExitCode {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("meshls: cannot print the {what}: {error}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(level: &str) {
    let filter = std::env::var("MESHLS_LOG")
        .ok()
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .or_else(|| tracing_subscriber::EnvFilter::try_new(format!("meshls={level}")).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("meshls=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_filter_reloading();
    let handle = builder.reload_handle();
    if builder.try_init().is_ok() && std::env::var_os("MESHLS_LOG").is_none() {
        let reload = move |level: &str| {
            tracing_subscriber::EnvFilter::try_new(format!("meshls={level}")).is_ok_and(|f| handle.reload(f).is_ok())
        };
        let _ = LOG_LEVEL.set(Box::new(reload));
    }
}

/// Sets the log filter to `meshls={level}`, once logging is set up.
type SetLevel = Box<dyn Fn(&str) -> bool + Send + Sync>;
static LOG_LEVEL: std::sync::OnceLock<SetLevel> = std::sync::OnceLock::new();

/// Changes the log level (`error` … `trace`) of a running server; false when logging was not
/// set up here or `MESHLS_LOG` chose the filter (the environment wins: it is set to debug).
pub fn set_log_level(level: &str) -> bool {
    LOG_LEVEL.get().is_some_and(|set| set(level))
}
