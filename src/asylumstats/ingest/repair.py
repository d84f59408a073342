"""Structural repair of one row whose field count differs from the header's.

- Short row: padded with NULL (repaired).
- Long row: candidates are every way to drop trailing blank/``N/A`` fields and merge the rest
  of the surplus back into free-text columns (re-joining adjacent fields with a TAB). A
  candidate is valid when every typed column is (ids/ints parse, dates parse, codes fit
  ``max_len`` and ``pattern``). Among valid candidates the best have the most codes found in
  their lookups, then the fewest merges with a blank piece (a TAB at the edge of a text value
  is far less likely than the documented trailing ``N/A``/blank field); if they all give the
  same values once normalised (trimmed, null tokens → NULL) that row is loaded (repaired),
  otherwise the row is quarantined: it is never loaded with values in the wrong columns.
- Every row (normal ones too) must have integer ids, else it is quarantined.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from asylumstats.ingest.values import Rule, is_null_token

MAX_SURPLUS = 6  # more extra fields than this: quarantined without trying
_DROPPABLE = frozenset({"", "N/A"})


@dataclass(frozen=True)
class Repaired:
    row: list[str | None]  # one value per header field
    repaired: bool


@dataclass(frozen=True)
class Rejected:
    reason: str


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """All tuples of ``parts`` non-negative ints summing to ``total``."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


class Repairer:
    """Repairs rows of one file, given a :class:`Rule` per header position."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self.width = len(rules)
        self.text_positions = [
            i for i, r in enumerate(rules) if r.column is not None and r.column.kind == "text"
        ]
        self.id_positions = [
            i for i, r in enumerate(rules) if r.column is not None and r.column.kind == "id"
        ]

    def _score(self, row: Sequence[str | None]) -> int | None:
        hits = 0
        for rule, v in zip(self.rules, row, strict=True):
            s = rule.check(v)
            if s < 0:
                return None
            hits += s
        return hits

    def _bad_id(self, row: Sequence[str | None]) -> str | None:
        for i in self.id_positions:
            if self.rules[i].check(row[i]) < 0:
                col = self.rules[i].column
                assert col is not None
                shown = "blank" if not (row[i] or "").strip() else repr(row[i])
                return f"{col.name} is not an integer ({shown})"
        return None

    def repair(self, fields: list[str]) -> Repaired | Rejected:
        n, width = len(fields), self.width
        if n == width:
            bad = self._bad_id(fields)
            return Rejected(bad) if bad else Repaired(list(fields), repaired=False)
        if n < width:
            row: list[str | None] = [*fields, *([None] * (width - n))]
            bad = self._bad_id(row)
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
        best: tuple[int, int] | None = None
        best_rows: list[list[str | None]] = []
        texts = self.text_positions
        for drop in range(droppable, -1, -1):
            k = surplus - drop
            if k > 0 and (not texts or k > MAX_SURPLUS):
                continue
            kept = fields[: n - drop]
            combos: Iterator[tuple[int, ...]] = (
                iter([(0,) * len(texts)]) if k == 0 or not texts else _compositions(k, len(texts))
            )
            for combo in combos:
                row, blank_merges = self._merge(kept, combo)
                hits = self._score(row)
                if hits is None:
                    continue
                key = (hits, -blank_merges)
                if best is None or key > best:
                    best, best_rows = key, [row]
                elif key == best:
                    best_rows.append(row)
        if best is None:
            return Rejected(f"{n} fields where the header has {width}; no repair fits every column")
        distinct = {self._normalised(r) for r in best_rows}
        if len(distinct) > 1:
            return Rejected(
                f"{n} fields where the header has {width}; {len(distinct)} repairs fit equally well"
            )
        return Repaired(best_rows[0], repaired=True)

    def _normalised(self, row: Sequence[str | None]) -> tuple[str | None, ...]:
        """The values a row loads as (what the SQL casts would make of them)."""
        out: list[str | None] = []
        for rule, v in zip(self.rules, row, strict=True):
            if rule.column is None:
                continue
            t = (v or "").strip(" \t\r")
            kind = rule.column.kind
            if is_null_token(t, rule.keep) or (kind in ("month", "year") and t.strip("0") == ""):
                out.append(None)
            else:
                out.append(t)
        return tuple(out)

    def _merge(self, fields: list[str], combo: tuple[int, ...]) -> tuple[list[str | None], int]:
        extra = dict(zip(self.text_positions, combo, strict=True))
        out: list[str | None] = []
        i = blank_merges = 0
        for pos in range(self.width):
            e = extra.get(pos, 0)
            if e:
                pieces = fields[i : i + 1 + e]
                blank_merges += any(not p.strip() for p in pieces)
                out.append("\t".join(pieces))
            else:
                out.append(fields[i])
            i += 1 + e
        return out, blank_merges
