"""Find what a release holds: data tables, lookups, ``Count.txt``, release date, synthetic flag.

Files are found by name anywhere under the top folder (case-insensitive stem match), so older
layouts that nest differently still work. A lookup is any ``.csv``/``.txt`` file under a
folder named ``Lookup`` (or a file named like a known lookup); data tables are the files whose
stem is one of ``ALL_DATA_TABLES``; other release tables are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from asylumstats.errors import UserError
from asylumstats.ingest.tables import BY_STEM, LOOKUPS, REQUIRED_TABLES
from asylumstats.release.archive import Archive, open_archive

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-?(\d{2})(?!\d)")
_DATA_EXT = {".csv", ".txt", ".tsv"}
_KNOWN_LOOKUPS = {spec.stem.lower() for spec in LOOKUPS}
#: Count.txt holds one short line per table; a larger file is not read.
COUNT_TXT_MAX = 1024 * 1024


@dataclass
class Release:
    """An opened release. Use as a context manager (closes the archive)."""

    archive: Archive
    name: str  # the top folder's name (or the zip/folder name)
    release_date: date | None
    synthetic: bool
    tables: dict[str, str]  # data table stem (as in TableSpec) -> member path
    lookups: dict[str, str]  # lookup file stem (as in the release) -> member path
    counts: dict[str, int] = field(default_factory=dict)  # Count.txt: lower stem -> rows
    warnings: list[str] = field(default_factory=list)  # found while locating the files

    @property
    def source(self) -> Path:
        return self.archive.path

    def count_for(self, stem: str) -> int | None:
        return self.counts.get(stem.lower())

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> Release:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parse_release_date(name: str) -> date | None:
    """``EOIR Case Data 2026-0701`` (or ``2026-07-01``) → 2026-07-01; else None."""
    for m in _DATE_RE.finditer(name):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


def parse_count_txt(data: bytes) -> dict[str, int]:
    """``table<TAB>rows`` lines → {lower-case stem: rows}; unparsable lines are skipped."""
    text = data.replace(b"\x00", b"").decode("latin-1")
    counts: dict[str, int] = {}
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) < 2:
            parts = line.split()
        if len(parts) < 2:
            continue
        digits = parts[-1].replace(",", "")
        if not digits.isdigit():
            continue
        stem = PurePosixPath(parts[0]).stem if "." in parts[0] else parts[0]
        counts[stem.strip().lower()] = int(digits)
    return counts


def _top_folder(members: list[str]) -> str | None:
    firsts = {PurePosixPath(m).parts[0] for m in members if len(PurePosixPath(m).parts) > 1}
    if len(firsts) == 1 and all(len(PurePosixPath(m).parts) > 1 for m in members):
        return firsts.pop()
    return None


def _is_lookup(member: PurePosixPath) -> bool:
    if member.stem.lower() in _KNOWN_LOOKUPS:
        return True
    return any(p.lower().startswith("lookup") for p in member.parts[:-1])


def open_release(path: Path) -> Release:
    """Open a release zip or folder and locate its files; ``UserError`` if it is unusable."""
    archive = open_archive(path)
    try:
        return _locate(archive, path)
    except BaseException:
        archive.close()
        raise


def _locate(archive: Archive, path: Path) -> Release:
    members = [m for m in archive.members() if not PurePosixPath(m).name.startswith("._")]
    members = [m for m in members if "__MACOSX" not in PurePosixPath(m).parts]
    top = _top_folder(members)
    name = top or (path.stem if path.is_file() else path.name)

    tables: dict[str, str] = {}
    lookups: dict[str, str] = {}
    counts: dict[str, int] = {}
    synthetic = False
    warnings: list[str] = []
    # Shallow paths first, so a duplicate deeper in the tree never wins.
    for member in sorted(members, key=lambda m: (m.count("/"), m.lower())):
        p = PurePosixPath(member)
        lower = p.name.lower()
        if lower == "synthetic.txt":
            synthetic = True
            continue
        if lower == "count.txt":
            with archive.open(member) as fh:
                data = fh.read(COUNT_TXT_MAX + 1)
            if len(data) > COUNT_TXT_MAX:
                warnings.append(
                    f"{member} is larger than {COUNT_TXT_MAX:,} bytes; it was not read, "
                    "so row counts are not checked against it."
                )
            else:
                counts = parse_count_txt(data)
            continue
        if p.suffix.lower() not in _DATA_EXT:
            continue
        spec = BY_STEM.get(p.stem.lower())
        if spec is not None:
            seen = tables.get(spec.stem)
            if seen is not None and PurePosixPath(seen).parent == p.parent:
                raise UserError(
                    f"{path} holds both {seen} and {member}; "
                    "a release cannot be read when it is unclear which one is meant."
                )
            tables.setdefault(spec.stem, member)
        elif _is_lookup(p):
            lookups.setdefault(p.stem, member)

    missing = [stem for stem in REQUIRED_TABLES if stem not in tables]
    if missing:
        what = ", ".join(f"{s}.csv" for s in missing)
        raise UserError(f"{path} is not a complete EOIR release: {what} not found.")
    for member in tables.values():
        if archive.size(member) == 0:
            raise UserError(f"{member} is empty: a data table needs at least a header row.")

    release_date = parse_release_date(name)
    if release_date is None:
        for member in tables.values():
            for part in PurePosixPath(member).parts[:-1]:
                release_date = parse_release_date(part)
                if release_date:
                    break
            if release_date:
                break
    return Release(
        archive=archive,
        name=name,
        release_date=release_date,
        synthetic=synthetic,
        tables=tables,
        lookups=lookups,
        counts=counts,
        warnings=warnings,
    )
