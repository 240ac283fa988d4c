//! The meshls dialect: one wrapper over each sqlparser dialect that reads what sqlglot's
//! dialect of the same name reads.
//!
//! sqlglot's parser is one permissive base that each dialect narrows a little; sqlparser's
//! dialects are each narrow. [`MeshDialect`] delegates every hook to the sqlparser dialect it
//! wraps (its `TypeId` too, so sqlparser's own `dialect_of!` checks still see, say, BigQuery)
//! and widens it where sqlglot's base parser accepts more:
//! - an identifier may start with `_`, as the placeholders of masked macros do (Hive's and
//!   Spark's sqlparser dialects refuse it);
//! - `* EXCEPT (...)`, `* EXCLUDE (...)`, `* REPLACE (...)` and `* RENAME (...)` after a star;
//! - `x IN @EACH(...)`: `IN` followed by an expression without parentheses (a masked macro);
//! - `FROM t SELECT ...`;
//! - adjacent string literals, `'a' 'b'`, as one;
//! - `group`, `order`, `partition`... as a column: sqlglot reserves only `GROUP BY`, `ORDER BY`.
//!
//! [`MeshDialect::permissive`] is the dialect a query is retried in when its own dialect
//! rejects it: sqlparser's generic dialect with nearly every syntax switch on. What still
//! differs from sqlglot is listed in `docs/dialects.md`.

use sqlparser::ast::{ColumnOption, Expr, GranteesType, Ident, ObjectNamePart, Statement};
use sqlparser::dialect::{Dialect, GenericDialect, Precedence};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;
use std::any::TypeId;
use std::iter::Peekable;
use std::str::Chars;

/// A sqlparser dialect widened as sqlglot's dialect of the same name.
#[derive(Debug)]
pub struct MeshDialect {
    inner: Box<dyn Dialect>,
    /// The retry dialect: every switch in [`PERMISSIVE`](MeshDialect::permissive) on too.
    permissive: bool,
}

impl MeshDialect {
    /// `inner` widened as sqlglot widens it.
    pub fn new(inner: Box<dyn Dialect>) -> MeshDialect {
        MeshDialect { inner, permissive: false }
    }

    /// The most permissive dialect, for a query its own dialect rejects: generic, with every
    /// switch that only lets more queries parse turned on.
    pub fn permissive() -> MeshDialect {
        MeshDialect { inner: Box::new(GenericDialect {}), permissive: true }
    }
}

/// Hooks passed through to the wrapped dialect unchanged.
macro_rules! delegate {
    ($($name:ident),* $(,)?) => {
        $(fn $name(&self) -> bool { self.inner.$name() })*
    };
}

/// Hooks that are on in every meshls dialect, as in sqlglot's base parser.
macro_rules! widen {
    ($($name:ident),* $(,)?) => {
        $(fn $name(&self) -> bool { true })*
    };
}

/// Hooks that are on in the permissive dialect, else the wrapped dialect's.
macro_rules! permit {
    ($($name:ident),* $(,)?) => {
        $(fn $name(&self) -> bool { self.permissive || self.inner.$name() })*
    };
}

impl Dialect for MeshDialect {
    fn dialect(&self) -> TypeId {
        self.inner.dialect()
    }

    fn is_identifier_start(&self, ch: char) -> bool {
        // The placeholder of a masked macro starts with `_`; sqlglot reads `_x` in every dialect.
        ch == '_' || self.inner.is_identifier_start(ch)
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        self.inner.is_identifier_part(ch)
    }

    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        self.inner.is_delimited_identifier_start(ch)
    }

    fn is_nested_delimited_identifier_start(&self, ch: char) -> bool {
        self.inner.is_nested_delimited_identifier_start(ch)
    }

    fn peek_nested_delimited_identifier_quotes(&self, chars: Peekable<Chars<'_>>) -> Option<(char, Option<char>)> {
        self.inner.peek_nested_delimited_identifier_quotes(chars)
    }

    fn identifier_quote_style(&self, identifier: &str) -> Option<char> {
        self.inner.identifier_quote_style(identifier)
    }

    fn is_custom_operator_part(&self, ch: char) -> bool {
        self.inner.is_custom_operator_part(ch)
    }

    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        self.inner.parse_prefix(parser).or_else(|| clause_word_as_column(parser))
    }

    fn parse_infix(&self, parser: &mut Parser, expr: &Expr, precedence: u8) -> Option<Result<Expr, ParserError>> {
        self.inner.parse_infix(parser, expr, precedence)
    }

    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        self.inner.get_next_precedence(parser)
    }

    fn get_next_precedence_default(&self, parser: &Parser) -> Result<u8, ParserError> {
        self.inner.get_next_precedence_default(parser)
    }

    fn parse_statement(&self, parser: &mut Parser) -> Option<Result<Statement, ParserError>> {
        self.inner.parse_statement(parser)
    }

    fn parse_column_option(
        &self,
        parser: &mut Parser,
    ) -> Result<Option<Result<Option<ColumnOption>, ParserError>>, ParserError> {
        self.inner.parse_column_option(parser)
    }

    fn prec_value(&self, prec: Precedence) -> u8 {
        self.inner.prec_value(prec)
    }

    fn prec_unknown(&self) -> u8 {
        self.inner.prec_unknown()
    }

    fn is_reserved_for_identifier(&self, kw: Keyword) -> bool {
        self.inner.is_reserved_for_identifier(kw)
    }

    fn get_reserved_keywords_for_select_item_operator(&self) -> &[Keyword] {
        self.inner.get_reserved_keywords_for_select_item_operator()
    }

    fn get_reserved_grantees_types(&self) -> &[GranteesType] {
        self.inner.get_reserved_grantees_types()
    }

    fn is_column_alias(&self, kw: &Keyword, parser: &mut Parser) -> bool {
        // Also asked after a comma of a select list that may end in a trailing comma: `, group`
        // goes on with the column `group` unless `BY` follows.
        (CLAUSE_WORDS.contains(kw) && !next_is_by(parser, 0)) || self.inner.is_column_alias(kw, parser)
    }

    fn is_select_item_alias(&self, explicit: bool, kw: &Keyword, parser: &mut Parser) -> bool {
        self.inner.is_select_item_alias(explicit, kw, parser)
    }

    fn is_table_factor(&self, kw: &Keyword, parser: &mut Parser) -> bool {
        self.inner.is_table_factor(kw, parser)
    }

    fn is_table_alias(&self, kw: &Keyword, parser: &mut Parser) -> bool {
        self.inner.is_table_alias(kw, parser)
    }

    fn is_table_factor_alias(&self, explicit: bool, kw: &Keyword, parser: &mut Parser) -> bool {
        self.inner.is_table_factor_alias(explicit, kw, parser)
    }

    fn is_identifier_generating_function_name(&self, ident: &Ident, name_parts: &[ObjectNamePart]) -> bool {
        self.inner.is_identifier_generating_function_name(ident, name_parts)
    }

    widen! {
        supports_select_wildcard_except, supports_select_wildcard_exclude, supports_select_wildcard_replace,
        supports_select_wildcard_rename, supports_in_unparenthesized_expr, supports_from_first_select,
        supports_string_literal_concatenation
    }

    permit! {
        supports_filter_during_aggregation, supports_within_after_array_aggregation, supports_group_by_expr,
        supports_named_fn_args_with_eq_operator, supports_named_fn_args_with_rarrow_operator,
        supports_named_fn_args_with_assignment_operator, supports_numeric_literal_underscores,
        supports_window_function_null_treatment_arg, supports_dictionary_syntax, supports_lambda_functions,
        supports_struct_literal, supports_select_expr_star, supports_order_by_all, supports_in_empty_list,
        supports_array_typedef_with_brackets, supports_select_wildcard_ilike, supports_match_recognize,
        supports_connect_by, supports_outer_join_operator, supports_partition_by_after_order_by,
        supports_window_clause_named_window_reference, supports_limit_comma,
        supports_asc_desc_in_column_definition, supports_table_versioning, supports_array_join_syntax,
        supports_cross_join_constraint, supports_top_before_distinct, supports_notnull_operator,
        supports_extract_comma_syntax, allow_extract_custom, allow_extract_single_quotes,
        supports_subquery_as_function_arg, supports_try_convert, supports_values_as_table_factor,
        supports_semantic_view_table_factor, supports_unpivot_expr, supports_table_sample_before_alias,
        supports_comma_separated_trim, supports_binary_kw_as_cast, supports_bitwise_shift_operators,
        supports_prewhere, supports_limit_by, supports_settings, supports_with_fill, supports_group_by_with_modifier,
        supports_select_modifiers, supports_long_type_as_bigint, supports_map_literal_with_angle_brackets
    }

    delegate! {
        supports_string_literal_backslash_escape, ignores_wildcard_escapes, supports_unicode_string_literal,
        supports_alter_user_as_alter_role, supports_left_associative_joins_without_parens,
        supports_execute_immediate, supports_start_transaction_modifier, supports_end_transaction_modifier,
        supports_named_fn_args_with_colon_operator, supports_named_fn_args_with_expr_name, supports_numeric_prefix,
        support_map_literal_syntax, supports_parenthesized_set_variables, supports_comma_separated_set_assignments,
        supports_update_order_by, convert_type_before_value, supports_triple_quoted_string, supports_trailing_commas,
        supports_string_literal_concatenation_with_newline, supports_projection_trailing_commas,
        supports_from_trailing_commas, supports_column_definition_trailing_commas,
        supports_object_name_double_dot_notation, supports_empty_projections, supports_from_first_insert,
        supports_pipe_operator, supports_user_host_grantee, supports_match_against, supports_select_exclude,
        supports_create_table_multi_schema_info_sources, describe_requires_table_keyword,
        supports_create_view_comment_syntax, supports_array_typedef_without_element_type,
        supports_parens_around_table_factor, supports_dollar_placeholder, supports_dollar_as_money_prefix,
        supports_create_index_with_clause, require_interval_qualifier, supports_explain_with_utility_options,
        supports_factorial_operator, supports_nested_comments, supports_multiline_comment_hints,
        supports_eq_alias_assignment, supports_bang_not_operator, supports_listen_notify,
        supports_exclude_constraint, supports_load_data, supports_load_extension, supports_boolean_literals,
        supports_show_like_before_in, supports_comment_on, supports_create_table_select,
        supports_leading_comma_before_table_options, supports_partiql, supports_constraint_keyword_without_name,
        supports_key_column_option, supports_insert_set, supports_insert_table_function, supports_insert_table_query,
        supports_insert_format, supports_insert_table_alias, supports_set_stmt_without_operator,
        supports_string_escape_constant, supports_table_hints, requires_single_line_comment_whitespace,
        supports_geometric_types, supports_order_by_using_operator, supports_set_names,
        supports_space_separated_column_options, supports_alter_column_type_using,
        supports_comma_separated_drop_column_list, supports_data_type_signed_suffix, supports_interval_options,
        supports_create_table_like_parenthesized, supports_quote_delimited_string, supports_comment_optimizer_hint,
        supports_double_ampersand_operator, supports_select_wildcard_with_alias, supports_optimize_table,
        supports_install, supports_detach, supports_interpolate, supports_select_format, supports_cte_without_as,
        supports_select_item_multi_column_alias, supports_xml_expressions, supports_aliased_function_args,
        supports_create_table_using
    }
}

/// Words that sqlglot reads as a keyword only when `BY` follows (its tokenizer has `GROUP BY`,
/// `ORDER BY`... as single tokens), and otherwise as a name.
const CLAUSE_WORDS: &[Keyword] =
    &[Keyword::GROUP, Keyword::ORDER, Keyword::PARTITION, Keyword::CLUSTER, Keyword::SORT, Keyword::DISTRIBUTE];

/// `group` (not followed by `BY`) where an expression starts: the column named `group`.
fn clause_word_as_column(parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
    let Token::Word(word) = &parser.peek_token_ref().token else { return None };
    if word.quote_style.is_some() || !CLAUSE_WORDS.contains(&word.keyword) {
        return None;
    }
    if next_is_by(parser, 1) {
        return None;
    }
    let token = parser.next_token();
    let Token::Word(word) = token.token else { return None };
    Some(Ok(Expr::Identifier(word.into_ident(token.span))))
}

/// Whether the `n`th token from the parser's position is `BY`.
fn next_is_by(parser: &Parser, n: usize) -> bool {
    matches!(&parser.peek_nth_token_ref(n).token, Token::Word(next) if next.keyword == Keyword::BY)
}

#[cfg(test)]
mod tests {
    use super::MeshDialect;
    use crate::syntax::sql::parser_dialect;
    use crate::syntax::sqlmesh::ParserDialect;
    use sqlparser::parser::Parser;

    const ALL: &[ParserDialect] = &[
        ParserDialect::Generic,
        ParserDialect::Ansi,
        ParserDialect::BigQuery,
        ParserDialect::ClickHouse,
        ParserDialect::Databricks,
        ParserDialect::DuckDb,
        ParserDialect::Hive,
        ParserDialect::MsSql,
        ParserDialect::MySql,
        ParserDialect::Postgres,
        ParserDialect::Redshift,
        ParserDialect::Snowflake,
        ParserDialect::SQLite,
    ];

    fn parses(dialect: &MeshDialect, sql: &str) -> bool {
        Parser::new(dialect).try_with_sql(sql).and_then(|mut p| p.parse_statements()).is_ok()
    }

    fn parses_everywhere(sql: &str) {
        for &dialect in ALL {
            assert!(parses(&parser_dialect(dialect), sql), "{dialect:?} refuses {sql}");
        }
    }

    #[test]
    fn macro_placeholders_are_identifiers_in_every_dialect() {
        parses_everywhere("SELECT a FROM t WHERE ds BETWEEN _start_ds AND _end_ds");
    }

    #[test]
    fn star_modifiers_in_every_dialect() {
        parses_everywhere("SELECT * EXCEPT (secret) FROM t");
        parses_everywhere("SELECT t.* EXCLUDE (secret) FROM t");
    }

    #[test]
    fn in_a_masked_macro_without_parentheses() {
        parses_everywhere("SELECT a FROM t WHERE a IN _EACH_____________");
    }

    #[test]
    fn clause_words_are_columns_unless_by_follows() {
        parses_everywhere("SELECT a, group, t.order FROM t GROUP BY a, group ORDER BY a");
        assert!(parses(&parser_dialect(ParserDialect::DuckDb), "SELECT stage, group FROM t"));
    }

    #[test]
    fn adjacent_strings_and_an_empty_list_item() {
        assert!(parses(&parser_dialect(ParserDialect::Databricks), "SELECT a FROM t WHERE b IN ('x' 'y')"));
        parses_everywhere("SELECT a + INTERVAL (n) DAY FROM t");
    }

    #[test]
    fn the_wrapped_dialect_keeps_its_identity() {
        // sqlparser's own `dialect_of!(BigQueryDialect)` checks see through the wrapper.
        let bigquery = parser_dialect(ParserDialect::BigQuery);
        assert!(parses(&bigquery, "SELECT x FROM bigquery-public-data.samples.events"));
        assert!(!parses(&parser_dialect(ParserDialect::Postgres), "SELECT x FROM bigquery-public-data.samples.events"));
    }

    #[test]
    fn the_permissive_dialect_reads_more() {
        let sql = "SELECT {'a': 1} AS d, list_transform(l, x -> x + 1) FROM t";
        assert!(!parses(&parser_dialect(ParserDialect::Ansi), sql));
        assert!(parses(&MeshDialect::permissive(), sql));
    }
}
