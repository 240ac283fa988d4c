//! `ignore_patterns`: the project files SQLMesh skips.
//!
//! SQLMesh's loader (`Loader._glob_paths`, SQLMesh 0.236.4 under Python 3.11) drops a file of
//! `models/`, `audits/`, `macros/`, `signals/`, `linter/` and `metrics/` when, for some
//! pattern, either
//! - `PurePath(file).match(pattern)`: the pattern's components match the path's last ones, each
//!   with `fnmatch` (`*` within one component, so `**` is just `*` here); an absolute pattern
//!   must match every component; or
//! - the file is among `glob.glob(root / pattern, recursive=True)`: the pattern relative to the
//!   project root, where `**` spans any number of folders, and wildcards never match a name
//!   starting with `.` unless the pattern's component starts with one too.
//!
//! A folder matched by a pattern does not drop the files under it (`models/old` ignores
//! nothing; `models/old/*` or `models/old/**` does). Without `ignore_patterns` in the config,
//! SQLMesh's default `[".ipynb_checkpoints/*"]` applies; a configured list replaces it.
//! External model YAML files are read whatever the patterns say.

use std::path::{Component, Path, PathBuf};

/// SQLMesh's `IGNORE_PATTERNS`, used when the config sets none.
pub const DEFAULT_IGNORE_PATTERNS: &[&str] = &[".ipynb_checkpoints/*"];

/// The ignore patterns of one project, ready to match paths.
#[derive(Debug, Clone, Default)]
pub struct IgnorePatterns {
    /// The project root, absolute (as SQLMesh makes its config paths).
    root: Vec<String>,
    /// Each pattern's components (`.` and empty ones dropped), and whether it is absolute.
    patterns: Vec<(Vec<String>, bool)>,
}

impl IgnorePatterns {
    /// The patterns of the project at `root`: `configured` when the config sets
    /// `ignore_patterns`, else SQLMesh's default.
    pub fn new(root: &Path, configured: Option<&[String]>) -> IgnorePatterns {
        let patterns: Vec<&str> = match configured {
            Some(list) => list.iter().map(String::as_str).collect(),
            None => DEFAULT_IGNORE_PATTERNS.to_vec(),
        };
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        IgnorePatterns {
            root: parts(&root),
            patterns: patterns
                .iter()
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let parts = p.split('/').filter(|c| !c.is_empty() && *c != ".").map(str::to_string).collect();
                    (parts, p.starts_with('/'))
                })
                .filter(|(parts, _): &(Vec<String>, bool)| !parts.is_empty())
                .collect(),
        }
    }

    /// Whether SQLMesh skips the file at `path` (absolute, or relative to the working folder).
    pub fn ignores(&self, path: &Path) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let absolute: PathBuf = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let file = parts(&absolute);
        let relative = file.strip_prefix(self.root.as_slice());
        self.patterns.iter().any(|(pattern, is_absolute)| {
            pure_path_match(&file, pattern, *is_absolute)
                || match (is_absolute, relative) {
                    (true, _) => glob_match(&file, pattern),
                    (false, Some(relative)) => glob_match(relative, pattern),
                    (false, None) => false,
                }
        })
    }
}

/// A path's normal components as strings (the root and `.` left out).
fn parts(path: &Path) -> Vec<String> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect()
}

/// Python 3.11's `PurePosixPath(path).match(pattern)` for an absolute `path`.
fn pure_path_match(path: &[String], pattern: &[String], pattern_absolute: bool) -> bool {
    if pattern_absolute && pattern.len() != path.len() {
        return false;
    }
    if pattern.len() > path.len() {
        return false;
    }
    path.iter().rev().zip(pattern.iter().rev()).all(|(part, pat)| fnmatch(part, pat))
}

/// Whether `path` (components from where the pattern starts) is among what
/// `glob.glob(pattern, recursive=True)` yields.
fn glob_match(path: &[String], pattern: &[String]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            // Zero or more non-hidden folders (or, last, files too).
            (0..=path.len())
                .any(|skip| path[..skip].iter().all(|p| !p.starts_with('.')) && glob_match(&path[skip..], rest))
        }
        Some((first, rest)) => match path.split_first() {
            None => false,
            Some((name, path_rest)) => {
                let matches = if has_magic(first) {
                    (!name.starts_with('.') || first.starts_with('.')) && fnmatch(name, first)
                } else {
                    name == first
                };
                matches && glob_match(path_rest, rest)
            }
        },
    }
}

fn has_magic(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// Python's `fnmatch.fnmatchcase`: `*`, `?`, `[seq]` and `[!seq]` (a `[` with no closing `]`
/// is literal).
fn fnmatch(name: &str, pattern: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    fnmatch_chars(&name, &pattern)
}

fn fnmatch_chars(name: &[char], pattern: &[char]) -> bool {
    match pattern.first() {
        None => name.is_empty(),
        Some('*') => (0..=name.len()).any(|skip| fnmatch_chars(&name[skip..], &pattern[1..])),
        Some('?') => !name.is_empty() && fnmatch_chars(&name[1..], &pattern[1..]),
        Some('[') => match bracket(pattern) {
            Some((set, negated, len)) => {
                let Some(&c) = name.first() else { return false };
                set.contains(c) != negated && fnmatch_chars(&name[1..], &pattern[len..])
            }
            None => name.first() == Some(&'[') && fnmatch_chars(&name[1..], &pattern[1..]),
        },
        Some(&c) => name.first() == Some(&c) && fnmatch_chars(&name[1..], &pattern[1..]),
    }
}

/// A character class of `fnmatch`.
struct CharSet(Vec<(char, char)>);

impl CharSet {
    fn contains(&self, c: char) -> bool {
        self.0.iter().any(|&(lo, hi)| lo <= c && c <= hi)
    }
}

/// The class `[...]` at the start of `pattern`: its ranges, whether it is negated (`[!...]`),
/// and how many characters it spans; None when it has no closing `]`.
fn bracket(pattern: &[char]) -> Option<(CharSet, bool, usize)> {
    let mut i = 1;
    let negated = pattern.get(i) == Some(&'!');
    if negated {
        i += 1;
    }
    // A `]` first in the class is a member, as in Python.
    let start = i;
    if pattern.get(i) == Some(&']') {
        i += 1;
    }
    while pattern.get(i).is_some_and(|&c| c != ']') {
        i += 1;
    }
    if i >= pattern.len() {
        return None;
    }
    let body = &pattern[start..i];
    let mut ranges = Vec::new();
    let mut j = 0;
    while j < body.len() {
        if j + 2 < body.len() && body[j + 1] == '-' {
            // Python drops a reversed range (`z-a`) rather than failing.
            if body[j] <= body[j + 2] {
                ranges.push((body[j], body[j + 2]));
            }
            j += 3;
        } else {
            ranges.push((body[j], body[j]));
            j += 1;
        }
    }
    Some((CharSet(ranges), negated, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored(patterns: &[&str], file: &str) -> bool {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        IgnorePatterns::new(Path::new("/p/proj"), Some(&patterns)).ignores(Path::new(file))
    }

    #[test]
    fn matches_like_sqlmesh() {
        // (patterns, file, ignored): checked against Python 3.11's glob and PurePath.match.
        let cases: &[(&[&str], &str, bool)] = &[
            (&["models/incremental/DimTrade.sql"], "/p/proj/models/incremental/DimTrade.sql", true),
            (&["models/incremental/DimTrade.sql"], "/p/proj/models/incremental/dimtrade.sql", false),
            (&["DimTrade.sql"], "/p/proj/models/incremental/DimTrade.sql", true),
            (&["models/*.sql"], "/p/proj/models/a.sql", true),
            (&["models/*.sql"], "/p/proj/models/sub/a.sql", false),
            (&["models/**/*.sql"], "/p/proj/models/a.sql", true),
            (&["models/**/*.sql"], "/p/proj/models/sub/deeper/a.sql", true),
            (&["models/**"], "/p/proj/models/sub/a.sql", true),
            (&["models/**"], "/p/proj/models/.hidden/a.sql", false),
            (&["models/old"], "/p/proj/models/old/a.sql", false),
            (&["models/old/*"], "/p/proj/models/old/a.sql", true),
            (&["*.py"], "/p/proj/models/x.py", true),
            (&["*"], "/p/proj/models/.x.sql", true),
            // `PurePath.match` has no rule for hidden names; only glob's `**` skips them.
            (&["models/*"], "/p/proj/models/.x.sql", true),
            (&["models/**/a.sql"], "/p/proj/models/.hidden/a.sql", true),
            (&["**/*.sql"], "/p/proj/models/.hidden/a.sql", true),
            (&["a[0-9].sql"], "/p/proj/models/a7.sql", true),
            (&["a[!0-9].sql"], "/p/proj/models/a7.sql", false),
            (&["a[.sql"], "/p/proj/models/a[.sql", true),
            (&["./models/a.sql"], "/p/proj/models/a.sql", true),
            (&["/p/proj/models/a.sql"], "/p/proj/models/a.sql", true),
            (&["/proj/models/a.sql"], "/p/proj/models/a.sql", false),
            (&["?.sql"], "/p/proj/models/ab.sql", false),
        ];
        for (patterns, file, expected) in cases {
            assert_eq!(ignored(patterns, file), *expected, "{patterns:?} {file}");
        }
    }

    #[test]
    fn default_ignores_notebook_checkpoints() {
        let defaults = IgnorePatterns::new(Path::new("/p/proj"), None);
        assert!(defaults.ignores(Path::new("/p/proj/models/.ipynb_checkpoints/a.sql")));
        assert!(!defaults.ignores(Path::new("/p/proj/models/a.sql")));
        // A configured list replaces the default.
        let configured = IgnorePatterns::new(Path::new("/p/proj"), Some(&["x.sql".to_string()]));
        assert!(!configured.ignores(Path::new("/p/proj/models/.ipynb_checkpoints/a.sql")));
    }
}
