"""The 7-minute briefing as a board sees it: briefing.pptx read back with python-pptx, and
briefing.html opened in a real headless Chromium (issue 15, parts 1 and 7).

Chromium comes from Debian (``make test`` installs the ``chromium`` package when missing; no
browser is downloaded at run time). Without it the browser test fails when ``CI`` is set and is
skipped otherwise.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.image import imread

from neglect_analysis.briefing import write_briefing
from neglect_analysis.findings import BRIEFING_POINTS
from neglect_analysis.io import load_extract
from neglect_analysis.pipeline import build_tables

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def briefing(tmp_path_factory) -> Path:
    cohort, _ = load_extract(SAMPLE)
    folder = tmp_path_factory.mktemp("briefing")
    write_briefing(cohort, build_tables(cohort), folder)
    return folder


def test_every_point_slide_has_its_picture_message_and_footer(briefing):
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation(str(briefing / "briefing.pptx"))
    said = pd.read_csv(briefing / "key_messages.csv", dtype=str, keep_default_na=False)
    slides = list(deck.slides)
    # A title slide, the seven-box slide, one slide per point; 16:9.
    assert len(slides) == 2 + len(BRIEFING_POINTS) == 9
    assert deck.slide_width * 9 == deck.slide_height * 16 or abs(deck.slide_width / deck.slide_height - 16 / 9) < 1e-3
    assert deck.slide_width == Inches(13.333)
    boxes = [s for s in slides[1].shapes if s.name.startswith("box")]
    assert len(boxes) == 7
    for slide, p in zip(slides[2:], BRIEFING_POINTS):
        text = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert text.count(f"{p}. {BRIEFING_POINTS[p]}") == 1
        for sentence in said.loc[said["point"] == str(p), "sentence"]:
            assert sentence in text
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        assert len(pictures) == 1
        pic = pictures[0]
        assert pic.left + pic.width <= deck.slide_width and pic.top + pic.height <= deck.slide_height
        assert "Source: Synthetic data" in text and "c: suppressed" in text
    # The seven-box slide shows each point's headline sentence.
    box_text = " ".join(s.text_frame.text for s in slides[1].shapes if s.has_text_frame)
    for p in BRIEFING_POINTS:
        headline = said.loc[(said["point"] == str(p)) & (said["rank"] == "1"), "sentence"].iloc[0]
        assert headline in box_text


def test_every_figure_is_16_by_9_with_its_data_table(briefing):
    pngs = sorted(briefing.glob("*.png"))
    assert {p.stem for p in pngs} >= {f"point{p}_shares" for p in BRIEFING_POINTS}
    for png in pngs:
        h, w = imread(png).shape[:2]
        assert abs(w / h - 16 / 9) < 0.01, png.name
        assert (briefing / f"{png.stem}.csv").exists(), png.name
        svg = png.with_suffix(".svg").read_text()
        assert 'id="provenance"' in svg and 'id="figure-title"' in svg, png.name


def find_chromium() -> str | None:
    """The Chromium (or Chrome) binary on PATH, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


#: Appended to a copy of briefing.html: once the page has loaded, writes what a reader would
#: see into <pre id="check"> as JSON, which --dump-dom prints.
HARNESS = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var boxes = document.querySelectorAll('#summary .box');
  var s = document.getElementById('summary');
  var r = s ? s.getBoundingClientRect() : null;
  var out = {
    images: imgs.length,
    broken: imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    boxes: boxes.length,
    visibleBoxes: Array.prototype.filter.call(boxes, function (b) {
      var q = b.getBoundingClientRect(); return q.width > 0 && q.height > 0; }).length,
    summaryTop: r ? r.top : -1
  };
  var pre = document.createElement('pre'); pre.id = 'check';
  pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script>"""


def test_briefing_html_in_headless_chromium(briefing, tmp_path):
    chromium = find_chromium()
    if chromium is None:
        message = ("Chromium is not installed: `make test` installs the Debian package "
                   "(apt-get install chromium)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    page = (briefing / "briefing.html").read_text(encoding="utf-8")
    harness = tmp_path / "harness.html"
    harness.write_text(page.replace("</body>", HARNESS + "</body>"), encoding="utf-8")
    width = 1280
    run = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--hide-scrollbars", f"--window-size={width},900",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000", "--dump-dom",
         harness.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    found = re.search(r'<pre id="check">(.*?)</pre>', run.stdout)
    assert found, f"no result from Chromium (exit {run.returncode}): {run.stderr[-2000:]}"
    seen = json.loads(found.group(1).replace("&quot;", '"'))
    # Every figure of the briefing is an <img>, and each one loads.
    assert seen["images"] == page.count("<img ") and seen["images"] >= 10
    assert seen["broken"] == 0
    assert seen["scrollWidth"] <= seen["innerWidth"], seen  # nothing wider than the page
    assert seen["boxes"] == seen["visibleBoxes"] == 7
    assert 0 <= seen["summaryTop"] < 900, seen  # the summary is on the first screen


def test_the_same_key_messages_head_the_html_and_the_markdown(briefing):
    import html as htmlmod

    from neglect_analysis.messages import key_messages

    said = pd.read_csv(briefing / "key_messages.csv", dtype=str, keep_default_na=False)
    # The messages are those of the published findings table (nothing else goes in).
    published = pd.read_csv(briefing / "findings.csv", dtype=str, keep_default_na=False)
    published["point"] = published["point"].astype(int)
    assert key_messages(published)["sentence"].tolist() == said["sentence"].tolist()
    page = (briefing / "briefing.html").read_text(encoding="utf-8")
    md = (briefing / "briefing.md").read_text(encoding="utf-8")
    summary = page[page.index('<section class="summary"'):page.index("</section>")]
    assert summary.count('class="box"') == 7
    for s in said["sentence"]:
        assert htmlmod.escape(s) in page and s in md
    for s in said.loc[said["rank"] == "1", "sentence"]:
        assert htmlmod.escape(s) in summary
    # Every table has a caption, and no header is an internal id.
    assert page.count("<table") == page.count("<caption>")
    assert "n children" not in page and "cp plan" not in page


def test_seven_box_summary_prints_on_one_page(briefing, tmp_path):
    """The page up to the end of the summary, printed by Chromium, is one PDF page."""
    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: `make test` installs the Debian package")
        pytest.skip("Chromium is not installed")
    page = (briefing / "briefing.html").read_text(encoding="utf-8")
    end = page.index("</section>") + len("</section>")
    first = tmp_path / "first.html"
    first.write_text(page[:end] + "</body></html>", encoding="utf-8")
    pdf = tmp_path / "first.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", first.as_uri()], capture_output=True, timeout=120)
    pages = re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes())
    assert len(pages) == 1
