"""Metrics: rate definitions, the dimension registry, filters, Wilson intervals, rates, profiles.

The public entry points (the single source for the CLI and the web API):
``rate_rows`` / ``rate_result``, ``judge_profile``, ``court_profile``, ``nationality_profile``,
with :class:`Filters` and the registries ``DIMENSIONS`` and ``DEFINITIONS``.

Each name is imported from its module on first use, so that importing one metric (``rate``
from the command line) does not import the others' libraries (NumPy for ``change``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asylumstats.metrics.change import ChangeResult, change_result, newcombe
    from asylumstats.metrics.definitions import DEFINITIONS, Definition, get_definition
    from asylumstats.metrics.dimensions import DIMENSIONS, Dimension, parse_dimensions
    from asylumstats.metrics.filters import Filters, Period
    from asylumstats.metrics.intervals import wilson
    from asylumstats.metrics.profiles import (
        PROFILES,
        court_profile,
        judge_profile,
        language_profile,
        nationality_profile,
    )
    from asylumstats.metrics.rates import RateResult, rate_result, rate_rows, row_fields

#: Each public name → the module (under ``asylumstats.metrics``) that defines it.
_HOMES: dict[str, str] = {
    **dict.fromkeys(("ChangeResult", "change_result", "newcombe"), "change"),
    **dict.fromkeys(("DEFINITIONS", "Definition", "get_definition"), "definitions"),
    **dict.fromkeys(("DIMENSIONS", "Dimension", "parse_dimensions"), "dimensions"),
    **dict.fromkeys(("Filters", "Period"), "filters"),
    "wilson": "intervals",
    **dict.fromkeys(
        (
            "PROFILES",
            "court_profile",
            "judge_profile",
            "language_profile",
            "nationality_profile",
        ),
        "profiles",
    ),
    **dict.fromkeys(("RateResult", "rate_result", "rate_rows", "row_fields"), "rates"),
}

__all__ = [
    "DEFINITIONS",
    "DIMENSIONS",
    "PROFILES",
    "ChangeResult",
    "Definition",
    "Dimension",
    "Filters",
    "Period",
    "RateResult",
    "change_result",
    "court_profile",
    "get_definition",
    "judge_profile",
    "language_profile",
    "nationality_profile",
    "newcombe",
    "parse_dimensions",
    "rate_result",
    "rate_rows",
    "row_fields",
    "wilson",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'asylumstats.metrics' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"asylumstats.metrics.{home}"), name)
    globals()[name] = value  # found directly next time
    return value
