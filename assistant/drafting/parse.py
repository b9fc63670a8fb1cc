"""Parse a one-line drafting prompt (with or without diacritics) into a DraftRequest with missing/errors/questions."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from assistant.config import Settings
from assistant.corpus.normalize import fold, nfc
from assistant.corpus.registry import Registry
from assistant.drafting.models import DraftRequest
from assistant.drafting.words import words

_YEAR = re.compile(r"(?<![\d/.,])(1[89]\d\d|2\d\d\d)(?![\d/.,]\d)")
_AGENCY_STOP = {"nam", "chu", "cua", "voi", "ve", "pho", "ki", "nguoi", "theo", "gui", "dip", "chao", "huong", "cap",
                "giai", "chi", "thuc", "nhan", "thuoc", "truc"}
_QUOTED = re.compile(r"[“\"']([^”\"']{3,300})[”\"']")


def _reform_date(registry: Registry | None) -> date:
    for r in (registry.reforms if registry else []):
        d = r.get("date")
        if d:
            return d if isinstance(d, date) else date.fromisoformat(str(d))
    return date(2025, 7, 1)  # fallback mirrors registry.yaml reforms (DOMAIN.md)


def _aligned(text: str) -> tuple[str, str]:
    """(NFC text, folded text of the same length) so positions found in one apply to the other."""
    t = nfc(text)
    f = fold(t)
    if len(f) != len(t):  # exotic characters: fall back to a per-character fold
        f = "".join(fold(c)[:1] or " " for c in t)
    return t, f


def _word_re(key: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])" + re.escape(key) + r"(?![\w])")


def _take_name(t: str, f: str, pos: int, stop: set[str]) -> tuple[str, int]:
    """Place/agency name starting at pos: a run of capitalised words, or (lower-case prompt) words until a stop word."""
    m = re.compile(r"\s*([^\W\d_]+)").match
    words_: list[str] = []
    i = pos
    capital_run = None
    while len(words_) < 5:
        mm = m(t, i)
        if not mm:
            break
        w = mm.group(1)
        fw = fold(w)
        is_cap = w[0].isupper()
        if capital_run is None:
            capital_run = is_cap
        if capital_run and not is_cap:
            break
        if not capital_run and (fw in stop or len(words_) >= 3):
            break
        if capital_run and fw in stop and words_:
            break
        words_.append(w)
        i = mm.end()
    name = " ".join(x if x[0].isupper() else x.capitalize() for x in words_)
    return name, i


def _take_agency(t: str, f: str, pos: int, stop: set[str], unit_keys: set[str]) -> tuple[str, int]:
    """Agency name after "Sở"/"Trường"/…: words up to punctuation, a unit word (tỉnh …) or a stop word."""
    out: list[str] = []
    i = pos
    for mm in re.compile(r"\s*([^\W_]+)").finditer(t, pos):
        if mm.start() != i:
            break
        fw = fold(mm.group(1))
        if (fw in unit_keys or (fw in stop and not mm.group(1)[0].isupper())) and out or len(out) >= 6:
            break
        out.append(mm.group(1))
        i = mm.end()
    name = " ".join(out)
    return (name[0].upper() + name[1:] if name else ""), i


def _find_issuer(t: str, f: str, w: dict[str, Any]) -> dict[str, Any] | None:
    stop = set(w.get("name_stop", []))
    not_names = set(w.get("not_names", []))
    best: dict[str, Any] | None = None
    # agencies first ("Sở Nội vụ tỉnh …", "Trường THCS …", "Bệnh viện …")
    for a in w.get("agencies", []):
        for mm in _word_re(a["key"]).finditer(f):
            if a["key"] == "so" and f[mm.end():mm.end() + 1] == ":":
                continue
            before = f[max(0, mm.start() - 6):mm.start()]
            if re.search(r"(cum|khoi|pho|hieu|ban|ong|ba|uy)\s$", before):
                continue
            if f.startswith(" nhan dan", mm.end()):
                continue
            if not t[mm.start()].isupper() and not re.search(r"(cua|thuoc|tai)\s$", f[max(0, mm.start() - 5):mm.start()]):
                continue  # "văn bản", "hiệu trưởng": an agency is written with a capital or after "của"
            name, end = _take_agency(t, f, mm.end(), _AGENCY_STOP, {u["key"] for u in w.get("units", [])})
            if not name or fold(name.split()[0]) in not_names:
                continue
            cand = {"level": "co-quan", "unit_word": a["word"], "name": name, "start": mm.start(), "end": end,
                    "agency": a}
            if best is None or cand["start"] < best["start"]:
                best = cand
            break
    units = w.get("units", [])
    unit_hits: list[dict[str, Any]] = []
    for u in units:
        for mm in _word_re(u["key"]).finditer(f):
            # "xa" inside "thi xa" / "dac khu" handled by the longer keys first: skip overlaps later
            name, end = _take_name(t, f, mm.end(), stop)
            if not name or fold(name.split()[0]) in not_names:
                continue
            unit_hits.append({"level": u["level"], "unit_word": u["word"], "name": name, "start": mm.start(),
                              "end": end, "key": u["key"]})
    # drop hits nested in longer keys (e.g. "xa" of "thi xa")
    unit_hits = [h for h in unit_hits if not any(o is not h and o["start"] < h["start"] < o["start"] + len(o["key"])
                                                  for o in unit_hits)]
    unit_hits.sort(key=lambda h: h["start"])
    if best is not None:
        # a unit named after the agency is its parent province ("Sở Nội vụ tỉnh Ninh Bình")
        after = [h for h in unit_hits if h["start"] >= best["end"] - 1 and h["level"] == "tinh"]
        if after:
            best["province"] = after[0]["name"]
            if best["agency"]["key"] != "so" and f[best["end"]:after[0]["start"]].strip() == "":
                best["name"] = f"{best['name']} {t[after[0]['start']:after[0]['end']].strip()}"  # "Bệnh viện Đa khoa tỉnh X"
        place = [h for h in unit_hits if h["start"] >= best["end"] - 1 and h["level"] == "xa"]
        if place:
            best["place"] = place[0]
        return best
    if not unit_hits:
        return None
    first = dict(unit_hits[0])
    later = [h for h in unit_hits[1:] if h["level"] == "tinh" and h["level"] != first["level"]]
    if later:
        first["province"] = later[0]["name"]
    first["others"] = [h for h in unit_hits[1:] if h["level"] != "tinh" and fold(h["name"]) != fold(first["name"])]
    return first


def _doc_type(f: str, w: dict[str, Any]) -> str | None:
    types = w.get("doc_types", {})
    for key, spec in types.items():
        if any(_word_re(k).search(f) for k in spec.get("keywords", [])):
            needs = spec.get("needs")
            if needs and not any(n in f for n in needs) and "ke hoach" not in f:
                continue
            return key
    return None


def _after(t: str, f: str, key_re: str, stops: str) -> str | None:
    m = re.search(key_re, f)
    if not m:
        return None
    rest_t = t[m.end():]
    rest_f = f[m.end():]
    q = _QUOTED.match(rest_t.lstrip(" :"))
    if q:
        return q.group(1).strip()
    s = re.search(stops, rest_f)
    val = rest_t[: s.start()] if s else rest_t
    val = val.strip(" :,.;“”\"'")
    return val or None


def parse_request(prompt: str, settings: Settings, today: date | None = None,
                  registry: Registry | None = None) -> DraftRequest:
    """Parse the official's prompt; never raises for bad input (problems go to errors/missing/questions)."""
    today = today or date.today()
    w = words(settings.knowledge_dir)
    raw = prompt if isinstance(prompt, str) else ""
    req = DraftRequest(prompt=raw)
    text = raw.strip()
    if not text:
        req.errors.append("Yêu cầu trống. Hãy mô tả văn bản cần soạn, ví dụ: “Soạn kế hoạch phát động phong trào "
                          "thi đua năm 2026 của UBND xã …” [empty prompt]")
        req.questions.append("Anh/chị cần soạn văn bản gì, của cơ quan nào, năm nào?")
        return req
    if len(text) > settings.max_prompt_chars:
        req.errors.append(f"Yêu cầu quá dài ({len(text)} ký tự, tối đa {settings.max_prompt_chars}). Hãy rút gọn "
                          f"[prompt too long]")
        return req
    t, f = _aligned(text)
    # --- language and topic
    fw = re.findall(r"[a-z]+", f)
    has_vn = t != f.replace("d", "đ") and any(c in "ăâêôơưđàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ" for c in t.lower())
    topic = any(k in f for k in w.get("topic_words", []))
    eng = set(w.get("english_words", []))
    n_eng = sum(1 for x in fw if x in eng)
    if not has_vn and not topic and fw and n_eng >= max(2, len(fw) // 3):
        req.errors.append("Trợ lý chỉ soạn văn bản tiếng Việt. Hãy nhập yêu cầu bằng tiếng Việt, ví dụ: “Soạn kế "
                          "hoạch phát động phong trào thi đua năm 2026 của UBND xã …” [English prompts are not "
                          "supported]")
        return req
    if not topic:
        req.errors.append("Yêu cầu không phải về soạn kế hoạch/văn bản thi đua, khen thưởng. Trợ lý soạn: kế hoạch "
                          "phát động thi đua, văn bản phát động, đăng ký giao ước thi đua, kế hoạch đợt thi đua "
                          "[not a drafting request]")
        req.questions.append("Anh/chị cần soạn loại văn bản thi đua nào?")
        return req
    # --- document type
    theme_at = re.search(r"chu de|[“\"]", f)
    req.doc_type = _doc_type(f[: theme_at.start()] if theme_at else f, w)  # "hướng tới" inside a theme is not a type
    if req.doc_type is None:
        req.doc_type = str(w.get("fallback_type", "ke-hoach"))
        req.missing.append("doc_type")
        req.questions.append("Anh/chị cần soạn kế hoạch phát động thi đua, văn bản phát động, đăng ký giao ước "
                             "hay kế hoạch đợt thi đua?")
        req.warnings.append("Chưa rõ loại văn bản: tạm soạn kế hoạch phát động phong trào thi đua.")
    # --- year
    years = [int(y) for y in _YEAR.findall(t)]
    y_in_ctx = [int(m.group(1)) for m in re.finditer(r"nam\s+(\d{4})(?!\d)", f)]
    year = (y_in_ctx or years or [None])[0]
    if year is not None and not (2000 <= year <= today.year + 2):
        req.errors.append(f"Năm {year} không hợp lệ: chỉ soạn cho các năm từ 2000 đến {today.year + 2} "
                          f"[year out of range]")
        req.questions.append("Kế hoạch áp dụng cho năm nào?")
        year = None
    elif year is None:
        req.missing.append("year")
        req.questions.append(f"Kế hoạch áp dụng cho năm nào (ví dụ {today.year + 1})?")
        req.warnings.append(f"Chưa nêu năm: tạm lấy năm {today.year}.")
        year = today.year
    req.year = year
    # --- issuer and level
    cut = re.search(r"(?<![\w])(kinh gui|gui)\s|chu de|[“\"]", f)  # no issuer inside the theme or recipient
    iss = _find_issuer(t[: cut.start()] if cut else t, f[: cut.start()] if cut else f, w)
    if iss is None and cut is not None:  # the issuer comes after a quoted theme: search with the quotes blanked
        masked = re.sub(r"[“\"][^”\"]*[”\"]", lambda m: " " * len(m.group(0)), t)
        rc = re.search(r"(?<![\w])(kinh gui|gui)\s", f)
        end = rc.start() if rc else len(t)
        iss = _find_issuer(masked[:end], fold(masked)[:end], w)
    level_said = None
    for k, lv in (w.get("level_words") or {}).items():
        if _word_re(k).search(f):
            level_said = lv
    if iss is None:
        req.missing.append("issuer")
        req.questions.append("Văn bản do cơ quan nào ban hành (ví dụ: UBND xã …, UBND tỉnh …, Sở …, Trường …)?")
    else:
        req.level = iss["level"]
        req.locality = iss["name"] if iss["level"] != "co-quan" else iss.get("province")
        req.unit_word = iss["unit_word"]
        req.province = iss.get("province")
        if iss["level"] == "co-quan":
            req.issuer = f"{iss['unit_word']} {iss['name']}"
            req.agency_key = iss["agency"]["key"]
            if iss.get("place"):  # "Trường THCS …, phường Tây Hồ": where it is (date line), not its parent
                req.locality = iss["place"]["name"]
            pm = re.search(r"(?<![\w])(truc thuoc|thuoc)\s+", f[iss["end"]:])
            if pm:  # the parent body named in the prompt ("thuộc Sở Y tế tỉnh …", "thuộc UBND phường …")
                rest_t, rest_f = t[iss["end"] + pm.end():], f[iss["end"] + pm.end():]
                sm = re.search(r"[,;\n]|\s(nam \d{4}|chu de)", rest_f)
                req.parent_body = rest_t[: sm.start()].strip(" .") if sm else rest_t.strip(" .")
        else:
            req.issuer = f"UBND {iss['unit_word']} {iss['name']}"
        others = iss.get("others") or []
        if others:
            req.errors.append(f"Yêu cầu nêu hai cơ quan ban hành khác nhau ({req.issuer} và {others[0]['unit_word']} "
                              f"{others[0]['name']}). Văn bản do cơ quan nào ban hành? [conflicting issuers]")
            req.questions.append("Văn bản do cơ quan nào ban hành?")
    if level_said and req.level and req.level != "co-quan" and level_said != req.level:
        names = w.get("level_names", {})
        req.errors.append(f"Mâu thuẫn: {req.issuer} là {names.get(req.level, req.level)} nhưng yêu cầu ghi "
                          f"{names.get(level_said, level_said)}. Xin xác nhận cấp ban hành [contradictory level]")
        req.questions.append("Văn bản ban hành ở cấp nào?")
    # abolished district level (registry reforms: 2 levels from 01/7/2025)
    reform = _reform_date(registry)
    if req.level == "huyen" and req.year:
        if req.year > reform.year:
            req.errors.append(f"Từ {reform.day:02d}/{reform.month}/{reform.year} chính quyền địa phương chỉ còn hai "
                              f"cấp (tỉnh và xã, phường, đặc khu); không còn cấp huyện, thị xã, thị trấn. Không thể "
                              f"soạn văn bản năm {req.year} của {req.issuer}. Anh/chị soạn cho UBND xã/phường hay "
                              f"UBND tỉnh? [district level abolished]")
            req.questions.append("Anh/chị soạn cho UBND xã/phường/đặc khu hay UBND tỉnh?")
        elif req.year == reform.year:
            req.warnings.append(f"Cấp huyện chỉ tồn tại đến trước {reform.day:02d}/{reform.month}/{reform.year}: "
                                f"văn bản của {req.issuer} chỉ hợp lệ nếu ban hành trước ngày đó.")
    # --- theme, occasion, period, targets, parent plan, signer, recipient
    stops = r"[;\n]|,\s*(chi tieu|nguoi ki|ki boi|thoi gian|giai doan|dip|chao mung|gui |thuc hien|can cu)|\s(chi tieu|nguoi ki)\s*:"
    req.theme = _after(t, f, r"chu de\s*(la)?\s*:?", stops)
    if not req.theme:  # a quoted phrase is the theme ("… thi đua “chuyên đề chuyển đổi số” năm 2026 …")
        q = _QUOTED.search(t)
        req.theme = q.group(1).strip() if q and q.group(0)[0] in "“\"" else None
    if req.theme:
        req.theme = req.theme[0].upper() + req.theme[1:]
    issuer_stop = r"|,?\s*(cua|tai)?\s*(ubnd|uy ban|so|truong|benh vien)\s|,\s*chu de|\snam \d{4}\b"
    occ_key = r"(chao mung|nhan dip|huong toi|dip|ki niem)\s"
    if req.doc_type == "ke-hoach-dot":  # the campaign's own words: "cao điểm lập thành tích chào mừng …"
        occ_key = r"(dot thi dua|thi dua chuyen de|thi dua dac biet)\s"
    head_f = f[: theme_at.start()] if theme_at else f
    m = re.search(occ_key, head_f) or re.search(r"(chao mung|nhan dip|huong toi|dip|ki niem)\s", head_f)
    if m:
        occ = _after(t[m.start():], f[m.start():], m.re.pattern, stops + issuer_stop)
        if occ:
            word = t[m.start():m.end()].strip()
            keep_word = not fold(word).startswith(("dot thi dua", "thi dua"))
            req.occasion = (word + " " + occ).strip() if keep_word else occ
            for who in (req.issuer, f"{req.unit_word} {req.locality}" if req.unit_word and req.locality else None):
                fo = fold(req.occasion)
                if who and fold(who) in fo:  # never the issuer (or its territory) in the title
                    i = fo.index(fold(who))
                    head = re.sub(r"\s*(tren dia ban|cua|tai|o)\s*$", "", fo[:i])
                    req.occasion = (req.occasion[: len(head)] + req.occasion[i + len(who):]).strip(" ,")
    m = re.search(r"(tu ngay|tu thang)\s+[^;]*?(den|toi)\s+(ngay|thang)?\s*[\d/]+(\s*nam\s*\d{4})?", f)
    if m:
        req.period = t[m.start():m.end()].strip()
    else:
        m = re.search(r"giai doan\s+\d{4}\s*[-–]\s*\d{4}", f)
        if m:
            req.period = t[m.start():m.end()].strip()
    m = re.search(r"chi tieu(\s+thi dua)?\s*(la)?\s*:", f)
    if m:
        rest_t = t[m.end():]
        rest_f = f[m.end():]
        s = re.search(r"\n|\.\s|(,|;)\s*(nguoi ki|ki boi|chu de|gui |thuc hien|(pho )?(chu tich|giam doc|hieu "
                      r"truong) ki)", rest_f)
        body = rest_t[: s.start()] if s else rest_t
        pieces: list[str] = []
        for part in re.split(r";", body):
            for sub in re.split(r",\s+", part):
                sub = sub.strip(" .")
                if not sub:
                    continue
                if pieces and not re.search(r"\d", sub) and not re.search(r"\d", pieces[-1]) or pieces and not re.search(r"\d", pieces[-1]):
                    pieces[-1] += ", " + sub
                else:
                    pieces.append(sub)
        req.targets = [p[0].upper() + p[1:] for p in pieces if p]
    m = re.search(r"(thuc hien|theo|can cu)\s+((ke hoach|quyet dinh|chi thi|cong dien|huong dan|nghi quyet)\s+"
                  r"(so\s+)?[\w./\-đ]*\d[\w./\-đ]*[^;\n]*)", f)
    if m:
        req.parent_plan = t[m.start(2):m.end(2)].strip(" .,")
    sw = w.get("signer_words", {})
    sig = re.search(r"(nguoi ki|ki boi|ki ten|(?<!dang )ki\s*:)\s*:?\s*((pho )?(chu tich|giam doc|hieu truong|"
                    r"truong ban))?\s*|((pho )?(chu tich|giam doc|hieu truong|truong ban))\s+(ki)(?!\w)", f)
    if sig and any(k in f[sig.start():sig.end() + 20] for k in sw.get("deputy", [])):
        req.signer_capacity = "deputy"
    m = sig if sig and sig.group(1) else None
    if m:
        name, _ = _take_name(t, f, m.end(), set())
        if name and all(x[0].isupper() for x in name.split()) and len(name.split()) >= 2:
            req.signer = name
    m = re.search(r"(gui|kinh gui|cum truong)\s+", f)
    if m and req.doc_type == "giao-uoc":
        val = _after(t, f, r"(kinh gui|gui)\s+", r"[;\n]|,\s*(chi tieu|chu de|nam \d)")
        req.recipient = val
    if req.doc_type == "giao-uoc" and not req.recipient:
        req.missing.append("recipient")
        req.questions.append("Bản đăng ký giao ước gửi cụm trưởng/khối trưởng thi đua nào?")
    if req.doc_type == "ke-hoach-dot" and not (req.occasion or req.theme):
        req.missing.append("occasion")
        req.questions.append("Đợt thi đua hướng tới sự kiện/chuyên đề nào và diễn ra trong thời gian nào?")
    if req.doc_type in ("ke-hoach", "phat-dong") and not req.theme:
        req.missing.append("theme")
        req.questions.append("Chủ đề (khẩu hiệu) của phong trào thi đua năm nay là gì?")
    if not req.targets and req.doc_type != "ke-hoach-dot":
        req.missing.append("targets")
        req.questions.append(f"Các chỉ tiêu thi đua chủ yếu của {req.issuer} là gì?" if req.level == "co-quan" else
                             "Các chỉ tiêu thi đua chủ yếu (ví dụ: tỷ lệ hộ nghèo giảm …%, thu ngân sách đạt … "
                             "tỷ đồng) là gì?")
    req.plan_date = today if (req.year or 0) >= today.year else date(req.year or today.year, 1, 15)
    return req
