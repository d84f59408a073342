"""Streaming zip output: raw-deflate members assembled into a ZIP64 archive, or 7z Deflate64.

``DeflateZip`` compresses each member on the fly (zlib level 1, in a background thread)
into its own temporary file (so the tables
can be generated chunk by chunk, interleaved, in bounded memory) and then writes the archive
by hand: local headers with ZIP64 extras, the compressed data, a central directory, the ZIP64
end records. The output is byte-for-byte deterministic (fixed timestamps, no extra fields
that carry times). ``Deflate64Tree`` writes the members as plain files and has ``7z`` pack
them with the Deflate64 method.
"""

from __future__ import annotations

import queue
import shutil
import struct
import subprocess
import threading
import zlib
from pathlib import Path
from typing import Protocol

from asylumstats.errors import UserError


class Member(Protocol):
    def write(self, data: bytes) -> None: ...


def _dos_time(date: str) -> tuple[int, int]:
    y, m, d = (int(x) for x in date.split("-"))
    return 0, ((y - 1980) << 9) | (m << 5) | d


class _Worker:
    """One background thread that compresses (zlib releases the GIL while it works)."""

    def __init__(self) -> None:
        self.q: queue.Queue[tuple[_DeflateMember, bytes] | None] = queue.Queue(maxsize=8)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.q.get()
            if item is None:
                return
            if self.error is None:
                try:
                    item[0].compress(item[1])
                except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
                    self.error = exc

    def put(self, member: _DeflateMember, data: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.q.put((member, data))

    def join(self) -> None:
        self.q.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


class _DeflateMember:
    def __init__(self, name: str, path: Path, level: int, worker: _Worker) -> None:
        self.name = name
        self.path = path
        self._f = path.open("wb")
        self._z = zlib.compressobj(level, zlib.DEFLATED, -15, 9)
        self._worker = worker
        self.crc = 0
        self.size = 0
        self.csize = 0

    def write(self, data: bytes) -> None:
        self._worker.put(self, data)

    def compress(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        out = self._z.compress(data)
        if out:
            self._f.write(out)
            self.csize += len(out)

    def close(self) -> None:
        out = self._z.flush()
        self._f.write(out)
        self.csize += len(out)
        self._f.close()


class DeflateZip:
    """Members compressed as they are written; ``finish`` assembles the archive."""

    def __init__(self, tmp: Path, date: str, level: int = 1) -> None:
        self.tmp = tmp
        self.level = level
        self._worker = _Worker()
        self.members: list[_DeflateMember] = []
        self.dos_time, self.dos_date = _dos_time(date)

    def open(self, name: str) -> _DeflateMember:
        m = _DeflateMember(
            name, self.tmp / f"m{len(self.members):03d}.deflate", self.level, self._worker
        )
        self.members.append(m)
        return m

    def finish(self, out: Path) -> None:
        self._worker.join()
        central = bytearray()
        with out.open("wb") as f:
            for m in self.members:
                m.close()
                offset = f.tell()
                name = m.name.encode("ascii")
                extra = struct.pack("<HHQQ", 1, 16, m.size, m.csize)
                f.write(
                    struct.pack(
                        "<IHHHHHIIIHH",
                        0x04034B50,
                        45,
                        0,
                        8,
                        self.dos_time,
                        self.dos_date,
                        m.crc,
                        0xFFFFFFFF,
                        0xFFFFFFFF,
                        len(name),
                        len(extra),
                    )
                )
                f.write(name)
                f.write(extra)
                with m.path.open("rb") as src:
                    shutil.copyfileobj(src, f, 1 << 20)
                m.path.unlink()
                cextra = struct.pack("<HHQQQ", 1, 24, m.size, m.csize, offset)
                central += struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    (3 << 8) | 45,
                    45,
                    0,
                    8,
                    self.dos_time,
                    self.dos_date,
                    m.crc,
                    0xFFFFFFFF,
                    0xFFFFFFFF,
                    len(name),
                    len(cextra),
                    0,
                    0,
                    0,
                    0o100644 << 16,
                    0xFFFFFFFF,
                )
                central += name + cextra
            cd_offset = f.tell()
            f.write(central)
            eocd64 = f.tell()
            n = len(self.members)
            f.write(
                struct.pack(
                    "<IQHHIIQQQQ",
                    0x06064B50,
                    44,
                    (3 << 8) | 45,
                    45,
                    0,
                    0,
                    n,
                    n,
                    len(central),
                    cd_offset,
                )
            )
            f.write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
            f.write(
                struct.pack(
                    "<IHHHHIIH",
                    0x06054B50,
                    0,
                    0,
                    min(n, 0xFFFF),
                    min(n, 0xFFFF),
                    0xFFFFFFFF,
                    0xFFFFFFFF,
                    0,
                )
            )


class _FileMember:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = path.open("wb")

    def write(self, data: bytes) -> None:
        self._f.write(data)

    def close(self) -> None:
        self._f.close()


class Deflate64Tree:
    """Members written as files under ``tmp/tree``; ``finish`` runs ``7z -mm=Deflate64``."""

    def __init__(self, tmp: Path, date: str) -> None:
        self.root = tmp / "tree"
        self.members: list[tuple[str, _FileMember]] = []
        self.date = date
        self.seven = shutil.which("7z") or shutil.which("7za")
        if self.seven is None:
            raise UserError("Deflate64 output needs the 7z program (Debian: p7zip-full).")

    def open(self, name: str) -> _FileMember:
        m = _FileMember(self.root / name)
        self.members.append((name, m))
        return m

    def finish(self, out: Path) -> None:
        import datetime as dt
        import os

        stamp = dt.datetime.fromisoformat(self.date).replace(tzinfo=dt.UTC).timestamp()
        for name, m in self.members:
            m.close()
            os.utime(self.root / name, (stamp, stamp))
        listfile = self.root.parent / "members.txt"
        listfile.write_text("\n".join(n for n, _ in self.members) + "\n", encoding="utf-8")
        cmd = [
            self.seven,
            "a",
            "-tzip",
            "-mm=Deflate64",
            "-mx=5",
            "-mmt=1",
            "-mtc=off",
            "-bd",
            "-bso0",
            "-bsp0",
            str(out.resolve()),
            f"@{listfile.resolve()}",
        ]
        res = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True)
        if res.returncode != 0:
            raise UserError(f"7z failed to write the Deflate64 zip: {res.stderr.strip()[:200]}")
        shutil.rmtree(self.root)
