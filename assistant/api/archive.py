"""Draft persistence for the API through the memory Store; rendered files live under data_dir/drafts/."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.drafting.models import Draft

DRAFT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def valid_draft_id(draft_id: str) -> bool:
    return bool(DRAFT_ID_RE.match(draft_id))


class DraftArchive:
    """Save/load drafts by id (memory.Store) and place their rendered files under data_dir/drafts/."""

    def __init__(self, settings: Settings, store: Callable[[], Any]) -> None:
        self.dir = Path(settings.data_dir) / "drafts"
        self._store = store

    def save(self, draft: Draft, conversation_id: str | None = None) -> None:
        """Save (or replace, for a regenerated section) a draft; a stale rendered .docx is dropped."""
        self._store().save_draft(
            draft.draft_id, conversation_id, draft.request.model_dump(mode="json"), draft.model_dump(mode="json")
        )
        if valid_draft_id(draft.draft_id):
            self.file_path(draft.draft_id, "docx").unlink(missing_ok=True)

    def get(self, draft_id: str) -> Draft | None:
        if not valid_draft_id(draft_id):
            return None
        found = self._store().get_draft(draft_id)
        if found is None:
            return None
        return found if isinstance(found, Draft) else Draft.model_validate(found)

    def file_path(self, draft_id: str, ext: str) -> Path:
        if not valid_draft_id(draft_id):
            raise ValueError(draft_id)
        return self.dir / f"{draft_id}.{ext}"
