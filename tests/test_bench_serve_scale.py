"""`tdkt bench --serve-scale`: synthetic plans ingested for real into a copy of the index, measured in a fresh process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import RAW

from assistant.config import Settings
from assistant.index.service import Knowledge

QUESTIONS = [
    {"id": "t-1", "type": "criteria", "no_diacritics": False,
     "question": "Tiêu chuẩn danh hiệu Chiến sĩ thi đua toàn quốc là gì?",
     "gold": [{"file": "luat-06-2022-qh15.md",
               "anchor": "Danh hiệu “Chiến sĩ thi đua toàn quốc” để tặng cho cá nhân đạt các tiêu chuẩn sau đây:"}]},
    {"id": "t-2", "type": "criteria", "no_diacritics": False,
     "question": "Chiến sĩ thi đua cơ sở cần đạt những tiêu chuẩn nào?",
     "gold": [{"file": "luat-06-2022-qh15.md",
               "anchor": "Danh hiệu “Chiến sĩ thi đua cơ sở” để tặng cho cá nhân đạt các tiêu chuẩn sau đây:"}]},
]


@pytest.mark.skipif(not RAW.is_dir(), reason="needs ../shared/corpus/raw")
def test_serve_scale_two_ingests_for_real_and_measures_a_fresh_server(settings: Settings, tmp_path: Path) -> None:
    from evals.serve_scale import PROXY_NOTE, serve_scale

    qpath = tmp_path / "q.jsonl"
    qpath.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS) + "\n", "utf-8")
    base = Knowledge(settings).stats()
    out = serve_scale(settings, 2, qpath, tmp_path / "work", embed=False, chunks_per_cpu_s=30.0)

    # step 1: one synthetic copy per document, ingested through Knowledge.ingest with proxy vectors
    assert out["vectors"] == PROXY_NOTE and out["model_runs"] == 0
    assert out["synthetic_documents"] == base["documents"]
    assert out["chunks_added"] > 0 and out["chunks"] == base["chunks"] + out["chunks_added"]
    assert out["chunks_embedded"] >= out["chunks_added"] and out["distinct_texts_embedded"] > 0
    assert out["embed_cpu_s_estimated"] == round(out["distinct_texts_embedded"] / 30.0, 0)
    assert out["ingest_errors"] == 0

    # step 2: the fresh process served the whole persisted index (every chunk has its vector in Chroma on disk)
    srv = out["server"]
    assert srv["chunks"] == out["chunks"] and srv["vectors_missing"] == 0
    assert srv["startup_ingest_unchanged"] == out["documents"]
    for key in ("rss_after_open_mb", "rss_after_searcher_mb", "rss_after_asks_mb", "search_ms_p50",
                "search_ms_p95", "ask_ms_p50", "ask_ms_p95"):
        assert srv[key] > 0, key
    # ru_maxrss lags VmRSS by the kernel's per-thread counter batching (well under 1 MB)
    assert srv["peak_rss_mb"] >= max(srv["rss_after_open_mb"], srv["rss_after_searcher_mb"],
                                     srv["rss_after_asks_mb"]) - 1.0
    st = srv["search_stages_ms"]  # where a search's time goes, each stage timed alone
    assert set(st) == {"analyse", "bm25", "query_embedding", "chroma", "rest"}
    assert st["query_embedding"]["p50"] > 0 and st["chroma"]["p50"] > 0 and st["bm25"]["p50"] > 0
    assert srv["search_cache"].startswith("none")
    assert 0.0 <= srv["hit@1_with_distractors"] <= srv["hit@5_with_distractors"] <= 1.0

    # the bench's own index is untouched; the copy is removed
    assert Knowledge(settings).stats() == base
    assert not (tmp_path / "work" / "serve-2").exists()
