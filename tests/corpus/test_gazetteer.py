"""Councils read from a report's opening in context, not from any mention."""

from __future__ import annotations

import pytest

from corpus.gazetteer import infer_council, read_gazetteer

ROWS = [
    ("Bournemouth, Christchurch and Poole", "[BCP, Bournemouth, Christchurch & Poole]"),
    ("Poole", ""), ("Manchester", ""), ("Halton", ""), ("Kingston upon Thames", ""),
    ("Kingston Upon Hull, City of", "[Kingston Upon Hull, Hull]"), ("Newcastle upon Tyne", ""),
    ("St. Helens", ""),
]


@pytest.fixture()
def pairs(tmp_path):
    (tmp_path / "reference").mkdir()
    lines = ["local_authority_ons_name,also_known_as"] + [f'"{name}","{aka}"' for name, aka in ROWS]
    (tmp_path / "reference" / "local_authorities.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_gazetteer(tmp_path)


@pytest.mark.parametrize(("opening", "council"), [
    ("BROMSGROVE DISTRICT COUNCIL\n\nEXECUTIVE CABINET\n\nResponsible Head of Service\tDeb Poole, Head of "
     "E-Government", "Bromsgrove"),  # not in the gazetteer: the title line; an officer is no council
    ("Ofsted\nPiccadilly Gate\nManchester M1 2WD\n\nDear Ms Smith\n\nFocused visit to St Helens children's "
     "services", "St. Helens"),
    ("Halton\n\nInspection of services for children in need of help and protection", "Halton"),
    ("Royal Borough of Kingston upon\n\nThames\n\nInspection of children's social care services",
     "Kingston upon Thames"),
    ("Inspection of Bournemouth, Christchurch and Poole local authority children's services", 
     "Bournemouth, Christchurch and Poole"),
    ("Focused visit to Newcastle local authority children's services", "Newcastle upon Tyne"),
    ("A national paper on the performance framework for all councils in England.", ""),
])
def test_the_inspected_council_is_read_in_context(pairs, opening, council):
    assert infer_council(opening, pairs) == council


def test_without_a_gazetteer_only_title_lines_count():
    assert infer_council("Cannock Chase Council\n\nDirection of travel", ()) == "Cannock Chase"
    assert infer_council("Dear Mr Poole\n\nThe council has improved.", ()) == ""
