"""The ``asylumstats`` command line: one Typer app, commands registered from ``commands/``.

Every command reports user errors as one sentence on stderr with a non-zero exit status and
no traceback. Ctrl-C (SIGINT) exits with status 130 and SIGTERM with 143, each with one line:
both signals raise :class:`KeyboardInterrupt` in the main thread, so every ``finally`` (the
removal of ingest's temporary database among them) runs first, and whatever exception the
interrupt turns into on its way up (DuckDB's, Click's abort) is reported the same way.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

import typer

from asylumstats.errors import UserError

app = typer.Typer(
    name="asylumstats",
    help="Asylum outcomes in US immigration courts, from EOIR's public case-data release.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


#: Each command → the module under ``asylumstats.commands`` that registers it; ``--help`` lists
#: the modules in this order: the data's path, then the questions.
COMMANDS: dict[str, str] = {
    "sample": "sample",
    "ingest": "ingest",
    "rate": "rate",
    "change": "change",
    **dict.fromkeys(("judge", "court", "nationality", "language"), "profiles"),
    **dict.fromkeys(("appeals", "wait", "backlog"), "appeals"),
    "cohorts": "cohorts",
    "export": "export",
    "serve": "serve",
    "fetch": "fetch",
    "releases": "releases",
    "diff": "diff",
    "validate": "validate",
    "report": "report",
}

#: Command modules in ``--help``'s order.
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))


def _version(value: bool) -> None:
    if value:
        from asylumstats import __version__

        typer.echo(f"asylumstats {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """Asylum outcomes in US immigration courts, from EOIR's public case-data release."""


def _register(args: list[str]) -> None:
    """Import the command modules ``args`` needs: importing one registers its commands on
    ``app``. A command's run imports only its own module (and that module imports its heavy
    libraries where it uses them); ``--help``, an unknown command or none import them all,
    so that the listing and the suggestions are complete; ``--version`` imports none."""
    import importlib

    first = args[0] if args else None
    if first in COMMANDS:
        modules: tuple[str, ...] = (COMMANDS[first],)
    elif first == "--version":
        modules = ()
    else:
        modules = COMMAND_MODULES
    for name in modules:
        importlib.import_module(f"asylumstats.commands.{name}")


_received: list[int] = []  # signals received by this process


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if not _received:
        _received.append(signum)
        raise KeyboardInterrupt
    # A second signal while cleaning up: let the cleanup finish.


def _install_signal_handlers() -> dict[int, object]:
    """Install :func:`_on_signal`; return the previous handlers (restored by ``main``)."""
    previous: dict[int, object] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) == signal.SIG_IGN:
            continue  # ignored by whoever started us (nohup, a background job): keep it so
        try:
            previous[sig] = signal.signal(sig, _on_signal)
        except (ValueError, OSError):  # pragma: no cover - not the main thread
            pass
    return previous


#: True while running as the ``asylumstats`` program (not called in-process with ``argv``).
_standalone: list[bool] = [False]


def _interrupted() -> None:
    signum = _received[0] if _received else signal.SIGINT
    what = "terminated" if signum == signal.SIGTERM else "interrupted"
    print(f"asylumstats: {what}.", file=sys.stderr)
    if _standalone[0]:
        # Temporaries are already removed. Leave without the interpreter's shutdown: a helper
        # thread still inside native code (a decompressor, a parser) would be unwound by it
        # and abort the process instead of exiting with the signal's status.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + signum)
    sys.exit(128 + signum)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    _standalone[0] = argv is None
    _received.clear()
    previous = _install_signal_handlers()
    try:
        _run(argv)
    finally:  # when called in-process (tests), leave the caller's state as it was
        for sig, handler in previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]


def _run(argv: list[str] | None) -> None:
    args = sys.argv[1:] if argv is None else argv
    try:
        _register(args)
        app(args=args, standalone_mode=False)
    except KeyboardInterrupt:
        _interrupted()
    except UserError as exc:
        if _received:
            _interrupted()
        print(f"asylumstats: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        if _received:
            _interrupted()
        sys.exit(exc.exit_code)
    except typer.Abort:
        if _received or isinstance(exc_context(), KeyboardInterrupt):
            _interrupted()
        print("asylumstats: aborted.", file=sys.stderr)
        sys.exit(1)
    except OSError as exc:  # a file the command needed could not be read or written
        if _received:
            _interrupted()
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"asylumstats: {exc.strerror or exc}{where}.", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # usage errors (bad option value, unknown option, ...)
        if _received:
            _interrupted()
        usage_error = _usage_error_types()
        if isinstance(exc, usage_error):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(getattr(exc, "exit_code", 2))
        raise
    if _received:  # a signal swallowed on the way (e.g. by a library): still not a success
        _interrupted()


def exc_context() -> BaseException | None:
    """The exception being handled's cause or context."""
    exc = sys.exc_info()[1]
    return None if exc is None else (exc.__cause__ or exc.__context__)


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
