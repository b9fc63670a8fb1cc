"""`tdkt bench --serve-scale`: a server's memory and latency over a persisted index grown by synthetic plans.

(1) Synthetic plans for a factor are written to a folder that joins `extra_corpus` of a COPY of the bench's data
dir, and ingested for real through `Knowledge.ingest` (catalog, texts/, Chroma on disk). (2) A fresh (spawned)
process opens that index as `tdkt serve` does — `Knowledge(settings)` and the start-up ingest — builds its searcher
on the first search, searches the questions twice and runs grounded asks; its RSS and ru_maxrss are reported.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from assistant.index import layout
from assistant.index.embeddings import CachedEmbeddings, EmbeddingCache
from assistant.index.service import Knowledge
from evals.scoring import load_questions, retrieval_metrics
from evals.synthetic import make_synthetic

PROXY_NOTE = ("proxy: each distinct synthetic text gets a real chunk's vector plus noise (model not run); the index "
              "is still a real persisted one (catalog + Chroma on disk)")
EMBED_NOTE = "embedded: every distinct synthetic text run through the embedding model"


class ProxyEmbeddings(Embeddings):
    """Stand-in for the model at ingest: a text's vector is a real chunk's vector (chosen by the text's hash) plus
    small noise, so identical texts get identical vectors and the store holds vectors shaped like real ones."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors
        self.name = "proxy"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = []
        for t in texts:
            seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")
            rng = np.random.default_rng(seed)
            v = self.vectors[rng.integers(0, len(self.vectors))] + rng.normal(0, 0.01, self.vectors.shape[1])
            out.append((v / np.linalg.norm(v)).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def serve_scale(s: Settings, factor: int, questions_path: Path, work: Path, embed: bool = False,
                chunks_per_cpu_s: float | None = None) -> dict[str, Any]:
    """Grow a copy of s.data_dir by the synthetic plans of `factor`, then measure a fresh server process over it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    out = _ingest_synthetic(s, factor, work, embed, chunks_per_cpu_s)
    served = Settings.model_validate_json(out.pop("settings_json"))
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        out["server"] = pool.submit(_serve_child, served.model_dump_json(), str(questions_path)).result()
    shutil.rmtree(served.data_dir.parent, ignore_errors=True)
    return out


def _ingest_synthetic(s: Settings, factor: int, work: Path, embed: bool,
                      chunks_per_cpu_s: float | None) -> dict[str, Any]:
    """Step 1: synthetic plans written and ingested for real into a copy of the data dir."""
    cat = Knowledge(s).catalog  # the bench's index, read only (its store stays as the bench opened it)
    plans = [Path(e.path) for e in cat.docs.values() if e.meta.kind == "plan"]
    n_docs = max(1, len(cat.docs)) * (factor - 1)
    root = work / f"serve-{factor}"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(s.data_dir, root / "data")
    folder = root / "synthetic"
    paths = make_synthetic(plans, folder, n_docs)
    s2 = s.model_copy(update={"data_dir": root / "data", "extra_corpus": [*s.extra_corpus, folder]})
    s2 = Settings.model_validate_json(s2.model_dump_json())  # no cached paths of the original data dir
    kn = Knowledge(s2)
    before = kn.stats()
    if embed:
        emb = kn._embeddings()
    else:
        sample = kn.store.col.get(ids=list(kn.catalog.chunks)[:200], include=["embeddings"])
        proxy = ProxyEmbeddings(np.asarray(sample["embeddings"], dtype=np.float32))
        emb = CachedEmbeddings(proxy, EmbeddingCache(layout.embed_cache_path(kn.index_dir), s2.embedding))
        kn._emb = emb  # the store embeds through this object (the query model is not needed here)
    t, cpu = time.perf_counter(), time.process_time()
    rep = kn.ingest()
    wall, cpu_s = time.perf_counter() - t, time.process_time() - cpu
    kn.store.close()
    out: dict[str, Any] = {
        "factor": factor, "synthetic": True, "vectors": EMBED_NOTE if embed else PROXY_NOTE,
        "synthetic_documents": len(paths), "documents": len(rep.added) + len(rep.updated) + len(rep.unchanged),
        "chunks": rep.chunks_total, "chunks_added": rep.chunks_total - before["chunks"],
        "vectors_missing_in_copy": before["vectors_missing"],
        "chunks_embedded": rep.chunks_embedded, "distinct_texts_embedded": emb.computed,
        "model_runs": emb.computed if embed else 0, "ingest_s": round(wall, 1), "ingest_cpu_s": round(cpu_s, 1),
        "ingest_errors": len(rep.errors), "settings_json": s2.model_dump_json()}
    if not embed and chunks_per_cpu_s:
        out["embed_cpu_s_estimated"] = round(emb.computed / chunks_per_cpu_s, 0)
    return out


def _serve_child(settings_json: str, questions_path: str) -> dict[str, Any]:
    """Step 2, in a fresh process: open the index as `tdkt serve` does and measure it."""
    from assistant.serving import supports_two_phase
    from evals.bench import _ask_latency, _current_rss_mb, _pct, _rss_mb
    from evals.retrieval import run_ours

    s = Settings.model_validate_json(settings_json)
    questions = load_questions(Path(questions_path))
    out: dict[str, Any] = {"process": "fresh (spawn): peak_rss_mb is this server process alone"}
    t = time.perf_counter()
    kn = Knowledge(s)
    out["open_s"] = round(time.perf_counter() - t, 2)
    out["rss_after_open_mb"] = _current_rss_mb()
    t = time.perf_counter()
    rep = kn.ingest(embed=not supports_two_phase(kn))  # as tdkt serve: keyword index first, vectors in the background
    out["startup_ingest_s"] = round(time.perf_counter() - t, 2)  # tdkt serve's incremental check of the corpus
    out["startup_ingest_unchanged"] = len(rep.unchanged)
    out["rss_after_startup_ingest_mb"], out["peak_after_startup_ingest_mb"] = _current_rss_mb(), _rss_mb()
    t = time.perf_counter()
    kn.search("khởi động")  # builds the searcher and loads the query model
    out["first_search_s"] = round(time.perf_counter() - t, 2)
    out["rss_after_searcher_mb"], out["peak_after_searcher_mb"] = _current_rss_mb(), _rss_mb()
    stats = kn.stats()
    out["chunks"], out["vectors_missing"] = stats["chunks"], stats["vectors_missing"]
    found, lat = run_ours(kn, questions, 5)
    _, lat2 = run_ours(kn, questions, 5)
    out["search_ms_p50"], out["search_ms_p95"] = _pct(lat + lat2, 0.5), _pct(lat + lat2, 0.95)
    out["search_cache"] = "none: every search embeds its query (both rounds are cold)"
    out["search_stages_ms"] = search_stages(kn.searcher, [q["question"] for q in questions])
    gold = {g["file"] for q in questions for g in q.get("gold", [])}
    raws = {f: r for f in gold if (r := kn.raw_text(f)) is not None}
    quality = retrieval_metrics(questions, found, raws, 5)
    out["hit@1_with_distractors"], out["hit@5_with_distractors"] = quality["hit@1"], quality["hit@5"]
    out.update(_ask_latency(s, kn, questions))
    out["rss_after_asks_mb"] = _current_rss_mb()
    out["peak_rss_mb"] = _rss_mb()
    return out


def search_stages(searcher: Any, questions: list[str]) -> dict[str, dict[str, float]]:
    """Where one search's time goes, each stage timed alone over the questions (p50 / p95 ms): analysis, BM25
    scoring, the query embedding, the Chroma query, and the rest (fusion + rescoring the candidates) as the full
    search done sequentially minus those."""
    from evals.bench import _pct

    stages: dict[str, list[float]] = {k: [] for k in ("analyse", "bm25", "query_embedding", "chroma", "rest")}
    store = searcher.store
    for q in questions:
        t0 = time.perf_counter()
        qi = searcher.analyse(q)
        t1 = time.perf_counter()
        searcher.lex.scores(qi.expanded)
        t2 = time.perf_counter()
        vec = store.embeddings.embed_query(qi.normalised or q) if store is not None else None
        t3 = time.perf_counter()
        if vec is not None:
            store.query(vec, 80)
        t4 = time.perf_counter()
        searcher.search(q, 5)
        t5 = time.perf_counter()
        parts = [t1 - t0, t2 - t1, t3 - t2, t4 - t3]
        for k, v in zip(stages, [*parts, max(0.0, (t5 - t4) - sum(parts))], strict=True):
            stages[k].append(v)
    return {k: {"p50": _pct(v, 0.5), "p95": _pct(v, 0.95)} for k, v in stages.items()}
