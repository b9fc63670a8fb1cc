"""Generated yes/no questions and verdict accuracy: templates over corpus sentences that deny ('… không được …',
'Chưa …'), affirm ('… được …') or set a threshold ('từ 70% trở lên'), the expected verdict derived by code from the
sentence, and '<document> còn hiệu lực không?' for the registry's documents (expected from its dates); plus
undecidable ones (a condition the question leaves out, a subject the corpus does not name), which
must get no verdict. Run: `python -m evals.verdicts [OUT.jsonl]` (uses the configured index; prints the scores)."""

from __future__ import annotations

import json
import random
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from assistant.answer.conclusion import sentences
from assistant.corpus.normalize import fold
from evals.question_gen import sample_per_kind

_ITEM = re.compile(r"^(?:[a-zđ]\)|\d+(?:\.\d+)*[.)]|\(\d+\)|[-–+•])\s*")
_WORD = r"[^\W\d_]+"
# surface patterns of the generator (simpler than the decider's: a subject of 2–10 words at the clause start, the cue,
# a predicate of 2–7 words up to the next comma)
_DENY = re.compile(rf"^(?P<s>{_WORD}(?:\s+{_WORD}){{1,9}}?)\s+(?P<c>không được|không áp dụng hình thức|không|chưa)\s+"
                   rf"(?P<p>{_WORD}(?:\s+{_WORD}){{1,6}})(?=[,;.]|$)")
_AFFIRM = re.compile(rf"^(?P<s>{_WORD}(?:\s+{_WORD}){{1,9}}?)\s+(?P<c>phải được|phải|được|có thể)\s+(?P<p>{_WORD}(?:\s+{_WORD}){{1,6}})"
                     rf"(?=[,;.]|$)")
_CONDITIONAL = re.compile(rf"^(?P<s>{_WORD}(?:\s+{_WORD}){{1,9}}?)\s+(?P<c>được|có thể)\s+"
                          rf"(?P<p>{_WORD}(?:\s+{_WORD}){{1,6}}?),?\s+(?:khi|nếu|trong trường hợp)\s+{_WORD}")
_NOT_REQUIRED = re.compile(rf"không nhất thiết phải\s+(?P<p>{_WORD}(?:\s+{_WORD}){{1,9}})")
_AT_LEAST = re.compile(rf"^(?P<s>[^;:]{{10,120}}?)\s+(?:từ|ít nhất(?: là)?)\s+(?P<n>\d+)\s*(?P<u>%|{_WORD})(?:\s+trở lên)?")
# a subject is a noun phrase: not a clause opened by a condition or a time, and without a modal of its own
_NOT_SUBJECT = re.compile(r"^(?:khi|trường hợp|trong|đối với|nếu|sau|trước|có|chỉ|theo|tại|để|do)(?!\w)|"
                          r"(?<!\w)(?:phải|cần|có thể|là)(?!\w)", re.I)
_MODAL = re.compile(r"(?<!\w)được(?!\w)", re.I)  # before an affirmed 'được …' the subject holds no 'được' of its own
_CONDITION = re.compile(r"(?<!\w)(?:khi|nếu|trường hợp|thì|mà)(?!\w)", re.I)
_NEGATION = re.compile(r"(?<!\w)(?:không|chưa|đã)(?!\w)", re.I)
_OTHER_SUBJECTS = ["Người lao động làm việc theo hợp đồng thời vụ", "Học sinh phổ thông", "Doanh nghiệp nước ngoài",
                   "Hộ kinh doanh cá thể"]  # subjects no corpus provision names: their questions stay undecided


def _plain(s: str) -> str:
    return _ITEM.sub("", re.sub(r"[“”*]", "", s).strip()).strip()


def questions_from_clause(clause: str, source: dict[str, str], rng: random.Random) -> list[dict[str, Any]]:
    """Yes/no questions for one clause, each with the verdict the clause decides ('yes', 'no' or None)."""
    c = _plain(clause).rstrip(" .;:")
    out: list[dict[str, Any]] = []

    def add(q: str, expected: str | None, kind: str) -> None:
        out.append({"question": q[:1].upper() + q[1:], "expected": expected, "kind": kind, **source, "sentence": c})

    if m := _NOT_REQUIRED.search(c):
        add(f"Có bắt buộc phải {m.group('p')} không?", "no", "not_required")
        return out
    if (m := _DENY.match(c)) and not _CONDITION.search(c) and not _NEGATION.search(m.group("s")) \
            and not _NOT_SUBJECT.search(m.group("s")):
        subj, pred = m.group("s"), m.group("p")
        add(f"{subj} có được {pred} không?", "no", "deny")
        add(f"{rng.choice(_OTHER_SUBJECTS)} có được {pred} không?", None, "other_subject")
        return out
    if (m := _CONDITIONAL.match(c)) and not _NEGATION.search(c[: m.end()]) and not _NOT_SUBJECT.search(m.group("s")) \
            and not _MODAL.search(m.group("s")):  # 'S được P khi C' asked without C: undecidable
        add(f"{m.group('s')} có được {m.group('p')} không?", None, "condition_left_out")
        return out
    if (m := _AFFIRM.match(c)) and not _NEGATION.search(c[: m.end()]) and not _NOT_SUBJECT.search(m.group("s")) \
            and not _MODAL.search(m.group("s")):
        subj, pred = m.group("s"), m.group("p")
        modal = "có phải" if m.group("c").startswith("phải") else "có được"
        if _CONDITION.search(c):  # the clause sets a condition the question leaves out: undecidable
            add(f"{subj} {modal} {pred} không?", None, "condition_left_out")
        else:
            add(f"{subj} {modal} {pred} không?", "yes", "affirm")
            add(f"{rng.choice(_OTHER_SUBJECTS)} {modal} {pred} không?", None, "other_subject")
        return out
    if (m := _AT_LEAST.match(c)) and int(m.group("n")) > 1:
        n, unit = int(m.group("n")), m.group("u")
        below = max(1, n - 1 - rng.randrange(max(1, n // 3)))
        sep = "" if unit == "%" else " "
        add(f"{m.group('s')} {below}{sep}{unit} thì có đủ không?", "no", "below_threshold")
    return out


def generate(knowledge: Any, seed: int = 7, per_kind: int = 25) -> list[dict[str, Any]]:
    """Yes/no questions from the verbatim, in-force legal passages of the index (at most `per_kind` of each kind)."""
    rng = random.Random(seed)
    today = knowledge.today or date.today()
    by_kind: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for ch in knowledge.searcher.chunks:
        if ch.secondary or not ch.meta or ch.meta.kind == "plan" or not ch.meta.in_force_on(today):
            continue
        for line in ch.text.split("\n"):
            for clause in sentences(line):
                for q in questions_from_clause(clause, {"file": ch.source_file, "citation": ch.citation}, rng):
                    key = fold(q["question"])
                    if key not in seen and len(q["question"]) <= 200:
                        seen.add(key)
                        by_kind.setdefault(q["kind"], []).append(q)
    for doc in knowledge.registry.docs:  # validity: the registry decides, a cited clause must state it
        if doc.number and (doc.in_force_from or doc.in_force_to):
            expired = bool(doc.in_force_to and today >= doc.in_force_to)
            expected = "no" if expired else "yes" if doc.in_force_on(today) else None
            name = f"{doc.short_name or doc.doc_type} {doc.number}" if doc.short_name and doc.number not in \
                doc.short_name else (doc.short_name or doc.number)
            by_kind.setdefault("validity", []).append(
                {"question": f"{name} còn hiệu lực không?", "expected": expected, "kind": "validity",
                 "file": ",".join(doc.files), "citation": doc.number, "sentence": doc.basis})
    return sample_per_kind(by_kind, rng, per_kind, "yn")


def verdict_of(conclusion: str | None) -> str | None:
    """'yes' / 'no' when the conclusion opens with 'Có.' / 'Không.', else None."""
    c = (conclusion or "").lstrip()
    return "yes" if c.startswith("Có.") else "no" if c.startswith("Không.") else None


def evaluate(ask: Any, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Verdict accuracy over the decided questions, how many got no verdict, wrong verdicts per kind."""
    rows = []
    for q in questions:
        a = ask.ask(q["question"])
        got = verdict_of(a.conclusion)
        rows.append({**q, "got": got, "refused": a.refused, "conclusion": (a.conclusion or "")[:300]})
    decidable = [r for r in rows if r["expected"]]
    undecidable = [r for r in rows if not r["expected"]]
    decided = [r for r in decidable if r["got"]]
    by_kind = {}
    for k in sorted({r["kind"] for r in rows}):
        rs = [r for r in rows if r["kind"] == k]
        by_kind[k] = {"n": len(rs), "verdict": sum(bool(r["got"]) for r in rs),
                      "correct": sum(r["got"] == r["expected"] for r in rs if r["got"])}
    return {
        "n": len(rows),
        "decidable": len(decidable),
        "verdicts_given": len(decided),
        "verdict_accuracy": round(sum(r["got"] == r["expected"] for r in decided) / len(decided), 4) if decided
        else None,
        "no_verdict": len(decidable) - len(decided),
        "undecidable": len(undecidable),
        "undecidable_with_verdict": sum(bool(r["got"]) for r in undecidable),
        "by_kind": by_kind,
        "wrong": [{k: r[k] for k in ("id", "question", "expected", "got", "conclusion")}
                  for r in rows if r["got"] and r["got"] != r["expected"]],
        "missed": [{k: r[k] for k in ("id", "question", "expected", "conclusion")}
                   for r in decidable if not r["got"]],
    }


def main() -> None:  # pragma: no cover - thin CLI wrapper
    from assistant.answer.service import AskService
    from assistant.config import get_settings
    from assistant.index.service import Knowledge

    settings = get_settings()
    kn = Knowledge(settings)
    qs = generate(kn)
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in qs), "utf-8")
    res = evaluate(AskService(settings, kn), qs)
    print(json.dumps(res, ensure_ascii=False, indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
