"""The rule table: every quote sits at its raw offsets in the real corpus files; checks only use the quote's numbers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import RAW, ROOT

from assistant.config import Settings
from scripts.locate_rules import main as locate_main

RULES = ROOT / "knowledge" / "rules.yaml"


def _corpus() -> Path:
    for p in [RAW, *Settings().extra_corpus]:
        if Path(p).is_dir():
            return Path(p)
    pytest.fail("corpus folder not found: ../shared/corpus/raw or TDKT_EXTRA_CORPUS")


def _quotes(data: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    out = [(g["source_file"], g, "text") for g in data["general"]]
    for r in data["rules"]:
        out.append((r["source_file"], r, "lead"))
        out += [(r["source_file"], c, "text") for c in r["conditions"]]
    return out


def _numbers(spec: dict[str, Any]) -> list[int]:
    out = [int(spec[k]) for k in ("times", "years", "count", "percent", "all_completed") if k in spec]
    for p in spec.get("parts") or []:
        out += _numbers(p)
    return out


def test_every_quote_is_at_its_offsets_in_the_real_file() -> None:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    corpus = _corpus()
    quotes = _quotes(data)
    assert len(quotes) >= 20
    for source, entry, key in quotes:
        raw = (corpus / source).read_text(encoding="utf-8")
        s, e = entry["span"]
        span = raw[s:e]
        # the sources are partly hard-wrapped: equal up to whitespace runs, and exactly bounded
        assert re.sub(r"\s+", " ", span) == entry[key], (source, s, e)
        assert span[0] == entry[key][0] and span[-1] == entry[key][-1]


def test_stored_offsets_are_what_the_script_computes() -> None:
    assert locate_main(["--check", "--corpus", str(_corpus())]) == 0


def test_numbers_of_each_check_are_written_in_its_quote() -> None:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    for r in data["rules"]:
        for c in r["conditions"]:
            in_quote = {int(x) for x in re.findall(r"\d+", c["text"])}
            for n in _numbers(c["check"]):
                assert n in in_quote, (r["title"], c["id"], n)


def test_every_rule_names_a_known_title_and_a_known_check() -> None:
    from assistant.answer.eligibility import Evaluator

    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))

    def kinds(spec: dict[str, Any]) -> list[str]:
        return [spec["kind"]] + [k for p in spec.get("parts") or [] for k in kinds(p)]

    for r in data["rules"]:
        assert r["title"] in data["titles"]
        for c in r["conditions"]:
            for k in kinds(c["check"]):
                assert hasattr(Evaluator, f"_k_{k}"), k


def test_a_changed_quote_is_not_located(tmp_path: Path) -> None:
    bad = RULES.read_text(encoding="utf-8").replace("có 03 lần liên tục", "có 05 lần liên tục", 1)
    p = tmp_path / "rules.yaml"
    p.write_text(bad, encoding="utf-8")
    assert locate_main(["--rules", str(p), "--corpus", str(_corpus())]) == 1
    assert p.read_text(encoding="utf-8") == bad  # nothing written
