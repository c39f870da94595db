from __future__ import annotations

import numpy as np

from findings.retrieval.fusion import fuse, reciprocal_ranks, weigh_by_confidence


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = dict(fuse([[1, 2, 3], [3, 1]]))
    assert max(fused, key=fused.get) == 1
    assert fused[3] > fused[2]


def test_fusion_weights_scale_each_ranking_and_ties_keep_first_seen_order():
    assert fuse([[1], [2]], [1.0, 0.0]) == [(1, 1 / 61), (2, 0.0)]
    assert [rowid for rowid, _ in fuse([[5, 6], [6, 5]])] == [5, 6]  # equal scores: first met first
    assert reciprocal_ranks([9, 4]) == fuse([[9, 4]])


def test_weigh_by_confidence_reorders_by_label_certainty():
    confidence = np.array([1.0, 0.5, 1.0], dtype=np.float32)
    assert weigh_by_confidence([(1, 0.02), (2, 0.015), (7, 0.012)], confidence) == [
        (2, 0.015), (7, 0.012), (1, 0.01)]  # rowid 7 lies beyond the array: sure
