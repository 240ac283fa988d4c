//! "Did you mean" suggestions for the rules that check names against SQLMesh's vocabulary.

/// The candidate closest to `word` (case-insensitively), when it is close enough to be a likely
/// typo and no other candidate is as close: one edit for short words, up to a third of the
/// word for longer ones (Damerau-Levenshtein, so a swap of two letters is one edit).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    let mut tied = false;
    for candidate in candidates {
        let distance = strsim::damerau_levenshtein(&word, &candidate.to_lowercase());
        if distance == 0 || distance > limit {
            continue;
        }
        match best {
            Some((d, c)) if distance == d && !c.eq_ignore_ascii_case(candidate) => tied = true,
            Some((d, _)) if distance >= d => {}
            _ => {
                best = Some((distance, candidate));
                tied = false;
            }
        }
    }
    best.filter(|_| !tied).map(|(_, c)| c)
}

/// `suggestion` in the case style of `written`: upper case if `written` is, else lower case.
pub fn in_case_of(written: &str, suggestion: &str) -> String {
    let has_upper = written.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = written.chars().any(|c| c.is_ascii_lowercase());
    if has_upper && !has_lower { suggestion.to_ascii_uppercase() } else { suggestion.to_ascii_lowercase() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_unique_candidates() {
        let properties = ["owner", "kind", "cron", "grains", "grain", "start", "stamp"];
        assert_eq!(closest("ownr", properties), Some("owner"));
        assert_eq!(closest("OWNR", properties), Some("owner"));
        assert_eq!(closest("cronn", properties), Some("cron"));
        assert_eq!(closest("xyz", properties), None);
        assert_eq!(closest("owner", properties), None);
        assert_eq!(closest("stat", properties), Some("start"));
        // A tie suggests nothing.
        assert_eq!(closest("ca", ["cat", "car"]), None);
        assert_eq!(closest("ture", ["true", "false"]), Some("true"));
        assert_eq!(
            closest("INCREMENTAL_BY_TIME", ["INCREMENTAL_BY_TIME_RANGE", "INCREMENTAL_BY_UNIQUE_KEY"]),
            Some("INCREMENTAL_BY_TIME_RANGE")
        );
    }

    #[test]
    fn keeps_the_case_style() {
        assert_eq!(in_case_of("FULLL", "full"), "FULL");
        assert_eq!(in_case_of("fulll", "FULL"), "full");
        assert_eq!(in_case_of("Fulll", "FULL"), "full");
    }
}
