"""Treaty obligations between countries: ATOP (v5.1 dyad-years, v4.01 conditions) plus curated records.

ATOP (Leeds et al.) ends in 2018. Alliances still in effect at its end (``yrexit == 0``) are carried forward
and
marked so; treaties signed later come from the project's curated records (``knowledge/data/treaties.yaml``),
each
with its sources. Country arguments accept COW numbers or codes/names that ``redline.ontology.countries``
knows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from redline.errors import SourceError

from .datadir import PACKAGE_DATA, data_dir, to_cow

__all__ = [
    "Obligation",
    "TreatyBook",
    "KINDS",
    "CONDITION_LABELS",
    "ATOP_DYAD_FILE",
    "ATOP_MEMBER_FILE",
    "ATOP_ALLIANCE_FILE",
    "load_curated_treaties",
]

ATOP_DYAD_FILE = "alliances/atop5_1_directed_dyad_year.csv.gz"
ATOP_MEMBER_FILE = "alliances/atop4_01_member_level.csv"
ATOP_ALLIANCE_FILE = "alliances/atop4_01_alliance_level.csv"
ATOP_END_YEAR = 2018
ATOP_CITATION = "ATOP v4.01/v5.1 (Leeds et al., http://www.atopdata.org/)"

KINDS = ("defense", "offense", "neutrality", "nonaggression", "consultation", "mutual_assistance")
_ATOP_KIND = {
    "defense": "defense",
    "offense": "offense",
    "neutral": "neutrality",
    "nonagg": "nonaggression",
    "consul": "consultation",
}
# ATOP v4.01 codebook: conditions attached to each kind of obligation (1 = the obligation holds only if ...)
CONDITION_LABELS = {
    "defcoadv": ("defense", "adversary", "only against a specific adversary"),
    "defcoloc": ("defense", "location", "only for a conflict in a specific location"),
    "defcocon": ("defense", "conflict", "only in a specific conflict"),
    "defconum": ("defense", "number", "only against a certain number of adversaries"),
    "defcodem": ("defense", "demands", "only if the adversary does not comply with demands"),
    "defconpr": ("defense", "non_provocation", "only if the ally did not provoke the attack"),
    "offcoadv": ("offense", "adversary", "only against a specific adversary"),
    "offcoloc": ("offense", "location", "only in a specific location"),
    "offcocon": ("offense", "conflict", "only in a specific conflict"),
    "offconum": ("offense", "number", "only against a certain number of adversaries"),
    "offcodem": ("offense", "demands", "only if the adversary does not comply with demands"),
    "neucoadv": ("neutrality", "adversary", "only against a specific adversary"),
    "neucoloc": ("neutrality", "location", "only in a specific location"),
    "neucocon": ("neutrality", "conflict", "only in a specific conflict"),
    "neuconpr": ("neutrality", "non_provocation", "only if the ally did not provoke the attack"),
    "concoadv": ("consultation", "adversary", "only about a specific adversary"),
    "concoloc": ("consultation", "location", "only about a specific location"),
    "concocon": ("consultation", "conflict", "only about a specific conflict"),
}


@dataclass(frozen=True, slots=True)
class Obligation:
    """One obligation of one treaty, binding its members (COW numbers)."""

    treaty_id: str
    treaty_name: str
    members: tuple[int, ...]
    kind: str
    start: dt.date
    end: dt.date | None = None  # None: in force at the end of the record
    article: str = ""
    trigger: str = ""
    location: str | None = None  # None: no location limit
    adversary: str | None = None  # None: any adversary
    conditions: tuple[str, ...] = ()
    origin: str = "curated"  # "curated" or "atop"
    citation: str = ""
    note: str = ""
    carried_forward: bool = False  # ATOP record assumed in force after ATOP's last year
    sources: tuple[str, ...] = field(default=())
    spans: tuple[tuple[int, dt.date, dt.date | None], ...] = field(
        default=(), repr=False
    )  # per-member (ATOP)

    def binds(self, a: int, b: int | None = None) -> bool:
        return a in self.members and (b is None or b in self.members)

    def in_force(self, on: dt.date, a: int | None = None, b: int | None = None) -> bool:
        """In force on ``on``; with ``a``/``b`` (ATOP records), for those members' own spans."""
        if self.spans and (a is not None or b is not None):
            for who in (a, b):
                if who is None:
                    continue
                if not any(m == who and s <= on and (e is None or on <= e) for m, s, e in self.spans):
                    return False
            return True
        return self.start <= on and (self.end is None or on <= self.end)

    @property
    def location_limited(self) -> bool:
        return self.location is not None or "location" in self.conditions

    @property
    def military(self) -> bool:
        return self.kind in ("defense", "offense", "mutual_assistance")

    def describe(self) -> str:
        scope = (
            "no location limit"
            if not self.location_limited
            else f"limited to {self.location or 'a location'}"
        )
        conds = f"; conditions: {', '.join(self.conditions)}" if self.conditions else ""
        art = f" ({self.article})" if self.article else ""
        return f"{self.kind}{art} under {self.treaty_name}: {scope}{conds}"


def _date(v: object) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError as exc:
        raise SourceError(f"bad date {v!r}") from exc


def load_curated_treaties(path: str | Path | None = None) -> list[Obligation]:
    """Read curated treaty records (YAML list; default: the package's ``treaties.yaml``)."""
    import yaml

    p = Path(path) if path is not None else PACKAGE_DATA / "treaties.yaml"
    try:
        records = yaml.safe_load(p.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise SourceError(f"cannot read treaty records: {exc}", path=str(p)) from exc
    out: list[Obligation] = []
    for i, rec in enumerate(records):
        try:
            start = _date(rec.get("in_force") or rec.get("signed"))
            if start is None:
                raise SourceError(f"record {i} ({rec.get('id')}) has no in_force or signed date", path=str(p))
            sources = tuple(str(s) for s in rec.get("sources") or ())
            if not sources:
                raise SourceError(f"record {i} ({rec.get('id')}) has no sources", path=str(p))
            for ob in rec["obligations"]:
                if ob["kind"] not in KINDS:
                    raise SourceError(
                        f"record {rec.get('id')}: unknown obligation kind {ob['kind']!r}", path=str(p)
                    )
                out.append(
                    Obligation(
                        treaty_id=str(rec["id"]),
                        treaty_name=str(rec["name"]),
                        members=tuple(int(m) for m in rec["members"]),
                        kind=str(ob["kind"]),
                        start=start,
                        end=_date(rec.get("ended")),
                        article=str(ob.get("article", "")),
                        trigger=" ".join(str(ob.get("trigger", "")).split()),
                        location=ob.get("location"),
                        adversary=ob.get("adversary"),
                        conditions=tuple(ob.get("conditions") or ()),
                        origin="curated",
                        citation=sources[0],
                        note=" ".join(str(rec.get("note", "")).split()),
                        sources=sources,
                    )
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceError(f"record {i}: malformed treaty record ({exc})", path=str(p)) from exc
    return out


def _safe_date(y: Any, m: Any, d: Any) -> dt.date | None:
    try:
        yi = int(float(y))
    except (TypeError, ValueError):
        return None
    if yi <= 0:
        return None
    mi = int(float(m)) if m == m and m is not None else 1
    di = int(float(d)) if d == d and d is not None else 1
    mi = min(max(mi, 1), 12)
    di = max(di, 1)
    for day in (di, 30, 29, 28):
        try:
            return dt.date(yi, mi, day)
        except ValueError:
            continue
    return dt.date(yi, mi, 1)


def _atop_obligations(members: pd.DataFrame) -> list[Obligation]:
    cols = ["atopid", "member", "bilat", "yrent", "moent", "dayent", "yrexit", "moexit", "dayexit"]
    cols += [c for c in _ATOP_KIND if c in members.columns]
    cols += [c for c in CONDITION_LABELS if c in members.columns]
    groups: dict[int, list[dict[str, Any]]] = {}
    recs: list[dict[str, Any]] = members[cols].to_dict("records")  # type: ignore[assignment]
    for rec in recs:
        groups.setdefault(int(rec["atopid"]), []).append(rec)
    out: list[Obligation] = []
    for aid, grp in groups.items():
        bilateral = int(grp[0]["bilat"] or 0) == 1
        for col, kind in _ATOP_KIND.items():
            rows = [r for r in grp if r.get(col) == 1]
            spans: list[tuple[int, dt.date, dt.date | None]] = []
            for r in rows:
                st = _safe_date(r["yrent"], r["moent"], r["dayent"])
                if st is not None:
                    spans.append((int(r["member"]), st, _safe_date(r["yrexit"], r["moexit"], r["dayexit"])))
            if not spans:
                continue
            r0 = rows[0]
            conds = tuple(
                sorted({name for c, (k, name, _) in CONDITION_LABELS.items() if k == kind and r0.get(c) == 1})
            )
            ends = [e for _, _, e in spans]
            out.append(
                Obligation(
                    treaty_id=f"atop-{aid}",
                    treaty_name=f"ATOP alliance {aid}" + (" (bilateral)" if bilateral else ""),
                    members=tuple(sorted({m for m, _, _ in spans})),
                    kind=kind,
                    start=min(s for _, s, _ in spans),
                    end=None if any(e is None for e in ends) else max(e for e in ends if e is not None),
                    location="a location named in the treaty" if "location" in conds else None,
                    adversary="a named adversary" if "adversary" in conds else None,
                    conditions=conds,
                    origin="atop",
                    citation=f"{ATOP_CITATION}, atopid {aid}",
                    carried_forward=any(e is None for e in ends),
                    sources=("http://www.atopdata.org/",),
                    spans=tuple(spans),
                )
            )
    return out


class TreatyBook:
    """All known obligations; query by pair and date."""

    def __init__(self, obligations: Iterable[Obligation], dyad_years: pd.DataFrame | None = None) -> None:
        self.obligations: tuple[Obligation, ...] = tuple(obligations)
        self.dyad_years = dyad_years

    @classmethod
    def load(
        cls, data: str | Path | None = None, curated: str | Path | None = None, *, atop: bool = True
    ) -> TreatyBook:
        """ATOP from the data folder (skipped with ``atop=False``) plus the curated records."""
        cur = load_curated_treaties(curated)
        if not atop:
            return cls(cur)
        d = data_dir(data)
        mpath = d / ATOP_MEMBER_FILE
        if not mpath.exists():
            raise SourceError("ATOP member-level file not found", path=str(mpath))
        members = pd.read_csv(mpath)
        dyads_path = d / ATOP_DYAD_FILE
        dyads = pd.read_csv(dyads_path) if dyads_path.exists() else None
        atop_obs = _atop_obligations(members)
        # a curated record with the same ATOP id replaces the ATOP rows for that treaty (it carries the text)
        import yaml

        cpath = Path(curated) if curated is not None else PACKAGE_DATA / "treaties.yaml"
        recs = yaml.safe_load(cpath.read_text(encoding="utf-8")) or []
        replaced = {f"atop-{r['atop_id']}" for r in recs if r.get("atop_id")}
        atop_obs = [o for o in atop_obs if o.treaty_id not in replaced]
        return cls([*cur, *atop_obs], dyads)

    def between(self, a: str | int, b: str | int, on: dt.date) -> list[Obligation]:
        """Obligations binding both ``a`` and ``b`` in force on ``on`` (military ones first)."""
        ca, cb = to_cow(a), to_cow(b)
        obs = [o for o in self.obligations if o.binds(ca, cb) and o.in_force(on, ca, cb)]
        return sorted(obs, key=lambda o: (not o.military, o.treaty_id, o.kind))

    def of(self, a: str | int, on: dt.date, *, military: bool = False) -> list[Obligation]:
        ca = to_cow(a)
        return [
            o for o in self.obligations if o.binds(ca) and o.in_force(on, ca) and (o.military or not military)
        ]

    def atop_dyad(self, a: str | int, b: str | int) -> pd.DataFrame:
        """ATOP v5.1 directed dyad-years for a -> b (empty when not loaded)."""
        if self.dyad_years is None:
            return pd.DataFrame()
        ca, cb = to_cow(a), to_cow(b)
        df = self.dyad_years
        return df[(df["ccode1"] == ca) & (df["ccode2"] == cb)].reset_index(drop=True)
