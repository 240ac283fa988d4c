//! The shape of a query for column lineage: its scopes (each SELECT, set operation, CTE and
//! subquery), the relations each SELECT reads, its output items and every column reference,
//! with spans. Names stay as written; resolving them against upstream schemas is the project
//! layer's work (`project::lineage`), which needs the whole graph.
//!
//! Macros were masked into placeholder identifiers before sqlparser saw the query; a
//! reference whose text is a macro is dropped here, except the column arguments of a macro
//! call in the select list (`@safe_div(a, b)`), which SQLMesh's rendering leaves in place in
//! most macros and which are kept, marked `from_macro`, for lineage only.

use super::locate::Locator;
use super::projection::{cover_tokens, expr_before_alias, select_items};
use crate::syntax::block::NamePart;
use crate::syntax::lexer::{Token, TokenKind};
use crate::syntax::span::Span;
use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, Ident, JoinConstraint, JoinOperator,
    ObjectName, OrderByKind, Query, Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Spanned as _,
    TableAlias, TableFactor, TableWithJoins, Value, Visit, Visitor, WildcardAdditionalOptions,
};
use std::ops::ControlFlow;

/// The longest expression text an [`Item`] keeps.
pub const MAX_SQL: usize = 400;

/// An index into [`QueryShape::scopes`].
pub type ScopeId = u32;

/// Every scope of one query; scope 0 produces the query's output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryShape {
    pub scopes: Vec<Scope>,
    /// Read from rendered text (Jinja): its spans are not the file's.
    pub rendered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub kind: ScopeKind,
    /// The CTE's name or the derived table's alias that names this scope, if any.
    pub name: Option<NamePart>,
    /// `WITH c(a, b) AS (...)`, `(...) AS t(a, b)`: names that replace the output names.
    pub column_aliases: Vec<NamePart>,
    /// The scope this one is nested in when it may read its columns (a subquery in an
    /// expression or a LATERAL derived table); None for CTEs and the root.
    pub parent: Option<ScopeId>,
    /// The CTEs its WITH defines.
    pub ctes: Vec<ScopeId>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeKind {
    Select(Box<SelectShape>),
    /// UNION, INTERSECT, EXCEPT: output columns by position, names from the first branch.
    SetOp(Vec<ScopeId>),
    /// `VALUES (...), ...`: so many columns, named `column1`, ... unless aliased.
    Values(usize),
    /// Something whose columns cannot be known statically.
    Opaque,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SelectShape {
    /// The relations of FROM and its joins, in order.
    pub sources: Vec<Relation>,
    pub items: Vec<Item>,
    /// Column references outside the select list (WHERE, JOIN ON, GROUP BY, HAVING, QUALIFY,
    /// ORDER BY, window definitions).
    pub refs: Vec<ColumnRef>,
    /// `JOIN ... USING (a, b)`: the index of the joined relation and the names.
    pub using: Vec<(usize, Vec<NamePart>)>,
    /// Whether a NATURAL join merges columns by name.
    pub natural: bool,
}

impl SelectShape {
    /// The items of the select list, with the items of `* REPLACE (...)`.
    pub fn all_items(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().chain(self.items.iter().filter_map(|i| i.star.as_ref()).flat_map(|s| &s.replace))
    }

    /// Every column reference of the SELECT, macro arguments included.
    pub fn all_refs(&self) -> impl Iterator<Item = &ColumnRef> {
        self.all_items().flat_map(|i| &i.refs).chain(&self.refs)
    }

    /// Every column reference of the SELECT written in the query (macro arguments excluded).
    pub fn written_refs(&self) -> impl Iterator<Item = &ColumnRef> {
        self.all_refs().filter(|r| !r.from_macro)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// How columns qualify it: the alias, else the table's last name part.
    pub alias: Option<NamePart>,
    pub target: Target,
    pub span: Span,
    /// For a table function, UNNEST or LATERAL VIEW: the column references in its arguments,
    /// which its columns are computed from (lineage only; they are not checked).
    pub args: Vec<ColumnRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A model or an external table, by its name parts as written.
    Table(Vec<NamePart>),
    /// A CTE or a derived table.
    Scope(ScopeId),
    /// A table function or UNNEST whose column names the alias gives.
    Columns(Vec<NamePart>),
    /// A relation whose columns cannot be known (a table function without column aliases).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The alias, else the column's own name; None for an expression SQLMesh names `_col_N`.
    pub name: Option<NamePart>,
    /// The expression, without its alias.
    pub span: Span,
    /// Its text, for display (cut at [`MAX_SQL`] bytes).
    pub sql: Box<str>,
    pub star: Option<Box<Star>>,
    /// The column references in the expression (nested subqueries excluded).
    pub refs: Vec<ColumnRef>,
    /// Subqueries in the expression.
    pub subqueries: Vec<ScopeId>,
    pub ty: TypeExpr,
    /// A macro whose output name only rendering can tell (`@STAR(...)`, an unaliased call).
    pub opaque: bool,
}

/// `*`, `alias.*`, with DuckDB's EXCLUDE / REPLACE / RENAME and BigQuery's EXCEPT.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Star {
    pub qualifier: Option<Vec<NamePart>>,
    pub except: Vec<NamePart>,
    /// Replaced columns: the name and the item that computes it.
    pub replace: Vec<Item>,
    pub rename: Vec<(NamePart, NamePart)>,
}

/// A column reference: `col`, `t.col`, `t.col.field` (struct access), as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    pub parts: Vec<NamePart>,
    pub clause: Clause,
    /// An argument of a macro call: used for lineage, never reported.
    pub from_macro: bool,
}

impl ColumnRef {
    pub fn span(&self) -> Span {
        self.parts[0].span.cover(self.parts[self.parts.len() - 1].span)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clause {
    Select,
    Where,
    Join,
    GroupBy,
    Having,
    Qualify,
    OrderBy,
    Other,
}

/// How to compute an expression's type once the columns it reads are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    Unknown,
    /// A type as SQL (a cast's target, a literal's, a function's fixed result).
    Known(String),
    /// The type of the column reference (among the item's `refs`) that starts here.
    Column(Span),
    /// SUM: integers widen to BIGINT, floats to DOUBLE.
    Promote(Box<TypeExpr>),
    /// Arithmetic: the widest numeric type of the operands.
    Widest(Vec<TypeExpr>),
    /// CASE, COALESCE, GREATEST: the operands' common type.
    First(Vec<TypeExpr>),
    /// `arr[1]`: the element type of an array.
    Element(Box<TypeExpr>),
    /// `(SELECT MAX(x) FROM t)`: the type of the subquery's column.
    Subquery(ScopeId),
}

/// Builds the shape of a parsed query. `tokens` are the statement's significant tokens in
/// the original text.
pub(super) fn shape(original: &str, query: &Query, locate: &Locator, tokens: &[Token]) -> QueryShape {
    let mut builder = Builder { original, locate, tokens, scopes: Vec::new(), ctes: Vec::new() };
    builder.query(query, None, None, Vec::new());
    let mut shape = QueryShape { scopes: builder.scopes, rendered: false };
    shape.shrink();
    shape
}

impl QueryShape {
    /// Drops the spare capacity of every list: a project keeps one shape per model, and lists
    /// grown by pushing hold up to twice what they need.
    fn shrink(&mut self) {
        fn item(item: &mut Item) {
            item.refs.shrink_to_fit();
            item.subqueries.shrink_to_fit();
            if let Some(star) = &mut item.star {
                star.replace.iter_mut().for_each(|i| i.refs.shrink_to_fit());
                star.replace.shrink_to_fit();
                star.except.shrink_to_fit();
            }
        }
        self.scopes.shrink_to_fit();
        for scope in &mut self.scopes {
            scope.ctes.shrink_to_fit();
            scope.column_aliases.shrink_to_fit();
            if let ScopeKind::Select(select) = &mut scope.kind {
                select.items.iter_mut().for_each(item);
                select.items.shrink_to_fit();
                select.refs.shrink_to_fit();
                select.sources.shrink_to_fit();
                select.using.shrink_to_fit();
            }
        }
    }
}

struct Builder<'a> {
    original: &'a str,
    locate: &'a Locator<'a>,
    tokens: &'a [Token],
    scopes: Vec<Scope>,
    /// CTEs visible at this point, innermost last.
    ctes: Vec<(String, ScopeId)>,
}

impl Builder<'_> {
    fn part(&self, ident: &Ident) -> NamePart {
        self.locate.name_part(self.original, ident)
    }

    fn sql(&self, span: Span) -> Box<str> {
        let text = span.text(self.original);
        let mut end = text.len().min(MAX_SQL);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text[..end].into()
    }

    fn span_of(&self, node: &impl sqlparser::ast::Spanned) -> Span {
        self.locate.span(node.span()).unwrap_or_default()
    }

    fn new_scope(&mut self, parent: Option<ScopeId>, name: Option<NamePart>, aliases: Vec<NamePart>) -> ScopeId {
        self.scopes.push(Scope {
            kind: ScopeKind::Opaque,
            name,
            column_aliases: aliases,
            parent,
            ctes: Vec::new(),
            span: Span::default(),
        });
        (self.scopes.len() - 1) as ScopeId
    }

    fn alias_columns(&self, alias: Option<&TableAlias>) -> Vec<NamePart> {
        alias.map(|a| a.columns.iter().map(|c| self.part(&c.name)).collect()).unwrap_or_default()
    }

    /// A query (WITH, body, ORDER BY) as a new scope.
    fn query(
        &mut self,
        query: &Query,
        parent: Option<ScopeId>,
        name: Option<NamePart>,
        aliases: Vec<NamePart>,
    ) -> ScopeId {
        let id = self.new_scope(parent, name, aliases);
        self.query_into(id, query);
        id
    }

    /// Fills the allocated scope `id` with `query`.
    fn query_into(&mut self, id: ScopeId, query: &Query) {
        let visible = self.ctes.len();
        let mut ctes = Vec::new();
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                let cte_name = self.part(&cte.alias.name);
                let cte_aliases = self.alias_columns(Some(&cte.alias));
                let key = cte_name.text.to_lowercase();
                let cte_id = self.new_scope(None, Some(cte_name), cte_aliases);
                // A recursive CTE sees itself; any CTE sees the earlier ones.
                if with.recursive {
                    self.ctes.push((key.clone(), cte_id));
                }
                self.query_into(cte_id, &cte.query);
                if !with.recursive {
                    self.ctes.push((key, cte_id));
                }
                ctes.push(cte_id);
            }
        }
        self.body_into(id, &query.body);
        if let Some(order_by) = &query.order_by
            && let OrderByKind::Expressions(exprs) = &order_by.kind
            && matches!(self.scopes[id as usize].kind, ScopeKind::Select(_))
        {
            let mut refs = Vec::new();
            for e in exprs {
                self.expr_refs(&e.expr, Clause::OrderBy, id, &mut refs, &mut Vec::new());
            }
            if let ScopeKind::Select(select) = &mut self.scopes[id as usize].kind {
                select.refs.extend(refs);
            }
        }
        self.ctes.truncate(visible);
        let span = self.locate.span(query.span()).unwrap_or_default();
        let scope = &mut self.scopes[id as usize];
        scope.ctes.extend(ctes);
        if scope.span == Span::default() {
            scope.span = span;
        }
    }

    fn body_into(&mut self, id: ScopeId, body: &SetExpr) {
        let kind = match body {
            SetExpr::Select(select) => ScopeKind::Select(Box::new(self.select(select, id))),
            SetExpr::Query(inner) => return self.query_into(id, inner),
            SetExpr::SetOperation { left, right, .. } => {
                let mut branches = Vec::new();
                for side in [left, right] {
                    let parent = self.scopes[id as usize].parent;
                    let branch = self.new_scope(parent, None, Vec::new());
                    self.body_into(branch, side);
                    // Flatten `a UNION b UNION c` into one list of branches.
                    match &self.scopes[branch as usize].kind {
                        ScopeKind::SetOp(inner) if matches!(side.as_ref(), SetExpr::SetOperation { .. }) => {
                            branches.extend(inner.clone())
                        }
                        _ => branches.push(branch),
                    }
                }
                ScopeKind::SetOp(branches)
            }
            SetExpr::Values(values) => ScopeKind::Values(values.rows.first().map_or(0, |r| r.content.len())),
            _ => ScopeKind::Opaque,
        };
        let span = self.span_of(body);
        let scope = &mut self.scopes[id as usize];
        if scope.span == Span::default() {
            scope.span = span;
        }
        scope.kind = kind;
    }

    fn select(&mut self, select: &Select, id: ScopeId) -> SelectShape {
        let mut shape = SelectShape::default();
        for table in &select.from {
            self.table_with_joins(table, id, &mut shape);
        }
        // Hive's and Spark's `LATERAL VIEW EXPLODE(arr) name AS col`: a relation of its columns.
        for view in &select.lateral_views {
            let alias = view.lateral_view_name.0.last().and_then(|p| p.as_ident()).map(|i| self.part(i));
            let columns: Vec<NamePart> = view.lateral_col_alias.iter().map(|c| self.part(c)).collect();
            let target = if columns.is_empty() { Target::Unknown } else { Target::Columns(columns) };
            let span = self.span_of(&view.lateral_view);
            let mut refs = Vec::new();
            self.expr_refs(&view.lateral_view, Clause::Other, id, &mut refs, &mut Vec::new());
            shape.sources.push(Relation { alias, target, span, args: refs.clone() });
            shape.refs.extend(refs);
        }
        // Each item's extent from the tokens: sqlparser's spans stop short of `::TYPE` or `)`.
        let items = self
            .locate
            .span(select.select_token.0.span)
            .map(|s| select_items(self.original, self.tokens, s.start as usize))
            .filter(|items| items.len() == select.projection.len());
        for (index, item) in select.projection.iter().enumerate() {
            let segment = items.as_ref().map(|items| &self.tokens[items[index].clone()]);
            shape.items.push(self.item(item, segment, id));
        }
        let mut refs = Vec::new();
        let mut subqueries = Vec::new();
        for (expr, clause) in [
            (&select.selection, Clause::Where),
            (&select.prewhere, Clause::Where),
            (&select.having, Clause::Having),
            (&select.qualify, Clause::Qualify),
        ] {
            if let Some(expr) = expr {
                self.expr_refs(expr, clause, id, &mut refs, &mut subqueries);
            }
        }
        if let GroupByExpr::Expressions(exprs, _) = &select.group_by {
            for expr in exprs {
                // `GROUP BY 1` names an output column by position.
                if !matches!(expr, Expr::Value(v) if matches!(v.value, Value::Number(..))) {
                    self.expr_refs(expr, Clause::GroupBy, id, &mut refs, &mut subqueries);
                }
            }
        }
        for window in &select.named_window {
            let _ = self.expr_refs_in(window, Clause::Other, id, &mut refs, &mut subqueries);
        }
        shape.refs.extend(refs);
        let _ = subqueries;
        shape
    }

    fn table_with_joins(&mut self, table: &TableWithJoins, id: ScopeId, shape: &mut SelectShape) {
        self.relation(&table.relation, id, shape);
        for join in &table.joins {
            self.relation(&join.relation, id, shape);
            let constraint = match &join.join_operator {
                JoinOperator::Join(c)
                | JoinOperator::Inner(c)
                | JoinOperator::Left(c)
                | JoinOperator::LeftOuter(c)
                | JoinOperator::Right(c)
                | JoinOperator::RightOuter(c)
                | JoinOperator::FullOuter(c)
                | JoinOperator::CrossJoin(c)
                | JoinOperator::Semi(c)
                | JoinOperator::LeftSemi(c)
                | JoinOperator::RightSemi(c)
                | JoinOperator::Anti(c)
                | JoinOperator::LeftAnti(c)
                | JoinOperator::RightAnti(c)
                | JoinOperator::StraightJoin(c)
                | JoinOperator::AsOf { constraint: c, .. } => Some(c),
                _ => None,
            };
            if let JoinOperator::AsOf { match_condition, .. } = &join.join_operator {
                let mut refs = Vec::new();
                self.expr_refs(match_condition, Clause::Join, id, &mut refs, &mut Vec::new());
                shape.refs.extend(refs);
            }
            match constraint {
                Some(JoinConstraint::On(expr)) => {
                    let mut refs = Vec::new();
                    self.expr_refs(expr, Clause::Join, id, &mut refs, &mut Vec::new());
                    shape.refs.extend(refs);
                }
                Some(JoinConstraint::Natural) => shape.natural = true,
                Some(JoinConstraint::Using(names)) => {
                    let names: Vec<NamePart> = names
                        .iter()
                        .filter_map(|n| n.0.last().and_then(|p| p.as_ident()))
                        .map(|i| self.part(i))
                        .collect();
                    shape.refs.extend(names.iter().map(|n| ColumnRef {
                        parts: vec![n.clone()],
                        clause: Clause::Join,
                        from_macro: false,
                    }));
                    shape.using.push((shape.sources.len() - 1, names));
                }
                _ => {}
            }
        }
    }

    fn relation(&mut self, factor: &TableFactor, id: ScopeId, shape: &mut SelectShape) {
        let span = self.span_of(factor);
        let alias_part = |b: &Self, alias: &Option<TableAlias>| alias.as_ref().map(|a| b.part(&a.name));
        match factor {
            TableFactor::Table { name, alias, args, .. } => {
                let parts = self.object_name(name);
                if args.is_some() {
                    // A table function: `read_csv(...)`, `generate_series(...)`.
                    let columns = self.alias_columns(alias.as_ref());
                    let target = if columns.is_empty() { Target::Unknown } else { Target::Columns(columns) };
                    let args = self.function_args(factor, id);
                    shape.sources.push(Relation { alias: alias_part(self, alias), target, span, args });
                    return;
                }
                let cte = (parts.len() == 1)
                    .then(|| {
                        let key = parts[0].text.to_lowercase();
                        self.ctes.iter().rev().find(|(n, _)| *n == key).map(|(_, id)| *id)
                    })
                    .flatten();
                let own_alias = alias_part(self, alias).or_else(|| parts.last().cloned());
                let columns = self.alias_columns(alias.as_ref());
                let target = match cte {
                    Some(cte) if columns.is_empty() => Target::Scope(cte),
                    Some(cte) => {
                        // `FROM cte AS c(x, y)`: a renaming view of the CTE.
                        let view = self.new_scope(None, own_alias.clone(), columns);
                        self.scopes[view as usize].kind = self.scopes[cte as usize].kind.clone();
                        Target::Scope(view)
                    }
                    None if parts.is_empty() => Target::Unknown,
                    None => Target::Table(parts),
                };
                shape.sources.push(Relation { alias: own_alias, target, span, args: Vec::new() });
            }
            TableFactor::Derived { lateral, subquery, alias, .. } => {
                let parent = lateral.then_some(id);
                let name = alias_part(self, alias);
                let columns = self.alias_columns(alias.as_ref());
                let scope = self.query(subquery, parent, name.clone(), columns);
                shape.sources.push(Relation { alias: name, target: Target::Scope(scope), span, args: Vec::new() });
            }
            TableFactor::NestedJoin { table_with_joins, .. } => self.table_with_joins(table_with_joins, id, shape),
            TableFactor::Pivot { table, .. } | TableFactor::Unpivot { table, .. } => {
                // The pivoted columns depend on the data; the relation's schema is unknown.
                let mut inner = SelectShape::default();
                self.relation(table, id, &mut inner);
                let alias = inner.sources.first().and_then(|r| r.alias.clone());
                shape.sources.push(Relation { alias, target: Target::Unknown, span, args: Vec::new() });
            }
            TableFactor::UNNEST { alias, .. }
            | TableFactor::TableFunction { alias, .. }
            | TableFactor::Function { alias, .. }
            | TableFactor::JsonTable { alias, .. }
            | TableFactor::OpenJsonTable { alias, .. } => {
                let columns = self.alias_columns(alias.as_ref());
                let target = if columns.is_empty() { Target::Unknown } else { Target::Columns(columns) };
                let args = self.function_args(factor, id);
                shape.sources.push(Relation { alias: alias_part(self, alias), target, span, args });
            }
            _ => shape.sources.push(Relation { alias: None, target: Target::Unknown, span, args: Vec::new() }),
        }
    }

    /// The column references in a table function's arguments: `UNNEST(o.items)`,
    /// `FLATTEN(input => s.items)`, `STRING_SPLIT(e.tags, ',')`.
    fn function_args(&mut self, factor: &TableFactor, id: ScopeId) -> Vec<ColumnRef> {
        let mut refs = Vec::new();
        let _ = self.expr_refs_in(factor, Clause::Other, id, &mut refs, &mut Vec::new());
        refs
    }

    fn object_name(&self, name: &ObjectName) -> Vec<NamePart> {
        self.locate.object_name(self.original, name)
    }

    fn item(&mut self, item: &SelectItem, segment: Option<&[Token]>, id: ScopeId) -> Item {
        let item_span = segment.and_then(cover_tokens).or_else(|| self.locate.span(item.span())).unwrap_or_default();
        let (expr, alias) = match item {
            SelectItem::UnnamedExpr(expr) => (expr, None),
            SelectItem::ExprWithAlias { expr, alias } => (expr, Some(self.part(alias))),
            SelectItem::ExprWithAliases { expr, aliases } => (expr, aliases.first().map(|a| self.part(a))),
            SelectItem::Wildcard(options) => {
                return self.star(None, options, item_span, id);
            }
            SelectItem::QualifiedWildcard(kind, options) => {
                let qualifier = match kind {
                    SelectItemQualifiedWildcardKind::ObjectName(name) => self.object_name(name),
                    SelectItemQualifiedWildcardKind::Expr(_) => Vec::new(),
                };
                return self.star(Some(qualifier), options, item_span, id);
            }
        };
        let span = match (&alias, segment) {
            (Some(alias), Some(segment)) => expr_before_alias(self.original, segment, alias.span),
            _ => None,
        }
        .or_else(|| alias.is_none().then_some(item_span))
        .or_else(|| self.locate.span(expr.span()))
        .unwrap_or(item_span);
        self.expr_item(expr, alias, span, id)
    }

    fn expr_item(&mut self, expr: &Expr, alias: Option<NamePart>, span: Span, id: ScopeId) -> Item {
        let mut refs = Vec::new();
        let mut subqueries = Vec::new();
        self.expr_refs(expr, Clause::Select, id, &mut refs, &mut subqueries);
        let text = span.text(self.original).trim_start();
        // A macro in the select list: its column arguments still feed the output.
        let macro_call = text.starts_with('@');
        if macro_call || refs.iter().any(|r| r.from_macro) {
            self.macro_args(span, &mut refs);
        }
        let name = alias.or_else(|| output_name(expr).map(|i| self.part(i)));
        let ty = match (expr, subqueries.as_slice()) {
            (Expr::Subquery(_), [scope]) => TypeExpr::Subquery(*scope),
            _ => self.type_of(expr),
        };
        let opaque = name.as_ref().is_none_or(|n| n.text.starts_with('@')) && macro_call;
        Item { name, span, sql: self.sql(span), star: None, refs, subqueries, ty, opaque }
    }

    fn star(
        &mut self,
        qualifier: Option<Vec<NamePart>>,
        options: &WildcardAdditionalOptions,
        span: Span,
        id: ScopeId,
    ) -> Item {
        let mut star = Star { qualifier, ..Star::default() };
        if let Some(exclude) = &options.opt_exclude {
            let names = match exclude {
                sqlparser::ast::ExcludeSelectItem::Single(n) => vec![n],
                sqlparser::ast::ExcludeSelectItem::Multiple(ns) => ns.iter().collect(),
            };
            star.except.extend(names.into_iter().filter_map(|n| n.0.last()?.as_ident().map(|i| self.part(i))));
        }
        if let Some(except) = &options.opt_except {
            star.except.push(self.part(&except.first_element));
            star.except.extend(except.additional_elements.iter().map(|i| self.part(i)));
        }
        if let Some(rename) = &options.opt_rename {
            let pairs = match rename {
                sqlparser::ast::RenameSelectItem::Single(p) => vec![p],
                sqlparser::ast::RenameSelectItem::Multiple(ps) => ps.iter().collect(),
            };
            star.rename.extend(pairs.into_iter().map(|p| (self.part(&p.ident), self.part(&p.alias))));
        }
        if let Some(replace) = &options.opt_replace {
            for element in &replace.items {
                let name = self.part(&element.column_name);
                let span = self.span_of(&element.expr);
                let item = self.expr_item(&element.expr, Some(name), span, id);
                star.replace.push(item);
            }
        }
        Item {
            name: None,
            span,
            sql: self.sql(span),
            star: Some(Box::new(star)),
            refs: Vec::new(),
            subqueries: Vec::new(),
            ty: TypeExpr::Unknown,
            opaque: false,
        }
    }

    /// The column references of `expr` at this scope's level; nested queries become scopes.
    fn expr_refs(
        &mut self,
        expr: &Expr,
        clause: Clause,
        id: ScopeId,
        refs: &mut Vec<ColumnRef>,
        subqueries: &mut Vec<ScopeId>,
    ) {
        let _ = self.expr_refs_in(expr, clause, id, refs, subqueries);
    }

    fn expr_refs_in<V: Visit>(
        &mut self,
        node: &V,
        clause: Clause,
        id: ScopeId,
        refs: &mut Vec<ColumnRef>,
        subqueries: &mut Vec<ScopeId>,
    ) -> ControlFlow<()> {
        let mut collector = RefCollector {
            builder: self,
            clause,
            id,
            depth: 0,
            refs,
            subqueries,
            lambda: Vec::new(),
            consumed: Vec::new(),
            skip_compound: None,
        };
        node.visit(&mut collector)
    }

    /// Identifiers inside macro calls of `span` that read as column references: not a
    /// keyword, not a function or macro name, not a `name :=` argument.
    fn macro_args(&self, span: Span, refs: &mut Vec<ColumnRef>) {
        refs.retain(|r| !r.from_macro);
        let start = self.tokens.partition_point(|t| t.span.start < span.start);
        let end = self.tokens.partition_point(|t| t.span.end <= span.end).max(start);
        let tokens = &self.tokens[start..end];
        let mut i = 0;
        while i < tokens.len() {
            let token = tokens[i];
            let inside_macro = self.masked_call_covers(tokens, i);
            if token.kind == TokenKind::Ident && inside_macro {
                let text = token.text(self.original);
                let next = tokens.get(i + 1);
                let is_call = next.is_some_and(|n| n.kind == TokenKind::LParen);
                // `name := value` (or `=`, `:`) starting an argument; `CASE WHEN m = x` in a
                // lambda's body compares a column.
                let starts_argument = i == 0 || matches!(tokens[i - 1].kind, TokenKind::LParen | TokenKind::Comma);
                let is_kwarg = next.is_some_and(|n| match n.text(self.original) {
                    ":=" => true,
                    "=" | ":" => starts_argument,
                    _ => false,
                });
                let after_dot = i > 0 && tokens[i - 1].text(self.original) == ".";
                if !is_call && !is_kwarg && !after_dot && !is_keyword(text) {
                    let mut parts = vec![plain_part(self.original, token)];
                    let mut j = i;
                    while tokens.get(j + 1).is_some_and(|t| t.text(self.original) == ".")
                        && tokens.get(j + 2).is_some_and(|t| t.kind == TokenKind::Ident)
                    {
                        parts.push(plain_part(self.original, tokens[j + 2]));
                        j += 2;
                    }
                    refs.push(ColumnRef { parts, clause: Clause::Select, from_macro: true });
                    i = j + 1;
                    continue;
                }
            }
            i += 1;
        }
    }

    /// Whether token `i` sits inside the arguments of a macro call.
    fn masked_call_covers(&self, tokens: &[Token], i: usize) -> bool {
        let mut depth = 0i32;
        for j in (0..i).rev() {
            match tokens[j].kind {
                TokenKind::RParen => depth += 1,
                TokenKind::LParen if depth > 0 => depth -= 1,
                TokenKind::LParen if j > 0 && tokens[j - 1].kind == TokenKind::Macro => return true,
                _ => {}
            }
        }
        false
    }

    fn type_of(&self, expr: &Expr) -> TypeExpr {
        use sqlparser::ast::BinaryOperator as B;
        match expr {
            Expr::Cast { data_type, .. } => TypeExpr::Known(data_type.to_string().to_uppercase()),
            Expr::Nested(inner) => self.type_of(inner),
            Expr::Identifier(ident) => TypeExpr::Column(self.part(ident).span),
            Expr::CompoundIdentifier(idents) => match idents.first() {
                Some(first) => TypeExpr::Column(self.part(first).span),
                None => TypeExpr::Unknown,
            },
            Expr::CompoundFieldAccess { root, access_chain } => {
                let mut idents = match root.as_ref() {
                    Expr::Identifier(ident) => vec![ident.clone()],
                    Expr::CompoundIdentifier(idents) => idents.clone(),
                    _ => return TypeExpr::Unknown,
                };
                let mut subscripts = 0;
                for access in access_chain {
                    match access {
                        sqlparser::ast::AccessExpr::Dot(Expr::Identifier(ident)) if subscripts == 0 => {
                            idents.push(ident.clone())
                        }
                        sqlparser::ast::AccessExpr::Subscript(_) => subscripts += 1,
                        _ => return TypeExpr::Unknown,
                    }
                }
                let column = TypeExpr::Column(self.part(&idents[0]).span);
                (0..subscripts).fold(column, |ty, _| TypeExpr::Element(Box::new(ty)))
            }
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) if n.contains(['.', 'e', 'E']) => TypeExpr::Known("DOUBLE".into()),
                Value::Number(n, _) if n.parse::<i32>().is_ok() => TypeExpr::Known("INT".into()),
                Value::Number(..) => TypeExpr::Known("BIGINT".into()),
                Value::SingleQuotedString(_) | Value::DoubleQuotedString(_) => TypeExpr::Known("VARCHAR".into()),
                Value::Boolean(_) => TypeExpr::Known("BOOLEAN".into()),
                _ => TypeExpr::Unknown,
            },
            Expr::TypedString(typed) => TypeExpr::Known(typed.data_type.to_string().to_uppercase()),
            Expr::BinaryOp { left, op, right } => match op {
                B::Plus | B::Minus | B::Multiply | B::Modulo => {
                    TypeExpr::Widest(vec![self.type_of(left), self.type_of(right)])
                }
                B::Divide => TypeExpr::Known("DOUBLE".into()),
                B::StringConcat => TypeExpr::Known("VARCHAR".into()),
                B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq | B::And | B::Or => {
                    TypeExpr::Known("BOOLEAN".into())
                }
                _ => TypeExpr::Unknown,
            },
            Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::IsTrue(_)
            | Expr::IsFalse(_)
            | Expr::Between { .. }
            | Expr::InList { .. }
            | Expr::InSubquery { .. }
            | Expr::Like { .. }
            | Expr::ILike { .. }
            | Expr::Exists { .. } => TypeExpr::Known("BOOLEAN".into()),
            Expr::UnaryOp { expr, .. } => self.type_of(expr),
            Expr::Case { conditions, else_result, .. } => {
                let mut branches: Vec<TypeExpr> = conditions.iter().map(|c| self.type_of(&c.result)).collect();
                branches.extend(else_result.iter().map(|e| self.type_of(e)));
                TypeExpr::First(branches)
            }
            Expr::Function(function) => {
                let name = function.name.0.last().and_then(|p| p.as_ident()).map(|i| i.value.to_lowercase());
                let args: Vec<&Expr> = match &function.args {
                    FunctionArguments::List(list) => list
                        .args
                        .iter()
                        .filter_map(|a| match a {
                            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let first = || args.first().map_or(TypeExpr::Unknown, |a| self.type_of(a));
                match name.as_deref() {
                    Some("count" | "count_if" | "row_number" | "rank" | "dense_rank" | "ntile") => {
                        TypeExpr::Known("BIGINT".into())
                    }
                    Some("sum") => TypeExpr::Promote(Box::new(first())),
                    Some("avg" | "stddev" | "variance" | "percent_rank" | "cume_dist") => {
                        TypeExpr::Known("DOUBLE".into())
                    }
                    Some(
                        "min" | "max" | "any_value" | "first_value" | "last_value" | "lag" | "lead" | "abs" | "floor"
                        | "ceil" | "first" | "last" | "arbitrary",
                    ) => first(),
                    Some("coalesce" | "ifnull" | "nvl" | "greatest" | "least") => {
                        TypeExpr::First(args.iter().map(|a| self.type_of(a)).collect())
                    }
                    Some(
                        "upper" | "lower" | "trim" | "ltrim" | "rtrim" | "concat" | "replace" | "substring" | "substr"
                        | "left" | "right" | "lpad" | "rpad" | "initcap",
                    ) => TypeExpr::Known("VARCHAR".into()),
                    Some("current_date") => TypeExpr::Known("DATE".into()),
                    Some("current_timestamp" | "now") => TypeExpr::Known("TIMESTAMP".into()),
                    Some("length" | "char_length" | "strlen") => TypeExpr::Known("BIGINT".into()),
                    _ => TypeExpr::Unknown,
                }
            }
            _ => TypeExpr::Unknown,
        }
    }

    fn column_ref(&self, idents: &[Ident], clause: Clause) -> ColumnRef {
        ColumnRef { parts: idents.iter().map(|i| self.part(i)).collect(), clause, from_macro: false }
    }
}

/// The output name sqlglot gives an unaliased expression: a column's own name, through a
/// cast, a struct field access or an array index; None for other expressions.
fn output_name(expr: &Expr) -> Option<&Ident> {
    match expr {
        Expr::Identifier(ident) => Some(ident),
        Expr::CompoundIdentifier(parts) => parts.last(),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => output_name(expr),
        Expr::CompoundFieldAccess { root, access_chain } => match access_chain.last() {
            Some(sqlparser::ast::AccessExpr::Dot(inner)) => output_name(inner),
            Some(sqlparser::ast::AccessExpr::Subscript(_)) if access_chain.len() == 1 => output_name(root),
            _ => None,
        },
        _ => None,
    }
}

fn plain_part(text: &str, token: Token) -> NamePart {
    let written = token.text(text);
    let quoted = written.starts_with(['"', '`', '[']);
    let inner = if quoted { &written[1..written.len().saturating_sub(1).max(1)] } else { written };
    NamePart { text: inner.to_string(), quoted, span: token.span }
}

/// Words that are never column references inside a macro's arguments.
fn is_keyword(word: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "and",
        "or",
        "not",
        "null",
        "true",
        "false",
        "is",
        "in",
        "as",
        "case",
        "when",
        "then",
        "else",
        "end",
        "select",
        "from",
        "where",
        "between",
        "like",
        "ilike",
        "distinct",
        "interval",
        "cast",
        "date",
        "timestamp",
        "int",
        "integer",
        "bigint",
        "varchar",
        "text",
        "double",
        "float",
        "decimal",
        "boolean",
        "over",
        "partition",
        "by",
        "order",
        "asc",
        "desc",
    ];
    KEYWORDS.iter().any(|k| word.eq_ignore_ascii_case(k))
}

struct RefCollector<'b, 'a> {
    builder: &'b mut Builder<'a>,
    clause: Clause,
    id: ScopeId,
    /// How many queries deep the visit is below the expression.
    depth: usize,
    refs: &'b mut Vec<ColumnRef>,
    subqueries: &'b mut Vec<ScopeId>,
    /// Lambda parameters (`x -> x + 1`): not columns.
    lambda: Vec<String>,
    /// Identifiers already read as part of a field access.
    consumed: Vec<sqlparser::tokenizer::Span>,
    /// The compound root of the field access just read.
    skip_compound: Option<sqlparser::tokenizer::Span>,
}

impl Visitor for RefCollector<'_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if self.depth == 0 {
            let scope = self.builder.query(query, Some(self.id), None, Vec::new());
            self.subqueries.push(scope);
        }
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        let idents: Vec<Ident> = match expr {
            Expr::Identifier(ident) if self.consumed.contains(&ident.span) => return ControlFlow::Continue(()),
            Expr::Identifier(ident) => vec![ident.clone()],
            Expr::CompoundIdentifier(idents) if self.skip_compound != Some(expr.span()) => idents.clone(),
            // `t.arr[1]`, `col.field[0].x`: the name before the first subscript is the column.
            Expr::CompoundFieldAccess { root, access_chain } => {
                let mut idents = match root.as_ref() {
                    Expr::Identifier(ident) => vec![ident.clone()],
                    Expr::CompoundIdentifier(idents) => idents.clone(),
                    _ => return ControlFlow::Continue(()),
                };
                for access in access_chain {
                    match access {
                        sqlparser::ast::AccessExpr::Dot(Expr::Identifier(ident)) => idents.push(ident.clone()),
                        _ => break,
                    }
                }
                self.consumed.extend(idents.iter().map(|i| i.span));
                if let Expr::CompoundIdentifier(_) = root.as_ref() {
                    self.skip_compound = Some(root.span());
                }
                idents
            }
            Expr::CompoundIdentifier(_) if self.skip_compound == Some(expr.span()) => {
                return ControlFlow::Continue(());
            }
            Expr::Lambda(lambda) => {
                self.lambda.extend(lambda.params.iter().map(|p| p.name.value.to_lowercase()));
                return ControlFlow::Continue(());
            }
            Expr::Function(function) => {
                self.consumed.extend(date_part_args(function));
                return ControlFlow::Continue(());
            }
            _ => return ControlFlow::Continue(()),
        };
        let column = self.builder.column_ref(&idents, self.clause);
        let first = &column.parts[0];
        // A masked macro (`@start_ds` became `_start_ds`) or Jinja is not a column.
        let text = first.span.text(self.builder.original);
        let is_macro = column.parts.iter().any(|p| {
            let t = p.span.text(self.builder.original);
            t.contains('@') || t.contains("{{") || t.contains("{%")
        }) || text.is_empty();
        if is_macro {
            // In the select list, a marker: the item's macro arguments are read from its tokens.
            if self.clause == Clause::Select {
                self.refs.push(ColumnRef { from_macro: true, ..column });
            }
            return ControlFlow::Continue(());
        }
        if column.parts.len() == 1 && self.lambda.contains(&first.text.to_lowercase()) {
            return ControlFlow::Continue(());
        }
        self.refs.push(column);
        ControlFlow::Continue(())
    }
}

/// Functions whose first or last argument may be a bare date part: `DATEADD(day, 1, d)`,
/// `TIMESTAMPDIFF(MINUTE, a, b)`, BigQuery's `DATE_TRUNC(d, MONTH)`, `DATE_DIFF(a, b, DAY)`.
const DATE_PART_FUNCTIONS: &[&str] = &[
    "dateadd",
    "datediff",
    "datediff_big",
    "date_add",
    "date_diff",
    "date_sub",
    "datepart",
    "date_part",
    "datename",
    "datetrunc",
    "date_trunc",
    "datetime_add",
    "datetime_diff",
    "datetime_sub",
    "datetime_trunc",
    "last_day",
    "time_slice",
    "timeadd",
    "timediff",
    "timestampadd",
    "timestampdiff",
    "timestamp_add",
    "timestamp_diff",
    "timestamp_sub",
    "timestamp_trunc",
    "time_add",
    "time_diff",
    "time_trunc",
];

/// Unquoted words that name a date part rather than a column, in the dialects' spellings (one
/// letter and `date` left out: too often a column's name).
const DATE_PARTS: &[&str] = &[
    "year",
    "years",
    "yy",
    "yyyy",
    "quarter",
    "quarters",
    "qq",
    "month",
    "months",
    "mm",
    "mon",
    "week",
    "weeks",
    "wk",
    "ww",
    "isoweek",
    "day",
    "days",
    "dd",
    "dayofweek",
    "dayofyear",
    "dow",
    "doy",
    "dw",
    "dy",
    "hour",
    "hours",
    "hh",
    "minute",
    "minutes",
    "mi",
    "second",
    "seconds",
    "ss",
    "millisecond",
    "milliseconds",
    "ms",
    "microsecond",
    "microseconds",
    "mcs",
    "nanosecond",
    "nanoseconds",
    "ns",
    "epoch",
    "isoyear",
];

/// The spans of date-part arguments of a date function, which are no column references.
fn date_part_args(function: &sqlparser::ast::Function) -> Vec<sqlparser::tokenizer::Span> {
    let name = function.name.0.last().and_then(|p| p.as_ident()).map(|i| i.value.to_lowercase());
    if !name.is_some_and(|n| DATE_PART_FUNCTIONS.contains(&n.as_str())) {
        return Vec::new();
    }
    let FunctionArguments::List(list) = &function.args else { return Vec::new() };
    let ends = [list.args.first(), list.args.last()];
    ends.into_iter()
        .flatten()
        .filter_map(|arg| match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Identifier(ident)))
                if ident.quote_style.is_none() && DATE_PARTS.contains(&ident.value.to_lowercase().as_str()) =>
            {
                Some(ident.span)
            }
            _ => None,
        })
        .collect()
}
