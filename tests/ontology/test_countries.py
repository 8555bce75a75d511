"""Country codes and names: the API, and agreement with the COW-coded trade/ATOP files and PETRARCH's CAMEO
country dictionary in ../shared/data."""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter
from pathlib import Path

import pytest

from redline.ontology import countries

# Deliberate exceptions: COW codes used by the shared trade/ATOP files for states that no longer exist.
HISTORICAL_COW = {
    240: "Hanover", 245: "Bavaria", 260: "German Federal Republic (to 1990; now 255)",
    265: "German Democratic Republic", 267: "Baden", 269: "Saxony", 271: "Wuerttemberg",
    273: "Hesse Electoral", 275: "Hesse Grand Ducal", 280: "Mecklenburg-Schwerin", 300: "Austria-Hungary",
    315: "Czechoslovakia", 329: "Two Sicilies", 332: "Modena", 335: "Parma", 337: "Tuscany",
    678: "Yemen Arab Republic", 680: "Yemen People's Republic", 730: "Korea (to 1905)",
    817: "Republic of Vietnam", 8152: "Annam (ATOP's own code, 1874-1883)",
}  # fmt: skip

# PETRARCH country-dictionary codes that are not countries in redline's table: dependencies, defunct or
# fictional entries (KNT is the fictional test country of the PETRARCH validation suite).
PETRARCH_NOT_COUNTRIES = {"AIA", "ABW", "BMU", "CYM", "COK", "GGY", "DDR", "SUN", "KNT"}
# redline countries that the PETRARCH dictionary does not list.
NOT_IN_PETRARCH = {"VAT", "ESH"}


@pytest.mark.parametrize(
    ("query", "cameo"),
    [
        ("DPRK", "PRK"), ("North Korea", "PRK"), ("north korean", "PRK"),
        ("Democratic People's Republic of Korea", "PRK"), ("D.P.R.K.", "PRK"),
        ("South Korea", "KOR"), ("ROK", "KOR"), ("Republic of Korea", "KOR"),
        ("Russian Federation", "RUS"), ("russia", "RUS"), ("Russian", "RUS"),
        ("U.S.", "USA"), ("United States", "USA"), ("America", "USA"), ("American", "USA"), ("US", "USA"),
        ("UK", "GBR"), ("Britain", "GBR"), ("British", "GBR"), ("U.K.", "GBR"),
        ("Côte d’Ivoire", "CIV"), ("Ivory Coast", "CIV"), ("the Gambia", "GMB"), ("Burma", "MMR"),
        ("Chinese", "CHN"), ("PRC", "CHN"), ("Taiwan", "TWN"), ("Kosovo", "KSV"), ("Palestinian", "PSE"),
        ("Western Sahara", "ESH"), ("Hong Kong", "HKG"), ("Turkiye", "TUR"), ("Holland", "NLD"),
        ("NORTH KOREA", "PRK"), ("  north   korea ", "PRK"),
    ],
)  # fmt: skip
def test_names_aliases_demonyms(query: str, cameo: str) -> None:
    c = countries.lookup(query)
    assert c is not None, query
    assert c.cameo == cameo
    assert countries.cameo_for(query) == cameo


@pytest.mark.parametrize(
    ("query", "name"),
    [
        (2, "United States"), ("2", "United States"), (365, "Russia"), (369, "Ukraine"), (710, "China"),
        (731, "North Korea"), (732, "South Korea"), (713, "Taiwan"), (347, "Kosovo"),
        ("PRK", "North Korea"), ("KOR", "South Korea"), ("ROU", "Romania"), ("ROM", "Romania"),
        ("KSV", "Kosovo"), ("XKX", "Kosovo"), ("TMP", "Timor-Leste"), ("TLS", "Timor-Leste"),
        ("ZAR", "Democratic Republic of the Congo"), ("KP", "North Korea"), ("GB", "United Kingdom"),
        ("AU", "Australia"),  # two letters: ISO2 before FIPS
        ("UP", "Ukraine"),  # FIPS only
    ],
)  # fmt: skip
def test_codes(query: str | int, name: str) -> None:
    c = countries.lookup(query)
    assert c is not None and c.name == name


@pytest.mark.parametrize(
    "query", ["us", "in", "can", "and", "per", "", "   ", "Atlantis", "Korea", 0, 9999, True]
)
def test_no_false_matches(query: str | int) -> None:
    assert countries.lookup(query) is None
    assert countries.cameo_for(query) is None


def test_explicit_code_functions() -> None:
    assert countries.by_fips("AU").name == "Austria"  # type: ignore[union-attr]
    assert countries.by_fips("KN").name == "North Korea"  # type: ignore[union-attr]
    assert countries.by_fips("KS").name == "South Korea"  # type: ignore[union-attr]
    assert countries.by_fips("RS").name == "Russia"  # type: ignore[union-attr]
    assert countries.by_iso2("ks") is None
    assert countries.by_iso3("prk").cameo == "PRK"  # type: ignore[union-attr]
    assert countries.by_cameo("rom").iso3 == "ROU"  # type: ignore[union-attr]
    assert countries.by_cow("x") is None and countries.by_cow(260) is None
    assert countries.by_name("PRK") is None  # by_name never reads codes
    nk = countries.by_cow(731)
    assert nk is not None and nk.capital == "Pyongyang" and "North Korean" in nk.demonyms


def test_coverage_and_uniqueness() -> None:
    rows = countries.all()
    status = Counter(c.status for c in rows)
    assert status["un"] == 193 and status["observer"] == 2
    for field in ("name", "cameo", "iso3", "iso2", "fips"):
        values = [getattr(c, field) for c in rows]
        assert all(values), field
        dupes = [v for v, n in Counter(values).items() if n > 1]
        assert not dupes, (field, dupes)
    cows = [c.cow for c in rows if c.cow is not None]
    assert len(cows) == len(set(cows))
    assert {c.name for c in rows if c.cow is None} == {"Holy See", "Palestine", "Western Sahara", "Hong Kong"}
    for c in rows:
        assert re.fullmatch(r"[A-Z]{3}", c.cameo) and re.fullmatch(r"[A-Z]{3}", c.iso3)
        assert re.fullmatch(r"[A-Z]{2}", c.iso2) and re.fullmatch(r"[A-Z]{2}", c.fips)
        assert c.capital and c.demonyms
        assert countries.lookup(c.name) is c
        assert countries.by_cameo(c.cameo) is c and countries.by_iso3(c.iso3) is c


def test_no_name_resolves_to_two_countries() -> None:
    seen: dict[str, str] = {}
    for c in countries.all():
        for n in {c.name, *c.aliases, *c.demonyms}:
            key = countries.normalize_name(n)
            assert seen.setdefault(key, c.name) == c.name, (n, seen[key], c.name)
            assert countries.lookup(n) is c, n


# ---- agreement with the shared data


def _cow_codes(shared: Path) -> dict[int, int]:
    """COW code -> last year seen, over the trade and ATOP files."""
    last: dict[int, int] = {}
    for rel in ("trade/cow_trade_dyadic_v4.csv.gz", "alliances/atop5_1_directed_dyad_year.csv.gz"):
        with gzip.open(shared / rel, "rt", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                y = int(row["year"])
                for col in ("ccode1", "ccode2"):
                    k = int(row[col])
                    if last.get(k, 0) < y:
                        last[k] = y
    with (shared / "alliances" / "atop4_01_member_level.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["member"].strip():  # the member state's COW code
                last.setdefault(int(float(row["member"])), 0)
    return last


def test_cow_codes_in_trade_and_atop_map_to_countries(shared_data: Path) -> None:
    last = _cow_codes(shared_data)
    assert {2, 365, 369, 710, 731, 732} <= set(last)
    unknown = {k for k in last if countries.by_cow(k) is None}
    assert unknown <= set(HISTORICAL_COW), sorted(unknown - set(HISTORICAL_COW))
    # the exceptions really are historical: none is seen after 1993, and none is in redline's table
    assert all(last[k] <= 1993 for k in HISTORICAL_COW if k in last)
    # every state still present in the data's last years is covered
    modern = {k for k, y in last.items() if y >= 2014}
    assert modern and all(countries.by_cow(k) is not None for k in modern)


def _petrarch_country_codes(path: Path) -> dict[str, set[str]]:
    """Entry name -> its current 3-letter codes (open-ended date ranges) in a PETRARCH .actors file."""
    out: dict[str, set[str]] = {}
    name: str | None = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip() or line.startswith(("#", "+")):
            continue
        if not line[0].isspace():
            name = line.split("[", 1)[0].split("#", 1)[0].strip().strip("_").replace("_", " ")
        if name is None:
            continue
        for code, dates in re.findall(r"\[([A-Z]+)\s*([^\]]*)\]", line):
            if len(code) == 3 and (not dates.strip() or dates.strip().startswith(">")):
                out.setdefault(name, set()).add(code)
    return out


def test_cameo_codes_agree_with_petrarch(shared_data: Path) -> None:
    entries = _petrarch_country_codes(
        shared_data / "dictionaries" / "petrarch2" / "Phoenix.Countries.actors.txt"
    )
    codes = set().union(*entries.values())
    ours = {c.cameo for c in countries.all()}
    assert ours - codes == NOT_IN_PETRARCH
    assert codes - ours == PETRARCH_NOT_COUNTRIES
    checked = 0
    for name, current in entries.items():
        c = countries.by_name(name)
        if c is not None:
            checked += 1
            assert c.cameo in current, (name, current, c.cameo)
    assert checked >= 180


def test_icews_country_names_resolve(shared_data: Path) -> None:
    """ICEWS entity names carry the country in parentheses: "Government (North Korea)", "Citizen (China)"."""
    inner: set[str] = set()
    text = (shared_data / "tkg" / "ICEWS14" / "entity2id.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        name = line.rsplit("\t", 1)[0].replace("_", " ").strip()
        if not name.endswith(")"):
            continue
        depth = 0
        for i in range(
            len(name) - 1, -1, -1
        ):  # the outermost trailing group: "X (Holy See (Vatican City State))"
            depth += {")": 1, "(": -1}.get(name[i], 0)
            if depth == 0:
                inner.add(name[i + 1 : -1].strip())
                break
    resolved = {n: countries.cameo_for(n) for n in inner}
    expected = [
        ("North Korea", "PRK"), ("South Korea", "KOR"), ("China", "CHN"), ("Russia", "RUS"),
        ("Palestinian Territory, Occupied", "PSE"), ("Holy See (Vatican City State)", "VAT"),
    ]  # fmt: skip
    for name, code in expected:
        assert resolved.get(name) == code, name
    assert sum(1 for v in resolved.values() if v) >= 170
    # every country resolved from ICEWS is a distinct country (no two spellings collapse wrongly)
    assert all(countries.lookup(n) is countries.by_cameo(c) for n, c in resolved.items() if c)


def test_surface_forms() -> None:
    forms = countries.surface_forms()
    assert ("DPRK", countries.by_cameo("PRK"), True) in forms
    assert ("North Korean", countries.by_cameo("PRK"), False) in forms
    for text, country, _cs in forms:
        assert countries.lookup(text) is country
