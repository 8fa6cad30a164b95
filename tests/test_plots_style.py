"""House style: colours, fonts, the synthetic stamp, and byte-identical saving."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from neglect_analysis.codes import EVENT_TYPES  # noqa: E402
from neglect_analysis.plots import style  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def test_event_colours_cover_every_event_type_and_are_distinct():
    assert set(EVENT_TYPES) <= set(style.EVENT_COLOURS)
    assert {"birth", "partner"} <= set(style.EVENT_COLOURS)
    colours = [to_rgb(c) for c in style.EVENT_COLOURS.values()]
    assert len(set(colours)) == len(colours)


def test_group_colours_named_then_cycle():
    out = style.group_colours(["younger", "all", "x", "y"])
    assert out["younger"] == style.GROUP_COLOURS["younger"]
    assert out["all"] == style.GROUP_COLOURS["all"]
    assert len(set(out.values())) == 4


def test_apply_style_fixes_font_and_salt():
    style.apply_style()
    assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"
    assert matplotlib.rcParams["svg.hashsalt"] == style.SVG_HASHSALT
    assert matplotlib.rcParams["font.size"] == style.BASE_FONT_SIZE


def test_synthetic_label_on_axes_and_figure():
    fig, ax = plt.subplots()
    t1 = style.synthetic_label(ax)
    t2 = style.synthetic_label(fig, "SYNTHETIC DATA - sample cohort")
    assert t1 in ax.texts and t1.get_text() == "SYNTHETIC DATA"
    assert t2 in fig.texts and t2.get_text() == "SYNTHETIC DATA - sample cohort"
    assert t1.get_visible() and t1.get_gid() == "synthetic-label"
    with pytest.raises(TypeError):
        style.synthetic_label("not an axes")


def _draw_and_save(path):
    style.apply_style()
    fig, ax = plt.subplots()
    ax.bar(["a", "b", "c"], [3, 1, 2], color=style.EVENT_COLOURS["referral"])
    ax.step([0, 1, 2], [1, 0.8, 0.5], where="post", label="all")
    ax.fill_between([0, 1, 2], [0.9, 0.7, 0.4], [1, 0.9, 0.6], step="post", alpha=0.2)
    ax.legend()
    ax.set_title("Same data, same bytes")
    style.synthetic_label(fig)
    paths = style.save_figure(fig, path)
    plt.close(fig)
    return paths


def test_save_figure_is_byte_identical(tmp_path):
    first = _draw_and_save(tmp_path / "one" / "fig")
    second = _draw_and_save(tmp_path / "two" / "fig")
    assert [p.name for p in first] == ["fig.png", "fig.svg"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
    svg = first[1].read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert b"matplotlib" not in first[0].read_bytes().lower()
