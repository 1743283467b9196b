"""Benchmark `tei-tools package --zip` and `tei-tools verify`: median of 5 runs each.

Packages the repository's edition (validate, build reusing up-to-date outputs, bag, zip)
into a temporary folder, then verifies the zip. When the build pipeline
(tei_tools.transform) is not installed, it packages the small test project instead, with
reading editions written by the tests' stand-in builder, and says so in the results.
(Each run after the first reuses the up-to-date reading editions, as `tei-tools package` does.)

    python benchmarks/bench_package.py      # writes benchmarks/results/bench_package.json
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 5
sys.path.insert(0, str(REPO / "tests"))

from benchlib import environment, timed  # noqa: E402
from tei_tools.fsutil import atomic_write  # noqa: E402
from tei_tools.package import package  # noqa: E402
from tei_tools.verify import verify  # noqa: E402


def pipeline_complete() -> bool:
    """The build pipeline exists and makes every reading edition a deposit holds."""
    if importlib.util.find_spec("tei_tools.transform") is None:
        return False
    from tei_tools import transform
    from tei_tools.package import DEPOSIT_FORMATS

    return all(name in transform.FORMATS for name in DEPOSIT_FORMATS)


def project(scratch: Path) -> tuple[Path, object, str]:
    """The project to package, its build step and a name for what was measured."""
    if pipeline_complete():
        return REPO, None, "repository edition, tei_tools.transform build (reusing up-to-date outputs)"
    from deposit_project import FIXTURE, small_build

    root = scratch / "project"
    shutil.copytree(FIXTURE, root)
    return root, small_build, "test fixture project (the build pipeline does not make every reading edition yet)"



def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-package-") as scratch:
        root, build, what = project(Path(scratch))
        out = Path(scratch) / "deposit"
        first = time.perf_counter()
        made = package(root, out, make_zip=True, build=build)  # warm-up: Saxon processor and stylesheets
        cold = time.perf_counter() - first
        package_times = timed(lambda: package(root, out, make_zip=True, build=build), RUNS)
        zip_path = made[0].zip
        verify_times = timed(lambda: verify(zip_path), RUNS)
        results = {
            "benchmark": "bench_package",
            "measured": what,
            "runs": RUNS,
            "first_package_seconds": round(cold, 4),
            "package_zip_median_seconds": round(statistics.median(package_times), 4),
            "package_zip_seconds": [round(t, 4) for t in package_times],
            "verify_zip_median_seconds": round(statistics.median(verify_times), 4),
            "verify_zip_seconds": [round(t, 4) for t in verify_times],
            "payload_files": made[0].files,
            "payload_bytes": made[0].bytes,
            "zip_bytes": zip_path.stat().st_size,
            **environment(),
        }
    target = REPO / "benchmarks" / "results" / "bench_package.json"
    atomic_write(target, (json.dumps(results, indent=2) + "\n").encode("utf-8"))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
