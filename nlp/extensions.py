"""Custom ``Doc`` and ``Span`` attributes shared by the pipeline components."""

from __future__ import annotations

from spacy.tokens import Doc, Span

DOC_ATTRIBUTES = {"doc_id": None, "author": None, "page_starts": None}
SPAN_ATTRIBUTES = {
    "block_kind": None,
    "section": None,
    "section_kind": None,
    "column_kind": None,
    "label": None,
    "confidence": None,
    "scores": None,
    "text_scores": None,
    "themes": None,
}


def register_extensions() -> None:
    """Register the custom attributes once (idempotent)."""
    for name, default in DOC_ATTRIBUTES.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in SPAN_ATTRIBUTES.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


register_extensions()  # on import: every module reading these attributes imports this one
