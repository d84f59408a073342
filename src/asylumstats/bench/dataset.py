"""The benchmark's release: generated once per (scale, seed, version), cached, and unpacked.

The cache folder holds ``<key>/release.zip`` (from the synthetic generator), ``<key>/unpacked/``
(the same files extracted once, for the baselines and for the "same folder" ingest) and
``<key>/meta.json`` written last, so a half-built cache entry is never reused.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from asylumstats.ingest.tables import ALL_DATA_TABLES

#: Cases in a national-size release (A_TblCase of the 2026 releases: 12.5–12.7 M rows).
NATIONAL_CASES = 12_700_000

_CHUNK = 16 * 1024 * 1024


class NotAvailable(Exception):
    """A part of the benchmark whose dependency (an API, a tool) is missing."""


def cases_for(scale: float) -> int:
    """The number of cases for ``scale`` (1.0 = national size); at least 50."""
    return max(50, round(NATIONAL_CASES * scale))


def scale_for(cases: int) -> float:
    """The fraction of national size that ``cases`` cases are (1 M cases = 0.07874)."""
    return cases / NATIONAL_CASES


def cache_key(scale: float, seed: int, cases: int | None = None) -> str:
    """The cache entry's name: by scale, or by the exact number of cases when one was asked."""
    from asylumstats import __version__

    size = f"scale{scale:g}" if cases is None else f"cases{cases}"
    return f"{size}-seed{seed}-v{__version__}"


@dataclass
class TableFile:
    """One data table of the unpacked release."""

    stem: str
    path: str
    bytes: int
    count_txt: int | None


@dataclass
class Dataset:
    """A cached benchmark release."""

    key: str
    scale: float
    seed: int
    cases: int
    folder: str  # the cache entry
    zip_path: str
    zip_bytes: int
    unpacked: str  # the unpacked release's top folder (what ``ingest`` is given)
    generator: str  # how it was generated
    generate_s: float | None  # seconds to generate (None when reused from the cache)
    extract_s: float | None
    reused: bool = False
    tables: list[TableFile] = field(default_factory=list)
    #: The generator's summary: per table the rows and the expected loaded / repaired /
    #: quarantined counts (the truth our ingest is checked against).
    truth: dict[str, Any] = field(default_factory=dict)

    @property
    def data_bytes(self) -> int:
        return sum(t.bytes for t in self.tables)

    @property
    def data_rows(self) -> int:
        return sum(t.count_txt or 0 for t in self.tables)

    def table(self, stem: str) -> TableFile | None:
        for t in self.tables:
            if t.stem.lower() == stem.lower():
                return t
        return None

    def largest(self) -> TableFile:
        return max(self.tables, key=lambda t: t.bytes)

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["data_bytes"] = self.data_bytes
        d["data_rows_count_txt"] = self.data_rows
        return d


def _generate(out: Path, cases: int, seed: int, log: Any) -> tuple[str, dict[str, Any]]:
    """Write the release zip to ``out``; return the generator used and its summary."""
    try:
        from asylumstats.sample import generate_release
    except ImportError:
        generate_release = None
    if generate_release is not None:
        log(f"generating {cases:,} cases with asylumstats.sample.generate_release …")
        summary = generate_release(out, cases=cases, seed=seed)
        return "asylumstats.sample.generate_release", dict(summary or {})
    log("generate_release is not importable; trying 'asylumstats sample' …")
    argv = [
        sys.executable,
        "-m",
        "asylumstats",
        "sample",
        str(out),
        "--cases",
        str(cases),
        "--seed",
        str(seed),
    ]
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        raise NotAvailable(
            "the synthetic release generator is not available yet "
            f"({(proc.stderr or proc.stdout).strip().splitlines()[-1:] or 'no output'})"
        )
    return "asylumstats sample (CLI)", {}


def _extract(zip_path: Path, dest: Path) -> None:
    from asylumstats.release import open_archive

    archive = open_archive(zip_path)
    try:
        for member in archive.members():
            target = dest.joinpath(*PurePosixPath(member).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, open(target, "wb") as dst:
                while True:
                    chunk = src.read(_CHUNK)
                    if not chunk:
                        break
                    dst.write(chunk)
    finally:
        archive.close()


def _describe(unpacked: Path) -> list[TableFile]:
    from asylumstats.release import open_release

    out: list[TableFile] = []
    with open_release(unpacked) as rel:
        for spec in ALL_DATA_TABLES:
            member = rel.tables.get(spec.stem)
            if member is None:
                continue
            path = unpacked.joinpath(*PurePosixPath(member).parts)
            out.append(
                TableFile(spec.stem, str(path), path.stat().st_size, rel.count_for(spec.stem))
            )
    return out


def _top(unpacked_root: Path) -> Path:
    entries = [p for p in unpacked_root.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return unpacked_root


def prepare(
    cache_dir: Path, scale: float, seed: int, log: Any = print, cases: int | None = None
) -> Dataset:
    """Return the cached release for (scale or cases, seed, version), generating it when
    missing. The data tables are described afresh each time (every table ingest loads)."""
    key = cache_key(scale, seed, cases)
    folder = cache_dir / key
    meta = folder / "meta.json"
    if meta.is_file():
        data = json.loads(meta.read_text())
        data["tables"] = [TableFile(**t) for t in data["tables"]]
        ds = Dataset(**data)
        if Path(ds.zip_path).is_file() and Path(ds.unpacked).is_dir():
            ds.reused = True
            ds.generate_s = ds.extract_s = None
            ds.tables = _describe(Path(ds.unpacked))
            log(f"reusing the cached release {folder}")
            return ds
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if cases is None:
        cases = cases_for(scale)
    zip_path = folder / "release.zip"
    started = time.perf_counter()
    generator, summary = _generate(zip_path, cases, seed, log)
    generate_s = time.perf_counter() - started
    log(f"generated {zip_path} ({zip_path.stat().st_size / 1e6:,.1f} MB) in {generate_s:,.1f} s")
    started = time.perf_counter()
    root = folder / "unpacked"
    _extract(zip_path, root)
    extract_s = time.perf_counter() - started
    unpacked = _top(root)
    log(f"unpacked to {unpacked} in {extract_s:,.1f} s")
    ds = Dataset(
        key=key,
        scale=scale,
        seed=seed,
        cases=cases,
        folder=str(folder),
        zip_path=str(zip_path),
        zip_bytes=zip_path.stat().st_size,
        unpacked=str(unpacked),
        generator=generator,
        generate_s=generate_s,
        extract_s=extract_s,
        tables=_describe(unpacked),
        truth=summary,
    )
    saved = asdict(ds)
    meta.write_text(json.dumps(saved, indent=2))
    return ds


def warm_page_cache(paths: list[Path]) -> None:
    """Read files once so that every timed reader finds them in the page cache."""
    buf = bytearray(_CHUNK)
    for p in paths:
        try:
            with open(p, "rb", buffering=0) as fh:
                while fh.readinto(buf):
                    pass
        except OSError:
            pass
