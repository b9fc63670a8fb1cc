"""Turn service objects (DocMeta, Hit, reports) into JSON-ready dicts for the API; no decisions here."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any


def vn_date(d: date | str | None) -> str | None:
    if d is None:
        return None
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d)
        except ValueError:
            return d
    return d.strftime("%d/%m/%Y")


PLAN_VALIDITY = "Kế hoạch — không xét hiệu lực"


def doc_to_dict(meta: Any, today: date | None = None) -> dict[str, Any]:
    """DocMeta → dict with `in_force` (today) and a Vietnamese `validity` line."""
    d = meta.to_dict() if hasattr(meta, "to_dict") else dict(meta)
    today = today or date.today()
    in_force = meta.in_force_on(today) if hasattr(meta, "in_force_on") else True
    d["in_force"] = in_force
    if d.get("kind") == "plan":  # a plan is not a legal norm: it has no period of validity to report
        d["validity"] = PLAN_VALIDITY
    elif in_force:
        d["validity"] = "Còn hiệu lực"
    else:
        parts = ["Hết hiệu lực"]
        if d.get("in_force_to"):
            parts.append(f"từ {vn_date(d['in_force_to'])}")
        text = " ".join(parts)
        if d.get("replaced_by"):
            text += f" — thay bằng {d['replaced_by']}"
        d["validity"] = text
    return d


def to_jsonable(obj: Any) -> Any:
    """Best-effort conversion of a report object (pydantic, dataclass, plain) to JSON types."""
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, date):
        return obj.isoformat()
    if hasattr(obj, "__fspath__"):
        return str(obj)
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    if hasattr(obj, "__dict__"):
        return {k: to_jsonable(v) for k, v in vars(obj).items() if not k.startswith("_")}
    return str(obj)


def report_errors(report: Any) -> list[str]:
    """Errors listed by an ingest report, as text."""
    errs = getattr(report, "errors", None)
    if errs is None and isinstance(report, dict):
        errs = report.get("errors")
    out: list[str] = []
    for e in errs or []:
        if isinstance(e, tuple | list):
            out.append(": ".join(str(x) for x in e))
        elif isinstance(e, dict):
            out.append(str(e.get("reason") or e.get("message") or e))
        else:
            out.append(str(e))
    return out


def hit_to_passage(hit: Any, snippet_chars: int = 400) -> dict[str, Any]:
    chunk = hit.chunk
    text = chunk.text or ""
    snippet = text if len(text) <= snippet_chars else text[: snippet_chars - 1].rstrip() + "…"
    return {
        "rank": int(getattr(hit, "rank", 0)),
        "score": float(hit.score),
        "citation": chunk.citation,
        "source_file": chunk.source_file,
        "start": int(chunk.start),
        "end": int(chunk.end),
        "snippet": snippet,
        "breadcrumb": list(chunk.breadcrumb or []),
    }
