"""Helpers the readers share: ontology look-ups (cached), actor names -> CAMEO actor codes, relation labels ->
CAMEO codes, and batching of events and rejects.

The ontology (``redline.ontology``) is imported lazily, on first use.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from redline.records import Event, Reject
from redline.sources.base import Batch

__all__ = [
    "CodeInfo",
    "code_info",
    "valid_codes",
    "plover_pairs",
    "country_code",
    "fips_to_cameo",
    "role_for",
    "actor_for",
    "relation_to_cameo",
    "normalise_label",
    "Batcher",
    "decode",
]


# --- CAMEO event codes ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str
    quad_class: int
    goldstein: float
    plover: str
    mode: str


@cache
def _code_table() -> dict[str, CodeInfo]:
    from redline.ontology import cameo, plover

    out: dict[str, CodeInfo] = {}
    for c in cameo.all_codes():
        code = c if isinstance(c, str) else c.code
        try:
            pm = plover.from_cameo(code)
        except Exception:  # noqa: BLE001 - a code without a PLOVER entry keeps empty plover/mode
            pm = None
        ptype, mode = (pm[0] or "", pm[1] or "") if pm else ("", "")
        out[code] = CodeInfo(code, int(cameo.quad_class(code)), float(cameo.goldstein(code)), ptype, mode)
    return out


def code_info(code: str) -> CodeInfo | None:
    """Quad class, Goldstein weight and PLOVER (type, mode) of a valid CAMEO code; None when unknown."""
    return _code_table().get(code)


def valid_codes() -> tuple[str, ...]:
    """Every valid CAMEO event code, as strings, in codebook order."""
    return tuple(_code_table())


def plover_pairs() -> dict[str, tuple[str, str]]:
    """CAMEO code -> (PLOVER type, mode) for every code that has a PLOVER type."""
    return {c: (i.plover, i.mode) for c, i in _code_table().items() if i.plover}


# --- countries ------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


@cache
def country_code(name: str) -> str:
    """CAMEO 3-letter code for a country name or alias ("North Korea" -> "PRK"); "" when unknown.

    Names only: dataset entity names such as "BP" (the company) or "IS" must not resolve through FIPS or ISO2
    country codes, so codes are never matched here.
    """
    name = name.strip()
    if not name:
        return ""
    from redline.ontology import countries

    for candidate in (name, name.replace("_", " "), _title_case(name)):
        try:
            hit = countries.by_name(candidate)
        except Exception:  # noqa: BLE001 - an unknown or malformed name is just unresolved
            hit = None
        if hit is not None and hit.cameo:
            return str(hit.cameo)
    return _extra_countries().get(_fold(name), "")


def _title_case(name: str) -> str:
    words = name.replace("_", " ").split()
    return " ".join(w[:1].upper() + w[1:].lower() if w.isupper() else w for w in words)


@cache
def _extra_countries() -> dict[str, str]:
    """Spellings that event datasets use and a country table may not hold, folded -> CAMEO code."""
    from redline.ontology import countries

    wanted = {
        "occupied palestinian territory": "PSE",
        "palestinian territory": "PSE",
        "palestinian territory occupied": "PSE",
        "congo democratic republic of": "COD",
        "democratic republic of congo": "COD",
        "congo kinshasa": "COD",
        "congo brazzaville": "COG",
        "republic of congo": "COG",
        "russian federation": "RUS",
        "korea north": "PRK",
        "korea south": "KOR",
        "korea republic of": "KOR",
        "korea democratic people s republic of": "PRK",
        "iran islamic republic of": "IRN",
        "syrian arab republic": "SYR",
        "lao people s democratic republic": "LAO",
        "viet nam": "VNM",
        "bolivia plurinational state of": "BOL",
        "venezuela bolivarian republic of": "VEN",
        "tanzania united republic of": "TZA",
        "moldova republic of": "MDA",
        "macedonia": "MKD",
        "swaziland": "SWZ",
        "burma": "MMR",
        "cote d ivoire": "CIV",
        "ivory coast": "CIV",
        "east timor": "TMP",
        "timor leste": "TMP",
        "vatican city": "VAT",
        "holy see": "VAT",
        "united states of america": "USA",
        "united kingdom of great britain and northern ireland": "GBR",
    }
    out: dict[str, str] = {}
    for key, code in wanted.items():
        try:
            hit = countries.lookup(code)  # the table's own code for it (former codes such as TMP resolve)
        except Exception:  # noqa: BLE001 - a code the table does not know is left out
            hit = None
        if hit is not None and hit.cameo:
            out[key] = str(hit.cameo)
    return out


@cache
def fips_to_cameo() -> dict[str, str]:
    """FIPS 10-4 country code (GDELT geography) -> CAMEO country code, for every country that has both."""
    from redline.ontology import countries

    out: dict[str, str] = {}
    for c in countries.all():
        fips = getattr(c, "fips", "") or ""
        code = getattr(c, "cameo", "") or ""
        if fips and code:
            out.setdefault(str(fips), str(code))
    return out


# --- actor names -> CAMEO actor codes -------------------------------------------------------------

#: Ordered (keyword pattern, CAMEO role/sector code): the first pattern found in a sector or agent name wins.
#: Written for ICEWS sector names and ICEWS/TKG agent names ("Police (Australia)", "Citizen (China)").
_ROLE_RULES: tuple[tuple[str, str], ...] = (
    (r"\bpolice\b|law enforcement|\bgendarm", "COP"),
    (r"intelligence|secret agent|\bspy\b|\bspies\b", "SPY"),
    (r"separatist", "SEP"),
    (r"insurgen", "INS"),
    (r"\brebel|guerrill|militant|combatant", "REB"),
    (r"militia|armed gang|armed band|paramilitar", "UAF"),
    (r"\bterroris|extremis|radical", "RAD"),
    (r"defen[cs]e\s*/\s*security ministry|defen[cs]e ministry|ministry of defen", "MIL"),
    (r"militar|\barmy\b|\bnav(y|al)\b|air force|armed forces|soldier|troops|marines|reserve personnel|"
     r"admiral|commando|peacekeep|fighter|general staff|veteran", "MIL"),
    (r"opposition|dissident", "OPP"),
    (r"\bcourt|judge|judiciary|judicial|prosecutor|attorney|lawyer|justice", "JUD"),
    (r"legislat|parliament|lawmaker|senate|congress|assembl|\bmp\b|representatives|house speaker", "LEG"),
    (r"ruling (party|coalition)", "GOV"),
    (r"part(y|ies)\b", "PTY"),
    (r"government|ministry|minister|cabinet|head of (government|state)|president|governor|mayor|"
     r"official|authorit|royal|monarch|king\b|envoy|diplomat|ambassador|embassy|foreign affairs|"
     r"domestic affairs|secretariat|election commission|treasury|department|executive|chief of staff|"
     r"director general|consulate|bureaucra|state media|ombudsman|civil servant|security advis|secretary|"
     r"high commission|regulator|inspector general|fire brigade|council", "GOV"),
    (r"media|newspaper|journalist|\bnews|reporter|televis|radio|editor|magazine|broadcast|blogger", "MED"),
    (r"educat|student|professor|teacher|school|universit|academ", "EDU"),
    (r"medical|health|hospital|doctor|physician|nurse", "HLH"),
    (r"refugee|asylum|immigrant|migrant|displaced", "REF"),
    (r"human rights|rights activist|rights group", "HRI"),
    (r"non.?governmental|\bngo\b|civic group|charit", "NGO"),
    (r"farm|agricultur|fisher|peasant", "AGR"),
    (r"labou?r|union|worker|employee|strik", "LAB"),
    (r"business|compan(y|ies)|corporat|bank|industr|employer|trade|merchant|firm\b|investor|entrepreneur|"
     r"airline|transport|shipping", "BUS"),
    (r"criminal|crime|thief|thieves|murder|attacker|gang|smuggl|traffick|drug|pirat|kidnapp|assailant|"
     r"gunm[ae]n|detainee|prisoner|inmate|hacker", "CRM"),
    (r"\bshi(a|ite)", "SHI"),
    (r"\bsunni", "SUN"),
    (r"muslim|islamic|\bimam|mosque", "MUS"),
    (r"catholic|\bpope|bishop", "CTH"),
    (r"christian|\bchurch|priest|protestant|evangelical", "CHR"),
    (r"jewish|\bjews?\b|rabbi", "JEW"),
    (r"buddhis|monk|monaster", "BUD"),
    (r"hindu", "HIN"),
    (r"relig|cleric|preacher|clergy", "REL"),
    (r"environment", "ENV"),
    (r"elite|former|celebrit|\bexpert|scientist|economist|engineer|scholar|intellectual", "ELI"),
    (r"activist|protest|demonstrat|citizen|civilian|population|people|\bmen\b|women|children|villager|"
     r"tourist|indigenous|resident|youth|voter|victim|communit|famil|public|social|\bmob\b|rioter|"
     r"ethnic group|the poor", "CVL"),
)


@cache
def _role_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p), code) for p, code in _ROLE_RULES)


@cache
def role_for(text: str) -> str:
    """The CAMEO role/sector code a sector or agent name points to ("Military Personnel" -> "MIL"), or ""."""
    t = text.replace("_", " ").casefold()
    for pattern, code in _role_patterns():
        if pattern.search(t):
            return code
    return ""


_PAREN = re.compile(r"^(?P<head>.*?)\s*\((?P<country>[^()]*)\)\s*$")


@cache
def actor_for(name: str, country: str = "", sectors: str = "") -> tuple[str, str]:
    """``(actor_code, country_code)`` for an actor name as event datasets write it.

    "North Korea" -> ("PRK", "PRK"); "Government (North Korea)" -> ("PRKGOV", "PRK"); "Citizen (China)" ->
    ("CHNCVL", "CHN"); a person with a country part, "Xi Jinping (China)", -> ("CHN", "CHN"); a bare
    person name -> ("", ""). ``country`` (a name or code given in another column) and ``sectors``
    (comma-separated sector names, ICEWS style) refine the result. International organisations resolve
    through the ontology's sectors.
    """
    raw = name.replace("_", " ").strip()
    if not raw:
        return "", country_code(country) if country else ""
    head, paren = raw, ""
    m = _PAREN.match(raw)
    if m:
        head, paren = m.group("head").strip(), m.group("country").strip()
    # The whole name is a country: the actor is the country itself.
    whole = country_code(raw)
    if whole:
        return whole, whole
    ctry = country_code(paren) if paren else ""
    if not ctry and country:
        ctry = country_code(country)
    if not ctry and paren and (region := _region(paren)):
        return region + (role_for(head) if head else ""), ""
    org = _organisation(head)
    if org and not ctry:
        return org, ""
    if ctry:
        if head and country_code(head) == ctry:
            return ctry, ctry
        role = role_for(head) if head else ""
        if not role and sectors:
            for sector in sectors.split(","):
                role = role_for(sector)
                if role:
                    break
        return ctry + role, ctry
    return "", ""


@cache
def _regions() -> dict[str, str]:
    try:
        from redline.ontology import sectors

        return {_fold(s.label): s.code for s in sectors.by_kind("region")}
    except Exception:  # noqa: BLE001 - no region table: regions stay unresolved
        return {}


def _region(name: str) -> str:
    """CAMEO region code for a region name ("Middle East" -> "MEA"), or ""."""
    return _regions().get(_fold(name), "")


def _organisation(name: str) -> str:
    if not name:
        return ""
    try:
        from redline.ontology import sectors
    except ImportError:
        return ""
    try:
        hit = sectors.organisation(name)
    except Exception:  # noqa: BLE001
        return ""
    return str(hit.code) if hit is not None else ""


# --- relation labels -> CAMEO codes ---------------------------------------------------------------


def normalise_label(text: str) -> str:
    """Lower-case words of a CAMEO-style label without "not specified below", punctuation or underscores."""
    t = _fold(text.replace("_", " "))
    t = re.sub(r"\bnot spec(ified)? below\b", " ", t)
    t = re.sub(r"\bsuch as\b", " ", t)
    return " ".join(t.split())


#: ICEWS verb names whose wording differs from the CAMEO codebook label, -> the CAMEO 1.1b3 code they denote.
_RELATION_ALIASES: dict[str, str] = {
    "make an appeal or request": "020",
    "appeal for easing of political dissent": "0252",
    "appeal to engage in or accept mediation": "028",
    "conduct suicide car or other non military bombing": "183",
    "demand diplomatic cooperation policy support": "102",
    "demand material aid": "103",
    "demand material cooperation": "101",
    "demand settling of dispute": "107",
    "demand that target yields": "105",
    "demand meeting negotiation": "106",
    "demand mediation": "108",
    "express intent to allow international involvement non mediation": "0355",
    "express intent to engage in diplomatic cooperation policy support": "032",
    "express intent to provide material aid": "033",
    "meet at a third location": "044",
    "reduce or stop material aid": "162",
    "reject judicial cooperation": "121",
    "threaten with military force": "138",
    "threaten with political dissent protest": "133",
    "threaten with repression": "137",
    "threaten with restrictions on political freedoms": "1321",
    "threaten with sanctions boycott embargo": "1312",
    "use chemical biological or radiological weapons": "2041",
}


@cache
def _label_index() -> dict[str, str]:
    from redline.ontology import cameo

    out: dict[str, str] = {}
    for c in cameo.all_codes():
        key = normalise_label(c.label)
        # Roots are upper-case headings ("APPEAL"); a sub-code with the same words wins over the root.
        if key not in out or (len(out[key]) == 2 and len(c.code) > 2):
            out[key] = c.code
    return out


@cache
def relation_to_cameo(name: str) -> tuple[str, str]:
    """``(cameo_code, how)`` for a relation name such as "Make_an_appeal_or_request".

    ``how`` is "label" (same words as the codebook label), "alias" (a known ICEWS wording), "fuzzy" (a close
    spelling) or "" when nothing matched (then the code is "").
    """
    key = normalise_label(name)
    if not key:
        return "", ""
    from redline.ontology import cameo

    found = cameo.find(name.replace("_", " ")) if hasattr(cameo, "find") else None
    if found is not None:
        return found.code, "label"
    index = _label_index()
    valid = set(_code_table())
    alias = _RELATION_ALIASES.get(key)
    if alias and alias in valid:
        return alias, "alias"
    if key in index:
        return index[key], "label"
    import difflib

    best, score = "", 0.0
    for label, code in index.items():
        r = difflib.SequenceMatcher(None, key, label, autojunk=False).ratio()
        if r > score:
            best, score = code, r
    if score >= 0.9:
        return best, "fuzzy"
    return "", ""


# --- batching -------------------------------------------------------------------------------------


@dataclass
class Batcher:
    """Collects events and rejects for one origin and hands out numbered :class:`Batch` objects."""

    origin: str
    batch_size: int
    events: list[Event] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    index: int = 0

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError("batch_size must be >= 1")

    def add(self, item: Event | Reject) -> Batch | None:
        (self.events if isinstance(item, Event) else self.rejects).append(item)  # type: ignore[arg-type]
        if len(self.events) + len(self.rejects) >= self.batch_size:
            return self.flush()
        return None

    def flush(self) -> Batch:
        batch = Batch(self.origin, self.index, tuple(self.events), tuple(self.rejects))
        self.events, self.rejects = [], []
        self.index += 1
        return batch

    def drain(self, items: Iterator[Event | Reject]) -> Iterator[Batch]:
        """Batches for ``items``, the last one partial; no batch at all when there are no items."""
        for item in items:
            b = self.add(item)
            if b is not None:
                yield b
        if self.events or self.rejects:
            yield self.flush()


def decode(raw: bytes) -> str | None:
    """UTF-8 text of a raw line (a leading BOM dropped); None when it is not valid UTF-8 or holds NULs."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return text.removeprefix("\ufeff")


def as_float(value: Any) -> float | None:
    """A finite float, or None for empty; ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int | float):
        f = float(value)
    else:
        s = str(value).strip()
        if not s:
            return None
        f = float(s)
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError(f"not a finite number: {value!r}")
    return f
