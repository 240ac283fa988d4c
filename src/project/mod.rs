//! Files → a concurrent model graph. A workspace holds projects; each project keeps every
//! file's facts in a `DashMap` and the DAG in petgraph, and updates both one file at a time.

pub mod facts;
pub mod graph;
pub mod ignore;
pub mod lineage;
pub mod names;
pub mod render;
pub mod words;
pub mod workspace;

pub use facts::{Column, FileFacts, FileRole, Model, ParsedFile, Settings, Source};
pub use graph::{FileId, ModelGraph};
pub use lineage::{ColumnKey, ModelSchema, SchemaColumn};
pub use names::{ModelName, NameContext};
pub use workspace::{PathDiagnostic, Project, Workspace};
