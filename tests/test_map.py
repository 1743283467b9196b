"""The register's map (xslt/map.xsl) is never letterboxed.

The SVG is drawn with preserveAspectRatio "xMidYMid meet": where its box is wider than its
viewBox, the drawing is centred and the sides show what lies past the viewBox: land that
was drawn beyond it on the page's paper, with neither the sea rectangle nor the graticule,
which end at the viewBox. A map of one place (or of places close together) has the
smallest viewBox, 1.4:1, and the page's CSS used to cap the SVG's height (30rem, 14cm in
print) under a width of 100%, which made such a map 1.73:1 on a wide screen.

So the page sizes the SVG by its viewBox's proportions: map.xsl writes them on the figure
(--map-ratio), and html.css gives the SVG a width no larger than the height cap times that
ratio and never constrains its height, which follows from its width.

Structure by XPath on the built pages, for a document with one place and for the article;
in headless Chromium, the box the one-place map is drawn in, on a wide screen, a phone
and paper.
"""
from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import EDITION_DIR, FIXTURES
from tei_tools import transform

ONE_PLACE = FIXTURES / "html" / "one-place.xml"
ARTICLE = EDITION_DIR / "mopr-1922-1924.xml"
DOCUMENTS = [ONE_PLACE, ARTICLE]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[Path, Path]:
    """Each document built once: {TEI path: HTML path}."""
    report = transform.build(DOCUMENTS, tmp_path_factory.mktemp("map"), ["html"])
    assert report.ok, [m for r in report.failures for m in r.messages]
    return {Path(r.path): r.outputs[0] for r in report.results}


@pytest.fixture(params=DOCUMENTS, ids=lambda p: p.stem)
def page(request, built):
    """The built page's tree."""
    return lxml_html.parse(str(built[request.param])).getroot()


def the_map(doc):
    """(figure, svg) of the page's one map."""
    [figure] = doc.xpath("//figure[@class='map']")
    [svg] = figure.xpath("*[local-name()='svg']")
    return figure, svg


def svg_attribute(svg, name: str) -> str | None:
    """An SVG attribute: lxml's HTML parser has lowered the case of its name."""
    return svg.get(name, svg.get(name.lower()))


def viewbox(svg) -> list[float]:
    return [float(n) for n in svg_attribute(svg, "viewBox").split()]


def custom_properties(style: str) -> dict[str, str]:
    """The custom properties (--name: value) of a style attribute or a declaration block."""
    return {name: value.strip() for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;]+)", style)}


def css_rules(css: str) -> list[tuple[str, str, dict[str, str]]]:
    """(condition of the enclosing at-rule or '', selector list, {property: value}) for each
    style rule of a stylesheet without nesting (as html.css is written)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules, at_rules, start, i = [], [""], 0, 0
    while i < len(css):
        if css[i] == "{":
            prelude = re.sub(r"\s+", " ", css[start:i].strip())
            if prelude.startswith("@"):
                at_rules.append(prelude)
            else:
                end = css.index("}", i)
                declarations = dict((name.strip().lower(), value.strip()) for name, _, value in
                                    (part.partition(":") for part in css[i + 1:end].split(";") if ":" in part))
                rules.append((at_rules[-1], prelude, declarations))
                i = end
        elif css[i] == "}":
            at_rules.pop()
        if css[i] in "{}":
            start = i + 1
        i += 1
    return rules


def rules_for(doc, target) -> list[tuple[str, str, dict[str, str]]]:
    """The page's rules (its inline stylesheet) with a selector whose subject matches `target`
    in the map's figure: '.map svg' (the SVG) or '.map' (the figure)."""
    css = "".join(doc.xpath("//head/style/text()"))
    found = []
    for media, selectors, declarations in css_rules(css):
        if any(re.sub(r"\s+", " ", s.strip()) == target for s in selectors.split(",")):
            found.append((media, selectors, declarations))
    return found


# ------------------------------------------------------------------ structure


def test_the_map_s_figure_carries_its_viewbox_s_proportions(page):
    """--map-ratio on the figure is the viewBox's width over its height, to 1 in 10,000."""
    figure, svg = the_map(page)
    _, _, width, height = viewbox(svg)
    ratio = custom_properties(figure.get("style") or "").get("--map-ratio")
    assert ratio is not None, "the figure gives the CSS no --map-ratio"
    assert float(ratio) == pytest.approx(width / height, rel=1e-4)


def test_no_rule_constrains_the_map_s_height_so_its_box_has_its_viewbox_s_proportions(page):
    """The SVG's height is 'auto' in every medium, with no minimum or maximum and no other
    aspect-ratio: its box then has the proportions of its viewBox, and with
    preserveAspectRatio 'meet' it shows the viewBox and nothing past it. (A max-height with a
    width of 100% made a 1.4:1 map 1.73:1 on a wide screen, and 1.53:1 on a phone.)"""
    _, svg = the_map(page)
    assert (svg_attribute(svg, "preserveAspectRatio") or "xMidYMid meet").split()[-1] == "meet"
    rules = rules_for(page, ".map svg")
    assert rules, "no rule for the map's SVG"
    for media, selectors, declarations in rules:
        for name in ("max-height", "min-height", "aspect-ratio", "block-size", "min-block-size", "max-block-size"):
            assert name not in declarations, f"{media} {selectors} {{ {name}: {declarations[name]} }}"
        assert declarations.get("height", "auto") == "auto", f"{media} {selectors} {{ height: {declarations['height']} }}"


def test_the_map_s_width_is_capped_by_its_height_cap_times_its_ratio(page):
    """Without a max-height, the cap on the map's height is one on its width: the cap
    (--map-height, 30rem; 14cm on paper) times the viewBox's proportions. Every width the
    CSS gives the SVG, and the phone's minimum width (past which the map scrolls sideways),
    is the smaller of that and what it was (100%, 46rem): a map wider than that allows,
    such as the MOPR article's (2.8:1), is as wide as before."""
    the_map(page)
    figure_props = {}
    for media, _, declarations in rules_for(page, ".map"):
        for name, value in declarations.items():
            if name.startswith("--"):
                figure_props.setdefault(name, []).append((media, value))
    assert "--map-height" in figure_props, "no --map-height on the figure"
    assert {media for media, _ in figure_props["--map-height"]} >= {"", "@media print"}

    def expand(value: str) -> str:
        for name, values in figure_props.items():
            if name != "--map-height":
                for _, v in values:
                    value = value.replace(f"var({name})", v)
        return re.sub(r"\s+", " ", value)

    capped = re.compile(r"^min\((?:100%|46rem), var\(--map-height\) \* var\(--map-ratio(?:, \d+)?\)\)$")
    widths = [(media, name, expand(value)) for media, _, declarations in rules_for(page, ".map svg")
              for name, value in declarations.items() if name in ("width", "min-width")]
    assert any(name == "width" and media == "" for media, name, _ in widths)
    for media, name, value in widths:
        assert capped.match(value), f"{media} .map svg {{ {name}: {value} }}"


# ------------------------------------------------------------------ Chromium


@contextlib.contextmanager
def opened(browser, path: Path, width: int, media: str = "screen"):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        tab = context.new_page()
        tab.emulate_media(media=media)
        tab.goto(path.resolve().as_uri())
        tab.wait_for_load_state("load")
        yield tab
    finally:
        context.close()


# The SVG's content box, its viewBox's proportions, and `cap` (a CSS length) in pixels.
BOX = """cap => { const s = document.querySelector('.map svg'), v = s.viewBox.baseVal;
  const probe = document.createElement('div'); probe.style.height = cap; document.body.append(probe);
  const limit = probe.getBoundingClientRect().height; probe.remove();
  return {width: s.clientWidth, height: s.clientHeight, ratio: v.width / v.height, limit: limit}; }"""


@pytest.mark.external
@pytest.mark.parametrize("width, media, cap", [(1280, "screen", "30rem"), (375, "screen", "30rem"), (1280, "print", "14cm")],
                         ids=["wide", "phone", "print"])
def test_in_chromium_a_one_place_map_fills_its_box_and_keeps_to_the_height_cap(browser, built, width, media, cap):
    """The SVG's content box has its viewBox's proportions (to a pixel), so nothing past the
    viewBox shows beside it (it showed 1.73:1 on a wide screen, 1.53:1 on a phone), and it
    is still no taller than the cap the page had: 30rem, 14cm on paper."""
    with opened(browser, built[ONE_PLACE], width, media) as tab:
        box = tab.evaluate(BOX, cap)
    assert box["ratio"] == pytest.approx(1.4, abs=1e-3)
    assert abs(box["height"] - box["width"] / box["ratio"]) <= 1, box
    assert box["height"] <= box["limit"] + 1, box


def test_a_marker_s_white_ring_is_a_quarter_of_its_radius(page):
    """In the map's units, like the marker: a fixed width (0.3°) was wider than the whole dot
    on the map of a small area, which then showed a white disc."""
    _, svg = the_map(page)
    circles = svg.xpath(".//*[local-name()='circle'][@class='place']")
    assert circles
    for circle in circles:
        assert float(circle.get("stroke-width")) == pytest.approx(float(circle.get("r")) / 4, abs=0.001)
