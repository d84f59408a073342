"""Rich progress bars for ingest (bytes read, rows, rows/s) on stderr; a no-op when hidden."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as _RichProgress
from rich.text import Text


class _RowsColumn(ProgressColumn):
    """``1,234,567 rows  512,000 rows/s``."""

    def render(self, task: Task) -> Text:
        rows = int(task.fields.get("rows", 0))
        elapsed = task.finished_time if task.finished else task.elapsed
        rate = rows / elapsed if elapsed else 0.0
        return Text(f"{rows:>12,} rows {rate:>10,.0f} rows/s")


class Progress:
    """One bar per table; ``show=False`` makes every method a no-op."""

    def __init__(self, show: bool) -> None:
        self._rich: _RichProgress | None = None
        if show:
            self._rich = _RichProgress(
                TextColumn("{task.description:<20}"),
                BarColumn(),
                DownloadColumn(),
                _RowsColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )

    def __enter__(self) -> Progress:
        if self._rich is not None:
            self._rich.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._rich is not None:
            self._rich.stop()

    def add(self, name: str, total_bytes: int) -> TaskID | None:
        if self._rich is None:
            return None
        return self._rich.add_task(name, total=total_bytes, rows=0)

    def advance(self, task: TaskID | None, nbytes: int, rows: int) -> None:
        if self._rich is None or task is None:
            return
        t = self._rich.tasks[task]
        self._rich.update(task, advance=nbytes, rows=int(t.fields.get("rows", 0)) + rows)

    def finish(self, task: TaskID | None) -> None:
        if self._rich is None or task is None:
            return
        t = self._rich.tasks[task]
        self._rich.update(task, completed=t.total)
