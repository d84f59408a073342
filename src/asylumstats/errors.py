"""User-facing errors: raised for bad input, printed by the CLI as one sentence, no traceback."""


class UserError(Exception):
    """An error caused by the user's input (missing file, bad code, bad date, ...).

    The message is a single clear sentence; the CLI prints it to stderr and exits non-zero.
    """

    exit_code: int = 2


class NotFoundError(UserError):
    """An unknown judge, court, nationality or other code (HTTP 404 in the web API)."""

    exit_code = 3
