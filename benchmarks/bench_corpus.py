"""Benchmark building a corpus: N copies of the edition, every format, 1 and 2 jobs.

    python benchmarks/bench_corpus.py [--sizes 50,200,500] [--jobs 1,2] [--runs N] [--worker-memory MIB]

The copies of edition/*.xml get distinct identifiers and titles (as the issues of a
journal's run would), in a temporary folder. Each measurement is the whole
`tei-tools build --jobs J` process into an empty output folder, validation included, from
exec to exit; the median of --runs runs (default 5). Peak memory is the largest resident
set of any process of the build (the main process or a worker), from the OS
(RUSAGE_CHILDREN of a wrapper process). The incremental figure is a second build of the
largest corpus with nothing changed. The largest corpus is built once more with the most
jobs and `--worker-memory` (default 200 MiB; 0 leaves it out), which replaces a worker
before its memory would pass the limit. Results: benchmarks/results/bench_corpus.json.

Targets (issue 8): 500 documents in <= 10 s with 2 jobs (>= 50 documents/s); time per
document flat within 20 % from the smallest to the largest corpus; peak memory per worker
<= 200 MiB; the incremental run <= 1 s for 500 documents.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import cache_bytecode, calibration_ms, environment, write_results

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "bench_corpus.json"
# The largest corpus is also built with `tei-tools build --worker-memory` at this limit
# (the target for a worker's memory): workers are replaced before they pass it.
WORKER_MEMORY_MIB = 200
EDITION = REPO / "edition"

sys.path.insert(0, str(REPO / "benchmarks"))
from bench_build import run_measured  # noqa: E402  (one way of measuring for every benchmark)

TARGETS = {"seconds_500_jobs2": 10.0, "flatness": 0.20, "peak_mib_per_worker": 200.0, "incremental_seconds_500": 1.0}


def make_corpus(folder: Path, count: int) -> list[Path]:
    """`count` copies of the edition's TEI files, each with its own identifier and title.

    Beside `folder`, `schema/` links to the repository's, so that the copies' schema links
    (`../schema/…`) lead to it, as in a project's edition/.
    """
    masters = sorted(p for p in EDITION.glob("*.xml"))
    folder.mkdir(parents=True, exist_ok=True)
    schema = folder.parent / "schema"
    if not schema.exists():
        schema.symlink_to(REPO / "schema", target_is_directory=True)
    paths = []
    for number in range(count):
        master = masters[number % len(masters)]
        text = master.read_text(encoding="utf-8")
        text = re.sub(r'(<idno type="edition">)([^<]+)', lambda m: f"{m.group(1)}{m.group(2)}-{number:04d}", text, count=1)
        text = re.sub(r'(<title type="supplied">)([^<]+)', lambda m: f"{m.group(1)}{m.group(2)} (copy {number})", text, count=1)
        path = folder / f"{master.stem}-{number:04d}.xml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def build_command(corpus: Path, out: Path, jobs: int, worker_memory: int | None = None) -> list[str]:
    limit = ["--worker-memory", str(worker_memory)] if worker_memory else []
    return [sys.executable, "-m", "tei_tools", "build", "--jobs", str(jobs), *limit, "--out", str(out), str(corpus)]


def measure(corpus: Path, count: int, jobs: int, runs: int, worker_memory: int | None = None) -> dict:
    seconds, peaks = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            elapsed, mib = run_measured(build_command(corpus, Path(out), jobs, worker_memory))
            built = len(list(Path(out).glob("*.html")))
            assert built == count, f"built {built} of {count} documents"
        seconds.append(elapsed)
        peaks.append(mib)
    median = statistics.median(seconds)
    return {
        "documents": count,
        "jobs": jobs,
        "runs": runs,
        "median_s": round(median, 3),
        "min_s": round(min(seconds), 3),
        "ms_per_document": round(median / count * 1000, 2),
        "documents_per_s": round(count / median, 1),
        "peak_mib": round(max(peaks), 1),
        "worker_memory_mib": worker_memory,
    }


def measure_incremental(corpus: Path, count: int, jobs: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(build_command(corpus, Path(out), jobs), check=True, capture_output=True, cwd=REPO)
        seconds = [run_measured(build_command(corpus, Path(out), jobs))[0] for _ in range(runs)]
    return {"documents": count, "jobs": jobs, "runs": runs, "median_s": round(statistics.median(seconds), 3)}


def verdicts(all_rows: list[dict], incremental: dict | None) -> dict:
    """Each target with the figure it is judged on (builds without a memory limit, and the
    peak memory also with one)."""
    found = {}
    rows = [r for r in all_rows if not r.get("worker_memory_mib")]
    limited = [r for r in all_rows if r.get("worker_memory_mib")]
    by = {(r["documents"], r["jobs"]): r for r in rows}
    largest = max(r["documents"] for r in rows)
    smallest = min(r["documents"] for r in rows)
    if (largest, 2) in by:
        row = by[(largest, 2)]
        found["seconds_largest_jobs2"] = {"documents": largest, "value": row["median_s"],
                                          "target": TARGETS["seconds_500_jobs2"] * largest / 500,
                                          "meets_target": row["median_s"] <= TARGETS["seconds_500_jobs2"] * largest / 500}
    for jobs in sorted({r["jobs"] for r in rows}):
        if (smallest, jobs) in by and (largest, jobs) in by and smallest != largest:
            change = by[(largest, jobs)]["ms_per_document"] / by[(smallest, jobs)]["ms_per_document"] - 1
            found[f"flatness_jobs{jobs}"] = {"value": round(change, 3), "target": TARGETS["flatness"],
                                             "meets_target": abs(change) <= TARGETS["flatness"]}
            # The same question without the fixed cost of starting (interpreter, workers,
            # compiling): the time each further document adds, between successive sizes.
            sizes = sorted(n for n, j in by if j == jobs)
            slopes = [(by[(b, jobs)]["median_s"] - by[(a, jobs)]["median_s"]) / (b - a) * 1000 for a, b in zip(sizes, sizes[1:])]
            spread = max(slopes) / min(slopes) - 1
            found[f"marginal_flatness_jobs{jobs}"] = {"value": round(spread, 3), "ms_per_further_document": [round(x, 1) for x in slopes],
                                                      "target": TARGETS["flatness"], "meets_target": spread <= TARGETS["flatness"]}
    peak = max(r["peak_mib"] for r in rows)
    found["peak_mib_per_worker"] = {"value": peak, "target": TARGETS["peak_mib_per_worker"],
                                    "meets_target": peak <= TARGETS["peak_mib_per_worker"]}
    for row in limited:
        unlimited = by.get((row["documents"], row["jobs"]))
        found[f"peak_mib_per_worker_with_limit_jobs{row['jobs']}"] = {
            "documents": row["documents"], "worker_memory_mib": row["worker_memory_mib"], "value": row["peak_mib"],
            "seconds": row["median_s"], "seconds_without_limit": unlimited and unlimited["median_s"],
            "target": TARGETS["peak_mib_per_worker"], "meets_target": row["peak_mib"] <= TARGETS["peak_mib_per_worker"]}
    if incremental:
        limit = TARGETS["incremental_seconds_500"] * max(incremental["documents"], 500) / 500
        found["incremental_seconds"] = {"documents": incremental["documents"], "value": incremental["median_s"],
                                        "target": limit, "meets_target": incremental["median_s"] <= limit}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200,500", help="corpus sizes, comma-separated")
    parser.add_argument("--jobs", default="1,2", help="job counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (the issue asks for at least 5)")
    parser.add_argument("--worker-memory", type=int, default=WORKER_MEMORY_MIB,
                        help="also build the largest corpus with this --worker-memory (MiB; 0: do not)")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes.split(",")]
    job_counts = [int(n) for n in args.jobs.split(",")]
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    cache_bytecode()  # as a user's second run finds it (benchlib.cache_bytecode)

    rows, incremental = [], None
    calibration = {"start": calibration_ms()}
    print(f"machine speed (benchlib.calibration_ms): {calibration['start']} ms", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        for count in sizes:
            corpus = Path(scratch) / f"corpus-{count}"
            make_corpus(corpus, count)
            for jobs in job_counts:
                row = measure(corpus, count, jobs, args.runs)
                rows.append(row)
                print(f"{count:4} documents, {jobs} jobs: median {row['median_s']:7.2f} s, "
                      f"{row['ms_per_document']:6.1f} ms/document, {row['documents_per_s']:5.1f} documents/s, "
                      f"peak {row['peak_mib']:.0f} MiB", flush=True)
        largest = max(sizes)
        if args.worker_memory:
            corpus, jobs = Path(scratch) / f"corpus-{largest}", max(job_counts)
            row = measure(corpus, largest, jobs, args.runs, args.worker_memory)
            rows.append(row)
            print(f"{largest:4} documents, {jobs} jobs, --worker-memory {args.worker_memory}: median {row['median_s']:7.2f} s, "
                  f"{row['ms_per_document']:6.1f} ms/document, peak {row['peak_mib']:.0f} MiB", flush=True)
        incremental = measure_incremental(Path(scratch) / f"corpus-{largest}", largest, max(job_counts), args.runs)
        print(f"{largest:4} documents again, nothing changed: median {incremental['median_s']:.3f} s", flush=True)

    calibration["end"] = calibration_ms()
    print(f"machine speed at the end: {calibration['end']} ms")
    report = {
        "benchmark": "bench_corpus",
        **environment(),
        "calibration_ms": calibration,
        "results": rows,
        "incremental": incremental,
        "targets": verdicts(rows, incremental),
    }
    for name, verdict in report["targets"].items():
        print(f"{name:24} {verdict['value']} (target {verdict['target']}): {'ok' if verdict['meets_target'] else 'MISSED'}")
    write_results(RESULTS, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
