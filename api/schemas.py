"""Response models."""

from __future__ import annotations

from pydantic import BaseModel


class HitOut(BaseModel):
    """A finding with provenance, score and why it matched."""

    id: str
    doc_id: str
    text: str
    label: str
    score: float
    confidence: float | None = None
    council: str | None = None
    collection: str | None = None
    published: str | None = None
    page: int | None = None
    section: str | None = None
    source_url: str | None = None
    themes: list[str] = []
    matched_terms: list[str] = []
    highlights: list[list[int]] = []
    flags: list[str] = []


class ReportOut(BaseModel):
    """A report's metadata and finding counts."""

    doc_id: str
    council: str | None
    council_code: str | None
    collection: str | None
    doc_type: str | None
    publisher: str | None
    published: str | None
    source_url: str | None
    licence: str | None
    grades: dict[str, str]
    pages: int
    findings: dict[str, int]


class CouncilOut(BaseModel):
    """A council with its reports."""

    council: str
    council_code: str | None
    reports: int
    findings: int
