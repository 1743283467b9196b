"""Benchmark the build: stylesheet compilation, in-process transforms, the whole command.

    python benchmarks/bench_build.py [--runs N]

Median of N runs (default 7, at least 5) for each measure; results are written to
benchmarks/results/bench_build.json and printed, with the machine's speed at the start and
the end (benchlib.calibration_ms). The in-process measures are taken in turn, one run of
each and again, after benchlib.WARM_UP_RUNS uncounted rounds (benchlib.round_robin). Each format's
figures come from `measures()`, so a new format adds no script.

- compile:<stylesheet>  compiling the stylesheet in a fresh Saxon processor (fresh process,
                        so no cache of this process helps), target from TARGETS_MS;
- transform:<format>    rendering the article in-process after compilation, including
                        Saxon's parse of the file (what `tei-tools build` does per document);
- render:<format>       the same without Saxon's parse of the file (parse:saxon), which a
                        build does once per document for all its formats;
- cli:<format>          the whole `tei-tools build --format <format>` process, from exec to exit.

The whole build of the article (issue 8):

- startup:import        starting Python and importing the command line (`import tei_tools.cli`);
- process:all           the whole `tei-tools build` (validation and every format) into an
                        empty folder, from exec to exit, with its peak memory (the largest
                        process's maximum resident set, from the OS: RUSAGE_CHILDREN);
- inprocess:all         validating and building every format of the article in a warm
                        process (stylesheets compiled, schemas loaded), outputs written;
- incremental:all       `tei-tools build` again with nothing changed (the manifest skips it).
"""
from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import cache_bytecode, calibration_ms, calibration_workload, environment, round_robin, write_results

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "bench_build.json"
ARTICLE = REPO / "edition" / "mopr-1922-1924.xml"

# Targets in milliseconds (issue 4; the EPUB and text issues add theirs).
TARGETS_MS = {
    "compile:html.xsl": 100,
    "transform:html": 15,
    "cli:html": 300,
    "transform:epub": 30,  # issue 5: XHTML documents, package and zip, after compilation
    "transform:txt": 10,  # issue 6: the plain-text edition, after compilation
    "startup:import": 80,  # issue 8
    "process:all": 350,
    "inprocess:all": 60,
}
TARGETS_MIB = {"process:all": 150}



def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def time_compile(stylesheet: str, runs: int) -> list[float]:
    """Compile in a child process each run: a warm cache in this process would hide the cost."""
    code = (
        "import time; from tei_tools import saxon; saxon.processor();"
        f"t = time.perf_counter(); saxon.stylesheet({stylesheet!r}); print(time.perf_counter() - t)"
    )
    return [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=REPO).stdout)
            for _ in range(runs)]


def transform_sampler(format_name: str, parsed: bool = False):
    """One run of rendering the article with one format (compilation excluded), as a function.

    Each run starts from the validated lxml tree with nothing rendered yet: Saxon parses
    the file again (as a build does once per document, for all its formats) and the
    format renders everything it needs (the EPUB its HTML page too). With `parsed`, Saxon's
    parse is done before the clock starts (render:<format>): the transform proper.
    """
    from tei_tools import transform

    loaded = transform.load_document(ARTICLE)
    output_format = transform.FORMATS[format_name]

    def one_run() -> float:
        document = transform.SourceDocument(loaded.path, loaded.tree, formats=(format_name,))
        if parsed:
            document.saxon_node()
        start = time.perf_counter()
        output_format.render(document)
        return time.perf_counter() - start

    return one_run


def saxon_parse_sampler():
    """One run of Saxon's parse of the article: part of every transform:<format> figure, but
    paid once per document in a build, whatever the number of formats."""
    from tei_tools import transform

    loaded = transform.load_document(ARTICLE)

    def one_run() -> float:
        document = transform.SourceDocument(loaded.path, loaded.tree)
        start = time.perf_counter()
        document.saxon_node()
        return time.perf_counter() - start

    return one_run


def inprocess_all_sampler():
    """One run of validating and building every format in this process, outputs written."""
    from tei_tools import parallel, transform

    formats = transform.resolve_formats(["all"])
    out = Path(tempfile.mkdtemp(prefix="bench-build-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)  # the samples outlive this function

    def one_run() -> float:
        start = time.perf_counter()
        outcome = parallel.build_task(ARTICLE, out, formats)
        seconds = time.perf_counter() - start
        assert outcome.result.ok, outcome.result.messages
        return seconds

    return one_run


def calibration_sampler():
    """One run of benchlib's fixed Python workload: the machine's speed during the rounds."""
    def one_run() -> float:
        start = time.perf_counter()
        calibration_workload()
        return time.perf_counter() - start

    return one_run


def time_cli(format_name: str, runs: int) -> list[float]:
    """The whole command in a new process, run as the installed console script would be."""
    # --force: the output folder is reused, and an incremental build would skip the work.
    command = [sys.executable, "-m", "tei_tools", "build", "--force", "--format", format_name]
    samples = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([*command, "--out", out, str(ARTICLE)], check=True, capture_output=True, cwd=REPO)
            samples.append(time.perf_counter() - start)
    return samples


# Runs a command and reports its wall time and the peak resident set of the largest process
# it started (itself or a worker), from the OS; a separate process per measurement, since
# RUSAGE_CHILDREN only ever grows.
_MEASURED = (
    "import resource, subprocess, sys, time; start = time.perf_counter();"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
    "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def run_measured(command: list[str], cwd: Path = REPO) -> tuple[float, float]:
    """(seconds, peak MiB) of one run of `command`."""
    out = subprocess.run([sys.executable, "-c", _MEASURED, *command], check=True, capture_output=True, text=True, cwd=cwd).stdout
    seconds, kib = out.split()
    return float(seconds), int(kib) / 1024


def time_startup(runs: int) -> list[float]:
    """Python's start and the import of the command line, as every `tei-tools` command pays them."""
    return [run_measured([sys.executable, "-c", "import tei_tools.cli"])[0] for _ in range(runs)]


PEAK_MIB: dict[str, list[float]] = {}


def time_process_all(runs: int) -> list[float]:
    """`tei-tools build` of the article, every format, into an empty folder each run."""
    samples = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            seconds, mib = run_measured([sys.executable, "-m", "tei_tools", "build", "--out", out, str(ARTICLE)])
        samples.append(seconds)
        PEAK_MIB.setdefault("process:all", []).append(mib)
    return samples


def time_incremental_all(runs: int) -> list[float]:
    """`tei-tools build` again with nothing changed: the manifest finds every output up to date."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "tei_tools", "build", "--out", out, str(ARTICLE)]
        subprocess.run(command, check=True, capture_output=True, cwd=REPO)
        return [run_measured(command)[0] for _ in range(runs)]


def whole_build_measures() -> dict[str, callable]:
    return {
        "parse:saxon": InProcess(saxon_parse_sampler),
        "calibration:python": InProcess(calibration_sampler),
        "startup:import": time_startup,
        "process:all": time_process_all,
        "inprocess:all": InProcess(inprocess_all_sampler),
        "incremental:all": time_incremental_all,
    }


class InProcess:
    """Marks an in-process measure: made of single runs, sampled in turn with the others."""

    def __init__(self, make):
        self.make = make  # () -> one_run() -> seconds


def measures(formats: list[str]) -> dict[str, callable]:
    """Every measure for the registered formats: name -> function(runs) -> seconds."""
    from tei_tools import transform

    table = {}
    for name in formats:
        for stylesheet in transform.FORMATS[name].stylesheets:
            table[f"compile:{stylesheet}"] = lambda runs, s=stylesheet: time_compile(s, runs)
        table[f"transform:{name}"] = InProcess(lambda n=name: transform_sampler(n))
        table[f"render:{name}"] = InProcess(lambda n=name: transform_sampler(n, parsed=True))
        table[f"cli:{name}"] = lambda runs, n=name: time_cli(n, runs)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="measure only the names starting with this (e.g. process:)")
    args = parser.parse_args(argv)
    runs = max(5, args.runs)
    sys.path.insert(0, str(REPO))
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    cache_bytecode()  # as a user's second run finds it (benchlib.cache_bytecode)
    from tei_tools import transform

    results = {}
    calibration = {"start": calibration_ms()}
    print(f"machine speed (benchlib.calibration_ms): {calibration['start']} ms")
    table = {name: m for name, m in {**measures(list(transform.FORMATS)), **whole_build_measures()}.items()
             if name.startswith(args.only)}
    in_process = round_robin({name: m.make() for name, m in table.items() if isinstance(m, InProcess)}, runs)
    for name, measure in table.items():
        samples = in_process[name] if isinstance(measure, InProcess) else measure(runs)
        median = median_ms(samples)
        target = TARGETS_MS.get(name)
        results[name] = {
            "median_ms": median,
            "min_ms": round(min(samples) * 1000, 2),
            "runs": runs,
            "target_ms": target,
            "meets_target": None if target is None else median <= target,
        }
        verdict = "" if target is None else (" ok" if median <= target else f" OVER target {target} ms")
        if name in PEAK_MIB:
            peak = round(max(PEAK_MIB[name]), 1)
            limit = TARGETS_MIB.get(name)
            results[name].update({"peak_mib": peak, "target_mib": limit, "meets_memory_target": None if limit is None else peak <= limit})
            verdict += f"; peak {peak} MiB" + ("" if limit is None else (" ok" if peak <= limit else f" OVER target {limit} MiB"))
        print(f"{name:24} median {median:8.2f} ms{verdict}")
    calibration["end"] = calibration_ms()
    print(f"machine speed at the end: {calibration['end']} ms")
    report = {
        "benchmark": "bench_build",
        "document": str(ARTICLE.relative_to(REPO)),
        **environment(),
        "calibration_ms": calibration,
        "results": results,
    }
    if args.only and RESULTS.is_file():  # a partial run updates its figures, keeps the others
        previous = json.loads(RESULTS.read_text(encoding="utf-8")).get("results", {})
        report["results"] = {**previous, **results}
    write_results(RESULTS, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
