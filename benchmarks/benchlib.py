"""What every benchmark script shares: timing runs, describing the machine, writing results."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "benchmarks" / "results"

# In-process measures start after this many unmeasured runs: the first runs of a fresh
# process are slower (Saxon's native heap grows in its first collections), and a build of
# many documents, or `tei-tools watch`, runs warm.
WARM_UP_RUNS = 10


def timed(function: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock seconds of `runs` calls of `function` (report their median)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def round_robin(samplers: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    """Samples of every in-process measure, taken in turn (one run of each, then again).

    On a shared machine whose speed changes from one minute to the next, measuring one
    thing after another would give each the speed of its own minute; taken in turn, every
    measure sees the same mix. The first WARM_UP_RUNS rounds are not counted. Each sampler
    runs once per call and returns the seconds it measured (set-up left out).
    """
    samples: dict[str, list[float]] = {name: [] for name in samplers}
    for round_number in range(WARM_UP_RUNS + runs):
        for name, one_run in samplers.items():
            seconds = one_run()
            if round_number >= WARM_UP_RUNS:
                samples[name].append(seconds)
    return samples


def calibration_ms(runs: int = 15) -> float:
    """The median time of a fixed pure-Python workload: how fast the machine was just then.

    On the shared 2-CPU machine these benchmarks were written on, the same code ran up to
    1.6 times slower from one minute to the next (the host's load, not this process: no
    page faults, no preemption). Each results file records this figure at the start and
    the end of its run, so runs can be compared: ~15 ms was the machine at its fastest.
    """
    times = sorted(timed(calibration_workload, runs))
    return round(times[len(times) // 2] * 1000, 2)


def calibration_workload() -> int:
    """The fixed pure-Python work that calibration_ms times (~15 ms at the machine's fastest)."""
    total = 0
    for i in range(300_000):
        total += i * i % 7
    return total


def cache_bytecode() -> None:
    """Compile the package's modules to bytecode (`__pycache__/`) before measuring.

    A user's Python writes this cache the first time it imports the package and reads it
    from then on; every measured command is such a later run. Where the cache is not
    written (`PYTHONDONTWRITEBYTECODE`, set on the machine these figures were taken on),
    each command would compile the package's sources again, about 15 ms of a build's start
    that no user pays twice.
    """
    import compileall

    compileall.compile_dir(str(REPO / "tei_tools"), quiet=1)


def environment() -> dict[str, str]:
    """The facts a reader needs to compare figures across machines."""
    from importlib.metadata import version

    return {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "saxonche": version("saxonche"),
        "saxon_runtime": saxon_runtime_options(),
    }


def saxon_runtime_options() -> str:
    """The options a new process makes Saxon's runtime with (tei_tools.saxon_runtime)."""
    probe = "from tei_tools import saxon, saxon_runtime; saxon.processor(); print(saxon_runtime.started())"
    started = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO).stdout.strip()
    if started != "True":
        return "GraalVM's defaults (saxonche made the runtime)"
    from tei_tools.saxon_runtime import RUNTIME_OPTIONS

    return " ".join(RUNTIME_OPTIONS)


def write_results(path: Path, report: dict) -> None:
    """Write a results file atomically (a stopped benchmark leaves the old figures)."""
    from tei_tools.fsutil import atomic_write

    atomic_write(path, (json.dumps(report, indent=2) + "\n").encode("utf-8"))
    print(f"wrote {path.relative_to(REPO)}")
