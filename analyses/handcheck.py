"""A hand-made answer key for Bromsgrove's response to its CPA report (R1–R7).

Read from ``audit-commission/bromsgrove-2009-06-cpa-response.txt``: section 3 lists the Audit
Commission's recommendations R1–R7, each followed by the council's planned actions and comments.
Every sentence between ``Rn`` and ``Rn+1`` answers ``Rn``. The key maps the opening words of
those sentences to the recommendation they answer, so it does not depend on finding ids.
"""

from __future__ import annotations

import re

import pandas as pd

BROMSGROVE = "bromsgrove-2009-06-cpa-response"
BROMSGROVE_KEY: dict[str, str] = {
    "Update of Customer First Strategy": "R1",
    "Continued support for the Customer Service Centre": "R1",
    "Employment of lean systems specialist": "R1",
    "Evaluate neighbouring council": "R1",
    "insight tool": "R1",
    "Customer First Part 3 training": "R1",
    "Continued roll out of National Indicators": "R2",
    "Adoption of Corporate Performance Management Strategy": "R2",
    "Fundamental review of Community Strategy": "R2",
    "Template changes to the Council Plan": "R2",
    "Development of Inputs, Processes": "R2",
    "This project was suspended": "R3",
    "A project plan is now in place": "R3",
    "The Council has a clear project methodology": "R4",
    "The recommendations have been implemented": "R4",
    "The Council was subject to an inspection": "R4",
    "Our arrangements were described": "R4",
    "The Council will need to consider": "R4",
    "Training was undertaken for March and April": "R4",
    "There is an issue of scale": "R4",
    "The Audit Commission do need": "R4",
    "be cognisant": "R4",
    "Subsequent discussions with the Lead Inspector": "R4",
    "The Council has recently changed its scrutiny": "R5",
    "The former has a focus on policy": "R5",
    "Budget Full Council also agreed": "R5",
    "More recently an enhanced role": "R5",
    "The Council has made considerable efforts": "R6",
    "The report comments favourably": "R6",
    "This forward focus": "R6",
    "This should not be difficult": "R6",
    "Again, the Council has improved": "R7",
    "The Corporate Communications, Policy and Performance team": "R7",
    "In addition, communications will now be": "R7",
}
R_NUMBER = re.compile(r"^\s*(R\d+)\b")


def expected_recommendation(action: str, key: dict[str, str] = BROMSGROVE_KEY) -> str | None:
    """The recommendation an action answers according to the key (``None`` if not in it)."""
    for start, number in key.items():
        if action.strip().startswith(start):
            return number
    return None


def check_links(links: pd.DataFrame, doc_id: str = BROMSGROVE,
                key: dict[str, str] = BROMSGROVE_KEY) -> pd.DataFrame:
    """Compare a document's links with the answer key.

    Args:
        links: output of ``actions.link_actions``.
        doc_id: the document the key belongs to.
        key: opening words → recommendation number (``R1`` …).

    Returns:
        The document's actions that the key covers, with ``expected``, ``linked`` and ``correct``.

    """
    rows = links[links["doc_id"] == doc_id].copy()
    rows["expected"] = rows["action"].map(lambda t: expected_recommendation(t, key))
    rows = rows.dropna(subset=["expected"])
    numbers = rows["recommendation"].fillna("").str.extract(R_NUMBER, expand=False)
    rows["linked"] = numbers
    rows["correct"] = rows["linked"] == rows["expected"]
    return rows[["action", "expected", "linked", "method", "similarity", "correct"]].reset_index(
        drop=True)
