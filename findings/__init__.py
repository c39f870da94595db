"""findings: inspection reports turned into searchable, labelled findings.

The library behind the ``findings`` command: ingest (:mod:`findings.ingest`), segment
(:mod:`findings.segment`), embed and index (:mod:`findings.index`), search
(:mod:`findings.search`) and export (:mod:`findings.export`).
"""

__version__ = "0.1.0"
