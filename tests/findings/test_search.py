"""Search pieces that need no index: query terms, fusion, highlighting, filters."""

from __future__ import annotations

from findings.search import Filters, fts_query, fuse, highlight, query_terms


def test_query_terms_drop_stopwords_and_repeats():
    assert query_terms("The quality of the assessments is variable, quality!") == [
        "quality", "assessments", "variable"]


def test_fts_query_quotes_terms():
    assert fts_query(["public", "law"]) == '"public" OR "law"'


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = dict(fuse([[1, 2, 3], [3, 1]]))
    assert max(fused, key=fused.get) == 1
    assert fused[3] > fused[2]


def test_highlight_matches_inflections():
    matched, spans = highlight("Supervision is not reflective and supervisors are busy.",
                               ["supervision", "reflective"])
    assert matched == ["supervision", "reflective"]
    assert [0, 11] in spans


def test_filters_build_a_where_clause():
    where, params = Filters(label="weakness", date_from="2020-01-01").sql()
    assert "f.label = ?" in where and "d.published >= ?" in where
    assert params == ["weakness", "2020-01-01"]
    assert Filters().sql() == ("1", [])


def test_quality_flags_mark_low_confidence_and_long_texts():
    from findings.search import quality_flags

    assert quality_flags("Plans are weak.", 0.95) == []
    assert quality_flags("Plans are weak.", 0.4) == ["low_confidence_label"]
    assert quality_flags("word " * 300, 0.9) == ["truncated_for_encoder"]
