"""Counts a researcher can cite: councils with a matching finding, out of councils inspected.

:func:`count` scores a query's deep candidates (:class:`~findings.relevance.matcher.Matcher`),
keeps those at or above the cut-off, and counts the councils they come from against the councils
with a report in scope (the filters' report types, councils, grades and period), overall and by
year, report type or region, with Wilson intervals, a trend over years, the counts at other
cut-offs, the findings just below the cut-off, and the query's words that no finding holds (a
misspelling, or a word the reports do not use, counts for nothing but its meaning to the encoder).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from findings.relevance.matcher import Matcher
from findings.relevance.stats import trend, wilson
from findings.retrieval.cache import Arrays, pack_strings, unpack_strings
from findings.retrieval.filters import Filters
from findings.store import reads

GROUPINGS = ("year", "collection", "region")
SENSITIVITY = (0.5, 0.7, 0.9)
BORDERLINE = 20  # findings listed just below the cut-off
SCOPES_KEPT = 32  # filters whose reports in scope a counter keeps


@dataclass(frozen=True)
class ReportScope:
    """What a count needs of one report."""

    doc_id: str
    council: str
    collection: str | None
    date: str
    region: str

    def group(self, by: str) -> str:
        """The report's group under a grouping (its year, collection or region)."""
        return {"year": self.date[:4], "collection": self.collection or "", "region": self.region}[by]


def in_scope(report: dict, filters: Filters) -> bool:
    """Whether a report (a row of :func:`findings.store.reads.report_scopes`) passes the filters."""
    if not report["council"] or not report["date"]:
        return False
    for name in ("collection", "grade", "outcome"):
        wanted = getattr(filters, name)
        if wanted and report[name] != wanted:
            return False
    if filters.council and report["council"].lower() != filters.council.lower():
        return False
    if filters.exclude_council and report["council"].lower() == filters.exclude_council.lower():
        return False
    return not ((filters.date_from and report["date"] < filters.date_from)
                or (filters.date_to and report["date"] > filters.date_to))


def share_row(group: str, matched: set[str], councils: set[str]) -> dict:
    """A group's councils with a match, out of its councils, with the Wilson interval."""
    low, high = wilson(len(matched), len(councils))
    return {"group": group, "councils_matched": len(matched), "councils": len(councils),
            "share": len(matched) / len(councils) if councils else None, "interval": [low, high]}


@dataclass
class Count:
    """A count and everything it rests on (``as_dict`` is the JSON that the CLI and API give)."""

    query: str
    label: str | None
    filters: dict
    cutoff: float
    estimated: dict
    totals: dict
    by: str
    rows: list[dict]
    trend: dict
    sensitivity: list[dict]
    findings: list[dict] = field(default_factory=list)
    borderline: list[dict] = field(default_factory=list)
    absent_terms: list[str] = field(default_factory=list)  # the query's words in no finding of the store

    def as_dict(self) -> dict:
        """The count as plain JSON-ready values."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def finding_entry(row, probability: float, date: str | None) -> dict:
    """A matched (or borderline) finding as a count lists it."""
    return {"id": row["id"], "doc_id": row["doc_id"], "council": row["council"],
            "collection": row["collection"], "date": date, "label": row["label"], "text": row["text"],
            "probability": round(float(probability), 4), "page": row["page"],
            "source_url": row["source_url"]}


Member = tuple[int, str, float]  # a scored finding: rowid, doc_id, probability


def grouped(members: list[Member], scopes: dict[str, ReportScope], by: str) -> list[dict]:
    """Per group: councils with a member from a report of the group, out of the group's councils."""
    councils, matched = defaultdict(set), defaultdict(set)
    for scope in scopes.values():
        councils[scope.group(by)].add(scope.council)
    for _, doc_id, _ in members:
        scope = scopes[doc_id]
        matched[scope.group(by)].add(scope.council)
    return [share_row(group, matched[group], councils[group]) for group in sorted(councils)]


def yearly_trend(members: list[Member], scopes: dict[str, ReportScope]) -> dict:
    """The trend over years of one outcome per (council, year) with a report: any member that year."""
    pairs = {(scope.council, int(scope.date[:4])) for scope in scopes.values()}
    hit = {(scopes[doc_id].council, int(scopes[doc_id].date[:4])) for _, doc_id, _ in members}
    ordered = sorted(pairs)
    return trend([year for _, year in ordered], [pair in hit for pair in ordered])


def tally(members: list[Member], scopes: dict[str, ReportScope]) -> dict:
    """Totals: councils and reports with a member, out of those in scope, and the members."""
    councils = {scope.council for scope in scopes.values()}
    matched = {scopes[doc_id].council for _, doc_id, _ in members}
    reports = {doc_id for _, doc_id, _ in members}
    return {**share_row("all", matched, councils), "reports_matched": len(reports),
            "reports": len(scopes), "findings": len(members)}


def document_codes(conn) -> Arrays:
    """The store's doc_ids in order, and each finding's document as a code into them, by rowid (-1: none)."""
    pairs = reads.finding_documents(conn)
    doc_ids = sorted({doc_id for _, doc_id in pairs})
    code = {doc_id: i for i, doc_id in enumerate(doc_ids)}
    doc_of = np.full(1 + max((r for r, _ in pairs), default=0), -1, dtype=np.int32)
    doc_of[[r for r, _ in pairs]] = [code[d] for _, d in pairs]
    return {"doc_ids": pack_strings(doc_ids), "doc_of": doc_of}


class Counter:
    """Counts over one open engine: its matcher, and every report's scope."""

    def __init__(self, matcher: Matcher, regions: dict[str, str]) -> None:
        """Read every report's council, type and date once.

        Args:
            matcher: scores candidates (it holds the relevance model and the engine).
            regions: each council's region (:func:`corpus.gazetteer.council_regions`).

        """
        self.matcher = matcher
        self.reports = reads.report_scopes(matcher.engine.conn)
        self.regions = regions
        documents = matcher.engine.cache.arrays("documents", lambda: document_codes(matcher.engine.conn))
        self.doc_ids = unpack_strings(documents["doc_ids"])
        self.code = {doc_id: i for i, doc_id in enumerate(self.doc_ids)}
        self.doc_of = documents["doc_of"]
        self.scoped: dict[tuple, dict[str, ReportScope]] = {}
        self.scoping = threading.Lock()  # requests count on several threads

    @classmethod
    def open(cls, engine, settings) -> Counter:
        """A counter over an open engine with the relevance model and gazetteer the settings name.

        Raises:
            FileNotFoundError: no relevance model (run ``findings train-relevance``).

        """
        from corpus.gazetteer import council_regions
        from findings.relevance.model import RelevanceModel

        matcher = Matcher.open(engine, RelevanceModel.from_disk(settings.relevance_model), settings)
        return cls(matcher, council_regions(settings.corpus))

    def scopes(self, filters: Filters) -> dict[str, ReportScope]:
        """The reports in scope of the filters, by doc_id (kept for the last ``SCOPES_KEPT`` filters)."""
        key = tuple(sorted(filters.values().items()))
        with self.scoping:
            if key not in self.scoped:
                if len(self.scoped) >= SCOPES_KEPT:
                    self.scoped.pop(next(iter(self.scoped)))
                self.scoped[key] = {r["doc_id"]: self.scope_of(r) for r in self.reports
                                    if in_scope(r, filters)}
            return self.scoped[key]

    def scope_of(self, report: dict) -> ReportScope:
        """A row of :func:`findings.store.reads.report_scopes` as a count reads it."""
        return ReportScope(report["doc_id"], report["council"], report["collection"], report["date"][:10],
                           self.regions.get(report["council"], "unknown"))

    def candidates(self, text: str, label: str | None, filters: Filters, scopes: dict[str, ReportScope],
                   floor: float) -> list[Member]:
        """Scored candidates at or above ``floor`` from reports in scope, most probable first."""
        finding_filters = Filters(**{**filters.values(), "label": None, "date_from": None, "date_to": None})
        scored = self.matcher.score(text, label, finding_filters)
        above = scored.above(floor)
        rowids = scored.rowids[:above]
        known = rowids < len(self.doc_of)
        codes = np.where(known, self.doc_of[np.where(known, rowids, 0)], -1)
        wanted = np.zeros(len(self.doc_ids) + 1, dtype=bool)  # the last slot: a rowid of no document
        wanted[[self.code[doc_id] for doc_id in scopes if doc_id in self.code]] = True
        keep = wanted[codes]
        probabilities = scored.probabilities[:above][keep]
        triples = zip(rowids[keep].tolist(), codes[keep].tolist(), probabilities.tolist(), strict=True)
        return [(rowid, self.doc_ids[code], p) for rowid, code, p in triples]

    def entries(self, members: list[Member], scopes: dict[str, ReportScope]) -> list[dict]:
        """The members as a count lists them (their rows read from the store)."""
        rows = reads.finding_rows(self.matcher.engine.conn, rowids=[rowid for rowid, _, _ in members])
        return [finding_entry(rows[rowid], p, scopes[doc_id].date) for rowid, doc_id, p in members
                if rowid in rows]

    def count(self, text: str, *, label: str | None = None, filters: Filters | None = None,
              cutoff: float | None = None, by: str = "year") -> Count:
        """Count the councils with a finding matching a query.

        Args:
            text: the researcher's concept, in their words.
            label: the kind of finding asked for (read by the relevance model, not a hard filter:
                a finding of another label gets the share of such findings judged relevant).
            filters: report types, councils, grades, outcome, theme and period (dates compare
                with each report's date: its inspection's end, else its publication).
            cutoff: the probability a member reaches (default: the model's, chosen for precision).
            by: ``year``, ``collection`` or ``region``.

        Raises:
            ValueError: an unknown grouping, a cut-off outside (0, 1], or no text.

        """
        if by not in GROUPINGS:
            raise ValueError(f"count by one of {', '.join(GROUPINGS)}, not {by!r}")
        model = self.matcher.model
        cutoff = model.cutoff if cutoff is None else float(cutoff)
        if not 0 < cutoff <= 1:
            raise ValueError(f"the cut-off is a probability in (0, 1], not {cutoff}")
        filters = filters or Filters()
        scopes = self.scopes(filters)
        scored = self.candidates(text, label, filters, scopes, min(cutoff, *SENSITIVITY) / 2)
        members = [m for m in scored if m[2] >= cutoff]
        below = [m for m in scored if m[2] < cutoff][:BORDERLINE]
        sensitivity = [{"cutoff": c, **tally([m for m in scored if m[2] >= c], scopes)} for c in SENSITIVITY]
        return Count(query=text, label=label, filters={k: v for k, v in filters.values().items() if v},
                     cutoff=cutoff, estimated=model.at(cutoff), totals=tally(members, scopes), by=by,
                     rows=grouped(members, scopes, by), trend=yearly_trend(members, scopes),
                     sensitivity=sensitivity,
                     findings=self.entries(members, scopes), borderline=self.entries(below, scopes),
                     absent_terms=self.matcher.engine.absent_terms(text))
