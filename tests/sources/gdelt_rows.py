"""Build GDELT-shaped rows for tests (values by column type, overridable by column name)."""

from __future__ import annotations

from redline.sources import gdelt


def row(columns: tuple[tuple[str, str], ...], i: int, **values: str) -> str:
    defaults = {
        "GLOBALEVENTID": str(1000 + i),
        "SQLDATE": "20241101",
        "MonthYear": "202411",
        "Year": "2024",
        "FractionDate": "2024.8329",
        "Actor1Code": "PRKGOV",
        "Actor1CountryCode": "PRK",
        "Actor2Code": "RUS",
        "Actor2CountryCode": "RUS",
        "IsRootEvent": "1",
        "EventCode": "042",
        "EventBaseCode": "042",
        "EventRootCode": "04",
        "QuadClass": "1",
        "GoldsteinScale": "1.9",
        "ActionGeo_FullName": "Pyongyang, Korea, North",
        "ActionGeo_CountryCode": "KN",
        "ActionGeo_Lat": "39.02",
        "ActionGeo_Long": "125.75",
        "DATEADDED": "20241101120000",
        "SOURCEURL": f"https://example.org/{i}",
    }
    cells = []
    for name, typ in columns:
        if name in values:
            cells.append(values[name])
        elif name in defaults:
            cells.append(defaults[name])
        elif typ in ("INTEGER", "BIGINT", "DOUBLE"):
            cells.append("0")
        else:
            cells.append("")
    return "\t".join(cells)


def v2_file(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode()


V2 = gdelt.columns_v2()
