"""Metrics: rate definitions, the dimension registry, filters, Wilson intervals, rates, profiles.

The public entry points (the single source for the CLI and the web API):
``rate_rows`` / ``rate_result``, ``judge_profile``, ``court_profile``, ``nationality_profile``,
with :class:`Filters` and the registries ``DIMENSIONS`` and ``DEFINITIONS``.
"""

from __future__ import annotations

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

__all__ = [
    "DEFINITIONS",
    "DIMENSIONS",
    "PROFILES",
    "ChangeResult",
    "Period",
    "change_result",
    "language_profile",
    "newcombe",
    "Definition",
    "Dimension",
    "Filters",
    "RateResult",
    "court_profile",
    "get_definition",
    "judge_profile",
    "nationality_profile",
    "parse_dimensions",
    "rate_result",
    "rate_rows",
    "row_fields",
    "wilson",
]
