"""What a report's text says about itself: type, dates, grade, SEND outcome, area of practice."""

from __future__ import annotations

import pytest

from corpus import metadata

SEND = """Local area partnership report

Area SEND inspection of Blackpool

Local Area Partnership

Inspection dates: 20 to 24 May 2024

Inspection outcome

The local area partnership’s arrangements lead to inconsistent experiences and outcomes for children
and young people with special educational needs and/or disabilities (SEND).
"""
VISIT = """4 December 2025

John Anthony

Dear Mr Anthony

Focused visit to Barnet children’s services

This letter summarises the findings of the focused visit to Barnet children’s services on 4 and 5
November 2025.

Inspectors looked at the local authority’s arrangements for care leavers, with a particular focus on
younger care leavers.
"""
INSPECTION = """Inspection of West Sussex local

authority children’s services

Inspection dates: 13 to 24 March 2023

Overall effectiveness Requires improvement to be good
"""
SIF = """Manchester City Council

Re-inspection of services for children in need of help and protection, children looked after and care
leavers Inspection dates: 9 October to 2 November 2017 Report published: 21 December 2017
"""


def test_the_report_type_comes_from_the_opening():
    assert metadata.report_collection(SEND) == "ofsted-send"
    assert metadata.report_collection(VISIT) == "ofsted-focused-visit"
    assert metadata.report_collection(INSPECTION) == metadata.report_collection(SIF) == "ofsted-ilacs"
    assert metadata.report_collection("Minutes of the parish council meeting.") == "loose"


def test_dates_grades_outcomes_and_areas():
    assert metadata.inspection_end(SEND) == "2024-05-24" and metadata.inspection_end(VISIT) == "2025-11-05"
    assert metadata.inspection_end(SIF) == "2017-11-02"
    assert metadata.publication_date(SIF, "ofsted-ilacs") == "2017-12-21"
    assert metadata.publication_date(VISIT, "ofsted-focused-visit") == "2025-12-04"
    assert metadata.publication_date(INSPECTION, "ofsted-ilacs") == ""  # the text does not say
    assert metadata.overall_grade(INSPECTION) == "requires improvement"
    assert metadata.send_outcome(SEND) == "inconsistent experiences and outcomes"
    assert metadata.area_of_practice(VISIT) == "care leavers"
    assert metadata.send_outcome(VISIT) == metadata.area_of_practice(SEND) == ""


def test_a_calendar_day_is_kept_as_written_and_a_day_that_does_not_exist_is_refused():
    assert metadata.calendar_day("2024-02-29") == "2024-02-29"
    for wrong, why in (("2023-02-29", "not a day of the calendar"), ("2020-13-01", "not a day"),
                       ("2020-1-1", "not a date written YYYY-MM-DD"), ("1 May 2020", "written YYYY-MM-DD")):
        with pytest.raises(ValueError, match=why):
            metadata.calendar_day(wrong)
