"""Bad inputs to ingestion, each next to a good file: every one is reported by name, none aborts the folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from faultkit import FIRST, PLANS
from helpers import make_settings

from assistant.index.service import Knowledge


def _bad_inputs(d: Path) -> list[str]:
    """Create the bad inputs in `d`; returns how each one is described (for the report)."""
    made = []
    raw = os.fsencode(d)
    for name in (b"k\xe9 ho\xe1ch.md", b"\xff\xfe.txt", b"ok-\xed\xa0\x80.md"):  # not UTF-8 / lone surrogate
        with open(os.path.join(raw, name), "wb") as f:
            f.write("# Kế hoạch\n\nNội dung thi đua năm 2024.\n".encode())
        made.append(f"file name bytes {name!r}")
    (d / "empty.md").write_bytes(b"")
    (d / "spaces.md").write_text("   \n\n\t \n", encoding="utf-8")
    (d / "binary.md").write_bytes(os.urandom(4096))
    (d / "nul.txt").write_bytes(b"\x00" * 5000)
    (d / "fake.pdf").write_bytes(b"%PDF-1.4 truncated")
    (d / "fake.docx").write_bytes(b"PK\x03\x04 not a zip")
    (d / "bom-utf16.md").write_bytes("# Kế hoạch thi đua\n".encode("utf-16"))
    (d / "dir.md").mkdir()
    os.mkfifo(d / "pipe.md")
    (d / "loop.md").symlink_to(d / "loop.md")
    (d / "dangling.md").symlink_to(d / "nowhere.md")
    (d / "zero.md").symlink_to("/dev/zero")
    lines = ["# Quy định\n"] + [f"\n## Điều {i}. Nội dung {i}\n\nNội dung điều {i}.\n" for i in range(1, 301)]
    (d / "too-many-articles.md").write_text("".join(lines), encoding="utf-8")
    (d / "huge.txt").write_bytes(b"a" * 10)
    with (d / "huge.txt").open("r+b") as fh:
        fh.truncate(3 * 1024 * 1024)
    made += ["empty", "whitespace only", "random bytes", "NULs", "truncated PDF", "fake DOCX", "UTF-16 text",
             "directory named .md", "FIFO", "symlink loop", "dangling symlink", "symlink to /dev/zero",
             "300 articles over the chunk cap", "3 MB over the size cap"]
    return made


def test_bad_inputs_never_abort_the_folder(tmp_path: Path) -> None:
    d = tmp_path / "corpus"
    d.mkdir()
    shutil.copy(PLANS / FIRST[0], d / FIRST[0])
    made = _bad_inputs(d)
    kn = Knowledge(make_settings(tmp_path / "data", extra_corpus=[], max_chunks_per_file=200, max_file_mb=2))
    rep = kn.ingest([d, tmp_path / "missing-folder", d / "pipe.md"], embed=False)
    print(f"bad inputs tried: {len(made) + 2}, crashes: 0, reported: {len(rep.errors)}")
    for e in rep.errors:
        print("  ", e["file"], "→", e["reason"])
    assert FIRST[0] in rep.added
    errs = {e["file"]: e["reason"] for e in rep.errors}
    assert sum("UTF-8" in r for r in errs.values()) == 3
    assert {"empty.md", "huge.txt", "too-many-articles.md", "missing-folder"} <= set(errs)
    assert all(r.strip() for r in errs.values())
    # the index is usable and a second run changes nothing
    assert kn.search("tổng đàn lợn cả năm xã Quang Trung", k=1)
    before = kn.catalog.path.read_bytes()
    again = Knowledge(kn.settings).ingest([d], embed=False)
    assert FIRST[0] in again.unchanged and kn.catalog.path.read_bytes() == before
