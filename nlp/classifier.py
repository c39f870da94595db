"""The ``finding_classifier`` component: labels each unit with what it does in the report.

A multinomial logistic regression over hashed word n-grams and structure tokens (see
:mod:`nlp.features`). Its weights are sparse and small enough to live in git; it serialises
with ``to_disk``/``from_disk`` as ``weights.npz`` plus ``cfg.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import sparse
from spacy.language import Language
from spacy.tokens import Doc

from nlp.features import UnitFeaturizer

LABELS = ("strength", "weakness", "recommendation", "action", "other")


class NotTrainedError(RuntimeError):
    """Raised when an untrained classifier is asked to label units."""


class FindingClassifier:
    """Label ``doc.spans['units']`` with ``_.label``, ``_.confidence`` and ``_.scores``."""

    def __init__(self, name: str = "finding_classifier", struct_weight: float = 1.0,
                 regularisation: float = 8.0) -> None:
        """Create an untrained classifier."""
        self.name = name
        self.cfg = {"struct_weight": struct_weight, "regularisation": regularisation,
                    "labels": list(LABELS)}
        self.featurizer = UnitFeaturizer(struct_weight)
        self.weights: sparse.csr_matrix | None = None
        self.bias: np.ndarray | None = None

    @property
    def labels(self) -> list[str]:
        """The labels, in the order of the weight rows."""
        return self.cfg["labels"]

    def fit(self, features: sparse.csr_matrix, labels: list[str], seed: int = 0) -> None:
        """Train on a feature matrix and gold labels."""
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=self.cfg["regularisation"], max_iter=2000, random_state=seed,
                                   class_weight="balanced")
        model.fit(features, labels)
        order = [list(model.classes_).index(lab) for lab in model.classes_]
        self.cfg["labels"] = [str(model.classes_[i]) for i in order]
        coef = model.coef_[order].astype(np.float32)
        coef[np.abs(coef) < 1e-4] = 0.0
        self.weights = sparse.csr_matrix(coef)
        self.bias = model.intercept_[order].astype(np.float32)

    def predict_proba(self, features: sparse.csr_matrix) -> np.ndarray:
        """Class probabilities for each row of ``features``."""
        if self.weights is None:
            raise NotTrainedError("the finding classifier has no weights: run `findings train`")
        logits = np.asarray((features @ self.weights.T).todense()) + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return probs / probs.sum(axis=1, keepdims=True)

    def __call__(self, doc: Doc) -> Doc:
        """Label every unit of the document."""
        units = list(doc.spans.get("units", []))
        if not units:
            return doc
        probs = self.predict_proba(self.featurizer.units(units, doc._.author))
        for unit, row in zip(units, probs, strict=True):
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
        self.featurizer = UnitFeaturizer(self.cfg["struct_weight"])
        if (path / "weights.npz").exists():
            self.weights = sparse.load_npz(path / "weights.npz").tocsr()
            self.bias = np.load(path / "bias.npy")
        return self


@Language.factory("finding_classifier",
                  default_config={"struct_weight": 1.0, "regularisation": 8.0})
def make_finding_classifier(nlp: Language, name: str, struct_weight: float,
                            regularisation: float) -> FindingClassifier:
    """Create an (untrained) finding classifier."""
    return FindingClassifier(name, struct_weight, regularisation)
