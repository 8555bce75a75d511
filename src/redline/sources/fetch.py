"""Turn a location (local path or http(s) URL, plain, gzipped or zipped) into local readable files.

* Local paths are used where they are; ``.gz`` files stay compressed (DuckDB and :func:`iter_lines` read
  them).
* ``.zip`` archives are extracted, streaming, into the cache (``<cache>/unzipped/``), once per archive
  version.
* ``http(s)`` URLs are downloaded with :mod:`urllib` into ``<cache>/downloads/``: written to a temporary
  file and renamed into place (a crash never leaves a half file under the final name), retried with
  exponential backoff on network errors, timeouts, truncated bodies, 429 and 5xx answers; a 404 (or any
  other 4xx) fails at once. An MD5 given by the caller is checked after the download (a mismatch is retried,
  then fails).

The cache directory is ``$REDLINE_CACHE`` when set, else the user cache directory (``platformdirs``) +
``/redline``. Every failure is a :class:`~redline.errors.SourceError` naming the location.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from redline.errors import SourceError

__all__ = [
    "FetchOptions",
    "cache_dir",
    "is_url",
    "fetch",
    "local_files",
    "iter_lines",
    "peek_line",
    "md5_of",
]

_CHUNK = 1 << 20
#: Longest line a row reader accepts; longer lines become rejects (skipped without being held in memory).
MAX_LINE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Download behaviour: ``retries`` extra attempts after the first, waits ``backoff * 2**n`` (capped)."""

    retries: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0
    timeout: float = 60.0
    max_age: float | None = None  # seconds a cached download stays fresh; None = forever (immutable files)
    max_extract_bytes: int = 64 << 30  # refuse zip members larger than this (zip bombs)
    user_agent: str = "redline (+https://github.com/redline)"


    @classmethod
    def from_env(cls) -> FetchOptions:
        """Defaults, overridden by ``$REDLINE_FETCH_RETRIES``, ``_BACKOFF`` and ``_TIMEOUT`` when set."""
        base = cls()
        try:
            return cls(
                retries=int(os.environ.get("REDLINE_FETCH_RETRIES", base.retries)),
                backoff=float(os.environ.get("REDLINE_FETCH_BACKOFF", base.backoff)),
                timeout=float(os.environ.get("REDLINE_FETCH_TIMEOUT", base.timeout)),
            )
        except ValueError as exc:
            raise SourceError(f"bad REDLINE_FETCH_* setting: {exc}") from exc


DEFAULT_OPTIONS = FetchOptions()


def cache_dir() -> Path:
    """The download cache: ``$REDLINE_CACHE`` or the user cache directory + ``/redline``."""
    env = os.environ.get("REDLINE_CACHE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("redline"))


def is_url(location: str) -> bool:
    return urllib.parse.urlsplit(location).scheme.lower() in ("http", "https")


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _safe_name(name: str, default: str = "download") -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    keep = "".join(c if (c.isalnum() or c in "._-") else "_" for c in base).lstrip(".")
    return keep[:120] or default


def md5_of(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(
    location: str,
    *,
    md5: str | None = None,
    options: FetchOptions = DEFAULT_OPTIONS,
    cache: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Path:
    """A local path for ``location``: the file itself or the cached download of a URL (zips not extracted)."""
    if is_url(location):
        return _download(location, md5=md5, options=options, cache=cache or cache_dir(), sleep=sleep)
    path = _local_path(location)
    if not path.exists():
        raise SourceError("no such file", path=location)
    if not path.is_file():
        raise SourceError("not a file", path=location)
    if md5 is not None and md5_of(path) != md5.lower():
        raise SourceError(f"MD5 mismatch (expected {md5})", path=location)
    return path


def local_files(
    location: str,
    *,
    md5: str | None = None,
    options: FetchOptions = DEFAULT_OPTIONS,
    cache: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Path]:
    """Readable local files for ``location``: fetched, and extracted when it is a zip (one per member)."""
    path = fetch(location, md5=md5, options=options, cache=cache, sleep=sleep)
    if _is_zip(path):
        return _extract(path, location, options=options, cache=cache or cache_dir())
    return [path]


def _local_path(location: str) -> Path:
    if location.lower().startswith("file://"):
        return Path(urllib.request.url2pathname(urllib.parse.urlsplit(location).path))
    return Path(location).expanduser()


def _is_zip(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


# --- downloads ------------------------------------------------------------------------------------


class _Retry(Exception):
    """A failure worth another attempt."""


def _download(url: str, *, md5: str | None, options: FetchOptions, cache: Path,
              sleep: Callable[[float], None]) -> Path:
    parts = urllib.parse.urlsplit(url)
    folder = cache / "downloads" / _key(url)
    target = folder / _safe_name(parts.path)
    fresh = target.is_file() and _fresh(target, options.max_age)
    if fresh and (md5 is None or md5_of(target) == md5.lower()):
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(f"cannot create cache directory {folder}: {exc}", path=url) from exc
    last: str = ""
    for attempt in range(options.retries + 1):
        if attempt:
            sleep(min(options.max_backoff, options.backoff * 2 ** (attempt - 1)))
        try:
            _download_once(url, target, md5=md5, options=options)
            return target
        except _Retry as exc:
            last = str(exc)
    raise SourceError(f"download failed after {options.retries + 1} attempts: {last}", path=url)


def _fresh(path: Path, max_age: float | None) -> bool:
    if max_age is None:
        return True
    try:
        return (time.time() - path.stat().st_mtime) <= max_age
    except OSError:
        return False


def _download_once(url: str, target: Path, *, md5: str | None, options: FetchOptions) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": options.user_agent})
    fd, tmp_name = tempfile.mkstemp(prefix=".part-", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(request, timeout=options.timeout) as resp:  # noqa: S310 (http(s) only)
                    expected = resp.headers.get("Content-Length")
                    digest = hashlib.md5(usedforsecurity=False)
                    size = 0
                    for chunk in iter(lambda: resp.read(_CHUNK), b""):
                        out.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
            except urllib.error.HTTPError as exc:
                if exc.code == 429 or exc.code >= 500:
                    raise _Retry(f"HTTP {exc.code} {exc.reason}") from exc
                raise SourceError(f"HTTP {exc.code} {exc.reason}", path=url) from exc
            except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                raise _Retry(f"{type(exc).__name__}: {reason}") from exc
            except OSError as exc:
                raise _Retry(f"{type(exc).__name__}: {exc}") from exc
        if expected is not None and expected.isdigit() and int(expected) != size:
            raise _Retry(f"truncated body: {size} of {expected} bytes")
        if md5 is not None and digest.hexdigest() != md5.lower():
            raise _Retry(f"MD5 mismatch: got {digest.hexdigest()}, expected {md5.lower()}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


# --- zip archives ---------------------------------------------------------------------------------


def _extract(archive: Path, location: str, *, options: FetchOptions, cache: Path) -> list[Path]:
    try:
        st = archive.stat()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc}", path=location) from exc
    folder = cache / "unzipped" / _key(f"{archive.resolve()}|{st.st_size}|{st.st_mtime_ns}")
    done = folder / ".complete"
    try:
        if done.is_file():
            names = [n for n in done.read_text(encoding="utf-8").splitlines() if n]
            paths = [folder / n for n in names]
            if all(p.is_file() for p in paths):
                return paths
        folder.mkdir(parents=True, exist_ok=True)
        out: list[Path] = []
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
            if not members:
                raise SourceError("zip archive holds no files", path=location)
            used: set[str] = set()
            for i, member in enumerate(members):
                if member.file_size > options.max_extract_bytes:
                    raise SourceError(
                        f"zip member {member.filename!r} is too large ({member.file_size} bytes)",
                        path=location,
                    )
                name = _safe_name(member.filename, default=f"member{i}")
                if name in used:
                    name = f"{i}-{name}"
                used.add(name)
                dest = folder / name
                _extract_member(zf, member, dest, options.max_extract_bytes, location)
                out.append(dest)
        _atomic_write_text(done, "\n".join(p.name for p in out) + "\n")
        return out
    except SourceError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError, OSError) as exc:
        raise SourceError(f"bad zip archive: {type(exc).__name__}: {exc}", path=location) from exc


def _extract_member(zf: zipfile.ZipFile, member: zipfile.ZipInfo, dest: Path, limit: int,
                    location: str) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=".part-", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, zf.open(member) as src:
            written = 0
            for chunk in iter(lambda: src.read(_CHUNK), b""):
                written += len(chunk)
                if written > limit:
                    raise SourceError(f"zip member {member.filename!r} expands beyond {limit} bytes",
                                      path=location)
                out.write(chunk)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=".part-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp_name, path)


# --- line access for row readers ------------------------------------------------------------------


def _open_binary(path: Path) -> BinaryIO:
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def iter_lines(path: Path, *, origin: str | None = None,
               max_line: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """``(line_number, raw_bytes)`` for each line of a plain or gzipped file, 1-based, without the line end.

    A line longer than ``max_line`` bytes yields ``(n, None)`` and is skipped without being held in memory.
    Read errors (a truncated or corrupt gzip stream) raise :class:`SourceError` naming the line reached.
    """
    where = origin or str(path)
    n = 0
    try:
        with _open_binary(path) as f:
            while True:
                raw = f.readline(max_line + 1)
                if not raw:
                    return
                n += 1
                if len(raw) > max_line and not raw.endswith(b"\n"):
                    while True:  # skip the rest of an overlong line
                        rest = f.readline(_CHUNK)
                        if not rest or rest.endswith(b"\n"):
                            break
                    yield n, None
                    continue
                yield n, raw.rstrip(b"\r\n")
    except SourceError:
        raise
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise SourceError(f"read error: {type(exc).__name__}: {exc}", path=where, line=n + 1) from exc


def peek_line(path: Path, *, origin: str | None = None, max_line: int = MAX_LINE_BYTES) -> bytes | None:
    """The first line of a file (``None`` when empty or overlong)."""
    for _, raw in iter_lines(path, origin=origin, max_line=max_line):
        return raw
    return None


def remove_cached(location: str, *, cache: Path | None = None) -> None:
    """Forget the cached download of a URL (used after a failed checksum, and by tests)."""
    folder = (cache or cache_dir()) / "downloads" / _key(location)
    shutil.rmtree(folder, ignore_errors=True)
