"""Diacritics put back on a question typed without them (reaccent.py): from the corpus' own wording, casing and
punctuation kept, unknown words left alone; the dense search embeds the re-marked question."""

from __future__ import annotations

import random
import re

from assistant.corpus.normalize import fold
from assistant.index.reaccent import Reaccenter

TEXTS = ["Danh hiệu Lao động tiên tiến được xét tặng hằng năm.",
         "Hồ sơ đề nghị khen thưởng gồm tờ trình và báo cáo thành tích.",
         "Chủ tịch Ủy ban nhân dân cấp tỉnh quyết định tặng Bằng khen.",
         "Báo cáo thành tích phải bảo đảm đúng thời hạn.",
         "Bao nhiêu lần thì được xét?", "Hồ sơ gồm những gì?"]


def test_syllables_get_the_corpus_wording_in_context() -> None:
    r = Reaccenter(TEXTS)
    assert r.reaccent("ho so de nghi khen thuong gom nhung gi") == "hồ sơ đề nghị khen thưởng gồm những gì"
    # "bao" is "báo" before "cáo", "bảo" before "đảm", "bao" before "nhiêu": the neighbour decides
    assert r.reaccent("bao cao thanh tich") == "báo cáo thành tích"
    assert r.reaccent("bao dam dung thoi han") == "bảo đảm đúng thời hạn"
    assert r.reaccent("bao nhieu lan") == "bao nhiêu lần"


def test_casing_punctuation_and_unknown_words_are_kept() -> None:
    r = Reaccenter(TEXTS)
    out = r.reaccent("Chu tich UBND tinh, ad oi: xyz 2025?")
    assert out == "Chủ tịch UBND tỉnh, ad ơi: xyz 2025?" or out.startswith("Chủ tịch UBND tỉnh, ad")
    assert fold(out) == fold("Chu tich UBND tinh, ad oi: xyz 2025?")  # only marks were added
    assert r.reaccent("Hồ sơ gom nhung gi") == "Hồ sơ gồm những gì"  # marked words stay as typed


def test_on_the_corpus_most_words_get_their_marks_back(knowledge) -> None:  # noqa: ANN001
    s = knowledge.searcher
    r = s._reaccenter or Reaccenter.from_corpus([c.text for c in s.chunks])
    rng = random.Random(5)
    ok = total = 0
    for c in rng.sample(s.chunks, 150):
        words = re.findall(r"[^\W\d_]+", c.text)
        if len(words) < 12:
            continue
        i = rng.randrange(len(words) - 10)
        seg = " ".join(words[i:i + 10])
        out = r.reaccent(fold(seg)).split()
        ok += sum(a == b for a, b in zip(out, seg.lower().split(), strict=False))
        total += 10
    assert total and ok / total >= 0.9


def test_dense_side_embeds_the_remarked_question_only_when_unmarked(knowledge) -> None:  # noqa: ANN001
    s = knowledge.searcher
    marked = "Tiền thưởng Lao động tiên tiến là bao nhiêu?"
    assert s.dense_text(marked) == marked
    plain = "tien thuong lao dong tien tien la bao nhieu"
    out = s.dense_text(plain)
    assert out != plain and fold(out) == fold(plain)
    assert "lao động tiên tiến" in out.lower()


def test_question_wording_is_kept_when_a_large_corpus_is_sampled(monkeypatch) -> None:  # noqa: ANN001
    import assistant.index.reaccent as ra

    monkeypatch.setattr(ra, "MAX_CHARS", 100)  # the corpus below is read at a stride of several texts
    corpus = ["Báo cáo thành tích phải bảo đảm đúng thời hạn."] * 40
    r = Reaccenter.from_corpus(corpus, ["bao nhiêu", "thế nào"])
    # the question words are counted whatever the stride
    assert r.reaccent("bao nhieu") == "bao nhiêu" and r.reaccent("the nao") == "thế nào"
