"""Benchmark the build: stylesheet compilation, in-process transforms, the whole command.

    python benchmarks/bench_build.py [--runs N]

Median of N runs (default 7, at least 5) for each measure; results are written to
benchmarks/results/bench_build.json and printed. Each format's figures come from
MEASURES, so the EPUB and text formats add a line there, not a new script.

- compile:<stylesheet>  compiling the stylesheet in a fresh Saxon processor (fresh process,
                        so no cache of this process helps), target from TARGETS_MS;
- transform:<format>    rendering the article in-process after compilation, including
                        Saxon's parse of the file (what `tei-tools build` does per document);
- cli:<format>          the whole `tei-tools build --format <format>` process, from exec to exit.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "bench_build.json"
ARTICLE = REPO / "edition" / "mopr-1922-1924.xml"

# Targets in milliseconds (issue 4; the EPUB and text issues add theirs).
TARGETS_MS = {
    "compile:html.xsl": 100,
    "transform:html": 15,
    "cli:html": 300,
}


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


def time_transform(format_name: str, runs: int) -> list[float]:
    """Render the article with one format after a warm-up run (compilation excluded)."""
    from tei_tools import transform

    document = transform.load_document(ARTICLE)
    output_format = transform.FORMATS[format_name]
    output_format.render(document)  # compile and warm up
    samples = []
    for _ in range(runs):
        document._saxon_node = None  # each run parses the file again, as a build does
        start = time.perf_counter()
        output_format.render(document)
        samples.append(time.perf_counter() - start)
    return samples


def time_cli(format_name: str, runs: int) -> list[float]:
    """The whole command in a new process, run as the installed console script would be."""
    command = [sys.executable, "-m", "tei_tools", "build", "--format", format_name]
    samples = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([*command, "--out", out, str(ARTICLE)], check=True, capture_output=True, cwd=REPO)
            samples.append(time.perf_counter() - start)
    return samples


def measures(formats: list[str]) -> dict[str, callable]:
    """Every measure for the registered formats: name -> function(runs) -> seconds."""
    from tei_tools import transform

    table = {}
    for name in formats:
        for stylesheet in transform.FORMATS[name].stylesheets:
            table[f"compile:{stylesheet}"] = lambda runs, s=stylesheet: time_compile(s, runs)
        table[f"transform:{name}"] = lambda runs, n=name: time_transform(n, runs)
        table[f"cli:{name}"] = lambda runs, n=name: time_cli(n, runs)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    runs = max(5, args.runs)
    sys.path.insert(0, str(REPO))
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    from tei_tools import transform

    results = {}
    for name, measure in measures(list(transform.FORMATS)).items():
        samples = measure(runs)
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
        print(f"{name:24} median {median:8.2f} ms{verdict}")
    report = {
        "benchmark": "bench_build",
        "document": str(ARTICLE.relative_to(REPO)),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
