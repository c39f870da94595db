"""Request streams for ``bench.api_load``: graded queries, unique (cold) texts, filter mixes.

* :class:`Workload` cycles through the graded queries, each text made unique when ``cold``.
* :class:`FilterMix` adds random filters (a council, a theme, a grade, a date range, a collection)
  to ``/search`` and sends some ``/similar`` requests that leave out a random council: the mix a
  varied crowd of users sends.
* :class:`CouncilExclusions` sends only ``/similar`` with a random council left out each time:
  an adversary costing the server a new filter value per request; :class:`FixedExclusion` the
  same requests with one council, for the same load without new values.
"""

from __future__ import annotations

import itertools
import random
import threading

SUFFIX_WORDS = (
    "council", "inspection", "children", "services", "practice", "leaders", "managers", "staff",
    "families", "outcomes", "quality", "plans", "support", "risk", "review", "progress", "work",
    "partners", "schools", "health", "housing", "budget", "performance", "improvement", "training",
    "audit", "oversight", "recording", "assessment", "placements", "carers", "advocacy", "foster",
    "adoption", "safeguarding", "disabled", "teenagers", "homeless", "court", "police")
THEMES = ("leadership and governance", "workforce and capacity", "help and protection", "children in care",
          "care leavers", "health", "education")
GRADES = ("outstanding", "good", "requires improvement", "inadequate")
COLLECTIONS = ("ofsted-ilacs", "ofsted-send", "ofsted-focused-visit")


def cold_query(base: str, n: int) -> str:
    """A variant of ``base`` unique for each ``n``: topic words chosen by the digits of ``n``."""
    words, size = [], len(SUFFIX_WORDS)
    for _ in range(2):
        words.append(SUFFIX_WORDS[n % size])
        n //= size
    while n:
        words.append(SUFFIX_WORDS[n % size])
        n //= size
    return f"{base} {' '.join(words)}"


class Workload:
    """The parameters of successive requests: fixed graded queries, or unique variants of them."""

    def __init__(self, queries: list[dict], cold: bool) -> None:
        """Cycle through ``queries``; make every text unique when ``cold``."""
        self.queries = queries
        self.cold = cold
        self.counter = itertools.count()

    def next(self) -> dict:
        """The next request's query parameters (thread-safe)."""
        n = next(self.counter)
        params = dict(self.queries[n % len(self.queries)])
        if self.cold:
            params["q"] = cold_query(params["q"], n // len(self.queries))
        return params

    def request(self) -> tuple[str, dict]:
        """The next request: its path and query parameters."""
        return "/search", self.next()


class FilterMix(Workload):
    """Graded queries with random filters; a fifth of them ``/similar`` without a random council."""

    def __init__(self, queries: list[dict], councils: list[str], seed: int = 0) -> None:
        """Draw filters from ``councils`` and the fixed vocabularies, reproducibly."""
        super().__init__(queries, cold=False)
        self.councils = councils
        self.random = random.Random(seed)
        self.lock = threading.Lock()

    def request(self) -> tuple[str, dict]:
        """The next request, with one or two random filters."""
        params = self.next()
        with self.lock:
            pick = self.random.random()
            if pick < 0.2:
                return "/similar", {"q": params["q"], "exclude_council": self.random.choice(self.councils)}
            extra = self.random.choice((
                {"council": self.random.choice(self.councils)}, {"theme": self.random.choice(THEMES)},
                {"grade": self.random.choice(GRADES)}, {"collection": self.random.choice(COLLECTIONS)},
                {"date_from": f"{self.random.randint(2012, 2025)}-{self.random.randint(1, 12):02d}-01"}))
        return "/search", {**params, **extra}


class FixedExclusion(FilterMix):
    """``/similar`` requests all leaving out the same council: the exclusions' load, nothing new."""

    def request(self) -> tuple[str, dict]:
        """The next request: a graded query without the first council."""
        return "/similar", {"q": self.next()["q"], "exclude_council": self.councils[0]}


class CouncilExclusions(FilterMix):
    """Only ``/similar`` requests, each leaving out a random council (often one never asked before)."""

    def request(self) -> tuple[str, dict]:
        """The next request: a graded query without a random council, in a random case."""
        params = self.next()
        with self.lock:
            council = self.random.choice(self.councils)
            council = council.upper() if self.random.random() < 0.5 else council.lower()
        return "/similar", {"q": params["q"], "exclude_council": council}
