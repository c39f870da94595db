from __future__ import annotations

from typing import get_args

from nlp.classifier import FindingClassifier
from nlp.labels import FINDING_LABELS, OTHER, UNIT_LABELS, FindingLabel


def test_the_vocabulary_is_one_set_of_labels_plus_other():
    assert UNIT_LABELS == (*FINDING_LABELS, OTHER) and OTHER == "other"
    assert get_args(FindingLabel) == FINDING_LABELS == ("strength", "weakness", "recommendation", "action")


def test_the_classifier_scores_the_unit_labels():
    assert FindingClassifier().labels == list(UNIT_LABELS)
