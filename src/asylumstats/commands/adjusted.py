"""``rate --adjust`` (adjusted judge/court rates, SPEC §2.4) and ``rate --cluster-family``
(intervals clustered on the family) on the command line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asylumstats.commands._output import display, interval, new_table, pct, print_result
from asylumstats.commands.options import EngineName, OutputFormat, run_on
from asylumstats.metrics.adjust import AdjustedRateResult, adjusted_rate_result
from asylumstats.metrics.definitions import Definition
from asylumstats.metrics.dimensions import key_columns
from asylumstats.metrics.filters import Filters

if TYPE_CHECKING:
    from rich.table import Table


def _p(value: float | None) -> str:
    return "—" if value is None else (f"{value:.3f}" if value >= 0.001 else "<0.001")


def adjusted_table(result: AdjustedRateResult, caption: str) -> Table:
    """Raw and adjusted rates side by side (and the court's other judges for judges)."""
    judges = result.key == "judge_code"
    keys = key_columns(result.by)
    table = new_table(
        title=f"Asylum grant rate ({result.definition.name}), raw and adjusted for case mix",
        caption=caption,
        caption_justify="left",
    )
    for k in keys:
        table.add_column(k)
    heads = ["decisions", "raw rate", "95% CI", "adjusted", "95% CI"]
    if judges:
        heads += ["court's others", "p", "q"]
    for h in heads:
        table.add_column(h, justify="right")
    table.add_column("note")
    for r in result.rows:
        cells = [
            str(r["decisions"]),
            pct(r["grant_rate"]),
            interval(r["ci_low"], r["ci_high"]),
            pct(r["adjusted_rate"]),
            interval(r["adjusted_ci_low"], r["adjusted_ci_high"]),
        ]
        if judges:
            cells += [pct(r["court_others_rate"]), _p(r["p_value"]), _p(r["q_value"])]
        table.add_row(
            *(display(r[k]) for k in keys),
            *cells,
            "<25 decisions" if r["small_sample"] else "",
        )
    return table


def print_adjusted(
    db: Path | None,
    engine: EngineName,
    by: str | Sequence[str] | None,
    filters: Filters,
    definition: Definition,
    fmt: OutputFormat,
    caption: Callable[[Any], str],
) -> None:
    """Compute and print ``rate --adjust``."""
    result = run_on(db, engine, adjusted_rate_result, by, filters, definition)
    note = (
        f" Adjusted for {', '.join(result.rows[0]['adjusted_for']) if result.rows else '-'}"
        " (partial pooling toward the court, standardized to the mix of all decisions of the"
        " query; see the methodology). p: two-proportion test against the court's other"
        " judges; q: Benjamini-Hochberg over the judges listed."
    )
    print_result(result, fmt, lambda: adjusted_table(result, caption(result) + note))


def clustered_table(result: Any, caption: str) -> Table:
    """Rates with the Wilson and the family-clustered intervals side by side."""
    keys = key_columns(result.by)
    table = new_table(
        title=f"Asylum grant rate ({result.definition.name}), intervals clustered on the family",
        caption=caption,
        caption_justify="left",
    )
    for k in keys:
        table.add_column(k)
    for h in ("decisions", "families", "grant rate", "Wilson 95% CI", "clustered 95% CI", "deff"):
        table.add_column(h, justify="right")
    for r in result.rows:
        deff = r["design_effect"]
        table.add_row(
            *(display(r[k]) for k in keys),
            str(r["decisions"]),
            str(r["families"]),
            pct(r["grant_rate"]),
            interval(r["ci_low"], r["ci_high"]),
            interval(r["cluster_ci_low"], r["cluster_ci_high"]),
            "—" if deff is None else f"{deff:.2f}",
        )
    return table


def print_clustered(
    db: Path | None,
    engine: EngineName,
    by: str | Sequence[str] | None,
    filters: Filters,
    definition: Definition,
    fmt: OutputFormat,
    caption: Callable[[Any], str],
) -> None:
    """Compute and print ``rate --cluster-family``."""
    from asylumstats.metrics.cluster import clustered_rate_result

    result = run_on(db, engine, clustered_rate_result, by, filters, definition)
    note = (
        " Clustered: cluster-robust (linearization) interval with the families (a lead case and"
        " its riders) as clusters; deff = its variance over the binomial one."
    )
    print_result(result, fmt, lambda: clustered_table(result, caption(result) + note))
