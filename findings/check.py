"""``findings check``: is the store whole, and what would ``findings build`` repair?

Checks the database (SQLite's integrity check), the vector index (present, its checksum the
one recorded at its build, its vector count, the store generation it holds), embeddings missing
for stored findings, the exported encoder files (checksums), and temporary files an interrupted
build left behind. Each problem comes with what ``findings build`` will do about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.documents import file_hash
from findings.build import leftovers
from findings.encoding import model_name
from findings.encoding.onnx_encoder import intact
from findings.retrieval.shards import MANIFEST, damaged_shards
from findings.retrieval.vector_file import INDEX_FILE
from findings.settings import Settings
from findings.store import connect, reads


@dataclass(frozen=True)
class Problem:
    """Something wrong with the store, and what a build does about it."""

    what: str
    repair: str


def check_database(conn) -> list[Problem]:
    """SQLite's own integrity check."""
    result = reads.integrity(conn)
    if result == "ok":
        return []
    return [Problem(f"the database is damaged ({result})",
                    "none: build cannot repair it; remove the data folder and build again")]


def check_index(conn, settings: Settings) -> list[Problem]:
    """The vector index against what the store recorded when it was built."""
    path = settings.index_dir / (MANIFEST if settings.index_shards > 1 else INDEX_FILE)
    state = reads.index_state(conn)
    if not path.is_file():
        return [Problem("the vector index is missing", "build writes it")]
    problems = [Problem(f"the vector index shard {name} is missing or damaged", "build writes it again")
                for name in (damaged_shards(settings.index_dir) if settings.index_shards > 1 else [])]
    if state.index_sha256 != file_hash(path):
        problems.append(Problem("the vector index file is not the one the build wrote (damaged or replaced)",
                                "build writes it again"))
    if not state.current:
        problems.append(Problem(f"the vector index holds generation {state.index_generation} of the store, "
                                f"which is at {state.generation}", "build brings it up to date"))
    model = model_name(settings.encoder_backend, settings.encoder)
    missing = len(reads.missing_embeddings(conn, model=model))
    if missing:
        problems.append(Problem(f"{missing} finding texts have no embedding", "build embeds them"))
    return problems


def check_files(settings: Settings) -> list[Problem]:
    """Exported encoder files and leftovers of interrupted builds."""
    problems = [Problem(f"encoder file {path.name} is damaged (checksum)", "build exports it again")
                for path in sorted(settings.encoder_cache.glob("minilm-*.onnx")) if not intact(path)]
    found = leftovers(settings)
    if found:
        problems.append(Problem(f"{len(found)} temporary files from an interrupted build",
                                "build deletes them"))
    return problems


def check(settings: Settings) -> list[Problem]:
    """Every problem with the store named by the settings (empty: all is well).

    Raises:
        FileNotFoundError: there is no store.

    """
    conn = connect(settings.db_path, read_only=True)
    try:
        return check_database(conn) + check_index(conn, settings) + check_files(settings)
    finally:
        conn.close()
