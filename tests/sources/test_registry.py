"""The source registry: names, lazy import, unknown names."""

from __future__ import annotations

import subprocess
import sys

import pytest

from redline.errors import SourceError
from redline.sources import Reader, registry

EXPECTED = {"gdelt.v1", "gdelt.v2", "icews", "tkg", "jsonl", "csv", "text"}


def test_registered_names() -> None:
    listed = registry.names()
    assert {n for n, _ in listed} == EXPECTED
    assert [n for n, _ in listed] == sorted(n for n, _ in listed)
    assert all(desc for _, desc in listed)


@pytest.mark.parametrize("name", sorted(EXPECTED - {"text"}))
def test_each_reader_keeps_the_contract(name: str) -> None:
    reader = registry.get(name)
    assert isinstance(reader, Reader)
    assert reader.name == name
    with pytest.raises(NotImplementedError):
        if name.startswith("gdelt"):
            next(iter(reader.batches("x")))
        else:
            reader.delimited("x")


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(SourceError, match="unknown source 'gdelt3'.*gdelt.v2.*tkg"):
        registry.get("gdelt3")


def test_listing_imports_no_reader_module() -> None:
    code = ("import sys; from redline.sources import registry; registry.names(); "
            "print(sorted(m for m in sys.modules if m.startswith('redline.sources.') or m == 'duckdb'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['redline.sources.base', 'redline.sources.registry']"
