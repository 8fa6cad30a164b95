"""The house style for every figure: colours, fonts, sizes, the synthetic-data stamp, saving.

One place for how figures look, so a change of colour or font is a change here only.
Colours are colour-blind safe: event types use Paul Tol's "muted" qualitative scheme (plus
black and greys), Kaplan-Meier groups use the Okabe-Ito palette. Text is DejaVu Sans (shipped
with matplotlib), so a figure renders the same on every machine. Sizes are set for projector
readability (14 pt body text).

:func:`save_figure` writes PNG and SVG that are byte-identical for the same data: no software
or date metadata, a fixed SVG hash salt, a fixed dpi and fixed figure size.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterable, Iterator

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.text import Text


#: One colour per event type (:data:`neglect_analysis.codes.EVENT_TYPES`), in journey order from
#: cool (low-level involvement) to dark and warm (escalation), plus ``birth`` and ``partner``
#: for the vertical lines of a chronology. Paul Tol "muted" scheme, black and greys:
#: distinct under deuteranopia, protanopia and tritanopia.
EVENT_COLOURS: dict[str, str] = {
    "contact": "#88CCEE",  # cyan
    "early_help": "#44AA99",  # teal
    "referral": "#117733",  # green
    "assessment": "#999933",  # olive
    "s47": "#DDCC77",  # sand
    "icpc": "#CC6677",  # rose
    "cp_plan": "#882255",  # wine
    "cla": "#332288",  # indigo
    "pre_proceedings": "#AA4499",  # purple
    "care_proceedings": "#000000",  # black
    "paper": "#BBBBBB",  # pale grey: involvement only
    "birth": "#555555",  # dark grey (draw dotted)
    "partner": "#888888",  # mid grey (draw dashed)
}

#: Line styles for the non-event lines of a chronology.
LINE_STYLES: dict[str, str] = {"birth": ":", "partner": "--"}

#: Kaplan-Meier / comparison groups (Okabe-Ito). Unknown groups take :data:`GROUP_CYCLE`.
GROUP_COLOURS: dict[str, str] = {
    "all": "#000000",  # black
    "eldest": "#0072B2",  # blue
    "younger": "#D55E00",  # vermillion
}

#: Further Okabe-Ito colours, in order, for groups not named in :data:`GROUP_COLOURS`.
GROUP_CYCLE: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#0072B2",
    "#D55E00",
)

#: One colour per base of a measure (what its denominator counts: ``findings.BASES``), the
#: same in every chart of the briefing. Bases that are event types take that event type's
#: colour (:data:`EVENT_COLOURS`); the others Okabe-Ito colours unused there. None is
#: :data:`NATIONAL_COLOUR`, so England's marker stands out on every bar.
BASE_COLOURS: dict[str, str] = {
    "children": "#0072B2",  # blue (BAR_COLOUR)
    "sibling groups": "#E69F00",  # orange
    "audited children": "#CC79A7",  # reddish purple
    "assessments": EVENT_COLOURS["assessment"],  # olive
    "S47 enquiries": EVENT_COLOURS["s47"],  # sand
    "referrals": EVENT_COLOURS["referral"],  # green
    "CP plans": EVENT_COLOURS["cp_plan"],  # wine
    "IRO challenges": "#56B4E9",  # sky blue
}

#: Colour for a national comparison figure drawn beside local values.
NATIONAL_COLOUR: str = "#D55E00"
#: Colour of plain bars (counts, shares) when no event type applies.
BAR_COLOUR: str = "#0072B2"
#: Colour of the "SYNTHETIC DATA" stamp.
SYNTHETIC_COLOUR: str = "#B2182B"

FONT_FAMILY: str = "DejaVu Sans"
BASE_FONT_SIZE: float = 14.0
#: Resolution of saved PNGs (dots per inch).
DPI: int = 150
#: Default figure size in inches (16:10, fits a slide at DPI).
FIGSIZE: tuple[float, float] = (10.0, 6.25)
#: Fixed salt so SVG element ids are the same on every run.
SVG_HASHSALT: str = "neglect-analysis"

#: rcParams of the house style.
RC_PARAMS: dict[str, object] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "font.size": BASE_FONT_SIZE,
    "axes.titlesize": BASE_FONT_SIZE + 2,
    "axes.titleweight": "bold",
    "axes.labelsize": BASE_FONT_SIZE,
    "xtick.labelsize": BASE_FONT_SIZE - 2,
    "ytick.labelsize": BASE_FONT_SIZE - 2,
    "legend.fontsize": BASE_FONT_SIZE - 2,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.prop_cycle": mpl.cycler(color=list(GROUP_CYCLE)),
    "lines.linewidth": 2.0,
    "figure.figsize": FIGSIZE,
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "savefig.dpi": DPI,
    "savefig.bbox": None,
    "svg.hashsalt": SVG_HASHSALT,
    "svg.fonttype": "path",
    "image.cmap": "cividis",
}


def apply_style() -> None:
    """Set matplotlib's rcParams to the house style (fonts, sizes, colours, fixed SVG salt).

    Call once before drawing (the report and notebooks do). Changes global state by design;
    use :func:`style_context` for a temporary change.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> apply_style()
    >>> mpl.rcParams["font.sans-serif"][0], mpl.rcParams["svg.hashsalt"]
    ('DejaVu Sans', 'neglect-analysis')
    """
    mpl.rcParams.update(RC_PARAMS)


@contextlib.contextmanager
def style_context() -> Iterator[None]:
    """Apply the house style inside a ``with`` block only.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with style_context():
    ...     mpl.rcParams["font.size"]
    14.0
    """
    with mpl.rc_context(RC_PARAMS):
        yield


def group_colours(groups: Iterable[str]) -> dict[str, str]:
    """Colour for each group name: :data:`GROUP_COLOURS` where named, else the next of
    :data:`GROUP_CYCLE` not already used (cycling when exhausted). Deterministic in input order.

    Examples
    --------
    >>> group_colours(["all", "eldest", "third"])
    {'all': '#000000', 'eldest': '#0072B2', 'third': '#E69F00'}
    """
    groups = list(dict.fromkeys(str(g) for g in groups))
    used = {GROUP_COLOURS[g] for g in groups if g in GROUP_COLOURS}
    free = [c for c in GROUP_CYCLE if c not in used] or list(GROUP_CYCLE)
    out: dict[str, str] = {}
    k = 0
    for g in groups:
        if g in GROUP_COLOURS:
            out[g] = GROUP_COLOURS[g]
        else:
            out[g] = free[k % len(free)]
            k += 1
    return out


def synthetic_label(ax_or_fig: Axes | Figure | SubFigure, text: str = "SYNTHETIC DATA") -> Text:
    """Stamp a visible label (default "SYNTHETIC DATA") on an Axes or a Figure.

    On an Axes the label sits inside the top-right corner; on a Figure, it is the super-title,
    top right, so the layout keeps room for it.
    The label's gid is ``"synthetic-label"`` so tests and SVG readers can find it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> synthetic_label(ax).get_text()
    'SYNTHETIC DATA'
    >>> plt.close(fig)
    """
    kwargs = dict(
        color=SYNTHETIC_COLOUR,
        fontsize=BASE_FONT_SIZE,
        fontweight="bold",
        alpha=0.85,
        gid="synthetic-label",
        zorder=10,
    )
    if isinstance(ax_or_fig, Axes):
        return ax_or_fig.text(
            0.99, 0.98, text, transform=ax_or_fig.transAxes, ha="right", va="top", **kwargs
        )
    if isinstance(ax_or_fig, (Figure, SubFigure)):
        # As the figure's super-title, so the layout engine keeps room for it above the axes.
        gid = kwargs.pop("gid")
        t = ax_or_fig.suptitle(text, x=0.99, ha="right", **kwargs)
        t.set_gid(gid)
        return t
    raise TypeError(f"synthetic_label needs a matplotlib Axes or Figure, not {type(ax_or_fig).__name__}")


def save_figure(
    fig: Figure, path_without_suffix: str | Path, *, formats: tuple[str, ...] = ("png", "svg"), dpi: int = DPI
) -> list[Path]:
    """Write ``fig`` as PNG and SVG (``path_without_suffix`` + ``.png`` / ``.svg``).

    The same figure gives the same bytes on every run: PNG without the ``Software`` chunk, SVG
    without ``Date`` and ``Creator``, a fixed ``svg.hashsalt``, fixed dpi, no tight bbox (the
    figure size is kept). Creates the folder if needed. Does not close the figure.

    Returns the written paths in ``formats`` order.

    Examples
    --------
    >>> import tempfile, matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.suffix for p in save_figure(fig, Path(d) / "line")]
    ['.png', '.svg']
    >>> plt.close(fig)
    """
    base = Path(path_without_suffix)
    base.parent.mkdir(parents=True, exist_ok=True)
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
    }
    written: list[Path] = []
    with mpl.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path", "savefig.bbox": None}):
        for fmt in formats:
            out = base.with_name(base.name + "." + fmt)
            fig.savefig(out, format=fmt, dpi=dpi, metadata=metadata.get(fmt))
            written.append(out)
    return written


def provenance(fig: Figure, ax: Axes, *, title: str, lines: Iterable[str]) -> tuple[Text, Text]:
    """Give a figure a title (on ``ax``, left, wrapped) and a provenance footer (bottom left of ``fig``).

    The footer lines say what a slide needs to stand alone: n and base, source and period, the
    authority (or "Synthetic data"), the suppression note. The title's gid is
    ``"figure-title"``, the footer's ``"provenance"``; both are laid out by constrained layout.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> t, f = provenance(fig, ax, title="Repeat plans", lines=["n = 94 plans", "Synthetic data"])
    >>> t.get_text(), f.get_text(), f.get_gid()
    ('Repeat plans', 'n = 94 plans\\nSynthetic data', 'provenance')
    >>> plt.close(fig)
    """
    # wrapped at the figure's edge: a long title is not clipped where the axes start far right
    t = ax.set_title(title, loc="left", fontweight="bold", wrap=True)
    t.set_gid("figure-title")
    f = fig.supxlabel("\n".join(lines), x=0.01, ha="left", fontsize=BASE_FONT_SIZE - 4,
                      color="#444444")
    f.set_gid("provenance")
    return t, f
