"""Shared fixtures: the shared corpus (integration tests) and small built stores."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold"


def fts_query(terms: list[str]) -> str:
    """An FTS5 OR-query of quoted terms (the reference the in-memory BM25 is checked against)."""
    return " OR ".join('"' + t.replace('"', "") + '"' for t in terms)


def requires_corpus() -> pytest.MarkDecorator:
    """Skip when ../shared/corpus is not beside the project."""
    return pytest.mark.skipif(not (CORPUS / "reports.csv").is_file(), reason="no ../shared/corpus")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus folder."""
    if not (CORPUS / "reports.csv").is_file():
        pytest.skip("no ../shared/corpus")
    return CORPUS


SAMPLE_DOCS = (
    "ofsted-ilacs/ilacs-torbay-2016-01-05.pdf",
    "ofsted-ilacs/ilacs-wiltshire-2023-12-12.pdf",
    "ofsted-ilacs/ilacs-middlesbrough-2020-01-24.pdf",
    "ofsted-ilacs/ilacs-birmingham-2012-10-19.pdf",
    "audit-commission/bromsgrove-2009-06-cpa-response.txt",
)


def sample_corpus(folder: Path, corpus_dir: Path, docs: tuple[str, ...]) -> Path:
    """A corpus folder of some of the shared corpus's reports: their manifest rows, files linked."""
    manifest_lines = (corpus_dir / "reports.csv").read_text(encoding="utf-8").splitlines()
    keep = [manifest_lines[0]] + [ln for ln in manifest_lines[1:] if any(f",{doc}," in ln for doc in docs)]
    (folder / "reports.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    for doc in docs:
        target = folder / doc
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(corpus_dir / doc)
    return folder


def copy_store(settings, data_dir: Path, encoder: str = "link") -> Path:
    """A copy of a built store's data folder; its encoder files linked (``"link"``) or copied."""
    import shutil

    shutil.copytree(settings.data_dir, data_dir, ignore=shutil.ignore_patterns("encoder", "build.lock"))
    if encoder == "link":
        (data_dir / "encoder").symlink_to(settings.encoder_cache)
    else:
        shutil.copytree(settings.encoder_cache, data_dir / "encoder")
    return data_dir


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path):
    """Settings of a store and index built over a handful of real reports."""
    from findings.build import build
    from findings.settings import Settings

    data_dir = tmp_path_factory.mktemp("data")
    sample = sample_corpus(tmp_path_factory.mktemp("corpus"), corpus_dir, SAMPLE_DOCS)
    settings = Settings(corpus=sample, data_dir=data_dir)
    report = build(settings, progress=False)
    settings._report = report  # noqa: SLF001  (kept for assertions about the build)
    return settings


TINY_FINDINGS = (
    ("doc-a", "weakness", "Children's plans are not reviewed regularly and drift is common."),
    ("doc-a", "weakness", "Plans for children are late and children wait too long."),
    ("doc-a", "strength", "Supervision of social workers is regular and reflective."),
    ("doc-a", "recommendation", "Improve the supervision of social workers."),
    ("doc-a", "strength", "Asylum-seeking children are supported well by skilled staff."),
    ("doc-b", "weakness", "Unaccompanied asylum seeking children wait for health assessments."),
    ("doc-b", "strength", "The well-being of children in care is improving."),
    ("doc-b", "weakness", "Supervision is irregular and supervisors do not record decisions."),
    ("doc-b", "strength", "Supervision of social workers is regular and reflective."),
    ("doc-b", "action", "The council will review children's plans every month."),
    ("doc-b", "weakness", "Financial management is weak and the budget is overspent."),
    ("doc-b", "strength", "Leaders know their services well and children's voices are heard."),
)


class FakeEncoder:
    """A deterministic bag-of-words encoder that counts its calls (no model needed)."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str], batch_size: int = 16):
        import hashlib

        import numpy as np

        self.calls.append(list(texts))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().replace("'", " ").split():
                slot = int(hashlib.md5(word.strip(".,").encode()).hexdigest(), 16) % 384
                out[row, slot] += 1.0
            out[row] /= max(float(np.linalg.norm(out[row])), 1e-9)
        return out


def build_tiny_store(path):
    """A store of a dozen hand-written findings in two reports (FTS5 index rebuilt)."""
    import hashlib

    from findings.store import connect, reads, writes

    conn = connect(path)
    for doc_id, council in (("doc-a", "Torbay"), ("doc-b", "Wiltshire")):
        writes.upsert_document(conn, {"doc_id": doc_id, "path": f"{doc_id}.txt", "content_hash": doc_id,
                                      "council": council, "collection": "test", "published": "2020-01-01",
                                      "text": "", "page_starts": "[0]"})
    for doc_id in ("doc-a", "doc-b"):
        rows = [{"id": f"{doc_id}-{unit}", "doc_id": doc_id, "unit": unit, "text": text, "label": label,
                 "confidence": 0.9, "page": 1, "themes": [],
                 "text_hash": hashlib.sha1(text.encode()).hexdigest()}
                for unit, (doc, label, text) in enumerate(TINY_FINDINGS) if doc == doc_id]
        writes.replace_findings(conn, doc_id, rows, "test")
    writes.rebuild_fts(conn)
    writes.set_meta(conn, "index_generation", str(reads.generation(conn)))  # as a build leaves it
    conn.commit()
    return conn


@pytest.fixture()
def tiny_store(tmp_path: Path):
    """:func:`build_tiny_store` in a temporary folder."""
    return build_tiny_store(tmp_path / "findings.db")


@pytest.fixture()
def tiny_engine(tiny_store):
    """A search engine over the tiny store, an exact FAISS index and the fake encoder."""
    import faiss
    import numpy as np

    from findings.retrieval import SearchEngine
    from findings.retrieval.dense import VectorIndex
    from findings.retrieval.lexical import LexicalIndex

    rows = tiny_store.execute("SELECT rowid, text FROM findings ORDER BY rowid").fetchall()
    encoder = FakeEncoder()
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(384))
    index.add_with_ids(encoder.encode([r[1] for r in rows]), np.array([r[0] for r in rows], dtype=np.int64))
    encoder.calls.clear()
    dense = VectorIndex(index, ef_search=128, exact_filter_limit=20_000, threads=1)
    engine = SearchEngine(tiny_store, [(dense, 1.0), (LexicalIndex.from_store(tiny_store), 0.25)], encoder,
                          query_cache_size=2)
    yield engine
    engine.close()
