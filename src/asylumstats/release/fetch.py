"""Download a release zip: resumable (HTTP Range), checked (size, every member's CRC), atomic.

The bytes go to ``OUT.part``; beside it ``OUT.part.json`` remembers the URL and the server's
validators (ETag, Last-Modified, size) so that a later run resumes only the same file
(``If-Range``: a changed file on the server restarts the download). A dropped connection is
retried from where it stopped. When every byte is in, the size is compared with the server's,
the zip's central directory is read and every member is decompressed and its CRC-32 checked
(Deflate and Deflate64); only then is the file renamed to ``OUT``. A file that fails the check
is deleted, never kept.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from asylumstats.errors import UserError

try:  # Deflate64 members (the real release) are read through this patch of zipfile
    import zipfile_deflate64  # noqa: F401
except ImportError:  # pragma: no cover
    pass

#: Where EOIR publishes the monthly case-data release (its FOIA library links here).
DEFAULT_URL = "https://fileshare.eoir.justice.gov/EOIR%20Case%20Data.zip"
CHUNK = 1 << 20
USER_AGENT = "asylumstats (+https://github.com/) release fetch"

#: Called with (bytes done, total bytes or None, a note such as "resuming at 1.2 GB").
ProgressFn = Callable[[int, int | None, str | None], None]


@dataclass(frozen=True)
class Fetched:
    path: Path
    size: int
    members: int
    resumed_at: int  # bytes already on disk when this run started (0: fresh)
    attempts: int
    seconds: float


def default_out(url: str) -> Path:
    """``EOIR Case Data.zip`` for the default URL: the URL's last path segment, unquoted."""
    name = unquote(Path(urlparse(url).path).name) or "release.zip"
    return Path(name if name.lower().endswith(".zip") else name + ".zip")


def fetch_release(
    url: str = DEFAULT_URL,
    out: Path | None = None,
    *,
    progress: ProgressFn | None = None,
    retries: int = 5,
    timeout: float = 60.0,
    backoff: float = 1.0,
) -> Fetched:
    """Download ``url`` to ``out`` (default: its file name in the current folder)."""
    started = time.monotonic()
    if urlparse(url).scheme not in ("http", "https"):
        raise UserError(f"Cannot download {url}: only http and https URLs are supported.")
    out = Path(out) if out is not None else default_out(url)
    if out.is_dir():
        out = out / default_out(url)
    if not out.parent.is_dir():
        raise UserError(f"The folder {out.parent} does not exist.")
    part = out.with_name(out.name + ".part")
    meta_path = out.with_name(out.name + ".part.json")
    meta = _read_meta(meta_path, url, part)
    resumed_at = part.stat().st_size if meta else 0
    attempts = 0
    while True:
        attempts += 1
        try:
            total = _download(url, part, meta_path, meta, progress, timeout)
            break
        except _Dropped as exc:
            meta = _read_meta(meta_path, url, part)
            if attempts > retries:
                raise UserError(
                    f"The download of {url} stopped at {_size(exc.done)} ({exc.reason}); run the "
                    "same command again to resume."
                ) from None
            if progress:
                progress(exc.done, exc.total, f"connection lost ({exc.reason}); resuming")
            time.sleep(backoff * attempts)
    size = part.stat().st_size
    if progress:
        progress(size, total, "checking the size and every member's CRC")
    if total is not None and size != total:
        _discard(part, meta_path)
        raise UserError(
            f"The download of {url} has {size:,} bytes but the server announced {total:,}; "
            "the partial file was deleted, run the command again."
        )
    try:
        members = verify_zip(part)
    except UserError:
        _discard(part, meta_path)
        raise
    os.replace(part, out)
    meta_path.unlink(missing_ok=True)
    return Fetched(out, size, members, resumed_at, attempts, time.monotonic() - started)


class _Dropped(Exception):
    def __init__(self, done: int, total: int | None, reason: str) -> None:
        super().__init__(reason)
        self.done, self.total, self.reason = done, total, reason


def _read_meta(meta_path: Path, url: str, part: Path) -> dict[str, object] | None:
    """The saved validators of a partial download of ``url``, or None (start afresh)."""
    if not part.is_file() or not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("url") == url else None


def _download(
    url: str,
    part: Path,
    meta_path: Path,
    meta: dict[str, object] | None,
    progress: ProgressFn | None,
    timeout: float,
) -> int | None:
    """Fetch the missing bytes into ``part``; return the full size (None if unknown)."""
    have = part.stat().st_size if meta and part.is_file() else 0
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
        validator = meta.get("etag") or meta.get("last_modified") if meta else None
        if isinstance(validator, str) and validator:
            headers["If-Range"] = validator
    req = urllib.request.Request(url, headers=headers)
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have and meta and meta.get("size") == have:
            return have  # already complete
        if exc.code == 416:
            _discard(part, meta_path)
            raise _Dropped(0, None, "the server refused the resume point") from None
        raise UserError(f"The server answered {exc.code} {exc.reason} for {url}.") from None
    except urllib.error.URLError as exc:
        reason = getattr(exc.reason, "strerror", None) or str(exc.reason)
        kept = f"; the {have:,} bytes already downloaded are kept for the next run" if have else ""
        raise UserError(f"Cannot reach {url} ({reason}){kept}.") from None
    except (TimeoutError, OSError) as exc:
        raise _Dropped(have, None, str(exc) or type(exc).__name__) from None
    with resp:
        status = resp.status
        length = resp.headers.get("Content-Length")
        if status == 206 and have:
            total = _total_from_range(resp.headers.get("Content-Range"), have)
            mode = "ab"
        else:  # 200: a fresh start (or the server ignored or refused the range)
            have = 0
            total = int(length) if length and length.isdigit() else None
            mode = "wb"
        new_meta = {
            "url": url,
            "etag": resp.headers.get("ETag"),
            "last_modified": resp.headers.get("Last-Modified"),
            "size": total,
        }
        meta_path.write_text(json.dumps(new_meta), encoding="utf-8")
        done = have
        if progress:
            progress(done, total, f"resuming at {_size(have)}" if have else None)
        try:
            with part.open(mode) as fh:
                while True:
                    block = resp.read(CHUNK)
                    if not block:
                        break
                    fh.write(block)
                    done += len(block)
                    if progress:
                        progress(done, total, None)
        except OSError as exc:
            if isinstance(exc, PermissionError) or getattr(exc, "errno", None) == 28:
                raise UserError(f"Cannot write {part} ({exc.strerror or exc}).") from None
            raise _Dropped(done, total, str(exc) or type(exc).__name__) from None
        except Exception as exc:  # http.client.IncompleteRead and friends
            raise _Dropped(done, total, type(exc).__name__) from None
    if total is not None and done < total:
        raise _Dropped(done, total, f"the connection closed after {_size(done)}")
    return total


def _total_from_range(header: str | None, have: int) -> int | None:
    # "bytes 100-999/1000"
    if not header or "/" not in header:
        return None
    start = header.split(" ", 1)[-1].split("-", 1)[0]
    if start.isdigit() and int(start) != have:
        raise _Dropped(have, None, "the server resumed at the wrong byte")
    tail = header.rsplit("/", 1)[1]
    return int(tail) if tail.isdigit() else None


def _discard(part: Path, meta_path: Path) -> None:
    part.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)


def verify_zip(path: Path) -> int:
    """Read every member of the zip and check its CRC-32; return the number of members.

    Raises ``UserError`` naming the first bad member. Members compressed with a method
    Python cannot read are tested with ``7z t`` when 7z is installed.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UserError(
            f"The downloaded file is not a readable zip ({exc}); it was deleted."
        ) from None
    with zf:
        infos = zf.infolist()
        unsupported = False
        for info in infos:
            if info.is_dir():
                continue
            try:
                with zf.open(info) as fh:
                    while fh.read(CHUNK):
                        pass
            except NotImplementedError:
                unsupported = True
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise UserError(
                    f"The downloaded file is corrupt: {info.filename} fails its check ({exc}); "
                    "it was deleted, run the command again."
                ) from None
    if unsupported:
        _test_with_7z(path)
    return len([i for i in infos if not i.is_dir()])


def _test_with_7z(path: Path) -> None:
    exe = shutil.which("7z") or shutil.which("7za") or shutil.which("7zz")
    if exe is None:
        raise UserError(
            f"{path.name} uses a compression method Python cannot read and 7z is not installed "
            "to check it."
        )
    res = subprocess.run([exe, "t", "-bd", str(path)], capture_output=True)
    if res.returncode != 0:
        raise UserError("The downloaded file is corrupt (7z t failed); it was deleted.")


def _size(n: int) -> str:
    if n < 1024:
        return f"{n:,} bytes"
    value = float(n)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f} {unit}"
