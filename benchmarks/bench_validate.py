"""Benchmark `tei-tools validate`: median of 7 runs, in-process and as a whole process.

In-process: each edition file parsed and validated (RELAX NG + Schematron) with the schemas
already compiled, as a long-running tool (watch, build) does. Whole process: `tei-tools
validate <file>` from start to exit, imports and schema compilation included. When
edition/ holds no TEI file yet, the valid test fixture is measured instead.

    python benchmarks/bench_validate.py     # writes benchmarks/results/bench_validate.json

Targets (issue 2): in-process <= 20 ms for the article; whole process <= 0.25 s.
"""
from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "bench_validate.json"
RUNS = 7
IN_PROCESS_TARGET = 0.020
PROCESS_TARGET = 0.25

from tei_tools import validate  # noqa: E402
from tei_tools.editions import edition_files  # noqa: E402
from benchlib import environment, timed  # noqa: E402
from tei_tools.fsutil import atomic_write  # noqa: E402


def measured_files() -> tuple[list[Path], str]:
    files = edition_files([REPO / "edition"])
    if files:
        return files, "edition/*.xml"
    return [REPO / "tests" / "fixtures" / "valid-article.xml"], "tests/fixtures/valid-article.xml (edition/ is empty)"



def command() -> list[str]:
    script = shutil.which("tei-tools")
    return [script] if script else [sys.executable, "-m", "tei_tools"]


def run_process(path: Path) -> None:
    done = subprocess.run([*command(), "validate", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"tei-tools validate {path} failed:\n{done.stdout}{done.stderr}")


def main() -> None:
    files, what = measured_files()
    start = time.perf_counter()
    validate.relaxng()
    validate.schematron()
    compile_seconds = time.perf_counter() - start
    per_file = {}
    for path in files:
        validate.validate_file(path)  # warm-up
        in_process = timed(lambda: validate.validate_file(path), RUNS)
        process = timed(lambda: run_process(path), RUNS)
        per_file[str(path.relative_to(REPO))] = {
            "bytes": path.stat().st_size,
            "in_process_median_seconds": round(statistics.median(in_process), 4),
            "in_process_seconds": [round(t, 4) for t in in_process],
            "whole_process_median_seconds": round(statistics.median(process), 4),
            "whole_process_seconds": [round(t, 4) for t in process],
        }
    results = {
        "benchmark": "bench_validate",
        "measured": what,
        "runs": RUNS,
        "schema_compile_seconds": round(compile_seconds, 4),
        "targets": {"in_process_seconds": IN_PROCESS_TARGET, "whole_process_seconds": PROCESS_TARGET},
        "within_targets": all(
            f["in_process_median_seconds"] <= IN_PROCESS_TARGET and f["whole_process_median_seconds"] <= PROCESS_TARGET
            for f in per_file.values()
        ),
        "files": per_file,
        **environment(),
    }
    atomic_write(RESULTS, (json.dumps(results, indent=2) + "\n").encode("utf-8"))
    for name, figures in per_file.items():
        print(f"{name}: in-process {figures['in_process_median_seconds'] * 1000:.1f} ms, "
              f"whole process {figures['whole_process_median_seconds']:.3f} s (median of {RUNS})")
    print(f"written to {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
