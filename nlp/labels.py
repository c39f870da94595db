"""The label vocabulary, defined once: what a unit of a report does in it.

A *finding* is a unit labelled with one of :data:`FINDING_LABELS`; every other unit is
:data:`OTHER`. The classifier scores :data:`UNIT_LABELS`. A new label is one edit here (and
labelled units in the gold set to learn it from).
"""

from __future__ import annotations

from typing import Literal, get_args

FindingLabel = Literal["strength", "weakness", "recommendation", "action"]
UnitLabel = Literal[FindingLabel, "other"]

FINDING_LABELS: tuple[str, ...] = get_args(FindingLabel)
UNIT_LABELS: tuple[str, ...] = get_args(UnitLabel)
OTHER: str = UNIT_LABELS[-1]
