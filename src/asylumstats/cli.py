"""The ``asylumstats`` command line: one Typer app, commands registered from ``commands/``.

Every command reports user errors as one sentence on stderr with a non-zero exit status and
no traceback; Ctrl-C exits with status 130.
"""

from __future__ import annotations

import sys

import typer

from asylumstats.errors import UserError

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
    "export",
    "serve",
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
    try:
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
