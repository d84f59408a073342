"""Measuring whole processes and repeated calls: wall time, peak RSS, percentiles.

A child process is started with its output sent to files (so nothing blocks on a pipe), its
process tree is polled with psutil for the summed RSS, and it is reaped with ``os.wait4`` whose
``ru_maxrss`` is the exact peak RSS of the largest single process in the tree (the kernel's
high-water mark, as in ``shared/ingest-performance.md``).

The child is started by a bare interpreter (:data:`LAUNCHER`) that spawns it, times it and
reaps it: Linux carries a process's high-water mark across ``exec``, so a child forked straight
from the benchmark (which may have grown to gigabytes generating the release) would report the
benchmark's peak as its own. The launcher is a few MiB; its own start is not in the wall time.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

MIB = 1024 * 1024

#: Run as ``python -I -S -c LAUNCHER RESULT ARGV…``: spawns ARGV, waits for it, and writes
#: "exit-code wall-seconds ru_maxrss" to RESULT.
LAUNCHER = """
import os, sys, time
argv = sys.argv[2:]
started = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
with open(sys.argv[1], "w") as fh:
    fh.write(f"{os.waitstatus_to_exitcode(status)} {wall!r} {usage.ru_maxrss}")
"""


@dataclass
class ProcessRun:
    """One finished child process."""

    argv: list[str]
    returncode: int
    wall_s: float
    peak_rss_mib: float  # largest single process (wait4 ru_maxrss)
    peak_tree_rss_mib: float  # largest sum over the process tree seen while polling
    stdout: str = ""
    stderr: str = ""

    def ok(self) -> bool:
        return self.returncode == 0

    def summary(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("stdout")
        d["stderr"] = self.stderr[-2000:]
        return d


class _TreePoller(threading.Thread):
    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop_event.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()


def run_process(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    timeout: float | None = None,
    poll_interval: float = 0.25,
    discard_stdout: bool = False,
) -> ProcessRun:
    """Run ``argv`` to completion; return its wall time, peak RSS and output.

    With ``discard_stdout`` the child writes its standard output to the null device (as
    ``> /dev/null`` would), for a tool whose output is the data itself."""
    argv = [str(a) for a in argv]
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        result = Path(tmp) / "result"
        launch = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(result), *argv]
        started = time.perf_counter()
        sink = subprocess.DEVNULL if discard_stdout else out
        proc = subprocess.Popen(launch, stdout=sink, stderr=err, env=env, cwd=cwd)
        poller = _TreePoller(proc.pid, poll_interval)
        poller.start()
        timer = None
        if timeout is not None:
            timer = threading.Timer(timeout, kill_tree, args=(proc.pid,))
            timer.daemon = True
            timer.start()
        try:
            _, status, rusage = os.wait4(proc.pid, 0)  # blocks; exact end time and peak RSS
        except BaseException:  # Ctrl-C: never leave the child running
            kill_tree(proc.pid)
            os.waitpid(proc.pid, 0)
            proc.returncode = -9
            raise
        finally:
            wall = time.perf_counter() - started
            if timer is not None:
                timer.cancel()
            poller.stop()
            poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        maxrss_kib = rusage.ru_maxrss
        if result.is_file():  # the launcher's figures: the child alone
            code, child_wall, child_rss = result.read_text().split()
            proc.returncode, wall, maxrss_kib = int(code), float(child_wall), int(child_rss)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if sys.platform == "darwin":  # bytes there
        maxrss_kib //= 1024
    return ProcessRun(
        argv=argv,
        returncode=proc.returncode,
        wall_s=wall,
        peak_rss_mib=maxrss_kib / 1024,
        peak_tree_rss_mib=poller.peak / MIB,
        stdout=stdout,
        stderr=stderr,
    )


def kill_tree(pid: int) -> None:
    try:
        root = psutil.Process(pid)
        procs = [*root.children(recursive=True), root]
    except psutil.Error:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) with linear interpolation; None for no values."""
    if not values:
        return None
    xs = sorted(values)
    if len(xs) == 1:
        return xs[0]
    pos = q * (len(xs) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@dataclass
class Timings:
    """Repeated timings of one operation, in seconds."""

    first_s: float | None = None  # the first (cold) call, not in the percentiles
    samples: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def p50(self) -> float | None:
        return percentile(self.samples, 0.5)

    @property
    def p95(self) -> float | None:
        return percentile(self.samples, 0.95)

    def as_json(self) -> dict[str, Any]:
        return {
            "first_s": self.first_s,
            "p50_s": self.p50,
            "p95_s": self.p95,
            "mean_s": statistics.fmean(self.samples) if self.samples else None,
            "runs": len(self.samples),
            "error": self.error,
        }


def time_calls(fn: Callable[[], Any], runs: int) -> Timings:
    """Call ``fn`` once (cold, recorded as ``first_s``) and then ``runs`` times."""
    t = Timings()
    try:
        started = time.perf_counter()
        fn()
        t.first_s = time.perf_counter() - started
        for _ in range(runs):
            started = time.perf_counter()
            fn()
            t.samples.append(time.perf_counter() - started)
    except Exception as exc:  # reported, never fatal for the whole benchmark
        t.error = f"{type(exc).__name__}: {exc}"[:500]
    return t
