//! An output column of the query without a name (an expression that is not a plain column
//! and has no alias), or a name that two output columns share.
//!
//! **Why:** the model's columns are its query's output names. An unnamed expression is named
//! by whatever renders it: SQLMesh's optimizer calls it `_col_1`, the engine `sum(amount)`,
//! `f0_` or `?column?`, so the column's name depends on the engine and on whether SQLMesh
//! could optimize the query. Two columns of one name cannot both be in a table. SQLMesh's rule
//! for this is `noambiguousprojections`. As in SQLMesh, a cast of a column without an alias
//! (`CAST(ts AS DATE)`, `ts::DATE`) is named after the column it casts (`ts`): it is not
//! reported, except when that name is taken by another output column.
//!
//! **Example:** `SELECT customer_id, SUM(amount), a.id, b.id FROM ...`.
//!
//! **Fix:** give each expression an alias (`SUM(amount) AS revenue`); the editor's quick fix
//! inserts `AS name` with the name to fill.

use super::keys::normalize;
use super::{Context, Rule};
use crate::syntax::lexer::{Token, TokenKind, tokenize_significant};
use crate::syntax::model_file::lex_options;
use crate::syntax::sql::matching_paren;
use crate::syntax::{Applicability, Diagnostic, Edit, Fix, Related, Severity, Span, Spanned};

pub const RULE: Rule = Rule {
    code: "ambiguous-projection",
    summary: "an output column without a name, or a name used twice",
    default: Some(Severity::Warning),
    sqlmesh: Some("noambiguousprojections"),
    check,
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(query) = cx.sql().and_then(|f| f.query.as_ref()).filter(|q| q.parsed) else { return };
    let dialect = cx.model().and_then(|m| m.dialect.as_deref());
    // A macro (`@STAR(t)`, `@my_columns()`) renders to columns meshls cannot see.
    let projections: Vec<_> = query
        .projections
        .iter()
        .filter(|p| p.star.is_none() && !p.name.as_ref().is_some_and(|n| n.value.contains('@')))
        .collect();
    let named = |name: &Spanned<String>| {
        let quoted = name.span.text(cx.text).starts_with(['"', '`', '[']);
        normalize(cx, &name.value, quoted)
    };
    let mut seen: std::collections::HashMap<String, Span> = std::collections::HashMap::new();
    for projection in projections {
        // An unaliased cast of a column is named after the column, as sqlglot's `output_name`
        // (and so SQLMesh) names it: `CAST(o.ts AS DATE)` is `ts`.
        let text = projection.expr.text(cx.text);
        // When the parser's span of a cast holds only its column (it does after a trailing
        // comma), the cast type tells it is one.
        let cast = || {
            cast_column(text, dialect)
                .map(|c| Spanned::new(c.value, c.span.shift(projection.expr.start as usize)))
                .or_else(|| projection.cast.as_ref().and_then(|_| plain_column(projection.expr, text, dialect)))
        };
        let Some(name) = projection.name.clone().or_else(cast) else {
            out.push(unnamed(projection.expr));
            continue;
        };
        let key = named(&name);
        match seen.get(&key) {
            Some(first) => {
                let message = format!("output column `{key}` is named twice");
                let at = if projection.name.is_some() { name.span } else { projection.expr };
                let mut diagnostic = Diagnostic::warning(RULE.code, at, message);
                diagnostic.related.push(Related {
                    path: cx.file.facts.path.clone(),
                    span: *first,
                    message: format!("`{key}` first named here"),
                });
                out.push(diagnostic);
            }
            None => {
                seen.insert(key, name.span);
            }
        }
    }
}

/// The diagnostic of an unnamed output column, with a placeholder alias for the editor to fill.
fn unnamed(expr: Span) -> Diagnostic {
    let placeholder = Fix {
        title: "Add an alias".to_string(),
        edits: vec![Edit { path: None, span: Span::at(expr.end as usize), new_text: " AS ${1:name}".to_string() }],
        applicability: Applicability::DisplayOnly,
        snippet: true,
    };
    Diagnostic::warning(RULE.code, expr, "output column without a name; give it an alias").with_fix(placeholder)
}

/// The column a whole-expression cast casts, as written: `CAST(t.ts AS DATE)`,
/// `TRY_CAST(ts AS DATE)`, `t.ts::DATE` give `ts`.
fn cast_column(text: &str, dialect: Option<&str>) -> Option<Spanned<String>> {
    let tokens = tokenize_significant(text, lex_options(dialect));
    let word = |t: &Token, w: &str| t.is_word(text, w);
    let is_name = |t: &Token| matches!(t.kind, TokenKind::Ident | TokenKind::QuotedIdent);
    // The end of a dotted name starting at `at`.
    let name_end = |at: usize| {
        let mut i = at;
        while tokens.get(i).is_some_and(is_name) {
            if tokens.get(i + 1).is_some_and(|t| t.kind == TokenKind::Dot) {
                i += 2;
            } else {
                return Some(i);
            }
        }
        None
    };
    let last = match tokens.as_slice() {
        [first, open, ..]
            if ["cast", "try_cast", "safe_cast"].iter().any(|w| word(first, w)) && open.kind == TokenKind::LParen =>
        {
            let last = name_end(2)?;
            let closes = matching_paren(&tokens, 1) == Some(tokens.len() - 1);
            (tokens.get(last + 1).is_some_and(|t| word(t, "as")) && closes).then_some(last)?
        }
        _ => {
            let last = name_end(0)?;
            let cast = tokens.get(last + 1).is_some_and(|t| t.kind == TokenKind::Op && t.text(text) == "::");
            // Nothing but the type after `::` (`DECIMAL(10, 2)`, `TIMESTAMP WITH TIME ZONE`).
            let only_type = tokens[(last + 2).min(tokens.len())..].iter().all(|t| {
                matches!(
                    t.kind,
                    TokenKind::Ident
                        | TokenKind::Number
                        | TokenKind::LParen
                        | TokenKind::RParen
                        | TokenKind::Comma
                        | TokenKind::LBracket
                        | TokenKind::RBracket
                )
            });
            (cast && only_type && tokens.len() > last + 2).then_some(last)?
        }
    };
    let token = tokens[last];
    Some(Spanned::new(token.text(text).to_string(), token.span))
}

/// The last part of a plain, possibly dotted, column name spanning `expr` (`t.ts` gives `ts`).
fn plain_column(expr: Span, text: &str, dialect: Option<&str>) -> Option<Spanned<String>> {
    let tokens = tokenize_significant(text, lex_options(dialect));
    let names = tokens.iter().step_by(2).all(|t| matches!(t.kind, TokenKind::Ident | TokenKind::QuotedIdent));
    let dots = tokens.iter().skip(1).step_by(2).all(|t| t.kind == TokenKind::Dot);
    let last = tokens.last().filter(|_| names && dots && tokens.len() % 2 == 1)?;
    Some(Spanned::new(last.text(text).to_string(), last.span.shift(expr.start as usize)))
}

#[cfg(test)]
mod tests {
    use super::cast_column;

    #[test]
    fn the_column_a_cast_casts() {
        let name = |text: &str| cast_column(text, Some("duckdb")).map(|n| n.value);
        assert_eq!(name("CAST(t.ts AS DATE)").as_deref(), Some("ts"));
        assert_eq!(name("try_cast(\"Ts\" AS DATE)").as_deref(), Some("\"Ts\""));
        assert_eq!(name("t.amount::DECIMAL(10, 2)").as_deref(), Some("amount"));
        assert_eq!(name("ts::TIMESTAMP WITH TIME ZONE").as_deref(), Some("ts"));
        assert_eq!(name("CAST(a + b AS INT)"), None);
        assert_eq!(name("CAST(ts AS DATE) + 1"), None);
        assert_eq!(name("CAST(ts AS TEXT) || CAST(id AS TEXT)"), None);
        assert_eq!(name("ts::INT + 1"), None);
        assert_eq!(name("ts"), None);
        assert_eq!(name("f(ts)::INT"), None);
    }
}
