//! meshls: a static, incremental language server for SQLMesh projects.
//!
//! Data flows one way (see `docs/architecture.md`): [`syntax`] turns text into spanned
//! structures, [`project`] turns files into a concurrent model graph, [`analysis`] answers
//! editor questions as plain data, and [`cli`] (and later the server) present the answers.

pub mod analysis;
pub mod cli;
pub mod codegen;
pub mod project;
pub mod server;
pub mod syntax;
