"""How the HTML and text transforms' time grew with the editions, release by release.

    python benchmarks/bench_history.py [--runs N] [--commits REV,REV,...]
                                       # writes benchmarks/results/bench_history.json

Each milestone's stylesheets (its xslt/ folder) and its article (edition/mopr-1922-1924.xml),
taken from the repository's history with `git archive`, are compiled in this one process
with today's saxonche and the runtime a build uses (tei_tools.saxon.processor), and each
milestone's html.xsl and text.xsl transform its own article, already parsed, to a string:
the rendering and writing of that edition as it then was (`render:`), without the
pipeline around it. The measures are taken in turn (benchlib.round_robin: one run of each,
then again, after benchlib.WARM_UP_RUNS uncounted rounds), so that every milestone sees the
same mix of the machine's fast and slow minutes; median of N runs (default 30).

What it answers: whether a target was ever within reach of an edition that was built, and
what the editions' additions since then cost. `transform:html` (≤ 15 ms) and
`transform:txt` (≤ 10 ms) count Saxon's parse of the article as well, which is measured
here too (each milestone's own article) and added in the results file (`with_parse_ms`).
The script needs the repository's history (not a shallow clone).
"""
from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Callable

from benchlib import calibration_ms, environment, round_robin, write_results

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "bench_history.json"
ARTICLE = "edition/mopr-1922-1924.xml"
TARGETS_MS = {"html.xsl": 15, "text.xsl": 10}  # issue 4 and issue 6, parse included

# The first HTML and text editions, the leanest text edition, and every release.
MILESTONES = [
    ("b040c3a", "the first HTML edition"),
    ("8907699", "the first text edition"),
    ("30482b6", "the leanest text edition"),
    ("2ebeef8", "release 1.1"),
    ("9c66b4c", "release 1.2"),
    ("4796019", "release 1.3.0"),
    ("c4d1be4", "release 1.4"),
    ("0d37d39", "release 1.5"),
    ("9e70289", "release 1.7.0"),
    ("HEAD", "this checkout"),
]


class HistoryError(Exception):
    """A milestone that cannot be taken from the repository."""


def git(*args: str) -> bytes:
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True)
    if done.returncode != 0:
        raise HistoryError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def extract(revision: str, into: Path) -> None:
    """The revision's xslt/ folder and article, as they were, under `into`."""
    archive = git("archive", "--format=tar", revision, "xslt", ARTICLE)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def milestone_samplers(milestones, folder: Path) -> tuple[dict[str, Callable[[], float]], dict[str, dict]]:
    """A sampler per milestone and stylesheet, and what each milestone is."""
    from tei_tools import saxon

    proc = saxon.processor()
    samplers: dict[str, Callable[[], float]] = {}
    described: dict[str, dict] = {}
    for revision, label in milestones:
        root = folder / revision
        extract(revision, root)
        article = proc.parse_xml(xml_file_name=str(root / ARTICLE))
        samplers[f"parse@{revision}"] = parse_sampler(root / ARTICLE)
        described[revision] = {
            "commit": git("rev-parse", "--short", revision).decode().strip(),
            "label": label,
            "subject": git("log", "-1", "--format=%s", revision).decode().strip()[:160],
        }
        for name in TARGETS_MS:
            if not (root / "xslt" / name).exists():
                continue
            executable = proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(root / "xslt" / name))
            executable.set_parameter("stem", proc.make_string_value(Path(ARTICLE).stem))
            written = executable.transform_to_string(xdm_node=article) or ""
            described[revision][f"{name}:output_chars"] = len(written)
            samplers[f"render:{name}@{revision}"] = transform_sampler(executable, article)
    return samplers, described


def transform_sampler(executable, article) -> Callable[[], float]:
    def one_run() -> float:
        start = time.perf_counter()
        executable.transform_to_string(xdm_node=article)
        return time.perf_counter() - start
    return one_run


def parse_sampler(article: Path) -> Callable[[], float]:
    from tei_tools import saxon

    path = str(article)

    def one_run() -> float:
        start = time.perf_counter()
        saxon.processor().parse_xml(xml_file_name=path)
        return time.perf_counter() - start
    return one_run


def report(samples: dict[str, list[float]], described: dict[str, dict]) -> dict:
    milestones = []
    for revision, facts in described.items():
        parse_ms = statistics.median(samples[f"parse@{revision}"]) * 1000
        entry = dict(facts, parse_median_ms=round(parse_ms, 2))
        for name, target in TARGETS_MS.items():
            times = samples.get(f"render:{name}@{revision}")
            if not times:
                continue
            median = statistics.median(times) * 1000
            entry[name] = {
                "render_median_ms": round(median, 2),
                "render_min_ms": round(min(times) * 1000, 2),
                "with_parse_ms": round(median + parse_ms, 2),
                "target_ms": target,
                "meets_target": median + parse_ms <= target,
            }
        milestones.append(entry)
    return {"milestones": milestones}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="measured runs of each (at least 5)")
    parser.add_argument("--commits", help="comma-separated revisions instead of the release milestones")
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    milestones = [(revision, revision) for revision in args.commits.split(",")] if args.commits else MILESTONES
    start_calibration = calibration_ms()
    with tempfile.TemporaryDirectory(prefix="bench-history-") as folder:
        try:
            samplers, described = milestone_samplers(milestones, Path(folder))
        except HistoryError as error:
            print(f"bench_history: {error}", file=sys.stderr)
            return 1
        samples = round_robin(samplers, args.runs)
    results = report(samples, described)
    for entry in results["milestones"]:
        figures = "  ".join(f"{name} {entry[name]['render_median_ms']:6.2f} ms" for name in TARGETS_MS if name in entry)
        print(f"{entry['commit']:9} {entry['label']:26} parse {entry['parse_median_ms']:5.2f} ms  {figures}")
    write_results(RESULTS, {
        "benchmark": "bench_history",
        "document": ARTICLE,
        **environment(),
        "runs": args.runs,
        "calibration_ms": {"start": start_calibration, "end": calibration_ms()},
        **results,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
