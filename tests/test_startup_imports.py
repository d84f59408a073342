"""Start-up: a query command imports only what it uses (no timing, the modules loaded).

Each check runs a fresh interpreter, so that nothing another test imported hides an import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from asylumstats import __version__
from asylumstats.cli import COMMAND_MODULES, COMMANDS, app
from metrics_fixtures import build_db, reference_decisions, reference_rates, standard_dataset

#: Libraries that ``rate --format json`` has no use for: the statistics (--adjust, cohorts),
#: data frames, the web app, charts, Spark, Markdown, the downloader, and Rich (no table drawn;
#: the synthetic-data notice goes to a pipe as plain text).
AVOIDABLE = (
    "numpy",
    "scipy",
    "statsmodels",
    "pandas",
    "pyarrow",
    "lifelines",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "vl_convert",
    "babel",
    "pyspark",
    "sqlglot",
    "markdown",
    "rich",
    "urllib.request",
    "threadpoolctl",
)

_PROBE = """
import json, sys
from asylumstats.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _run(*args: str) -> tuple[str, list[str]]:
    """``asylumstats ARGS…`` in a fresh interpreter: its stdout and the modules it loaded."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=True
    )
    return proc.stdout, json.loads(proc.stderr.splitlines()[-1])


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("startup") / "t.duckdb", standard_dataset())


def test_rate_imports_only_what_it_uses(db: Path) -> None:
    out, modules = _run("rate", "--db", str(db), "--by", "judge", "--format", "json")
    rows = json.loads(out)
    ref = reference_rates(reference_decisions(standard_dataset()), ["judge"])
    assert [{k: r[k] for k in ref[0]} for r in rows] == ref
    loaded = set(modules)
    assert [m for m in AVOIDABLE if m in loaded] == []
    assert "duckdb" in loaded  # the probe does see what the query needs
    commands = {m for m in loaded if m.startswith("asylumstats.commands.")}
    assert commands == {
        "asylumstats.commands.rate",
        "asylumstats.commands._output",
        "asylumstats.commands.options",
    }
    assert not {"asylumstats.api", "asylumstats.web.app", "asylumstats.metrics.adjust"} & loaded


def test_version_imports_no_command() -> None:
    out, modules = _run("--version")
    assert out == f"asylumstats {__version__}\n"
    assert not [m for m in modules if m.startswith("asylumstats.commands")]
    assert not {"duckdb", "rich", "numpy"} & set(modules)


def test_help_lists_every_command() -> None:
    out, modules = _run("--help")
    # A command's row starts with its name; its description's next lines with spaces.
    listed = [line.split()[1] for line in out.splitlines() if line[:2] == "│ " and line[2:3] != " "]
    assert [name for name in listed if name in COMMANDS] == list(COMMANDS)
    assert {f"asylumstats.commands.{m}" for m in COMMAND_MODULES} <= set(modules)


def test_command_help_lists_its_options() -> None:
    out, _ = _run("rate", "--help")
    for option in ("--db", "--by", "--adjust", "--cluster-family", "--chart", "--judge", "--fy"):
        assert f" {option} " in out
    out, _ = _run("backlog", "--help")
    for option in ("--by", "--at", "--court", "--format"):
        assert f" {option} " in out


def test_commands_table_matches_the_registered_commands() -> None:
    """``COMMANDS`` names every command and the module that registers it (the order of
    ``--help`` is checked in a fresh process above: here other tests may have imported some
    modules first)."""
    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(f"asylumstats.commands.{module}")
    registered = {
        info.name or info.callback.__name__: info.callback.__module__  # type: ignore[union-attr]
        for info in app.registered_commands
    }
    assert registered == {name: f"asylumstats.commands.{m}" for name, m in COMMANDS.items()}
