"""Query parameters shared by routes: free text that must hold a word, enumerated filters, dates.

Enumerated filters (label, theme, grade, collection) list their values in the OpenAPI schema and
match them in any case; another value is refused (422) with the allowed ones. (No
``from __future__ import annotations`` here: FastAPI reads the closures' annotations at run time.)
The dependencies are ``async``: FastAPI runs a plain function's dependency on its thread pool,
and a request with ten such parameters would wait for ten threads in turn.
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Query

from corpus.collections import collection_ids, grade_values, outcome_values, vocabulary_spelling
from corpus.metadata import ISO_DAY, calendar_day
from nlp.labels import FINDING_LABELS
from nlp.themes import theme_names

DAY = f"^{ISO_DAY.pattern}$"  # the calendar check is calendar_day's; this is the schema's pattern
WORD = "[A-Za-z0-9]"  # a query must hold a letter or digit (what query terms are made of)
MAX_QUERY = 2000


class ParameterError(HTTPException):
    """A 422 about one parameter (answered with the parameter named in ``errors``)."""

    def __init__(self, field: str, message: str) -> None:
        """Refuse one parameter's value, saying why."""
        super().__init__(status_code=422, detail=f"{field}: {message}")
        self.field, self.message = field, message


async def query_text(q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY, pattern=WORD,
                                             description="free text with at least one letter or digit")]
                     ) -> str:
    """The query text (at least one letter or digit: the pattern is in the schema)."""
    return q


def choice(name: str, values: tuple[str, ...], description: str,
           blank: bool = False) -> Callable[..., str | None]:
    """A dependency reading an optional enumerated parameter, matched in any case.

    ``blank``: an empty value means no value (what an HTML form sends for "any").
    """
    allowed = [*values, ""] if blank else list(values)
    listed = Query(alias=name, description=description, json_schema_extra={"enum": allowed})

    async def parse(value: Annotated[str | None, listed] = None) -> str | None:
        if value is None or (blank and not value.strip()):
            return None
        found = vocabulary_spelling(value, values)
        if found is None:
            raise ParameterError(name, f"must be one of: {', '.join(values)}")
        return found

    return parse


def day(name: str, blank: bool = False) -> Callable[..., str | None]:
    """A dependency reading an optional ``YYYY-MM-DD`` date, refused unless the day exists.

    ``blank``: an empty value means no date (what an HTML form sends).
    """
    either = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}
    spelled = (Query(alias=name, description="a date, YYYY-MM-DD, or empty", json_schema_extra=either)
               if blank else
               Query(alias=name, pattern=DAY, description="a date, YYYY-MM-DD",
                     json_schema_extra={"format": "date"}))

    async def parse(value: Annotated[str | None, spelled] = None) -> str | None:
        if value is None or (blank and not value):
            return None
        try:
            return calendar_day(value)
        except ValueError as exc:
            raise ParameterError(name, str(exc)) from None

    return parse


Text = Annotated[str, Depends(query_text)]
CHOICES = {"label": (FINDING_LABELS, "what the finding does"),
           "theme": (theme_names(), "a theme of the finding"),
           "grade": (grade_values(), "the report's overall effectiveness"),
           "collection": (collection_ids(), "the report's collection"),
           "outcome": (outcome_values(), "a SEND inspection's outcome")}


def chosen(name: str, blank: bool = False):
    """The annotated type of an enumerated filter parameter (``blank``: a form's empty "any" allowed)."""
    values, description = CHOICES[name]
    return Annotated[str | None, Depends(choice(name, tuple(values), description, blank=blank))]


Label, Theme, Grade, Collection, Outcome = (
    chosen(n) for n in ("label", "theme", "grade", "collection", "outcome"))
DateFrom = Annotated[str | None, Depends(day("date_from"))]
DateTo = Annotated[str | None, Depends(day("date_to"))]
Count = Annotated[int, Query(ge=1, le=100, description="how many hits")]

# the same for a page's form, which sends an empty value for "any"
FormLabel, FormTheme, FormGrade, FormCollection, FormOutcome = (
    chosen(n, blank=True) for n in ("label", "theme", "grade", "collection", "outcome"))
FormDateFrom = Annotated[str | None, Depends(day("date_from", blank=True))]
FormDateTo = Annotated[str | None, Depends(day("date_to", blank=True))]
