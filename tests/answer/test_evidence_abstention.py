"""Abstention score on the real index: the stored model loads, its features are computed, generated negatives are
refused and paraphrased positives answered."""

from __future__ import annotations

import json

import pytest
from helpers import ROOT, TODAY

from assistant.answer.evidence import FEATURES, MODEL_FILE, AbstentionModel, Evidence, Words
from assistant.index.retriever import Filters

KNOW = ROOT / "knowledge"


@pytest.fixture(scope="module")
def evidence(knowledge) -> Evidence:  # noqa: ANN001
    return Evidence(knowledge.searcher, Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml"))


def test_stored_model_loads_with_its_basis_and_kfold_figures() -> None:
    stored = json.loads((KNOW / MODEL_FILE).read_text("utf-8"))
    assert stored["basis"] and stored["kfold"]["k"] >= 3
    assert stored["kfold"]["n_pos"] > 100 and stored["kfold"]["n_neg"] > 100
    m = AbstentionModel.load(KNOW / MODEL_FILE)
    assert m is not None and m.features == FEATURES and len(m.weights) == len(FEATURES)
    assert 0.0 < m.threshold < 1.0


def test_features_are_computed_for_every_question(evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    q = "Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?"
    hits = knowledge.search(q, k=5)
    a = evidence.assess(q, hits, TODAY.year)
    assert set(FEATURES) <= set(a.features)  # the model's inputs (plus diagnostics)
    assert a.score is not None and 0.0 <= a.score <= 1.0
    assert a.supported and a.features["support"] > 0.5


@pytest.mark.parametrize("q", [
    "Cho em hỏi tiêu chuẩn CSTĐCS là gì ạ?",
    "Tiền thưởng Lao động tiên tiến bao nhiêu?",
    "ad ơi hồ sơ đề nghị xét tặng danh hiệu thi đua gồm những gì với ạ",
    "Em làm văn phòng xã, năm nay đơn vị em bình xét cuối năm. Cho em hỏi thẩm quyền quyết định tặng Giấy khen "
    "thuộc về ai ạ?",
])
def test_paraphrased_positives_are_answered(evidence: Evidence, knowledge, q: str) -> None:  # noqa: ANN001
    a = evidence.assess(q, knowledge.search(q, k=5), TODAY.year)
    assert a.supported, (a.score, a.reasons, a.features)


@pytest.mark.parametrize("q", [
    "Mức phạt khi đỗ ô tô trên vỉa hè là bao nhiêu tiền?",  # off-domain
    "Kế hoạch phát động thi đua năm 2025 của Bạc Liêu có những chỉ tiêu gì?",  # a locality the corpus lacks
    "Tiêu chuẩn danh hiệu Chiến Sĩ Thi Đua Kim Cương là gì?",  # a title that exists nowhere
])
def test_generated_negatives_are_refused(evidence: Evidence, knowledge, q: str) -> None:  # noqa: ANN001
    a = evidence.assess(q, knowledge.search(q, k=5), TODAY.year)
    assert not a.supported and a.reasons, (a.score, a.features)
    assert all("_" not in r for r in a.reasons)  # reasons in plain words, no internal folded keys


def test_question_whose_gold_documents_are_removed_is_refused(evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    q = "Thẩm quyền tặng danh hiệu Công dân danh dự Thủ đô thuộc về ai?"
    present = evidence.assess(q, knowledge.search(q, k=5), TODAY.year)
    assert present.supported
    gone = [m.source_file for m in knowledge.documents() if "ha-noi" in m.source_file]
    hits = knowledge.search(q, k=5, filters=Filters(exclude_files=gone))
    a = evidence.assess(q, hits, TODAY.year)
    assert not a.supported, (a.score, a.features)
