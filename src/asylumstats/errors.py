"""User-facing errors: raised for bad input, printed by the CLI as one sentence, no traceback."""


class UserError(Exception):
    """An error caused by the user's input (missing file, bad code, bad date, ...).

    The message is a single clear sentence; the CLI prints it to stderr and exits non-zero.
    """

    exit_code: int = 2


class NotFoundError(UserError):
    """An unknown judge, court, nationality or other code (HTTP 404 in the web API)."""

    exit_code = 3


class DatabaseError(UserError):
    """The database file cannot be used: not a DuckDB file, another program's database, or one
    built by an older asylumstats. The CLI prints the sentence; the web app, where the database
    is the server's business, answers 500 without it (it names a path on the server)."""

    exit_code = 2
