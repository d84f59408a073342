"""What an ingest did, per file: rows in file, loaded, repaired, quarantined, orphans, Count.txt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class TableReport:
    """Counts for one file (data table or lookup). ``loaded`` includes ``repaired``."""

    stem: str  # file stem as in the release, e.g. ``A_TblCase``
    file: str  # member path inside the release
    table_name: str  # DuckDB table
    kind: str = "data"  # ``data`` or ``lookup``
    rows_in_file: int = 0
    loaded: int = 0
    repaired: int = 0
    quarantined: int = 0
    orphans: int = 0
    count_txt: int | None = None
    invalid_values: int = 0  # date/number values the casts could not read (in invalid_values)
    duplicates: int = 0  # later rows repeating a primary key (moved to the quarantine)
    duplicate_examples: list[int] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)  # optional columns not in header
    unknown_columns: list[str] = field(default_factory=list)  # header names not read

    @property
    def count_mismatch(self) -> bool:
        """Count.txt has a figure for this file and it differs from the rows found."""
        return self.count_txt is not None and self.count_txt != self.rows_in_file

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rows_in_file": self.rows_in_file,
            "loaded": self.loaded,
            "repaired": self.repaired,
            "quarantined": self.quarantined,
            "orphans": self.orphans,
            "count_txt": self.count_txt,
        }
        if self.kind == "data":
            out["invalid_values"] = self.invalid_values
            out["duplicates"] = self.duplicates
            out["duplicate_examples"] = list(self.duplicate_examples)
            out["missing_columns"] = list(self.missing_columns)
            out["unknown_columns"] = list(self.unknown_columns)
        return out

    def value_warnings(self) -> list[str]:
        """Sentences about invalid values and duplicate keys (empty when there are none)."""
        out = []
        if self.invalid_values:
            out.append(
                f"{self.stem}: {self.invalid_values:,} date or number values could not be "
                "read; they are NULL in their rows and kept as text in invalid_values."
            )
        if self.duplicates:
            eg = ", ".join(str(k) for k in self.duplicate_examples)
            out.append(
                f"{self.stem}: {self.duplicates:,} rows repeat a key already in the file "
                f"(e.g. {eg}); the first row of each key is kept, the others are quarantined."
            )
        return out

    def column_warning(self) -> str | None:
        """One sentence naming the optional columns not found (and the header's unknown
        names, which may be their new spelling); None when every column was found."""
        if not self.missing_columns:
            return None
        missing = ", ".join(self.missing_columns)
        s = "" if len(self.missing_columns) == 1 else "s"
        text = f"{self.stem}: no column{s} {missing} in the header, so NULL in every row"
        if self.unknown_columns:
            text += f" (the header also has {', '.join(self.unknown_columns)}, not read)"
        return text + "."


@dataclass
class IngestReport:
    """The result of :func:`asylumstats.ingest.ingest_release`."""

    release: str
    release_date: date | None
    synthetic: bool
    source: str
    db_path: str
    tables: dict[str, TableReport] = field(default_factory=dict)  # by file stem
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # sentences about the release's files

    def all_warnings(self) -> list[str]:
        """Every warning sentence: the release's, then missing columns, then Count.txt."""
        out = list(self.warnings)
        out += [w for t in self.tables.values() if (w := t.column_warning())]
        out += [w for t in self.tables.values() for w in t.value_warnings()]
        out += [
            f"{t.stem}: {t.rows_in_file:,} rows in the file, Count.txt says {t.count_txt:,}."
            for t in self.mismatches
        ]
        return out

    @property
    def mismatches(self) -> list[TableReport]:
        return [t for t in self.tables.values() if t.count_mismatch]

    def as_json(self) -> dict[str, Any]:
        """The ``asylumstats ingest --json`` object."""
        return {
            "release": self.release,
            "release_date": self.release_date.isoformat() if self.release_date else None,
            "synthetic": self.synthetic,
            "tables": {stem: t.as_dict() for stem, t in self.tables.items()},
            "warnings": self.all_warnings(),
        }

    def rows(self) -> list[tuple[Any, ...]]:
        """Rows of the ``ingest_report`` table."""
        return [
            (
                t.stem,
                t.file,
                t.rows_in_file,
                t.loaded,
                t.repaired,
                t.quarantined,
                t.orphans,
                t.count_txt,
                t.invalid_values,
                t.duplicates,
            )
            for t in self.tables.values()
        ]
