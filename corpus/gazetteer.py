"""Councils named in a report's text: the gazetteer's names and aliases, read in context.

A report names many places (an officer called Poole, Ofsted's office in Manchester), so a name
counts only where the text names the *inspected* council: followed by "council", "children's
services", "local authority" or "local area", or after "inspection of", "visit to", "London
Borough of" ... in the report's opening. A council missing from the gazetteer (the district
councils of the Audit Commission era) is read from a title line such as "BROMSGROVE DISTRICT
COUNCIL".
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

GAZETTEER = Path("reference") / "local_authorities.csv"
OPENING = 4000  # characters of a report searched for its council
TITLE_LINES = 6
AFTER = (r"(?:(?:metropolitan\s+)?(?:district|borough|city|county)\s+)?council\b|"
         r"children.?s\s+(?:social\s+care\s+)?services|local\s+(?:authority|area)")
BEFORE = (r"(?:inspection\s+of|visit\s+to|(?:london|royal)\s+borough\s+of|council\s+of|area\s+of|"
          r"services\s+in)\s+(?:the\s+)?")
SHORT_FORM = re.compile(r"^(?P<short>.+?)(?:\s+upon\s+|\s+of\s+|-on-|\s+on\s+)\S")  # "Newcastle upon Tyne"
TITLE = re.compile(r"^(?:the\s+)?(?P<name>[A-Za-z][A-Za-z .'&-]*?)\s+(?:(?:metropolitan\s+)?"
                   r"(?:district|borough|city|county)\s+)?council$", re.I)


def aliases(row: dict[str, str]) -> set[str]:
    """The names a gazetteer row may be written under."""
    names = {row.get("local_authority_ons_name", ""), row.get("ltla23nm", ""), row.get("utla23nm", "")}
    names |= {a.strip() for a in row.get("also_known_as", "").strip("[]").split(",")}
    spelled = set()
    for name in filter(None, names):
        spelled |= {name, name.replace(".", ""), name.replace("&", "and")}
        if name.endswith(", City of"):
            spelled.add("City of " + name.removesuffix(", City of"))
            spelled.add(name.removesuffix(", City of"))
    return {s for s in spelled if len(s) > 2}


def short_forms(names: set[str]) -> set[str]:
    """Shorter names a council goes by ("Newcastle", "East Riding", "Stockton")."""
    return {m["short"] for name in names if (m := SHORT_FORM.match(name)) and len(m["short"]) > 3}


def read_gazetteer(corpus_dir: Path | None) -> tuple[tuple[str, str], ...]:
    """``(alias, council)`` pairs from the corpus's gazetteer (none without one)."""
    path = corpus_dir / GAZETTEER if corpus_dir else None
    if path is None or not path.is_file():
        return ()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("local_authority_ons_name")]
    pairs = {(alias, row["local_authority_ons_name"]) for row in rows for alias in aliases(row)}
    short = {(alias, row["local_authority_ons_name"]) for row in rows for alias in short_forms(aliases(row))}
    councils_of: dict[str, set[str]] = {}
    for alias, council in pairs | short:
        councils_of.setdefault(alias.lower(), set()).add(council)
    known = {alias.lower() for alias, _ in pairs}
    pairs |= {(a, c) for a, c in short if a.lower() not in known and len(councils_of[a.lower()]) == 1}
    return tuple(sorted(pairs, key=lambda pair: (-len(pair[0]), pair)))


@lru_cache(maxsize=4)
def council_patterns(pairs: tuple[tuple[str, str], ...]) -> tuple[re.Pattern, dict[str, str]]:
    """One pattern finding any alias in context, and each alias's council (lower-cased keys)."""
    names = "|".join(re.escape(alias) for alias, _ in pairs)
    pattern = re.compile(rf"(?:{BEFORE})(?P<before>{names})\b|\b(?P<after>{names})\s+(?:{AFTER})", re.I)
    return pattern, {alias.lower(): council for alias, council in pairs}


def council_from_title(text: str) -> str:
    """A council named as a title line ("Bromsgrove District Council"), or ""."""
    lines = [line.strip(" *#\t") for line in text.splitlines() if line.strip()][:TITLE_LINES]
    for line in lines:
        match = TITLE.match(line)
        if match and len(match["name"].split()) <= 4:
            return match["name"].strip().title()
    return ""


def council_alone_on_first_line(text: str, council_of: dict[str, str]) -> str:
    """The council when the report's first line is its name alone ("Halton"), or ""."""
    first = next((line.strip(" *#\t") for line in text.splitlines() if line.strip()), "")
    return council_of.get(first.lower(), "")


def infer_council(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """The inspected council a report's opening names, or "" when it names none clearly."""
    opening = text[:OPENING]
    if pairs:
        pattern, council_of = council_patterns(pairs)
        alone = council_alone_on_first_line(opening, council_of)
        if alone:
            return alone
        match = pattern.search(" ".join(opening.split()))
        if match:
            return council_of[(match["before"] or match["after"]).lower()]
    return council_from_title(opening)


def council_regions(corpus_dir: Path | None) -> dict[str, str]:
    """Each gazetteer council's region (``region_name``), by council name; empty without a gazetteer."""
    path = corpus_dir / GAZETTEER if corpus_dir else None
    if path is None or not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["local_authority_ons_name"]: r.get("region_name") or "" for r in csv.DictReader(handle)
                if r.get("local_authority_ons_name")}
