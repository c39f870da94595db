"""Training the pipeline saved in ``models/`` and evaluating it by council-grouped CV."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from spacy.language import Language

from corpus.manifest import manifest_by_id
from nlp.pipeline import structure_pipeline
from nlp.training import (
    TEXT_WEIGHT,
    grouped_cross_validation,
    labelled_docs,
    load_scorer,
    read_jsonl,
    train_models,
)


def assemble_pipeline(classifier, scorer=None) -> Language:
    """The full pipeline: structure components, theme tagger, classifier and text scorer."""
    pipeline = structure_pipeline()
    pipeline.add_pipe("theme_tagger")
    trained = [(classifier, pipeline.add_pipe("finding_classifier"))]
    if scorer is not None:
        trained.append((scorer, pipeline.add_pipe("text_scorer")))
    for component, pipe in trained:
        with tempfile.TemporaryDirectory() as tmp:
            component.to_disk(tmp)
            pipe.from_disk(tmp)
    return pipeline


def train(gold_path: str | Path, corpus_dir: str | Path, out_dir: str | Path,
          seed: int = 0, text_weight: float = TEXT_WEIGHT, progress: bool = False) -> dict:
    """Train on all gold units and save the pipeline to ``out_dir``.

    Returns:
        A summary: documents, labelled units and label counts.

    """
    docs = labelled_docs(gold_path, corpus_dir)
    scorer, classifier = train_models(docs, seed=seed, text_weight=text_weight, progress=progress)
    pipeline = assemble_pipeline(classifier, scorer)
    pipeline.meta.update({"name": "findings_pipeline", "version": "0.1.0",
                          "description": "Segments inspection reports into labelled findings"})
    pipeline.to_disk(out_dir)
    counts: dict[str, int] = {}
    for item in docs:
        for label in item.labels:
            if label:
                counts[label] = counts.get(label, 0) + 1
    return {"documents": len(docs), "units": sum(counts.values()), "labels": counts}


def evaluate(gold_path: str | Path, corpus_dir: str | Path, tools_dir: str | Path,
             folds: int = 5, seed: int = 0, text_weight: float = TEXT_WEIGHT,
             progress: bool = False) -> dict:
    """Council-grouped cross-validation scored by the official scorer.

    Returns:
        The scorer's result for all gold documents (``all``), the Ofsted inspections
        (``ofsted``) and the Audit Commission-era documents (``audit_commission``).

    """
    scorer = load_scorer(tools_dir)
    gold = read_jsonl(gold_path)
    docs = labelled_docs(gold_path, corpus_dir)
    predicted = grouped_cross_validation(docs, folds=folds, seed=seed, progress=progress,
                                         text_weight=text_weight)
    collections = {doc_id: e.collection for doc_id, e in manifest_by_id(corpus_dir).items()}
    ofsted = [g for g in gold if collections.get(g["doc_id"]) == "ofsted-ilacs"]
    era = [g for g in gold if collections.get(g["doc_id"]) == "audit-commission"]
    return {"all": scorer.score(gold, predicted), "ofsted": scorer.score(ofsted, predicted),
            "audit_commission": scorer.score(era, predicted)}


def format_result(result: dict) -> str:
    """The scorer's table and confusion matrix as text."""
    lines = [f"{result['units']} gold units in {result['docs']} documents",
             f"{'label':<15}{'precision':>10}{'recall':>9}{'f1':>8}{'support':>9}"]
    for label, m in result["per_label"].items():
        lines.append(f"{label:<15}{m['precision']:>10.3f}{m['recall']:>9.3f}{m['f1']:>8.3f}"
                     f"{m['support']:>9}")
    lines.append(f"macro_f1 {result['macro_f1']:.3f} over {', '.join(result['macro_over'])}")
    labels = list(result["per_label"])
    lines.append("confusion (rows gold, columns predicted):")
    lines.append(" " * 15 + "".join(f"{lab[:6]:>8}" for lab in labels))
    for gold_label in labels:
        cells = [result["confusion"].get(f"{gold_label}->{p}", 0) for p in labels]
        lines.append(f"{gold_label:<15}" + "".join(f"{c:>8}" for c in cells))
    return "\n".join(lines)


def save_json(data: dict, path: str | Path) -> None:
    """Write a JSON file."""
    Path(path).write_text(json.dumps(data, indent=2), encoding="utf-8")
