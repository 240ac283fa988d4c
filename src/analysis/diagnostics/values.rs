//! Property values as a file writes them, for the rules that check values (`cron`, `start`,
//! `end`): in a MODEL block, an AUDIT block or a kind's parentheses, or as a Python model's
//! decorator argument.

use super::Context;
use crate::project::facts::Syntax;
use crate::syntax::block::{Property, ValueKind, Values};
use crate::syntax::model_file::read_kind;
use crate::syntax::python::PyValue;
use crate::syntax::{Span, Spanned};

/// One written value of a property.
pub enum Written {
    /// A value in a MODEL, AUDIT or kind block.
    Block(Values),
    /// A Python string or number literal (after following module constants).
    Python(Spanned<String>),
}

/// A property's value, with the property's name as SQLMesh spells it (`cron`, `start`,
/// `auto_restatement_cron`).
pub struct Setting {
    pub key: &'static str,
    pub value: Written,
}

impl Written {
    /// Where the value is written.
    pub fn span(&self) -> Span {
        match self {
            Written::Block(values) => values.span,
            Written::Python(literal) => literal.span,
        }
    }

    /// The value's text as SQLMesh reads it: a string's content, a number or a bare word as
    /// written. None for macros, calls and expressions.
    pub fn text(&self) -> Option<String> {
        match self {
            Written::Python(literal) => Some(literal.value.clone()),
            Written::Block(values) => match &values.single()?.kind {
                ValueKind::Str(s) | ValueKind::Number(s) => Some(s.clone()),
                ValueKind::Name(parts) if parts.len() == 1 => Some(parts[0].text.clone()),
                _ => None,
            },
        }
    }

    /// Whether the value is a number literal (in Python, a literal without quotes).
    pub fn is_number(&self, source: &str) -> bool {
        match self {
            Written::Block(values) => matches!(values.single().map(|v| &v.kind), Some(ValueKind::Number(_))),
            Written::Python(literal) => !literal.span.text(source).ends_with(['\'', '"']),
        }
    }

    /// A macro written alone (`@daily`), as written.
    pub fn macro_text(&self) -> Option<&str> {
        match self {
            Written::Block(values) => match &values.single()?.kind {
                ValueKind::Macro(text) => Some(text),
                _ => None,
            },
            Written::Python(_) => None,
        }
    }

    /// Several plain atoms in a row (`2024-01-01`, `0 6 * * *`, `1 week ago`): SQLMesh reads a
    /// property value as one term, so this fails to parse, and quoting the text is the fix.
    pub fn is_unquoted_run(&self) -> bool {
        let Written::Block(values) = self else { return false };
        values.atoms.len() > 1
            && values.atoms.iter().all(|a| {
                matches!(
                    a.kind,
                    ValueKind::Str(_)
                        | ValueKind::Number(_)
                        | ValueKind::Name(_)
                        | ValueKind::Op(_)
                        | ValueKind::Other(_)
                )
            })
    }

    /// `text` as a string literal in place of this value: SQL's `'...'`, or a Python string in
    /// the quote style of the literal it replaces.
    pub fn string_literal(&self, source: &str, text: &str) -> String {
        match self {
            Written::Block(_) => format!("'{}'", text.replace('\'', "''")),
            Written::Python(literal) => {
                let quote = if literal.span.text(source).ends_with('\'') { '\'' } else { '"' };
                let escaped = text.replace('\\', "\\\\").replace(quote, &format!("\\{quote}"));
                format!("{quote}{escaped}{quote}")
            }
        }
    }
}

/// The values this file writes for `keys` (SQLMesh's property names, lower case): top-level
/// MODEL and AUDIT properties, kind properties, Python decorator arguments and kind entries.
pub fn settings(cx: &Context, keys: &[&'static str]) -> Vec<Setting> {
    let key_of = |name: &str| keys.iter().copied().find(|k| name.eq_ignore_ascii_case(k));
    let mut out = Vec::new();
    let from_block = |properties: &[Property], out: &mut Vec<Setting>| {
        for property in properties {
            if let Some(key) = key_of(&property.key.value) {
                out.push(Setting { key, value: Written::Block(property.value.clone()) });
            }
        }
    };
    match &cx.file.syntax {
        Syntax::Sql(file) => {
            if let Some(block) = &file.block {
                from_block(&block.properties, &mut out);
            }
            if let Some(kind) = file.property("kind").and_then(|p| read_kind(&p.value)) {
                from_block(&kind.properties, &mut out);
            }
        }
        Syntax::Audit(audits) => {
            for audit in &audits.audits {
                from_block(&audit.block.properties, &mut out);
            }
        }
        Syntax::Python(Some(model)) => {
            for (name, literal) in [("cron", &model.cron), ("start", &model.start), ("end", &model.end)] {
                if let (Some(key), Some(literal)) = (key_of(name), literal) {
                    out.push(Setting { key, value: Written::Python(literal.clone()) });
                }
            }
            for (name, value) in model.kind.iter().flat_map(|k| &k.properties) {
                if let (Some(key), Some(literal)) = (key_of(&name.value), PyValue::as_spanned_str(value)) {
                    out.push(Setting { key, value: Written::Python(literal) });
                }
            }
        }
        _ => {}
    }
    out
}
