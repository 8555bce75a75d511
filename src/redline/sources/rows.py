"""The shared shape of row readers over files: fetch the location's local files, read each one's rows (events or
rejects) and cut them into batches. A format implements ``_rows`` only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from redline.records import Event, Reject
from redline.sources._common import Batcher
from redline.sources.base import Batch, DelimitedSpec
from redline.sources.fetch import FetchOptions, local_files

__all__ = ["FileRowReader"]


class FileRowReader:
    """Base of the file-based row readers (path or URL; plain, gzipped or zipped)."""

    name = ""
    description = ""

    def __init__(self, *, options: FetchOptions | None = None, cache: Path | None = None) -> None:
        self.options = options or FetchOptions.from_env()
        self.cache = cache

    def delimited(self, location: str) -> list[DelimitedSpec]:
        raise NotImplementedError(f"{self.name} is a row reader: use batches()")

    def batches(self, location: str, *, batch_size: int = 50_000) -> Iterator[Batch]:
        paths = local_files(location, options=self.options, cache=self.cache)
        for path in paths:
            origin = location if len(paths) == 1 else f"{location}!{path.name}"
            yield from Batcher(origin, batch_size).drain(self._rows(path, origin))

    def _rows(self, path: Path, origin: str) -> Iterator[Event | Reject]:
        raise NotImplementedError
