"""Council-grouped CV of the finding classifier for several text-scorer weights and gates at once.

Each fold trains once; its predictions are made with every (weight, gate) pair, and each is
scored per evaluation group by the official scorer. Writes a table to ``--out``.

    python -m bench.text_weight --weights 0.3 0.5 0.7 --gates 0.8 1.0 --out docs/text-weight.md
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from findings.settings import get_settings
from findings.training import gold_units, score_by_group
from nlp.training import council_folds, labelled_docs, load_scorer, predictions, train_models


def cross_validated(docs, settings_pairs, folds: int = 5) -> dict[tuple, list[dict]]:
    """Predictions for every document, per (weight, gate), from models that never saw its council."""
    out: dict[tuple, list[dict]] = {pair: [] for pair in settings_pairs}
    for train, test in council_folds(docs, folds):
        scorer, model = train_models(train)
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
    results = {pair: score_by_group(scorer, gold, predicted[pair], settings.corpus) for pair in pairs}
    names = [group for group in results[pairs[0]] if group != "all"]
    lines = ["| weight | gate | all | " + " | ".join(names) + " |", "|---" * (3 + len(names)) + "|"]
    for pair, result in results.items():
        cells = []
        for group in names:
            worst = min(result[group]["per_label"][lab]["f1"] for lab in result[group]["macro_over"])
            cells.append(f"{result[group]['macro_f1']:.3f} (min label {worst:.3f})")
        overall = result["all"]["macro_f1"]
        lines.append(f"| {pair[0]} | {pair[1]} | {overall:.3f} | " + " | ".join(cells) + " |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
