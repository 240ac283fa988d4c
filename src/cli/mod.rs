//! The command line: `meshls index`, sharing the project model with the server.

mod index;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "meshls", version, about = "A static, incremental language server for SQLMesh projects")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    match cli.command {
        Command::Index { paths, format } => index::run(&paths, format),
    }
}
