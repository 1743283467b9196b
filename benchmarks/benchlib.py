"""What every benchmark script shares: timing runs, describing the machine, writing results."""
from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "benchmarks" / "results"


def timed(function: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock seconds of `runs` calls of `function` (report their median)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def environment() -> dict[str, str]:
    """The facts a reader needs to compare figures across machines."""
    return {"python": platform.python_version(), "machine": f"{platform.machine()}, {os.cpu_count()} CPUs"}


def write_results(path: Path, report: dict) -> None:
    """Write a results file atomically (a stopped benchmark leaves the old figures)."""
    from tei_tools.fsutil import atomic_write

    atomic_write(path, (json.dumps(report, indent=2) + "\n").encode("utf-8"))
    print(f"wrote {path.relative_to(REPO)}")
