"""``fetch``: a local HTTP server on 127.0.0.1 serves a sample release; the download survives
dropped connections (HTTP Range), and a corrupted byte is caught before the file is kept."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from asylumstats.errors import UserError
from asylumstats.release.fetch import default_out, fetch_release, verify_zip
from cli_helpers import run


class Served:
    """What the server sends: the file, and faults to inject."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        self.drop_after: list[int] = []  # per request, in order: close after this many bytes
        self.requests: list[str | None] = []  # the Range header of each request


class Handler(BaseHTTPRequestHandler):
    served: Served

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        s = self.served
        rng = self.headers.get("Range")
        s.requests.append(rng)
        start = 0
        if rng and (self.headers.get("If-Range") in (None, s.etag)):
            start = int(rng.split("=", 1)[1].split("-", 1)[0])
        if start >= len(s.data) and start:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(s.data)}")
            self.end_headers()
            return
        body = s.data[start:]
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(s.data) - 1}/{len(s.data)}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", s.etag)
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if s.drop_after:
            body = body[: s.drop_after.pop(0)]
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture(scope="module")
def sample_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from asylumstats.sample.release import generate_release

    z = tmp_path_factory.mktemp("fetch") / "sample.zip"
    generate_release(z, 2000, seed=5)
    return z.read_bytes()


@pytest.fixture()
def server(sample_zip: bytes) -> Iterator[tuple[str, Served]]:
    served = Served(sample_zip)
    handler = type("H", (Handler,), {"served": served})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    th = threading.Thread(target=httpd.serve_forever, daemon=True)
    th.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/EOIR%20Case%20Data.zip", served
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_default_name() -> None:
    assert default_out("https://fileshare.eoir.justice.gov/EOIR%20Case%20Data.zip") == Path(
        "EOIR Case Data.zip"
    )


def test_fetch_plain(server: tuple[str, Served], tmp_path: Path) -> None:
    url, served = server
    got = fetch_release(url, tmp_path, backoff=0)
    assert got.path == tmp_path / "EOIR Case Data.zip"
    assert got.path.read_bytes() == served.data
    with zipfile.ZipFile(got.path) as zf:
        assert got.members == len(zf.infolist()) > 19
    assert got.resumed_at == 0 and served.requests == [None]
    assert not list(tmp_path.glob("*.part*"))


def test_fetch_resumes_after_drops(server: tuple[str, Served], tmp_path: Path) -> None:
    url, served = server
    n = len(served.data)
    served.drop_after = [n // 3, n // 4]  # two dropped connections, then the rest
    notes: list[str] = []
    got = fetch_release(
        url, tmp_path / "r.zip", backoff=0, progress=lambda d, t, note: notes.append(note or "")
    )
    assert got.path.read_bytes() == served.data
    assert got.attempts == 3
    assert served.requests == [None, f"bytes={n // 3}-", f"bytes={n // 3 + n // 4}-"]
    assert any(note.startswith("connection lost") for note in notes)


def test_interrupted_run_resumes_on_the_next_run(
    server: tuple[str, Served], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, served = server
    n = len(served.data)
    served.drop_after = [n // 2]
    with pytest.raises(UserError, match="run the same command again to resume"):
        fetch_release(url, tmp_path / "r.zip", retries=0)
    assert (tmp_path / "r.zip.part").stat().st_size == n // 2
    assert not (tmp_path / "r.zip").exists()
    code, _out, err = run(capsys, "fetch", url, "--out", str(tmp_path / "r.zip"))
    assert code == 0, err
    assert f"resumed at {n // 2:,} bytes" in err
    assert served.requests[-1] == f"bytes={n // 2}-"
    assert (tmp_path / "r.zip").read_bytes() == served.data


def test_changed_file_on_the_server_restarts(server: tuple[str, Served], tmp_path: Path) -> None:
    url, served = server
    served.drop_after = [1000]
    with pytest.raises(UserError):
        fetch_release(url, tmp_path / "r.zip", retries=0)
    served.etag = '"a-new-release"'  # If-Range no longer matches: the server sends it all
    got = fetch_release(url, tmp_path / "r.zip")
    assert got.path.read_bytes() == served.data


def test_corrupted_byte_is_caught_and_not_kept(
    server: tuple[str, Served], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, served = server
    with zipfile.ZipFile(io.BytesIO(served.data)) as zf:
        info = max(zf.infolist(), key=lambda i: i.compress_size)
    data = bytearray(served.data)
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 200
    data[at] ^= 0x55
    served.data = bytes(data)
    code, _out, err = run(capsys, "fetch", url, "--out", str(tmp_path / "bad.zip"))
    assert code != 0
    assert "corrupt" in err and info.filename.split("/")[-1] in err
    assert "Traceback" not in err
    assert len([ln for ln in err.splitlines() if ln.startswith("asylumstats:")]) == 1
    assert not list(tmp_path.iterdir())  # nothing kept, not even the partial file


def test_truncated_zip_and_unreachable(tmp_path: Path, sample_zip: bytes) -> None:
    bad = tmp_path / "t.zip"
    bad.write_bytes(sample_zip[: len(sample_zip) // 2])
    with pytest.raises(UserError, match="not a readable zip"):
        verify_zip(bad)
    with pytest.raises(UserError, match="Cannot reach"):
        fetch_release("http://127.0.0.1:9/x.zip", tmp_path / "x.zip", retries=0)
    with pytest.raises(UserError, match="only http and https"):
        fetch_release("ftp://example.org/x.zip", tmp_path / "x.zip")
