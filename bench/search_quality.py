"""Retrieval quality on the graded queries: BM25 alone, dense alone, and hybrid.

    python -m bench.search_quality [--qrels ../shared/gold/queries-dev.jsonl] [--tools ../shared/tools]

Each query runs with its ``label`` as the label filter when it names one. The single systems
also run without it (``, no label filter``): the issue's reference figures for BM25 and dense
alone are of that kind, and its bar for the hybrid is a ratio to the better single system, so
the table gives the ratio to both. Writes ``docs/search-quality.md`` and prints the table.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from collections import defaultdict
from pathlib import Path

from bench.report import write_table
from findings.encoding import encode
from findings.retrieval import Filters, Query, SearchEngine
from findings.retrieval.highlight import query_terms
from findings.retrieval.lexical import LexicalIndex
from findings.settings import get_settings


def load_module(path: Path, name: str):
    """Import a module from a file path."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def queries(qrels: list[dict]) -> list[dict]:
    """Distinct queries with their set and label."""
    seen = {}
    for row in qrels:
        seen.setdefault(row["qid"], {"qid": row["qid"], "set": row["set"], "query": row["query"],
                                     "label": row.get("label") or None})
    return list(seen.values())


SYSTEMS = (("bm25", True), ("dense", True), ("hybrid", True), ("bm25", False), ("dense", False))


def run_system(engine: SearchEngine, query: dict, system: str, k: int = 20,
               label_filter: bool = True) -> list[dict]:
    """Hits of one system for one query, as scorer run rows."""
    filters = Filters(label=query["label"] if label_filter else None)
    if system == "hybrid":
        hits = engine.search(query["query"], k=k, filters=filters)
        rows = [(h.doc_id, h.text) for h in hits]
    else:
        asked = Query(query["query"], tuple(query_terms(query["query"])))
        if system == "bm25":
            retriever = next(r for r, _ in engine.retrievers if isinstance(r, LexicalIndex))
        else:
            retriever = engine.index
            asked = Query(asked.text, asked.terms, encode([query["query"]], engine.encoder)[0])
        ids = retriever.search(asked, k * 3, engine.allowed_ids(filters))
        hits = engine.collect([(i, 1.0) for i in ids], k, [], None)
        rows = [(h.doc_id, h.text) for h in hits]
    return [{"qid": query["qid"], "rank": r, "doc_id": d, "text": t}
            for r, (d, t) in enumerate(rows, start=1)]


def results_table(table: dict, set_names: list[str]) -> str:
    """The Markdown table of nDCG@10 and P@10 per system and query set."""
    lines = ["| system | " + " | ".join(f"{s} nDCG@10 | {s} P@10" for s in set_names) + " |",
             "|---|" + "---|---|" * len(set_names)]
    for system, sets in table.items():
        cells = " | ".join(f"{n:.3f} | {p:.3f}" for n, p in (sets[s] for s in set_names))
        lines.append(f"| {system} | {cells} |")
    return "\n".join(lines)


def ratios(table: dict, set_names: list[str]) -> str:
    """Hybrid nDCG@10 over the better single system, with and without the label filter."""
    lines = ["| set | hybrid / better single (label-filtered) | hybrid / better single (no label filter) |",
             "|---|---|---|"]
    for set_name in set_names:
        hybrid = table["hybrid"][set_name][0]
        cells = []
        for suffix in ("", ", no label filter"):
            best = max(table[f"{s}{suffix}"][set_name][0] for s in ("bm25", "dense"))
            cells.append(f"{hybrid / best:.3f} ({hybrid:.3f} / {best:.3f})" if best else "-")
        lines.append(f"| {set_name} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Score every system on every query set and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--qrels", default="../shared/gold/queries-dev.jsonl")
    parser.add_argument("--tools", default="../shared/tools")
    parser.add_argument("--out", default="docs/search-quality.md")
    args = parser.parse_args(argv)
    scorer = load_module(Path(args.tools) / "score_search.py", "score_search")
    qrels = [json.loads(line) for line in open(args.qrels, encoding="utf-8") if line.strip()]
    settings = get_settings()
    engine = SearchEngine.open(settings)
    table = defaultdict(dict)
    set_names = sorted({q["set"] for q in queries(qrels)})
    for system, label_filter in SYSTEMS:
        name = system if label_filter else f"{system}, no label filter"
        for set_name in set_names:
            subset = [q for q in queries(qrels) if q["set"] == set_name]
            run = [row for q in subset for row in run_system(engine, q, system, label_filter=label_filter)]
            result = scorer.score([r for r in qrels if r["set"] == set_name], run)
            table[name][set_name] = (result["ndcg_at_10"], result["p_at_10"])
    text = "# Search quality on queries-dev\n\n" + results_table(table, set_names) + "\n\n" + ratios(
        table, set_names) + "\n"
    write_table(text, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
