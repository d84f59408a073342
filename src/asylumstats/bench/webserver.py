"""The web benchmark's server: ``create_app(db)`` under uvicorn on 127.0.0.1 only.

``python -m asylumstats.bench.webserver DB PORT`` — started and stopped by the benchmark.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    from asylumstats.web.app import create_app

    args = sys.argv[1:] if argv is None else argv
    db, port = args[0], int(args[1])
    app = create_app(db)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
