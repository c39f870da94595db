"""The relevance model trained with extra judged queries, measured leave-one-query-out on the dev queries.

    python -m bench.counts_extra [--out docs/counts-extra.md]

Reads ``docs/counts-extra-queries.jsonl`` and ``docs/counts-extra-judgments.jsonl`` (query, report,
SHA-1 of the finding's text, grade: no text), finds each judged finding's text in the store by its
hash, and predicts every dev query with a model fitted on the other dev queries plus all the extra
ones, scored on the dev judgments only. The extra queries are weighted, and may get an intercept of
their own (fitted, then dropped to predict). Then the other way round: the shipped recipe, fitted on
every dev query, scores the extra queries, which it never saw, at the dev cut-off and others, with
their reliability table; and each extra query is scored by a model fitted on the dev queries and
the other extra ones. Writes Markdown tables, which ``docs/counts-model.md`` quotes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

import numpy as np

from bench.report import write_table
from findings.relevance.candidates import FEATURES
from findings.relevance.matcher import Matcher
from findings.relevance.measure import chosen_cutoff, match_quality, reliability
from findings.relevance.model import RelevanceModel
from findings.relevance.training import JudgedQuery, cross_validated, fit, judged_queries
from findings.retrieval import SearchEngine
from findings.settings import get_settings
from findings.store import reads

DOCS = Path(__file__).resolve().parent.parent / "docs"
TRANSFER_CUTOFFS = (0.5, 0.7, 0.9)  # beside the dev cut-off
LEFT_OUT = ((0.0, False), (0.25, True), (0.25, False), (1.0, True))  # extra queries' weight, own intercept
SETTINGS = ((0.0, False), (1.0, False), (0.5, False), (0.25, False), (1.0, True), (0.5, True), (0.25, True))


def text_key(text: str) -> str:
    """The SHA-1 the judgments file keys a finding's text by (lowercased, spaces collapsed)."""
    return hashlib.sha1(re.sub(r"\s+", " ", text).strip().lower().encode()).hexdigest()


def extra_judgments(conn, queries_path: Path, judgments_path: Path) -> list[dict]:
    """The extra judgments as rows of a judgments file, each with its finding's text from the store."""
    queries = {q["qid"]: q for q in map(json.loads, queries_path.read_text(encoding="utf-8").splitlines())}
    judged = [json.loads(line) for line in judgments_path.read_text(encoding="utf-8").splitlines()]
    docs = {j["doc_id"] for j in judged}
    rowids = [rowid for rowid, doc_id in reads.finding_documents(conn) if doc_id in docs]
    found = reads.finding_rows(conn, rowids=rowids).values()
    texts = {(r["doc_id"], text_key(r["text"])): r["text"] for r in found}
    rows = []
    for n, j in enumerate(judged):
        text = texts.get((j["doc_id"], j["text_sha1"]))
        if text is not None:
            q = queries[j["qid"]]
            rows.append({"qid": j["qid"], "query": q["query"], "label": q["label"], "doc_id": j["doc_id"],
                         "unit": n, "text": text, "grade": j["grade"]})
    return rows


def share(value: float | None) -> str:
    """A share to three places, or a dash where there was nothing to divide by."""
    return "-" if value is None else f"{value:.3f}"


def stacked(queries: list[JudgedQuery]) -> tuple[np.ndarray, np.ndarray]:
    """Judged candidates' features and whether each is graded 2 (none for no queries)."""
    if not queries:
        return np.zeros((0, 0)), np.zeros(0, dtype=bool)
    return (np.vstack([q.features[q.grades >= 0] for q in queries]),
            np.concatenate([q.grades[q.grades >= 0] == 2 for q in queries]))


def other_label_share(train: list[JudgedQuery], extra: list[JudgedQuery], weight: float) -> float | None:
    """The weighted share judged relevant of the candidates of another label than their query asked."""
    def tally(queries: list[JudgedQuery]) -> tuple[int, int]:
        marked = [q.other_label_mask() & (q.grades >= 0) for q in queries]
        return (sum(int((q.grades[m] == 2).sum()) for q, m in zip(queries, marked, strict=True)),
                sum(int(m.sum()) for m in marked))
    (r1, n1), (r2, n2) = tally(train), tally(extra)
    return (r1 + weight * r2) / (n1 + weight * n2) if n1 + weight * n2 else None


def fitted(train: list[JudgedQuery], extra: list[JudgedQuery], weight: float, own_intercept: bool):
    """Probabilities of the shipped recipe over the train queries and the weighted extra ones.

    A logistic (C = 0.1) over the features; a candidate of another label than its query asked
    gets the (weighted) share of such candidates judged relevant, as the shipped model does.
    Returns a function of a judged query giving its candidates' probabilities.
    """
    from sklearn.linear_model import LogisticRegression

    (x1, y1), (x2, y2) = stacked(train), stacked(extra)
    means, scales = x1.mean(axis=0), x1.std(axis=0) + 1e-9
    x = (np.vstack([x1, x2.reshape(-1, x1.shape[1])]) - means) / scales
    if own_intercept:
        x = np.column_stack([x, np.r_[np.zeros(len(y1)), np.ones(len(y2))]])
    weights = np.r_[np.ones(len(y1)), np.full(len(y2), weight)]
    logistic = LogisticRegression(C=0.1, max_iter=3000).fit(x, np.r_[y1, y2], sample_weight=weights)
    coef = logistic.coef_[0][:-1] if own_intercept else logistic.coef_[0]
    model = RelevanceModel(FEATURES, means.tolist(), scales.tolist(), coef.tolist(),
                           float(logistic.intercept_[0]),
                           other_label_rate=other_label_share(train, extra, weight))
    return lambda query: model.probability(query.features, query.other_label)


def dev_probabilities(dev: list[JudgedQuery], extra: list[JudgedQuery], weight: float,
                      own_intercept: bool) -> list[np.ndarray]:
    """Each dev query's probabilities from a model fitted on the other dev queries and the extra ones.

    Weight 0 leaves the extra queries out (and with them any intercept of their own).
    """
    used = extra if weight > 0 else extra[:0]
    return [fitted(dev[:i] + dev[i + 1:], used, weight or 1.0, own_intercept and weight > 0)(q)
            for i, q in enumerate(dev)]


def row(dev: list[JudgedQuery], extra: list[JudgedQuery], weight: float, own_intercept: bool) -> str:
    """One table row: a training setting's cut-off, precision, recall and worst reliability gap."""
    own = own_intercept and weight > 0
    probabilities = dev_probabilities(dev, extra, weight, own_intercept)
    cutoff = chosen_cutoff(dev, probabilities)
    m, at70 = match_quality(dev, probabilities, cutoff), match_quality(dev, probabilities, 0.70)
    worst = max(reliability(dev, probabilities), key=lambda b: abs(b["observed"] - b["predicted"]))
    name = f"+ extra, weight {weight}" + (", own intercept" if own else "") if weight else "dev queries only"
    gap = worst["observed"] - worst["predicted"]
    return (f"| {name} | {cutoff:.2f} | {m['precision']:.3f} | {m['recall']:.3f} | {at70['precision']:.3f} / "
            f"{at70['recall']:.3f} | {gap:+.3f} ({worst['bin']}, {worst['n']}) |")


def transfer(dev: list[JudgedQuery], extra: list[JudgedQuery]) -> list[str]:
    """Table lines: the recipe fitted on every dev query, scored on the extra queries it never saw."""
    dev_cutoff = chosen_cutoff(dev, cross_validated(dev))
    model = fit(dev)
    probabilities = [model.probability(q.features, q.other_label) for q in extra]
    lines = [f"\n# The dev-fitted model scored on the {len(extra)} extra queries "
             f"(dev cut-off {dev_cutoff:.2f})\n",
             "| cut-off | precision (judged members) | recall (judged grade-2 units) | members "
             "| judged members |", "|---|---|---|---|---|"]
    for cutoff in sorted({dev_cutoff, *TRANSFER_CUTOFFS}):
        m = match_quality(extra, probabilities, cutoff)
        lines.append(f"| {cutoff:.2f} | {share(m['precision'])} | {share(m['recall'])} | {m['members']:,} "
                     f"| {m['judged_members']:,} |")
    lines += ["\n| probability | judged candidates | predicted | observed |", "|---|---|---|---|"]
    lines += [f"| {b['bin']} | {b['n']} | {b['predicted']:.3f} | {b['observed']:.3f} |"
              for b in reliability(extra, probabilities)]
    lines += [f"\nBy query, at {dev_cutoff:.2f}:\n", "| query | label | members | judged: grade 2 / all | "
              "grade-2 units reached |", "|---|---|---|---|---|"]
    lines += [by_query(q, p, dev_cutoff) for q, p in zip(extra, probabilities, strict=True)]
    return lines


def left_out_probabilities(dev: list[JudgedQuery], extra: list[JudgedQuery], weight: float,
                           own_intercept: bool) -> list[np.ndarray]:
    """Each extra query's probabilities from a model fitted on the dev queries and the other extra ones."""
    return [fitted(dev, extra[:i] + extra[i + 1:], weight, own_intercept)(q)
            for i, q in enumerate(extra)]


def left_out(dev: list[JudgedQuery], extra: list[JudgedQuery]) -> list[str]:
    """Table lines: each extra query scored by a model fitted on the dev queries and the other extra ones."""
    lines = ["\n# Each extra query left out: fitted on the dev queries and the other extra ones\n",
             "| training | dev cut-off | precision | recall | members |", "|---|---|---|---|---|"]
    for weight, own in LEFT_OUT:
        cutoff = chosen_cutoff(dev, dev_probabilities(dev, extra, weight, own))
        on_extra = left_out_probabilities(dev, extra, weight, own) if weight else (
            [fitted(dev, [], 1.0, False)(q) for q in extra])
        m = match_quality(extra, on_extra, cutoff)
        name = f"+ the other extra, weight {weight}" + (", own intercept" if own else "") if weight else (
            "dev queries only")
        lines.append(f"| {name} | {cutoff:.2f} | {share(m['precision'])} | {share(m['recall'])} "
                     f"| {m['members']:,} |")
    return lines


def by_query(query: JudgedQuery, probabilities: np.ndarray, cutoff: float) -> str:
    """One query's table row at a cut-off: members, judged members right, grade-2 units reached."""
    chosen = probabilities >= cutoff
    right = int((chosen & (query.grades == 2)).sum())
    reached = len(set(query.units[chosen & (query.grades == 2)].tolist()))
    return (f"| {query.qid} {query.text} | {query.label or '-'} | {int(chosen.sum()):,} | {right} / "
            f"{int((chosen & (query.grades >= 0)).sum())} | {reached} / {query.relevant_units} |")


def main(argv: list[str] | None = None) -> int:
    """Measure each training setting and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="docs/counts-extra.md")
    args = parser.parse_args(argv)
    settings = get_settings()
    engine = SearchEngine.open(settings)
    matcher = Matcher.open(engine, None, settings)
    dev_path = Path(settings.relevance_queries)
    dev_rows = [json.loads(line) for line in dev_path.open(encoding="utf-8") if line.strip()]
    extra_rows = extra_judgments(engine.conn, DOCS / "counts-extra-queries.jsonl",
                                 DOCS / "counts-extra-judgments.jsonl")
    dev, extra = judged_queries(matcher, dev_rows), judged_queries(matcher, extra_rows)
    lines = [f"# Extra judged queries as training ({len(extra)} queries, {len(extra_rows)} judgments found "
             f"in the store; {len(dev)} dev queries, leave-one-query-out)\n",
             "| training | cut-off | precision | recall | at 0.70: precision / recall "
             "| worst reliability gap |",
             "|---|---|---|---|---|---|"]
    lines += [row(dev, extra, weight, own) for weight, own in SETTINGS]
    lines += transfer(dev, extra) + left_out(dev, extra)
    write_table("\n".join(lines) + "\n", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
