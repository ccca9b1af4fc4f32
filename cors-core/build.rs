//! Indexes the shipped Public Suffix List (`data/public_suffix_list.txt`) into sorted
//! static tables, so that looking a name up allocates nothing at run time.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let list_path = "data/public_suffix_list.txt";
    println!("cargo::rerun-if-changed={list_path}");
    let text = std::fs::read_to_string(list_path).unwrap_or_else(|e| panic!("{list_path}: {e}"));
    let mut exact = BTreeSet::new();
    let mut wildcard = BTreeSet::new();
    let mut exception = BTreeSet::new();
    // Every proper ancestor of a rule's suffixes, with the shortest rule below it.
    let mut below: BTreeMap<&str, &str> = BTreeMap::new();
    for rule in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        assert!(
            rule.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.*!".contains(&b)),
            "{list_path}: rule {rule:?} is not ASCII (run scripts/update-psl.py)"
        );
        let name = if let Some(e) = rule.strip_prefix('!') {
            exception.insert(e);
            continue;
        } else if let Some(base) = rule.strip_prefix("*.") {
            wildcard.insert(base);
            base
        } else {
            exact.insert(rule);
            rule
        };
        let mut rest = if rule.starts_with("*.") {
            Some(name)
        } else {
            name.split_once('.').map(|(_, r)| r)
        };
        while let Some(ancestor) = rest {
            let best = below.entry(ancestor).or_insert(rule);
            if (rule.len(), rule) < (best.len(), *best) {
                *best = rule;
            }
            rest = ancestor.split_once('.').map(|(_, r)| r);
        }
    }
    let mut out = String::new();
    let mut table = |name: &str, items: &mut dyn Iterator<Item = String>| {
        let items: Vec<String> = items.collect();
        let _ = writeln!(out, "static {name}: [&str; {}] = [", items.len());
        for i in items {
            let _ = writeln!(out, "    {i},");
        }
        out.push_str("];\n");
    };
    table("EXACT", &mut exact.iter().map(|s| format!("{s:?}")));
    table("WILDCARD", &mut wildcard.iter().map(|s| format!("{s:?}")));
    table("EXCEPTION", &mut exception.iter().map(|s| format!("{s:?}")));
    let _ = writeln!(out, "static BELOW: [(&str, &str); {}] = [", below.len());
    for (k, v) in &below {
        let _ = writeln!(out, "    ({k:?}, {v:?}),");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("psl.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}
