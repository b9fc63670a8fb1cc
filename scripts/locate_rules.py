"""Write the raw character offsets of every quote in knowledge/rules.yaml (`span: [start, end]` lines), in place.

Usage: python -m scripts.locate_rules [--corpus DIR] [--check]
Each quote is searched in its source file (read as UTF-8) after its rule's anchor (and after the rule's lead
sentence for its conditions); whitespace in the quote matches any run of whitespace, because some sources are
hard-wrapped. A quote that is not found makes the script fail: nothing is written.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "knowledge" / "rules.yaml"
QUOTE_LINE = re.compile(r"^\s*(?:- )?(?:text|lead): \"")
SPAN_LINE = re.compile(r"^\s*span: \[\d+, \d+\]\s*$")


def quote_pattern(text: str) -> re.Pattern[str]:
    """A regex for text in which every whitespace run matches any whitespace run (hard-wrapped sources)."""
    parts = [re.escape(p) for p in text.split()]
    return re.compile(r"\s+".join(parts))


def find_quote(raw: str, text: str, after: int = 0) -> tuple[int, int]:
    """(start, end) of the first occurrence of text in raw at or after `after`; ValueError if absent."""
    m = quote_pattern(text).search(raw, after)
    if not m:
        raise ValueError(f"quote not found: {text[:80]!r}")
    return m.start(), m.end()


def iter_quotes(data: dict[str, Any], corpus: Path) -> Iterator[tuple[int, int]]:
    """Spans of every `text`/`lead` in the file's order: general conditions, then each rule's lead and conditions."""
    cache: dict[str, str] = {}

    def raw_of(name: str) -> str:
        if name not in cache:
            cache[name] = (corpus / name).read_text(encoding="utf-8")
        return cache[name]

    for g in data.get("general") or []:
        raw = raw_of(g["source_file"])
        anchor = find_quote(raw, g["anchor"])[0] if g.get("anchor") else 0
        yield find_quote(raw, g["text"], anchor)
    for rule in data.get("rules") or []:
        raw = raw_of(rule["source_file"])
        anchor = find_quote(raw, rule["anchor"])[0] if rule.get("anchor") else 0
        lead = find_quote(raw, rule["lead"], anchor)
        yield lead
        for cond in rule["conditions"]:
            yield find_quote(raw, cond["text"], lead[0])


def rewrite(lines: list[str], spans: list[tuple[int, int]]) -> list[str]:
    """Insert or replace the `span:` line after each quote line."""
    out: list[str] = []
    it = iter(spans)
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if QUOTE_LINE.match(line):
            s, e = next(it)
            indent = len(line) - len(line.lstrip(" -")) if line.lstrip().startswith("- ") else \
                len(line) - len(line.lstrip())
            out.append(" " * indent + f"span: [{s}, {e}]\n")
            if i < len(lines) and SPAN_LINE.match(lines[i]):
                i += 1
    if next(it, None) is not None:
        raise ValueError("more quotes than quote lines: keep each text/lead on one line")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=None, help="default: the first extra corpus folder (TDKT_EXTRA_CORPUS)")
    ap.add_argument("--rules", type=Path, default=RULES)
    ap.add_argument("--check", action="store_true", help="only report whether the stored spans are current")
    args = ap.parse_args(argv)
    if args.corpus is None:
        from assistant.config import Settings

        folders = [p for p in Settings().extra_corpus if Path(p).is_dir()]
        if not folders:
            print("error: no corpus folder: pass --corpus or set TDKT_EXTRA_CORPUS", file=sys.stderr)
            return 1
        args.corpus = Path(folders[0])
    text = args.rules.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    try:
        spans = list(iter_quotes(data, args.corpus))
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    new = "".join(rewrite(text.splitlines(keepends=True), spans))
    if args.check:
        print("up to date" if new == text else "stale: run python -m scripts.locate_rules")
        return 0 if new == text else 1
    args.rules.write_text(new, encoding="utf-8")
    print(f"{len(spans)} quotes located")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
