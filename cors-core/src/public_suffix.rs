//! The Public Suffix List, both sections (ICANN and private), for refusing wildcards that
//! would match sites owned by anyone.
//!
//! The list ships as text (`data/public_suffix_list.txt`, punycode labels) and is indexed
//! once, on the first config that has a wildcard. Only explicit rules count: a name the list
//! does not mention (`localhost`, `example.com`) is not a public suffix, whatever the list's
//! implicit `*` rule says.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

static LIST: &str = include_str!("../data/public_suffix_list.txt");

struct Index {
    /// Plain rules (`co.uk`).
    exact: HashSet<&'static str>,
    /// Bases of wildcard rules (`ck` for `*.ck`).
    wildcard: HashSet<&'static str>,
    /// Exception rules without the `!` (`www.ck`).
    exception: HashSet<&'static str>,
    /// For every proper ancestor of a rule, the shortest rule below it (ties: the first
    /// in byte order), as written in the list (`s3.amazonaws.com`, `*.compute-1...`).
    below: HashMap<&'static str, &'static str>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut ix = Index {
            exact: HashSet::new(),
            wildcard: HashSet::new(),
            exception: HashSet::new(),
            below: HashMap::new(),
        };
        for rule in rules() {
            let name = if let Some(e) = rule.strip_prefix('!') {
                ix.exception.insert(e);
                continue;
            } else if let Some(base) = rule.strip_prefix("*.") {
                ix.wildcard.insert(base);
                base
            } else {
                ix.exact.insert(rule);
                rule
            };
            // Ancestors strictly above the suffixes the rule makes: for `*.b.c` the rule's
            // suffixes are children of `b.c`, so `b.c` itself is an ancestor too.
            let mut rest = if rule.starts_with("*.") {
                Some(name)
            } else {
                name.split_once('.').map(|(_, r)| r)
            };
            while let Some(ancestor) = rest {
                ix.below
                    .entry(ancestor)
                    .and_modify(|best| {
                        if (rule.len(), rule) < (best.len(), *best) {
                            *best = rule;
                        }
                    })
                    .or_insert(rule);
                rest = ancestor.split_once('.').map(|(_, r)| r);
            }
        }
        ix
    })
}

/// Every rule of the list as written there (`co.uk`, `*.ck`, `!www.ck`).
pub(crate) fn rules() -> impl Iterator<Item = &'static str> {
    LIST.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Whether the lower-case ASCII `name` is a public suffix by an explicit rule: a plain
/// rule, or a wildcard rule over its parent that no exception rule lifts.
pub(crate) fn is_public_suffix(name: &str) -> bool {
    let ix = index();
    if ix.exception.contains(name) {
        return false;
    }
    ix.exact.contains(name)
        || name
            .split_once('.')
            .is_some_and(|(_, parent)| ix.wildcard.contains(parent))
}

/// Why a wildcard over `base` (`*.base`, or a label pattern in front of `base`) could match
/// a host that sits directly on a public suffix: the rule that makes it so.
///
/// `Some("co.uk")` when `base` is itself a public suffix; `Some("*.ck")` when the list
/// makes every name directly under `base` a public suffix (exceptions such as `www.ck`
/// still cannot be matched safely, since the wildcard covers the other names too).
pub(crate) fn wildcard_violation(base: &str) -> Option<String> {
    if is_public_suffix(base) {
        return Some(base.to_owned());
    }
    index().wildcard.contains(base).then(|| format!("*.{base}"))
}

/// One public-suffix rule strictly below `base`, when the list has any: a wildcard over
/// `base` then also matches hosts of other owners under that suffix.
pub(crate) fn suffix_below(base: &str) -> Option<&'static str> {
    index().below.get(base).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_wildcard_and_exception_rules() {
        assert!(is_public_suffix("com"));
        assert!(is_public_suffix("co.uk"));
        assert!(is_public_suffix("github.io"));
        assert!(is_public_suffix("co.ck"));
        assert!(!is_public_suffix("www.ck"));
        assert!(!is_public_suffix("ck"), "no plain rule for ck");
        assert!(!is_public_suffix("localhost"));
        assert!(!is_public_suffix("example.com"));
        assert_eq!(wildcard_violation("ck").as_deref(), Some("*.ck"));
        assert_eq!(wildcard_violation("co.uk").as_deref(), Some("co.uk"));
        assert_eq!(wildcard_violation("www.ck"), None);
        assert_eq!(wildcard_violation("example.com"), None);
        assert_eq!(
            suffix_below("amazonaws.com").map(|s| s.ends_with(".amazonaws.com")),
            Some(true)
        );
        assert_eq!(suffix_below("example.com"), None);
    }
}
