"""Training the relevance model on graded queries, and measuring it by query-grouped cross-validation.

Each judged query's deep candidates are aligned to its judged units as the search scorer aligns
hits (the judged unit of the same report holding the largest share of its word n-grams, at
least :data:`MIN_COVER`); an aligned candidate is relevant when its unit is graded 2. The model
learns from aligned candidates only: an unjudged candidate is not known to be irrelevant. Every
query is predicted by a model fitted without it; the cut-off is the lowest at which the
cross-validated precision over judged members reaches :data:`TARGET_PRECISION`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from findings.relevance.matcher import Matcher
from findings.relevance.model import REGULARISATION, RelevanceModel
from findings.store import reads
from nlp.training import MIN_COVER, gram_size, grams, words

TARGET_PRECISION = 0.90
CUTOFFS = tuple(round(c, 2) for c in np.arange(0.30, 1.0, 0.01))


@dataclass
class JudgedQuery:
    """A query with its candidates' features, judged grades (-1: unjudged) and judged units."""

    qid: str
    text: str
    label: str | None
    features: np.ndarray
    grades: np.ndarray
    units: np.ndarray  # the judged unit each candidate aligns to, numbered within the query (-1: none)
    relevant_units: int  # judged grade-2 units, found among the candidates or not
    other_label: np.ndarray | None = None  # candidates of another label than asked (None: none asked)

    def other_label_mask(self) -> np.ndarray:
        """Which candidates have another label than the asked one (all False when none was asked)."""
        return np.zeros(len(self.grades), dtype=bool) if self.other_label is None else self.other_label


def align(text: str, judged: list[dict]) -> dict | None:
    """The judged unit (of the same report) a finding's text covers best, if it covers enough."""
    found, best = None, 0.0
    finding_words = words(text)
    for unit in judged:
        unit_words = words(unit["text"])
        n = gram_size(unit_words)
        unit_grams = grams(unit_words, n)
        cover = len(unit_grams & grams(finding_words, n)) / len(unit_grams) if unit_grams else 0.0
        if cover > best:
            found, best = unit, cover
    return found if best >= MIN_COVER else None


def read_judgments(path: str | Path) -> list[dict]:
    """The rows of a judgments file (JSON lines of qid, query, label, doc_id, unit, text, grade)."""
    with Path(path).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def by_query(judgments: list[dict]) -> dict[str, list[dict]]:
    """Judgment rows grouped by query, in the file's order."""
    grouped = defaultdict(list)
    for row in judgments:
        grouped[row["qid"]].append(row)
    return grouped


def by_report(judgments: list[dict]) -> dict[str, list[dict]]:
    """One query's judged units grouped by report, which is where a finding may align."""
    grouped = defaultdict(list)
    for unit in judgments:
        grouped[str(unit["doc_id"])].append(unit)
    return grouped


def judged_query(matcher: Matcher, judgments: list[dict]) -> JudgedQuery:
    """One query's candidates, aligned to its judgments."""
    first = judgments[0]
    found = matcher.candidates(first["query"], first.get("label") or None)
    by_doc = by_report(judgments)
    # a unit's number is its place in its own report: two reports' unit 45 are two units
    numbers = {(str(unit["doc_id"]), unit["unit"]): n for n, unit in enumerate(judgments)}
    rows = reads.finding_rows(matcher.engine.conn, rowids=[int(r) for r in found.rowids])
    grades, units = np.full(len(found), -1), np.full(len(found), -1)
    for i, rowid in enumerate(found.rowids):
        row = rows.get(int(rowid))
        unit = align(row["text"], by_doc.get(row["doc_id"], [])) if row else None
        if unit is not None:
            grades[i], units[i] = int(unit["grade"]), numbers[(str(unit["doc_id"]), unit["unit"])]
    return JudgedQuery(first["qid"], first["query"], first.get("label") or None, found.features, grades,
                       units, sum(1 for u in judgments if int(u["grade"]) == 2), found.other_label)


def judged_queries(matcher: Matcher, judgments: list[dict]) -> list[JudgedQuery]:
    """Every query of a judgments file (rows of qid, query, label, doc_id, unit, text, grade)."""
    return [judged_query(matcher, rows) for rows in by_query(judgments).values()]


def fit(queries: list[JudgedQuery], c: float | None = None) -> RelevanceModel:
    """A model fitted on the judged candidates of some queries."""
    features = np.vstack([q.features[q.grades >= 0] for q in queries])
    relevant = np.concatenate([q.grades[q.grades >= 0] == 2 for q in queries])
    other_label = np.concatenate([q.other_label_mask()[q.grades >= 0] for q in queries])
    return RelevanceModel.fit(features, relevant, REGULARISATION if c is None else c, other_label)


def cross_validated(queries: list[JudgedQuery], c: float | None = None) -> list[np.ndarray]:
    """Each query's candidate probabilities from a model fitted on the other queries."""
    return [fit(queries[:i] + queries[i + 1:], c).probability(q.features, q.other_label)
            for i, q in enumerate(queries)]
