"""Abstention score: generated positives/negatives → features → logistic regression, threshold chosen by k-fold.

Positives: questions generated from the corpus' own provisions and plan sections (formal and chat-style,
evals/informal.py) and from words inside passages' bodies, whose gold passage the retriever finds. Negatives, generated from the same corpus:
- `removed`: the same question with every document holding the gold passage — and the documents that replace
  or are replaced by it — excluded from the search (skipped when a remaining passage nearly repeats the gold
  text or sits under a heading much like the gold's);
- `title_swap`: a title the question names with its last word changed so that the title exists nowhere;
- `place_swap` / `year_swap`: a plan question moved to a locality or year the corpus has no plan for;
- `aspect_neg`: criteria, dossier, authority, money or a % quota asked of an award title when no passage that
  names the title carries it (the same questions are positives, `aspect_pos`, when one does);
- `off_domain`: administrative questions outside thi đua, khen thưởng (written here, not taken from any eval).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.evidence import FEATURES, MODEL_FILE, AbstentionModel, Evidence, Words
from assistant.corpus.normalize import fold, nfc
from assistant.corpus.registry import norm_number
from assistant.index.retriever import Filters
from evals.informal import build_set, informalise, is_hit

SWAP_WORDS = ["kim cương", "bạch kim", "sáng tạo trẻ", "vì cộng đồng", "hữu nghị quốc tế", "tiên phong số",
              "ngôi sao", "danh dự quốc gia", "xanh", "hòa bình"]
OTHER_PLACES = ["Cà Mau", "Lào Cai", "Quảng Trị", "Vĩnh Long", "Tây Ninh", "Hưng Yên", "Điện Biên", "Kon Tum",
                "Sóc Trăng", "Phú Yên"]
OTHER_YEARS = [2015, 2017, 2019, 2021, 2030]
OFF_DOMAIN = [
    "Thủ tục cấp đổi giấy phép lái xe hạng B2 gồm những giấy tờ gì?",
    "Mức đóng bảo hiểm xã hội tự nguyện hằng tháng là bao nhiêu?",
    "Người lao động nghỉ hưu trước tuổi bị trừ bao nhiêu phần trăm lương hưu?",
    "Thuế thu nhập cá nhân từ tiền lương được tính theo biểu thuế lũy tiến thế nào?",
    "Đăng ký kết hôn với người nước ngoài cần nộp hồ sơ ở đâu?",
    "Thời gian nghỉ phép năm của công chức là bao nhiêu ngày?",
    "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu mất bao lâu?",
    "Điều kiện để được vay vốn ưu đãi hộ nghèo là gì?",
    "Mức phạt khi vượt đèn đỏ đối với xe máy là bao nhiêu tiền?",
    "Hồ sơ xin cấp hộ chiếu phổ thông gồm những gì?",
    "Giáo viên mầm non được hưởng phụ cấp ưu đãi bao nhiêu phần trăm?",
    "Công chức bị kỷ luật cảnh cáo thì bị kéo dài thời gian nâng lương bao lâu?",
    "Thủ tục đăng ký thường trú cho con mới sinh như thế nào?",
    "Mức hỗ trợ tiền điện cho hộ nghèo mỗi tháng là bao nhiêu?",
    "Điều kiện thành lập doanh nghiệp tư nhân gồm những gì?",
    "Học sinh tiểu học có phải đóng học phí không?",
    "Phí trước bạ khi mua ô tô cũ được tính thế nào?",
    "Ai có thẩm quyền cấp giấy phép xây dựng nhà ở riêng lẻ ở nông thôn?",
    "Thời hạn giải quyết khiếu nại lần đầu là bao nhiêu ngày?",
    "Cách tính trợ cấp thôi việc cho viên chức như thế nào?",
    "Chế độ phụ cấp trách nhiệm của kế toán trưởng là bao nhiêu?",
    "Quy trình tuyển dụng viên chức y tế gồm mấy bước?",
    "Mức lương tối thiểu vùng năm nay là bao nhiêu?",
    "Điều kiện hưởng trợ cấp thất nghiệp là gì?",
    "Thủ tục chuyển nhượng quyền sử dụng đất nông nghiệp cần giấy tờ gì?",
    "Xe máy điện có phải đăng ký biển số không?",
    "Người nước ngoài mua nhà ở Việt Nam cần điều kiện gì?",
    "Mức phạt không đội mũ bảo hiểm là bao nhiêu?",
    "Hồ sơ đăng ký hộ kinh doanh cá thể gồm những gì?",
    "Thời gian thử việc tối đa với người có trình độ đại học là bao lâu?",
    "Cán bộ xã nghỉ việc theo nguyện vọng được hưởng chế độ gì?",
    "Lịch tiêm chủng mở rộng cho trẻ dưới một tuổi gồm những vắc xin nào?",
    "Cách nộp thuế môn bài trực tuyến như thế nào?",
    "Quy định về chiều cao tối đa của nhà phố trong khu dân cư?",
    "Giá vé tàu hỏa Hà Nội đi Sài Gòn bao nhiêu tiền?",
    "Thủ tục xin visa du lịch Nhật Bản cần chứng minh tài chính bao nhiêu?",
    "Trường hợp nào được miễn nghĩa vụ quân sự?",
    "Chế độ ốm đau của người lao động được hưởng tối đa bao nhiêu ngày một năm?",
    "Cách tính điểm ưu tiên khu vực trong kỳ thi tốt nghiệp trung học phổ thông?",
    "Mức trợ cấp hằng tháng cho người cao tuổi trên 80 tuổi là bao nhiêu?",
]


@dataclass
class Item:
    question: str
    label: int  # 1: the corpus answers it; 0: it does not
    kind: str  # positive form (formal/informal/plan) or negative kind
    group: str  # items of one group stay in one fold (one provision, one plan, one off-domain question)
    gold: list[dict[str, Any]] | None = None
    exclude: list[str] | None = None


# ------------------------------------------------------------------------------------------------ generation
def plan_items(chunks: list[Any], rng: random.Random) -> list[Item]:
    """Questions about a plan's sections, naming its issuer's locality and year; gold = the section chunk."""
    out: list[Item] = []
    seen: set[tuple[str, str]] = set()
    for c in chunks:
        m = c.meta
        if not m or m.kind != "plan" or len(c.breadcrumb) < 2 or not m.locality or not m.year:
            continue
        sec = re.sub(r"^[IVX\d.]+\s*", "", c.breadcrumb[-1]).strip(" .:")
        if len(sec.split()) < 2 or len(sec) > 90 or (c.source_file, fold(sec)) in seen:
            continue
        seen.add((c.source_file, fold(sec)))
        sec_l = sec[0].lower() + sec[1:] if not sec[:2].isupper() else sec.capitalize()
        q = rng.choice([f"Kế hoạch năm {m.year} của {m.locality} nêu {sec_l.lower()} thế nào?",
                        f"{m.locality} năm {m.year}: {sec_l.lower()} trong kế hoạch là gì?"])
        out.append(Item(q, 1, "plan", c.source_file,
                        [{"file": c.source_file, "start": c.start, "end": c.end}]))
    return out


def _segment(text: str, rng: random.Random) -> str | None:
    """6–12 consecutive words of one sentence of a passage's body (not its heading), markers stripped."""
    lines = [ln for ln in text.split("\n") if len(ln.split()) >= 9 and not ln.startswith(("Điều ", "Chương "))]
    if not lines:
        return None
    ln = re.sub(r"^\s*(?:\d+(?:\.\d+)*\.|[a-zđ]\)|[-+•*]|\(\d+\))\s*", "", rng.choice(lines[:3]))
    words = [w.strip("“”\"*();:") for w in ln.split()]
    words = [w for w in words if w]
    n = rng.randint(6, 12)
    if len(words) < n:
        return None
    start = rng.randint(0, min(4, len(words) - n))
    seg = words[start:start + n]
    # a reader's paraphrase keeps only part of the rule's words
    kept = [w for i, w in enumerate(seg) if i == 0 or rng.random() < 0.7]
    return " ".join(kept).rstrip(",.;")


def body_items(chunks: list[Any], rng: random.Random, abbreviations: list[tuple[str, str]],
               limit: int = 220) -> list[Item]:
    """Questions written from words inside a passage's body (how real questions quote a rule), half chat-style."""
    pool = [c for c in chunks if c.meta and not c.secondary and len(c.text) > 150]
    rng.shuffle(pool)
    out: list[Item] = []
    for c in pool:
        seg = _segment(c.text, rng)
        if not seg:
            continue
        seg = seg[0].lower() + seg[1:] if not seg[:2].isupper() else seg
        q = rng.choice([f"{seg} thì thế nào?", f"Có phải {seg} không?", f"Quy định về việc {seg} ra sao?",
                        f"{seg} là sao?", f"Trường hợp {seg} thì áp dụng quy định nào?"])
        m = c.meta
        if m.kind == "plan" and m.locality and m.year:
            q = f"{m.locality} năm {m.year}: {q}"
        form = "body"
        if rng.random() < 0.5:
            q, form = informalise(q, rng, abbreviations), "body_informal"
        out.append(Item(q, 1, form, f"{c.source_file}#{c.breadcrumb[-1] if c.breadcrumb else ''}",
                        [{"file": c.source_file, "start": c.start, "end": c.end}]))
        if len(out) >= limit:
            break
    return out


ASPECTS = {  # what a question asks of a title → words a passage that answers it carries (folded)
    "criteria": (["Tiêu chuẩn xét tặng {t} là gì?", "Muốn được {t} cần điều kiện gì?"],
                 ["tieu chuan", "dieu kien", "tieu chi"]),
    "dossier": (["Hồ sơ đề nghị xét tặng {t} gồm những gì?"], ["ho so"]),
    "authority": (["Ai có thẩm quyền quyết định tặng {t}?"], ["tham quyen", "quyet dinh tang"]),
    "money": (["{t} được thưởng bao nhiêu tiền?", "Mức tiền thưởng kèm theo {t} là bao nhiêu?"],
              ["luong co so", "trieu dong", "tien thuong"]),
    "percent": (["Tỷ lệ tối đa được đề nghị xét tặng {t} là bao nhiêu %?"], ["%", "phan tram"]),
}


def aspect_items(searcher: Any, titles: list[str], rng: random.Random) -> list[Item]:
    """Each award title × each aspect: answerable when one passage names the title and carries the aspect's
    words, else a negative (an attribute the corpus does not give for that title)."""
    out: list[Item] = []
    for t in titles:
        name = next((x for x in (_surface_in(c.text, t) for c in searcher.chunks) if x), None)
        if not name:
            continue
        with_t = [i for i, f in enumerate(searcher.folded) if t in f]
        for templates, marks in ASPECTS.values():
            gold_i = [i for i in with_t if any(m in searcher.folded[i] for m in marks)]
            q = rng.choice(templates).format(t=f"“{name}”" if rng.random() < 0.5 else name)
            q = q[0].upper() + q[1:]
            gold = [{"file": searcher.chunks[i].source_file, "start": searcher.chunks[i].start,
                     "end": searcher.chunks[i].end} for i in gold_i]
            out.append(Item(q, 1 if gold_i else 0, f"aspect_{'pos' if gold_i else 'neg'}", f"title:{t}",
                            gold or None))
    return out


def _swap_span(question: str, folded_part: str, new: str) -> str | None:
    t = nfc(question)
    f = fold(t)
    i = f.find(folded_part)
    if i < 0 or len(f) != len(t):
        return None
    return t[:i] + new + t[i + len(folded_part):]


def _family(searcher: Any, files: set[str]) -> list[str]:
    """The files plus every document that replaces or is replaced by one of them (they carry the same rules)."""
    metas = {c.source_file: c.meta for c in searcher.chunks if c.meta}
    nums = {norm_number(m.number) for f, m in metas.items() if f in files and m.number}
    repl = {norm_number(m.replaced_by) for f, m in metas.items() if f in files and m.replaced_by}
    return sorted(files | {f for f, m in metas.items() if (m.number and norm_number(m.number) in repl)
                           or (m.replaced_by and norm_number(m.replaced_by) in nums)})


def award_titles(searcher: Any) -> list[str]:
    """Award titles (folded): quoted names the corpus writes after a head noun ("danh hiệu “Lao động tiên tiến”")."""
    corpus = " ".join(searcher.folded)
    heads = ("danh hieu", "huan chuong", "huy chuong", "giai thuong", "ki niem chuong", "co thi dua", "bang khen")
    return sorted(t for t in searcher.titles if len(t.split()) >= 2 and
                  (t.startswith(heads) or any(re.search(re.escape(h) + r"\s*[“\"]" + re.escape(t), corpus)
                                              for h in heads)))


def negatives(positives: list[Item], searcher: Any, rng: random.Random) -> list[Item]:
    corpus = " ".join(searcher.folded)
    out: list[Item] = []
    titles = award_titles(searcher)
    for it in positives:
        files = _family(searcher, {g["file"] for g in it.gold or []})
        out.append(Item(it.question, 0, "removed", it.group, it.gold, files))
        f = fold(it.question)
        named = [t for t in titles if t in f]
        if named and it.kind != "plan":
            t = max(named, key=len)
            for _ in range(5):
                new = " ".join(t.split()[:-1] + [rng.choice(SWAP_WORDS)])
                if fold(new) not in corpus:
                    accented = fold(it.question) != it.question.lower()
                    surface = _surface_in(it.question, t) or t
                    q = _swap_span(it.question, t, " ".join(surface.split()[:-1] + new.split()[len(t.split()) - 1:])
                                   if accented else fold(new))
                    if q:
                        out.append(Item(q, 0, "title_swap", it.group))
                    break
        if it.kind == "plan":
            m = re.search(r"(?<!\d)(20\d\d)(?!\d)", it.question)
            loc = next((c.meta.locality for c in searcher.chunks if c.source_file == it.gold[0]["file"]), None)
            if loc and loc in it.question:
                place = rng.choice([p for p in OTHER_PLACES if fold(p) not in corpus])
                out.append(Item(it.question.replace(loc, place), 0, "place_swap", it.group))
            if m:
                out.append(Item(it.question.replace(m.group(1), str(rng.choice(OTHER_YEARS))), 0, "year_swap",
                                it.group))
    for i, q in enumerate(OFF_DOMAIN):
        out.append(Item(q, 0, "off_domain", f"off:{i}"))
    return out


def _surface_in(text: str, folded_part: str) -> str | None:
    t = nfc(text)
    f = fold(t)
    i = f.find(folded_part)
    return t[i:i + len(folded_part)] if i >= 0 and len(f) == len(t) else None


def generate(knowledge: Any, abbreviations: list[tuple[str, str]], seed: int = 11) -> list[Item]:
    rng = random.Random(seed)
    s = knowledge.searcher
    abbr = abbreviations
    pos = [Item(d["question"], 1, d["form"], d["id"][2:], d["gold"]) for d in build_set(s.chunks, abbr, seed)]
    pos += plan_items(s.chunks, rng) + body_items(s.chunks, rng, abbr)
    neg = negatives(pos, s, rng)
    aspects = aspect_items(s, award_titles(s), rng)
    pos += [a for a in aspects if a.label == 1]
    neg += [a for a in aspects if a.label == 0]
    # chat-style copies of part of the generated negatives, so that informality alone says nothing
    extra = [Item(informalise(n.question, rng, abbreviations), 0, n.kind, n.group, n.gold, n.exclude)
             for n in neg if n.kind in ("title_swap", "off_domain", "aspect_neg") and rng.random() < 0.5]
    return pos + neg + extra


# ------------------------------------------------------------------------------------------------ features
def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, len(a | b))


def _near_duplicate(searcher: Any, hits: list[Any], gold: list[dict[str, Any]]) -> bool:
    """A remaining passage that repeats the gold text, or sits under a heading much like the gold's."""
    idx = [i for i, c in enumerate(searcher.chunks)
           if any(g["file"] == c.source_file and c.start < g["end"] and g["start"] < c.end for g in gold)]
    gold_sets = [set(searcher.folded[i].split()) for i in idx]
    gold_heads = [set(fold(searcher.chunks[i].breadcrumb[-1]).split()) - {"dieu"} for i in idx
                  if searcher.chunks[i].breadcrumb]
    for h in hits:
        i = searcher.pos[h.chunk.chunk_id]
        hs = set(searcher.folded[i].split())
        head = set(fold(h.chunk.breadcrumb[-1]).split()) - {"dieu"} if h.chunk.breadcrumb else set()
        if any(_jaccard(hs, g) >= 0.35 for g in gold_sets) or any(_jaccard(head, g) >= 0.5 for g in gold_heads):
            return True
    return False


def featurise(knowledge: Any, evidence: Evidence, items: list[Item], today_year: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    s = knowledge.searcher
    for it in items:
        filters = Filters(exclude_files=it.exclude) if it.exclude else None
        hits = s.search(it.question, k=5, filters=filters)
        if not hits:
            feats = {f: 0.0 for f in FEATURES}
        else:
            if it.label == 1 and not any(is_hit(h, it.gold or []) for h in hits):
                continue  # the retriever misses it: not an answerable example for the score
            if it.exclude and _near_duplicate(s, hits, it.gold or []):
                continue  # another document repeats the gold passage: not a negative
            feats = evidence.checks(it.question, hits, today_year)[0]
        rows.append({"question": it.question, "label": it.label, "kind": it.kind, "group": it.group,
                     "features": feats})
    return rows


# ------------------------------------------------------------------------------------------------ model
def kind_weights(kinds: list[str], y: np.ndarray) -> np.ndarray:
    """Sample weights: the two classes weigh the same, and so does every kind inside a class (a generator that
    happens to produce many items of one kind does not decide the model alone)."""
    w = np.zeros(len(kinds))
    for label in (0, 1):
        ks = sorted({k for k, t in zip(kinds, y, strict=True) if t == label})
        for k in ks:
            m = np.array([kk == k and t == label for kk, t in zip(kinds, y, strict=True)])
            w[m] = len(kinds) / (2 * len(ks) * m.sum())
    return w


def fit_logistic(x: np.ndarray, y: np.ndarray, sw: np.ndarray | None = None, l2: float = 0.01, steps: int = 3000,
                 lr: float = 0.2) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Weighted L2 logistic regression by gradient descent on standardised features."""
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std[std < 1e-9] = 1.0
    z = (x - mean) / std
    w = np.zeros(z.shape[1])
    b = 0.0
    if sw is None:
        pos = max(1, int(y.sum()))
        neg = max(1, len(y) - pos)
        sw = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = (p - y) * sw
        w -= lr * (z.T @ g / len(y) + l2 * w)
        b -= lr * float(g.mean())
    return mean, std, w, b


def predict(x: np.ndarray, mean: np.ndarray, std: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return 1 / (1 + np.exp(-(((x - mean) / std) @ w + b)))


def choose_threshold(p: np.ndarray, y: np.ndarray, max_false_refusal: float) -> float:
    """The highest threshold whose false refusals (positives scored below it) stay within the budget."""
    pos = np.sort(p[y == 1])
    if len(pos) == 0:
        return 0.5
    k = int(np.floor(max_false_refusal * len(pos)))
    return float(pos[k]) if k < len(pos) else float(pos[-1])


def rates(p: np.ndarray, y: np.ndarray, t: float) -> dict[str, float]:
    neg, pos = p[y == 0], p[y == 1]
    return {"refusal": round(float((neg < t).mean()) if len(neg) else 0.0, 4),
            "false_refusal": round(float((pos < t).mean()) if len(pos) else 0.0, 4),
            "n_neg": int(len(neg)), "n_pos": int(len(pos))}


def kfold(rows: list[dict[str, Any]], k: int = 5, max_false_refusal: float = 0.045, seed: int = 3
          ) -> dict[str, Any]:
    """Group k-fold: fit on k-1 folds, threshold from the training folds, figures on the held-out fold."""
    x = np.array([[r["features"][f] for f in FEATURES] for r in rows], dtype=float)
    y = np.array([r["label"] for r in rows], dtype=float)
    groups = sorted({r["group"] for r in rows})
    random.Random(seed).shuffle(groups)
    fold_of = {g: i % k for i, g in enumerate(groups)}
    f = np.array([fold_of[r["group"]] for r in rows])
    oof = np.zeros(len(rows))
    thr = np.zeros(len(rows))
    thresholds = []
    kinds = [r["kind"] for r in rows]
    for i in range(k):
        tr, te = f != i, f == i
        mean, std, w, b = fit_logistic(x[tr], y[tr], kind_weights([kk for kk, t in zip(kinds, tr, strict=True) if t],
                                                                  y[tr]))
        t = choose_threshold(predict(x[tr], mean, std, w, b), y[tr], max_false_refusal)
        thresholds.append(t)
        oof[te] = predict(x[te], mean, std, w, b)
        thr[te] = t
    neg, pos = y == 0, y == 1
    out = {"k": k, "refusal": round(float((oof[neg] < thr[neg]).mean()), 4),
           "false_refusal": round(float((oof[pos] < thr[pos]).mean()), 4),
           "n_neg": int(neg.sum()), "n_pos": int(pos.sum()), "fold_thresholds": [round(t, 4) for t in thresholds],
           "by_kind": {}}
    for kind in sorted({r["kind"] for r in rows}):
        m = np.array([r["kind"] == kind for r in rows])
        wrong = (oof[m] < thr[m]) if y[m][0] == 1 else (oof[m] >= thr[m])
        out["by_kind"][kind] = {"n": int(m.sum()), "label": int(y[m][0]), "wrong": round(float(wrong.mean()), 4)}
    return out


def fit_and_store(knowledge: Any, knowledge_dir: Path, vocab: dict[str, Any], today_year: int,
                  out: Path | None = None) -> dict[str, Any]:
    """Generate, featurise, k-fold, fit on everything, and write knowledge/abstention.json."""
    words = Words.load(knowledge_dir / "ask.yaml", knowledge_dir / "retrieval.yaml")
    words.model = None
    ev = Evidence(knowledge.searcher, words)
    abbr = [(a["long"], a["short"]) for a in vocab.get("abbreviations") or []]
    rows = featurise(knowledge, ev, generate(knowledge, abbr), today_year)
    kf = kfold(rows)
    x = np.array([[r["features"][f] for f in FEATURES] for r in rows], dtype=float)
    y = np.array([r["label"] for r in rows], dtype=float)
    mean, std, w, b = fit_logistic(x, y, kind_weights([r["kind"] for r in rows], y))
    threshold = float(np.mean(kf["fold_thresholds"]))
    full = rates(predict(x, mean, std, w, b), y, threshold)
    result = {
        "basis": "Fitted by `tdkt eval abstention --fit` (evals/abstention.py) on questions generated from the "
                 "indexed corpus only: positives = Điều-heading, plan-section and passage-body questions (formal and chat-style) "
                 "whose gold passage is retrieved; negatives = gold documents excluded from the search, invented "
                 "titles, other localities/years, an aspect (criteria, dossier, authority, money, %) asked of a title no "
                 "passage gives it for, off-domain "
                 "questions. L2 logistic regression on standardised features, every generated kind weighing the same within its class; threshold = mean of "
                 "the 5 group-k-fold thresholds, each the highest keeping false refusals ≤ 4.5% on its training "
                 "folds. No dev question is used.",
        "fitted_on": date.today().isoformat(),
        "counts": {"rows": len(rows), "positives": int(y.sum()), "negatives": int(len(y) - y.sum())},
        "kfold": kf, "training_fit": full,
        "model": {"features": FEATURES, "mean": mean.round(6).tolist(), "std": std.round(6).tolist(),
                  "weights": w.round(6).tolist(), "bias": round(b, 6), "threshold": round(threshold, 6)},
    }
    (knowledge_dir / MODEL_FILE).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({k: v for k, v in result.items() if k != "model"} | {"rows": rows},
                                  ensure_ascii=False, indent=1) + "\n", "utf-8")
    return result


def evaluate_stored(knowledge: Any, knowledge_dir: Path, vocab: dict[str, Any], today_year: int) -> dict[str, Any]:
    """The stored model's refusal / false-refusal rates on the generated set (in-sample: it was fitted on it)."""
    words = Words.load(knowledge_dir / "ask.yaml", knowledge_dir / "retrieval.yaml")
    model: AbstentionModel | None = words.model
    if model is None:
        return {"error": "no fitted model in knowledge/abstention.json"}
    words.model = None
    ev = Evidence(knowledge.searcher, words)
    abbr = [(a["long"], a["short"]) for a in vocab.get("abbreviations") or []]
    rows = featurise(knowledge, ev, generate(knowledge, abbr), today_year)
    p = np.array([model.probability(r["features"]) for r in rows])
    y = np.array([r["label"] for r in rows], dtype=float)
    return rates(p, y, model.threshold)


def evaluate_questions(knowledge: Any, knowledge_dir: Path, questions: Path, today_year: int) -> dict[str, Any]:
    """Refusal on a questions file's `unanswerable` items and false refusals on the others (the ask pipeline's
    own decision: search → evidence.assess with the stored model)."""
    words = Words.load(knowledge_dir / "ask.yaml", knowledge_dir / "retrieval.yaml")
    ev = Evidence(knowledge.searcher, words)
    neg = pos = refused_neg = refused_pos = 0
    wrong: list[str] = []
    for line in questions.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        a = ev.assess(d["question"], knowledge.search(d["question"], k=5), today_year)
        if d.get("type") == "unanswerable":
            neg += 1
            refused_neg += not a.supported
            if a.supported:
                wrong.append(d["id"])
        else:
            pos += 1
            refused_pos += not a.supported
            if not a.supported:
                wrong.append(d["id"])
    return {"refusal": round(refused_neg / max(1, neg), 4), "false_refusal": round(refused_pos / max(1, pos), 4),
            "n_neg": neg, "n_pos": pos, "model": words.model is not None, "wrong": wrong}
