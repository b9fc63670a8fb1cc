"""The reader's stat-only refresh check sees every change a writer (another process) makes to the index."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from test_resilience import SMALL, _copy, built  # noqa: F401 - the module's small index fixture

from assistant.index import layout
from assistant.index.service import Knowledge


def _agrees(probe: layout.CurrentProbe, root: Path) -> None:
    assert probe.token() == layout.generation_token(layout.current_generation(root))


def test_probe_token_equals_the_full_check_through_switches_commits_and_damage(tmp_path: Path) -> None:
    root = tmp_path / "index"
    root.mkdir()
    probe = layout.CurrentProbe(root)
    _agrees(probe, root)  # no CURRENT: the layout before generations
    g1 = layout.new_generation(root)
    (g1.catalog_path).write_text("{}", "utf-8")
    layout.switch_to(g1)
    _agrees(probe, root)
    first = probe.token()
    layout.touch_stamp(g1)  # vectors changed
    _agrees(probe, root)
    assert probe.token() != first
    g1.catalog_path.write_text('{"docs": {}}', "utf-8")  # catalog committed
    _agrees(probe, root)
    g2 = layout.new_generation(root)
    g2.catalog_path.write_text("{}", "utf-8")
    layout.switch_to(g2)  # a rebuild finished elsewhere
    _agrees(probe, root)
    assert probe.token()[0] == g2.name
    shutil.rmtree(g2.dir)  # CURRENT names a generation that is gone
    _agrees(probe, root)
    assert probe.token()[0] == ""
    (root / layout.CURRENT).write_text("../escape\n", "utf-8")
    _agrees(probe, root)
    os.remove(root / layout.CURRENT)
    _agrees(probe, root)


def test_reader_sees_another_writers_removal_on_its_next_read(built: tuple[Path, Path], tmp_path: Path) -> None:  # noqa: F811
    _, reader = _copy(built, tmp_path)
    assert SMALL in {m.source_file for m in reader.documents()}
    assert reader.search("kế hoạch", k=1)
    writer = Knowledge(reader.settings)  # another process' view of the same data dir
    assert writer.remove(SMALL)
    assert SMALL not in {m.source_file for m in reader.documents()}
    assert reader.raw_text(SMALL) is None


def test_kept_raw_text_still_notices_a_lost_file(built: tuple[Path, Path], tmp_path: Path) -> None:  # noqa: F811
    _, kn = _copy(built, tmp_path)
    text = kn.raw_text(SMALL)
    assert text and kn.raw_text(SMALL) is text  # kept: one read for all of an answer's quotes
    entry = kn.catalog.docs[SMALL]
    path = layout.texts_dir(kn.index_dir) / entry.text_file
    path.unlink()
    assert kn.raw_text(SMALL) == text  # restored from the source file, and written back
    assert path.exists() and path.read_text("utf-8") == text
