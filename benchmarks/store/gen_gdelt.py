"""Generate a GDELT 2.0-shaped event file (61 tab-separated columns) with a share of malformed rows.

Malformed rows are of the kinds real files show: truncated lines, extra columns, a non-numeric number, an
impossible date, an unknown CAMEO code. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import random

COUNTRIES = ["USA", "CHN", "RUS", "PRK", "KOR", "JPN", "UKR", "IRN", "GBR", "FRA", "DEU", "IND", "ISR", "TUR"]
SECTORS = ["", "GOV", "MIL", "BUS", "MED", "CVL"]
CODES = ["010", "0211", "036", "040", "042", "043", "051", "057", "061", "071", "0831", "090", "111", "112",
         "120", "130", "138", "141", "163", "173", "180", "190", "193", "195", "1041", "020", "046", "1125"]
GOLD = {"010": 0.0, "0211": 3.4, "036": 4.0, "040": 1.0, "042": 1.9, "043": 2.8, "051": 3.4, "057": 8.0,
        "061": 6.4, "071": 7.4, "0831": 5.0, "090": -2.0, "111": -2.0, "112": -2.0, "120": -4.0, "130": -4.4,
        "138": -7.0, "141": -6.5, "163": -8.0, "173": -5.0, "180": -9.0, "190": -10.0, "193": -10.0,
        "195": -10.0, "1041": 2.0, "020": 3.0, "046": 7.0, "1125": -2.0}
FIPS = {"USA": "US", "CHN": "CH", "RUS": "RS", "PRK": "KN", "KOR": "KS", "JPN": "JA", "UKR": "UP", "IRN": "IR",
        "GBR": "UK", "FRA": "FR", "DEU": "GM", "IND": "IN", "ISR": "IS", "TUR": "TU"}


def quad(code: str) -> int:
    r = int(code[:2])
    return 1 if r <= 5 else 2 if r <= 8 else 3 if r <= 13 else 4


def row(i: int, rng: random.Random) -> list[str]:
    a, b = rng.sample(COUNTRIES, 2)
    sa, sb = rng.choice(SECTORS), rng.choice(SECTORS)
    code = rng.choice(CODES)
    year = rng.randint(2015, 2024)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    date = f"{year}{month:02d}{day:02d}"
    geo = rng.choice(COUNTRIES)
    cols = [
        str(100000000 + i), date, date[:6], date[:4], f"{year + (month - 1) / 12:.4f}",
        a + sa, f"{a} {sa}".strip(), a, "", "", "", "", sa, "", "",
        b + sb, f"{b} {sb}".strip(), b, "", "", "", "", sb, "", "",
        "1", code, code[:3], code[:2], str(quad(code)), str(GOLD[code]), str(rng.randint(1, 20)),
        str(rng.randint(1, 5)), str(rng.randint(1, 20)), f"{rng.uniform(-10, 5):.6f}",
        "1", a, FIPS[a], FIPS[a], "", "0", "0", "",
        "1", b, FIPS[b], FIPS[b], "", "0", "0", "",
        "4", f"Somewhere, {geo}", FIPS[geo], FIPS[geo] + "00", "", f"{rng.uniform(-60, 60):.4f}",
        f"{rng.uniform(-180, 180):.4f}", str(rng.randint(1, 99999)),
        f"{date}000000", f"https://example.org/news/{i}",
    ]
    assert len(cols) == 61, len(cols)
    return cols


def malformed(i: int, rng: random.Random) -> str:
    cols = row(i, rng)
    kind = i % 5
    if kind == 0:
        return "\t".join(cols[: rng.randint(5, 50)])  # truncated
    if kind == 1:
        return "\t".join(cols + ["extra"])  # too many columns
    if kind == 2:
        cols[30] = "not-a-number"  # GoldsteinScale
        return "\t".join(cols)
    if kind == 3:
        cols[1] = "20231345"  # impossible date
        return "\t".join(cols)
    cols[26] = "999"  # unknown CAMEO code
    return "\t".join(cols)


def generate(path: str, rows: int, bad_share: float = 0.01, seed: int = 7) -> int:
    """Write ``rows`` lines; return how many are malformed."""
    rng = random.Random(seed)
    bad = 0
    with open(path, "w", encoding="utf-8") as f:
        for i in range(rows):
            if rng.random() < bad_share:
                f.write(malformed(i, rng) + "\n")
                bad += 1
            else:
                f.write("\t".join(row(i, rng)) + "\n")
    return bad


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--bad", type=float, default=0.01)
    a = ap.parse_args()
    print(generate(a.path, a.rows, a.bad))
