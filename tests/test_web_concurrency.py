"""The web app under concurrent requests: the same answers as one at a time, each computed once."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from asylumstats.web import create_app, pages
from web_fixtures import build_web_db

#: Concurrent requests fired at once.
CLIENTS = 64


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_db(tmp_path_factory.mktemp("web") / "web.duckdb")


async def fetch(app: FastAPI, urls: list[str], clients: int) -> list[tuple[int, bytes]]:
    """``(status, body)`` of each URL, ``clients`` requests in flight at a time."""
    transport = httpx.ASGITransport(app=app)
    gate = asyncio.Semaphore(clients)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

        async def one(url: str) -> tuple[int, bytes]:
            async with gate:
                response = await client.get(url)
                return response.status_code, response.content

        return list(await asyncio.gather(*(one(u) for u in urls)))


def sample_urls(app: FastAPI) -> list[str]:
    """Pages, twins and API answers over the codes of the test data, and two errors."""
    (status, body), *_ = asyncio.run(fetch(app, ["/api/rates?by=judge,court,nationality"], 1))
    assert status == 200
    rows: list[dict[str, Any]] = json.loads(body)
    judges = sorted({r["judge_code"] for r in rows if r["judge_code"]})[:6]
    courts = sorted({r["court_code"] for r in rows if r["court_code"]})[:4]
    nations = sorted({r["nationality_code"] for r in rows if r["nationality_code"]})[:3]
    return [
        "/",
        *(f"/judges/{quote(j, safe='')}" for j in judges),
        *(f"/courts/{quote(c, safe='')}" for c in courts),
        *(f"/nationalities/{quote(n, safe='')}.json" for n in nations),
        "/api/rates?by=court",
        "/api/rates?by=judge,fiscal_year&definition=eoir",
        "/rates?by=nationality",
        f"/api/rates?by=fiscal_year&court={courts[0]}&format=csv",
        "/es/judges/" + judges[0],
        "/appeals?by=court",
        "/judges/NOPE",  # 404
        "/api/rates?by=bogus",  # 422
    ]


def test_concurrent_answers_equal_sequential_ones(db: Path, monkeypatch: Any) -> None:
    urls = sample_urls(create_app(db))
    sequential = asyncio.run(fetch(create_app(db), urls, 1))
    statuses = [s for s, _ in sequential]
    assert statuses[-2:] == [404, 422] and set(statuses[:-2]) == {200}

    served: Counter[str] = Counter()  # views computed, by path
    serve = pages.serve

    def counting_serve(request: Any, *args: Any) -> Any:
        lang = request.scope.get("language", "en")
        served[f"{lang} {request.url.path}?{request.url.query}"] += 1
        return serve(request, *args)

    monkeypatch.setattr(pages, "serve", counting_serve)
    app = create_app(db)
    burst = [i for i in range(len(urls)) for _ in range(6)]  # each URL six times
    random.Random(14).shuffle(burst)
    answers = asyncio.run(fetch(app, [urls[i] for i in burst], CLIENTS))
    for i, answer in zip(burst, answers, strict=True):
        assert answer == sequential[i], urls[i]
    # Every successful view was computed once, however many asked for it at the same time;
    # errors are never kept.
    ok = [u for u, (status, _) in zip(urls, sequential, strict=True) if status == 200]
    assert len(app.state.store.responses) == len(ok)
    assert served["en /judges/NOPE?"] == 6
    assert len(served) == len(urls)
    assert all(n == 1 for key, n in served.items() if "NOPE" not in key and "bogus" not in key)


def test_worker_app_opens_the_database_named_in_the_environment(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asylumstats.web.app import SERVE_DB_ENV, SERVE_RELEASE_ENV, create_app_from_environment

    monkeypatch.setenv(SERVE_DB_ENV, str(db))
    monkeypatch.setenv(SERVE_RELEASE_ENV, "")
    urls = ["/api/rates?by=court", "/judges/HC3.json"]
    assert asyncio.run(fetch(create_app_from_environment(), urls, 2)) == asyncio.run(
        fetch(create_app(db), urls, 2)
    )


def test_serve_refuses_no_workers(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from asylumstats.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--db", str(db), "--workers", "0"])
    assert exit_info.value.code != 0
    assert capsys.readouterr().err.strip() == (
        "asylumstats: Bad number of workers 0; use 1 or more."
    )


async def raw_answers(app: FastAPI, urls: list[str], encoding: str) -> list[tuple[Any, ...]]:
    """Status, headers (but the timing) and body bytes as sent, one URL after the other."""
    out = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for url in urls:
            async with client.stream("GET", url, headers={"Accept-Encoding": encoding}) as r:
                body = b"".join([chunk async for chunk in r.aiter_raw()])
                headers = [(k, v) for k, v in r.headers.raw if k.lower() != b"server-timing"]
                out.append((r.status_code, headers, body))
    return out


@pytest.mark.parametrize("encoding", ["gzip, deflate", "identity"])
def test_kept_answers_are_sent_as_the_middleware_sends_them(
    db: Path, encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = ["/judges/HC3", "/api/rates?by=judge", "/rates.csv?by=court", "/api/rates?judge=HC3"]
    app = create_app(db)
    kept = asyncio.run(raw_answers(app, urls * 2, encoding))  # the second time from the cache
    assert app.state.store.responses.hits == len(urls)
    monkeypatch.setattr(pages, "remembered", lambda request, answer: answer())
    plain = asyncio.run(raw_answers(create_app(db), urls * 2, encoding))
    assert kept == plain
    compressed = [dict(h).get(b"content-encoding") for _, h, _ in kept]
    if encoding == "identity":
        assert set(compressed) == {None}
    else:  # a small answer (one judge's rates) is sent as it is
        assert compressed == [b"gzip", b"gzip", None, None] * 2
