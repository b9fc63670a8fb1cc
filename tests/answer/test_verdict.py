"""Yes/no verdicts decided by code (assistant/answer/verdict.py): 'Có.' / 'Không.' only when a cited passage, the
eligibility checker or a number comparison decides the question; the deciding span verbatim with its marker."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from helpers import RAW, ROOT

from assistant.answer.models import Citation
from assistant.corpus.normalize import fold
from evals.verdicts import questions_from_clause, verdict_of

pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason="needs ../shared/corpus/raw")


def _span(conclusion: str) -> tuple[str, int]:
    """The deciding span of a verdict sentence and its marker: 'Có. <span> [n].'"""
    m = re.match(r"(?:Có|Không)\. (?:Quy định riêng của [^:]+: |Bạn nêu [^;]+; [^:]+: )?(.+?) \[(\d+)\]\.", conclusion)
    assert m, conclusion
    return m.group(1), int(m.group(2))


def _verbatim(ans, span: str, n: int) -> bool:  # noqa: ANN001
    """The span stands in citation n's quote (curly quotes and item marks aside; gaps shown as '…')."""
    quote = re.sub(r"\s+", " ", re.sub(r"[“”*]", "", next(c.quote for c in ans.citations if c.n == n)))
    return all(p.strip() in quote for p in span.split("…") if p.strip())


def test_yes_when_the_passage_affirms_the_asked_predicate(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Thời gian nghỉ thai sản có được tính để xét tặng danh hiệu thi đua không?")
    assert a.conclusion.startswith("Có.") and a.answer.startswith(a.conclusion)
    span, n = _span(a.conclusion)
    assert "được tính để xét tặng danh hiệu thi đua" in span and _verbatim(a, span, n)
    # typed without diacritics: the same verdict
    b = ask_service.ask("thoi gian nghi thai san co duoc tinh de xet tang danh hieu thi dua khong")
    assert verdict_of(b.conclusion) == "yes"


@pytest.mark.parametrize(("question", "words"), [
    ("Người được ký thừa ủy quyền có được ủy quyền lại cho người khác ký không?", "không được ủy quyền lại"),
    ("Kết quả khen thưởng thành tích đột xuất có được dùng làm căn cứ để đề nghị cấp trên khen thưởng công trạng "
     "không?", "không dùng làm căn cứ"),
    ("Có bắt buộc phải có hình thức khen thưởng mức thấp mới được khen thưởng mức cao hơn không?",
     "không nhất thiết phải có hình thức khen thưởng mức thấp"),
])
def test_no_when_the_passage_denies_it(ask_service, question: str, words: str) -> None:  # noqa: ANN001
    a = ask_service.ask(question)
    assert a.conclusion.startswith("Không."), a.conclusion
    span, n = _span(a.conclusion)
    assert words in span and _verbatim(a, span, n)


@pytest.mark.parametrize("question", [
    "Hộ kinh doanh cá thể có được cấp hệ thống số riêng không?",  # a subject no provision names
    "Người nước ngoài có được xét tặng danh hiệu Công dân danh dự Thủ đô không?",  # 'đủ các điều kiện sau'
    "Có được khen thưởng mức cao hơn mà không cần hình thức khen thưởng mức thấp không?",  # '… mới được …'
    "Danh hiệu Lao động tiên tiến được thưởng bao nhiêu lần mức lương cơ sở?",  # not a yes/no question
    "Cơ quan em có tỷ lệ nữ 75% thì có được ưu tiên xét khen thưởng không?",  # met, but 'Khi có nhiều … cùng đủ'
])
def test_no_verdict_when_nothing_decides_it(ask_service, question: str) -> None:  # noqa: ANN001
    a = ask_service.ask(question)
    assert verdict_of(a.conclusion) is None, a.conclusion


def test_verdict_from_the_eligibility_checker(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Em được Chiến sĩ thi đua cơ sở năm 2023 thôi, có đủ điều kiện Chiến sĩ thi đua cấp tỉnh "
                        "không?")
    assert a.conclusion.startswith("Không."), a.conclusion
    span, n = _span(a.conclusion)
    assert "lần liên tục" in span and _verbatim(a, span.rstrip(" …"), n)
    # every condition met (a provincial initiative, three consecutive years, no discipline): Có
    y = ask_service.ask("Em được CSTĐCS các năm 2022, 2023, 2024, có sáng kiến được công nhận cấp tỉnh, không bị kỷ "
                        "luật. Em có đủ điều kiện chiến sĩ thi đua cấp tỉnh không?")
    assert y.conclusion.startswith("Có."), y.conclusion
    span, n = _span(y.conclusion)
    assert _verbatim(y, span.rstrip(" …"), n) and "Đủ các điều kiện có trong kho" in y.conclusion
    # a condition the checker cannot decide (an assessment by the unit): no verdict
    b = ask_service.ask("Em hoàn thành xuất sắc nhiệm vụ năm 2024, có 1 sáng kiến cấp cơ sở, không bị kỷ luật, vậy em "
                        "có đủ điều kiện Chiến sĩ thi đua cơ sở năm 2024 không?")
    assert verdict_of(b.conclusion) is None and b.conclusion.startswith("Chưa xác định")
    # a provincial rule: the verdict says whose rule it is
    c = ask_service.ask("Tập thể có 60% cá nhân đạt Lao động tiên tiến thì có đủ điều kiện Tập thể lao động tiên "
                        "tiến không?")
    assert c.conclusion.startswith("Không. Quy định riêng của tỉnh Bắc Ninh:"), c.conclusion


def test_number_comparison_with_the_threshold(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Cơ quan em có tỷ lệ nữ 65% thì có được ưu tiên xét khen thưởng không?")
    assert a.conclusion.startswith("Không. Bạn nêu 65%; quy định:"), a.conclusion
    span, n = _span(a.conclusion)
    assert "từ 70% trở lên" in span and _verbatim(a, span, n)
    b = ask_service.ask("Mỗi cá nhân có được tặng danh hiệu Công dân danh dự Thủ đô nhiều lần không?")
    assert b.conclusion.startswith("Không. Bạn nêu nhiều lần; quy định riêng của thành phố Hà Nội:"), b.conclusion
    assert "một lần" in _span(b.conclusion)[0]


def test_number_comparison_yes_only_for_a_whole_rule(ask_service) -> None:  # noqa: ANN001
    """A met threshold answers Có when it is the whole rule, not one condition of a list."""
    d = ask_service.verdicts
    quote = ("Chỉ những cá nhân đạt ít nhất 80% số phiếu tín nhiệm trên tổng số thành viên Hội đồng cấp Bộ theo "
             "quyết định thành lập mới được đề nghị Bộ trưởng Bộ Y tế xem xét quyết định.")
    cite = Citation(n=1, source_file="qd-3621-qd-byt-2025-quy-trinh-tthc-thi-dua-khen-thuong.md", citation="QĐ 3621",
                    quote=quote, start=0, end=len(quote))
    q = "Cá nhân đạt {} số phiếu tín nhiệm trên tổng số thành viên Hội đồng thì có đủ không?"
    assert d.decide(q.format("85%"), [cite]).decision == "yes"
    assert d.decide(q.format("75%"), [cite]).decision == "no"
    listed = cite.model_copy(update={"quote": "Tập thể đạt các tiêu chuẩn sau:\n- Hoàn thành tốt nhiệm vụ;\n- Có ít "
                                              "nhất là 70% cá nhân trong tập thể đạt danh hiệu Lao động tiên tiến."})
    q2 = "Tập thể có {} cá nhân đạt danh hiệu Lao động tiên tiến thì có đủ không?"
    assert d.decide(q2.format("80%"), [listed]) is None  # one condition of a list: met decides nothing alone
    assert d.decide(q2.format("60%"), [listed]).decision == "no"  # a failed condition does


def test_validity_verdict_from_the_registry_and_a_cited_clause(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Nghị định 28/2024/NĐ-CP còn hiệu lực không?")
    assert a.conclusion.startswith("Không."), a.conclusion
    span, n = _span(a.conclusion)
    assert "28/2024/NĐ-CP" in span and "hết hiệu lực" in span and _verbatim(a, span.rstrip(" …"), n)
    b = ask_service.ask("Nghị định 152/2025/NĐ-CP có còn hiệu lực không?")
    assert b.conclusion.startswith("Có.") and "có hiệu lực thi hành từ" in _span(b.conclusion)[0]
    # the registry says expired, but no cited passage states it: the registry sentence, no verdict
    c = ask_service.ask("Thông tư 01/2024/TT-BNV còn áp dụng không?")
    assert verdict_of(c.conclusion) is None and "đã hết hiệu lực" in c.conclusion


def test_not_required_answers_only_an_obligation_question(ask_service) -> None:  # noqa: ANN001
    d = ask_service.verdicts
    quote = "(1) Khen thưởng phải căn cứ vào điều kiện, tiêu chuẩn và thành tích đạt được, không nhất thiết phải có " \
            "hình thức khen thưởng mức thấp mới được khen thưởng mức cao hơn."
    cite = Citation(n=2, source_file="nd-152-2025.md", citation="Điều 4", quote=quote, start=0, end=len(quote))
    v = d.decide("Có phải có hình thức khen thưởng mức thấp trước không?", [cite])
    assert v is not None and v.decision == "no" and v.n == 2
    assert d.decide("Có được có hình thức khen thưởng mức thấp trước không?", [cite]) is None
    assert d.decide("Hình thức khen thưởng mức thấp có phải không?", [cite]) is None  # a tag question


def test_cli_answer_json_opens_with_the_verdict(settings) -> None:  # noqa: ANN001
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TDKT_DATA_DIR": str(settings.data_dir), "TDKT_LLM": "none",
           "TDKT_EXTRA_CORPUS": ",".join(str(p) for p in settings.extra_corpus)}
    r = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "--json",
                        "Người được ký thừa ủy quyền có được ủy quyền lại cho người khác ký không?"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["conclusion"].startswith("Không.") and out["answer"].startswith(out["conclusion"])
    assert "không được ủy quyền lại" in out["conclusion"] and not out["refused"]


def test_generator_derives_the_expected_verdict_from_the_sentence() -> None:
    import random

    rng = random.Random(1)
    src = {"file": "x.md", "citation": "x"}
    deny = questions_from_clause("Người được ký thừa ủy quyền không được ủy quyền lại cho người khác ký.", src, rng)
    assert [(q["kind"], q["expected"]) for q in deny] == [("deny", "no"), ("other_subject", None)]
    assert deny[0]["question"] == "Người được ký thừa ủy quyền có được ủy quyền lại cho người khác ký không?"
    cond = questions_from_clause("Cấp phó được giao phụ trách khi cấp trưởng vắng.", src, rng)
    assert [(q["kind"], q["expected"]) for q in cond] == [("condition_left_out", None)]
    below = questions_from_clause("Tập thể có tỷ lệ nữ từ 70% trở lên để xét khen thưởng.", src, rng)
    assert below[0]["kind"] == "below_threshold" and below[0]["expected"] == "no"


def _cues(d: dict) -> list[dict]:  # noqa: ANN001
    out = []
    for v in d.values():
        if isinstance(v, dict):
            out += _cues(v)
        elif isinstance(v, list):
            out += [x for x in v if isinstance(x, dict) and "cue" in x]
    return out


def test_every_passage_cue_has_its_basis_in_the_corpus() -> None:
    data = yaml.safe_load((ROOT / "knowledge" / "verdict.yaml").read_text("utf-8"))
    cues = _cues(data)
    assert len(cues) >= 15
    for c in cues:
        file, _, words = str(c["basis"]).partition(":")
        text = re.sub(r"\*+", "", " ".join((RAW / file.strip()).read_text("utf-8").split())).lower()
        for piece in re.split(r"\s*(?:…|;|\(|\))\s*", words.strip()):
            if len(piece) > 3:
                assert piece.lower() in text, (c["cue"], piece)
        literal = [w for w in str(c["cue"]).split() if not w.startswith("<")]
        assert fold(" ".join(literal)) in fold(words) or all(fold(w) in fold(words) for w in literal), c
