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


def test_the_estimate_states_its_intervals_when_measured():
    from findings.relevance.report import estimate_sentence

    measured = {"precision": 0.9, "recall": 0.71, "precision_interval": [0.86, 0.93],
                "recall_interval": [0.62, 0.79]}
    assert estimate_sentence(0.77, measured) == (
        "cut-off 0.77: precision 0.90 (0.86-0.93), recall 0.71 (0.62-0.79) on the dev queries, "
        "leave-one-query-out (95% intervals over resampled queries)")
    older = {"precision": 0.9, "recall": 0.71}  # a model file written before the intervals
    assert estimate_sentence(0.77, older) == ("cut-off 0.77: precision 0.90, recall 0.71 on the dev queries, "
                                              "leave-one-query-out")
    assert estimate_sentence(0.5, {"precision": None}) == "cut-off 0.50 (not measured)"
