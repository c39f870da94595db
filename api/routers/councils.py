"""``GET /councils``: councils with their numbers of reports and findings; ``GET /councils/{name}``: one."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, HTTPException, Request

from api.dependencies import Engine, Store, kept_for_engine
from api.errors import documented
from api.schemas import CouncilOut
from api.web import page, wants_html
from corpus.collections import of_report_type
from findings.persistence import persistence
from findings.store import page_reads, reads

router = APIRouter(tags=["councils"])
INSPECTIONS = of_report_type("inspection")[0]  # persistence is read between full inspections
PERSISTING_CACHE = 256  # councils whose persisting weaknesses are kept


@router.get("/councils", response_model=list[CouncilOut], responses=documented(429, 503))
def councils(store: Store) -> list[CouncilOut]:
    """Every council in the store."""
    return [CouncilOut(**row) for row in reads.councils(store)]


def labelled(engine, doc_id: str, label: str) -> tuple[list[dict], np.ndarray]:
    """A report's findings of one label that are indexed, and their vectors."""
    found, vectors = [], []
    for finding in page_reads.report_findings(engine.conn, doc_id=doc_id):
        vector = engine.stored_vector(finding["rowid"]) if finding["label"] == label else None
        if vector is not None:
            found.append(finding)
            vectors.append(vector)
    return found, np.array(vectors, dtype=np.float32).reshape(len(found), -1)


def persisting(engine, reports: list[dict]) -> list[dict]:
    """Weaknesses of each full inspection that persist into the council's next one."""
    inspections = [r for r in reports if r["collection"] == INSPECTIONS]
    out = []
    for earlier, later in zip(inspections, inspections[1:], strict=False):
        old, old_vectors = labelled(engine, earlier["doc_id"], "weakness")
        new, new_vectors = labelled(engine, later["doc_id"], "weakness")
        _, strength_vectors = labelled(engine, later["doc_id"], "strength")
        marked = persistence(old_vectors, new_vectors, strength_vectors)
        for i in np.flatnonzero(marked.persisting):
            match = new[int(marked.weakness_index[i])]
            out.append({"earlier": earlier["doc_id"], "later": later["doc_id"], "id": old[i]["id"],
                        "text": old[i]["text"], "later_id": match["id"], "later_text": match["text"],
                        "similarity": round(float(marked.weakness_similarity[i]), 3)})
    return out


def cached_persisting(request: Request, engine, reports: list[dict]) -> list[dict]:
    """:func:`persisting`, kept per loaded engine and council (its reports change only with a rebuild)."""
    cache = kept_for_engine(request, engine, "persisting", dict)
    key = tuple(r["doc_id"] for r in reports)
    if key not in cache:
        if len(cache) >= PERSISTING_CACHE:
            cache.pop(next(iter(cache)))
        cache[key] = persisting(engine, reports)
    return cache[key]


@router.get("/councils/{name}", responses=documented(404, 422, 429, 503))
def council(request: Request, engine: Engine, name: str) -> dict:
    """A council's reports over time (grades, findings per label) and its persisting weaknesses."""
    reports = page_reads.council_reports(engine.conn, council=name)
    if not reports:
        raise HTTPException(status_code=404, detail=f"no reports of a council named {name!r}")
    body = {"council": name, "reports": reports, "persisting": cached_persisting(request, engine, reports)}
    if not wants_html(request):
        return body
    for report in reports:
        counts = report["findings"]
        judged = counts.get("weakness", 0) + counts.get("strength", 0)
        report["weakness_share"] = counts.get("weakness", 0) / judged if judged else None
    return page(request, "council.html", **body)
