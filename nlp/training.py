"""Training and council-grouped evaluation of the finding classifier on the gold units.

Gold units are aligned to our own units the way the scorer aligns them (the unit holding the
largest share of the gold unit's word n-grams), so the classifier learns on exactly the
segmentation it will be judged through.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from scipy import sparse
from spacy.tokens import Doc

import nlp.extensions  # noqa: F401  (registers the Doc and Span attributes read here)
from corpus.documents import load_document
from corpus.manifest import ReportEntry, manifest_by_id
from nlp.author import author_from_publisher
from nlp.classifier import FindingClassifier
from nlp.finetune import FineTuneConfig
from nlp.labels import UNIT_LABELS
from nlp.pipeline import make_doc, run, structure_pipeline
from nlp.text_scorer import WEIGHT, TextScorer, unit_input

MIN_COVER = 0.6
TEXT_WEIGHT = WEIGHT  # the text scorer's default weight; 0 trains without it


@dataclass
class LabelledDoc:
    """A gold document processed by the structure pipeline, with labels for its units."""

    doc: Doc
    council: str
    labels: list[str | None]


def words(text: str) -> list[str]:
    """The scorer's word tokens."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u00ad", "")
    text = re.sub(r"[‘’`´]", "'", text)
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text)


def grams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    """Word n-grams (the whole text when shorter than n)."""
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def gram_size(tokens: list[str]) -> int:
    """The scorer's n-gram size for a unit of this many words."""
    return 3 if len(tokens) >= 6 else (2 if len(tokens) >= 3 else 1)


def gold_to_units(gold: list[dict], unit_texts: list[str]) -> list[str | None]:
    """Give each of our units the label of the gold units aligned to it (majority)."""
    votes: dict[int, Counter] = defaultdict(Counter)
    unit_words = [words(t) for t in unit_texts]
    for item in gold:
        gw = words(item["text"])
        n = gram_size(gw)
        gg = grams(gw, n)
        if not gg:
            continue
        best, best_cover = -1, 0.0
        for i, uw in enumerate(unit_words):
            cover = len(gg & grams(uw, n)) / len(gg)
            if cover > best_cover or (cover == best_cover > 0 and len(uw) < len(unit_words[best])):
                best, best_cover = i, cover
        if best >= 0 and best_cover >= MIN_COVER:
            votes[best][item["label"]] += 1
    return [votes[i].most_common(1)[0][0] if i in votes else None for i in range(len(unit_texts))]


def process_entry(entry: ReportEntry) -> Doc:
    """Extract, normalise and structure one document (no classifier)."""
    document = load_document(entry)
    pipeline = structure_pipeline()
    doc = make_doc(pipeline, document.text.text, entry.doc_id,
                   author_from_publisher(entry.publisher), document.text.page_starts)
    return next(run(pipeline, [doc]))


def labelled_docs(gold: list[dict], corpus_dir: str | Path | None = None) -> list[LabelledDoc]:
    """Process every gold document and label its units from the gold units."""
    manifest = manifest_by_id(corpus_dir)
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for item in gold:
        by_doc[item["doc_id"]].append(item)
    out = []
    for doc_id, gold in by_doc.items():
        if doc_id not in manifest:
            raise KeyError(f"gold document {doc_id} is not in the corpus manifest")
        entry = manifest[doc_id]
        doc = process_entry(entry)
        labels = gold_to_units(gold, [u.text for u in doc.spans["units"]])
        out.append(LabelledDoc(doc, entry.council or doc_id, labels))
    return out


def training_matrix(docs: list[LabelledDoc], classifier: FindingClassifier
                    ) -> tuple[sparse.csr_matrix, list[str]]:
    """Features and labels of the labelled units of some documents."""
    texts, structures, labels = [], [], []
    for item in docs:
        units = list(item.doc.spans["units"])
        tokens = classifier.featurizer.doc_structures(units, item.doc._.author)
        for unit, unit_tokens, label in zip(units, tokens, item.labels, strict=True):
            if label is not None:
                texts.append(unit.text)
                structures.append(unit_tokens)
                labels.append(label)
    return classifier.featurizer.transform(texts, structures), labels


def train_classifier(docs: list[LabelledDoc], seed: int = 0, **cfg: float) -> FindingClassifier:
    """Fit a finding classifier on labelled documents."""
    model = FindingClassifier(**cfg)
    features, labels = training_matrix(docs, model)
    model.fit(features, labels, seed=seed)
    return model


def text_scorer_data(docs: list[LabelledDoc]) -> tuple[list[str], list[str]]:
    """The transformer inputs and gold labels of the labelled units of some documents."""
    texts, labels = [], []
    for item in docs:
        for unit, label in zip(item.doc.spans["units"], item.labels, strict=True):
            if label is not None:
                texts.append(unit_input(unit, item.doc._.author))
                labels.append(label)
    return texts, labels


def train_text_scorer(docs: list[LabelledDoc], seed: int = 0, weight: float = TEXT_WEIGHT,
                      progress: bool = False) -> TextScorer:
    """Fine-tune the text scorer's transformer on labelled documents."""
    scorer = TextScorer(weight=weight)
    texts, labels = text_scorer_data(docs)
    scorer.fit(texts, labels, list(UNIT_LABELS), FineTuneConfig(seed=seed), progress)
    return scorer


def train_models(docs: list[LabelledDoc], seed: int = 0, text_weight: float = TEXT_WEIGHT,
                 progress: bool = False, **cfg: float) -> tuple[TextScorer | None, FindingClassifier]:
    """Fit the finding classifier and the text scorer (unless ``text_weight`` is 0)."""
    model = train_classifier(docs, seed=seed, **cfg)
    scorer = train_text_scorer(docs, seed, text_weight, progress) if text_weight else None
    return scorer, model


def predictions(doc: Doc, model: FindingClassifier, scorer: TextScorer | None = None) -> list[dict]:
    """Scorer-format predictions (every labelled unit) for one processed doc."""
    model(doc)
    if scorer is not None:
        scorer(doc)
    return [{"doc_id": doc._.doc_id, "text": u.text, "label": u._.label} for u in doc.spans["units"]]


def council_folds(docs: list[LabelledDoc], folds: int = 5
                  ) -> list[tuple[list[LabelledDoc], list[LabelledDoc]]]:
    """(train, test) documents of each fold, councils dealt round the folds; empty folds left out."""
    councils = sorted({d.council for d in docs})
    fold_of = {council: i % folds for i, council in enumerate(councils)}
    splits = [([d for d in docs if fold_of[d.council] != fold],
               [d for d in docs if fold_of[d.council] == fold]) for fold in range(folds)]
    return [(train, test) for train, test in splits if test]


def grouped_cross_validation(docs: list[LabelledDoc], folds: int = 5, seed: int = 0,
                             progress: bool = False, **cfg: float) -> list[dict]:
    """Predictions for every document from a model that never saw its council."""
    from tqdm import tqdm

    out = []
    for train, test in tqdm(council_folds(docs, folds), desc="cross-validation folds", disable=not progress):
        scorer, model = train_models(train, seed=seed, **cfg)
        for item in test:
            out.extend(predictions(item.doc, model, scorer))
    return out


def load_scorer(tools_dir: str | Path):
    """Import the official scorer module ``score_findings.py`` from a tools folder."""
    path = Path(tools_dir) / "score_findings.py"
    if not path.is_file():
        raise FileNotFoundError(f"scorer not found at {path}")
    spec = importlib.util.spec_from_file_location("score_findings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
