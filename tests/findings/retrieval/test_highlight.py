from __future__ import annotations

from findings.retrieval.highlight import highlight, query_terms


def test_query_terms_drop_stopwords_and_repeats():
    assert query_terms("The quality of the assessments is variable, quality!") == [
        "quality", "assessments", "variable"]


def test_highlight_matches_inflections():
    matched, spans = highlight("Supervision is not reflective and supervisors are busy.",
                               ["supervision", "reflective"])
    assert matched == ["supervision", "reflective"]
    assert [0, 11] in spans
    assert highlight("SUPERVIſION is weak", ["supervision"])[0] == ["supervision"]  # as re.I does
    assert highlight("Supervision is weak", ["ſupervision"])[0] == ["ſupervision"]
    assert highlight("Plans are weak.", ["supervision", "plans"]) == (["plans"], [[0, 5]])


def test_query_terms_keep_accented_words_whole():
    assert query_terms("Café décor, x_y") == ["café", "décor", "x", "y"]
