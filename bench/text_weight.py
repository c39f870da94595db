"""Council-grouped CV of the finding classifier for several text-scorer weights and gates at once.

Each fold trains once; its predictions are made with every (weight, gate) pair, and each is
scored per evaluation group by the official scorer. Writes a table to ``--out``.

    python -m bench.text_weight --weights 0.3 0.5 0.7 --gates 0.8 1.0 --out docs/text-weight.md
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from corpus.collections import collections, evaluation_groups
from corpus.manifest import manifest_by_id
from findings.settings import get_settings
from findings.training import gold_units
from nlp.training import labelled_docs, load_scorer, predictions, train_models


def cross_validated(docs, settings_pairs, folds: int = 5) -> dict[tuple, list[dict]]:
    """Predictions for every document, per (weight, gate), from models that never saw its council."""
    councils = sorted({d.council for d in docs})
    fold_of = {council: i % folds for i, council in enumerate(councils)}
    out: dict[tuple, list[dict]] = {pair: [] for pair in settings_pairs}
    for fold in range(folds):
        test = [d for d in docs if fold_of[d.council] == fold]
        scorer, model = train_models([d for d in docs if fold_of[d.council] != fold])
        for (weight, gate), item in itertools.product(settings_pairs, test):
            scorer.cfg.update(weight=weight, gate=gate)
            out[(weight, gate)].extend(predictions(item.doc, model, scorer))
    return out


def main(argv: list[str] | None = None) -> None:
    """Run the sweep and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=float, nargs="+", default=[0.3, 0.5, 0.7])
    parser.add_argument("--gates", type=float, nargs="+", default=[0.8, 1.0])
    parser.add_argument("--gold", default="../shared/gold/findings-dev.jsonl")
    parser.add_argument("--tools", default="../shared/tools")
    parser.add_argument("--out", type=Path, default=Path("docs/text-weight.md"))
    args = parser.parse_args(argv)
    settings = get_settings()
    gold = gold_units(args.gold, settings.gold_references, settings.corpus)
    docs = labelled_docs(gold, settings.corpus)
    scorer = load_scorer(args.tools)
    pairs = list(itertools.product(args.weights, args.gates))
    predicted = cross_validated(docs, pairs)
    groups = {c.id: c.evaluation_group for c in collections().values()}
    group_of = {d: groups.get(e.collection) for d, e in manifest_by_id(settings.corpus).items()}
    names = [g for g in evaluation_groups() if any(group_of.get(u["doc_id"]) == g for u in gold)]
    lines = ["| weight | gate | all | " + " | ".join(names) + " |", "|---" * (3 + len(names)) + "|"]
    for pair in pairs:
        cells = [scorer.score(gold, predicted[pair])["macro_f1"]]
        for group in names:
            result = scorer.score([u for u in gold if group_of.get(u["doc_id"]) == group], predicted[pair])
            worst = min(result["per_label"][lab]["f1"] for lab in result["macro_over"])
            cells.append(f"{result['macro_f1']:.3f} (min label {worst:.3f})")
        lines.append(f"| {pair[0]} | {pair[1]} | {cells[0]:.3f} | " + " | ".join(cells[1:]) + " |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
