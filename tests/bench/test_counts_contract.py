"""Scoring a count's members as the search scorer aligns hits."""

from bench.counts_contract import pooled, score_members

OVERSIGHT = "Management oversight of casework is weak and lacks challenge."
JUDGED = [
    {"doc_id": "a", "unit": 4, "text": OVERSIGHT, "grade": 2},
    {"doc_id": "b", "unit": 4, "text": "Managers do not challenge drift in children's plans.", "grade": 2},
    {"doc_id": "b", "unit": 9, "text": "Supervision is regular and reflective.", "grade": 1},
]


def test_members_align_within_their_report_and_units_are_credited_once_per_report():
    members = [
        {"doc_id": "a", "text": f"Overall, {OVERSIGHT.lower()}"},
        {"doc_id": "a", "text": OVERSIGHT.replace("challenge.", "challenge in most teams.")},
        {"doc_id": "b", "text": "Supervision is regular and reflective."},
        {"doc_id": "b", "text": OVERSIGHT},  # a's unit, not b's
        {"doc_id": "c", "text": "Something unjudged."},
    ]
    score = score_members(JUDGED, members)
    assert score == {"right": 2, "judged": 3, "reached": 1, "members": 5, "relevant": 2}
    both = score_members(JUDGED, members + [{"doc_id": "b", "text": "Managers do not challenge drift in "
                                                                  "children's plans."}])
    assert both["reached"] == 2  # unit 4 of report a and unit 4 of report b are two units


def test_pooled_figures_sum_the_queries():
    total = pooled([{"right": 2, "judged": 3, "reached": 1, "members": 5, "relevant": 2},
                    {"right": 0, "judged": 0, "reached": 0, "members": 0, "relevant": 3}])
    assert total["precision"] == 2 / 3 and total["recall"] == 1 / 5
    assert pooled([{"right": 0, "judged": 0, "reached": 0, "members": 0, "relevant": 0}])["precision"] is None
