"""Real lookup data bundled with the generator (``data/``), loaded once per process."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("asylumstats.sample").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _pairs(name: str) -> list[tuple[str, str]]:
    return [(r["code"], r["label"]) for r in _rows(name)]


@dataclass(frozen=True)
class BaseCity:
    code: str
    name: str
    city: str
    state: str
    region: str
    trial: bool


@dataclass(frozen=True)
class Reference:
    """Code lists of the real release (see ``data/SOURCES.md``)."""

    base_cities: tuple[BaseCity, ...]
    judges: tuple[tuple[str, str, tuple[str, ...]], ...]  # code, name, base cities
    hlocs: tuple[tuple[str, str, str], ...]  # code, name, base city
    nationalities: tuple[tuple[str, str], ...]
    languages: tuple[tuple[str, str], ...]
    case_types: tuple[tuple[str, str], ...]
    custody: tuple[tuple[str, str], ...]
    appl_codes: tuple[tuple[str, str], ...]
    appl_decisions: tuple[tuple[str, str], ...]
    bia_decisions: tuple[tuple[str, str], ...]
    bia_decision_types: tuple[tuple[str, str], ...]
    appeal_types: tuple[tuple[str, str], ...]
    court_outcomes: dict[tuple[str, int], tuple[int, int]]  # (court, FY) -> grants, denials


@lru_cache(maxsize=1)
def load() -> Reference:
    """Load the bundled reference data."""
    bcs = tuple(
        BaseCity(r["code"], r["name"], r["city"], r["state"], r["region"], r["trial"] == "1")
        for r in _rows("base_cities.csv")
    )
    judges = tuple(
        (r["code"], r["name"], tuple(c for c in r["courts"].split(";") if c))
        for r in _rows("judges.csv")
    )
    hlocs = tuple((r["code"], r["name"], r["base_city"]) for r in _rows("hlocs.csv"))
    outcomes = {
        (r["court"], int(r["fiscal_year"])): (int(r["grants"]), int(r["denials"]))
        for r in _rows("court_outcomes.csv")
    }
    return Reference(
        base_cities=bcs,
        judges=judges,
        hlocs=hlocs,
        nationalities=tuple(_pairs("nationalities.csv")),
        languages=tuple(_pairs("languages.csv")),
        case_types=tuple(_pairs("case_types.csv")),
        custody=tuple(_pairs("custody.csv")),
        appl_codes=tuple(_pairs("appl_codes.csv")),
        appl_decisions=tuple(_pairs("appl_decisions.csv")),
        bia_decisions=tuple(_pairs("bia_decisions.csv")),
        bia_decision_types=tuple(_pairs("bia_decision_types.csv")),
        appeal_types=tuple(_pairs("appeal_types.csv")),
        court_outcomes=outcomes,
    )
