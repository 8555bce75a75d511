"""fetch: local paths, zip extraction into the cache, downloads from a loopback HTTP server (retries, MD5)."""

from __future__ import annotations

import gzip
import hashlib
import io
import socket
import zipfile
from pathlib import Path

import pytest

from redline.errors import SourceError
from redline.sources import fetch
from tests.sources.conftest import FAST, Site


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_cache_dir_follows_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_CACHE", str(tmp_path / "c"))
    assert fetch.cache_dir() == tmp_path / "c"


def test_local_plain_file_is_used_in_place(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("x\n")
    assert fetch.local_files(str(f)) == [f]
    assert fetch.fetch(f"file://{f}") == f


def test_missing_file_and_directory_are_source_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file") as err:
        fetch.local_files(str(tmp_path / "nope.csv"))
    assert "nope.csv" in str(err.value)
    with pytest.raises(SourceError, match="not a file"):
        fetch.local_files(str(tmp_path))


def test_local_zip_is_extracted_once_into_the_cache(tmp_path: Path, _private_cache: Path) -> None:
    z = tmp_path / "20241101.export.CSV.zip"
    z.write_bytes(_zip({"20241101.export.CSV": b"a\tb\n"}))
    first = fetch.local_files(str(z))
    assert len(first) == 1 and first[0].read_bytes() == b"a\tb\n"
    assert _private_cache in first[0].parents
    stamp = first[0].stat().st_mtime_ns
    again = fetch.local_files(str(z))
    assert again == first and again[0].stat().st_mtime_ns == stamp


def test_zip_members_cannot_escape_the_cache(tmp_path: Path, _private_cache: Path) -> None:
    z = tmp_path / "evil.zip"
    z.write_bytes(_zip({"../../evil.txt": b"x", "dir/b.txt": b"y", "b.txt": b"z"}))
    paths = fetch.local_files(str(z))
    assert len(paths) == 3
    assert all(_private_cache in p.parents for p in paths)
    assert sorted(p.read_bytes() for p in paths) == [b"x", b"y", b"z"]
    assert not (tmp_path.parent / "evil.txt").exists()


def test_empty_and_corrupt_zips_are_source_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.zip"
    empty.write_bytes(_zip({}))
    with pytest.raises(SourceError, match="no files"):
        fetch.local_files(str(empty))
    broken = tmp_path / "broken.zip"
    data = _zip({"a.csv": bytes(range(256)) * 64, "b.csv": b"x"})
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="bad zip"):
        fetch.local_files(str(broken))


def test_gz_stays_compressed_and_iter_lines_reads_it(tmp_path: Path) -> None:
    g = tmp_path / "a.tsv.gz"
    g.write_bytes(gzip.compress(b"one\r\ntwo\n\nthree"))
    assert fetch.local_files(str(g)) == [g]
    assert list(fetch.iter_lines(g)) == [(1, b"one"), (2, b"two"), (3, b""), (4, b"three")]


def test_truncated_gzip_raises_source_error_with_line(tmp_path: Path) -> None:
    g = tmp_path / "a.tsv.gz"
    data = gzip.compress(b"".join(b"%d %s\n" % (i, hashlib.sha256(b"%d" % i).hexdigest().encode())
                                  for i in range(5000)))
    g.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="read error") as err:
        list(fetch.iter_lines(g))
    assert err.value.line is not None and err.value.line >= 1


def test_overlong_lines_are_skipped_not_held(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes(b"short\n" + b"x" * 5000 + b"\nafter\n" + b"y" * 5000)
    assert list(fetch.iter_lines(f, max_line=100)) == [(1, b"short"), (2, None), (3, b"after"), (4, None)]


def test_download_is_cached(site: Site) -> None:
    site.files["/a.csv"] = b"hello\n"
    p = fetch.fetch(site.url("a.csv"), options=FAST)
    assert p.read_bytes() == b"hello\n"
    assert fetch.fetch(site.url("a.csv"), options=FAST) == p
    assert site.log == ["/a.csv"]


def test_404_fails_at_once_naming_the_url(site: Site) -> None:
    slept: list[float] = []
    with pytest.raises(SourceError, match="404") as err:
        fetch.fetch(site.url("missing.csv"), options=FAST, sleep=slept.append)
    assert site.url("missing.csv") in str(err.value)
    assert site.log == ["/missing.csv"] and slept == []


def test_flaky_server_is_retried_with_backoff(site: Site, _private_cache: Path) -> None:
    site.files["/f.csv"] = b"data\n"
    site.fail_first["/f.csv"] = [500, 503]
    slept: list[float] = []
    p = fetch.fetch(site.url("f.csv"), options=FAST, sleep=slept.append)
    assert p.read_bytes() == b"data\n"
    assert site.log == ["/f.csv"] * 3
    assert slept == [0.01, 0.02]
    assert not list(_private_cache.rglob(".part-*"))


def test_truncated_body_is_retried(site: Site) -> None:
    site.files["/t.csv"] = b"0123456789" * 100
    site.truncate_first["/t.csv"] = 1
    p = fetch.fetch(site.url("t.csv"), options=FAST, sleep=lambda s: None)
    assert p.read_bytes() == b"0123456789" * 100
    assert len(site.log) == 2


def test_persistent_5xx_gives_up_after_the_retries(site: Site, _private_cache: Path) -> None:
    site.files["/down.csv"] = b"x"
    site.fail_first["/down.csv"] = [500] * 10
    with pytest.raises(SourceError, match="after 4 attempts.*HTTP 500"):
        fetch.fetch(site.url("down.csv"), options=FAST, sleep=lambda s: None)
    assert len(site.log) == 4
    assert not list(_private_cache.rglob("down.csv"))
    assert not list(_private_cache.rglob(".part-*"))


def test_refused_connection_is_a_source_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SourceError, match="download failed"):
        fetch.fetch(f"http://127.0.0.1:{port}/x.csv", options=FAST, sleep=lambda s: None)


def test_md5_is_checked(site: Site) -> None:
    body = b"payload\n"
    site.files["/m.csv"] = body
    good = hashlib.md5(body).hexdigest()
    assert fetch.fetch(site.url("m.csv"), md5=good, options=FAST).read_bytes() == body
    site.files["/n.csv"] = body
    with pytest.raises(SourceError, match="MD5 mismatch"):
        fetch.fetch(site.url("n.csv"), md5="0" * 32, options=FAST, sleep=lambda s: None)
    assert len([p for p in site.log if p == "/n.csv"]) == FAST.retries + 1


def test_zip_over_http_is_extracted(site: Site) -> None:
    site.files["/20241101000000.export.CSV.zip"] = _zip({"20241101000000.export.CSV": b"r1\nr2\n"})
    paths = fetch.local_files(site.url("20241101000000.export.CSV.zip"), options=FAST)
    assert [p.name for p in paths] == ["20241101000000.export.CSV"]
    assert paths[0].read_bytes() == b"r1\nr2\n"


def test_max_age_refreshes_a_cached_download(site: Site) -> None:
    site.files["/list.txt"] = b"v1"
    fetch.fetch(site.url("list.txt"), options=FAST)
    site.files["/list.txt"] = b"v2"
    stale = fetch.FetchOptions(retries=0, timeout=5.0, max_age=0.0)
    assert fetch.fetch(site.url("list.txt"), options=stale).read_bytes() == b"v2"


def test_options_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_FETCH_RETRIES", "1")
    monkeypatch.setenv("REDLINE_FETCH_BACKOFF", "0.5")
    opts = fetch.FetchOptions.from_env()
    assert (opts.retries, opts.backoff, opts.timeout) == (1, 0.5, fetch.FetchOptions().timeout)
    monkeypatch.setenv("REDLINE_FETCH_TIMEOUT", "soon")
    with pytest.raises(SourceError, match="REDLINE_FETCH"):
        fetch.FetchOptions.from_env()
