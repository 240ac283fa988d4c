//! Signature help.
//!
//! // Feature: Signature help
//! Inside the arguments of a macro call (`@EACH(`, `@safe_div(a, `, a project macro), shows
//! the macro's parameters with the one being typed highlighted, and its description or
//! docstring.

use crate::project::Project;
use crate::syntax::lexer::{Token, TokenKind, tokenize_significant};
use crate::syntax::model_file::lex_options;
use crate::syntax::sqlmesh::BUILTIN_MACROS;

/// A macro's signature with the active parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// `@EACH(*items, func)`.
    pub label: String,
    /// Each parameter as it appears in the label.
    pub parameters: Vec<String>,
    pub active: usize,
    pub documentation: Option<String>,
}

/// The signature of the macro call whose arguments hold `offset`; None elsewhere.
pub fn signature_help(project: &Project, text: &str, dialect: Option<&str>, offset: usize) -> Option<Signature> {
    let tokens = tokenize_significant(text, lex_options(dialect));
    let (name, active) = enclosing_macro_call(text, &tokens, offset)?;
    let (parameters, documentation) = macro_parameters(project, &name)?;
    let shown = if BUILTIN_MACROS.iter().any(|m| m.name.eq_ignore_ascii_case(&name)) {
        name.to_ascii_uppercase()
    } else {
        name.clone()
    };
    let label = format!("@{shown}({})", parameters.join(", "));
    // A variadic parameter takes every argument from its position on.
    let variadic = parameters.iter().position(|p| p.starts_with('*') && !p.starts_with("**"));
    let active = match variadic {
        Some(v) if active >= v => {
            let after = parameters.len() - v - 1;
            // The last arguments go to what follows the variadic one (`*items, func`): the
            // active one is variadic unless it can only be one of those.
            if after > 0 && active + after >= parameters.len() { active.min(parameters.len() - 1) } else { v }
        }
        _ => active.min(parameters.len().saturating_sub(1)),
    };
    Some(Signature { label, parameters, active, documentation })
}

/// The parameters and description of a built-in or project macro.
fn macro_parameters(project: &Project, name: &str) -> Option<(Vec<String>, Option<String>)> {
    if let Some(spec) = BUILTIN_MACROS.iter().find(|m| m.name.eq_ignore_ascii_case(name)) {
        return Some((spec.params.iter().map(|p| p.to_string()).collect(), Some(spec.doc.to_string())));
    }
    project.files().iter().flat_map(|f| f.macros.iter()).find(|m| m.name.value.eq_ignore_ascii_case(name)).map(|m| {
        let params = m
            .params
            .iter()
            .map(|p| match (&p.annotation, &p.default) {
                (_, Some(default)) => format!("{} := {default}", p.name),
                (Some(annotation), None) => format!("{}: {annotation}", p.name),
                (None, None) => p.name.clone(),
            })
            .collect();
        (params, m.doc.clone())
    })
}

/// The macro name (without `@`) of the innermost call whose parentheses hold `offset`, and
/// the index of the argument there (top-level commas before it).
fn enclosing_macro_call(text: &str, tokens: &[Token], offset: usize) -> Option<(String, usize)> {
    let before = tokens.partition_point(|t| (t.span.end as usize) <= offset);
    let mut depth = 0usize;
    let mut commas = 0usize;
    for i in (0..before).rev() {
        let token = tokens[i];
        match token.kind {
            TokenKind::RParen | TokenKind::RBracket => depth += 1,
            TokenKind::LParen | TokenKind::LBracket if depth > 0 => depth -= 1,
            TokenKind::LParen => {
                let callee = i.checked_sub(1).map(|c| tokens[c]);
                match callee {
                    Some(c) if c.kind == TokenKind::Macro && c.span.end == token.span.start => {
                        let name = c.text(text).trim_start_matches('@').to_string();
                        return Some((name, commas));
                    }
                    // An ordinary call or parenthesis: its commas are not ours.
                    _ => commas = 0,
                }
            }
            TokenKind::Comma if depth == 0 => commas += 1,
            TokenKind::Semicolon => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> (String, usize) {
        let offset = text.find("$0").unwrap();
        let text = text.replace("$0", "");
        let tokens = tokenize_significant(&text, lex_options(None));
        let (name, active) = enclosing_macro_call(&text, &tokens, offset).unwrap();
        (name, active)
    }

    #[test]
    fn finds_the_innermost_macro_call_and_argument() {
        assert_eq!(at("SELECT @IF(a > 1, $0"), ("IF".to_string(), 1));
        assert_eq!(at("SELECT @EACH([a, b], x -> COALESCE(x, $0"), ("EACH".to_string(), 1));
        assert_eq!(at("SELECT @safe_div(f(a, b), $0)"), ("safe_div".to_string(), 1));
        assert_eq!(at("SELECT @my_macro($0"), ("my_macro".to_string(), 0));
    }
}
