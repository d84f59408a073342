"""Running the ``asylumstats`` command line in-process, for the CLI tests."""

from __future__ import annotations

import pytest

from asylumstats.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``asylumstats ARGS…``: its exit status, stdout and stderr."""
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
