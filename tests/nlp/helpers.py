"""Fixture helpers shared by the nlp tests."""

from __future__ import annotations

from spacy.tokens import Doc

from nlp.pipeline import make_doc, run, structure_pipeline


def structured(text: str, author: str = "inspectorate") -> Doc:
    """A document of ``text`` by ``author`` run through the structure pipeline."""
    pipeline = structure_pipeline()
    return next(run(pipeline, [make_doc(pipeline, text, "fixture", author)]))
