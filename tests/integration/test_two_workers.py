"""Two real API worker processes (uvicorn, separate data dirs) behind one PostgreSQL and one Chroma server:
an ingest on one is searchable on the other, conversations continue across workers, feedback given on one is
exported by the other, the rate limit counts both, and a second concurrent re-index does not run twice."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers import RAW, ROOT, stop_process
from liveservers import chroma_server, free_port, knowledge_dir, postgres, postgres_missing, wait_http_ok

SMALL_DOCS = ["chi-thi-41-ct-tw-2024.md", "tt-01-2024-tt-bnv.md"]
UPLOAD = ROOT / "knowledge" / "plans" / "002_464e77930257098f.txt"
ADMIN, USER, WIDGET = "mw-admin-key", "mw-user-key", "mw-widget-key"
WIDGET_LIMIT = 4

pytestmark = pytest.mark.skipif(postgres_missing() is not None or not RAW.is_dir(),
                                reason=postgres_missing() or f"{RAW} missing")


def _head(path: Path, chars: int) -> str:
    """The first paragraphs of a real corpus file, up to about `chars` characters (keeps the test's embedding
    cost small)."""
    text = path.read_text("utf-8")
    cut = text.find("\n\n", chars)
    return text if cut < 0 else text[:cut] + "\n"


def _knowledge_dir(tmp: Path) -> Path:
    """The bundled knowledge files (registry, vocabularies) with two small legal texts as the whole corpus."""
    return knowledge_dir(tmp, SMALL_DOCS)


def _env(data_dir: Path, kd: Path, db_url: str, chroma_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TDKT_")}
    env.update({
        "PYTHONPATH": str(ROOT), "TDKT_DATA_DIR": str(data_dir), "TDKT_KNOWLEDGE_DIR": str(kd),
        "TDKT_EXTRA_CORPUS": "", "TDKT_DATABASE_URL": db_url, "TDKT_CHROMA_URL": chroma_url,
        "TDKT_LLM": "none", "TDKT_SHARED_POLL_SECONDS": "0.5", "TDKT_PORT": str(port),
        "TDKT_API_KEYS": f"{ADMIN}:admin,{USER}:user,{WIDGET}:widget",
        "TDKT_WIDGET_RATE_LIMIT_PER_MINUTE": str(WIDGET_LIMIT), "TDKT_RATE_LIMIT_PER_MINUTE": "100000",
        "TDKT_EMBED_THREADS": "1",
        "TELEGRAM_BOT_TOKEN": "", "ANONYMIZED_TELEMETRY": "False",
    })
    return env


class Worker:
    """One `uvicorn assistant.api.app:create_app --factory` process with its own data dir."""

    def __init__(self, name: str, tmp: Path, kd: Path, db_url: str, chroma_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = tmp / name
        self.data.mkdir()
        self.env = _env(self.data, kd, db_url, chroma_url, self.port)
        self.log_path = tmp / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Worker:
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "assistant.api.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"],
            cwd=self.data, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout: float = 240) -> None:
        assert self.proc is not None
        wait_http_ok(self.proc, f"{self.url}/healthz", self.log_path, timeout, "worker")

    def client(self, key: str = USER, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": key, **headers}, timeout=120)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
        self.log.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Worker, Worker, Path]]:
    tmp = tmp_path_factory.mktemp("two-workers")
    kd = _knowledge_dir(tmp)
    with postgres() as db_url, chroma_server(tmp) as chroma_url:
        a = Worker("a", tmp, kd, db_url, chroma_url)
        b = Worker("b", tmp, kd, db_url, chroma_url)
        # ingestion as a job on one node: the CLI of worker A's data dir publishes to the shared stores
        out = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest"], cwd=a.data, env=a.env,
                             capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
        try:
            a.start()
            b.start()
            a.wait_ready()
            b.wait_ready()
            yield a, b, kd
        finally:
            a.stop()
            b.stop()


def _search(worker: Worker, q: str) -> list[str]:
    with worker.client() as c:
        r = c.get("/api/search", params={"q": q, "k": 5})
        assert r.status_code == 200, r.text
        return [h["source_file"] for h in r.json()["results"]]


def _wait_job(worker: Worker, job_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    with worker.client(ADMIN) as c:
        while time.monotonic() < deadline:
            r = c.get(f"/api/admin/jobs/{job_id}")
            assert r.status_code == 200, r.text
            job = r.json()
            if job["state"] != "running":
                return job
            time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish")


def _eventually(fn, timeout: float = 15.0):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def test_cli_ingest_is_served_by_both_workers(cluster) -> None:  # noqa: ANN001
    a, b, _ = cluster
    for w in (a, b):
        assert _search(w, "Chỉ thị 41-CT/TW tăng cường sự lãnh đạo của Đảng đối với công tác thi đua")[0] \
            == "chi-thi-41-ct-tw-2024.md"
        with w.client(ADMIN) as c:
            stats = c.get("/api/admin/health").json()["stats"]
        assert stats["documents"] == len(SMALL_DOCS) and stats["vectors_missing"] == 0


def test_upload_on_a_is_searchable_on_b(cluster, tmp_path: Path) -> None:  # noqa: ANN001
    a, b, _ = cluster
    doc = tmp_path / UPLOAD.name
    doc.write_text(_head(UPLOAD, 3000), encoding="utf-8")
    question = "Chủ đề thi đua xuyên suốt năm 2024 của xã Quang Trung"
    assert UPLOAD.name not in _search(b, question)
    with a.client(ADMIN) as c:
        r = c.post("/api/admin/uploads", files={"file": (doc.name, doc.read_bytes(), "text/plain")})
    assert r.status_code == 202, r.text
    job = _wait_job(b, r.json()["id"])  # the job record is shared: worker B reports A's job
    assert job["state"] == "done", job
    assert _eventually(lambda: UPLOAD.name in _search(b, question)), _search(b, question)
    with b.client() as c:
        src = c.get(f"/api/sources/{UPLOAD.name}", params={"start": 0, "end": 200})
    assert src.status_code == 200 and "Quang Trung" in src.text  # the text came to B through the database
    assert not (a.data / "index").samefile(b.data / "index")


def test_conversation_continues_on_the_other_worker(cluster) -> None:  # noqa: ANN001
    a, b, _ = cluster
    first = "Chỉ thị 41-CT/TW của Bộ Chính trị ban hành ngày nào?"
    with a.client() as c:
        r1 = c.post("/api/ask", json={"question": first})
    assert r1.status_code == 200, r1.text
    cid = r1.json()["conversation_id"]
    assert cid
    with b.client() as c:
        r2 = c.post("/api/ask", json={"question": "Chỉ thị đó về nội dung gì?", "conversation_id": cid})
        assert r2.status_code == 200, r2.text
        assert r2.json()["conversation_id"] == cid
        hist = c.get(f"/api/conversations/{cid}")
    assert hist.status_code == 200, hist.text
    turns = hist.json()["turns"]
    assert [t["role"] for t in turns] == ["user", "assistant", "user", "assistant"]
    assert turns[0]["text"] == first and turns[1]["text"] == r1.json()["answer"]
    with a.client() as c:
        listed = [x["id"] for x in c.get("/api/conversations").json()["conversations"]]
    assert cid in listed


def test_feedback_given_on_a_is_exported_by_b(cluster) -> None:  # noqa: ANN001
    a, b, _ = cluster
    comment = f"góp ý kiểm thử hai máy {time.time_ns()}"
    with a.client() as c:
        r = c.post("/api/feedback", json={"rating": "down", "comment": comment, "question": "q", "answer": "a"})
    assert r.status_code == 201, r.text
    with b.client(ADMIN) as c:
        csv = c.get("/api/admin/feedback.csv")
    assert csv.status_code == 200 and comment in csv.text


def test_rate_limit_counts_requests_on_both_workers(cluster) -> None:  # noqa: ANN001
    a, b, _ = cluster
    visitor = {"X-TDKT-Visitor": f"visitor{time.time_ns()}"}
    codes = []
    with a.client(WIDGET, **visitor) as ca, b.client(WIDGET, **visitor) as cb:
        for i in range(WIDGET_LIMIT + 2):
            codes.append((ca if i % 2 == 0 else cb).get("/api/documents").status_code)
    assert codes == [200] * WIDGET_LIMIT + [429, 429], codes


def test_second_concurrent_reindex_is_not_run_twice(cluster, tmp_path: Path) -> None:  # noqa: ANN001
    a, b, kd = cluster
    name = "qd-71-2025-qd-ubnd-ha-noi-cong-dan-thu-do-uu-tu.md"
    (kd / name).write_text(_head(RAW / name, 6000), encoding="utf-8")  # something to embed: the job takes a while
    with a.client(ADMIN) as ca, b.client(ADMIN) as cb:
        first = ca.post("/api/admin/reindex")
        second = cb.post("/api/admin/reindex")
        assert first.status_code == 202 and second.status_code == 202, (first.text, second.text)
        assert first.json()["state"] == "running", first.json()
        assert second.json()["id"] == first.json()["id"], (first.json(), second.json())  # joined, not started
        job = _wait_job(b, first.json()["id"])
        assert job["state"] == "done" and name in job["result"]["report"]["added"], job
        audit = cb.get("/api/admin/audit").json()["entries"]
    assert [e["detail"]["job"] for e in audit if e["action"] == "reindex"] == [first.json()["id"]]
    assert _eventually(lambda: name in _search(b, "Công dân Thủ đô ưu tú")), _search(b, "Công dân Thủ đô ưu tú")
