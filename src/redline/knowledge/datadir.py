"""Where the shared data folder is, and how country codes are turned into COW numbers and CAMEO codes."""

from __future__ import annotations

import os
from pathlib import Path

from redline.errors import QuestionError, SourceError

__all__ = ["data_dir", "to_cow", "to_cameo", "PACKAGE_DATA"]

PACKAGE_DATA = Path(__file__).resolve().parent / "data"


def data_dir(path: str | Path | None = None) -> Path:
    """The data folder: ``path`` if given, else ``$REDLINE_SHARED_DATA``, else ``../shared/data`` beside the
    checkout.

    Raises SourceError naming the places looked at when none exists.
    """
    candidates: list[Path] = []
    if path is not None:
        candidates.append(Path(path))
    else:
        env = os.environ.get("REDLINE_SHARED_DATA")
        if env:
            candidates.append(Path(env))
        here = Path(__file__).resolve()
        # src/redline/knowledge/datadir.py -> repo root is parents[3]; ../shared/data beside it
        if len(here.parents) > 3:
            candidates.append(here.parents[3].parent / "shared" / "data")
        candidates.append(Path.cwd().parent / "shared" / "data")
    for c in candidates:
        if c.is_dir():
            return c
    raise SourceError(
        "no data folder found (looked at " + ", ".join(str(c) for c in candidates) + "); pass a path or set "
        "REDLINE_SHARED_DATA"
    )


_FALLBACK = {  # used only when redline.ontology.countries is not importable
    "USA": 2,
    "CAN": 20,
    "GBR": 200,
    "FRA": 220,
    "DEU": 255,
    "RUS": 365,
    "UKR": 369,
    "CHN": 710,
    "PRK": 731,
    "KOR": 732,
    "JPN": 740,
    "IND": 750,
    "PAK": 770,
    "IRN": 630,
    "ISR": 666,
    "TUR": 640,
    "MNG": 712,
    "TWN": 713,
}


def to_cow(code: str | int) -> int:
    """COW number for a CAMEO/ISO3 code, a country name or a COW number. Raises QuestionError when unknown."""
    if isinstance(code, int):
        return code
    s = str(code).strip()
    if s.isdigit():
        return int(s)
    try:
        from redline.ontology import countries

        c = countries.lookup(s)
        if c is not None and c.cow is not None:
            return int(c.cow)
    except ImportError:
        pass
    if s[:3].upper() in _FALLBACK:
        return _FALLBACK[s[:3].upper()]
    raise QuestionError(f"unknown country {code!r}")


def to_cameo(code: str | int) -> str:
    """CAMEO country code (``CHN``) for a COW number, a name or a code. Raises QuestionError when unknown."""
    try:
        from redline.ontology import countries

        c = (
            countries.by_cow(int(code))
            if isinstance(code, int) or str(code).isdigit()
            else countries.lookup(str(code))
        )
        if c is not None:
            return str(c.cameo)
    except ImportError:
        pass
    if isinstance(code, int) or str(code).isdigit():
        for k, v in _FALLBACK.items():
            if v == int(code):
                return k
    elif str(code)[:3].upper() in _FALLBACK:
        return str(code)[:3].upper()
    raise QuestionError(f"unknown country {code!r}")
