"""The relevance model: a logistic regression over the candidate features, kept as JSON.

``probability(features, other_label)`` is the model's estimate that a candidate is what the
query asks (judged grade 2: on topic, and of the asked label or polarity). Where a label is
asked, a finding the classifier labelled otherwise is given the share of such candidates judged
relevant in training, whatever its features: a logistic weight on the label's fit cannot bring
an on-topic finding of the wrong kind as low as the judgments put it without moving the rest.
The file also holds the cut-off chosen by cross-validation and the precision and recall measured
there, so that every count can state them (``models/relevance.json``; how it was chosen: ``docs/counts.md``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from findings.relevance.candidates import FEATURES

REGULARISATION = 0.1  # scikit-learn's C: the best of 0.1, 0.3, 1 and 3 in cross-validation (docs/counts.md)


@dataclass
class RelevanceModel:
    """Standardised features, one weight each, and the cut-off the counts use by default."""

    features: tuple[str, ...]
    means: list[float]
    scales: list[float]
    weights: list[float]
    intercept: float
    cutoff: float = 0.5
    measured: dict = field(default_factory=dict)  # cross-validated figures: curve, reliability
    other_label_rate: float | None = None  # judged share relevant of candidates of another label than asked

    def at(self, cutoff: float) -> dict:
        """The cross-validated precision and recall at the measured cut-off nearest to ``cutoff``."""
        curve = self.measured.get("curve") or []
        if not curve:
            return {"cutoff": cutoff, "precision": None, "recall": None}
        nearest = min(curve, key=lambda point: abs(point["cutoff"] - cutoff))
        return {"cutoff": nearest["cutoff"], "precision": nearest["precision"], "recall": nearest["recall"],
                "precision_interval": nearest.get("precision_interval"),
                "recall_interval": nearest.get("recall_interval"), "queries": self.measured.get("queries")}

    def probability(self, features: np.ndarray, other_label: np.ndarray | None = None) -> np.ndarray:
        """The probability of relevance of each row of features (columns in :attr:`features` order).

        Args:
            features: one row per candidate.
            other_label: which candidates have another label than the asked one (None: no label
                asked); they get :attr:`other_label_rate` when the model has one.

        """
        if features.shape[1] != len(self.weights):
            raise ValueError(f"{features.shape[1]} features given, the model reads {len(self.weights)}")
        z = (features - np.asarray(self.means)) / np.asarray(self.scales)
        logistic = 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.intercept)))
        if other_label is None or self.other_label_rate is None:
            return logistic
        return np.where(other_label, self.other_label_rate, logistic)

    @classmethod
    def fit(cls, features: np.ndarray, relevant: np.ndarray, c: float = REGULARISATION,
            other_label: np.ndarray | None = None) -> RelevanceModel:
        """Fit on candidate features and whether each was judged relevant.

        The logistic regression learns from every candidate, those of another label included (they
        teach the weight of the label's fit); ``other_label`` (which candidates had another label
        than their query asked) gives :attr:`other_label_rate`, the share of them judged relevant.
        """
        from sklearn.linear_model import LogisticRegression

        means, scales = features.mean(axis=0), features.std(axis=0) + 1e-9
        fitted = LogisticRegression(C=c, max_iter=2000).fit((features - means) / scales, relevant)
        rate = float(relevant[other_label].mean()) if other_label is not None and other_label.any() else None
        return cls(FEATURES, means.tolist(), scales.tolist(), fitted.coef_[0].tolist(),
                   float(fitted.intercept_[0]), other_label_rate=rate)

    def to_disk(self, path: str | Path) -> None:
        """Write the model as JSON (atomically)."""
        path = Path(path)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")
        temporary.replace(path)

    @classmethod
    def from_disk(cls, path: str | Path) -> RelevanceModel:
        """Read a model written by :meth:`to_disk`.

        Raises:
            FileNotFoundError: no model at ``path`` (run ``findings train-relevance``).
            ValueError: the model reads other features than this code computes.

        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no relevance model at {path}: run `findings train-relevance`")
        data = json.loads(path.read_text(encoding="utf-8"))
        model = cls(**{**data, "features": tuple(data["features"])})
        if model.features != FEATURES:
            raise ValueError(f"the relevance model at {path} reads {model.features}, not {FEATURES}: "
                             "run `findings train-relevance`")
        return model
