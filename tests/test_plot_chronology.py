"""The chronology figure, tested through its artists (family of family_fixture.py).

By hand from the 19 chronology rows: 3 children -> 3 lanes; bars = CP plans (A's E3, B's E5)
+ CLA (C's paper P2) = 3; point events = 13 events - 3 bars = 10 marks (A: referral, icpc,
2 contacts; B: referral, 4 contacts; C: paper file note); vertical lines: 3 births + 3 partner
rows (F2 start, F2 end, P3 start).
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402

from family_fixture import family_cohort, family_members  # noqa: E402
from neglect_analysis.chronology import family_chronology  # noqa: E402
from neglect_analysis.plots.chronology import (  # noqa: E402
    MARKERS,
    chronology_figsize,
    chronology_figure,
    plot_family_chronology,
)
from neglect_analysis.plots.style import EVENT_COLOURS  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture
def drawn():
    c = family_cohort()
    chron = family_chronology(c, "M1", family_members(c))
    fig, ax = plt.subplots(figsize=chronology_figsize(3))
    out = plot_family_chronology(chron, ax=ax, ics_start=c.ics_start_date, open_until=c.audit_date)
    return out, ax


def _gid(artists, prefix):
    return [a for a in artists if (a.get_gid() or "").startswith(prefix)]


def test_returns_axes_and_lanes(drawn):
    out, ax = drawn
    assert out is ax
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["B (3)", "C (2)", "A (1)"]  # eldest at the top = highest y
    assert list(ax.get_yticks()) == [0, 1, 2]


def test_marks_equal_point_events(drawn):
    _, ax = drawn
    marks = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in marks) == 10
    by_type = {c.get_gid(): len(c.get_offsets()) for c in marks}
    assert by_type == {"marks-contact": 6, "marks-referral": 2, "marks-icpc": 1, "marks-paper": 1}


def test_bars_equal_cp_plan_and_cla_rows(drawn):
    _, ax = drawn
    bars = [c for c in ax.collections if isinstance(c, PolyCollection) and (c.get_gid() or "").startswith("bars-")]
    assert sum(len(c.get_paths()) for c in bars) == 3
    colours = {c.get_gid(): matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in bars}
    assert colours["bars-cp_plan"] == EVENT_COLOURS["cp_plan"].lower()
    assert colours["bars-cla"] == EVENT_COLOURS["cla"].lower()


def test_open_plan_runs_to_open_until(drawn):
    _, ax = drawn
    (b_plan,) = [c for c in ax.collections if c.get_gid() == "bars-cp_plan" and c.get_paths()[0].vertices[:, 1].min() < 0.5]
    xs = b_plan.get_paths()[0].vertices[:, 0]
    assert matplotlib.dates.num2date(xs.max()).date() == pd.Timestamp("2018-07-31").date()


def test_vertical_lines_and_pre_ics_shading(drawn):
    _, ax = drawn
    assert len(_gid(ax.lines, "birth")) == 3
    assert len(_gid(ax.lines, "partner")) == 3
    shade = _gid(ax.patches, "pre-ics")
    assert len(shade) == 1


def test_no_shading_without_ics_start():
    c = family_cohort()
    chron = family_chronology(c, "M1", family_members(c))
    ax = plot_family_chronology(chron)  # draws on plt.gca()
    assert ax is plt.gca()
    assert not _gid(ax.patches, "pre-ics")


def test_twelve_children_over_thirty_years_readable():
    # 12 children born a year apart from 1988, a contact each year: one lane each
    kids = [f"K{i:02d}" for i in range(12)]
    rows = []
    for i, k in enumerate(kids):
        rows.append((pd.Timestamp(f"{1988 + i}-01-01"), k, i + 1, "birth"))
        rows.append((pd.Timestamp(f"{2000 + i}-06-01"), k, i + 1, "contact"))
    chron = pd.DataFrame(rows, columns=["date", "child_id", "birth_order", "event_type"])
    chron = chron.assign(end_date=pd.NaT, source="ics")
    w, h = chronology_figsize(12)
    assert h / 12 >= 0.5  # at least half an inch per lane
    fig, ax = plt.subplots(figsize=(w, h))
    plot_family_chronology(chron, ax=ax, ics_start="2009-04-01")
    assert len(ax.get_yticklabels()) == 12
    assert sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)) == 12


def test_markers_differ_by_shape_as_well_as_colour(drawn):
    _, ax = drawn
    assert len(set(MARKERS.values())) == len(MARKERS)  # one shape per point type
    marks = {c.get_gid(): c for c in ax.collections if (c.get_gid() or "").startswith("marks-")}
    shapes = {gid: tuple(map(tuple, c.get_paths()[0].vertices.round(3))) for gid, c in marks.items()}
    assert len(set(shapes.values())) == len(shapes) == 4  # contact, referral, icpc, paper
    hatches = {c.get_gid(): c.get_hatch() for c in ax.collections if (c.get_gid() or "").startswith("bars-")}
    assert hatches["bars-cla"] and not hatches["bars-cp_plan"]  # CLA hatched, CP plan plain


def test_legend_explains_lines_shading_and_paper_episodes(drawn):
    _, ax = drawn
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    # the fixture draws contact, referral, ICPC, CP plan, CLA (paper), paper record; births,
    # partner changes, a paper CLA and the pre-ICS period
    assert texts == [
        "Contact", "Referral (child in need)", "Initial child protection conference",
        "Child protection plan", "Looked after (CLA)", "Paper record",
        "Birth of a child (dotted line)", "Index parent's partner came or left (dashed line)",
        "CP plan or CLA from a paper file (start; length unknown)",
        "Before the case system: history on paper (grey)",
    ]
    handles = ax.get_legend().legend_handles
    markers = [h.get_marker() for h in handles[:6] if hasattr(h, "get_marker")]
    assert markers == ["o", "D", "P", "h"]  # point types: shape in the key as on the lanes
    assert [h.get_linestyle() for h in handles[6:8]] == [":", "--"]


def test_paper_episode_is_clearly_marked(drawn):
    _, ax = drawn
    # C's paper CLA (2006-02-02, no end date): a large black-edged marker at its start
    (mark,) = [ln for ln in ax.lines if ln.get_gid() == "paper-cla"]
    assert mark.get_marker() == ">" and mark.get_markersize() >= 10
    assert matplotlib.colors.to_hex(mark.get_markeredgecolor()) == "#000000"
    x = mark.get_xdata()[0]
    assert matplotlib.dates.num2date(x).date() == pd.Timestamp("2006-02-02").date()


def test_figure_stamp_does_not_cover_the_data():
    c = family_cohort()
    chron = family_chronology(c, "M1", family_members(c))
    fig = chronology_figure(chron, ics_start=c.ics_start_date, stamp="SYNTHETIC DATA")
    ax = fig.axes[0]
    assert fig.get_suptitle() == "SYNTHETIC DATA"
    assert not [t for t in ax.texts if t.get_gid() == "synthetic-label"]  # not inside the axes
    fig.canvas.draw()
    (stamp,) = fig.findobj(lambda a: a.get_gid() == "synthetic-label")
    stamp = stamp.get_window_extent()
    assert stamp.y0 >= ax.get_window_extent().y1  # above the plotting area
    plt.close(fig)


def test_legend_words_come_from_the_one_label_map(monkeypatch):
    # Change-proof: the chronology legend reads labels.py when it draws (no copy at import).
    from neglect_analysis import labels

    monkeypatch.setitem(labels.CHRONOLOGY_LINE_LABELS, "birth", "A child was born")
    monkeypatch.setattr(labels, "PRE_ICS_LABEL", "Paper era")
    chron = pd.DataFrame({"date": pd.to_datetime(["2005-01-01", "2010-06-01"]), "child_id": "A",
                          "birth_order": 1, "event_type": ["birth", "contact"], "end_date": pd.NaT,
                          "source": "ics"})
    fig, ax = plt.subplots()
    plot_family_chronology(chron, ax=ax, ics_start="2009-04-01")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)
    assert "A child was born" in texts and "Paper era" in texts
