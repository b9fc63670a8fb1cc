"""`tdkt bench`: our pipeline vs the tutorial baseline in one run, latency, ingest time, memory, scale."""

from __future__ import annotations

import contextlib
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from assistant.config import Settings
from assistant.index.native_engine import engine_for
from assistant.index.service import Knowledge
from evals.scoring import Retrieved, load_questions, retrieval_metrics
from evals.synthetic import make_synthetic


def _pct(xs: list[float], p: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))] * 1000, 2)


def _current_rss_mb() -> float:
    """Resident memory now (ru_maxrss is the peak over the whole run)."""
    with contextlib.suppress(OSError), open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_bench(settings: Settings, questions_path: Path, scales: list[int], console: Console,
              api_clients: int = 20, api_seconds: float = 60.0, embed_scales: list[int] | None = None,
              api_workers: int = 1, baseline: bool = True, serve_scales: list[int] | None = None,
              serve_embed: bool = False) -> dict[str, Any]:
    from evals.retrieval import raw_texts, run_ours

    questions = load_questions(questions_path)
    work = Path(tempfile.mkdtemp(prefix="tdkt-bench-"))
    res: dict[str, Any] = {"questions": str(questions_path), "n_questions": len(questions)}
    try:
        s = settings.model_copy(update={"data_dir": work / "data"})
        console.print("[bold]1/6[/] Nạp kho lạnh (cold ingest)…")
        t, cpu = time.perf_counter(), time.process_time()
        kn = Knowledge(s)
        rep = kn.ingest()
        res["ingest_cold_s"] = round(time.perf_counter() - t, 2)
        res["ingest_cold_cpu_s"] = round(time.process_time() - cpu, 2)  # all threads: steadier than wall under load
        res["embed_engine"] = str(engine_for(s.embed_engine, s.native_engine_dir) or "shipped")
        res["chunks"] = rep.chunks_total
        res["ingest_cold_chunks_per_s"] = round(rep.chunks_embedded / max(1e-9, res["ingest_cold_s"]), 2)
        res["ingest_cold_chunks_per_cpu_s"] = round(rep.chunks_embedded / max(1e-9, res["ingest_cold_cpu_s"]), 2)
        res["documents"] = len(kn.catalog.docs)
        t = time.perf_counter()
        kn2 = Knowledge(s)
        rep2 = kn2.ingest()
        res["ingest_warm_s"] = round(time.perf_counter() - t, 2)
        res["ingest_warm_embedded"] = rep2.chunks_embedded
        console.print("[bold]2/6[/] Truy hồi tdkt…")
        kn2.search("khởi động")  # warm caches (model, BM25)
        ours, lat = run_ours(kn2, questions, 5)
        raws = raw_texts(kn2)
        m_ours = retrieval_metrics(questions, ours, raws, 5)
        _, lat2 = run_ours(kn2, questions, 5)
        lat_all = lat + lat2
        res["ours"] = {k: v for k, v in m_ours.items() if k != "misses"}
        res["search_ms_p50"] = _pct(lat_all, 0.5)
        res["search_ms_p95"] = _pct(lat_all, 0.95)
        if baseline:
            console.print("[bold]3/6[/] Pipeline hướng dẫn (baseline)…")
            res.update(_baseline(kn2, questions, raws, m_ours, work))
        console.print("[bold]4/6[/] Hỏi đáp (grounded)…")
        res.update(_ask_latency(s, kn2, questions))
        console.print("[bold]5/6[/] Soạn thảo…")
        res.update(_draft_latency(s, kn2))
        res["peak_rss_mb"] = _rss_mb()
        if api_seconds > 0:
            console.print(f"[bold]API[/] {api_clients} client đồng thời trong {api_seconds:.0f} s (loopback)…")
            try:
                res["api"] = _api_load(s, questions, api_clients, api_seconds, api_workers)
            except Exception as exc:  # noqa: BLE001 - keep the rest of the figures
                res["api"] = {"error": repr(exc)}
        if scales:
            console.print("[bold]6/6[/] Quy mô 10×/100× (kế hoạch tổng hợp)…")
            res["scale"] = [_scale_in_child(s, n, questions_path, work, embed=n in (embed_scales or []))
                            for n in scales]
        for n in serve_scales or []:
            from evals.serve_scale import serve_scale

            console.print(f"[bold]Máy chủ ×{n}[/] Nạp kế hoạch tổng hợp vào bản sao chỉ mục, đo một tiến trình mới…")
            res.setdefault("serve_scale", []).append(serve_scale(
                s, n, questions_path, work, embed=serve_embed, chunks_per_cpu_s=res["ingest_cold_chunks_per_cpu_s"]))
            console.print(res["serve_scale"][-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return res


def _baseline(kn: Knowledge, questions: list[dict[str, Any]], raws: dict[str, str], m_ours: dict[str, Any],
              work: Path) -> dict[str, Any]:
    """The tutorial pipeline on the same questions and its hit@5 ratio to ours."""
    from evals.baseline import BaselinePipeline

    base = BaselinePipeline(raws, kn.store.embeddings, work / "baseline")
    bres = {q["id"]: base.search(q["question"], 5) for q in questions}
    m_base = retrieval_metrics(questions, bres, raws, 5)

    def ratio(a: float, b: float) -> float | str:
        return round(a / b, 2) if b else ("∞" if a else 0.0)

    return {"baseline": {k: v for k, v in m_base.items() if k != "misses"},
            "baseline_build_s": round(base.build_seconds, 2),
            "hit@5_ratio": ratio(m_ours["hit@5"], m_base["hit@5"]),
            "no_diacritics_hit@5_ratio": ratio(m_ours["no_diacritics"].get("hit@5", 0),
                                               m_base["no_diacritics"].get("hit@5", 0))}


def _ask_latency(s: Settings, kn: Knowledge, questions: list[dict[str, Any]]) -> dict[str, Any]:
    from assistant.answer.service import AskService

    ask = AskService(s, kn)
    ask.ask("Tiêu chuẩn Lao động tiên tiến")
    lat, cpu = [], []
    for q in questions:
        t, c = time.perf_counter(), time.process_time()
        ask.ask(q["question"])
        lat.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    # CPU time of the process (the query-embedding thread included): steadier than wall time on a shared machine
    return {"ask_ms_p50": _pct(lat, 0.5), "ask_ms_p95": _pct(lat, 0.95),
            "ask_cpu_ms_p50": _pct(cpu, 0.5), "ask_cpu_ms_p95": _pct(cpu, 0.95)}


def _draft_latency(s: Settings, kn: Knowledge) -> dict[str, Any]:
    try:
        from assistant.drafting.service import DraftService
    except ImportError:
        return {"draft_s": None}
    svc = DraftService(s, kn)
    prompt = ("Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã Quang Trung, chủ đề đoàn kết, "
              "sáng tạo, về đích nông thôn mới nâng cao")
    svc.draft(prompt)
    lat = []
    for _ in range(3):
        t = time.perf_counter()
        svc.draft(prompt)
        lat.append(time.perf_counter() - t)
    return {"draft_whole_plan_s_warm": round(statistics.median(lat), 3)}


def _scale_in_child(s: Settings, factor: int, questions_path: Path, work: Path, embed: bool) -> dict[str, Any]:
    """One scale run in a fresh process over the bench's data dir: its peak RSS is that corpus' alone (what a
    server holding it needs), not the bench's accumulated peak."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_scale_child, s.model_dump_json(), factor, str(questions_path), str(work), embed).result()


def _scale_child(settings_json: str, factor: int, questions_path: str, work: str, embed: bool) -> dict[str, Any]:
    from evals.retrieval import raw_texts

    s = Settings.model_validate_json(settings_json)
    kn = Knowledge(s)
    kn.search("khởi động")  # load the searcher and the model, as a serving process has
    out = _scale(s, kn, factor, load_questions(Path(questions_path)), Path(work), embed=embed, raws=raw_texts(kn))
    out["process"] = "own (peak_rss_mb = this scale alone)"
    return out


def _scale(s: Settings, kn: Knowledge, factor: int, questions: list[dict[str, Any]], work: Path,
           embed: bool = False, raws: dict[str, str] | None = None) -> dict[str, Any]:
    """Scale run: synthetic plans (real structure, other names/figures). Their chunks are parsed, BM25-indexed
    and stored in Chroma for real. With `embed` their vectors are computed by the embedding model (measured);
    otherwise, to keep the run short, they reuse the vector of a real chunk (plus noise) and embedding time is
    extrapolated from a sample. Retrieval quality is measured on the real questions with the synthetic plans
    present as distractors."""
    from assistant.corpus.metadata import build_meta
    from assistant.corpus.structure import chunk_document
    from assistant.index.ingest import chunk_metadata, doc_id_for
    from assistant.index.retriever import HybridSearcher

    plans = [Path(m_path) for m_path in (e.path for e in kn.catalog.docs.values() if e.meta.kind == "plan")]
    n_docs = max(1, len(kn.catalog.docs)) * (factor - 1)
    out = work / f"synthetic-{factor}"
    paths = make_synthetic(plans, out, n_docs)
    t = time.perf_counter()
    chunks = []
    for p in paths:
        raw = p.read_text("utf-8")
        meta = build_meta(raw, p.name, kn.registry, doc_id_for(p.name))
        chunks.extend(chunk_document(meta, raw))
    parse_s = time.perf_counter() - t
    store = kn.store
    base_ids = list(kn.catalog.chunks)
    got = store.col.get(ids=base_ids[:200], include=["embeddings"])
    vecs = np.asarray(got["embeddings"], dtype=np.float32)
    rng = np.random.default_rng(0)
    for c in chunks:
        c.chunk_id = c.chunk_id + f"~s{factor}"
    t = time.perf_counter()
    computed = getattr(store.embeddings, "computed", None) if embed else None
    if embed:
        store.add([c.chunk_id for c in chunks], [c.dense_text for c in chunks], [chunk_metadata(c) for c in chunks])
    else:
        for i in range(0, len(chunks), 500):
            part = chunks[i : i + 500]
            v = vecs[rng.integers(0, len(vecs), len(part))] + rng.normal(0, 0.01, (len(part), vecs.shape[1]))
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            store.col.upsert(ids=[c.chunk_id for c in part], embeddings=v.tolist(),
                             metadatas=[chunk_metadata(c) for c in part])
    store_s = time.perf_counter() - t
    all_chunks = kn.chunks() + chunks
    t = time.perf_counter()
    searcher = HybridSearcher(all_chunks, store, kn.registry, mode=s.retrieval_mode, vocab=kn._vocab())
    bm25_s = time.perf_counter() - t
    lat = []
    found: dict[str, list[Retrieved]] = {}
    for q in questions:
        t = time.perf_counter()
        hits = searcher.search(q["question"], 5)
        lat.append(time.perf_counter() - t)
        found[q["id"]] = [Retrieved(h.chunk.source_file, h.chunk.text, h.chunk.start, h.chunk.end) for h in hits]
    quality = retrieval_metrics(questions, found, raws or {}, 5)
    prev = kn._searcher
    kn._searcher = searcher  # grounded asks over the scaled corpus (same code path as the server's)
    try:
        asked = _ask_latency(s, kn, questions)
    finally:
        kn._searcher = prev
    out = {"factor": factor, "synthetic": True, "documents": len(kn.catalog.docs) + len(paths),
           "chunks": len(all_chunks), "parse_s": round(parse_s, 2), "bm25_build_s": round(bm25_s, 2),
           "search_ms_p50": _pct(lat, 0.5), "search_ms_p95": _pct(lat, 0.95),
           "hit@1_with_distractors": quality["hit@1"], "hit@5_with_distractors": quality["hit@5"],
           **asked, "rss_mb": _current_rss_mb(), "peak_rss_mb": _rss_mb()}
    if embed:
        out.update({"embedded_for_real": len(chunks), "embed_and_store_s": round(store_s, 1),
                    "embed_chunks_per_s": round(len(chunks) / max(1e-9, store_s), 2)})
        if computed is not None:  # identical dense texts are embedded once (the rest come from the cache)
            out["embed_model_runs"] = store.embeddings.computed - computed
    else:
        per_chunk = _embed_seconds_per_chunk(kn, all_chunks[:16])
        out.update({"vector_store_insert_s": round(store_s, 2),
                    "embed_s_estimated": round(per_chunk * len(chunks), 1)})
    store.delete([c.chunk_id for c in chunks])
    return out


def _embed_seconds_per_chunk(kn: Knowledge, sample: list) -> float:
    t = time.perf_counter()
    kn.store.embeddings.embed_documents([c.dense_text for c in sample])
    return (time.perf_counter() - t) / max(1, len(sample))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn workers), in MB."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            pids.append(int(child))
    for p in pids:
        with contextlib.suppress(OSError), open(f"/proc/{p}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


def _api_load(s: Settings, questions: list[dict[str, Any]], clients: int, seconds: float,
              workers: int = 1) -> dict[str, Any]:
    """A real uvicorn server (subprocess, `workers` processes) on 127.0.0.1, loaded by scripts/loadgen.py; server
    RSS (all its processes together) sampled."""
    import os
    import subprocess
    import sys
    import threading

    import httpx

    from scripts.loadgen import run as load

    port = _free_port()
    key = next((k for k, r in s.api_key_roles().items() if r == "user"), "dev-user")
    env = {**os.environ, "TDKT_DATA_DIR": str(s.data_dir), "TDKT_RATE_LIMIT_PER_MINUTE": "1000000",
           "TDKT_PORT": str(port), "TDKT_HOST": "127.0.0.1", "TELEGRAM_BOT_TOKEN": "", "TDKT_TELEGRAM_BOT_TOKEN": ""}
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--no-bot", "--workers", str(workers)],
                            env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        peak = [0.0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
                stop.wait(0.5)

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        out = load(url, key, clients, seconds, [q["question"] for q in questions], 30.0)
        stop.set()
        th.join()
        out["server_peak_rss_mb"] = round(peak[0], 1)
        out["clients"] = clients
        out["seconds"] = seconds
        out["workers"] = workers
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)
