"""The 7-minute briefing as slides: ``briefing/briefing.pptx`` (python-pptx).

A title slide, one slide of seven boxes in the seed's format (a numbered box per point with
its headline message), then one 16:9 slide per point with its key messages
(:mod:`neglect_analysis.messages`), its figure (the PNG the briefing already wrote) and a
footer with the n, base, source, period and suppression note. The slides only place what the
briefing pack already published; they compute nothing.

The file is the same bytes for the same input: document dates are fixed (the audit date) and
the zip entries carry a fixed timestamp.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

#: 16:9 slide size (inches).
SLIDE_WIDTH, SLIDE_HEIGHT = 13.333, 7.5
#: Colours (Okabe-Ito blue as the briefing's accent; the synthetic stamp's red).
ACCENT = RGBColor(0x00, 0x72, 0xB2)
STAMP = RGBColor(0xB2, 0x18, 0x2B)
GREY = RGBColor(0x44, 0x44, 0x44)
#: Fixed zip timestamp of every part (deterministic files).
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


@dataclass
class PointSlide:
    """What one point's slide shows: heading, key messages, a figure and its footer line."""

    point: int
    heading: str
    messages: list[str]
    picture: Path | None = None
    footer: str = ""
    notes: list[str] = field(default_factory=list)


def _text(slide, left, top, width, height, lines, *, size=18, bold=False, colour=None):
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    tf = box.text_frame
    tf.word_wrap = True
    for i, line in enumerate(lines):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        run = para.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        if colour is not None:
            run.font.color.rgb = colour
    return box


def _picture(slide, path: Path, left, top, width, height):
    """The picture scaled to fit the box (aspect kept), centred in it."""
    pic = slide.shapes.add_picture(str(path), Inches(left), Inches(top))
    scale = min(Inches(width) / pic.width, Inches(height) / pic.height)
    pic.width, pic.height = int(pic.width * scale), int(pic.height * scale)
    pic.left = Emu(int(Inches(left) + (Inches(width) - pic.width) / 2))
    pic.top = Emu(int(Inches(top) + (Inches(height) - pic.height) / 2))
    return pic


def write_slides(path: str | Path, *, title: str, subtitle: list[str], points: list[PointSlide],
                 stamp: str | None = None, date: dt.date | None = None) -> Path:
    """Write the briefing slides to ``path`` and return it.

    Parameters
    ----------
    path
        The ``.pptx`` file to write (its folder must exist).
    title, subtitle
        The title slide's title and lines under it (provenance, period, counts).
    points
        One :class:`PointSlide` per briefing point, in order.
    stamp
        A label shown in red on every slide (e.g. ``"SYNTHETIC DATA - sample"``), or None.
    date
        The document date written in the file's properties (default 2000-01-01).

    Examples
    --------
    >>> import tempfile
    >>> from pptx import Presentation
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_slides(Path(d) / "b.pptx", title="T", subtitle=["s"],
    ...                      points=[PointSlide(1, "One", ["12 of the 40 plans (30.0%)."])])
    ...     deck = Presentation(str(p))
    ...     len(deck.slides), deck.slide_width == Inches(SLIDE_WIDTH)
    (3, True)
    """
    path = Path(path)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_WIDTH), Inches(SLIDE_HEIGHT)
    blank = deck.slide_layouts[6]
    when = dt.datetime.combine(date or dt.date(2000, 1, 1), dt.time())
    props = deck.core_properties
    props.title, props.author, props.last_modified_by = title, "neglect-analysis", "neglect-analysis"
    props.created = props.modified = when
    props.revision = 1
    W = SLIDE_WIDTH

    def stamped(slide):
        if stamp:
            _text(slide, W - 5.2, 0.1, 5.0, 0.4, [stamp], size=12, bold=True, colour=STAMP)

    # 1. Title slide.
    s = deck.slides.add_slide(blank)
    _text(s, 0.8, 2.0, W - 1.6, 1.6, [title], size=36, bold=True, colour=ACCENT)
    _text(s, 0.8, 3.8, W - 1.6, 2.5, list(subtitle), size=18, colour=GREY)
    stamped(s)
    # 2. Seven boxes (seed format): 4 on the first row, the rest below.
    s = deck.slides.add_slide(blank)
    _text(s, 0.4, 0.2, W - 6, 0.6, ["7-minute briefing"], size=26, bold=True, colour=ACCENT)
    stamped(s)
    per_row = 4
    bw, bh, gap = (W - 0.8 - gap_w(per_row)) / per_row, 3.1, 0.15
    for i, pt in enumerate(points):
        r, c = divmod(i, per_row)
        left, top = 0.4 + c * (bw + gap), 0.95 + r * (bh + gap)
        box = s.shapes.add_shape(1, Inches(left), Inches(top), Inches(bw), Inches(bh))  # rectangle
        box.fill.background()
        box.line.color.rgb = ACCENT
        box.line.width = Pt(2.5)
        _text(s, left + 0.08, top + 0.05, bw - 0.16, bh - 0.1,
              [f"{pt.point}. {pt.heading}", pt.messages[0] if pt.messages else ""], size=12)
        box.name = f"box{pt.point}"
    # 3. One slide per point.
    for pt in points:
        s = deck.slides.add_slide(blank)
        stamped(s)
        _text(s, 0.4, 0.2, W - 5.8, 0.8, [f"{pt.point}. {pt.heading}"], size=24, bold=True, colour=ACCENT)
        _text(s, 0.4, 1.0, 4.6, 5.6, pt.messages, size=16, bold=True)
        if pt.picture is not None:
            _picture(s, pt.picture, 5.2, 1.0, W - 5.5, 5.6)
        _text(s, 0.4, SLIDE_HEIGHT - 0.8, W - 0.8, 0.7, [pt.footer], size=10, colour=GREY)
        if pt.notes:
            s.notes_slide.notes_text_frame.text = "\n".join(pt.notes)
    deck.save(str(path))
    fix_zip_dates(path)
    return path


def gap_w(per_row: int) -> float:
    """Total width of the gaps between ``per_row`` boxes (inches)."""
    return 0.15 * (per_row - 1)


def fix_zip_dates(path: str | Path) -> None:
    """Rewrite a zip file (``.pptx``) with every entry dated :data:`ZIP_DATE`, same order.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "a.zip"
    ...     with zipfile.ZipFile(p, "w") as z:
    ...         z.writestr("x.txt", "hi")
    ...     fix_zip_dates(p)
    ...     zipfile.ZipFile(p).getinfo("x.txt").date_time
    (2000, 1, 1, 0, 0, 0)
    """
    path = Path(path)
    with zipfile.ZipFile(path) as z:
        parts = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
