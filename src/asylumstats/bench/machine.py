"""The machine a benchmark ran on: cores, RAM, CPU model, OS, Python and library versions."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from typing import Any

import psutil


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    """A JSON-able description of this machine and the software versions in use."""
    from asylumstats import __version__

    vm = psutil.virtual_memory()
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    return {
        "cpu_model": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gib": round(vm.total / 1024**3, 1),
        "ram_available_gib_at_start": round(vm.available / 1024**3, 1),
        "load_average_at_start": [round(x, 2) for x in load],
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "asylumstats": __version__,
        "duckdb": _version("duckdb"),
        "pandas": _version("pandas"),
        "pyarrow": _version("pyarrow"),
        "pyspark": _version("pyspark"),
        "uvicorn": _version("uvicorn"),
        "httpx": _version("httpx"),
    }
