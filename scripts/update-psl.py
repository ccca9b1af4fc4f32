#!/usr/bin/env python3
"""Writes cors-core/data/public_suffix_list.txt from a Public Suffix List file.

Usage: python3 scripts/update-psl.py PATH/TO/public_suffix_list.dat

Keeps every rule of both sections (ICANN and private), one per line, with Unicode labels
in their punycode (A-label) form, since configs must spell hosts as browsers send them.
"""
import sys
from pathlib import Path


def ascii_label(label: str) -> str:
    if label in ("*",) or label.isascii():
        return label.lower()
    return "xn--" + label.lower().encode("punycode").decode("ascii")


def main() -> None:
    src = Path(sys.argv[1]).read_text(encoding="utf-8")
    rules = []
    for line in src.splitlines():
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        rule = line.split()[0]
        bang = rule.startswith("!")
        body = rule[1:] if bang else rule
        rules.append(("!" if bang else "") + ".".join(ascii_label(l) for l in body.split(".")))
    out = Path(__file__).resolve().parent.parent / "cors-core" / "data" / "public_suffix_list.txt"
    header = (
        "# The Public Suffix List (https://publicsuffix.org/list/), ICANN and private sections,\n"
        "# one rule per line, Unicode labels in punycode. Mozilla Public License 2.0.\n"
        "# Regenerate: python3 scripts/update-psl.py public_suffix_list.dat\n"
    )
    out.write_text(header + "\n".join(rules) + "\n", encoding="ascii")
    print(f"{out}: {len(rules)} rules")


main()
