"""Synthetic plans for scale benchmarks: real plans' structure with other place names and figures (marked)."""

from __future__ import annotations

import random
import re
from pathlib import Path

PLACES = ["An Hòa", "Bình Minh", "Cẩm Phú", "Đông Sơn", "Hòa Lạc", "Kim Liên", "Long Phước", "Mỹ Thạnh",
          "Nam Phong", "Phú Lộc", "Quảng Điền", "Sơn Tây", "Tân Lập", "Thạch Hà", "Vĩnh Phúc", "Yên Thế"]


def make_synthetic(sources: list[Path], out_dir: Path, count: int, seed: int = 7) -> list[Path]:
    """Write `count` synthetic plans derived from `sources`; each starts with front matter synthetic: true."""
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = [p.read_text("utf-8") for p in sources]
    paths = []
    for i in range(count):
        base = texts[i % len(texts)]
        place = f"{rng.choice(PLACES)} {i}"
        body = re.sub(r"Bình Sơn|Quang Trung|Chi Lăng|Bắc Giang|Đắk Lắk|Nghệ An|Cần Thơ", place, base)
        body = re.sub(r"\d+,\d+", lambda m: f"{rng.randint(1, 999)},{rng.randint(0, 99):02d}", body)
        year = rng.choice([2023, 2024, 2025, 2026])
        front = (f"---\nsynthetic: true\ndoc_type: ke-hoach\nissuer: UBND xã {place}\nlevel: xa\n"
                 f"locality: {place}\nyear: {year}\n---\n")
        p = out_dir / f"synthetic-{i:05d}.md"
        p.write_text(front + body, encoding="utf-8")
        paths.append(p)
    return paths
