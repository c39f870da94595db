from analyses.counts import count_frames, plot_count
from findings.relevance.counts import Counter
from findings.relevance.matcher import Matcher
from tests.findings.relevance.test_counts import cosine_model


def test_a_count_becomes_tables_and_a_plot(tiny_engine):
    counter = Counter(Matcher(tiny_engine, cosine_model(), dense_depth=50, lexical_depth=50), {})
    frames = count_frames(counter, "supervision of social workers is regular", cutoff=0.9)
    assert list(frames.groups.columns) == ["group", "councils_matched", "councils", "share", "low", "high"]
    assert frames.groups["low"].iloc[0] <= frames.groups["share"].iloc[0] <= frames.groups["high"].iloc[0]
    assert len(frames.findings) == frames.count.totals["findings"] and "2 of 2 councils" in frames.summary()
    assert "No finding uses" not in frames.summary() and "cut-off" in frames.summary()
    empty = count_frames(counter, "supervision wrokers", cutoff=0.99, date_from="2030-01-01")
    assert empty.groups.empty and empty.findings.empty and "No finding uses 'wrokers'" in empty.summary()
    plot_count(empty)
    plot_count(frames)
