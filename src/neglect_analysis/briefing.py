"""The briefing pack: aggregates only, small numbers suppressed, safe to share.

``write_briefing`` writes, under ``briefing/``: one suppressed CSV table per briefing point
(``point1_findings.csv``...), the count tables behind the figures, the figures (PNG and SVG),
``briefing.md`` and a self-contained ``briefing.html`` (images embedded, no external links,
readable on a projector). Nothing row-level goes here: every number is a count, a share or a
Kaplan-Meier estimate, and counts from 1 to ``threshold`` are shown as ``c`` with secondary
suppression (:mod:`neglect_analysis.disclosure`).
"""
from __future__ import annotations

import base64
import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from . import disclosure, plots, summaries  # noqa: E402
from .cohort import Cohort  # noqa: E402
from .export import write_csv  # noqa: E402
from .findings import BRIEFING_POINTS, findings as compute_findings  # noqa: E402
from .tables import AnalystTables  # noqa: E402

#: The briefing's own words for each point (shared/seed-briefing.md), shortened.
POINT_TEXT: dict[int, str] = {
    1: "Long-standing neglect is often only seen when a comprehensive chronology is written for "
       "court. Are younger children assessed with their older siblings' history in view?",
    2: "Large sibling groups with big age gaps: how many children, how far apart, and how many "
       "fathers.",
    3: "Whole-family approach: history on paper before the electronic record, changes of "
       "partner, and themes (domestic abuse, substance misuse, mental health, neglect) that recur "
       "across children of different fathers.",
    4: "Series of contacts raising concerns, advice to use early help not taken up, and history "
       "in other local authorities.",
    5: "Section 47 enquiries for younger children: repeated enquiries, those not reaching an "
       "initial conference, and re-referrals.",
    6: "Previous child protection plans for older siblings, changes that were not sustained, and "
       "how much earlier a whole-family reading could have flagged a child.",
    7: "IRO challenge on plans for children in large sibling groups.",
}


def suppressed_findings(findings: pd.DataFrame, *, threshold: int = 5) -> pd.DataFrame:
    """The findings table with numerator, denominator and share suppressed (DfE practice).

    Columns: ``point``, ``measure``, ``label``, ``description``, ``numerator``, ``denominator``, ``share``
    (text: counts or ``c``, share to 1 dp, ``c`` or ``z``), ``national_share``,
    ``national_year``.
    """
    shown = disclosure.share_table(findings["numerator"], findings["denominator"], threshold=threshold)
    out = findings[["point", "measure", "label", "description"]].copy()
    for c in ("numerator", "denominator", "share"):
        out[c] = shown[c].to_numpy()
    out["national_share"] = findings["national_share"].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    out["national_year"] = findings["national_year"].astype("string").fillna("")
    return out


#: Plain-words headers for the findings tables in briefing.html / briefing.md.
DISPLAY_HEADERS = {"description": "Measure", "numerator": "Number", "denominator": "Out of",
                   "share": "Share (%)", "national_share": "England (%)", "national_year": "Year"}


def _display(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The table as shown to people: findings with plain headers and no internal ids."""
    if name.endswith("_findings") or name == "findings":
        return df[list(DISPLAY_HEADERS)].rename(columns=DISPLAY_HEADERS)
    return df.rename(columns=lambda c: str(c).replace("_", " "))


def _table_html(df: pd.DataFrame) -> str:
    return df.to_html(index=False, escape=True, border=0, classes="t", na_rep="")


def _img_html(png: Path, alt: str) -> str:
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    return f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"></figure>'


def _figure(draw, path: Path, label: str | None, figsize=(10, 6.25)) -> list[Path]:
    with plots.style_context():
        fig, ax = plt.subplots(figsize=figsize)
        draw(ax)  # the house style lays figures out with constrained layout
        if label:
            plots.synthetic_label(fig, label)
        files = plots.save_figure(fig, path)
        plt.close(fig)
    return files


CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:20px;line-height:1.45;max-width:1100px;
margin:2em auto;padding:0 1em;color:#111}
h1{font-size:1.8em}h2{font-size:1.35em;border-top:3px solid #0072B2;padding-top:.6em;margin-top:2em}
.synthetic{background:#B2182B;color:#fff;font-weight:bold;padding:.4em .8em;display:inline-block}
table.t{border-collapse:collapse;margin:1em 0;font-size:.85em}
table.t th,table.t td{border-bottom:1px solid #bbb;padding:.3em .6em;text-align:left}
figure{margin:1em 0}img{max-width:100%}.note{color:#444;font-size:.85em}
"""


def write_briefing(cohort: Cohort, tables: AnalystTables, folder: str | Path, *, threshold: int = 5) -> list[Path]:
    """Write the briefing pack for ``tables`` into ``folder``; returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    label = cohort.label() if cohort.synthetic else None
    family = tables.family
    files: list[Path] = []

    found = tables.extra.get("findings")
    if found is None:
        found = compute_findings(cohort, family)
    shown = suppressed_findings(found, threshold=threshold)

    sizes = summaries.group_size_counts(family.sibling_groups)
    sizes_shown = sizes.copy()
    sizes_shown["n_groups"] = disclosure.suppress_series(sizes["n_groups"], threshold=threshold, total=False).to_numpy()
    lead = summaries.lead_time_counts(family.children)
    lead_shown = lead.copy()
    lead_shown["n_children"] = disclosure.suppress_series(lead["n_children"], threshold=threshold, total=False).to_numpy()
    by_pos = summaries.escalation_by_position(family.children)
    by_pos_shown = disclosure.suppress_counts(by_pos, threshold=threshold).reset_index(names="position")

    point_tables: dict[int, list[tuple[str, pd.DataFrame]]] = {p: [] for p in BRIEFING_POINTS}
    for p in BRIEFING_POINTS:
        point_tables[p].append((f"point{p}_findings", shown[shown["point"] == p].drop(columns="point")))
    point_tables[2].append(("group_sizes", sizes_shown))
    point_tables[6].append(("escalation_by_position", by_pos_shown))
    point_tables[6].append(("lead_times", lead_shown))
    for p, items in point_tables.items():
        for name, df in items:
            files.append(write_csv(df, folder / f"{name}.csv"))
    files.append(write_csv(shown, folder / "findings.csv"))

    figs: dict[int, list[tuple[str, str]]] = {p: [] for p in BRIEFING_POINTS}
    files += _figure(lambda ax: plots.plot_shares(shown.assign(measure=shown["label"]), ax=ax),
                     folder / "findings_shares", label, (12, 11))
    figs[1].append(("findings_shares", "Share of each measure, with the national figure where one exists"))
    files += _figure(lambda ax: plots.plot_group_sizes(sizes_shown, ax=ax), folder / "group_sizes", label)
    figs[2].append(("group_sizes", "Sibling groups by number of children"))
    km = tables.km
    if len(km):
        groups = [g for g in ("eldest", "younger") if g in set(km["group"])]
        files += _figure(lambda ax: plots.plot_km(km, groups=groups or None, ax=ax), folder / "km_eldest_younger", label)
        figs[6].append(("km_eldest_younger", "Time from first involvement to escalation: eldest and younger children"))
        g2 = [g for g in ("born_before_sibling_escalation", "born_after_sibling_escalation") if g in set(km["group"])]
        if g2:
            files += _figure(lambda ax: plots.plot_km(km, groups=g2, ax=ax), folder / "km_sibling_escalation", label)
            figs[6].append(("km_sibling_escalation",
                            "Time to escalation: born before or after an older sibling's escalation"))
    files += _figure(lambda ax: plots.plot_counts(lead_shown, "lead_time_months", "n_children", ax=ax),
                     folder / "lead_times", label)
    figs[6].append(("lead_times", "How much earlier a whole-family reading could have flagged a child (months)"))

    title = "Learning from sibling groups & earlier identification of neglect"
    meta = (f"{cohort.label()} · audit date {cohort.audit_date.date().isoformat()} · "
            f"electronic record from {cohort.ics_start_date.date().isoformat()} · "
            f"{len(family.sibling_groups)} index parents, {family.members['child_id'].nunique()} children")
    note = (f"Counts from 1 to {threshold} are shown as c, with further cells suppressed so that "
            "they cannot be worked out from totals; z: not applicable. National figures: DfE "
            "Children in need statistics, latest year.")
    md = [f"# {title}", ""]
    if label:
        md += [f"**{label.upper()}: not real children.**", ""]
    md += [meta, "", note, ""]
    body = [f"<h1>{html.escape(title)}</h1>"]
    if label:
        body.append(f'<p class="synthetic">{html.escape(label.upper())}: not real children</p>')
    body += [f"<p>{html.escape(meta)}</p>", f'<p class="note">{html.escape(note)}</p>']
    for p, heading in BRIEFING_POINTS.items():
        md += [f"## {p}. {heading}", "", POINT_TEXT[p], ""]
        body += [f"<h2>{p}. {html.escape(heading)}</h2>", f"<p>{html.escape(POINT_TEXT[p])}</p>"]
        for name, df in point_tables[p]:
            shown_df = _display(name, df)
            md += [_md_table(shown_df), ""]
            body.append(_table_html(shown_df))
        for stem, alt in figs[p]:
            md += [f"![{alt}]({stem}.png)", ""]
            body.append(_img_html(folder / f"{stem}.png", alt))
    page = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")
    (folder / "briefing.html").write_text(page, encoding="utf-8")
    (folder / "briefing.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    files += [folder / "briefing.html", folder / "briefing.md"]
    return files


def _md_table(df: pd.DataFrame) -> str:
    """A plain Markdown table (pipes escaped), the same on every machine."""
    def cell(v) -> str:
        return "" if pd.isna(v) else str(v).replace("|", "\\|")

    head = "| " + " | ".join(cell(c) for c in df.columns) + " |"
    rule = "|" + "---|" * len(df.columns)
    rows = ["| " + " | ".join(cell(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, rule, *rows])
