"""The refusal and missing-provision path: what the corpus lacks and the closest passages shown."""

from __future__ import annotations

from typing import Any

from assistant.answer.compose import refusal_text
from assistant.answer.evidence import has_phrase
from assistant.answer.missing import HOW_TO_ADD, Missing, delegated_missing, find_missing, holds_value
from assistant.answer.models import Answer
from assistant.answer.validity import (
    legal_warning,
    validity_conclusion,
)
from assistant.corpus.normalize import fold
from assistant.corpus.registry import norm_number
from assistant.index.retriever import DOC_NUMBER, Hit
from assistant.index.service import Knowledge

SUBJECT_WORDS = 2  # words a question may open with before the document it asks about ("Còn", "Hiện nay")


class RefusalPath:
    """Part of AskService (service.py): the refusal and missing-provision path: what the corpus lacks and the closest passages shown."""

    def _missing(self, question: str) -> list[Missing]:
        """Documents or articles the question names that the corpus lacks (see missing.py)."""
        kn = self.knowledge
        files = {m.source_file for m in kn.documents()}
        raws = _LazyRaw(kn)
        return find_missing(question, kn.registry, kn.searcher.chunks, files, raws)  # type: ignore[arg-type]

    def _delegated(self, question: str, hits: list[Hit], best: int) -> tuple[list[Missing], list[str]]:
        """When the question asks a quantity and the best passage states no figure but hands its matter to a part
        of its own text that the corpus lacks: those parts, and the delegating sentences as the plain reason."""
        if not hits or not has_phrase(fold(question), self.words.quantity):
            return [], []
        c = hits[min(best, len(hits) - 1)].chunk
        if holds_value(c.text):
            return [], []
        found = delegated_missing(c, self.knowledge.registry, self.knowledge.searcher.chunks, question)
        why = [f"{c.citation} dẫn chiếu: “{sentence}”" for _, sentence in found[:2]]
        return [m for m, _ in found], why

    def _asks_textless(self, question: str, missing: list[Missing]) -> bool:
        """True when the question asks what a document says whose text the corpus lacks: the first document it
        names has no text here ("Theo Thông tư 15/2025 thì mẫu … số mấy?"). A question about the document itself —
        its validity, replacement, date or signer — is answered from the registry, not refused."""
        first = self.knowledge.registry.first_named(question)
        if first is None or not any(m.article is None and m.doc is first for m in missing):
            return False
        f = fold(question)
        return not (has_phrase(f, self.words.validity) or has_phrase(f, self.words.identity))

    def _registry_status(self, question: str) -> Answer | None:
        """A question on whether named documents are in force or what replaced them, answered from the registry's
        dates (each entry with its basis) when no passage matches it well enough; None for any other question."""
        text = self.knowledge.searcher.normaliser.normalise(question).text
        folded = fold(text)
        if not has_phrase(folded, self.words.validity):
            return None
        reg = self.knowledge.registry
        named = reg.named_at(text)
        # the documents are what is asked about only when the question opens with one ("Thông tư 01/2024 còn hiệu
        # lực không?"), not when a rule is ("Quy định tỷ lệ … còn áp dụng theo NĐ 152 không?")
        if not named or len(folded[:named[0][0]].split()) > SUBJECT_WORDS:
            return None
        docs = [d for _, d in named]
        lines = validity_conclusion(docs, reg, self.today, include_in_force=True)
        if not lines:
            return None
        # the registry is the source here: the passages that matched poorly are not shown as support
        basis = [f"{d.short_name or d.number}: {d.basis}" for d in docs if d.basis]
        text = " ".join(lines) + "\n\nCăn cứ (sổ văn bản của trợ lý, knowledge/registry.yaml): " + "; ".join(basis)
        return Answer(answer=text, conclusion=" ".join(lines), mode="grounded")

    @staticmethod
    def _holds_named_article(articles: list[Missing], hits: list[Hit]) -> bool:
        """True when a reworded quote of every named missing article was retrieved (the note then only adds)."""
        return all(any(h.chunk.label.get("dieu") == m.article and h.chunk.source_file in m.doc.files for h in hits)
                   for m in articles)

    def _refusal(self, question: str, hits: list[Hit], reasons: list[str],
                 missing: list[Missing] | None = None, unindexed: str | None = None) -> Answer:
        closest = [self._citation(i, h, question, 200) for i, h in enumerate(hits[:3], start=1)]
        warnings = []
        for d in self.knowledge.registry.find_in_text(question):
            w = legal_warning(d, self.knowledge.registry, self.today)
            if w:
                warnings.append(w)
        shorts = [m.short for m in missing or []] + ([unindexed] if unindexed else [])
        text = refusal_text(reasons, closest, shorts, HOW_TO_ADD)
        if warnings:
            text += "\n\n" + "\n".join(f"⚠️ Lưu ý: {w}" for w in warnings)
        return Answer(answer=text, refused=True, citations=closest, warnings=warnings, mode="refusal",
                      notes=[m.message for m in missing or []] + ([f"{unindexed} {HOW_TO_ADD}"] if unindexed else []))

    def _unindexed_named(self, question: str) -> str | None:
        """'Kho chưa có toàn văn văn bản số 05/2024/QĐ-UBND …' when the first document number the question writes is
        of no indexed document (other texts only cite it: "Căn cứ Quyết định 05/2024/QĐ-UBND …") and the question
        asks what it says, not whether it is in force or who signed it; None otherwise (registry documents without
        text: see _asks_textless)."""
        kn = self.knowledge
        # the question sentence only: a number in the asker's story is their own paper ("được khen theo QĐ 1234/…")
        found = DOC_NUMBER.search(kn.searcher.normaliser.normalise(question).text)
        if not found:
            return None
        num = norm_number(found.group(1))
        if any(num == norm_number(d.number) for d in kn.registry.docs):
            return None
        if any(m.number and norm_number(m.number) == num for m in kn.documents()):
            return None
        if not any(num in f.replace(" ", "") for f in kn.searcher.folded):
            return None  # no text of the corpus cites it (a typo, the asker's own paper): not known to exist
        f = fold(question)
        if has_phrase(f, self.words.validity) or has_phrase(f, self.words.identity):
            return None
        return (f"Kho chưa có toàn văn văn bản số {found.group(1)} (các văn bản trong kho chỉ nhắc tới số hiệu "
                f"này), nên không trả lời được nội dung của nó.")


class _LazyRaw(dict):  # type: ignore[type-arg]
    """Raw texts of indexed files, read on first use (the completeness note sits at the top of each file)."""

    def __init__(self, knowledge: Knowledge) -> None:
        super().__init__()
        self.kn = knowledge

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        if key not in self:
            self[key] = self.kn.raw_text(key)
        return dict.get(self, key, default)
