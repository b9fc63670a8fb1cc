"""The heading chain a passage is ranked by: the document's own title when it names an award (a regulation on one
title), and no topic words from an article that has no title (its heading is the first sentence of its text)."""

from __future__ import annotations

import re

from assistant.corpus.models import Chunk
from assistant.corpus.normalize import fold
from assistant.index.retriever import article_title


def test_an_untitled_article_keeps_only_its_number() -> None:
    assert article_title("Điều 2. Quyết định này có hiệu lực kể từ ngày ký ban hành.") == "Điều 2"
    assert article_title("Điều 3. Các Ông/bà chịu trách nhiệm thi hành Quyết định này./.") == "Điều 3"
    assert article_title("Điều 4. Tiêu chuẩn xét tặng") == "Điều 4. Tiêu chuẩn xét tặng"
    long = "Điều 34. Hồ sơ đề nghị xét tặng danh hiệu Chiến sĩ thi đua bộ, ban, ngành, tỉnh, “Chiến sĩ thi đua cơ sở”"
    assert article_title(long) == long
    assert article_title("II.1 Nội dung thi đua.") == "II.1 Nội dung thi đua."  # only articles are read so


def test_dense_text_skips_the_chapter_title_before_the_heading() -> None:
    c = Chunk("c1", "d", "f.md", "Chương II\nTIÊU CHUẨN, QUY TRÌNH, HỒ SƠ\nĐiều 4. Tiêu chuẩn xét tặng\nCá nhân đạt "
              "các tiêu chuẩn sau:\n1. Có thành tích.", "Điều 4", ["Chương II TIÊU CHUẨN", "Điều 4. Tiêu chuẩn xét tặng"],
              0, 100)
    assert c.dense_text.startswith("Điều 4. Tiêu chuẩn xét tặng\nCá nhân đạt các tiêu chuẩn sau:")
    assert "QUY TRÌNH" not in c.dense_text


def test_articles_of_a_regulation_on_one_title_are_found_by_topic_and_title(knowledge) -> None:  # noqa: ANN001
    """Every titled article of a document whose title names an award, asked about by its topic and the award: the
    article is among the first three passages (the award is named in the document's title, not in the article)."""
    s = knowledge.searcher
    asked = found = 0
    for f in sorted({c.source_file for c in s.chunks}):
        chunks = [c for c in s.chunks if c.source_file == f]
        m = chunks[0].meta
        names = [t for t in s.titles if m and m.title and t in fold(m.title)]
        if not names:
            continue
        t = max(names, key=len)
        i = fold(m.title).find(t)
        award = m.title[i:i + len(t)]
        for c in chunks:
            head = c.breadcrumb[-1] if c.breadcrumb else ""
            if not head.startswith("Điều") or article_title(head) != head or t in fold(head):
                continue
            topic = re.sub(r"^Điều\s+\d+\.\s*", "", head)
            hits = knowledge.search(f"{topic} đối với danh hiệu {award} được quy định thế nào?", k=3)
            asked += 1
            found += any(h.chunk.source_file == f and h.chunk.breadcrumb[-1] == head for h in hits)
    assert asked >= 10
    assert found / asked >= 0.85, (found, asked)  # measured 32/35 (16/35 before the title was read)


def test_a_heading_naming_the_kind_of_answer_asked_counts(knowledge) -> None:  # noqa: ANN001
    """answer_slots' `heads`: "… cần điều kiện gì?" asks criteria, which a heading may call "Tiêu chuẩn …"."""
    from assistant.index.retriever import names_slot

    s = knowledge.searcher
    qi = s.analyse("Muốn được tặng danh hiệu này thì phải đạt những điều kiện gì?")
    assert "tieu chuan" in qi.slot_heads
    assert names_slot("Điều 4. Tiêu chuẩn xét tặng", qi)
    assert not names_slot("Điều 5. Điều kiện xét tặng", qi)  # the question's own words already count
    assert not names_slot("Điều 7. Quyền lợi, trách nhiệm cá nhân được khen thưởng", qi)
    assert s.analyse("Danh hiệu này được thưởng bao nhiêu?").slot_heads == ("tien thuong",)
    assert s.analyse("Danh hiệu này được quy định ở văn bản nào?").slot_heads == ()
    who = s.analyse("Lao động tiên tiến do ai quyết định tặng?")
    assert names_slot("Điều 80. Thẩm quyền quyết định tặng", who)
