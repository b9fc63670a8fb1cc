"""LLM polish of one drafted section, verified: new figures, document numbers or place names → keep the grounded text."""

from __future__ import annotations

import re
from typing import Any

from assistant.config import Settings
from assistant.corpus.normalize import fold
from assistant.drafting.adapt import Target, unsupported
from assistant.drafting.models import DraftParagraph, DraftSection

try:
    from assistant.llm import LLMError, chat
except ImportError:  # pragma: no cover
    LLMError = RuntimeError  # type: ignore[misc,assignment]
    chat = None  # type: ignore[assignment]


def _prompt(settings: Settings) -> str:
    p = settings.prompts_dir / "draft_section.txt"
    return p.read_text("utf-8")


def polish_section(sec: DraftSection, model: Any, tgt: Target, settings: Settings,
                   instruction: str | None = None) -> bool:
    """Replace sec's paragraphs by the model's rewrite if it passes verification; returns True when replaced."""
    original = "\n".join(p.text for p in sec.paragraphs)
    extra = f"- Yêu cầu thêm của người dùng: {instruction}\n" if instruction else ""
    msg = _prompt(settings).format(heading=sec.heading, doc_label="văn bản", year=tgt.year, issuer=tgt.issuer,
                                   instruction=extra, text=original)
    try:
        out = chat(model, [("system", "Bạn biên tập văn bản hành chính tiếng Việt."), ("user", msg)])  # type: ignore[misc]
    except LLMError as exc:
        sec.notes.append(f"Không gọi được mô hình ngôn ngữ, giữ bản soạn từ nguồn: {exc}")
        return False
    lines = [ln.strip() for ln in out.splitlines() if ln.strip() and not ln.strip().startswith("```")]
    problems: list[str] = []
    bad = unsupported("\n".join(lines), tgt.support)
    if bad:
        problems.append("số liệu/số hiệu mới: " + ", ".join(bad[:5]))
    fo = fold(" ".join(lines))
    leak = [n for n in tgt.foreign if re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", fo)]
    if leak:
        problems.append("địa danh khác: " + ", ".join(leak[:3]))
    n_ph = original.count("cần bổ sung")
    if fo.count("can bo sung") < n_ph:
        problems.append("mất chỗ cần bổ sung")
    if not lines:
        problems.append("trả lời rỗng")
    if problems:
        sec.notes.append("Bản biên tập của mô hình ngôn ngữ bị loại (" + "; ".join(problems) +
                         "), giữ bản soạn từ nguồn.")
        return False
    sources = sorted({s for p in sec.paragraphs for s in p.sources})
    new: list[DraftParagraph] = []
    for ln in lines:
        style = "subheading" if re.match(r"^\d{1,2}\.\s+\S.{0,60}$", ln) and not ln.endswith((".", ";")) else "body"
        new.append(DraftParagraph(text=ln.lstrip("-• ").strip() if style == "body" else ln, style=style,
                                  sources=sources))
    sec.paragraphs = new
    sec.notes.append("Đã biên tập bằng mô hình ngôn ngữ và kiểm tra số liệu, số hiệu văn bản.")
    return True
