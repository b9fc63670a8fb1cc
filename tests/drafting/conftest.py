"""Drafting fixtures: the shared full-corpus `knowledge` when tests/conftest.py provides it, else a small real index
(the bundled plans, the 2025 plans and the registry) built once per session."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.drafting.service import DraftService
from assistant.index.service import Knowledge

SHARED_PLANS = REPO_ROOT.parent / "shared" / "corpus" / "raw" / "plans"
TODAY = date(2026, 11, 21)
QT_PROMPT = ("Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã Quang Trung, chủ đề đoàn kết, "
             "sáng tạo, về đích nông thôn mới nâng cao")


@pytest.fixture(scope="session")
def draft_settings(request, tmp_path_factory) -> Settings:
    try:
        return request.getfixturevalue("settings")
    except pytest.FixtureLookupError:
        pass
    root = tmp_path_factory.mktemp("drafting")
    kdir = root / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge" / "plans", kdir / "plans")
    for name in ("registry.yaml", "drafting.yaml", "docx_style.yaml", "verify.yaml"):
        shutil.copy(REPO_ROOT / "knowledge" / name, kdir / name)
    raw = root / "raw"
    if SHARED_PLANS.is_dir():
        shutil.copytree(SHARED_PLANS, raw / "plans")
    return Settings(data_dir=root / "data", knowledge_dir=kdir, extra_corpus=[raw] if raw.is_dir() else [])


@pytest.fixture(scope="session")
def draft_knowledge(request, draft_settings) -> Knowledge:
    try:
        return request.getfixturevalue("knowledge")
    except pytest.FixtureLookupError:
        pass
    k = Knowledge(draft_settings)
    k.ingest()
    return k


@pytest.fixture(scope="session")
def svc(draft_settings, draft_knowledge) -> DraftService:
    return DraftService(draft_settings, draft_knowledge, today=TODAY)


@pytest.fixture(scope="session")
def qt_draft(svc):
    return svc.draft(QT_PROMPT)
