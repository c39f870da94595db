from __future__ import annotations

from findings.retrieval.filters import Filters
from findings.retrieval.hits import quality_flags


def test_quality_flags_mark_low_confidence_and_long_texts():
    assert quality_flags("Plans are weak.", 0.95) == []
    assert quality_flags("Plans are weak.", 0.4) == ["low_confidence_label"]
    assert quality_flags("word " * 300, 0.9) == ["truncated_for_encoder"]
    assert quality_flags("a " * 197, 0.9) == ["truncated_for_encoder"]  # 197 words x 1.3 > 256
    assert quality_flags("a " * 196, 0.9) == []


def test_filters_key_is_hashable_and_tracks_values():
    assert Filters().key() == (None,) * 9 and not Filters().active()
    assert Filters(label="weakness").key() != Filters(council="weakness").key()
    assert Filters(theme="x").active()
    assert Filters(grade="good").values()["grade"] == "good"
