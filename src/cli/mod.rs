//! The command line: `meshls index`, sharing the project model with the server.

mod index;

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
    /// Print every project, model and dependency found under PATH.
    Index {
        /// Folders to search for SQLMesh projects.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
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
    init_logging(&cli.log_level);
    match cli.command {
        None | Some(Command::Serve) => crate::server::run(),
        Some(Command::Index { paths, format }) => index::run(&paths, format),
    }
}

/// Logs go to stderr (an LSP client's log), never stdout.
fn init_logging(level: &str) {
    let filter = std::env::var("MESHLS_LOG")
        .ok()
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .or_else(|| tracing_subscriber::EnvFilter::try_new(format!("meshls={level}")).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("meshls=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false).try_init();
}
