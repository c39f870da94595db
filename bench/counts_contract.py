"""The counts as a held-out evaluation sees them: ``findings count TEXT --json``, scored on judged queries.

    python -m bench.counts_contract [--queries ../shared/gold/queries-dev.jsonl]
                                    [--out docs/counts-contract.md]

Runs the command once per query of a judgments file (with its label, if any) in a fresh process,
and scores each match set as the search scorer aligns hits: a member aligns to the judged unit of
its report whose word n-grams it covers best (at least ``MIN_COVER``); precision is over aligned
members (right when graded 2), recall over the judged grade-2 units (each keyed by report and
number, credited once). With the model fitted on these same queries the figures are in-sample;
on another query set they are what that set's evaluation will find.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from bench.report import write_table
from findings.relevance.training import align, by_query, by_report, read_judgments
from findings.settings import get_settings


def score_members(judgments: list[dict], members: list[dict]) -> dict:
    """Right, judged members, reached and relevant units of one query's match set."""
    by_doc = by_report(judgments)
    right = judged = 0
    reached = set()
    for member in members:
        unit = align(member["text"], by_doc.get(str(member["doc_id"]), []))
        if unit is not None:
            judged += 1
            if int(unit["grade"]) == 2:
                right += 1
                reached.add((str(unit["doc_id"]), unit["unit"]))
    return {"right": right, "judged": judged, "reached": len(reached), "members": len(members),
            "relevant": sum(1 for unit in judgments if int(unit["grade"]) == 2)}


def pooled(scores: list[dict]) -> dict:
    """Precision and recall over several queries' scores."""
    keys = ("right", "judged", "reached", "members", "relevant")
    total = {key: sum(score[key] for score in scores) for key in keys}
    return {**total, "precision": total["right"] / total["judged"] if total["judged"] else None,
            "recall": total["reached"] / total["relevant"] if total["relevant"] else None}


def counted(query: str, label: str | None) -> dict:
    """The JSON of ``findings count`` for a query, from a fresh process (the console script)."""
    command = [str(Path(sys.executable).parent / "findings"), "count", query, "--json"]
    command += ["--label", label] if label else []
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    """Run and score every query, and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", default=None)
    parser.add_argument("--out", default="docs/counts-contract.md")
    args = parser.parse_args(argv)
    path = Path(args.queries or get_settings().relevance_queries)
    lines = ["| query | label | members | judged: grade 2 / all | grade-2 units reached |",
             "|---|---|---|---|---|"]
    scores = []
    for qid, judgments in by_query(read_judgments(path)).items():
        first = judgments[0]
        result = counted(first["query"], first.get("label") or None)
        score = score_members(judgments, result["findings"])
        scores.append(score)
        lines.append(f"| {qid} {first['query']} | {first.get('label') or '-'} | {score['members']} | "
                     f"{score['right']} / {score['judged']} | {score['reached']} / {score['relevant']} |")
    total = pooled(scores)
    head = (f"# `findings count --json` scored on {path.name} ({len(scores)} queries, default cut-off)\n\n"
            f"Precision **{total['precision']:.3f}** over {total['judged']} judged members, recall "
            f"**{total['recall']:.3f}** ({total['reached']} of {total['relevant']} grade-2 units), "
            f"{total['members']} members.\n\n")
    write_table(head + "\n".join(lines) + "\n", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
