//! The SELECTs of a query and the conditions that filter their rows: what a rule needs to tell
//! whether a query restricts what it reads (`WHERE ds BETWEEN @start_ds AND @end_ds` in a CTE
//! counts as much as in the outer query), and where a new condition would go.
//!
//! Which SELECTs exist, which produce the output and which read a table comes from sqlparser's
//! AST; the extent of each clause comes from the tokens, because sqlparser's expression spans
//! stop short of a closing `)` or a `::TYPE`.

use super::locate::Locator;
use super::mask::{CLAUSE_MACROS, matching_paren};
use crate::syntax::lexer::{Token, TokenKind};
use crate::syntax::span::Span;
use serde::Serialize;
use sqlparser::ast::{Query, SetExpr, TableFactor, TableWithJoins, Visit, Visitor};
use sqlparser::tokenizer::Span as TokenSpan;
use std::ops::ControlFlow;

/// One SELECT of a query: the outer one, a branch of a set operation, a CTE's or a subquery's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectFacts {
    /// Its `SELECT` keyword.
    pub keyword: Span,
    /// Whether it produces the query's output (the outermost SELECT or a branch of the
    /// outermost set operation) rather than feeding a CTE or subquery.
    pub outer: bool,
    /// Whether its FROM names a relation (a table, a model or a CTE), not only subqueries,
    /// `VALUES` or table functions.
    pub reads_table: bool,
    /// The conditions that filter its rows, without their keyword: after `WHERE` (or
    /// `@WHERE(...)`), `PREWHERE`, each join's `ON`, `HAVING` and `QUALIFY`. A join nested in
    /// parentheses is not looked into.
    pub filters: Vec<Span>,
    /// The condition after a plain `WHERE` (also among `filters`).
    pub where_condition: Option<Span>,
    /// Where a `WHERE` clause would go when the SELECT has none (neither `WHERE` nor
    /// `@WHERE(...)`): the end of its FROM clause and joins. None without a FROM.
    pub where_insert: Option<u32>,
}

/// Every SELECT of the query, in text order; empty when one of them cannot be located in the
/// tokens (its facts would be guesses). `tokens` are the statement's significant tokens in the
/// original text.
pub(super) fn selects(original: &str, query: &Query, locate: &Locator, tokens: &[Token]) -> Vec<SelectFacts> {
    let mut outer = Vec::new();
    outer_selects(&query.body, &mut outer);
    let mut collector = Collector { found: Vec::new() };
    let _ = query.visit(&mut collector);
    let mut out = Vec::new();
    for (keyword, reads_table) in collector.found {
        let Some(at) = locate
            .span(keyword)
            .map(|s| tokens.partition_point(|t| t.span.start < s.start))
            .filter(|&at| tokens.get(at).is_some_and(|t| t.is_word(original, "select")))
        else {
            return Vec::new();
        };
        let clauses = clauses(original, tokens, at);
        out.push(SelectFacts {
            keyword: tokens[at].span,
            outer: outer.contains(&keyword),
            reads_table,
            filters: clauses.filters,
            where_condition: clauses.where_condition,
            where_insert: clauses.where_insert,
        });
    }
    out.sort_by_key(|s| s.keyword);
    out
}

/// The `SELECT` keywords of the SELECTs whose rows are the query's output.
fn outer_selects(body: &SetExpr, out: &mut Vec<TokenSpan>) {
    match body {
        SetExpr::Select(select) => out.push(select.select_token.0.span),
        SetExpr::Query(inner) => outer_selects(&inner.body, out),
        SetExpr::SetOperation { left, right, .. } => {
            outer_selects(left, out);
            outer_selects(right, out);
        }
        _ => {}
    }
}

/// Finds every SELECT (the visitor reaches CTEs, derived tables and subqueries in expressions;
/// a parenthesized query body is a query of its own): its keyword and whether it reads a table.
struct Collector {
    found: Vec<(TokenSpan, bool)>,
}

impl Collector {
    fn body(&mut self, body: &SetExpr) {
        match body {
            SetExpr::Select(select) => {
                self.found.push((select.select_token.0.span, select.from.iter().any(reads_table)));
            }
            SetExpr::SetOperation { left, right, .. } => {
                self.body(left);
                self.body(right);
            }
            _ => {}
        }
    }
}

impl Visitor for Collector {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        self.body(&query.body);
        ControlFlow::Continue(())
    }
}

/// Whether a FROM item names a relation: a table, a model or a CTE.
fn reads_table(from: &TableWithJoins) -> bool {
    fn factor(f: &TableFactor) -> bool {
        match f {
            TableFactor::Table { args, .. } => args.is_none(),
            TableFactor::NestedJoin { table_with_joins, .. } => reads_table(table_with_joins),
            _ => false,
        }
    }
    factor(&from.relation) || from.joins.iter().any(|j| factor(&j.relation))
}

/// What the tokens of one SELECT say about its clauses.
#[derive(Default)]
struct Clauses {
    filters: Vec<Span>,
    where_condition: Option<Span>,
    where_insert: Option<u32>,
}

/// Where the scan of a SELECT is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The select list (and `INTO`).
    List,
    /// FROM and its joins.
    From,
    /// A filtering condition that started at this token index; `plain_where` for `WHERE`.
    Filter { start: usize, plain_where: bool },
    /// GROUP BY, WINDOW and other clauses that do not filter.
    Other,
}

/// Keywords that end a SELECT (they belong to the query around it).
const SELECT_ENDS: &[&str] = &["union", "intersect", "except", "minus", "limit", "fetch", "offset"];
/// `JOIN` and the words that can come before it (`LEFT OUTER`, `GLOBAL ANY`, `ARRAY`): a join
/// ends the previous join's `ON` condition.
const JOIN_WORDS: &[&str] = &[
    "join",
    "inner",
    "left",
    "right",
    "full",
    "cross",
    "natural",
    "outer",
    "anti",
    "semi",
    "asof",
    "positional",
    "straight_join",
    "array",
    "global",
    "any",
    "all",
    "paste",
];

/// Scans the SELECT whose keyword is `tokens[at]`, at its own parenthesis depth, to its end.
fn clauses(text: &str, tokens: &[Token], at: usize) -> Clauses {
    let mut scan = Scan { text, tokens, out: Clauses::default(), part: Part::List, has_where: false };
    let word =
        |i: usize| tokens.get(i).filter(|t| t.kind == TokenKind::Ident).map(|t| t.text(text).to_ascii_lowercase());
    let followed_by = |i: usize, next: &str| tokens.get(i + 1).is_some_and(|t| t.is_word(text, next));
    let mut depth = 0usize;
    let mut i = at + 1;
    while let Some(token) = tokens.get(i) {
        match token.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace if depth == 0 => break,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth -= 1,
            TokenKind::Semicolon => break,
            // `FROM a JOIN b ON a.x = b.x, c`: the FROM list goes on.
            TokenKind::Comma if depth == 0 && scan.in_on() => scan.switch(i, Part::From),
            TokenKind::Macro if depth == 0 => {
                let name = token.text(text).trim_start_matches('@').to_ascii_lowercase();
                let clause = CLAUSE_MACROS.iter().map(|(m, _)| *m).find(|m| *m == name);
                let args_close = (tokens.get(i + 1).map(|t| t.kind) == Some(TokenKind::LParen))
                    .then(|| matching_paren(tokens, i + 1))
                    .flatten();
                if let (Some(clause), Some(args_close)) = (clause, args_close) {
                    match clause {
                        "order_by" | "limit" => break,
                        "where" | "having" => {
                            scan.table_expression_ends(i);
                            scan.has_where |= clause == "where";
                            scan.switch(i, Part::Filter { start: args_close + 1, plain_where: false });
                        }
                        _ => {
                            scan.table_expression_ends(i);
                            scan.switch(i, Part::Other);
                        }
                    }
                    i = args_close + 1;
                    continue;
                }
            }
            // A word after `.` is a name (`t.limit`), never a keyword.
            TokenKind::Ident if depth == 0 && !(i > 0 && tokens[i - 1].kind == TokenKind::Dot) => {
                let w = word(i).unwrap_or_default();
                let previous = i.checked_sub(1).and_then(word);
                match w.as_str() {
                    "from" if scan.part == Part::List && previous.as_deref() != Some("distinct") => {
                        scan.part = Part::From;
                    }
                    "where" if scan.part != Part::List => {
                        scan.has_where = true;
                        scan.switch(i, Part::Filter { start: i + 1, plain_where: true });
                    }
                    "prewhere" if scan.part != Part::List => {
                        scan.switch(i, Part::Filter { start: i + 1, plain_where: false });
                    }
                    "having" | "qualify" if scan.part != Part::List => {
                        scan.table_expression_ends(i);
                        scan.switch(i, Part::Filter { start: i + 1, plain_where: false });
                    }
                    "on" if matches!(scan.part, Part::From | Part::Filter { plain_where: false, .. }) => {
                        scan.switch(i, Part::Filter { start: i + 1, plain_where: false });
                    }
                    // `JOIN`, or a modifier before it (`LEFT OUTER JOIN`, `CROSS APPLY`), not
                    // the function `LEFT(x, 2)`.
                    w if scan.in_on()
                        && (w == "join"
                            || w == "straight_join"
                            || JOIN_WORDS.contains(&w)
                                && word(i + 1).is_some_and(|n| n == "apply" || JOIN_WORDS.contains(&n.as_str()))) =>
                    {
                        scan.switch(i, Part::From)
                    }
                    "group" | "cluster" | "distribute" | "sort" | "connect" if followed_by(i, "by") => {
                        scan.table_expression_ends(i);
                        scan.switch(i, Part::Other);
                    }
                    "window" if scan.part != Part::List => {
                        scan.table_expression_ends(i);
                        scan.switch(i, Part::Other);
                    }
                    // BigQuery's `UNNEST(x) WITH OFFSET`.
                    "offset" if previous.as_deref() == Some("with") => {}
                    "order" if followed_by(i, "by") => break,
                    // `SELECT * EXCEPT (a)` (BigQuery, DuckDB) is not the set operation.
                    "except" if tokens[i - 1].text(text) == "*" => {}
                    w if SELECT_ENDS.contains(&w) => break,
                    _ => {}
                }
            }
            _ => {}
        }
        i += 1;
    }
    scan.table_expression_ends(i);
    scan.switch(i, Part::Other);
    let mut out = scan.out;
    if scan.has_where {
        out.where_insert = None;
    }
    out
}

/// The state of [`clauses`].
struct Scan<'a> {
    text: &'a str,
    tokens: &'a [Token],
    out: Clauses,
    part: Part,
    has_where: bool,
}

impl Scan<'_> {
    /// Ends the current part before token `i` (recording the filter it was) and starts `next`.
    fn switch(&mut self, i: usize, next: Part) {
        if let Part::Filter { start, plain_where } = self.part
            && start < i
        {
            let span = self.tokens[start].span.cover(self.tokens[i - 1].span);
            self.out.filters.push(span);
            if plain_where {
                self.out.where_condition = Some(span);
            }
        }
        self.part = next;
    }

    /// The FROM clause and its joins end before token `i`: a `WHERE` would go there.
    fn table_expression_ends(&mut self, i: usize) {
        let in_table_expression = matches!(self.part, Part::From | Part::Filter { plain_where: false, .. });
        if in_table_expression && self.out.where_insert.is_none() && i > 0 {
            self.out.where_insert = Some(self.tokens[i - 1].span.end);
        }
    }

    /// Whether the part being scanned is a join's `ON` condition.
    fn in_on(&self) -> bool {
        match self.part {
            Part::Filter { start, plain_where: false } => {
                start > 0 && self.tokens.get(start - 1).is_some_and(|t| t.is_word(self.text, "on"))
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::syntax::model_file::parse_model_file;

    /// Each SELECT as `outer? reads? | filters | where | text around the WHERE insertion point`.
    fn selects(sql: &str) -> Vec<String> {
        let file = parse_model_file(sql, Some("duckdb"));
        let query = file.query.expect("a query");
        assert!(query.parsed, "{:?}", file.diagnostics);
        query
            .selects
            .iter()
            .map(|s| {
                let filters: Vec<&str> = s.filters.iter().map(|f| f.text(sql)).collect();
                let insert = s.where_insert.map_or(String::new(), |at| {
                    let at = at as usize;
                    format!("{}|{}", &sql[at.saturating_sub(6)..at], &sql[at..(at + 6).min(sql.len())])
                });
                format!(
                    "{}{} {:?} where={:?} insert={insert:?}",
                    if s.outer { "outer" } else { "inner" },
                    if s.reads_table { "+table" } else { "" },
                    filters,
                    s.where_condition.map(|w| w.text(sql)),
                )
            })
            .collect()
    }

    #[test]
    fn filters_of_every_select() {
        let sql = "MODEL (name a.b);\nWITH c AS (SELECT * FROM raw.t WHERE CAST(ts AS DATE) BETWEEN @start_ds AND @end_ds)\nSELECT c.x, d.y FROM c JOIN raw.d AS d ON d.id = c.id AND d.ds <= @end_ds::DATE LEFT JOIN raw.e ON TRUE\nWHERE c.x IN (SELECT x FROM raw.f) GROUP BY 1, 2 HAVING COUNT(*) > 1 QUALIFY ROW_NUMBER() OVER (ORDER BY x) = 1 ORDER BY 1";
        assert_eq!(
            selects(sql),
            [
                "inner+table [\"CAST(ts AS DATE) BETWEEN @start_ds AND @end_ds\"] where=Some(\"CAST(ts AS DATE) BETWEEN @start_ds AND @end_ds\") insert=\"\"",
                "outer+table [\"d.id = c.id AND d.ds <= @end_ds::DATE\", \"TRUE\", \"c.x IN (SELECT x FROM raw.f)\", \"COUNT(*) > 1\", \"ROW_NUMBER() OVER (ORDER BY x) = 1\"] where=Some(\"c.x IN (SELECT x FROM raw.f)\") insert=\"\"",
                "inner+table [] where=None insert=\" raw.f|) GROU\"",
            ]
        );
    }

    #[test]
    fn where_goes_after_the_joins() {
        let sql = "MODEL (name a.b);\nSELECT a, SUM(b) AS b\nFROM raw.t AS t\nJOIN raw.u AS u ON u.id = t.id\nGROUP BY a\nORDER BY a";
        assert_eq!(selects(sql), ["outer+table [\"u.id = t.id\"] where=None insert=\"= t.id|\\nGROUP\""]);
        let sql = "MODEL (name a.b);\nSELECT 1 AS x FROM raw.t";
        assert_eq!(selects(sql), ["outer+table [] where=None insert=\" raw.t|\""]);
        let sql = "MODEL (name a.b);\nSELECT 1 AS x";
        assert_eq!(selects(sql), ["outer [] where=None insert=\"\""]);
    }

    #[test]
    fn set_operations_subqueries_and_macros() {
        let sql = "MODEL (name a.b);\nSELECT x FROM (SELECT x FROM raw.t) AS s @WHERE(TRUE) x > 1\nUNION ALL\n(SELECT x FROM UNNEST([1, 2]) AS u(x) WHERE x > 0)\nLIMIT 3";
        assert_eq!(
            selects(sql),
            [
                "outer [\"x > 1\"] where=None insert=\"\"",
                "inner+table [] where=None insert=\" raw.t|) AS s\"",
                "outer [\"x > 0\"] where=Some(\"x > 0\") insert=\"\"",
            ]
        );
    }

    #[test]
    fn a_join_ends_the_previous_on() {
        let sql = "MODEL (name a.b);\nSELECT 1 AS x FROM raw.t AS t JOIN (SELECT id FROM raw.u) AS u ON u.id = t.id LEFT OUTER JOIN raw.v AS v ON v.id = t.id CROSS JOIN raw.w";
        assert_eq!(
            selects(sql),
            [
                "outer+table [\"u.id = t.id\", \"v.id = t.id\"] where=None insert=\" raw.w|\"",
                "inner+table [] where=None insert=\" raw.u|) AS u\"",
            ]
        );
    }

    #[test]
    fn star_except_is_not_a_set_operation() {
        let sql = "MODEL (name a.b, dialect bigquery);\nSELECT * EXCEPT (a) FROM raw.t WHERE b > 1";
        assert_eq!(selects(sql), ["outer+table [\"b > 1\"] where=Some(\"b > 1\") insert=\"\""]);
    }

    #[test]
    fn names_that_look_like_keywords() {
        let sql = "MODEL (name a.b);\nSELECT t.limit, t.left FROM raw.t AS t LEFT JOIN raw.u AS u ON u.left = LEFT(t.x, 2), raw.v AS v WHERE t.order > 1";
        assert_eq!(
            selects(sql),
            ["outer+table [\"u.left = LEFT(t.x, 2)\", \"t.order > 1\"] where=Some(\"t.order > 1\") insert=\"\""]
        );
    }
}
