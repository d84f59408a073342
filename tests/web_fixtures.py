"""Fixtures for the web tests: small databases (from ``metrics_fixtures``) and a live server.

``build_web_db`` writes the metrics engineer's hand-chosen rows plus random cases, so the
hand-known counts of ``metrics_fixtures.hand_dataset`` hold (judges HC1…HC6 appear only
there). ``LiveServer`` runs uvicorn on a free loopback port in a thread (browser tests).
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from asylumstats.web import create_app
from metrics_fixtures import build_db, standard_dataset


def build_web_db(path: Path, synthetic: bool = True) -> Path:
    """The standard test database (hand rows + 150 random cases)."""
    return build_db(path, standard_dataset(), synthetic=synthetic)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving ``create_app(db)`` on 127.0.0.1 in a background thread."""

    def __init__(self, db: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(db), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
