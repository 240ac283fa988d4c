//! Facts from sqlparser's AST: the tables and CTEs a parsed statement names, assembled with
//! its projections and SELECTs into [`QueryFacts`].

use super::locate::Locator;
use super::projection::projections;
use super::select::selects;
use super::shape::shape;
use super::{QueryFacts, TableRef};
use crate::syntax::lexer::Token;
use crate::syntax::span::Spanned;
use sqlparser::ast::{ObjectName, Query, Spanned as _, Statement, TableFactor, Visit, Visitor};
use std::ops::ControlFlow;

pub(super) fn facts_from_ast(
    original: &str,
    statements: &[Statement],
    locate: &Locator,
    tokens: &[Token],
) -> QueryFacts {
    let mut collector =
        Collector { original, locate, ctes: Vec::new(), tables: Vec::new(), alias: None, function: None };
    for statement in statements {
        let _ = statement.visit(&mut collector);
    }
    let cte_names: Vec<String> = collector.ctes.iter().map(|c| c.value.to_ascii_lowercase()).collect();
    let tables = collector
        .tables
        .into_iter()
        .filter(|t| !(t.name.len() == 1 && cte_names.contains(&t.name[0].text.to_ascii_lowercase())))
        .collect();
    let (projections, selects, shape) = match statements.first() {
        Some(Statement::Query(query)) => (
            projections(original, query, locate, tokens),
            selects(original, query, locate, tokens),
            Some(std::sync::Arc::new(shape(original, query, locate, tokens))),
        ),
        _ => (Vec::new(), Vec::new(), None),
    };
    QueryFacts { tables, ctes: collector.ctes, projections, selects, parsed: true, shape }
}

struct Collector<'a> {
    original: &'a str,
    locate: &'a Locator<'a>,
    ctes: Vec<Spanned<String>>,
    tables: Vec<TableRef>,
    /// The alias of the table factor being visited, for the relation visited next inside it.
    alias: Option<(*const ObjectName, Spanned<String>)>,
    /// The name of the table function being visited (`read_parquet(...)`, `range(...)`): SQLMesh
    /// reads a function in FROM as no table, so its name is no dependency.
    function: Option<*const ObjectName>,
}

impl Visitor for Collector<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                let name = &cte.alias.name;
                let span = self.locate.span(name.span).unwrap_or_default();
                self.ctes.push(Spanned::new(name.value.clone(), span));
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table { name, args: Some(_), .. } = factor {
            self.function = Some(name as *const ObjectName);
        }
        if let TableFactor::Table { name, alias: Some(alias), .. } = factor {
            let part = self.locate.name_part(self.original, &alias.name);
            self.alias = Some((name as *const ObjectName, Spanned::new(part.text, part.span)));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
        if self.function.take().is_some_and(|name| std::ptr::eq(name, relation)) {
            self.alias = None;
            return ControlFlow::Continue(());
        }
        let parts = self.locate.object_name(self.original, relation);
        // The alias belongs to this relation only if it is the table factor's own name.
        let alias = match self.alias.take() {
            Some((name, alias)) if std::ptr::eq(name, relation) => Some(alias),
            _ => None,
        };
        if !parts.is_empty() {
            let span =
                self.locate.span(relation.span()).unwrap_or_else(|| parts[0].span.cover(parts[parts.len() - 1].span));
            self.tables.push(TableRef { name: parts, span, alias });
        }
        ControlFlow::Continue(())
    }
}
