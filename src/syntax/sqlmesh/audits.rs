//! SQLMesh's built-in audits, usable in a model's `audits (...)` without being defined.

use super::AuditSpec;

const fn audit(name: &'static str, params: &'static [&'static str], doc: &'static str) -> AuditSpec {
    AuditSpec { name, params, doc }
}

/// SQLMesh's built-in audits (`sqlmesh/core/audit/builtin.py`). Every one also exists as
/// `<name>_non_blocking`, which warns instead of failing.
pub static BUILTIN_AUDITS: &[AuditSpec] = &[
    audit("not_null", &["columns", "condition := TRUE"], "Fails if any of the columns is NULL."),
    audit("unique_values", &["columns", "condition := TRUE"], "Fails if any of the columns has duplicates."),
    audit(
        "unique_combination_of_columns",
        &["columns", "condition := TRUE"],
        "Fails if the combination of columns is not unique.",
    ),
    audit(
        "accepted_values",
        &["column", "is_in", "condition := TRUE"],
        "Fails if the column has a value outside is_in.",
    ),
    audit(
        "not_accepted_values",
        &["column", "is_in", "condition := TRUE"],
        "Fails if the column has a value from is_in.",
    ),
    audit("number_of_rows", &["threshold", "condition := TRUE"], "Fails if the table has fewer rows than threshold."),
    audit("forall", &["criteria", "condition := TRUE"], "Fails if any row breaks one of the criteria."),
    audit(
        "accepted_range",
        &["column", "min_v := NULL", "max_v := NULL", "inclusive := TRUE", "condition := TRUE"],
        "Fails if the column has a value outside [min_v, max_v].",
    ),
    audit("at_least_one", &["column", "condition := TRUE"], "Fails if the column has no non-NULL value."),
    audit("not_constant", &["column", "condition := TRUE"], "Fails if the column has a single distinct value."),
    audit("not_empty_string", &["column", "condition := TRUE"], "Fails if the column contains an empty string."),
    audit(
        "not_null_proportion",
        &["column", "threshold", "condition := TRUE"],
        "Fails if the share of non-NULL values is below threshold.",
    ),
    audit(
        "sequential_values",
        &["column", "interval := 1", "condition := TRUE"],
        "Fails if consecutive values differ by other than interval.",
    ),
    audit(
        "mutually_exclusive_ranges",
        &["lower_bound_column", "upper_bound_column", "partition_clause := FALSE", "condition := TRUE"],
        "Fails if ranges overlap or leave gaps.",
    ),
    audit("valid_uuid", &["column", "condition := TRUE"], "Fails if the column has a value that is not a UUID."),
    audit("valid_url", &["column", "condition := TRUE"], "Fails if the column has a value that is not a URL."),
    audit("valid_http_method", &["column"], "Fails if the column has a value that is not an HTTP method."),
    audit(
        "valid_email",
        &["column", "condition := TRUE"],
        "Fails if the column has a value that is not an email address.",
    ),
    audit(
        "match_regex_pattern_list",
        &["column", "patterns", "condition := TRUE"],
        "Fails if a value matches none of the regex patterns.",
    ),
    audit(
        "not_match_regex_pattern_list",
        &["column", "patterns", "condition := TRUE"],
        "Fails if a value matches one of the regex patterns.",
    ),
    audit(
        "match_like_pattern_list",
        &["column", "patterns", "condition := TRUE"],
        "Fails if a value matches none of the LIKE patterns.",
    ),
    audit(
        "not_match_like_pattern_list",
        &["column", "patterns", "condition := TRUE"],
        "Fails if a value matches one of the LIKE patterns.",
    ),
    audit("z_score", &["column", "threshold", "condition := TRUE"], "Fails if a value's z-score exceeds threshold."),
    audit(
        "string_length_between",
        &["column", "min_v := NULL", "max_v := NULL", "inclusive := TRUE", "condition := TRUE"],
        "Fails if a string's length is outside [min_v, max_v].",
    ),
    audit("string_length_equal", &["column", "v", "condition := TRUE"], "Fails if a string's length is not v."),
    audit(
        "stddev_in_range",
        &["column", "min_v := NULL", "max_v := NULL", "inclusive := TRUE", "condition := TRUE"],
        "Fails if the column's standard deviation is outside [min_v, max_v].",
    ),
    audit(
        "mean_in_range",
        &["column", "min_v := NULL", "max_v := NULL", "inclusive := TRUE", "condition := TRUE"],
        "Fails if the column's mean is outside [min_v, max_v].",
    ),
    audit(
        "kl_divergence",
        &["source_column", "target_column", "threshold", "condition := TRUE"],
        "Fails if the KL divergence between two columns exceeds threshold.",
    ),
    audit(
        "chi_square",
        &["column_a", "column_b", "critical_value", "dependent := TRUE", "condition := TRUE"],
        "Fails the chi-square independence test between two columns.",
    ),
];
