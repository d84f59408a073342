"""The web app's data access: a read-only database, a cursor per request, bounded caches.

Every number comes from the metric library (``asylumstats.metrics``); this module only opens the
database, hands each request its own DuckDB cursor, and caches results per (query, release) and
whole answers per (URL, language, release) in bounded LRUs. A value asked for by several
requests at once is computed once, the others wait for it. When the database file is replaced
(a new ``ingest``), it is reopened and the caches start afresh.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path, PurePath
from typing import Any, TypeVar
from urllib.parse import quote

from asylumstats.engines import open_engine
from asylumstats.engines.base import Engine, QueryResult
from asylumstats.engines.duckdb_engine import DuckDBEngine
from asylumstats.errors import NotFoundError, UserError
from asylumstats.metrics import DIMENSIONS, Filters, Period, rate_result
from asylumstats.metrics.dimensions import court_label
from asylumstats.metrics.profiles import candidates
from asylumstats.metrics.query import is_synthetic, release_info
from asylumstats.metrics.registry import EXTRA_METRICS, METRICS
from asylumstats.releases.store import list_releases, match_release, store_dir
from asylumstats.sqlnames import quote_ident

T = TypeVar("T")

#: Entries kept in the result cache.
CACHE_SIZE = 512
#: Total rows the result cache (and, separately, the SQL cache) may hold.
CACHE_ROWS = 200_000
#: Answers (pages, their twins, API answers) the response cache keeps.
RESPONSE_CACHE_SIZE = 2048
#: Total size of the answers the response cache keeps, in KiB.
RESPONSE_CACHE_KIB = 64 * 1024


class LRUCache:
    """A small thread-safe LRU mapping, bounded in entries and in total weight (rows)."""

    def __init__(self, maxsize: int = CACHE_SIZE, max_weight: int = CACHE_ROWS) -> None:
        self.maxsize = maxsize
        self.max_weight = max_weight
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, count: bool = True) -> tuple[bool, Any]:
        """``(True, value)`` or ``(False, None)``; ``count``: tally the hit or miss."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += count
                return True, self._data[key][0]
            self.misses += count
            return False, None

    def put(self, key: Hashable, value: Any, weight: int = 1) -> None:
        if weight > self.max_weight:
            return  # too big to keep
        with self._lock:
            if key in self._data:
                self._weight -= self._data.pop(key)[1]
            self._data[key] = (value, weight)
            self._weight += weight
            while len(self._data) > self.maxsize or self._weight > self.max_weight:
                self._weight -= self._data.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._weight = 0

    @property
    def weight(self) -> int:
        return self._weight

    def __len__(self) -> int:
        return len(self._data)


class KeyedLocks:
    """A lock per key, kept while someone holds or waits for it: the requests that want the
    same uncached value at once wait for the first to compute it instead of repeating it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[Hashable, tuple[threading.RLock, int]] = {}

    @contextlib.contextmanager
    def hold(self, key: Hashable) -> Iterator[None]:
        with self._lock:
            lock, users = self._held.get(key) or (threading.RLock(), 0)
            self._held[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                users = self._held[key][1] - 1
                if users:
                    self._held[key] = (lock, users)
                else:
                    del self._held[key]

    def __len__(self) -> int:
        return len(self._held)


def weight_of(value: Any) -> int:
    """Roughly how many rows a cached value holds."""
    rows = getattr(value, "rows", None)
    if isinstance(rows, list):
        return len(rows) + 1
    if isinstance(value, list):
        return len(value) + 1
    if isinstance(value, dict):
        return 1 + sum(weight_of(v) for v in value.values() if isinstance(v, list | dict))
    return 1


@dataclass(frozen=True)
class ExtraMetric:
    """An optional metric (appeals, wait, backlog) found at import time."""

    name: str
    result: Callable[..., Any]  # returns a MetricResult (rows, fields, …)
    options: tuple[str, ...]  # query parameters beyond the rate filters
    takes_definition: bool

    def run(
        self,
        engine: Engine,
        by: str | None,
        filters: Filters,
        definition: str,
        options: tuple[tuple[str, str | None], ...] = (),
    ) -> Any:
        extra = dict(options)
        if self.takes_definition:
            return self.result(engine, by, filters, definition)
        return self.result(engine, by, filters, *(extra.get(o) for o in self.options))


def discover_extras() -> dict[str, ExtraMetric]:
    """The appeals / wait / backlog metrics of the registry that exist in this installation.

    A metric whose module or function is missing is left out: its ``/api/<name>`` route is
    not registered and profile pages say it is not available.
    """
    found: dict[str, ExtraMetric] = {}
    for name in EXTRA_METRICS:
        metric = METRICS[name]
        if metric.available():
            found[name] = ExtraMetric(name, metric.load(), metric.options, metric.takes_definition)
    return found


#: Largest query result (rows) the SQL-level cache keeps.
QUERY_CACHE_MAX_ROWS = 5000


class CachingEngine(Engine):
    """An engine that remembers small query results per release (the database is read-only).

    Profiles repeat the same statements for every judge (the nation by fiscal year, the list of
    judge names…); caching at the SQL level serves those from memory across requests.
    """

    name = "duckdb"

    def __init__(self, inner: Engine, cache: LRUCache, release_key: Hashable) -> None:
        self.inner = inner
        self.cache = cache
        self.release_key = release_key

    def query(self, sql: str, params: Sequence[Any] = ()) -> QueryResult:
        key = ("sql", sql, tuple(params), self.release_key)
        hit, value = self.cache.get(key)
        if hit:
            return value  # type: ignore[no-any-return]
        result = self.inner.query(sql, params)
        if len(result.rows) <= QUERY_CACHE_MAX_ROWS:
            self.cache.put(key, result, len(result.rows) + 1)
        return result

    def table_columns(self, table: str) -> list[str]:
        key = ("columns", table, self.release_key)
        hit, value = self.cache.get(key)
        if hit:
            return list(value)
        columns = self.inner.table_columns(table)
        self.cache.put(key, tuple(columns))
        return columns

    def materialize(self, name: str, select_sql: str, order_by: str | None = None) -> None:
        raise RuntimeError("the web app's database is read-only")

    def close(self) -> None:
        self.inner.close()


class Store:
    """The database behind the app: one read-only connection, one cursor per request."""

    def __init__(self, db_path: str | Path, cache_size: int = CACHE_SIZE) -> None:
        self.db_path = Path(db_path)
        self.cache = LRUCache(cache_size)
        self.query_cache = LRUCache(cache_size * 4)
        self.responses = LRUCache(RESPONSE_CACHE_SIZE, RESPONSE_CACHE_KIB)
        self._computing = KeyedLocks()
        self._lock = threading.Lock()
        self._query_lock = threading.Lock()
        self._base: Engine | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._release_key: tuple[str, ...] = ()
        self._info: dict[str, str] = {}
        self.extras = discover_extras()

    # -- connection ------------------------------------------------------------------------

    def _file_stamp(self) -> tuple[int, int, int]:
        st = os.stat(self.db_path)
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _stamp_now(self) -> tuple[int, int, int] | None:
        try:
            return self._file_stamp()
        except OSError:
            return None

    def _ensure_open(self) -> Engine:
        """The base engine, reopened when the database file changed on disk."""
        base = self._base  # the usual case, without the lock every request would queue on
        if base is not None and self._stamp_now() == self._stamp:
            return base
        with self._lock:
            stamp = self._stamp_now()
            if self._base is not None and stamp == self._stamp:
                return self._base
            if self._base is not None:
                # Close first: DuckDB reuses an open database instance for the same path, so
                # the replaced file (a new ingest) is only seen once the old one is closed.
                # Cursors of requests in flight are connections of their own and finish.
                with contextlib.suppress(Exception):
                    self._base.close()
                self._base = None
            base = open_engine(self.db_path, "duckdb")  # UserError if missing
            self._base = base
            self._info = release_info(base)
            self._release_key = (
                str(self.db_path),
                self._info.get("release", ""),
                self._info.get("ingested_at", ""),
                repr(stamp),
            )
            self.cache.clear()
            self.query_cache.clear()
            self.responses.clear()
            # Last: the path without the lock takes the database once its key and caches are.
            self._stamp = stamp
            return base

    @contextlib.contextmanager
    def engine(self) -> Iterator[Engine]:
        """An engine for one request: its own cursor on the shared read-only connection."""
        base = self._ensure_open()
        if isinstance(base, DuckDBEngine) and not base._temp:  # noqa: SLF001
            cursor = DuckDBEngine(base.con.cursor(), owns=True)
            try:
                yield CachingEngine(cursor, self.query_cache, self._release_key)
            finally:
                cursor.close()
        else:  # model tables built as TEMP tables for this connection only: serialise
            with self._query_lock:
                yield CachingEngine(base, self.query_cache, self._release_key)

    def close(self) -> None:
        with self._lock:
            if self._base is not None:
                self._base.close()
                self._base = None

    # -- cached queries ----------------------------------------------------------------------

    @property
    def release(self) -> dict[str, Any]:
        """Release info (``release_info`` table) plus the synthetic flag; the file the release
        was read from by its name only (the server's folders are nobody's business)."""
        self._ensure_open()
        info: dict[str, Any] = dict(self._info)
        info["synthetic"] = is_synthetic(self._info)
        if info.get("source"):
            info["source"] = PurePath(str(info["source"]).replace("\\", "/")).name
        return info

    def cached(self, key: tuple[Any, ...], compute: Callable[[Engine], Any]) -> Any:
        """``compute(engine)`` cached under (``key``, the release)."""

        def run() -> Any:
            with self.engine() as eng:
                return compute(eng)

        return self._memo(self.cache, key, run, weight_of)

    def response(self, key: tuple[Any, ...], make: Callable[[], T], size: Callable[[T], int]) -> T:
        """``make()`` (a whole answer of ``size`` bytes) cached under (``key``, the release)."""
        return self._memo(self.responses, key, make, lambda value: size(value) // 1024 + 1)

    def _memo(
        self,
        cache: LRUCache,
        key: tuple[Any, ...],
        compute: Callable[[], T],
        weigh: Callable[[T], int],
    ) -> T:
        """``compute()`` cached in ``cache`` under (``key``, the release), computed once
        when several requests ask for it at the same time."""
        self._ensure_open()
        full = (*key, self._release_key)
        hit, value = cache.get(full)
        if hit:
            return value  # type: ignore[no-any-return]
        with self._computing.hold(full):
            hit, value = cache.get(full, count=False)  # computed while this one waited
            if hit:
                return value  # type: ignore[no-any-return]
            value = compute()
            cache.put(full, value, weigh(value))
            return value

    def has_table(self, table: str) -> bool:
        """Whether the release has the (model or data) table ``table``."""
        return bool(self.cached(("has_table", table), lambda e: e.has_table(table)))

    def rates(
        self,
        by: str | None,
        filters: Filters,
        definition: str,
        periods: tuple[Period, ...] = (),
    ) -> Any:
        """A :class:`asylumstats.metrics.RateResult` (unknown codes → NotFoundError)."""
        return self.cached(
            ("rates", by or "", filters, definition, periods),
            lambda e: rate_result(e, by, filters, definition, periods=periods),
        )

    def adjusted_rates(self, by: str | None, filters: Filters, definition: str) -> Any:
        """Rates with the ``--adjust`` fields (:mod:`asylumstats.metrics.adjust`)."""
        from asylumstats.metrics.adjust import adjusted_rate_result

        return self.cached(
            ("adjusted_rates", by or "", filters, definition),
            lambda e: adjusted_rate_result(e, by, filters, definition),
        )

    def names(self, dimension: str) -> dict[str, str | None]:
        """Every code of a dimension in the release → its name."""
        return self.cached(("names", dimension), lambda e: candidates(e, dimension))

    def volumes(self, dimension: str) -> dict[str, int]:
        """Asylum decisions (any outcome) per code of a dimension, whole release."""

        def compute(e: Engine) -> dict[str, int]:
            rows = rate_result(e, dimension, Filters(), "eoir", check=False).rows
            key = DIMENSIONS[dimension].code_column
            return {r[key]: r["decisions"] for r in rows if r[key] is not None}

        return self.cached(("volumes", dimension), compute)

    def profile(
        self, kind: str, func: Callable[..., Any], code: str, definition: str, filters: Filters
    ) -> Any:
        """A profile dict from the metric library."""
        return self.cached(
            ("profile", kind, code, definition, filters),
            lambda e: func(e, code, definition, filters),
        )

    def extra(
        self,
        name: str,
        by: str | None,
        filters: Filters,
        definition: str,
        options: tuple[tuple[str, str | None], ...] = (),
    ) -> Any:
        """The MetricResult of an optional metric (appeals, wait, backlog)."""
        metric = self.extras[name]
        return self.cached(
            ("extra", name, by or "", filters, definition, options),
            lambda e: metric.run(e, by or None, filters, definition, options),
        )

    def court_places(self) -> dict[str, tuple[str, ...]]:
        """Court code → the names and cities of its hearing locations (lookup and data), so a
        search for "ulster" finds the court listed as NAPANOCH."""

        def compute(e: Engine) -> dict[str, tuple[str, ...]]:
            places: dict[str, set[str]] = {}
            rows = e.query(
                "SELECT DISTINCT court_code, hearing_location_name FROM asylum_decisions "
                "WHERE court_code IS NOT NULL AND hearing_location_name IS NOT NULL"
            ).rows
            for court, place in rows:
                places.setdefault(court, set()).add(str(place))
            cols = e.table_columns("tbllookuphloc")
            if "hearing_base_city" in cols:
                texts = [c for c in ("hearing_loc_name", "hearing_city") if c in cols]
                for text in texts:
                    col = quote_ident(text)
                    found = e.query(
                        f"SELECT DISTINCT upper(trim(hearing_base_city)), trim({col}) "
                        "FROM tbllookuphloc "
                        f"WHERE hearing_base_city IS NOT NULL AND {col} IS NOT NULL"
                    ).rows
                    for court, place in found:
                        places.setdefault(court, set()).add(str(place))
            return {c: tuple(sorted(p)) for c, p in places.items()}

        return self.cached(("court_places",), compute)  # type: ignore[no-any-return]

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Judges, courts, nationalities and languages whose code or name matches ``query``;
        courts also by the names and cities of their hearing locations."""
        q = query.strip()
        if not q:
            return []
        folded = q.casefold()
        tokens = [t for t in folded.replace(",", " ").split() if t]
        out: list[tuple[tuple[int, int, str], dict[str, Any]]] = []
        places = self.court_places()
        for kind, path in SEARCH_KINDS.items():
            volumes = self.volumes(kind)
            for code, name in self.names(kind).items():
                name_f = (name or "").casefold()
                matched = None
                if code.casefold() == folded:
                    rank = 0
                elif code.casefold().startswith(folded):
                    rank = 1
                elif tokens and all(t in name_f for t in tokens):
                    rank = 2 if name_f.startswith(tokens[0]) else 3
                else:
                    hit = next(
                        (
                            p
                            for p in (places.get(code, ()) if kind == "court" else ())
                            if all(t in p.casefold() for t in tokens)
                        ),
                        None,
                    )
                    if hit is None:
                        continue
                    rank, matched = 4, hit
                n = volumes.get(code, 0)
                shown = court_label(code, name) if kind == "court" else name
                hit_row: dict[str, Any] = {
                    "type": kind,
                    "code": code,
                    "name": name,
                    "label": shown or code,
                    "decisions": n,
                    "url": f"/{path}/{quote(code, safe='')}",
                }
                if matched:
                    hit_row["matched"] = f"hearing location {matched}"
                out.append(((rank, -n, name or code), hit_row))
        if not out and all(len(t) >= 4 for t in tokens):
            out = self._near(tokens)
        out.sort(key=lambda item: item[0])
        return [item[1] for item in out[:limit]]

    def _near(self, tokens: list[str]) -> list[tuple[tuple[int, int, str], dict[str, Any]]]:
        """Names spelled differently ("uyghur" → "UIGUR"): every token close to a word of
        the name (difflib ratio at least :data:`NEAR_RATIO`), when nothing matches exactly."""
        out = []
        for kind, path in SEARCH_KINDS.items():
            volumes = self.volumes(kind)
            for code, name in self.names(kind).items():
                words = (name or "").casefold().replace(",", " ").split()
                if not words or not all(
                    any(SequenceMatcher(None, t, w).ratio() >= NEAR_RATIO for w in words)
                    for t in tokens
                ):
                    continue
                n = volumes.get(code, 0)
                hit = {
                    "type": kind,
                    "code": code,
                    "name": name,
                    "label": (court_label(code, name) if kind == "court" else name) or code,
                    "decisions": n,
                    "url": f"/{path}/{quote(code, safe='')}",
                    "matched": f"spelled {name}",
                }
                out.append(((5, -n, name or code), hit))
        return out


#: How close a word must be for a search with no exact match ("uyghur" finds "UIGUR").
NEAR_RATIO = 0.7

#: What search looks for: dimension → its page's path segment.
SEARCH_KINDS: dict[str, str] = {
    "judge": "judges",
    "court": "courts",
    "nationality": "nationalities",
    "language": "languages",
}


#: Kept releases (beside the default one) whose Store stays open at once.
OPEN_RELEASES = 4


class Stores:
    """One :class:`Store` per release: the default one (the file at ``--db``, or the release
    chosen when the server started), and each kept release asked for with ``?release=``,
    opened read-only on first use and kept in a small LRU."""

    def __init__(self, default: Store, base_path: str | Path | None = None) -> None:
        self.default = default
        #: The ``--db`` path the releases are kept beside (the release list is read there).
        self.base_path = Path(base_path) if base_path is not None else default.db_path
        self._cache_size = default.cache.maxsize
        self._open: OrderedDict[Path, Store] = OrderedDict()
        self._names: dict[str, Path] = {}
        self._names_stamp: tuple[int, ...] | None = None
        self._lock = threading.Lock()

    def _stamp(self) -> tuple[int, ...]:
        """Changes when a release is ingested or removed (the list of releases is re-read)."""
        out: list[int] = []
        for p in (self.base_path, store_dir(self.base_path)):
            try:
                st = os.stat(p)
                out += [st.st_ino, st.st_mtime_ns]
            except OSError:
                out += [0, 0]
        return tuple(out)

    def path_of(self, release: str) -> Path:
        """The file of ``release`` (a name or date); NotFoundError when none is kept."""
        key = release.strip().lower()
        with self._lock:
            stamp = self._stamp()
            if stamp != self._names_stamp:
                self._names, self._names_stamp = {}, stamp
            found = self._names.get(key)
        if found is not None:
            return found
        try:
            found = match_release(list_releases(self.base_path), release).path
        except UserError as exc:
            raise NotFoundError(str(exc)) from None
        with self._lock:
            self._names[key] = found
        return found

    def get(self, release: str | None) -> Store:
        """The Store of ``release`` (None or empty: the default one)."""
        if not release or not release.strip():
            return self.default
        path = self.path_of(release)
        if path == self.default.db_path:
            return self.default
        with self._lock:
            store = self._open.pop(path, None) or Store(path, cache_size=self._cache_size)
            self._open[path] = store
            while len(self._open) > OPEN_RELEASES:
                self._open.popitem(last=False)[1].close()
            return store

    def close(self) -> None:
        with self._lock:
            for store in self._open.values():
                store.close()
            self._open.clear()
        self.default.close()
