"""``generate_release``: write a synthetic EOIR case-data release zip (and optional truth).

Data tables are generated in chunks of cases (``Model.chunk``), decorated with the raw
format's habits (codes padded with spaces, dates without milliseconds, ``N/A`` in
CASEPRIORITY_CODE), given a known number of quirks, and streamed into the zip.

Quirks (``manifest.json`` lists their physical line numbers; the header is line 1):

- ``tab_shift``: a TAB inside a ``text`` value (A_TblCase ALIEN_CITY "CITY<TAB>ST", rarely
  "CITY<TAB>ST<TAB>ZIP", or UPDATED_CITY; tblAppeal strAppealType "Case<TAB>Appeal"). The
  row has 1-2 fields too many; the only placement of the extra fields into a text column
  that types correctly is the original one. Disposition: *repaired*; the truth keeps the
  TAB inside the text value (e.g. ``HOUSTON\\tTX``).
- ``short_row``: the last 1-3 fields are missing. *Repaired* (padded); truth has NULL there.
- ``trailing_na``: one extra trailing ``N/A`` or blank field (A_TblCase). *Repaired* (the
  extra field dropped; this takes precedence over a merge into the last text column).
- ``nul``: a NUL byte inside a code or text value. Loaded, NUL stripped.
- ``cp1252``: ALIEN_CITY with Windows-1252 bytes (é 0xE9, ’ 0x92, Ñ 0xD1 ...). Loaded,
  decoded as cp1252. No other data row holds a byte above 0x7F.
- ``null_tokens``: ``N/A``, ``b6``, ``???`` in a code column, ``00``/``0000`` in
  RELEASE_MONTH/RELEASE_YEAR, ``0`` in a date column. Loaded as NULL. (The routine ``N/A``
  of CASEPRIORITY_CODE, on most cases, is not listed.)
- ``unrepairable``: *quarantined*: an id column holding ``FC`` (reason: bad id), or a row
  with an extra field (a date where a code belongs) that no merge repairs (reason: field
  count / types).

Orphans: a few cases and proceedings are left out of their tables, so their children are
orphans (loaded); children of quarantined parents are orphans too. A row is an orphan when
any parent reference of ``tables.py`` (``Parent``) points to an id absent from the loaded
parent table.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from asylumstats.errors import UserError
from asylumstats.ingest.tables import DATA_TABLES, TableSpec
from asylumstats.sample import lookups as lookups_mod
from asylumstats.sample.model import CP1252_CITIES, Chunk, Ids, Model
from asylumstats.sample.more_tables import MoreTables
from asylumstats.sample.reference import load
from asylumstats.sample.validate import disposition, normalize
from asylumstats.sample.zipout import Deflate64Tree, DeflateZip

QUIRK_KINDS = (
    "tab_shift",
    "short_row",
    "trailing_na",
    "nul",
    "cp1252",
    "null_tokens",
    "unrepairable",
)
_EXPECT = {
    "tab_shift": "merged",
    "short_row": "short_row",
    "trailing_na": "trailing",
    "nul": "loaded",
    "cp1252": "loaded",
    "null_tokens": "loaded",
    "unrepairable": "quarantined",
}
#: Quirks per case, by table (at least one of each listed kind when cases >= 1000).
RATES: dict[str, dict[str, float]] = {
    "A_TblCase": {
        "tab_shift": 1.5e-4,
        "short_row": 5e-5,
        "trailing_na": 1e-4,
        "nul": 1e-4,
        "cp1252": 3e-4,
        "null_tokens": 2e-4,
        "unrepairable": 2e-5,
    },
    "B_TblProceeding": {"short_row": 3e-5, "nul": 5e-5, "null_tokens": 1e-4, "unrepairable": 1e-5},
    "tbl_Court_Appln": {"short_row": 2e-5, "nul": 3e-5, "unrepairable": 1e-5},
    "tblAppeal": {"tab_shift": 1e-5, "short_row": 1e-5, "nul": 1e-5, "unrepairable": 5e-6},
    "tbl_RepsAssigned": {"short_row": 1e-5, "null_tokens": 2e-5},
    "tbl_CustodyHistory": {"short_row": 1e-5, "null_tokens": 1e-5},
    "tbl_Lead_Rider": {"short_row": 1e-5},
}
ABSENT_RATES = {"A_TblCase": 2e-5, "B_TblProceeding": 2e-5}
_NULL_TOKENS: dict[str, list[tuple[tuple[str, str], ...]]] = {
    "A_TblCase": [
        (("ALIEN_STATE", "b6"),),
        (("ALIEN_STATE", "N/A"),),
        (("SITE_TYPE", "N/A"),),
        (("LATEST_CAL_TYPE", "???"),),
        (("RELEASE_MONTH", "00"), ("RELEASE_YEAR", "0000")),
        (("DATE_OF_ENTRY", "0"),),
        (("ZBOND_MRG_FLAG", "b6"),),
    ],
    "B_TblProceeding": [
        (("CRIM_IND", "N/A"),),
        (("IHP", "b6"),),
        (("DEC_TYPE", "???"),),
        (("DATE_APPEAL_DUE_STATUS", "0"),),
    ],
    "tbl_RepsAssigned": [(("BLNPRIMEATTY", "N/A"),), (("BASE_CITY_CODE", "b6"),)],
    "tbl_CustodyHistory": [(("DATRELEASED", "0"),), (("CUSTODY", "N/A"),)],
}
CHUNK = 50_000
SPECS = {t.stem: t for t in DATA_TABLES}


def planned(cases: int, rate: float) -> int:
    n = round(cases * rate)
    return max(n, 1) if cases >= 1000 else n


def top_folder(release_date: str) -> str:
    y, m, d = release_date.split("-")
    return f"EOIR Case Data {y}-{m}{d}"


# ---------------------------------------------------------------------------- decorations
def decorate(
    spec: TableSpec, clean: dict[str, np.ndarray], rng: np.random.Generator
) -> list[list[str]]:
    """Raw column values: codes padded with spaces, some dates without milliseconds."""
    out = []
    for col in spec.columns:
        vals = clean[col.name]
        n = len(vals)
        if col.kind == "code":
            share = 0.2 if col.name in ("LANG", "strLang") else 0.03
            idx = np.nonzero(rng.random(n) < share)[0]
            idx = idx[vals[idx] != ""]
            if col.name == "CASEPRIORITY_CODE":
                nulls = np.nonzero((vals == "") & (rng.random(n) < 0.97))[0]
                if len(nulls) or len(idx):
                    vals = vals.copy()
                    vals[nulls] = "N/A"
            if len(idx):
                vals = vals.copy()
                pads = np.array([" ", "  ", "   "], dtype=object)[rng.integers(0, 3, len(idx))]
                vals[idx] = vals[idx] + pads
        elif col.kind == "date":
            idx = np.nonzero(rng.random(n) < 0.04)[0]
            idx = idx[vals[idx] != ""]
            if len(idx):
                vals = vals.copy()
                vals[idx] = [v[:19] for v in vals[idx]]
        out.append(vals.tolist())
    return out


# ---------------------------------------------------------------------------- quirks
QuirkFn = Callable[
    [TableSpec, list[str], list[str], np.random.Generator],
    tuple[list[str], list[str] | None] | None,
]


def _idx(spec: TableSpec, name: str) -> int:
    return [c.name for c in spec.columns].index(name)


def q_tab_shift(
    spec: TableSpec, raw: list[str], clean: list[str], rng: np.random.Generator
) -> tuple[list[str], list[str] | None] | None:
    raw, clean = raw[:], clean[:]
    if spec.stem == "A_TblCase":
        use_updated = rng.random() < 0.25 and clean[_idx(spec, "UPDATED_CITY")] != ""
        if use_updated:
            ci, si, zi = (
                _idx(spec, "UPDATED_CITY"),
                _idx(spec, "UPDATED_STATE"),
                _idx(spec, "UPDATED_ZIPCODE"),
            )
        else:
            ci, si, zi = (
                _idx(spec, "ALIEN_CITY"),
                _idx(spec, "ALIEN_STATE"),
                _idx(spec, "ALIEN_ZIPCODE"),
            )
        if not (clean[ci] and clean[si] and clean[zi]):
            return None
        value = f"{clean[ci]}\t{clean[si]}"
        if not use_updated and rng.random() < 0.2:
            value += f"\t{clean[zi]}"
    elif spec.stem == "tblAppeal":
        ci = _idx(spec, "strAppealType")
        if " " not in clean[ci]:
            return None
        value = clean[ci].replace(" ", "\t", 1)
    else:
        return None
    clean[ci] = value
    raw[ci] = value
    return "\t".join(raw).split("\t"), clean


def q_short_row(
    spec: TableSpec, raw: list[str], clean: list[str], rng: np.random.Generator
) -> tuple[list[str], list[str] | None] | None:
    k = int(rng.integers(1, min(3, len(raw) - 3) + 1))
    clean = clean[:-k] + [""] * k
    return raw[:-k], clean


def q_trailing_na(
    spec: TableSpec, raw: list[str], clean: list[str], rng: np.random.Generator
) -> tuple[list[str], list[str] | None] | None:
    return raw + ["N/A" if rng.random() < 0.7 else ""], clean


def q_nul(
    spec: TableSpec, raw: list[str], clean: list[str], rng: np.random.Generator
) -> tuple[list[str], list[str] | None] | None:
    cand = [i for i, c in enumerate(spec.columns) if c.kind in ("code", "text") and raw[i]]
    if not cand:
        return None
    i = cand[int(rng.integers(0, len(cand)))]
    raw = raw[:]
    p = int(rng.integers(0, len(raw[i]) + 1))
    raw[i] = raw[i][:p] + "\x00" + raw[i][p:]
    return raw, clean


def q_cp1252(
    spec: TableSpec, raw: list[str], clean: list[str], rng: np.random.Generator
) -> tuple[list[str], list[str] | None] | None:
    i = _idx(spec, "ALIEN_CITY")
    if not clean[i]:
        return None
    raw, clean = raw[:], clean[:]
    raw[i] = clean[i] = CP1252_CITIES[int(rng.integers(0, len(CP1252_CITIES)))]
    return raw, clean


def q_null_tokens(
    spec: TableSpec, raw: list[str], clean: list[str], rng: np.random.Generator
) -> tuple[list[str], list[str] | None] | None:
    options = _NULL_TOKENS[spec.stem]
    raw, clean = raw[:], clean[:]
    for name, token in options[int(rng.integers(0, len(options)))]:
        i = _idx(spec, name)
        raw[i] = token
        clean[i] = ""
    return raw, clean


def q_unrepairable(
    spec: TableSpec, raw: list[str], clean: list[str], rng: np.random.Generator
) -> tuple[list[str], list[str] | None] | None:
    raw = raw[:]
    if spec.stem == "B_TblProceeding" or (spec.stem == "A_TblCase" and rng.random() < 0.3):
        raw[0] = "FC"
        return raw, None
    after = {"A_TblCase": "CUSTODY", "tbl_Court_Appln": "APPL_CODE", "tblAppeal": "strFiledBy"}
    i = _idx(spec, after[spec.stem]) + 1
    return raw[:i] + ["2019-03-04 00:00:00.000"] + raw[i:], None


QUIRKS: dict[str, QuirkFn] = {
    "tab_shift": q_tab_shift,
    "short_row": q_short_row,
    "trailing_na": q_trailing_na,
    "nul": q_nul,
    "cp1252": q_cp1252,
    "null_tokens": q_null_tokens,
    "unrepairable": q_unrepairable,
}


def _check(spec: TableSpec, kind: str, fields: list[str], clean: list[str] | None) -> bool:
    how, values = disposition(spec, fields)
    if how != _EXPECT[kind]:
        return False
    if values is None or clean is None:
        return values is None and clean is None
    return all(
        normalize(c, v) == normalize(c, t)
        for c, v, t in zip(spec.columns, values, clean, strict=True)
    )


# ---------------------------------------------------------------------------- table state
class TableState:
    """Per-table running counts, manifest line numbers and (optionally) truth columns."""

    def __init__(self, spec: TableSpec, keep_truth: bool) -> None:
        self.spec = spec
        self.rows = 0
        self.quarantined = 0
        self.repaired = 0
        self.orphans = 0
        self.quirks: dict[str, list[int]] = {k: [] for k in QUIRK_KINDS}
        self.truth: list[dict[str, list[str]]] | None = [] if keep_truth else None


def _apply_quirks(
    st: TableState,
    clean: dict[str, np.ndarray],
    raw_cols: list[list[str]],
    plan: dict[str, int],
    rng: np.random.Generator,
) -> tuple[dict[int, str], dict[int, list[str] | None]]:
    """Pick rows for this chunk's quirks; return raw line overrides and truth overrides."""
    spec = st.spec
    names = [c.name for c in spec.columns]
    n = len(raw_cols[0]) if raw_cols else 0
    lines: dict[int, str] = {}
    truth: dict[int, list[str] | None] = {}
    if n == 0:
        return lines, truth
    order = rng.permutation(n)
    pos = 0
    for kind in QUIRK_KINDS:
        want = plan.get(kind, 0)
        tries = 0
        while want > 0 and tries < 400 and pos < n:
            r = int(order[pos])
            pos += 1
            tries += 1
            raw = [col[r] for col in raw_cols]
            cl = [str(clean[nm][r]) for nm in names]
            res = QUIRKS[kind](spec, raw, cl, rng)
            if res is None:
                continue
            fields, new_clean = res
            if not _check(spec, kind, fields, new_clean):
                continue
            lines[r] = "\t".join(fields)
            truth[r] = new_clean
            st.quirks[kind].append(st.rows + r + 2)
            if kind == "unrepairable":
                st.quarantined += 1
            elif kind in ("tab_shift", "short_row", "trailing_na"):
                st.repaired += 1
            want -= 1
    return lines, truth


# ---------------------------------------------------------------------------- main
def generate_release(
    out: Path,
    cases: int,
    seed: int,
    *,
    release_date: str = "2026-07-01",
    compression: str = "deflate",
    truth_dir: Path | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Write a synthetic release zip to ``out``; return a summary (``synthetic: True``).

    ``compression`` is ``deflate`` (Python, streaming ZIP64) or ``deflate64`` (``7z``).
    With ``truth_dir``, also write the expected database rows per data table
    (``<db_name>.parquet``), the lookups (``lookups/<stem lower>.parquet``) and
    ``manifest.json``. The zip is written under a temporary name and renamed when complete.
    """
    out = Path(out)
    if cases < 1:
        raise UserError("The number of cases must be at least 1.")
    if compression not in ("deflate", "deflate64"):
        raise UserError(f"Unknown compression {compression!r}; use deflate or deflate64.")
    try:
        rel_day = np.datetime64(release_date, "D")
    except ValueError:
        raise UserError(f"Bad release date {release_date!r}; use YYYY-MM-DD.") from None
    if not (np.datetime64("2000-01-01") <= rel_day <= np.datetime64("2035-12-31")):
        raise UserError("The release date must fall between 2000-01-01 and 2035-12-31.")
    release_date = str(rel_day)
    if not out.parent.exists():
        raise UserError(f"The folder {out.parent} does not exist.")

    ref = load()
    model = Model(ref, seed, release_date)
    top = top_folder(release_date)
    tmp = Path(tempfile.mkdtemp(prefix=".asylumstats-sample-", dir=out.parent))
    part = out.with_name(out.name + ".part")
    try:
        writer: DeflateZip | Deflate64Tree = (
            DeflateZip(tmp, release_date)
            if compression == "deflate"
            else Deflate64Tree(tmp, release_date)
        )
        members = {t.stem: writer.open(f"{top}/EOIR Case Data/{t.stem}.csv") for t in DATA_TABLES}
        states = {t.stem: TableState(t, truth_dir is not None) for t in DATA_TABLES}
        for t in DATA_TABLES:
            members[t.stem].write(("\t".join(c.name for c in t.columns) + "\r\n").encode("ascii"))
        more = MoreTables(writer, top, model.release_day)
        totals = {
            stem: {k: planned(cases, r) for k, r in kinds.items()} for stem, kinds in RATES.items()
        }
        absent_total = {stem: planned(cases, r) for stem, r in ABSENT_RATES.items()}
        ids = Ids()
        bar = _progress(progress, cases)
        for j, a in enumerate(range(0, cases, CHUNK)):
            b = min(cases, a + CHUNK)
            chunk = model.chunk(np.random.default_rng([seed, 1, j]), ids, b - a)
            qrng = np.random.default_rng([seed, 2, j])
            _emit(chunk, states, members, qrng, cases, a, b, totals, absent_total)
            more.emit(chunk, np.random.default_rng([seed, 4, j]))
            if bar is not None:
                bar[0].update(bar[1], completed=b)
        if bar is not None:
            bar[0].stop()
        lrng = np.random.default_rng([seed, 3])
        lfiles = lookups_mod.build(ref)
        for lf in lfiles:
            data, _stats = lf.render(lrng)
            writer.open(f"{top}/Lookup/{lf.stem}.csv").write(data)
        rows = {t.stem: states[t.stem].rows for t in DATA_TABLES} | more.counts()
        count = "".join(f"{stem}\t{n}\r\n" for stem, n in rows.items())
        writer.open(f"{top}/Count.txt").write(count.encode("ascii"))
        note = (
            f"SYNTHETIC DATA. This release was generated by `asylumstats sample` "
            f"(seed {seed}, {cases} cases, release date {release_date}). It imitates the "
            "layout and raw format of the EOIR case-data release; no record describes a "
            "real person, case, judge decision or court outcome.\r\n"
        )
        writer.open(f"{top}/SYNTHETIC.txt").write(note.encode("ascii"))
        writer.finish(part)
        os.replace(part, out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    summary = _summary(states, top, release_date, seed, cases, compression)
    summary["tables"].update(more.summary())
    if truth_dir is not None:
        _write_truth(Path(truth_dir), states, lfiles, summary)
    return summary


def _progress(enabled: bool, total: int) -> tuple[Any, Any] | None:
    if not enabled:
        return None
    from rich.progress import Progress

    p = Progress(transient=True)
    p.start()
    return p, p.add_task("Generating synthetic release", total=total)


def _emit(
    chunk: Chunk,
    states: dict[str, TableState],
    members: dict[str, Any],
    rng: np.random.Generator,
    cases: int,
    a: int,
    b: int,
    totals: dict[str, dict[str, int]],
    absent_total: dict[str, int],
) -> None:
    absent: dict[str, set[str]] = {"cases": set(), "proceedings": set()}
    key_of = {
        "A_TblCase": ("cases", "IDNCASE"),
        "B_TblProceeding": ("proceedings", "IDNPROCEEDING"),
    }
    for t in DATA_TABLES:
        st = states[t.stem]
        clean = chunk.tables[t.stem]
        n_abs = absent_total.get(t.stem, 0) * b // cases - absent_total.get(t.stem, 0) * a // cases
        if n_abs and len(clean[t.columns[0].name]):
            n0 = len(clean[t.columns[0].name])
            drop = rng.choice(n0, size=min(n_abs, n0), replace=False)
            keep = np.ones(n0, bool)
            keep[drop] = False
            absent[key_of[t.stem][0]].update(clean[key_of[t.stem][1]][drop].tolist())
            clean = {k: v[keep] for k, v in clean.items()}
            chunk.parents[t.stem] = {k: v[keep] for k, v in chunk.parents.get(t.stem, {}).items()}
        raw_cols = decorate(t, clean, rng)
        plan = {k: n * b // cases - n * a // cases for k, n in totals.get(t.stem, {}).items()}
        lines_over, truth_over = _apply_quirks(st, clean, raw_cols, plan, rng)
        n = len(raw_cols[0])
        quarantined_rows = {r for r, v in truth_over.items() if v is None}
        if t.stem in key_of:
            idcol = clean[key_of[t.stem][1]]
            absent[key_of[t.stem][0]].update(str(idcol[r]) for r in quarantined_rows)
        # orphans: loaded rows whose parent is absent
        refs = chunk.parents.get(t.stem, {})
        if refs and (absent["cases"] or absent["proceedings"]):
            orphan = np.zeros(n, bool)
            for parent, col in refs.items():
                pool = absent["proceedings" if parent == "proceedings" else "cases"]
                if pool:
                    orphan |= np.isin(col, list(pool))
            for r in quarantined_rows:
                orphan[r] = False
            st.orphans += int(orphan.sum())
        lines = list(map("\t".join, zip(*raw_cols, strict=True)))
        for r, line in lines_over.items():
            lines[r] = line
        if n:
            text = "\r\n".join(lines) + "\r\n"
            members[t.stem].write(text.encode("ascii") if text.isascii() else text.encode("cp1252"))
        if st.truth is not None:
            cols = {c.name: clean[c.name].tolist() for c in t.columns}
            for r, vals in truth_over.items():
                if vals is not None:
                    for c, v in zip(t.columns, vals, strict=True):
                        cols[c.name][r] = v
            if quarantined_rows:
                keep_rows = [i for i in range(n) if i not in quarantined_rows]
                cols = {k: [v[i] for i in keep_rows] for k, v in cols.items()}
            st.truth.append(cols)
        st.rows += n


def _summary(
    states: dict[str, TableState],
    top: str,
    release_date: str,
    seed: int,
    cases: int,
    compression: str,
) -> dict[str, Any]:
    tables = {}
    for stem, st in states.items():
        tables[stem] = {
            "rows": st.rows,
            "rows_in_file": st.rows,
            "loaded": st.rows - st.quarantined,
            "repaired": st.repaired,
            "quarantined": st.quarantined,
            "orphans": st.orphans,
            "quirks": {k: len(v) for k, v in st.quirks.items() if v},
        }
    return {
        "release": top,
        "release_date": release_date,
        "synthetic": True,
        "seed": seed,
        "cases": cases,
        "compression": compression,
        "tables": tables,
    }


def _write_truth(
    truth_dir: Path,
    states: dict[str, TableState],
    lfiles: list[lookups_mod.LookupFile],
    summary: dict[str, Any],
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    truth_dir.mkdir(parents=True, exist_ok=True)
    for st in states.values():
        spec = st.spec
        arrays = []
        for c in spec.columns:
            vals = [v for part in (st.truth or []) for v in part[c.name]]
            norm = [normalize(c, v) for v in vals]
            if c.db_type == "BIGINT":
                arr = pa.array([int(v) if v else None for v in norm], type=pa.int64())
            elif c.db_type == "TIMESTAMP":
                d = np.array([v if v else "NaT" for v in norm], dtype="datetime64[us]")
                arr = pa.array(d, type=pa.timestamp("us"), mask=np.isnat(d))
            else:
                arr = pa.array([v if v else None for v in norm], type=pa.string())
            arrays.append(arr)
        table = pa.Table.from_arrays(arrays, names=[c.db_name for c in spec.columns])
        pq.write_table(table, truth_dir / f"{spec.db_name}.parquet")
    ldir = truth_dir / "lookups"
    ldir.mkdir(exist_ok=True)
    for lf in lfiles:
        cols = list(zip(*lf.rows, strict=True)) if lf.rows else [()] * len(lf.header)
        arrays = [pa.array([v.strip() or None for v in col], type=pa.string()) for col in cols]
        pq.write_table(
            pa.Table.from_arrays(arrays, names=[h.lower() for h in lf.header]),
            ldir / f"{lf.stem.lower()}.parquet",
        )
    manifest = {
        "release": summary["release"],
        "release_date": summary["release_date"],
        "synthetic": True,
        "seed": summary["seed"],
        "cases": summary["cases"],
        "tables": {
            stem: {
                "rows_in_file": st.rows,
                "loaded": st.rows - st.quarantined,
                "repaired": st.repaired,
                "quarantined": st.quarantined,
                "orphans": st.orphans,
                "quirks": st.quirks,
            }
            for stem, st in states.items()
        },
    }
    (truth_dir / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
