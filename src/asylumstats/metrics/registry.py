"""The registry of metrics: every question asylumstats answers, where its function lives and
what it takes. The command line, the web app, the Python API and the benchmarks read it.

A metric function is loaded on first use (``load``), so a command that does not need a metric
does not import it (nor its heavier dependencies).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asylumstats.errors import UserError


@dataclass(frozen=True)
class Metric:
    """One metric: rows grouped by dimensions, or the profile of one entity."""

    name: str
    module: str
    function: str  # ``f(engine, …)`` returning a result (rows, fields, …) or a profile dict
    kind: str  # "rows" or "profile"
    summary: str
    takes_definition: bool = True
    options: tuple[str, ...] = ()  # parameters beyond the filters, ``by`` and ``definition``
    rows_function: str | None = None  # the plain-rows twin, e.g. ``rate_rows``

    def load(self) -> Callable[..., Any]:
        """The metric's function (imported now)."""
        module = importlib.import_module(self.module)
        return getattr(module, self.function)  # type: ignore[no-any-return]

    def available(self) -> bool:
        """Whether the metric exists in this installation."""
        try:
            return callable(self.load())
        except (ImportError, AttributeError):
            return False


_M = "asylumstats.metrics"

METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "rate", f"{_M}.rates", "rate_result", "rows", "Asylum grant rates by any dimensions",
            options=("period",), rows_function="rate_rows",
        ),
        Metric(
            "change", f"{_M}.change", "change_result", "rows",
            "The grant rate in a current period against a base period",
            options=("base", "current"),
        ),
        Metric(
            "appeals", f"{_M}.appeals", "appeals_result", "rows",
            "Appeals of asylum decisions to the BIA", rows_function="appeals_rows",
        ),
        Metric(
            "wait", f"{_M}.wait", "wait_result", "rows", "Days to an asylum decision",
            rows_function="wait_rows",
        ),
        Metric(
            "backlog", f"{_M}.backlog", "backlog_result", "rows", "Cases pending at a date",
            takes_definition=False, options=("at", "case_type"), rows_function="backlog_rows",
        ),
        Metric("judge", f"{_M}.profiles", "judge_profile", "profile", "A judge's profile"),
        Metric("court", f"{_M}.profiles", "court_profile", "profile", "A court's profile"),
        Metric(
            "nationality", f"{_M}.profiles", "nationality_profile", "profile",
            "A nationality's profile",
        ),
        Metric(
            "language", f"{_M}.profiles", "language_profile", "profile", "A language's profile"
        ),
    )
}  # fmt: skip

#: Row metrics shown beside rates (their own pages and ``/api/<name>``).
EXTRA_METRICS: tuple[str, ...] = ("appeals", "wait", "backlog")


def get_metric(name: str) -> Metric:
    """The metric called ``name``; unknown → :class:`UserError`."""
    if name not in METRICS:
        raise UserError(f"Unknown metric '{name}'; choose one of: {', '.join(METRICS)}.")
    return METRICS[name]
