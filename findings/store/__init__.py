"""The embedded SQLite store: schema and connections, named reads and writes, export.

The public face: :func:`connect` and :func:`transaction` (from :mod:`.schema`), the read
functions in :mod:`.reads`, the writes in :mod:`.writes`, the FTS5 side in :mod:`.fts`, and the
DataFrames of :mod:`.export`. No SQL runs anywhere else.
"""

from findings.store import reads, writes
from findings.store.schema import FTS_TOKENIZE, connect, transaction

__all__ = ["FTS_TOKENIZE", "connect", "reads", "transaction", "writes"]
