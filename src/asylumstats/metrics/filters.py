"""Filters shared by every metric: fiscal year, decision-date window, judge, court, nationality.

User input only ever reaches SQL as bound parameters; the column names come from the
dimension registry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from asylumstats.errors import NotFoundError, UserError
from asylumstats.metrics.dimensions import DIMENSIONS

#: Code filters: attribute → dimension name.
CODE_FILTERS: dict[str, str] = {"judge": "judge", "court": "court", "nationality": "nationality"}


def parse_date(text: str | dt.date | None, option: str = "date") -> dt.date | None:
    """A ``YYYY-MM-DD`` date (or None); anything else is a :class:`UserError`."""
    if text is None or isinstance(text, dt.date):
        return text
    value = text.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"Bad {option} '{text}'; use YYYY-MM-DD, e.g. 2024-10-01.") from None


def normalise_code(code: str | None) -> str | None:
    """A code as stored: trimmed, upper-case; blank → None."""
    if code is None:
        return None
    value = code.strip().upper()
    return value or None


@dataclass(frozen=True)
class Filters:
    """Row filters. ``date_from``/``date_to`` are inclusive and apply to the decision date."""

    fy: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    judge: str | None = None
    court: str | None = None
    nationality: str | None = None

    @classmethod
    def parse(
        cls,
        fy: int | str | None = None,
        date_from: str | dt.date | None = None,
        date_to: str | dt.date | None = None,
        judge: str | None = None,
        court: str | None = None,
        nationality: str | None = None,
    ) -> Filters:
        """Validate and normalise raw user input (CLI options, API query parameters)."""
        year: int | None
        if fy is None or (isinstance(fy, str) and not fy.strip()):
            year = None
        else:
            try:
                year = int(fy)
            except (TypeError, ValueError):
                raise UserError(f"Bad fiscal year '{fy}'; use a year such as 2024.") from None
            if not 1900 <= year <= 2200:
                raise UserError(f"Bad fiscal year '{fy}'; use a year such as 2024.")
        start = parse_date(date_from, "--from date")
        end = parse_date(date_to, "--to date")
        if start and end and start > end:
            raise UserError(f"The --from date {start} is after the --to date {end}.")
        return cls(
            year,
            start,
            end,
            normalise_code(judge),
            normalise_code(court),
            normalise_code(nationality),
        )

    def without(self, *names: str) -> Filters:
        """A copy with the named filters cleared."""
        return replace(self, **dict.fromkeys(names))

    def codes(self) -> dict[str, str]:
        """The code filters that are set: dimension name → code."""
        return {
            dim: getattr(self, attr) for attr, dim in CODE_FILTERS.items() if getattr(self, attr)
        }

    def where(
        self, date_column: str = "decision_date", fy_column: str = "fiscal_year"
    ) -> tuple[str, list[Any]]:
        """``(sql, params)``: a WHERE clause (or ``""``) with ``?`` placeholders."""
        parts: list[str] = []
        params: list[Any] = []
        if self.fy is not None:
            parts.append(f"{fy_column} = ?")
            params.append(self.fy)
        if self.date_from is not None:
            parts.append(f"{date_column} >= ?")
            params.append(self.date_from)
        if self.date_to is not None:
            parts.append(f"{date_column} <= ?")
            params.append(self.date_to)
        for dim, code in self.codes().items():
            parts.append(f"{DIMENSIONS[dim].code_column} = ?")
            params.append(code)
        return (("WHERE " + " AND ".join(parts)) if parts else ""), params

    def describe(self) -> str:
        """A short human-readable summary (for table captions)."""
        bits = []
        if self.fy is not None:
            bits.append(f"FY{self.fy} (Oct {self.fy - 1}-Sep {self.fy})")
        if self.date_from or self.date_to:
            bits.append(f"decided {self.date_from or '…'} to {self.date_to or '…'}")
        for dim, code in self.codes().items():
            bits.append(f"{dim} {code}")
        return ", ".join(bits) if bits else "all decisions"

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "fy": self.fy,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "judge": self.judge,
            "court": self.court,
            "nationality": self.nationality,
        }


def known_codes(engine: Any, dimension: str, table: str = "asylum_decisions") -> frozenset[str]:
    """Every code of ``dimension`` in the release: its lookup and the data (cached per engine)."""
    memo = getattr(engine, "memo", {})
    key = ("codes", dimension, table)
    if key not in memo:
        dim = DIMENSIONS[dimension]
        sql = f"SELECT DISTINCT {dim.code_column} FROM {table} WHERE {dim.code_column} IS NOT NULL"
        lookup = dim.lookup
        if lookup is not None and lookup.code in engine.table_columns(lookup.table):
            sql += f" UNION SELECT DISTINCT upper(trim({lookup.code})) FROM {lookup.table}"
        memo[key] = frozenset(r[0] for r in engine.query(sql).rows if r[0] is not None)
    return memo[key]


def code_exists(engine: Any, dimension: str, code: str, table: str = "asylum_decisions") -> bool:
    """Whether ``code`` is a code of ``dimension`` in the release (its lookup or the data)."""
    return code in known_codes(engine, dimension, table)


def check_codes(engine: Any, filters: Filters, table: str = "asylum_decisions") -> None:
    """Raise :class:`NotFoundError` for a code filter that is not a code of the release."""
    for dim, code in filters.codes().items():
        if not code_exists(engine, dim, code, table):
            raise NotFoundError(f"Unknown {dim} code '{code}': it is not in this release.")
