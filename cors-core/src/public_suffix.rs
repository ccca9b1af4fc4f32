//! The Public Suffix List, both sections (ICANN and private), for refusing wildcards that
//! would match sites owned by anyone.
//!
//! The list ships as text (`data/public_suffix_list.txt`, punycode labels); `build.rs`
//! turns it into sorted static tables, so lookups allocate nothing. Only explicit rules
//! count: a name the list does not mention (`localhost`, `example.com`) is not a public
//! suffix, whatever the list's implicit `*` rule says.

// EXACT, WILDCARD (bases of `*.` rules), EXCEPTION (without `!`), sorted; BELOW: for every
// proper ancestor of a rule's suffixes, the shortest rule below it, sorted by ancestor.
include!(concat!(env!("OUT_DIR"), "/psl.rs"));

fn contains(table: &[&str], name: &str) -> bool {
    table.binary_search(&name).is_ok()
}

/// Every rule of the list as written there (`co.uk`, `*.ck`, `!www.ck`).
#[cfg(test)]
pub(crate) fn rules() -> impl Iterator<Item = &'static str> {
    include_str!("../data/public_suffix_list.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Whether the lower-case ASCII `name` is a public suffix by an explicit rule: a plain
/// rule, or a wildcard rule over its parent that no exception rule lifts.
pub(crate) fn is_public_suffix(name: &str) -> bool {
    if contains(&EXCEPTION, name) {
        return false;
    }
    contains(&EXACT, name)
        || name
            .split_once('.')
            .is_some_and(|(_, parent)| contains(&WILDCARD, parent))
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
    contains(&WILDCARD, base).then(|| format!("*.{base}"))
}

/// One public-suffix rule strictly below `base`, when the list has any: a wildcard over
/// `base` then also matches hosts of other owners under that suffix.
pub(crate) fn suffix_below(base: &str) -> Option<&'static str> {
    BELOW
        .binary_search_by(|(ancestor, _)| (*ancestor).cmp(base))
        .ok()
        .and_then(|i| BELOW.get(i))
        .map(|(_, rule)| *rule)
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
