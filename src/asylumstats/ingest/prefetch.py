"""A read-ahead thread: ``prefetch(items)`` runs an iterator in a helper thread, a few items
ahead of the consumer; an exception in the helper is raised in the consumer."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Stream(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_DONE = object()


def prefetch(items: Iterator[T], depth: int = 2) -> Generator[T, None, None]:
    """Run ``items`` in a helper thread, ``depth`` items ahead of the consumer."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer
            put(_Failed(exc))

    th = threading.Thread(target=run, name="asylumstats-read", daemon=True)
    th.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        th.join()


class ReadAhead:
    """A binary stream read by a helper thread in pieces of ``size`` bytes, ``depth`` pieces
    ahead: decompressing a zip member (zlib releases the GIL) overlaps with the work on the
    bytes already read. ``read(n)`` returns at most ``n`` bytes, ``b""`` at the end."""

    def __init__(self, raw: Stream, size: int, depth: int = 2) -> None:
        self._pieces = prefetch(iter(lambda: raw.read(size), b""), depth)
        self._buf = memoryview(b"")

    def read(self, n: int = -1, /) -> bytes:
        if not self._buf:
            self._buf = memoryview(next(self._pieces, b""))
        if n < 0 or n >= len(self._buf):
            out, self._buf = bytes(self._buf), memoryview(b"")
            return out
        out, self._buf = bytes(self._buf[:n]), self._buf[n:]
        return out

    def close(self) -> None:
        """Stop the helper thread (also when the stream was not read to its end)."""
        self._pieces.close()
