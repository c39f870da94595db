"""What a report's own text says about it: its type, dates, grade or outcome, area of practice.

Used where the manifest is silent (loose files, and the fields no manifest column holds). Each
reader looks at the report's opening, where inspectorates state these things, and returns ""
when the text does not say. The report types' title patterns and the SEND outcomes are data in
``corpus/collections.json``.
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

from corpus.collections import LOOSE, collections, grade_values, outcome_values

OPENING = 6000
MONTHS = {m: i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), 1)}
MONTH = "|".join(MONTHS)
DAY = rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH})\s+(\d{{4}})"
INSPECTION_DATES = re.compile(
    rf"inspection dates?:?\s+(?:\d{{1,2}}(?:\s+(?:{MONTH}))?(?:\s+\d{{4}})?\s*(?:to|-|–|and)\s*)?{DAY}", re.I)
VISIT_DATES = re.compile(
    rf"visit to .{{0,120}}? on (?:\d{{1,2}}(?:\s+(?:{MONTH}))?\s+(?:and|to|-|–)\s+)?{DAY}", re.I | re.S)
PUBLISHED = re.compile(rf"report published:?\s+{DAY}", re.I)
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
LETTER_DATE = re.compile(rf"^\s*{DAY}\s*$", re.M)
OVERALL = re.compile(
    r"overall effectiveness:?\s+(outstanding|good|requires improvement(?: to be good)?|inadequate)", re.I)
AREA = re.compile(r"inspectors (?:looked at|considered|evaluated|reviewed) (?:the )?(?:local authority.s )?"
                  r"arrangements for (?P<area>.+?)(?:\.|, with a|, in accordance| in accordance|, including)",
                  re.I | re.S)


def iso(day: str, month: str, year: str) -> str:
    """A date as ``YYYY-MM-DD``."""
    return f"{year}-{MONTHS[month.capitalize()]:02d}-{int(day):02d}"


def calendar_day(value: str) -> str:
    """A date written ``YYYY-MM-DD`` (as the store keeps publication dates), if that day exists.

    Raises:
        ValueError: the value is not written ``YYYY-MM-DD``, or names no day of the calendar.
    """
    if not ISO_DAY.fullmatch(value):
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")
    year, month, day = (int(part) for part in value.split("-"))
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year or 2000, month)[1]:
        raise ValueError(f"{value} is not a day of the calendar")
    return value


@lru_cache(maxsize=1)
def type_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """Each collection's title patterns as one regex, in the file's order."""
    return tuple((c.id, re.compile("|".join(f"(?:{p})" for p in c.title_patterns), re.I))
                 for c in collections().values() if c.title_patterns)


def report_collection(text: str) -> str:
    """The collection (report type) the opening names, or :data:`LOOSE` when none."""
    opening = " ".join(text[:OPENING].split())
    found = [(m.start(), collection) for collection, pattern in type_patterns()
             if (m := pattern.search(opening))]
    return min(found)[1] if found else LOOSE


def inspection_end(text: str) -> str:
    """The last day of the inspection or visit, as the text states it, or ""."""
    opening = text[:OPENING]
    match = INSPECTION_DATES.search(opening) or VISIT_DATES.search(opening)
    return iso(*match.groups()[-3:]) if match else ""


def publication_date(text: str, collection: str) -> str:
    """The date a report was published: its "Report published" line, or a letter's date, or ""."""
    opening = text[:OPENING]
    if match := PUBLISHED.search(opening):
        return iso(*match.groups())
    if collection == "ofsted-focused-visit" and (match := LETTER_DATE.search(opening[:1500])):
        return iso(*match.groups())
    return ""


def overall_grade(text: str) -> str:
    """An inspection's overall effectiveness grade, as one of the grade values, or ""."""
    match = OVERALL.search(" ".join(text[:OPENING].split()))
    if not match:
        return ""
    grade = match.group(1).lower().removesuffix(" to be good")
    return grade if grade in grade_values() else ""


def send_outcome(text: str) -> str:
    """An area SEND inspection's outcome (one of the outcomes in collections.json), or ""."""
    opening = " ".join(text[:OPENING].split()).lower()
    found = [(opening.find(outcome), outcome) for outcome in outcome_values() if outcome in opening]
    return min(found)[1] if found else ""


def area_of_practice(text: str) -> str:
    """What a focused visit looked at ("care leavers, with ..."), or ""."""
    match = AREA.search(" ".join(text[:OPENING].split()))
    return match["area"].strip() if match else ""
