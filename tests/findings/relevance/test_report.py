from findings.relevance.report import absent_sentence, percent, plural


def test_plural_says_one_council_and_two_councils():
    assert plural(1, "council") == "1 council"
    assert plural(0, "finding") == "0 findings" and plural(2, "council") == "2 councils"


def test_percent_rounds_and_marks_a_missing_share():
    assert percent(0.155) == "16%" and percent(None) == "-"


def test_absent_words_are_quoted_and_the_researcher_told_what_the_count_rests_on():
    sentence = absent_sentence(["wrokers", "zzz"])
    assert sentence.startswith("No finding uses 'wrokers', 'zzz': check the spelling; the count rests")
    assert "the search rests" in absent_sentence(["wrokers"], "search")
