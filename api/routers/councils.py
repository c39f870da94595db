"""``GET /councils``: councils with their numbers of reports and findings."""

from __future__ import annotations

from fastapi import APIRouter

from api.dependencies import Engine
from api.schemas import CouncilOut

router = APIRouter(tags=["councils"])

COUNCILS_QUERY = """
SELECT d.council AS council, max(d.council_code) AS council_code,
       count(DISTINCT d.doc_id) AS reports, count(f.rowid) AS findings
FROM documents d LEFT JOIN findings f USING (doc_id)
WHERE d.council IS NOT NULL AND d.council != ''
GROUP BY d.council ORDER BY d.council
"""


@router.get("/councils", response_model=list[CouncilOut])
def councils(engine: Engine) -> list[CouncilOut]:
    """Every council in the store."""
    return [CouncilOut(**dict(r)) for r in engine.conn.execute(COUNCILS_QUERY)]
