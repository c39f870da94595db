"""The ``finding_classifier`` component: labels each unit with what it does in the report.

A multinomial logistic regression over hashed word n-grams, structure tokens and context
tokens (see :mod:`nlp.features` and :mod:`nlp.context`). Its weights are sparse and small
enough to live in git; it serialises with ``to_disk``/``from_disk`` as ``weights.npz`` plus
``cfg.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from scipy import sparse
from spacy.language import Language
from spacy.tokens import Doc, Span

import nlp.extensions  # noqa: F401  (registers the Doc and Span attributes read here)
from nlp.features import UnitFeaturizer
from nlp.labels import UNIT_LABELS
from nlp.patterns import compile_search, default_patterns


class NotTrainedError(RuntimeError):
    """Raised when an untrained classifier is asked to label units."""


class FindingClassifier:
    """Label ``doc.spans['units']`` with ``_.label``, ``_.confidence`` and ``_.scores``."""

    def __init__(self, name: str = "finding_classifier", struct_weight: float = 1.0,
                 regularisation: float = 8.0, polarity: bool = True, rules: bool = True,
                 context: bool = True) -> None:
        """Create an untrained classifier.

        Args:
            name: the component name.
            struct_weight: weight of structure tokens relative to word features.
            regularisation: inverse regularisation strength (``C``) of the regression.
            polarity: use the judgement-cue features of the polarity lexicon.
            rules: apply the structural rules of ``patterns/rules.json`` over the model.
            context: use the context features of :mod:`nlp.context`.

        """
        self.name = name
        self.cfg = {"struct_weight": struct_weight, "regularisation": regularisation,
                    "polarity": polarity, "context": context, "labels": list(UNIT_LABELS),
                    "rules": dict(default_patterns("rules")) if rules else {}}
        self.featurizer = UnitFeaturizer(struct_weight, polarity, context)
        self.text_rules, self.author_text_rules, self.block_rules = text_rules(self.cfg["rules"])
        self.fragment = fragment_pattern(self.cfg["rules"])
        self.weights: sparse.csr_matrix | None = None
        self.bias: np.ndarray | None = None

    @property
    def labels(self) -> list[str]:
        """The labels, in the order of the weight rows."""
        return self.cfg["labels"]

    def fit(self, features: sparse.csr_matrix, labels: list[str], seed: int = 0) -> None:
        """Train on a feature matrix and gold labels.

        Only the hashed columns that occur in ``features`` are fitted (the L2 penalty keeps every
        other weight at zero anyway), with one BLAS thread: the same model, fitted ~40x faster.
        """
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        features = sparse.csr_matrix(features)
        used = np.unique(features.indices)
        model = LogisticRegression(C=self.cfg["regularisation"], max_iter=2000, random_state=seed,
                                   class_weight="balanced")
        with threadpool_limits(limits=1):
            model.fit(features[:, used], labels)
        self.cfg["labels"] = [str(label) for label in model.classes_]
        coef = np.zeros((len(model.classes_), features.shape[1]), dtype=np.float32)
        coef[:, used] = model.coef_
        coef[np.abs(coef) < 1e-4] = 0.0
        self.weights = sparse.csr_matrix(coef)
        self.bias = model.intercept_.astype(np.float32)

    def predict_proba(self, features: sparse.csr_matrix) -> np.ndarray:
        """Class probabilities for each row of ``features``."""
        if self.weights is None:
            raise NotTrainedError("the finding classifier has no weights: run `findings train`")
        logits = np.asarray((features @ self.weights.T).todense()) + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return probs / probs.sum(axis=1, keepdims=True)

    def rule_label(self, unit: Span, author: str | None) -> str | None:
        """The label a structural rule gives a unit, or None when no rule applies."""
        rules = self.cfg.get("rules") or {}
        if not rules:
            return None
        if unit._.block_kind in rules["other_blocks"] or author in rules.get("other_authors", ()):
            return "other"
        if self.fragment is not None and self.fragment.fullmatch(unit.text.strip()):
            return "other"
        if unit._.column_kind in rules["column_kinds"]:
            return unit._.column_kind
        authored = author in rules["section_authors"]
        label = first_match(self.text_rules, unit.text) or (
            first_match(self.author_text_rules, unit.text) if authored else None)
        if label:
            return label
        if authored and unit._.block_kind in rules["section_blocks"].get(unit._.section_kind, ()):
            return unit._.section_kind
        return next((label for rule in self.block_rules
                     if unit._.block_kind in rule["blocks"]
                     and (rule["authors"] is None or author in rule["authors"])
                     and (label := first_match(rule["labels"], unit.text))), None)

    def __call__(self, doc: Doc) -> Doc:
        """Label every unit of the document (structural rules override the model)."""
        units = list(doc.spans.get("units", []))
        if not units:
            return doc
        probs = self.predict_proba(self.featurizer.units(units, doc._.author))
        for unit, row in zip(units, probs, strict=True):
            ruled = self.rule_label(unit, doc._.author)
            if ruled in self.labels:
                row = np.where(np.array(self.labels) == ruled, 1.0, 0.0)
            best = int(row.argmax())
            unit._.label = self.labels[best]
            unit._.confidence = float(row[best])
            unit._.scores = {lab: float(p) for lab, p in zip(self.labels, row, strict=True)}
        return doc

    def to_disk(self, path: str | Path, exclude: tuple = ()) -> None:
        """Write ``cfg.json`` and ``weights.npz``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "cfg.json").write_text(json.dumps(self.cfg, indent=1), encoding="utf-8")
        if self.weights is not None:
            sparse.save_npz(path / "weights.npz", self.weights, compressed=True)
            np.save(path / "bias.npy", self.bias)

    def from_disk(self, path: str | Path, exclude: tuple = ()) -> FindingClassifier:
        """Load what :meth:`to_disk` wrote."""
        path = Path(path)
        self.cfg = json.loads((path / "cfg.json").read_text(encoding="utf-8"))
        self.featurizer = UnitFeaturizer(self.cfg["struct_weight"], self.cfg.get("polarity", False),
                                         self.cfg.get("context", False))
        self.text_rules, self.author_text_rules, self.block_rules = text_rules(
            self.cfg.get("rules") or {})
        self.fragment = fragment_pattern(self.cfg.get("rules") or {})
        if (path / "weights.npz").exists():
            self.weights = sparse.load_npz(path / "weights.npz").tocsr()
            self.bias = np.load(path / "bias.npy")
        return self


def text_rules(rules: dict) -> tuple[dict, dict, list[dict]]:
    """The compiled text rules: for any author, for ``section_authors`` only, and per block kind.

    A block rule without ``authors`` holds in documents of any author.
    """
    block_rules = [{"blocks": set(rule["blocks"]),
                    "authors": set(rule["authors"]) if "authors" in rule else None,
                    "labels": compile_search(rule["labels"])}
                   for rule in rules.get("block_text_labels", [])]
    return (compile_search(rules.get("text_labels", {})),
            compile_search(rules.get("inspectorate_text_labels", {})), block_rules)


def fragment_pattern(rules: dict) -> re.Pattern | None:
    """The rules' ``fragment_patterns`` as one case-insensitive pattern (None: there are none).

    A unit whose whole text, stripped, matches it is a fragment with no judgement.
    """
    patterns = rules.get("fragment_patterns") or []
    return compile_search({"other": patterns})["other"] if patterns else None


def first_match(patterns: dict, text: str) -> str | None:
    """The label of the first pattern found in a text, or None."""
    return next((label for label, pattern in patterns.items() if pattern.search(text)), None)


@Language.factory("finding_classifier",
                  default_config={"struct_weight": 1.0, "regularisation": 8.0, "polarity": True,
                                  "rules": True, "context": True})
def make_finding_classifier(nlp: Language, name: str, struct_weight: float,
                            regularisation: float, polarity: bool, rules: bool,
                            context: bool) -> FindingClassifier:
    """Create an (untrained) finding classifier."""
    return FindingClassifier(name, struct_weight, regularisation, polarity, rules, context)
