"""The face of :mod:`nlp.training` for the command line: ``findings train`` and ``findings evaluate``.

:mod:`nlp.training` fits and cross-validates the models; this module assembles and saves the
pipeline in ``models/``, scores cross-validation with the official scorer per evaluation group
of ``corpus/collections.json``, and formats the results.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from spacy.language import Language

from corpus.collections import collections as corpus_collections
from corpus.collections import evaluation_groups
from corpus.gold import read_jsonl, read_references, resolve_references
from corpus.manifest import manifest_by_id
from nlp.pipeline import structure_pipeline
from nlp.training import (
    TEXT_WEIGHT,
    grouped_cross_validation,
    labelled_docs,
    load_scorer,
    train_models,
)


def assemble_pipeline(classifier, scorer=None, cache_dir: str | Path = "") -> Language:
    """The full pipeline: structure components, theme tagger, classifier and text scorer.

    ``cache_dir`` is where the text scorer caches its exported model ("" for its default).
    """
    pipeline = structure_pipeline()
    pipeline.add_pipe("theme_tagger")
    trained = [(classifier, pipeline.add_pipe("finding_classifier"))]
    if scorer is not None:
        trained.append((scorer, pipeline.add_pipe("text_scorer", config={"cache_dir": str(cache_dir)})))
    for component, pipe in trained:
        with tempfile.TemporaryDirectory() as tmp:
            component.to_disk(tmp)
            pipe.from_disk(tmp)
    return pipeline


def gold_units(gold_path: str | Path, references_path: str | Path | None,
               corpus_dir: str | Path) -> list[dict]:
    """The shared gold units and the project's own (:mod:`corpus.gold` references) together.

    Raises:
        ValueError: some of the project's references no longer match the corpus text.

    """
    gold = read_jsonl(gold_path)
    if references_path:
        resolved, stale = resolve_references(read_references(references_path), corpus_dir)
        if stale:
            raise ValueError(f"{len(stale)} gold references no longer match the corpus text "
                             f"(first: {stale[0]['doc_id']} unit {stale[0]['unit']}); relabel them")
        gold.extend(resolved)
    return gold


def train(gold_path: str | Path, corpus_dir: str | Path, out_dir: str | Path,
          seed: int = 0, text_weight: float = TEXT_WEIGHT, progress: bool = False,
          cache_dir: str | Path = "", references_path: str | Path | None = None) -> dict:
    """Train on all gold units (shared and the project's references) and save the pipeline.

    Returns:
        A summary: documents, labelled units and label counts.

    """
    docs = labelled_docs(gold_units(gold_path, references_path, corpus_dir), corpus_dir)
    scorer, classifier = train_models(docs, seed=seed, text_weight=text_weight, progress=progress)
    pipeline = assemble_pipeline(classifier, scorer, cache_dir)
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
             progress: bool = False, references_path: str | Path | None = None,
             predictions_out: str | Path | None = None) -> dict:
    """Council-grouped cross-validation scored by the official scorer.

    ``predictions_out``, when given, receives the cross-validated predictions (JSON lines of
    ``doc_id``, ``text``, ``label``), for reading the errors against the gold.

    Returns:
        The scorer's result for all gold documents (``all``), then for each evaluation group
        of ``corpus/collections.json`` that has gold documents (``ofsted``,
        ``audit_commission``...).

    """
    scorer = load_scorer(tools_dir)
    gold = gold_units(gold_path, references_path, corpus_dir)
    docs = labelled_docs(gold, corpus_dir)
    predicted = grouped_cross_validation(docs, folds=folds, seed=seed, progress=progress,
                                         text_weight=text_weight)
    if predictions_out:
        with Path(predictions_out).open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in predicted)
    return score_by_group(scorer, gold, predicted, corpus_dir)


def score_by_group(scorer, gold: list[dict], predicted: list[dict], corpus_dir: str | Path) -> dict:
    """The official scorer's result for all gold units, then per evaluation group that has any.

    ``scorer`` is the module :func:`nlp.training.load_scorer` returns.
    """
    groups = {c.id: c.evaluation_group for c in corpus_collections().values()}
    group_of = {doc_id: groups.get(e.collection) for doc_id, e in manifest_by_id(corpus_dir).items()}
    result = {"all": scorer.score(gold, predicted)}
    for group in evaluation_groups():
        units = [g for g in gold if group_of.get(g["doc_id"]) == group]
        if units:
            result[group] = scorer.score(units, predicted)
    return result


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
