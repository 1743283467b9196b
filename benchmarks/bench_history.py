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

Each milestone's stylesheets also transform today's article (this checkout's, parsed once):
the article grew too (more corrections, names and notes marked up), and a stylesheet that
was fast on the article of its day need not be fast on today's. A stylesheet that cannot
read today's article is reported as such. And today's text.xsl is run once more with what
issue 6 does not ask for left out (ISSUE_6_ONLY: the index's "see" lines, the entries'
years, countries, coordinates, notes and source forms, the corrections' certainty and
context words, the "How to read" section): today's stylesheet doing only what the issue
lists.

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

# Today's text.xsl doing only what issue 6 asks: a stylesheet that imports it and replaces
# with nothing what the reviews added (CHANGELOG 1.1-1.8 gives each addition's reason).
ISSUE_6_ONLY = """<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tei="http://www.tei-c.org/ns/1.0"
  xmlns:ed="urn:tei-tools:edition" xmlns:txt="urn:tei-tools:text">
  <xsl:import href="{text_xsl}"/>
  <xsl:template name="txt:conventions"/>
  <xsl:function name="ed:see-references" as="map(*)*">
    <xsl:param name="doc" as="node()"/><xsl:param name="kind" as="xs:string"/>
  </xsl:function>
  <xsl:function name="txt:entry-facts" as="xs:string">
    <xsl:param name="entry" as="element()"/><xsl:sequence select="''"/>
  </xsl:function>
  <xsl:function name="txt:entry-notes" as="xs:string*">
    <xsl:param name="entry" as="element()"/>
  </xsl:function>
  <xsl:function name="ed:source-forms" as="xs:string*">
    <xsl:param name="entry" as="element()"/>
  </xsl:function>
  <xsl:function name="ed:certainty" as="xs:string">
    <xsl:param name="choice" as="element(tei:choice)"/><xsl:sequence select="''"/>
  </xsl:function>
  <xsl:function name="ed:needs-context" as="xs:boolean">
    <xsl:param name="choice" as="element(tei:choice)"/><xsl:sequence select="false()"/>
  </xsl:function>
</xsl:stylesheet>"""

# The first HTML and text editions, the leanest text edition, and every release: the last
# commit of each (the repository has no tags; 1.0 is the first day's last commit).
MILESTONES = [
    ("b040c3a", "the first HTML edition"),
    ("8907699", "the first text edition"),
    ("30482b6", "the leanest text edition"),
    ("4c0407d", "release 1.0"),
    ("2ebeef8", "release 1.1"),
    ("9c66b4c", "release 1.2"),
    ("4796019", "release 1.3.0"),
    ("c4d1be4", "release 1.4"),
    ("0d37d39", "release 1.5"),
    ("e3fc78b", "release 1.5.1"),
    ("d1a2ec6", "release 1.5.2"),
    ("a7a6603", "release 1.6.0"),
    ("9e70289", "release 1.7.0"),
    ("b9dac56", "release 1.7.1"),
    ("b7d2151", "release 1.7.2"),
    ("e6367df", "release 1.8.0"),
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
    """A sampler per milestone and stylesheet (on its own article and on today's), and
    what each milestone is."""
    from tei_tools import saxon

    proc = saxon.processor()
    today = proc.parse_xml(xml_file_name=str(REPO / ARTICLE))
    samplers: dict[str, Callable[[], float]] = {"parse@today": parse_sampler(REPO / ARTICLE)}
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
            executable = compiled(root / "xslt" / name)
            described[revision][f"{name}:output_chars"] = len(executable.transform_to_string(xdm_node=article) or "")
            samplers[f"render:{name}@{revision}"] = transform_sampler(executable, article)
            try:
                described[revision][f"{name}:today_output_chars"] = len(executable.transform_to_string(xdm_node=today) or "")
            except Exception as error:  # an old stylesheet may not read today's markup
                described[revision][f"{name}:today_fails"] = " ".join(str(error).split())[:200]
            else:
                samplers[f"render:{name}@{revision}:today"] = transform_sampler(executable, today)
    issue_6_only = folder / "issue-6-only.xsl"
    issue_6_only.write_text(ISSUE_6_ONLY.format(text_xsl=(REPO / "xslt" / "text.xsl").as_uri()), encoding="utf-8")
    executable = compiled(issue_6_only)
    described["issue-6-only"] = {"text.xsl:today_output_chars": len(executable.transform_to_string(xdm_node=today) or "")}
    samplers["render:text.xsl@issue-6-only:today"] = transform_sampler(executable, today)
    return samplers, described


def compiled(stylesheet: Path):
    from tei_tools import saxon

    proc = saxon.processor()
    executable = proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(stylesheet))
    executable.set_parameter("stem", proc.make_string_value(Path(ARTICLE).stem))
    return executable


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


def figures(times: list[float], parse_ms: float, target: int) -> dict:
    median = statistics.median(times) * 1000
    return {
        "render_median_ms": round(median, 2),
        "render_min_ms": round(min(times) * 1000, 2),
        "with_parse_ms": round(median + parse_ms, 2),
        "target_ms": target,
        "meets_target": median + parse_ms <= target,
    }


def report(samples: dict[str, list[float]], described: dict[str, dict]) -> dict:
    today_parse_ms = statistics.median(samples["parse@today"]) * 1000
    milestones = []
    for revision, facts in described.items():
        if revision == "issue-6-only":
            continue
        parse_ms = statistics.median(samples[f"parse@{revision}"]) * 1000
        entry = dict(facts, parse_median_ms=round(parse_ms, 2))
        for name, target in TARGETS_MS.items():
            times = samples.get(f"render:{name}@{revision}")
            if not times:
                continue
            entry[name] = figures(times, parse_ms, target)
            on_today = samples.get(f"render:{name}@{revision}:today")
            entry[name]["on_todays_article"] = figures(on_today, today_parse_ms, target) if on_today else "cannot read it"
        milestones.append(entry)
    issue_6_only = dict(described["issue-6-only"], **figures(samples["render:text.xsl@issue-6-only:today"], today_parse_ms, TARGETS_MS["text.xsl"]))
    return {"todays_parse_median_ms": round(today_parse_ms, 2), "milestones": milestones, "text_xsl_issue_6_only": issue_6_only}


def summary(figures_of: dict | None) -> str:
    """"  8.94  10.12": the median on the milestone's article and on today's (ms)."""
    if figures_of is None:
        return f"{'-':>8} {'-':>5}"
    today = figures_of["on_todays_article"]
    return f"{figures_of['render_median_ms']:8.2f} " + (f"{today['render_median_ms']:5.2f}" if isinstance(today, dict) else "fails")


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
    print(f"{'':36} parse  {'  '.join(f'{name:>8} today' for name in TARGETS_MS)}")
    for entry in results["milestones"]:
        shown = "  ".join(summary(entry.get(name)) for name in TARGETS_MS)
        print(f"{entry['commit']:9} {entry['label']:26} {entry['parse_median_ms']:5.2f}  {shown}")
    only = results["text_xsl_issue_6_only"]
    print(f"today's text.xsl, issue 6 only: {only['render_median_ms']:.2f} ms on today's article "
          f"(parse {results['todays_parse_median_ms']:.2f} ms)")
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
