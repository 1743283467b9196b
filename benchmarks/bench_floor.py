"""The floor under the build's speed targets: what the article costs before any rendering.

    python benchmarks/bench_floor.py [--runs N]   # writes benchmarks/results/bench_floor.json

Each edition has a size, and making it has costs that no stylesheet, however clever, can
avoid: the TEI file is validated and parsed, and every element of every output is built
and written. This script measures those costs for the article, in a warm process (Saxon
started, stylesheets compiled, schemas loaded), with the editions the pipeline renders
(median of N runs, default 9, taken in turn after benchlib.WARM_UP_RUNS uncounted rounds,
as bench_build.py takes its in-process measures):

- floor:validate     transform.load_document: lxml's safe parse, RELAX NG, Schematron, the
                     link scan (every build does this first);
- floor:parse        Saxon's parse of the TEI file (once per document, for all formats);
- floor:html         the HTML edition's finished page, already rendered, handed to the
                     serializer as it is and written with html.xsl's xsl:output (checked:
                     the same bytes as the edition): the least any stylesheet pays to write
                     that page;
- floor:html-copy    the same page copied node by node by an identity stylesheet (one
                     template rule per node, as a stylesheet that builds the page pays at
                     least) and written;
- floor:epub         the EPUB's content documents and package, already rendered, handed to
                     the serializer and written as epub.xsl writes them, then zipped as
                     tei_tools.epub zips them;
- floor:epub-copy    the same, each document copied node by node first;
- floor:txt          the text edition, already made, written as one string and put in its
                     final form (tei_tools.text.as_plain_text).

The results file also gives, for each target of bench_build.py and bench_corpus.py, the sum
of the floors that the measure contains (the writing alone, not the copies: the least
figure) and the room it leaves for everything a stylesheet does (the rendering logic:
links, registers, notes, corrections, wrapping, the map).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Callable

from benchlib import calibration_ms, environment, round_robin, timed, write_results

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "bench_floor.json"
ARTICLE = REPO / "edition" / "mopr-1922-1924.xml"

# A copy of the input, written as html.xsl writes its page (the same xsl:output).
IDENTITY_HTML = """<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="html" html-version="5" encoding="UTF-8" indent="no" escape-uri-attributes="no"/>
  <xsl:mode on-no-match="shallow-copy"/>
</xsl:stylesheet>"""
# The same, as epub.xsl writes its content documents; $copy false: the tree handed to the
# serializer as it is (as html.xsl's mode html:serialize does).
IDENTITY_XHTML = """<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xsl:output method="xhtml" html-version="5" encoding="UTF-8" omit-xml-declaration="no" indent="no" escape-uri-attributes="no"/>
  <xsl:param name="copy" as="xs:boolean" select="true()"/>
  <xsl:mode on-no-match="shallow-copy"/>
  <xsl:template match="document-node()[not($copy)]" priority="1"><xsl:sequence select="."/></xsl:template>
</xsl:stylesheet>"""
# A finished text written out: the text method, one string.
TEXT_OUT = """<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:param name="text" as="xs:string"/>
  <xsl:template name="xsl:initial-template"><xsl:value-of select="$text"/></xsl:template>
</xsl:stylesheet>"""

# The targets (ms) and which floors each measure contains.
TARGETS = {
    "transform:html (bench_build, issue 4)": (15, ["floor:parse", "floor:html"]),
    "transform:epub (bench_build, issue 5)": (30, ["floor:parse", "floor:epub"]),
    "transform:txt (bench_build, issue 6)": (10, ["floor:parse", "floor:txt"]),
    "inprocess:all (bench_build, issue 8)": (60, ["floor:validate", "floor:parse", "floor:html", "floor:epub", "floor:txt"]),
    # 500 documents in 10 s on two cores: 40 ms of one core per document.
    "corpus: CPU per document, 500 in 10 s with 2 jobs (bench_corpus, issue 8)": (
        40, ["floor:validate", "floor:parse", "floor:html", "floor:epub", "floor:txt"]),
}


def rendered_editions():
    """The article's editions as the pipeline renders them, and the HTML page's tree that
    the HTML and EPUB editions are written from: (HTML bytes, EPUB bytes, text, page)."""
    from tei_tools import transform

    document = transform.load_document(ARTICLE)
    formats = transform.resolve_formats(["all"])
    outputs = transform.render_document(document, formats)
    stem = ARTICLE.stem
    return (outputs[f"{stem}.html"], outputs[f"{stem}.epub"], outputs[f"{stem}.txt"].decode("utf-8"),
            document.html_page())


def samplers() -> dict[str, Callable[[], object]]:
    from tei_tools import saxon, transform
    from tei_tools.fsutil import reproducible_zip
    from tei_tools.text import as_plain_text
    from datetime import datetime, timezone

    html, epub, text, page = rendered_editions()
    proc = saxon.processor()
    compiler = proc.new_xslt30_processor()
    copy_html = compiler.compile_stylesheet(stylesheet_text=IDENTITY_HTML)
    copy_xhtml = compiler.compile_stylesheet(stylesheet_text=IDENTITY_XHTML)
    write_xhtml = compiler.compile_stylesheet(stylesheet_text=IDENTITY_XHTML)
    write_xhtml.set_parameter("copy", proc.make_boolean_value(False))
    write_text = compiler.compile_stylesheet(stylesheet_text=TEXT_OUT)
    write_text.set_parameter("text", proc.make_string_value(text))

    # The page tree (the one html.xsl builds, which the HTML and EPUB editions are written
    # from), written both ways, must give the HTML edition's bytes.
    for written in (copy_html.transform_to_string(xdm_node=page), saxon.serialize(transform.HTML_STYLESHEET, page, transform.HTML_SERIALIZE_MODE)):
        if written.encode("utf-8") != html:
            raise SystemExit("the page written here is not the HTML edition's bytes: the floor would not be its cost")

    archive = zipfile.ZipFile(BytesIO(epub))
    names = archive.namelist()
    documents = {name: proc.parse_xml(xml_text=archive.read(name).decode("utf-8"))
                 for name in names if name.endswith((".xhtml", ".opf"))}
    others = [(name, archive.read(name), name != "mimetype") for name in names if name not in documents]
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def epub_floor(writer):
        def one_run():
            written = [(name, writer.transform_to_string(xdm_node=tree).encode("utf-8"), True)
                       for name, tree in documents.items()]
            return reproducible_zip(others + written, moment)
        return one_run

    return {
        "floor:validate": lambda: transform.load_document(ARTICLE),
        "floor:parse": lambda: saxon.parse_document(ARTICLE),
        "floor:html": lambda: saxon.serialize(transform.HTML_STYLESHEET, page, transform.HTML_SERIALIZE_MODE).encode("utf-8"),
        "floor:html-copy": lambda: copy_html.transform_to_string(xdm_node=page).encode("utf-8"),
        "floor:epub": epub_floor(write_xhtml),
        "floor:epub-copy": epub_floor(copy_xhtml),
        "floor:txt": lambda: as_plain_text(write_text.call_template_returning_string()),
    }


def measure(runs: int) -> dict[str, list[float]]:
    """Every floor's times, taken in turn (benchlib.round_robin)."""
    return round_robin({name: timed_once(function) for name, function in samplers().items()}, runs)


def timed_once(function) -> Callable[[], float]:
    """A sampler for round_robin: one call of `function`, its seconds."""
    def one_run() -> float:
        return timed(function, 1)[0]
    return one_run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="measured runs of each (at least 5)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 5)
    before = calibration_ms()
    samples = measure(runs)
    after = calibration_ms()
    floors = {name: round(statistics.median(times) * 1000, 2) for name, times in samples.items()}
    results = {name: {"median_ms": floors[name], "min_ms": round(min(samples[name]) * 1000, 2), "runs": runs}
               for name in samples}
    targets = {}
    for measure_name, (target_ms, parts) in TARGETS.items():
        floor = round(sum(floors[part] for part in parts), 2)
        targets[measure_name] = {"target_ms": target_ms, "floors": parts, "floor_ms": floor,
                                 "room_for_rendering_ms": round(target_ms - floor, 2)}
    report = {
        "benchmark": "bench_floor",
        "document": str(ARTICLE.relative_to(REPO)),
        **environment(),
        "calibration_ms": {"start": before, "end": after},
        "results": results,
        "targets": targets,
    }
    for name, result in results.items():
        print(f"{name:20} {result['median_ms']:8.2f} ms")
    for name, target in targets.items():
        print(f"{name}: floor {target['floor_ms']:.1f} of {target['target_ms']} ms, room {target['room_for_rendering_ms']:.1f} ms")
    write_results(RESULTS, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
