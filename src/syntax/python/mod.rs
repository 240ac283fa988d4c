//! Python files read as text: `@model` Python models, `@macro` project macros, and the
//! tokenizer and literal reader that `config.py` parsing shares. Nothing is ever executed.

mod decorators;
pub mod lexer;
pub mod literal;
mod macros;
mod model;
pub mod module;
pub mod strings;

pub use lexer::{Lexed, Token, TokenKind, tokenize};
pub use literal::{ExprReader, PyArg, PyValue, PyValueKind};
pub use macros::{MacroParam, PythonMacro, parse_macro_module};
pub use model::{PyKind, PythonModel, kind_for_class, parse_python_model};
pub use module::{PyClass, PyModule};

#[cfg(test)]
mod tests;
