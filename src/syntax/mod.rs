//! Text → spanned structures. Each parser reads one file's text, knows no other file, never
//! panics, and returns its structures together with diagnostics.

pub mod audit;
pub mod block;
pub mod config;
pub mod cron;
pub mod date;
pub mod external;
pub mod jinja;
pub mod lexer;
pub mod line_index;
pub mod model_file;
pub mod python;
pub mod seed;
pub mod span;
pub mod sql;
pub mod sqlmesh;
pub mod yaml;

pub use span::{Applicability, Diagnostic, Edit, Fix, Related, Severity, Span, Spanned};
// `select` lives beside the sqlparser pass that reads it; its old path stays for callers.
pub use sql::select;
