"""Read redline's own ontology tables (UTF-8 TSV with a header row) from the package data folder."""

from __future__ import annotations

from redline.errors import OntologyError

__all__ = ["read_table", "split_list"]


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of ``redline/ontology/data/<name>`` as dicts keyed by the header, values stripped."""
    from importlib import resources  # here, not at import time: importing redline.ontology stays cheap

    try:
        text = resources.files("redline.ontology").joinpath("data", name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:  # a broken install, not a user error we can fix here
        raise OntologyError(f"ontology table {name} is missing from the installed package") from exc
    lines = text.splitlines()
    if not lines:
        raise OntologyError(f"ontology table {name} is empty")
    header = lines[0].split("\t")
    rows: list[dict[str, str]] = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise OntologyError(f"{name}:{n}: expected {len(header)} columns, found {len(cells)}")
        rows.append({h: c.strip() for h, c in zip(header, cells, strict=True)})
    return rows


def split_list(cell: str, sep: str = ";") -> tuple[str, ...]:
    """A multi-valued cell as a tuple, empty parts dropped."""
    return tuple(p.strip() for p in cell.split(sep) if p.strip())
