"""Recommendations to actions: which recommendation each action in a council's response answers.

Structure first: an action answers the nearest recommendation before it in document order
(by ``start_char``) when both sit in the same section, or both are table cells (response
plans are tables whose rows run across page headings). Similarity second: an action with no
structural recommendation is linked to the most similar recommendation of the document if the
cosine similarity reaches ``min_similarity``, else left unlinked.

Recommendations split by layout are merged first: a fragment continues the previous
recommendation when that one ends mid-sentence and the fragment starts in lower case, or when
the two are adjacent and the fragment starts with a pronoun ("This will help ..."). A
recommendation ending in ":" and directly followed by another one is a *heading* (a key area
with sub-recommendations).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

RESPONSE_DOCS = ("bromsgrove-2009-06-cpa-response",
                 "leicester-2008-07-corporate-assessment-response",
                 "cannock-chase-2009-03-direction-of-travel-plan")
MIN_SIMILARITY = 0.35
DUPLICATE_SIMILARITY = 0.85
ENDS_SENTENCE = re.compile(r"[.;:!?\"”’')]\s*$")
PRONOUN_START = re.compile(r"^(This|These|It|That|Such|\()")


def continues(previous: str, text: str, adjacent: bool) -> bool:
    """Whether recommendation ``text`` continues the ``previous`` one (split by layout)."""
    text = text.strip()
    if not text:
        return True
    if text[0].islower() and not ENDS_SENTENCE.search(previous):
        return True
    return adjacent and bool(PRONOUN_START.match(text))


def recommendation_items(doc: pd.DataFrame) -> list[dict]:
    """Merge a document's recommendation findings into recommendation items.

    Args:
        doc: one document's findings sorted by ``start_char``.

    Returns:
        Items with ``item`` (first finding id), ``text``, ``start_char``, ``section``,
        ``block_kind``, ``rows`` (positional rows in ``doc``) and ``heading``.

    """
    items: list[dict] = []
    labels = doc["label"].tolist()
    for pos, row in enumerate(doc.itertuples(index=False)):
        if row.label != "recommendation":
            continue
        adjacent = pos > 0 and labels[pos - 1] == "recommendation"
        if items and continues(items[-1]["text"], row.text, adjacent):
            items[-1]["text"] += " " + row.text
            items[-1]["rows"].append(pos)
            continue
        items.append({"item": row.id, "text": row.text, "start_char": row.start_char,
                      "section": row.section, "block_kind": row.block_kind, "rows": [pos]})
    for item in items:
        last = item["rows"][-1]
        follower = labels[last + 1] if last + 1 < len(labels) else None
        item["heading"] = item["text"].rstrip().endswith(":") and follower == "recommendation"
    return items


def item_vectors(items: list[dict], vectors: np.ndarray) -> np.ndarray:
    """Unit mean vector of each item's fragments (``vectors`` aligned with the document rows)."""
    if not items:
        return np.zeros((0, vectors.shape[1]), dtype=np.float32)
    means = np.vstack([vectors[item["rows"]].mean(axis=0) for item in items])
    return means / np.linalg.norm(means, axis=1, keepdims=True).clip(1e-12)


def structural_item(items: list[dict], action, doc: pd.DataFrame) -> int | None:
    """Index of the item an action answers by structure, or ``None``."""
    before = [i for i, item in enumerate(items) if item["start_char"] < action.start_char]
    if not before:
        return None
    item = items[before[-1]]
    last = doc.iloc[[r for r in item["rows"] if doc.iloc[r]["start_char"] < action.start_char][-1]]
    same_section = last["section"] == action.section
    both_cells = last["block_kind"] == "table_cell" and action.block_kind == "table_cell"
    return before[-1] if same_section or both_cells else None


def link_document(doc: pd.DataFrame, vectors: np.ndarray,
                  min_similarity: float = MIN_SIMILARITY) -> tuple[pd.DataFrame, list[dict]]:
    """Link each action of one document to a recommendation item.

    Args:
        doc: one document's findings sorted by ``start_char`` (fresh index).
        vectors: unit embeddings aligned with ``doc`` rows.
        min_similarity: the similarity fallback's minimum cosine similarity.

    Returns:
        ``(links, items)``: one row per action, and the recommendation items.

    """
    items = recommendation_items(doc)
    centres = item_vectors(items, vectors)
    rows = []
    for pos, action in enumerate(doc.itertuples(index=False)):
        if action.label != "action":
            continue
        sims = centres @ vectors[pos] if len(items) else np.zeros(0)
        chosen, method = structural_item(items, action, doc), "structure"
        if chosen is None and len(sims) and sims.max() >= min_similarity:
            chosen, method = int(sims.argmax()), "similarity"
        rows.append(link_row(doc, action, items, sims, chosen, method))
    return pd.DataFrame(rows, columns=LINK_COLUMNS), items


LINK_COLUMNS = ["doc_id", "action_id", "action", "page", "start_char", "recommendation_id",
                "recommendation", "method", "similarity", "most_similar_recommendation",
                "best_similarity"]


def link_row(doc: pd.DataFrame, action, items: list[dict], sims: np.ndarray, chosen: int | None,
             method: str) -> dict:
    """One row of the links table."""
    best = int(sims.argmax()) if len(sims) else None
    return {"doc_id": action.doc_id, "action_id": action.id, "action": action.text,
            "page": action.page, "start_char": action.start_char,
            "recommendation_id": items[chosen]["item"] if chosen is not None else None,
            "recommendation": items[chosen]["text"] if chosen is not None else None,
            "method": method if chosen is not None else "unlinked",
            "similarity": round(float(sims[chosen]), 4) if chosen is not None else np.nan,
            "most_similar_recommendation": items[best]["text"] if best is not None else None,
            "best_similarity": round(float(sims[best]), 4) if best is not None else np.nan}


def unanswered(items: list[dict], links: pd.DataFrame, vectors: np.ndarray,
               duplicate_similarity: float = DUPLICATE_SIMILARITY) -> pd.DataFrame:
    """Recommendation items that no action answers.

    A heading counts as answered when one of the items under it (up to the next heading) is;
    an item counts as answered when a near-duplicate item (the same recommendation quoted
    elsewhere in the document) is.
    """
    linked = set(links["recommendation_id"].dropna())
    answered = [item["item"] in linked for item in items]
    for i, item in enumerate(items):
        if item["heading"]:
            j = i + 1
            while j < len(items) and not items[j]["heading"]:
                answered[i] = answered[i] or answered[j]
                j += 1
    centres = item_vectors(items, vectors)
    duplicate = (centres @ centres.T >= duplicate_similarity) if len(items) else np.zeros((0, 0))
    final = [answered[i] or any(answered[j] for j in np.flatnonzero(duplicate[i]) if j != i)
             for i in range(len(items))]
    rows = [{"recommendation_id": item["item"], "recommendation": item["text"],
             "section": item["section"], "heading": item["heading"]}
            for item, ok in zip(items, final, strict=True) if not ok]
    return pd.DataFrame(rows, columns=["recommendation_id", "recommendation", "section", "heading"])


def link_actions(findings: pd.DataFrame, embeddings: np.ndarray,
                 doc_ids: tuple[str, ...] = RESPONSE_DOCS,
                 min_similarity: float = MIN_SIMILARITY) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Links and unanswered recommendations for several response documents.

    Args:
        findings: the findings table (aligned with ``embeddings``).
        embeddings: unit vectors.
        doc_ids: the response documents (those missing from ``findings`` are skipped).
        min_similarity: the similarity fallback's minimum cosine similarity.

    Returns:
        ``(links, unanswered)`` over all documents, each with a ``doc_id`` column.

    """
    all_links, all_open = [], []
    for doc_id in doc_ids:
        positions = np.flatnonzero(findings["doc_id"].to_numpy() == doc_id)
        if not len(positions):
            continue
        order = positions[np.argsort(findings["start_char"].to_numpy()[positions], kind="stable")]
        doc = findings.iloc[order].reset_index(drop=True)
        links, items = link_document(doc, embeddings[order], min_similarity)
        all_links.append(links)
        all_open.append(unanswered(items, links, embeddings[order]).assign(doc_id=doc_id))
    if not all_links:
        return (pd.DataFrame(columns=LINK_COLUMNS),
                pd.DataFrame(columns=["doc_id", "recommendation_id", "recommendation"]))
    return pd.concat(all_links, ignore_index=True), pd.concat(all_open, ignore_index=True)


def link_summary(links: pd.DataFrame) -> pd.DataFrame:
    """Actions per document and how they were linked (structure, similarity, unlinked)."""
    if links.empty:
        return pd.DataFrame(columns=["doc_id", "structure", "similarity", "unlinked", "actions"])
    table = pd.crosstab(links["doc_id"], links["method"])
    table = table.reindex(columns=["structure", "similarity", "unlinked"], fill_value=0)
    table["actions"] = table.sum(axis=1)
    return table.reset_index()
