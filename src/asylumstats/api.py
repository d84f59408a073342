"""The Python API: the same metrics, filters and numbers as the command line and the web app.

>>> import asylumstats
>>> db = asylumstats.open("eoir.duckdb")
>>> res = db.rate(by="judge", nationality="CH", period=["2010-01-01..2024-12-31", "2025-01-01.."])
>>> res.to_pandas().head()

Every method takes the filters of SPEC §2.2 as keywords (``judge``, ``court``,
``hearing_location``, ``nationality``, ``language``, ``custody`` — a code, a comma list or a
list —, ``represented`` (True/False or "yes"/"no"), ``asylum_type``, ``fy``, ``date_from``,
``date_to``; ``from``/``to`` work too, as ``**{"from": ...}``). Row metrics return a
:class:`Result` (rows, fields, definition, window, release; ``to_arrow()``, ``to_pandas()``);
profiles return a :class:`Profile` (a dict, with its tables as results).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asylumstats.engines import open_engine
from asylumstats.errors import UserError
from asylumstats.metrics.filters import FILTER_PARAMS, Filters
from asylumstats.metrics.query import release_info
from asylumstats.metrics.registry import METRICS
from asylumstats.paths import resolve_db

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from asylumstats.engines.base import Engine

#: Keyword names of the filters (``from``/``to`` also as ``date_from``/``date_to``).
FILTER_KEYWORDS: tuple[str, ...] = (
    *(p for p in FILTER_PARAMS if p not in ("from", "to")),
    "date_from",
    "date_to",
)


def filters_from(keywords: dict[str, Any]) -> Filters:
    """The filters among ``keywords`` (removed from it); an unknown keyword is an error."""
    raw: dict[str, Any] = {}
    for name in list(keywords):
        key = {"from": "date_from", "to": "date_to"}.get(name, name)
        if key in FILTER_KEYWORDS:
            raw[key] = keywords.pop(name)
    if keywords:
        raise UserError(
            f"Unknown keyword {', '.join(repr(k) for k in keywords)}; the filters are: "
            f"{', '.join(FILTER_KEYWORDS)}."
        )
    return Filters.parse(
        raw.pop("fy", None), raw.pop("date_from", None), raw.pop("date_to", None), **raw
    )


@dataclass
class Result:
    """Rows of a metric and what a reader needs to cite them."""

    metric: str
    rows: list[dict[str, Any]]
    fields: list[str]
    definition: str | None
    filters: dict[str, Any]
    window: dict[str, str | None] = field(default_factory=dict)
    release: dict[str, str] = field(default_factory=dict)
    excluded_implausible: int = 0

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.rows[index]

    def to_arrow(self) -> pa.Table:
        """The rows as a pyarrow Table (columns in ``fields`` order; metadata: definition,
        window, release)."""
        import json

        import pyarrow as pa

        if self.rows:
            table = pa.Table.from_pylist([{f: r.get(f) for f in self.fields} for r in self.rows])
        else:
            table = pa.table({f: pa.array([], pa.null()) for f in self.fields})
        meta = {
            "metric": self.metric,
            "definition": self.definition or "",
            "filters": json.dumps(self.filters),
            "window": json.dumps(self.window),
            "release": json.dumps(self.release),
        }
        return table.replace_schema_metadata(meta)

    def to_pandas(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame (needs pandas); ``attrs`` carry the citation."""
        frame = self.to_arrow().to_pandas()
        frame.attrs.update(
            metric=self.metric,
            definition=self.definition,
            filters=self.filters,
            window=self.window,
            release=self.release,
        )
        return frame


class Profile(dict[str, Any]):
    """A profile (the dict of ``asylumstats judge … --format json``); ``table(name)`` gives
    one of its lists (``by_fiscal_year``, ``top_nationalities``, …) as a :class:`Result`."""

    def table(self, name: str) -> Result:
        rows = self.get(name)
        if not isinstance(rows, list):
            tables = [k for k, v in self.items() if isinstance(v, list) and v]
            raise UserError(f"No table '{name}' in this profile; it has: {', '.join(tables)}.")
        flat = []
        for r in rows:
            row: dict[str, Any] = {}
            for k, v in r.items():
                if isinstance(v, dict):
                    row.update({f"{k}_{kk}": vv for kk, vv in v.items()})
                else:
                    row[k] = v
            flat.append(row)
        fields = list(dict.fromkeys(k for r in flat for k in r))
        return Result(
            f"{self['profile']}.{name}",
            flat,
            fields,
            self.get("definition"),
            self.get("filters", {}),
            self.get("window", {}),
            {"release_date": self.get("release_date") or ""},
            self.get("excluded_implausible", 0),
        )


def _result(name: str, res: Any) -> Result:
    window = getattr(res, "window", None)
    if not isinstance(window, dict):
        first, last = getattr(res, "first_decision", None), getattr(res, "last_decision", None)
        window = {
            "first_decision": first.isoformat() if first else None,
            "last_decision": last.isoformat() if last else None,
        }
    d = getattr(res, "definition", None)
    return Result(
        name,
        list(res.rows),
        list(res.fields),
        getattr(d, "name", d),
        res.filters.as_dict(),
        window,
        dict(res.release),
        getattr(res, "excluded_implausible", 0),
    )


class Database:
    """An asylumstats database opened read-only (DuckDB, or Spark with ``engine="spark"``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- row metrics --------------------------------------------------------------------------

    def rate(
        self,
        by: str | Sequence[str] | None = None,
        *,
        definition: str = "merits",
        period: str | Sequence[str] | None = None,
        **filters: Any,
    ) -> Result:
        """Grant rates grouped by ``by`` (as ``asylumstats rate``); ``period`` one or more
        ``START..END`` periods, each computed on its own."""
        f = filters_from(filters)
        periods = [period] if isinstance(period, str) else period
        res = METRICS["rate"].load()(self.engine, by, f, definition, True, periods)
        return _result("rate", res)

    def change(
        self,
        base: str,
        current: str,
        by: str | Sequence[str] | None = None,
        *,
        definition: str = "merits",
        **filters: Any,
    ) -> Result:
        """The rate in ``current`` against ``base`` (as ``asylumstats change``)."""
        f = filters_from(filters)
        res = METRICS["change"].load()(self.engine, base, current, by, f, definition)
        return _result("change", res)

    def appeals(
        self, by: str | Sequence[str] | None = None, *, definition: str = "merits", **filters: Any
    ) -> Result:
        """Appeals of asylum decisions to the BIA (as ``asylumstats appeals``)."""
        f = filters_from(filters)
        return _result("appeals", METRICS["appeals"].load()(self.engine, by, f, definition))

    def wait(
        self, by: str | Sequence[str] | None = None, *, definition: str = "merits", **filters: Any
    ) -> Result:
        """Days to an asylum decision (as ``asylumstats wait``)."""
        f = filters_from(filters)
        return _result("wait", METRICS["wait"].load()(self.engine, by, f, definition))

    def backlog(
        self,
        by: str | Sequence[str] | None = None,
        *,
        at: str | None = None,
        case_type: str | None = None,
        **filters: Any,
    ) -> Result:
        """Cases pending at a date (as ``asylumstats backlog``)."""
        f = filters_from(filters)
        res = METRICS["backlog"].load()(self.engine, by, f, at, case_type)
        return _result("backlog", res)

    # -- profiles -----------------------------------------------------------------------------

    def _profile(self, kind: str, query: str, definition: str, filters: dict[str, Any]) -> Profile:
        f = filters_from(filters)
        return Profile(METRICS[kind].load()(self.engine, query, definition, f))

    def judge(self, query: str, *, definition: str = "merits", **filters: Any) -> Profile:
        """A judge (code or name) against the other judges of the main court and the nation."""
        return self._profile("judge", query, definition, filters)

    def court(self, query: str, *, definition: str = "merits", **filters: Any) -> Profile:
        """A court against the nation, with its judges."""
        return self._profile("court", query, definition, filters)

    def nationality(self, query: str, *, definition: str = "merits", **filters: Any) -> Profile:
        """A nationality (code or name) against all nationalities."""
        return self._profile("nationality", query, definition, filters)

    def language(self, query: str, *, definition: str = "merits", **filters: Any) -> Profile:
        """A language (code or name) against all languages."""
        return self._profile("language", query, definition, filters)

    # -- lifetime -----------------------------------------------------------------------------

    @property
    def release(self) -> dict[str, str]:
        """The release this database was built from (``release_info``)."""
        return release_info(self.engine)

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open(  # noqa: A001 - the natural name: asylumstats.open(path)
    path: str | Path | None = None,
    engine: str = "duckdb",
    release: str | None = None,
    **options: Any,
) -> Database:
    """Open a database built by ``asylumstats ingest`` (default: ``$ASYLUMSTATS_DB``, else the
    per-user data folder); ``release`` (a name or date as ``asylumstats releases`` lists them)
    opens that release kept beside it instead of the newest."""
    return Database(open_engine(resolve_db(path, release), engine, **options))
