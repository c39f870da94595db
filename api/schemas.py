"""Response models (hits are the :class:`findings.retrieval.hits.Hit` dataclass itself)."""

from __future__ import annotations

from pydantic import BaseModel


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
    inspected: str | None = None
    outcome: str | None = None
    area_of_practice: str | None = None
    pages: int
    findings: dict[str, int]


class CouncilOut(BaseModel):
    """A council with its reports."""

    council: str
    council_code: str | None
    reports: int
    findings: int
