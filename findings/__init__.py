"""findings: inspection reports turned into searchable, labelled findings.

The library behind the ``findings`` command, in three parts: :mod:`findings.store` (the SQLite
store, its named reads and writes, export), :mod:`findings.encoding` (sentence encoders and
the embedding cache) and :mod:`findings.retrieval` (retrievers, fusion, the search engine).
On top of them: :mod:`findings.ingest`, :mod:`findings.segment`, :mod:`findings.build`,
:mod:`findings.training` and the command line (:mod:`findings.cli`).
"""

__version__ = "0.1.0"
