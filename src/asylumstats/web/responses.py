"""JSON responses rendered exactly as the command line's ``--format json`` prints them.

``/api/rates`` and ``asylumstats rate --format json`` then agree byte for byte (same
separators, non-ASCII kept, dates as ISO strings, a final newline), not only as parsed objects.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi.responses import JSONResponse


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


class CliJSONResponse(JSONResponse):
    """``json.dumps(content, ensure_ascii=False)`` plus a newline, as the CLI prints."""

    def render(self, content: Any) -> bytes:
        return (json.dumps(content, default=_json_default, ensure_ascii=False) + "\n").encode()
