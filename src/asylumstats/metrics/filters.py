"""The one parameter model: the filters of SPEC §2.2, parsed once for the CLI, the web pages,
the JSON API and the Python API.

A code filter takes one code or a comma list (any of them); a repeated parameter means the
same as a comma list. User input only ever reaches SQL as bound parameters; the column names
come from the dimension registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from asylumstats.errors import NotFoundError, UserError
from asylumstats.metrics.dimensions import DIMENSIONS
from asylumstats.sqlnames import quote_ident

if TYPE_CHECKING:
    from asylumstats.engines.base import Engine

#: Code filters: parameter (= dimension name) whose values are codes of the dimension.
CODE_FILTERS: tuple[str, ...] = (
    "judge",
    "court",
    "hearing_location",
    "nationality",
    "language",
    "custody",
)
#: Values of the ``asylum_type`` filter (SPEC §2.1).
ASYLUM_TYPES: tuple[str, ...] = ("affirmative", "defensive", "unknown")
#: Every filter parameter, in the documented order (SPEC §2.2).
FILTER_PARAMS: tuple[str, ...] = (
    *CODE_FILTERS,
    "represented",
    "asylum_type",
    "fy",
    "from",
    "to",
)
_YES = {"yes", "true", "1", "y"}
_NO = {"no", "false", "0", "n"}

RawValue = str | int | bool | dt.date | Iterable[Any] | None


def parse_date(text: str | dt.date | None, option: str = "date") -> dt.date | None:
    """A ``YYYY-MM-DD`` date (or None); anything else is a :class:`UserError`."""
    if text is None or isinstance(text, dt.date):
        return text.date() if isinstance(text, dt.datetime) else text
    value = str(text).strip()
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
    value = str(code).strip().upper()
    return value or None


def split_values(value: RawValue) -> list[str]:
    """The items of a comma list, a repeated parameter (a list) or a single value."""
    if value is None:
        return []
    if isinstance(value, str | int | bool | dt.date):
        items: list[Any] = [value]
    else:
        items = list(value)
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, bool):
            out.append("yes" if item else "no")
            continue
        out += [part.strip() for part in str(item).split(",") if part.strip()]
    return out


def parse_codes(value: RawValue) -> tuple[str, ...]:
    """Codes from a comma list or list, normalised, deduplicated, in the order given."""
    out: list[str] = []
    for part in split_values(value):
        code = normalise_code(part)
        if code and code not in out:
            out.append(code)
    return tuple(out)


def parse_represented(value: RawValue) -> bool | None:
    """``yes``/``no`` (also true/false, 1/0) → bool; nothing → None."""
    parts = split_values(value)
    if not parts:
        return None
    wanted = {p.lower() for p in parts}
    if len(wanted) > 1 or not wanted <= _YES | _NO:
        raise UserError(f"Bad represented value '{','.join(parts)}'; use yes or no.")
    return wanted.pop() in _YES


def parse_asylum_types(value: RawValue) -> tuple[str, ...]:
    """Asylum types from a comma list (affirmative, defensive, unknown)."""
    out: list[str] = []
    for part in split_values(value):
        name = part.lower()
        if name not in ASYLUM_TYPES:
            raise UserError(
                f"Bad asylum type '{part}'; use one or more of: {', '.join(ASYLUM_TYPES)}."
            )
        if name not in out:
            out.append(name)
    return tuple(out)


def parse_fy(value: RawValue) -> int | None:
    """A fiscal year such as 2024 (or None)."""
    parts = split_values(value)
    if not parts:
        return None
    if len(parts) > 1:
        raise UserError(f"Give one fiscal year, not '{','.join(parts)}'; use --from/--to for more.")
    try:
        year = int(parts[0])
    except ValueError:
        raise UserError(f"Bad fiscal year '{parts[0]}'; use a year such as 2024.") from None
    if not 1900 <= year <= 2200:
        raise UserError(f"Bad fiscal year '{parts[0]}'; use a year such as 2024.")
    return year


def _one(value: RawValue) -> Any:
    parts = split_values(value) if not isinstance(value, dt.date) else [value]
    if len(parts) > 1:
        raise UserError(f"Give one date, not '{','.join(str(p) for p in parts)}'.")
    return parts[0] if parts else None


@dataclass(frozen=True)
class Filters:
    """Row filters (SPEC §2.2). Code filters hold tuples (any of the codes matches);
    ``date_from``/``date_to`` are inclusive and apply to the decision date.

    ``fiscal_years`` and ``not_judges`` are internal: the honest comparisons of a profile
    (a judge's fiscal years; the court without the judge) use them, users cannot set them.
    """

    fy: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    judge: tuple[str, ...] = ()
    court: tuple[str, ...] = ()
    nationality: tuple[str, ...] = ()
    hearing_location: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    custody: tuple[str, ...] = ()
    represented: bool | None = None
    asylum_type: tuple[str, ...] = ()
    fiscal_years: tuple[int, ...] | None = None
    not_judges: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A code given as a plain string (``Filters(judge="ABC")``) or list becomes a tuple.
        for name in (*CODE_FILTERS, "not_judges"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, parse_codes(value))
        if not isinstance(self.asylum_type, tuple):
            object.__setattr__(self, "asylum_type", parse_asylum_types(self.asylum_type))

    @classmethod
    def parse(
        cls,
        fy: RawValue = None,
        date_from: RawValue = None,
        date_to: RawValue = None,
        judge: RawValue = None,
        court: RawValue = None,
        nationality: RawValue = None,
        *,
        hearing_location: RawValue = None,
        language: RawValue = None,
        custody: RawValue = None,
        represented: RawValue = None,
        asylum_type: RawValue = None,
    ) -> Filters:
        """Validate and normalise raw user input (CLI options, query parameters, keywords)."""
        start = parse_date(_one(date_from), "--from date")
        end = parse_date(_one(date_to), "--to date")
        if start and end and start > end:
            raise UserError(f"The --from date {start} is after the --to date {end}.")
        return cls(
            fy=parse_fy(fy),
            date_from=start,
            date_to=end,
            judge=parse_codes(judge),
            court=parse_codes(court),
            hearing_location=parse_codes(hearing_location),
            nationality=parse_codes(nationality),
            language=parse_codes(language),
            custody=parse_codes(custody),
            represented=parse_represented(represented),
            asylum_type=parse_asylum_types(asylum_type),
        )

    @classmethod
    def from_params(cls, params: Mapping[str, RawValue]) -> Filters:
        """From web-style parameter names (``from``, ``to``, ``hearing_location``, …)."""
        return cls.parse(
            params.get("fy"),
            params.get("from"),
            params.get("to"),
            params.get("judge"),
            params.get("court"),
            params.get("nationality"),
            hearing_location=params.get("hearing_location"),
            language=params.get("language"),
            custody=params.get("custody"),
            represented=params.get("represented"),
            asylum_type=params.get("asylum_type"),
        )

    def without(self, *names: str) -> Filters:
        """A copy with the named filters cleared."""
        empty = {
            n: (() if isinstance(getattr(self, n), tuple) and n != "fiscal_years" else None)
            for n in names
        }
        return replace(self, **empty)

    def narrowed(self, **changes: Any) -> Filters:
        """A copy with some filters replaced (codes as one code or a tuple)."""
        fixed = {k: ((v,) if isinstance(v, str) else v) for k, v in changes.items()}
        return replace(self, **fixed)

    def codes(self) -> dict[str, tuple[str, ...]]:
        """The code filters that are set: dimension name → codes."""
        return {dim: getattr(self, dim) for dim in CODE_FILTERS if getattr(self, dim)}

    def with_window(self, start: dt.date | None, end: dt.date | None) -> Filters:
        """These filters within the window ``start..end`` too (the intersection)."""
        lo = max((d for d in (self.date_from, start) if d), default=None)
        hi = min((d for d in (self.date_to, end) if d), default=None)
        return replace(self, date_from=lo, date_to=hi)

    def conditions(
        self, date_column: str = "decision_date", fy_column: str = "fiscal_year"
    ) -> tuple[list[str], list[Any]]:
        """``(conditions, params)``: SQL predicates with ``?`` placeholders."""
        parts: list[str] = []
        params: list[Any] = []
        if self.fy is not None:
            parts.append(f"{fy_column} = ?")
            params.append(self.fy)
        if self.fiscal_years is not None:
            if self.fiscal_years:
                parts.append(f"{fy_column} IN ({', '.join('?' for _ in self.fiscal_years)})")
                params += list(self.fiscal_years)
            else:
                parts.append("1 = 0")
        if self.date_from is not None:
            parts.append(f"{date_column} >= ?")
            params.append(self.date_from)
        if self.date_to is not None:
            parts.append(f"{date_column} <= ?")
            params.append(self.date_to)
        for dim, codes in self.codes().items():
            column = quote_ident(DIMENSIONS[dim].code_column)
            if len(codes) == 1:
                parts.append(f"{column} = ?")
            else:
                parts.append(f"{column} IN ({', '.join('?' for _ in codes)})")
            params += list(codes)
        if self.not_judges:
            column = quote_ident(DIMENSIONS["judge"].code_column)
            marks = ", ".join("?" for _ in self.not_judges)
            parts.append(f"({column} IS NULL OR {column} NOT IN ({marks}))")
            params += list(self.not_judges)
        if self.represented is not None:
            parts.append(f"{quote_ident('represented')} = ?")
            params.append(self.represented)
        if self.asylum_type:
            marks = ", ".join("?" for _ in self.asylum_type)
            parts.append(f"{quote_ident('asylum_type')} IN ({marks})")
            params += list(self.asylum_type)
        return parts, params

    def where(
        self, date_column: str = "decision_date", fy_column: str = "fiscal_year"
    ) -> tuple[str, list[Any]]:
        """``(sql, params)``: a WHERE clause (or ``""``) with ``?`` placeholders."""
        parts, params = self.conditions(date_column, fy_column)
        return (("WHERE " + " AND ".join(parts)) if parts else ""), params

    def describe(self) -> str:
        """A short human-readable summary (for table captions)."""
        bits = []
        if self.fy is not None:
            bits.append(f"FY{self.fy} (Oct {self.fy - 1}-Sep {self.fy})")
        if self.fiscal_years is not None:
            years = sorted(self.fiscal_years)
            bits.append(f"FY{years[0]}-FY{years[-1]}" if years else "no fiscal year")
        if self.date_from or self.date_to:
            bits.append(f"decided {self.date_from or '…'} to {self.date_to or '…'}")
        for dim, codes in self.codes().items():
            bits.append(f"{dim.replace('_', ' ')} {'/'.join(codes)}")
        if self.not_judges:
            bits.append(f"judge {'/'.join(self.not_judges)} excluded")
        if self.represented is not None:
            bits.append("represented" if self.represented else "not represented")
        if self.asylum_type:
            bits.append("/".join(self.asylum_type))
        return ", ".join(bits) if bits else "all decisions"

    def as_params(self) -> dict[str, str]:
        """The user-settable filters as query parameters (comma lists), only those set."""
        out: dict[str, str] = {}
        for name, value in self.as_dict().items():
            if value is not None:
                out[name] = str(value)
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form: every filter parameter, a comma list or null."""
        out: dict[str, Any] = {
            "fy": self.fy,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        for dim in CODE_FILTERS:
            codes = getattr(self, dim)
            out[dim] = ",".join(codes) if codes else None
        out["represented"] = (
            None if self.represented is None else ("yes" if self.represented else "no")
        )
        out["asylum_type"] = ",".join(self.asylum_type) if self.asylum_type else None
        return out


def known_codes(engine: Engine, dimension: str, table: str = "asylum_decisions") -> frozenset[str]:
    """Every code of ``dimension`` in the release: its lookup and the data (cached per engine)."""
    memo = engine.memo
    key = ("codes", dimension, table)
    if key not in memo:
        dim = DIMENSIONS[dimension]
        col = quote_ident(dim.code_column)
        sql = f"SELECT DISTINCT {col} FROM {quote_ident(table)} WHERE {col} IS NOT NULL"
        lookup = dim.lookup
        if lookup is not None and lookup.code in engine.table_columns(lookup.table):
            sql += (
                f" UNION SELECT DISTINCT upper(trim({quote_ident(lookup.code)})) "
                f"FROM {quote_ident(lookup.table)}"
            )
        memo[key] = frozenset(r[0] for r in engine.query(sql).rows if r[0] is not None)
    return memo[key]  # type: ignore[no-any-return]


def code_exists(engine: Engine, dimension: str, code: str, table: str = "asylum_decisions") -> bool:
    """Whether ``code`` is a code of ``dimension`` in the release (its lookup or the data)."""
    return code in known_codes(engine, dimension, table)


def check_codes(engine: Engine, filters: Filters, table: str = "asylum_decisions") -> None:
    """Raise :class:`NotFoundError` for a code filter that is not a code of the release."""
    for dim, codes in filters.codes().items():
        for code in codes:
            if not code_exists(engine, dim, code, table):
                raise NotFoundError(
                    f"Unknown {dim.replace('_', ' ')} code '{code}': it is not in this release."
                )


@dataclass(frozen=True)
class Period:
    """A period of decision dates, both ends inclusive; either end may be open (SPEC §2.3)."""

    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        """``START..END`` with ``YYYY-MM-DD`` dates, either side empty (open)."""
        if isinstance(text, Period):
            return text
        value = (text or "").strip()
        if ".." not in value:
            raise UserError(
                f"Bad period '{text}'; use START..END with dates YYYY-MM-DD, e.g. 2025-01-01.."
            )
        left, right = value.split("..", 1)
        start = parse_date(left, "period start")
        end = parse_date(right, "period end")
        if start and end and start > end:
            raise UserError(f"The period {value} starts after it ends.")
        return cls(start, end)

    @property
    def label(self) -> str:
        """``YYYY-MM-DD..YYYY-MM-DD``, an open side left empty."""
        start = self.start.isoformat() if self.start else ""
        end = self.end.isoformat() if self.end else ""
        return f"{start}..{end}"

    def __str__(self) -> str:
        return self.label


def parse_periods(values: RawValue) -> tuple[Period, ...]:
    """Periods from a list (or one string); duplicates dropped, order kept."""
    if values is None:
        return ()
    items = [values] if isinstance(values, str | Period) else list(values)  # type: ignore[arg-type]
    out: list[Period] = []
    for item in items:
        period = Period.parse(item)
        if period not in out:
            out.append(period)
    return tuple(out)
