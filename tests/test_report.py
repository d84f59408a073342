"""``asylumstats report``: the six questions in one file, from the hand-known test rows
(judge HC3: a grant, a denial, a grant; 2 grants of 3 merits decisions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from asylumstats.engines import open_engine
from asylumstats.metrics import Filters, rate_rows
from cli_helpers import run
from web_fixtures import build_web_db

QUESTIONS = (
    "## 1. What share of asylum seekers win now, compared with 2010–2024?",
    "## 2. How does my judge decide",
    "## 3. How rare is a grant",
    "## 4. If the judge grants asylum",
    "## 5. How many people are waiting",
    "## 6. How do people who speak my language fare",
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_db(tmp_path_factory.mktemp("report") / "web.duckdb")


def test_markdown_answers_every_question(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "report", "--db", str(db), "--judge", "HC3", "--court", "SFR",
                         "--nationality", "HO", "--language", "SP")  # fmt: skip
    assert code == 0, err
    for q in QUESTIONS:
        assert q in out
    assert "SYNTHETIC SAMPLE DATA" in out and "SYNTHETIC" in err
    assert "Definition: **merits** = grants / (grants + denials)" in out
    assert "Release: 2026-07-01 (synthetic)" in out
    assert "Judge YEAR, FISCAL (HC3): **66.7%**" in out
    assert "2 grants of 3 decisions — fewer than 25 decisions" in out
    with open_engine(db, "duckdb") as eng:
        by_lawyer = rate_rows(eng, "represented", Filters.parse(language="SP"), "merits")
    for r in by_lawyer:
        label = "with a lawyer" if r["represented"] else "without a lawyer"
        assert f"Language SP, {label}: **{r['grant_rate'] * 100:.1f}%**" in out
        assert f"{r['grants']:,} grant" in out


def test_html_file_and_missing_subjects(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.html"
    code, out, err = run(capsys, "report", "--db", str(db), "--format", "html", "--out",
                         str(target))  # fmt: skip
    assert code == 0 and out == "" and f"Report written to {target}." in err
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="en">' in html
    assert html.count("<h2>") == 6
    assert "Give <code>--judge CODE</code> for this answer." in html
    assert "Give <code>--nationality CODE</code> for this answer." in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "pdf"), "Unknown format 'pdf'"),
        (("--judge", "NOPE"), "NOPE"),
    ],
)
def test_errors(
    db: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, "report", "--db", str(db), *args)
    assert code != 0 and message in err and "Traceback" not in err


def test_judge_by_name(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "report", "--db", str(db), "--judge", "year, fiscal")
    assert code == 0 and "Judge YEAR, FISCAL (HC3): **66.7%**" in out
    assert "- This judge: DHS appealed" in out or "- This judge: no grants or denials." in out
