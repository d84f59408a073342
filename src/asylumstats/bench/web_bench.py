"""Web benchmark: the judge page and ``/api/rates`` under load on loopback.

The benchmark starts the product's own server (``asylumstats serve --host 127.0.0.1`` on a free
port, so whatever workers or connection pool it uses are measured), waits until it answers,
sends a fixed number of requests per endpoint and phase with httpx clients on the same machine,
and stops the server. Phases per endpoint:

- *sequential* (one request at a time) over distinct subjects — judges, or ``/api/rates``
  parameter sets — cycled, so that the first pass misses the app's result cache: the latency
  here is the server's work plus a loopback round trip (an upper bound of server-side time);
- *concurrent*, once per level of ``concurrency`` (default 32 and 64 clients, each with its
  own connection) over the same URLs: latency percentiles under load, throughput and errors
  (refused or reset connections, timeouts, non-200 answers).

Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from asylumstats.bench.measure import kill_tree, percentile
from asylumstats.bench.report import WEB_ERRORS_CLIENTS, WEB_P95_CLIENTS

HOST = "127.0.0.1"
#: Concurrent clients per phase by default: those of the goals (p95 at 32, errors at 64).
WEB_CONCURRENCY: tuple[int, ...] = (WEB_P95_CLIENTS, WEB_ERRORS_CLIENTS)
#: Seconds a client waits for an answer before counting an error.
CLIENT_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _phase(base: str, urls: list[str], n: int, concurrency: int) -> dict[str, Any]:
    import httpx

    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(n))

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=CLIENT_TIMEOUT_S, trust_env=False) as client:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                url = urls[i % len(urls)]
                started = time.perf_counter()
                try:
                    r = client.get(url)
                    r.read()
                    ok = r.status_code == 200
                    why = f"{r.status_code} {url}"
                except httpx.HTTPError as exc:
                    ok, why = False, f"{type(exc).__name__} {url}"
                took = time.perf_counter() - started
                with lock:
                    lat.append(took)
                    if not ok:
                        errors.append(why)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(max(1, concurrency))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": n,
        "concurrency": concurrency,
        "distinct_urls": len(urls),
        "p50_s": percentile(lat, 0.5),
        "p95_s": percentile(lat, 0.95),
        "max_s": max(lat) if lat else None,
        "throughput_rps": n / elapsed if elapsed > 0 else None,
        "elapsed_s": elapsed,
        "errors": len(errors),
        "error_examples": errors[:3],
    }


def _wait_ready(base: str, proc: Any, timeout: float) -> str | None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"the server exited with status {proc.returncode}"
        try:
            r = httpx.get(base + "/api/release", timeout=5.0, trust_env=False)
            if r.status_code < 500:
                return None
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return f"the server did not answer within {timeout:.0f} s"


def _judge_urls(base: str, judges: list[str]) -> tuple[list[str], str]:
    """URLs of judge pages (the HTML page if the app has one, else the JSON profile)."""
    import httpx

    probe = judges[0]
    with httpx.Client(base_url=base, timeout=CLIENT_TIMEOUT_S, trust_env=False) as client:
        for pattern in ("/judges/{}", "/judge/{}", "/api/judges/{}"):
            r = client.get(pattern.format(probe))
            if r.status_code == 200:
                return [pattern.format(j) for j in judges], pattern
    return [], ""


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("asylumstats")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "asylumstats"]


def _load(
    base: str, urls: list[str], requests: int, concurrency: tuple[int, ...]
) -> dict[str, Any]:
    """The sequential phase, then one concurrent phase per level, over ``urls``."""
    return {
        "sequential": _phase(base, urls, requests, 1),
        "concurrent": [_phase(base, urls, requests, c) for c in concurrency],
    }


def run_web(
    db: Path,
    judges: list[str],
    fiscal_years: list[int],
    requests: int,
    concurrency: tuple[int, ...] = WEB_CONCURRENCY,
    log: Any = print,
) -> dict[str, Any]:
    """Start the server, load it, stop it; a JSON-able dict of the two endpoints' figures."""
    import subprocess

    try:
        import httpx  # noqa: F401
    except ImportError as exc:
        return {"error": f"not available: {exc}"}
    if not judges:
        return {"error": "no judge with decisions in the database"}
    port = free_port()
    base = f"http://{HOST}:{port}"
    errfile = tempfile.TemporaryFile()
    argv = [*_cli(), "serve", "--db", str(db), "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errfile)
    out: dict[str, Any] = {
        "host": HOST,
        "port": port,
        "server": "asylumstats serve",
        "requests": requests,
        "concurrency": list(concurrency),
    }
    try:
        started = time.perf_counter()
        problem = _wait_ready(base, proc, 120.0)
        out["startup_s"] = time.perf_counter() - started
        if problem:
            errfile.seek(0)
            err = errfile.read()[-1500:]
            out["error"] = f"{problem}: {err.decode('utf-8', 'replace').strip()}"
            return out
        urls, pattern = _judge_urls(base, judges)
        endpoints: dict[str, Any] = {}
        if urls:
            endpoints["judge_page"] = {
                "path": pattern.format("{code}"),
                "html": not pattern.startswith("/api/"),
                **_load(base, urls, requests, concurrency),
            }
        else:
            endpoints["judge_page"] = {"error": "not available: no judge page answered 200"}
        rate_urls = [
            "/api/rates?by=judge",
            "/api/rates?by=court,fiscal_year",
            "/api/rates?by=fiscal_year",
        ]
        rate_urls += [f"/api/rates?by=judge&fy={fy}" for fy in fiscal_years]
        rate_urls += [f"/api/rates?by=fiscal_year&judge={j}" for j in judges]
        endpoints["api_rates"] = {
            "path": "/api/rates",
            **_load(base, rate_urls, requests, concurrency),
        }
        for name, e in endpoints.items():
            if "sequential" in e:
                s = e["sequential"]
                log(
                    f"  {name}: sequential p50 {s['p50_s'] * 1000:,.1f} ms, "
                    f"p95 {s['p95_s'] * 1000:,.1f} ms, errors {s['errors']}"
                )
                for c in e["concurrent"]:
                    log(
                        f"  {name}: {c['concurrency']} clients p95 "
                        f"{_ms(c['p95_s'])}, {c['throughput_rps']:,.0f} req/s, "
                        f"errors {c['errors']}"
                    )
        out["endpoints"] = endpoints
        return out
    finally:
        _stop(proc)
        errfile.close()


def _stop(proc: Any) -> None:
    """Stop the server and any worker processes it started."""
    import subprocess

    import psutil

    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        children = []
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        kill_tree(proc.pid)
        proc.wait()
    for child in children:  # workers left behind by a server that did not stop them
        try:
            child.kill()
        except psutil.Error:
            pass


def _ms(s: float | None) -> str:
    return "—" if s is None else f"{s * 1000:,.0f} ms"
