"""The generated answer-eval set (evals/question_gen.py) on the real index: gold anchors unique in their files, key
facts verbatim in the gold provisions, local texts' questions naming their locality, article-level questions."""

from __future__ import annotations

import re

import pytest

from evals.question_gen import generate_answer_set


@pytest.fixture(scope="module")
def answer_set(knowledge):  # noqa: ANN001, ANN201
    return generate_answer_set(knowledge)


def test_gold_anchors_are_unique_and_facts_verbatim(knowledge, answer_set) -> None:  # noqa: ANN001
    assert answer_set
    for q in answer_set:
        raws = {g["file"]: knowledge.raw_text(g["file"]) or "" for g in q["gold"]}
        for g in q["gold"]:
            assert raws[g["file"]].count(g["anchor"]) == 1, (q["id"], g["anchor"])
        text = re.sub(r"\s+", " ", re.sub(r"[*“”]", "", " ".join(raws.values())))  # hard wraps, markdown
        for fact in q["key_facts"]:  # every fact (or one of its variants) is the provisions' own words
            assert any(v in text for v in fact.split("|")), (q["id"], fact)


def test_questions_on_local_texts_name_their_locality(knowledge, answer_set) -> None:  # noqa: ANN001
    local = [q for q in answer_set
             if any((m := knowledge.doc_meta(g["file"])) and m.level in ("tinh", "huyen", "xa") for g in q["gold"])]
    assert local
    for q in local:
        m = knowledge.doc_meta(q["gold"][0]["file"])
        assert m.locality in q["question"], q["question"]


def test_article_level_questions_span_several_provisions(answer_set) -> None:  # noqa: ANN001
    kinds = {q["type"] for q in answer_set}
    assert {"two_part", "two_titles", "authority_any"} <= kinds
    for q in answer_set:
        if q["type"] in ("two_part", "two_titles"):
            assert len(q["key_facts"]) == 2 and len(q["gold"]) == 2
        if q["type"] == "authority_any":
            assert len(q["gold"]) >= 2 and "|" in q["key_facts"][0]
