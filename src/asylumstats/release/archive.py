"""Read the files of a release without extracting it: a zip (Deflate or Deflate64) or a folder.

``open_archive(path)`` returns an :class:`Archive` listing its members (relative POSIX paths)
and opening each one as a binary stream read in blocks. Deflate64 members are read through
``zipfile_deflate64`` (which patches :mod:`zipfile` when imported); if that is unavailable
they are streamed from ``7z x -so``. Corrupt data raises :class:`UserError` while reading.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Protocol

from asylumstats.errors import UserError

try:  # patches zipfile so that it can read Deflate64 members
    import zipfile_deflate64  # noqa: F401
except ImportError:  # pragma: no cover - optional at runtime; 7z is the fallback
    pass

_DEFLATE64 = 9


class Stream(Protocol):
    """The part of a binary file object the reader uses."""

    def read(self, n: int = -1, /) -> bytes: ...


class _SafeStream:
    """Wraps a member stream: corrupt-data errors become one-sentence ``UserError``s."""

    def __init__(self, raw: IO[bytes], what: str) -> None:
        self._raw = raw
        self._what = what

    def read(self, n: int = -1, /) -> bytes:
        try:
            return self._raw.read(n)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise UserError(
                f"{self._what} cannot be read: the archive is truncated or corrupt ({exc})."
            ) from exc


class _SevenZipStream:
    """A member streamed from ``7z x -so`` (fallback for compression zipfile cannot read)."""

    def __init__(self, zip_path: Path, member: str, what: str) -> None:
        exe = shutil.which("7z") or shutil.which("7za") or shutil.which("7zz")
        if exe is None:
            raise UserError(
                f"{what} uses a compression method Python cannot read and 7z is not installed."
            )
        self._what = what
        self._proc = subprocess.Popen(
            [exe, "x", "-so", "-bd", "-y", str(zip_path), member],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def read(self, n: int = -1, /) -> bytes:
        assert self._proc.stdout is not None
        data = self._proc.stdout.read(n)
        if not data:
            code = self._proc.wait()
            if code != 0:
                raise UserError(f"{self._what} cannot be read: 7z failed with status {code}.")
        return data

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


class Archive:
    """A release container: lists members and opens them as streams."""

    path: Path

    def members(self) -> list[str]:
        raise NotImplementedError

    def size(self, member: str) -> int:
        """Uncompressed size in bytes."""
        raise NotImplementedError

    @contextmanager
    def open(self, member: str) -> Iterator[Stream]:
        raise NotImplementedError
        yield  # pragma: no cover

    def close(self) -> None:
        return None


class FolderArchive(Archive):
    """An unpacked release folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        found: list[str] = []
        for root, _dirs, files in os.walk(path):
            for name in files:
                full = Path(root) / name
                found.append(full.relative_to(path).as_posix())
        self._members = sorted(found)

    def members(self) -> list[str]:
        return list(self._members)

    def size(self, member: str) -> int:
        try:
            return (self.path / member).stat().st_size
        except OSError as exc:
            raise UserError(f"{member} cannot be read ({exc.strerror or exc}).") from exc

    @contextmanager
    def open(self, member: str) -> Iterator[Stream]:
        try:
            fh = open(self.path / member, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise UserError(f"{member} cannot be read ({exc.strerror or exc}).") from exc
        with fh:
            yield _SafeStream(fh, member)


class ZipArchive(Archive):
    """A release zip; members are decompressed while read, never extracted to disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            with open(path, "rb") as fh:
                head = fh.read(4)
            if head == b"PK\x03\x04":
                raise UserError(f"{path} is a truncated or corrupt zip file.") from exc
            raise UserError(f"{path} is not a zip file or a release folder.") from exc
        except OSError as exc:
            raise UserError(f"{path} cannot be read ({exc.strerror or exc}).") from exc
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in self._zf.infolist():
            if info.is_dir():
                continue
            if info.filename in self._infos:
                self._zf.close()
                raise UserError(
                    f"{path} holds two members named {info.filename}; "
                    "a release cannot be read when it is unclear which one is meant."
                )
            self._infos[info.filename] = info

    def members(self) -> list[str]:
        return sorted(self._infos)

    def size(self, member: str) -> int:
        return self._infos[member].file_size

    @contextmanager
    def open(self, member: str) -> Iterator[Stream]:
        info = self._infos[member]
        if info.flag_bits & 0x1:
            raise UserError(f"{member} is encrypted; asylumstats reads only unencrypted releases.")
        try:
            fh = self._zf.open(info)
        except NotImplementedError:
            if info.compress_type != _DEFLATE64:
                raise UserError(
                    f"{member} uses an unsupported compression method ({info.compress_type})."
                ) from None
            sz = _SevenZipStream(self.path, member, member)
            try:
                yield sz
            finally:
                sz.close()
            return
        except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError) as exc:
            raise UserError(f"{member} cannot be read: the zip is corrupt ({exc}).") from exc
        with fh:
            yield _SafeStream(fh, member)

    def close(self) -> None:
        self._zf.close()


def open_archive(path: Path) -> Archive:
    """Open ``path`` (zip or folder), or raise a ``UserError`` saying why it cannot be."""
    if not path.exists():
        raise UserError(f"{path} does not exist.")
    if path.is_dir():
        return FolderArchive(path)
    if path.stat().st_size == 0:
        raise UserError(f"{path} is an empty file, not a release zip.")
    return ZipArchive(path)
