"""Structural repair of one row whose field count differs from the header's.

- Long row (more fields than the header): the candidates are every way to drop trailing
  blank/``N/A`` fields and merge the rest of the surplus back into columns, re-joining
  adjacent fields with a TAB. A free-text column may absorb any pieces (``city<TAB>state``).
  In a table with no free-text column (proceedings, applications) any other column (id,
  date, code, ...) may absorb blank pieces, i.e. a stray TAB beside its value; in a table
  with free text a TAB is far more likely inside the text, and letting blank columns absorb
  the shift too would load some rows whose extra field is a real value one column off, so
  only text columns absorb there. A candidate is valid when every column's value fits it
  (ids/ints parse, dates parse, codes fit ``max_len`` and ``pattern``). Among valid
  candidates the best have the most values positively recognised by their column (a code
  of its lookup, a match of its pattern, a date, an integer: a shifted value usually lands
  where it merely fits), then the fewest stray TABs (blank pieces merged into a value, and
  in tables without free text blank trailing fields dropped; dropping the documented
  trailing ``N/A`` costs nothing); if they
  all give the same values once normalised (trimmed, null tokens → NULL) the row is loaded
  (repaired), otherwise it is quarantined: it is never loaded with values in the wrong
  columns. The search is a dynamic programme over (column,
  field) positions, so it costs width × surplus² checks at most.
- Short row: padded with NULL only when every value then fits its column.
- Every row (normal ones too) must have integer ids, else it is quarantined.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from asylumstats.ingest.values import Rule, is_null_token

MAX_SURPLUS = 6  # more extra fields than this: quarantined without trying
_DROPPABLE = frozenset({"", "N/A"})
_MAX_DISTINCT = 2  # enough to know that a row is ambiguous

Norm = tuple[str | None, ...]
#: (column, first field, extra fields) → the joined value, its check and its normal form.
_Checks = dict[tuple[int, int, int], tuple[str, int, object]]


@dataclass(frozen=True)
class Repaired:
    row: list[str | None]  # one value per header field
    repaired: bool


@dataclass(frozen=True)
class Rejected:
    reason: str


@dataclass
class _Best:
    """Best completions of a row suffix: score key, one raw suffix, distinct normalised ones."""

    key: tuple[int, int]
    raw: list[str]
    norms: set[Norm]


def _shown(v: str | None) -> str:
    return "blank" if not (v or "").strip() else repr(v)


class Repairer:
    """Repairs rows of one file, given a :class:`Rule` per header position."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self.width = len(rules)
        self.text = [r.column is not None and r.column.kind == "text" for r in rules]
        #: Whether typed columns may absorb blank pieces (tables with no free text only).
        self.typed_merges = not any(self.text)
        self.id_positions = [
            i for i, r in enumerate(rules) if r.column is not None and r.column.kind == "id"
        ]

    def bad_id(self, row: Sequence[str | None]) -> str | None:
        for i in self.id_positions:
            if self.rules[i].check(row[i]) < 0:
                col = self.rules[i].column
                assert col is not None
                return f"{col.name} is not an integer ({_shown(row[i])})"
        return None

    def _misfit(self, row: Sequence[str | None]) -> str | None:
        """The first column whose value does not fit it, as a reason; None if all fit."""
        for rule, v in zip(self.rules, row, strict=True):
            if rule.check(v) < 0:
                assert rule.column is not None
                return f"{rule.column.name} does not fit its column ({_shown(v)})"
        return None

    def repair(self, fields: list[str]) -> Repaired | Rejected:
        n, width = len(fields), self.width
        if n == width:
            bad = self.bad_id(fields)
            return Rejected(bad) if bad else Repaired(list(fields), repaired=False)
        if n < width:
            row: list[str | None] = [*fields, *([None] * (width - n))]
            bad = self.bad_id(row) or self._misfit(row)
            return (
                Rejected(f"short row ({n} of {width} fields); {bad}")
                if bad
                else Repaired(row, repaired=True)
            )
        return self._repair_long(fields)

    def _repair_long(self, fields: list[str]) -> Repaired | Rejected:
        n, width = len(fields), self.width
        surplus = n - width
        droppable = 0
        while droppable < surplus and fields[n - 1 - droppable].strip() in _DROPPABLE:
            droppable += 1
        best: _Best | None = None
        checks: _Checks = {}  # the same pieces recur for every number of dropped fields
        for drop in range(droppable, -1, -1):
            if surplus - drop > MAX_SURPLUS:
                continue
            found = self._search(fields[: n - drop], checks)
            if found is None:
                continue
            if self.typed_merges:  # a blank trailing field is a stray TAB as well
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

    def _search(self, fields: list[str], checks: _Checks) -> _Best | None:
        """Best ways to place ``fields`` (more than the width) into the columns; ``checks``
        memoises each column's check of a run of fields across searches of the same row."""
        width, n = self.width, len(fields)
        surplus = n - width
        blank = [not f.strip() for f in fields]
        memo: dict[tuple[int, int], _Best | None] = {}
        # Suffixes are solved from the last column back, so the recursion depth stays 1.
        # Column ``pos`` starts at field ``pos`` plus the surplus absorbed before it: only
        # those states are reachable from (0, 0).
        for pos in range(width - 1, -1, -1):
            for i in range(pos + surplus, pos - 1, -1):
                k = surplus - (i - pos)  # surplus still to absorb from field i on
                memo[(pos, i)] = self._best_at(fields, blank, pos, i, k, memo, checks)
        return memo.get((0, 0))

    def _best_at(
        self,
        fields: list[str],
        blank: list[bool],
        pos: int,
        i: int,
        k: int,
        memo: dict[tuple[int, int], _Best | None],
        checks: _Checks,
    ) -> _Best | None:
        rule = self.rules[pos]
        last = pos == self.width - 1
        best: _Best | None = None
        nonblank = 0
        for e in range(k + 1):
            nonblank += not blank[i + e]
            if e and not self.text[pos] and (nonblank > 1 or not self.typed_merges):
                break  # a typed column only absorbs blank pieces
            if last and e != k:
                continue
            if last:
                tail: _Best | None = _Best((0, 0), [], {()})
            else:
                tail = memo.get((pos + 1, i + 1 + e))
            if tail is None:
                continue
            checked = checks.get((pos, i, e))
            if checked is None:
                value = "\t".join(fields[i : i + 1 + e]) if e else fields[i]
                hit = rule.check(value)
                checked = checks[(pos, i, e)] = (
                    value,
                    hit,
                    self._norm(pos, value) if hit >= 0 else None,
                )
            value, hit, norm = checked
            if hit < 0:
                continue
            merges = sum(blank[i : i + 1 + e]) if e else 0  # blank pieces absorbed
            key = (tail.key[0] + hit, tail.key[1] - merges)
            if best is None or key > best.key:
                best = _Best(key, [value, *tail.raw], set())
            elif key < best.key:
                continue
            for t in tail.norms:
                if len(best.norms) >= _MAX_DISTINCT:
                    break
                best.norms.add((norm, *t) if norm is not _SKIP else t)
        return best

    def _norm(self, pos: int, v: str) -> str | None | object:
        """The value a field loads as (what the SQL casts would make of it)."""
        rule = self.rules[pos]
        if rule.column is None:
            return _SKIP
        t = v.strip(" \t\r")
        kind = rule.column.kind
        if is_null_token(t, rule.keep) or (kind in ("month", "year") and t.strip("0") == ""):
            return None
        return t


_SKIP = object()
