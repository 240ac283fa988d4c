//! Column schemas and column-level lineage, resolved against upstream schemas.
//!
//! A model's schema is its declared columns (the `columns` property, the external-model YAML,
//! a Python model's `columns`, a seed's header) or else its query's output, with `*` expanded
//! through the schemas of the relations it reads. Its lineage maps each output column to the
//! upstream model columns it is computed from: the leaves of sqlglot's lineage walk, the
//! relation `sqlmesh.core.lineage.column_dependencies` returns. Only the select expressions
//! count (a WHERE or a JOIN ON condition filters rows, it does not compute a column); CTEs
//! and subqueries are walked through; an ambiguous or unknown reference contributes nothing.
//!
//! [`QueryResolver`] does the work for one query, memoizing per scope; the project caches one
//! [`ModelSchema`] per model (see `Project::schema`).

use super::facts::{Model, Settings, Source, defined_table};
use super::names::{ModelName, normalization, normalize_ident};
use crate::syntax::block::NamePart;
use crate::syntax::config::ConfigValue;
use crate::syntax::sql::shape::{
    Clause, ColumnRef, Item, QueryShape, Relation, ScopeId, ScopeKind, SelectShape, Target, TypeExpr,
};
use crate::syntax::sqlmesh::Normalization;
use crate::syntax::sqlmesh::canonical_type;
use std::collections::BTreeSet;
use std::sync::Arc;

/// An upstream model column.
pub type ColumnKey = (ModelName, String);

/// One output column of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaColumn {
    pub name: String,
    pub data_type: Option<String>,
    pub description: Option<String>,
    /// Where the query computes it: the select item (scope 0's item index), if it is one.
    pub item: Option<usize>,
}

/// A model's columns and, for each, the upstream columns it is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelSchema {
    /// In output order; None when they cannot be known statically (a `*` over a relation
    /// whose schema is unknown, an unnamed expression, a macro that names its own output).
    pub columns: Option<Vec<SchemaColumn>>,
    /// Parallel to `columns`: sorted, deduplicated.
    pub lineage: Vec<Vec<ColumnKey>>,
    /// When `columns` is None: the lineage of the output columns the query names anyway
    /// (`SELECT a, @macro_columns(), b` still names `a` and `b`).
    pub partial: Vec<(String, Vec<ColumnKey>)>,
}

impl ModelSchema {
    pub fn column(&self, name: &str) -> Option<(usize, &SchemaColumn)> {
        self.columns.as_ref()?.iter().enumerate().find(|(_, c)| c.name == name)
    }

    /// The upstream columns of `name`.
    pub fn lineage_of(&self, name: &str) -> &[ColumnKey] {
        match self.column(name) {
            Some((i, _)) => self.lineage.get(i).map_or(&[], Vec::as_slice),
            None => self.partial.iter().find(|(n, _)| n == name).map_or(&[], |(_, deps)| deps.as_slice()),
        }
    }
}

/// A relation's columns: names with their types when known.
pub type RelationColumns = Vec<(String, Option<String>)>;

/// An upstream schema lookup.
pub type Upstream<'a> = &'a dyn Fn(&ModelName) -> Option<Arc<ModelSchema>>;

/// Computes one model's schema, given its upstream models' schemas.
pub fn model_schema(model: &Model, settings: &Settings, upstream: Upstream) -> ModelSchema {
    let mut resolved = QueryResolver::for_model(model, settings, upstream).map(|mut resolver| {
        let out = resolver.output(0);
        (resolver, out)
    });
    let description = |name: &str| model.column_descriptions.iter().find(|(n, _)| n == name).map(|(_, d)| d.clone());
    let mut schema = ModelSchema::default();
    let union = !model.union.is_empty() && !model.columns_declared;
    if union {
        schema = union_schema(&model.union, upstream).unwrap_or_default();
    }
    match (&model.columns, &mut resolved) {
        _ if union => {}
        (Some(declared), _) if model.columns_declared || model.source != Source::Sql => {
            let outputs = resolved.as_ref().and_then(|(_, o)| o.as_ref());
            let mut columns = Vec::new();
            for column in declared {
                let computed = outputs.and_then(|o| o.iter().position(|c| c.name == column.name));
                schema.lineage.push(computed.map(|i| outputs.unwrap()[i].deps.clone()).unwrap_or_default());
                columns.push(SchemaColumn {
                    name: column.name.clone(),
                    data_type: column.data_type.clone(),
                    description: column.description.clone().or_else(|| description(&column.name)),
                    item: computed.and_then(|i| outputs.unwrap()[i].item),
                });
            }
            schema.columns = Some(columns);
        }
        (_, Some((_, Some(outputs)))) if model.source == Source::Sql => {
            let mut names = BTreeSet::new();
            if outputs.iter().any(|c| c.unnamed || !names.insert(c.name.as_str())) {
                // An unnamed expression or a duplicate name: SQLMesh has no schema either.
                return schema;
            }
            schema.columns = Some(
                outputs
                    .iter()
                    .map(|c| SchemaColumn {
                        name: c.name.clone(),
                        data_type: c.ty.clone(),
                        description: description(&c.name),
                        item: c.item,
                    })
                    .collect(),
            );
            schema.lineage = outputs.iter().map(|c| c.deps.clone()).collect();
        }
        _ => {}
    }
    if schema.columns.is_none()
        && model.source == Source::Sql
        && !union
        && let Some(mut resolver) = QueryResolver::for_model(model, settings, upstream)
    {
        resolver.lenient = true;
        if let Some(outputs) = resolver.output(0) {
            schema.partial = outputs.iter().filter(|c| !c.unnamed).map(|c| (c.name.clone(), c.deps.clone())).collect();
        }
    }
    if let Some(columns) = schema.columns.as_mut() {
        for column in columns.iter_mut() {
            column.data_type = column.data_type.take().map(|t| canonical_type(&t, model.dialect.as_deref()));
        }
        for name in managed_columns(model) {
            if !columns.iter().any(|c| c.name == name) {
                columns.push(SchemaColumn { name, data_type: Some("TIMESTAMP".into()), description: None, item: None });
                schema.lineage.push(Vec::new());
            }
        }
    }
    schema
}

/// `@UNION(tables)`: the first table's columns that every table has with the same type, each
/// read from every table (SQLMesh's `union` macro). None when a table's schema is unknown.
fn union_schema(tables: &[ModelName], upstream: Upstream) -> Option<ModelSchema> {
    let schemas: Vec<Arc<ModelSchema>> = tables.iter().map(upstream).collect::<Option<_>>()?;
    let mut columns_of = schemas.iter().map(|s| s.columns.as_ref());
    let first = columns_of.next()??;
    let others: Vec<&Vec<SchemaColumn>> = columns_of.collect::<Option<_>>()?;
    let same_type = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    };
    let kept: Vec<&SchemaColumn> = first
        .iter()
        .filter(|c| others.iter().all(|o| o.iter().any(|d| d.name == c.name && same_type(&d.data_type, &c.data_type))))
        .collect();
    let lineage = kept
        .iter()
        .map(|c| {
            let mut deps: Vec<ColumnKey> = tables.iter().map(|t| (t.clone(), c.name.clone())).collect();
            deps.sort();
            deps.dedup();
            deps
        })
        .collect();
    let columns = kept
        .into_iter()
        .map(|c| SchemaColumn { name: c.name.clone(), data_type: c.data_type.clone(), description: None, item: None })
        .collect();
    Some(ModelSchema { columns: Some(columns), lineage, partial: Vec::new() })
}

/// The columns SQLMesh adds to an SCD type 2 model.
fn managed_columns(model: &Model) -> Vec<String> {
    if !model.kind.starts_with("SCD_TYPE_2") {
        return Vec::new();
    }
    let strategy = normalization(model.dialect.as_deref());
    ["valid_from_name", "valid_to_name"]
        .iter()
        .map(|key| {
            let written = model.kind_properties.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
            let default = if *key == "valid_from_name" { "valid_from" } else { "valid_to" };
            let (text, quoted) = match written {
                Some(v) if v.starts_with(['"', '`']) => (v[1..v.len() - 1].to_string(), true),
                Some(v) => (v.trim_matches('\'').to_string(), false),
                None => (default.to_string(), false),
            };
            normalize_ident(&text, quoted, strategy, false)
        })
        .collect()
}

/// A column `@EACH` makes: its name, and the column it reads when its body is one.
type EachColumn = (String, Option<ColumnRef>);

/// One output column of a scope, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputColumn {
    pub name: String,
    pub ty: Option<String>,
    pub deps: Vec<ColumnKey>,
    /// The select item computing it, in its scope (None for a column a `*` passes through).
    pub item: Option<usize>,
    /// An expression without a name: `_col_N` here, and no schema for the model.
    pub unnamed: bool,
}

/// What a column reference resolves to within its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefTarget {
    /// A column of one of the scope's relations (index into `sources`).
    Column { relation: usize, name: String },
    /// The USING column shared by several relations.
    Using { relations: Vec<usize>, name: String },
    /// An output alias of the same SELECT (`GROUP BY total`).
    Alias(usize),
    /// A column of an enclosing query (a correlated subquery).
    Outer { scope: ScopeId, target: Box<RefTarget> },
    /// A name several relations have.
    Ambiguous(Vec<usize>),
    /// No relation has it, and every relation's schema is known.
    Missing,
    /// Some relation's schema is unknown: it may have it.
    Unknown,
}

#[derive(Clone)]
enum Memo {
    Todo,
    InProgress,
    Done(Option<Arc<Vec<OutputColumn>>>),
}

/// Resolves the scopes of one query against upstream schemas, memoizing per scope.
pub struct QueryResolver<'a> {
    pub shape: &'a QueryShape,
    settings: &'a Settings,
    dialect: Option<&'a str>,
    strategy: Normalization,
    upstream: Upstream<'a>,
    memo: Vec<Memo>,
    /// The file's `@DEF`s, for tables named through one.
    pub defs: &'a [(String, String)],
    /// Whether the root SELECT skips what it cannot name instead of giving up (for the
    /// lineage of the columns it can name).
    pub lenient: bool,
    /// Each relation's columns, by the relation's address in the shape.
    relations: std::collections::HashMap<usize, Option<Arc<RelationColumns>>>,
    /// The named outputs of SELECT scopes whose output is unknown because of a macro that
    /// names its own columns (`SELECT *, @indicators(...) FROM t`): the others, `*` expanded.
    partial: std::collections::HashMap<ScopeId, Option<Arc<Vec<OutputColumn>>>>,
    /// The scope [`QueryResolver::partial_output`] is computing.
    skip_opaque: Option<ScopeId>,
}

impl<'a> QueryResolver<'a> {
    pub fn new(
        shape: &'a QueryShape,
        settings: &'a Settings,
        dialect: Option<&'a str>,
        upstream: Upstream<'a>,
    ) -> QueryResolver<'a> {
        QueryResolver {
            shape,
            settings,
            dialect,
            strategy: normalization(dialect),
            upstream,
            memo: vec![Memo::Todo; shape.scopes.len()],
            defs: &[],
            lenient: false,
            relations: Default::default(),
            partial: Default::default(),
            skip_opaque: None,
        }
    }

    /// A resolver for a model's query, with the model's dialect and `@DEF`s.
    pub fn for_model(model: &'a Model, settings: &'a Settings, upstream: Upstream<'a>) -> Option<QueryResolver<'a>> {
        let shape = model.query.as_deref()?;
        let mut resolver = QueryResolver::new(shape, settings, model.dialect.as_deref(), upstream);
        resolver.defs = &model.defs;
        Some(resolver)
    }

    pub fn normalize(&self, part: &NamePart) -> String {
        normalize_ident(&part.text, part.quoted, self.strategy, false)
    }

    /// The model a relation's table name names.
    pub fn table(&self, parts: &[NamePart]) -> Option<ModelName> {
        defined_table(self.settings, self.defs, parts, self.dialect)
    }

    /// A scope's output columns; None when they cannot be known.
    pub fn output(&mut self, scope: ScopeId) -> Option<Arc<Vec<OutputColumn>>> {
        let memo = self.memo.get(scope as usize)?;
        match memo {
            Memo::Done(out) => return out.clone(),
            // A recursive CTE reading itself: its anchor (first branch) gives the columns.
            Memo::InProgress => {
                return match &self.shape.scopes[scope as usize].kind {
                    ScopeKind::SetOp(branches) => {
                        let first = branches[0];
                        if matches!(self.memo[first as usize], Memo::InProgress) { None } else { self.output(first) }
                    }
                    _ => None,
                };
            }
            Memo::Todo => {}
        }
        self.memo[scope as usize] = Memo::InProgress;
        let out = self.compute(scope).map(|mut columns| {
            let aliases = &self.shape.scopes[scope as usize].column_aliases;
            for (column, alias) in columns.iter_mut().zip(aliases) {
                column.name = self.normalize(alias);
            }
            Arc::new(columns)
        });
        self.memo[scope as usize] = Memo::Done(out.clone());
        out
    }

    fn compute(&mut self, scope: ScopeId) -> Option<Vec<OutputColumn>> {
        match &self.shape.scopes[scope as usize].kind {
            ScopeKind::Select(select) => self.select_output(scope, select),
            ScopeKind::SetOp(branches) => {
                let mut columns: Vec<OutputColumn> = self.output(branches[0])?.as_ref().clone();
                for column in &mut columns {
                    column.item = None;
                }
                for &branch in &branches[1..] {
                    match self.output(branch) {
                        Some(other) => {
                            for (column, theirs) in columns.iter_mut().zip(other.iter()) {
                                merge(&mut column.deps, &theirs.deps);
                            }
                        }
                        None => {
                            let star = self.star_deps(branch);
                            for column in &mut columns {
                                merge(&mut column.deps, &star);
                            }
                        }
                    }
                }
                Some(columns)
            }
            ScopeKind::Values(width) => Some(
                (1..=*width)
                    .map(|i| OutputColumn {
                        name: format!("column{i}"),
                        ty: None,
                        deps: Vec::new(),
                        item: None,
                        unnamed: false,
                    })
                    .collect(),
            ),
            ScopeKind::Opaque => None,
        }
    }

    fn select_output(&mut self, scope: ScopeId, select: &SelectShape) -> Option<Vec<OutputColumn>> {
        let mut out: Vec<OutputColumn> = Vec::new();
        let lenient = self.lenient && scope == 0;
        for (index, item) in select.items.iter().enumerate() {
            if item.opaque {
                if let Some((param, names)) = self.each_columns(item) {
                    let (_, mut deps) = self.item_facts(scope, select, item, &out);
                    // The lambda's parameter is a value, not a column.
                    deps.retain(|(_, column)| *column != param);
                    for (name, reference) in names {
                        // `x -> t.amount_@x`: each output reads the column it names.
                        let deps = match reference {
                            Some(reference) => {
                                let target = self.resolve(scope, select, &reference);
                                self.target_deps(scope, select, &target)
                            }
                            None => deps.clone(),
                        };
                        out.push(OutputColumn { name, ty: None, deps, item: Some(index), unnamed: false });
                    }
                    continue;
                }
                if lenient || self.skip_opaque == Some(scope) {
                    continue;
                }
                return None;
            }
            match &item.star {
                Some(star) => {
                    if lenient {
                        continue;
                    }
                    let relations: Vec<usize> = match &star.qualifier {
                        Some(q) => {
                            let q = q.last()?;
                            vec![self.relation_named(select, &self.normalize(q))?]
                        }
                        None => (0..select.sources.len()).collect(),
                    };
                    let except: Vec<String> = star.except.iter().map(|p| self.normalize(p)).collect();
                    let using = self.using_names(select);
                    let mut emitted_using: Vec<String> = Vec::new();
                    for relation in relations {
                        for (name, ty) in self.relation_columns(&select.sources[relation])? {
                            if except.contains(&name) {
                                continue;
                            }
                            // A USING column appears once, from every side that has it.
                            let shared = star.qualifier.is_none() && using.iter().any(|(_, n)| *n == name);
                            if shared && emitted_using.contains(&name) {
                                continue;
                            }
                            let mut deps = Vec::new();
                            if shared {
                                emitted_using.push(name.clone());
                                for other in self.relations_with(select, &name) {
                                    merge(&mut deps, &self.column_deps(scope, select, other, &name));
                                }
                            } else {
                                deps = self.column_deps(scope, select, relation, &name);
                            }
                            let replaced = star
                                .replace
                                .iter()
                                .find(|r| r.name.as_ref().is_some_and(|n| self.normalize(n) == name));
                            let (ty, deps, item) = match replaced {
                                Some(replace) => {
                                    let (ty, deps) = self.item_facts(scope, select, replace, &out);
                                    (ty, deps, Some(index))
                                }
                                None => (ty, deps, None),
                            };
                            let renamed = star
                                .rename
                                .iter()
                                .find(|(from, _)| self.normalize(from) == name)
                                .map(|(_, to)| self.normalize(to));
                            out.push(OutputColumn { name: renamed.unwrap_or(name), ty, deps, item, unnamed: false });
                        }
                    }
                }
                None => {
                    let name = item.name.as_ref().map_or_else(|| format!("_col_{index}"), |n| self.normalize(n));
                    let (ty, deps) = self.item_facts(scope, select, item, &out);
                    out.push(OutputColumn { name, ty, deps, item: Some(index), unnamed: item.name.is_none() });
                }
            }
        }
        Some(out)
    }

    /// `@EACH(list, x -> expr AS @{x}_suffix)` in a select list: the lambda's parameter and
    /// the names of the columns it makes, one per value of the list (a literal list, or a
    /// config variable holding one), when every name can be known. A body without an alias
    /// that is a column (`x -> t.amount_@x`) makes columns named by its last part
    /// (`amount_credit_card`), each with the reference it renders to.
    fn each_columns(&self, item: &Item) -> Option<(String, Vec<EachColumn>)> {
        let text = item.sql.trim();
        if !text.get(..6)?.eq_ignore_ascii_case("@each(") {
            return None;
        }
        let inner = text[6..].strip_suffix(')')?;
        let comma = top_level(inner, ",").into_iter().next()?;
        let (list, lambda) = (inner[..comma].trim(), inner[comma + 1..].trim());
        let local = list.strip_prefix('@').and_then(|v| self.defs.iter().find(|(n, _)| n.eq_ignore_ascii_case(v)));
        let literal = |list: &str| -> Option<Vec<String>> {
            let list = list.trim();
            let list =
                list.get(..5).filter(|p| p.eq_ignore_ascii_case("array")).map_or(list, |_| list[5..].trim_start());
            let body = list.strip_prefix(['[', '('])?.strip_suffix([']', ')'])?;
            Some(body.split(',').map(|v| v.trim().trim_matches(['\'', '"']).to_string()).collect())
        };
        let values: Vec<String> = match list.strip_prefix('@') {
            // A list the file defines: `@DEF(methods, ['a', 'b'])`.
            Some(_) if local.is_some() => literal(&local?.1)?,
            Some(variable) => {
                let (_, value) = self.settings.variables.iter().find(|(k, _)| k.eq_ignore_ascii_case(variable))?;
                match value {
                    ConfigValue::List(items) => items
                        .iter()
                        .map(|v| match v {
                            ConfigValue::Str(s) | ConfigValue::Number(s) => Some(s.clone()),
                            _ => None,
                        })
                        .collect::<Option<_>>()?,
                    _ => return None,
                }
            }
            None => literal(list)?,
        };
        let (param, body) = lambda.split_once("->")?;
        let param = param.trim().trim_matches(['(', ')']).trim().to_string();
        let render = |text: &str, value: &str| {
            text.replace(&format!("@{{{param}}}"), value).replace(&format!("@{param}"), value)
        };
        let name_of = |text: &str| {
            let quoted = text.starts_with('"');
            normalize_ident(text.trim_matches('"'), quoted, self.strategy, false)
        };
        let names = match top_level(&body.to_ascii_lowercase(), " as ").last() {
            Some(&alias_at) => {
                let template = body[alias_at + 4..].trim();
                values.iter().map(|value| (name_of(&render(template, value)), None)).collect()
            }
            None => {
                let parts = each_column_parts(body.trim(), &param)?;
                values
                    .iter()
                    .map(|value| {
                        let parts: Vec<NamePart> = parts
                            .iter()
                            .map(|part| {
                                let text = render(part, value);
                                let quoted = text.starts_with('"');
                                NamePart { text: text.trim_matches('"').to_string(), quoted, span: item.span }
                            })
                            .collect();
                        let name = parts.last().map(|p| self.normalize(p))?;
                        Some((name, Some(ColumnRef { parts, clause: Clause::Select, from_macro: true })))
                    })
                    .collect::<Option<_>>()?
            }
        };
        Some((normalize_ident(&param, false, self.strategy, false), names))
    }

    /// The type and upstream columns of one select item; `earlier` are the outputs before
    /// it (a lateral alias reference reads them).
    fn item_facts(
        &mut self,
        scope: ScopeId,
        select: &SelectShape,
        item: &Item,
        earlier: &[OutputColumn],
    ) -> (Option<String>, Vec<ColumnKey>) {
        let mut deps = Vec::new();
        for reference in &item.refs {
            let target = self.resolve(scope, select, reference);
            match target {
                RefTarget::Alias(i) => {
                    if let Some(column) = earlier.iter().find(|c| c.item == Some(i)) {
                        merge(&mut deps, &column.deps.clone());
                    }
                }
                target => merge(&mut deps, &self.target_deps(scope, select, &target)),
            }
        }
        for &sub in &item.subqueries {
            match self.output(sub) {
                Some(columns) => {
                    for column in columns.iter() {
                        merge(&mut deps, &column.deps);
                    }
                }
                None => merge(&mut deps, &self.star_deps(sub)),
            }
        }
        let ty = self.type_of(scope, select, &item.refs, &item.ty);
        (ty, deps)
    }

    /// The upstream columns a resolved reference reads.
    pub fn target_deps(&mut self, scope: ScopeId, select: &SelectShape, target: &RefTarget) -> Vec<ColumnKey> {
        match target {
            RefTarget::Column { relation, name } => self.column_deps(scope, select, *relation, name),
            RefTarget::Using { relations, name } => {
                let mut deps = Vec::new();
                for &r in relations {
                    merge(&mut deps, &self.column_deps(scope, select, r, name));
                }
                deps
            }
            _ => Vec::new(),
        }
    }

    /// The upstream columns behind column `name` of relation `r` of `select`. A table
    /// function's columns come from the columns its arguments read (`UNNEST(o.items) AS i`:
    /// `i` from `o.items`), as sqlglot traces them; the arguments may read only relations
    /// before it.
    fn column_deps(&mut self, scope: ScopeId, select: &SelectShape, r: usize, name: &str) -> Vec<ColumnKey> {
        let relation = &select.sources[r];
        if relation.args.is_empty() || !matches!(relation.target, Target::Columns(_) | Target::Unknown) {
            return self.relation_deps(relation, name);
        }
        let mut deps = Vec::new();
        for reference in &relation.args {
            match self.resolve(scope, select, reference) {
                RefTarget::Column { relation: other, .. } if other >= r => {}
                RefTarget::Using { relations, .. } if relations.iter().any(|&other| other >= r) => {}
                target => merge(&mut deps, &self.target_deps(scope, select, &target)),
            }
        }
        deps
    }

    /// The upstream columns behind a relation's column, the relation alone considered.
    fn relation_deps(&mut self, relation: &Relation, name: &str) -> Vec<ColumnKey> {
        match &relation.target {
            Target::Table(parts) => self.table(parts).map(|m| vec![(m, name.to_string())]).unwrap_or_default(),
            Target::Scope(scope) => match self.output(*scope) {
                Some(columns) => columns.iter().find(|c| c.name == name).map(|c| c.deps.clone()).unwrap_or_default(),
                None => match self.partial_output(*scope).and_then(|o| o.iter().find(|c| c.name == name).cloned()) {
                    Some(column) => column.deps,
                    None => self.star_deps(*scope),
                },
            },
            _ => Vec::new(),
        }
    }

    /// The outputs a SELECT scope names when a macro that names its own columns keeps its
    /// whole output unknown: its other items, `*` expanded. Rendering the macro adds columns
    /// beside these and changes none of them, so a column found here has the lineage sqlglot
    /// gives it; any other may be the macro's. None when something else is unknown too (a
    /// `*` over a relation of unknown schema) or the scope renames its columns by position.
    fn partial_output(&mut self, scope: ScopeId) -> Option<Arc<Vec<OutputColumn>>> {
        if let Some(known) = self.partial.get(&scope) {
            return known.clone();
        }
        // Guards a recursive CTE that reads itself.
        self.partial.insert(scope, None);
        let shape = self.shape;
        let ScopeKind::Select(select) = &shape.scopes[scope as usize].kind else { return None };
        if !select.items.iter().any(|i| i.opaque) || !shape.scopes[scope as usize].column_aliases.is_empty() {
            return None;
        }
        let outer = self.skip_opaque.replace(scope);
        let out = self.select_output(scope, select).map(Arc::new);
        self.skip_opaque = outer;
        self.partial.insert(scope, out.clone());
        out
    }

    /// What sqlglot reports for a column of a scope whose `*` cannot be expanded: `*` of
    /// each table it reads.
    fn star_deps(&mut self, scope: ScopeId) -> Vec<ColumnKey> {
        let mut deps = Vec::new();
        match &self.shape.scopes[scope as usize].kind {
            ScopeKind::Select(select) => {
                for relation in &select.sources {
                    match &relation.target {
                        Target::Table(parts) => {
                            if let Some(m) = self.table(parts) {
                                merge(&mut deps, &[(m, "*".to_string())]);
                            }
                        }
                        Target::Scope(inner)
                            if *inner != scope && !matches!(self.memo[*inner as usize], Memo::InProgress) =>
                        {
                            merge(&mut deps, &self.star_deps(*inner))
                        }
                        _ => {}
                    }
                }
            }
            ScopeKind::SetOp(branches) => {
                for &b in branches {
                    merge(&mut deps, &self.star_deps(b));
                }
            }
            _ => {}
        }
        deps
    }

    /// A relation's columns with their types; None when unknown.
    pub fn relation_columns(&mut self, relation: &Relation) -> Option<RelationColumns> {
        self.columns_of(relation).map(|c| c.as_ref().clone())
    }

    /// A relation's columns, computed once per relation of the query.
    fn columns_of(&mut self, relation: &Relation) -> Option<Arc<RelationColumns>> {
        let key = relation as *const Relation as usize;
        if let Some(known) = self.relations.get(&key) {
            return known.clone();
        }
        let columns = match &relation.target {
            Target::Table(parts) => self.table(parts).and_then(|name| (self.upstream)(&name)).and_then(|schema| {
                Some(schema.columns.as_ref()?.iter().map(|c| (c.name.clone(), c.data_type.clone())).collect())
            }),
            Target::Scope(scope) => {
                let in_progress = matches!(self.memo.get(*scope as usize), Some(Memo::InProgress));
                let columns = self.output(*scope).map(|o| o.iter().map(|c| (c.name.clone(), c.ty.clone())).collect());
                // A recursive CTE's anchor columns are provisional: not cached.
                if in_progress {
                    return columns.map(Arc::new);
                }
                columns
            }
            Target::Columns(names) => Some(names.iter().map(|n| (self.normalize(n), None)).collect()),
            Target::Unknown => None,
        }
        .map(Arc::new);
        self.relations.insert(key, columns.clone());
        columns
    }

    fn relation_named(&self, select: &SelectShape, name: &str) -> Option<usize> {
        select.sources.iter().position(|r| r.alias.as_ref().is_some_and(|a| self.normalize(a) == name))
    }

    fn using_names(&self, select: &SelectShape) -> Vec<(usize, String)> {
        select.using.iter().flat_map(|(r, names)| names.iter().map(move |n| (*r, self.normalize(n)))).collect()
    }

    /// The relations whose known schema has `name`.
    fn relations_with(&mut self, select: &SelectShape, name: &str) -> Vec<usize> {
        (0..select.sources.len())
            .filter(|&r| self.columns_of(&select.sources[r]).is_some_and(|c| c.iter().any(|(n, _)| n == name)))
            .collect()
    }

    /// Resolves a column reference of a SELECT scope.
    pub fn resolve(&mut self, scope: ScopeId, select: &SelectShape, reference: &ColumnRef) -> RefTarget {
        let parts: Vec<String> = reference.parts.iter().map(|p| self.normalize(p)).collect();
        if parts.len() >= 2 {
            // `t.col`, `schema.t.col`, or struct access `col.field` when no relation is `t`.
            for q in [parts.len() - 2, 0] {
                if let Some(relation) = self.relation_named(select, &parts[q]) {
                    return RefTarget::Column { relation, name: parts[q + 1].clone() };
                }
            }
            if parts.len() >= 3
                && let Some(relation) = self.relation_named(select, &parts[1])
            {
                return RefTarget::Column { relation, name: parts[2].clone() };
            }
        }
        let name = &parts[0];
        // ORDER BY reads an output alias before a source column.
        if reference.clause == Clause::OrderBy
            && parts.len() == 1
            && let Some(i) = select
                .items
                .iter()
                .position(|item| item.star.is_none() && item.name.as_ref().is_some_and(|n| self.normalize(n) == *name))
        {
            return RefTarget::Alias(i);
        }
        let target = self.resolve_unqualified(select, name);
        match target {
            RefTarget::Missing | RefTarget::Unknown | RefTarget::Ambiguous(_) => {
                // An output alias (GROUP BY, ORDER BY, HAVING, a lateral alias); sqlglot
                // prefers it to a name several relations share.
                // In the select list only an earlier item's name counts (not the item's own).
                let before = match reference.clause {
                    Clause::Select => select
                        .all_items()
                        .position(|i| i.refs.iter().any(|r| std::ptr::eq(r, reference)))
                        .unwrap_or(usize::MAX),
                    _ => usize::MAX,
                };
                if let Some(i) = select.items.iter().take(before).position(|item| {
                    item.star.is_none() && item.name.as_ref().is_some_and(|n| self.normalize(n) == *name)
                }) && (target != RefTarget::Unknown || reference.clause != Clause::Select)
                {
                    return RefTarget::Alias(i);
                }
                if matches!(target, RefTarget::Ambiguous(_)) {
                    return target;
                }
                // A correlated subquery reads its enclosing query.
                if let Some(parent) = self.shape.scopes[scope as usize].parent
                    && let ScopeKind::Select(outer) = &self.shape.scopes[parent as usize].kind
                {
                    let outer_target = self.resolve(parent, outer, reference);
                    if !matches!(outer_target, RefTarget::Missing | RefTarget::Unknown) {
                        return RefTarget::Outer { scope: parent, target: Box::new(outer_target) };
                    }
                    if target == RefTarget::Missing {
                        return outer_target;
                    }
                }
                target
            }
            target => target,
        }
    }

    fn resolve_unqualified(&mut self, select: &SelectShape, name: &str) -> RefTarget {
        if select.natural || self.using_names(select).iter().any(|(_, n)| n == name) {
            let relations = self.relations_with(select, name);
            if relations.len() > 1 {
                return RefTarget::Using { relations, name: name.to_string() };
            }
        }
        let with: Vec<usize> = self.relations_with(select, name);
        match with.len() {
            1 => RefTarget::Column { relation: with[0], name: name.to_string() },
            0 => {
                let unknown: Vec<usize> =
                    (0..select.sources.len()).filter(|&r| self.columns_of(&select.sources[r]).is_none()).collect();
                match unknown.len() {
                    0 => RefTarget::Missing,
                    1 => RefTarget::Column { relation: unknown[0], name: name.to_string() },
                    _ => RefTarget::Unknown,
                }
            }
            _ => RefTarget::Ambiguous(with),
        }
    }

    fn type_of(&mut self, scope: ScopeId, select: &SelectShape, refs: &[ColumnRef], ty: &TypeExpr) -> Option<String> {
        match ty {
            TypeExpr::Unknown => None,
            TypeExpr::Known(t) => Some(t.clone()),
            TypeExpr::Column(start) => {
                let reference = refs.iter().find(|r| r.parts[0].span == *start)?;
                let (relation, name) = match self.resolve(scope, select, reference) {
                    RefTarget::Column { relation, name } => (relation, name),
                    RefTarget::Using { relations, name } => (relations[0], name),
                    _ => return None,
                };
                let ty = self
                    .columns_of(&select.sources[relation])?
                    .iter()
                    .find(|(n, _)| *n == name)
                    .and_then(|(_, t)| t.clone())?;
                // `col.field.sub`: the field's type inside the struct.
                let parts: Vec<String> = reference.parts.iter().map(|p| self.normalize(p)).collect();
                let at = parts.iter().position(|p| *p == name)?;
                parts[at + 1..].iter().try_fold(ty, |ty, field| struct_field_type(&ty, field))
            }
            TypeExpr::Element(inner) => {
                let ty = self.type_of(scope, select, refs, inner)?;
                ty.strip_suffix("[]").map(str::to_string).or_else(|| {
                    let upper = ty.to_ascii_uppercase();
                    let inner = upper.strip_prefix("ARRAY<")?.strip_suffix('>')?;
                    Some(ty[6..6 + inner.len()].to_string())
                })
            }
            TypeExpr::Promote(inner) => {
                let inner = self.type_of(scope, select, refs, inner)?;
                let upper = inner.to_ascii_uppercase();
                Some(match upper.as_str() {
                    "TINYINT" | "SMALLINT" | "INT" | "INTEGER" | "BIGINT" | "INT64" => "BIGINT".to_string(),
                    "FLOAT" | "REAL" | "DOUBLE" | "FLOAT64" => "DOUBLE".to_string(),
                    _ => inner,
                })
            }
            TypeExpr::Widest(operands) => {
                let mut widest: Option<(usize, String)> = None;
                for operand in operands {
                    let t = self.type_of(scope, select, refs, operand)?;
                    let rank = numeric_rank(&t)?;
                    if widest.as_ref().is_none_or(|(r, _)| rank > *r) {
                        widest = Some((rank, t));
                    }
                }
                widest.map(|(_, t)| t)
            }
            TypeExpr::Subquery(inner) => self.output(*inner)?.first()?.ty.clone(),
            TypeExpr::First(options) => {
                // The common type: the widest when all are numbers, else the first known.
                let known: Vec<String> = options.iter().filter_map(|o| self.type_of(scope, select, refs, o)).collect();
                if !known.is_empty() && known.iter().all(|t| numeric_rank(t).is_some()) {
                    known.into_iter().max_by_key(|t| numeric_rank(t))
                } else {
                    known.into_iter().next()
                }
            }
        }
    }
}

/// The type of `field` in a struct type as SQL (`STRUCT(city TEXT, zip TEXT)`,
/// `STRUCT("city" TEXT)`, `STRUCT<city STRING>`).
fn struct_field_type(ty: &str, field: &str) -> Option<String> {
    let upper = ty.to_ascii_uppercase();
    let open = if upper.starts_with("STRUCT(") || upper.starts_with("STRUCT<") { 7 } else { return None };
    let body = &ty[open..ty.len().checked_sub(1)?];
    // Split at top-level commas.
    let mut depth = 0i32;
    let mut start = 0;
    let mut fields = Vec::new();
    for (i, c) in body.char_indices() {
        match c {
            '(' | '<' => depth += 1,
            ')' | '>' => depth -= 1,
            ',' if depth == 0 => {
                fields.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(&body[start..]);
    fields.into_iter().find_map(|f| {
        let f = f.trim();
        let (name, ty) = f.split_once(|c: char| c.is_whitespace() || c == ':')?;
        name.trim_matches(['"', '`']).eq_ignore_ascii_case(field).then(|| ty.trim().to_string())
    })
}

fn numeric_rank(ty: &str) -> Option<usize> {
    let upper = ty.to_ascii_uppercase();
    let base = upper.split('(').next().unwrap_or("").trim();
    Some(match base {
        "TINYINT" => 1,
        "SMALLINT" => 2,
        "INT" | "INTEGER" => 3,
        "BIGINT" | "INT64" => 4,
        "DECIMAL" | "NUMERIC" | "NUMBER" => 5,
        "FLOAT" | "REAL" => 6,
        "DOUBLE" | "FLOAT64" | "DOUBLE PRECISION" => 7,
        _ => return None,
    })
}

/// The parts of an `@EACH` body that is a column (`t.amount_@x`, `"a_@{x}"`), as written;
/// None for any other expression, or one that does not use the lambda's parameter (`param`)
/// in its last part, which would not name one column per value.
fn each_column_parts(body: &str, param: &str) -> Option<Vec<String>> {
    let parts: Vec<String> = body.split('.').map(|p| p.trim().to_string()).collect();
    let identifier = |p: &str| {
        let inner = p.strip_prefix('"').and_then(|p| p.strip_suffix('"')).unwrap_or(p);
        !inner.is_empty() && inner.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '@' | '{' | '}' | '$'))
    };
    if !parts.iter().all(|p| identifier(p)) {
        return None;
    }
    let last = parts.last()?;
    let uses = |p: &str| p.contains(&format!("@{{{param}}}")) || p.contains(&format!("@{param}"));
    // `x -> x` renders the value itself, a literal, not a column.
    (uses(last) && last.trim_matches('"') != format!("@{param}")).then_some(parts)
}

/// The byte offsets of `needle` in `text` outside parentheses, brackets and quotes.
fn top_level(text: &str, needle: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            (None, _) if depth == 0 && text[i..].starts_with(needle) => found.push(i),
            _ => {}
        }
    }
    found
}

/// Adds `more` to the sorted set `into`.
fn merge(into: &mut Vec<ColumnKey>, more: &[ColumnKey]) {
    for key in more {
        if let Err(at) = into.binary_search(key) {
            into.insert(at, key.clone());
        }
    }
}
