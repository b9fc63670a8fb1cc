"""Gazetteer of the post-2025 administrative units (the `vietnam-provinces` package, offline data: 34 provinces and
their xã/phường/đặc khu): restores diacritics of place names and checks that a ward belongs to its province."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.corpus.normalize import fold


@dataclass(frozen=True)
class Place:
    name: str  # "Ba Đình"
    unit_word: str  # "phường" | "xã" | "đặc khu" | "tỉnh" | "thành phố"
    province: str | None  # "Hà Nội" (for a commune-level unit)
    province_word: str | None  # "thành phố" | "tỉnh"


def _strip_type(full: str) -> tuple[str, str]:
    for w in ("Thành phố", "Tỉnh", "Phường", "Xã", "Đặc khu"):
        if full.startswith(w + " "):
            return w.lower(), full[len(w) + 1:]
    return "", full


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, list[Place]], dict[str, Place]] | None:
    try:
        import vietnam_provinces as vp
    except ImportError:  # gazetteer not installed: names stay as typed
        return None
    provinces: dict[str, Place] = {}
    by_code: dict[int, Place] = {}
    for p in vp.Province.iter_all():
        word, name = _strip_type(p.name)
        if not word:
            word = "thành phố" if "thanh_pho" in str(p.division_type.value).replace(" ", "_") else "tỉnh"
            if fold(str(p.division_type.value)).startswith("thanh pho"):
                word = "thành phố"
        place = Place(name, word, None, None)
        provinces[fold(name)] = place
        by_code[int(p.code)] = place
    units: dict[str, list[Place]] = {}
    for w in vp.Ward.iter_all():
        word, name = _strip_type(w.name)
        prov = by_code.get(int(w.province_code))
        units.setdefault(fold(name), []).append(
            Place(name, word or "xã", prov.name if prov else None, prov.unit_word if prov else None))
    return units, provinces


def province(name: str) -> Place | None:
    """The province/centrally-run city called `name` (with or without diacritics)."""
    idx = _index()
    return idx[1].get(fold(name)) if idx else None


def communes(name: str, unit_word: str | None = None, province_name: str | None = None) -> list[Place]:
    """Commune-level units called `name` (optionally of that type and province)."""
    idx = _index()
    if not idx:
        return []
    out = idx[0].get(fold(name), [])
    if unit_word:
        out = [p for p in out if fold(p.unit_word) == fold(unit_word)]
    if province_name:
        out = [p for p in out if p.province and fold(p.province) == fold(province_name)]
    return out


def available() -> bool:
    return _index() is not None
