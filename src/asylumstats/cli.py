"""The ``asylumstats`` command line: one Typer app, commands registered from ``commands/``.

Every command reports user errors as one sentence on stderr with a non-zero exit status and
no traceback; Ctrl-C exits with status 130.
"""

from __future__ import annotations

import os
import sys

import typer

from asylumstats.errors import UserError
from asylumstats.paths import RELEASE_ENV

app = typer.Typer(
    name="asylumstats",
    help="Asylum outcomes in US immigration courts, from EOIR's public case-data release.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


#: Command modules in the order ``--help`` lists them: the data's path, then the questions.
COMMAND_MODULES: tuple[str, ...] = (
    "sample",
    "ingest",
    "rate",
    "change",
    "profiles",
    "appeals",
    "cohorts",
    "export",
    "serve",
    "fetch",
    "releases",
    "diff",
    "validate",
    "report",
)


def _register() -> None:
    # Importing a command module registers its commands on ``app``.
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"asylumstats.commands.{name}")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    _register()
    saved = os.environ.get(RELEASE_ENV)
    try:
        argv = _take_release(list(sys.argv[1:] if argv is None else argv))
        app(args=argv, standalone_mode=False)
    except UserError as exc:
        print(f"asylumstats: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("asylumstats: interrupted; nothing was changed.", file=sys.stderr)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("asylumstats: aborted.", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # usage errors (bad option value, unknown option, ...)
        usage_error = _usage_error_types()
        if isinstance(exc, usage_error):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(getattr(exc, "exit_code", 2))
        raise
    finally:  # --release applies to this command only
        if saved is None:
            os.environ.pop(RELEASE_ENV, None)
        else:
            os.environ[RELEASE_ENV] = saved


#: Commands that do not read a kept release (every other command accepts ``--release``).
_NO_RELEASE = frozenset({"sample", "ingest", "fetch", "releases", "diff"})


def _take_release(argv: list[str]) -> list[str]:
    """Turn ``--release NAME`` (any query command) into ``$ASYLUMSTATS_RELEASE``, which
    ``paths.resolve_db`` reads, so every command that opens the database honours it."""
    if not argv or argv[0] in _NO_RELEASE:
        return argv
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--release":
            if i + 1 >= len(argv):
                raise UserError(
                    "--release needs a release name or date (see 'asylumstats releases')."
                )
            os.environ[RELEASE_ENV] = argv[i + 1]
            i += 2
            continue
        if arg.startswith("--release="):
            os.environ[RELEASE_ENV] = arg.split("=", 1)[1]
        else:
            out.append(arg)
        i += 1
    return out


def _usage_error_types() -> tuple[type[BaseException], ...]:
    """Click's usage-error class and, on typer versions that bundle click, typer's copy."""
    import click

    types: list[type[BaseException]] = [click.ClickException]
    try:
        from typer._click.exceptions import ClickException as BundledClickException
    except ImportError:  # typer using the external click package
        pass
    else:
        types.append(BundledClickException)
    return tuple(types)
