"""The pruned, memoised search of over-wide rows gives exactly the reference search's results.

``ReferenceRepairer`` keeps the earlier search (every (column, field) state, no memo of the
checks) as the reference; Hypothesis compares both on random tables and rows.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asylumstats.ingest.repair import (
    _DROPPABLE,
    _MAX_DISTINCT,
    _SKIP,
    MAX_SURPLUS,
    Rejected,
    Repaired,
    Repairer,
    _Best,
)
from asylumstats.ingest.tables import CASES, PROCEEDINGS, Column
from asylumstats.ingest.values import Rule


class ReferenceRepairer(Repairer):
    """The search before pruning: solves every (column, field) state of the row."""

    def _repair_long(self, fields: list[str]) -> Repaired | Rejected:
        n, width = len(fields), self.width
        surplus = n - width
        droppable = 0
        while droppable < surplus and fields[n - 1 - droppable].strip() in _DROPPABLE:
            droppable += 1
        best: _Best | None = None
        for drop in range(droppable, -1, -1):
            if surplus - drop > MAX_SURPLUS:
                continue
            found = self._ref_search(fields[: n - drop])
            if found is None:
                continue
            if self.typed_merges:
                blanks = sum(1 for f in fields[n - drop :] if not f.strip())
                found.key = (found.key[0], found.key[1] - blanks)
            if best is None or found.key > best.key:
                best = found
            elif found.key == best.key:
                best.norms |= found.norms
        if best is None:
            return Rejected(f"{n} fields where the header has {width}; no repair fits every column")
        if len(best.norms) > 1:
            return Rejected(
                f"{n} fields where the header has {width}; "
                f"{len(best.norms)} repairs fit equally well"
            )
        return Repaired(list(best.raw), repaired=True)

    def _ref_search(self, fields: list[str]) -> _Best | None:
        width, n = self.width, len(fields)
        blank = [not f.strip() for f in fields]
        memo: dict[tuple[int, int], _Best | None] = {}
        for pos in range(width - 1, -1, -1):
            for i in range(n - 1, -1, -1):
                k = (n - i) - (width - pos)
                if k < 0:
                    continue
                memo[(pos, i)] = self._ref_best_at(fields, blank, pos, i, k, memo)
        return memo.get((0, 0))

    def _ref_best_at(
        self,
        fields: list[str],
        blank: list[bool],
        pos: int,
        i: int,
        k: int,
        memo: dict[tuple[int, int], _Best | None],
    ) -> _Best | None:
        rule = self.rules[pos]
        last = pos == self.width - 1
        best: _Best | None = None
        nonblank = 0
        for e in range(k + 1):
            nonblank += not blank[i + e]
            if e and not self.text[pos] and (nonblank > 1 or not self.typed_merges):
                break
            if last and e != k:
                continue
            value = "\t".join(fields[i : i + 1 + e]) if e else fields[i]
            hit = rule.check(value)
            if hit < 0:
                continue
            merges = sum(blank[i : i + 1 + e]) if e else 0
            if last:
                tail: _Best | None = _Best((0, 0), [], {()})
            else:
                tail = memo.get((pos + 1, i + 1 + e))
            if tail is None:
                continue
            key = (tail.key[0] + hit, tail.key[1] - merges)
            norm = self._norm(pos, value)
            if best is None or key > best.key:
                best = _Best(key, [value, *tail.raw], set())
            elif key < best.key:
                continue
            for t in tail.norms:
                if len(best.norms) >= _MAX_DISTINCT:
                    break
                best.norms.add((norm, *t) if norm is not _SKIP else t)
        return best


NAT_CODES = frozenset({"MX", "GT", "HO", "??"})

#: Column shapes of the random tables (None: a header name the release spec does not know).
SHAPES: tuple[Column | None, ...] = (
    Column("ID", "id"),
    Column("REF", "id", nullable=True),
    Column("N", "int"),
    Column("D", "date"),
    Column("NAT", "code", 3, "tblLookupAlienNat"),
    Column("FLAG", "code", 1, pattern=r"[YN]"),
    Column("ANY", "code", 1, pattern=r"[A-Z]"),
    Column("ZIP", "code", 10, pattern=r"`?[0-9]{4,}(-[0-9]{4})?"),
    Column("C", "code", 3),
    Column("M", "month"),
    Column("CITY", "text"),
    None,
)

#: Field values: fitting and misfitting ones, blanks and null tokens, pieces of split values.
PIECES = st.sampled_from(
    [
        "",
        " ",
        "N/A",
        "b6",
        "??",
        "12",
        "-3",
        "x1",
        "2020-01-02 00:00:00.000",
        "2020-13-40",
        "0000-00-00",
        "MX",
        "GT",
        "Y",
        "N",
        "Q",
        "77001",
        "`7700",
        "ABCD",
        "SAN",
        "JUAN",
        "00",
        "07",
    ]
)


def _rule(col: Column | None) -> Rule:
    if col is not None and col.lookup:
        return Rule(col, NAT_CODES, frozenset({"??"}))
    return Rule(col)


@st.composite
def tables_and_rows(draw: st.DrawFn) -> tuple[list[Rule], list[str]]:
    """Random rules (1-8 columns) and an over-wide row for them (1-8 extra fields)."""
    idx = draw(st.lists(st.integers(0, len(SHAPES) - 1), min_size=1, max_size=8))
    seen: set[str] = set()
    cols: list[Column | None] = []
    for k, i in enumerate(idx):  # distinct names; the same shape may repeat
        col = SHAPES[i]
        if col is not None and col.name in seen:
            col = Column(f"{col.name}{k}", col.kind, col.max_len, col.lookup, col.pattern)
        if col is not None:
            seen.add(col.name)
        cols.append(col)
    width = len(cols)
    extra = draw(st.integers(1, 8))
    row = draw(st.lists(PIECES, min_size=width + extra, max_size=width + extra))
    return [_rule(c) for c in cols], row


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables_and_rows())
def test_search_same_as_reference_on_random_tables(case: tuple[list[Rule], list[str]]) -> None:
    rules, row = case
    assert Repairer(rules).repair(list(row)) == ReferenceRepairer(rules).repair(list(row))


def _spec_rules(columns: tuple[Column, ...]) -> list[Rule]:
    return [_rule(c) for c in columns]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([CASES, PROCEEDINGS]),
    st.data(),
)
def test_search_same_as_reference_on_release_tables(spec, data: st.DataObject) -> None:
    """Rows of the real case (free text) and proceeding (no free text) headers."""
    rules = _spec_rules(spec.columns)
    width = len(rules)
    row = data.draw(st.lists(PIECES, min_size=width, max_size=width))
    inserts = data.draw(
        st.lists(st.tuples(st.integers(0, width), PIECES), min_size=1, max_size=MAX_SURPLUS + 1)
    )
    for at, piece in inserts:
        row.insert(at, piece)
    assert Repairer(rules).repair(list(row)) == ReferenceRepairer(rules).repair(list(row))


def test_reference_and_search_agree_on_known_rows() -> None:
    """Exact results on rows whose repair is known (so both searches can be seen to work)."""
    rules = _spec_rules(CASES.columns)
    ids = {c.name: i for i, c in enumerate(CASES.columns)}
    row = [""] * len(rules)
    row[ids["IDNCASE"]] = "7"
    row[ids["ALIEN_CITY"]] = "SAN\tJUAN"
    row[ids["ALIEN_STATE"]] = "TX"
    row[ids["NAT"]] = "MX"
    fields = "\t".join(row).split("\t")
    for repairer in (Repairer(rules), ReferenceRepairer(rules)):
        got = repairer.repair(list(fields))
        assert got == Repaired(row, repaired=True)
        too_many = repairer.repair([*fields[:3], *["X"] * (MAX_SURPLUS + 1), *fields[3:]])
        assert too_many == Rejected(
            f"{len(fields) + MAX_SURPLUS + 1} fields where the header has {len(rules)}; "
            "no repair fits every column"
        )
