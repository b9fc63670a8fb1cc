"""Load the drafting word lists (knowledge/drafting.yaml) and style values (knowledge/docx_style.yaml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.config import REPO_ROOT

DEFAULT_DIR = REPO_ROOT / "knowledge"


@lru_cache(maxsize=8)
def _load(path: str) -> dict[str, Any]:
    p = Path(path)
    if not p.exists():
        return {}
    return yaml.safe_load(p.read_text("utf-8")) or {}


def words(knowledge_dir: Path | None = None) -> dict[str, Any]:
    """Domain word lists for drafting (falls back to the bundled file when the folder has none)."""
    d = Path(knowledge_dir or DEFAULT_DIR)
    p = d / "drafting.yaml"
    return _load(str(p if p.exists() else DEFAULT_DIR / "drafting.yaml"))


def levels(knowledge_dir: Path | None = None) -> dict[str, Any]:
    """Issuer levels: foreign bodies per level, community-unit rewrites and award forms (knowledge/levels.yaml)."""
    d = Path(knowledge_dir or DEFAULT_DIR)
    p = d / "levels.yaml"
    return _load(str(p if p.exists() else DEFAULT_DIR / "levels.yaml"))


def style(knowledge_dir: Path | None = None) -> dict[str, Any]:
    """Style values of the .docx export."""
    d = Path(knowledge_dir or DEFAULT_DIR)
    p = d / "docx_style.yaml"
    return _load(str(p if p.exists() else DEFAULT_DIR / "docx_style.yaml"))


def placeholder(what: str, knowledge_dir: Path | None = None) -> str:
    """Visible placeholder, e.g. "[chỉ tiêu: cần bổ sung]"."""
    return str(words(knowledge_dir).get("placeholder", "[{what}: cần bổ sung]")).format(what=what)
