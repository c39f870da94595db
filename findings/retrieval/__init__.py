"""Retrieval: retrievers behind one interface, their fusion, and hits with provenance.

The public face: :class:`SearchEngine`, :class:`Filters`, :class:`Hit`, :class:`Query`,
:class:`Retriever`.
"""

from findings.retrieval.base import Query, Retriever
from findings.retrieval.engine import SearchEngine
from findings.retrieval.filters import Filters
from findings.retrieval.hits import Hit

__all__ = ["Filters", "Hit", "Query", "Retriever", "SearchEngine"]
