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
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from . import disclosure, disclosure_audit, inference, labels, messages, plots, siblings, slides, summaries  # noqa: E402
from .cohort import Cohort  # noqa: E402
from .definitions import DAYS_PER_YEAR, DEFAULTS, Definitions  # noqa: E402
from .export import write_csv  # noqa: E402
from .findings import BRIEFING_POINTS, findings as compute_findings  # noqa: E402
from .pipeline import AnalystTables  # noqa: E402
from .reference import collection_year, period_label  # noqa: E402

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
    ``national_year`` (the national figure's collection year, e.g. ``2017-18``),
    ``authority_share`` (the authority's own baseline, suppressed alike; empty where none).
    """
    shown = disclosure.share_table(findings["numerator"], findings["denominator"], threshold=threshold)
    out = findings[["point", "measure", "label", "description"]].copy()
    for c in ("numerator", "denominator", "share"):
        out[c] = shown[c].to_numpy()
    out["national_share"] = findings["national_share"].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    # the DfE collection year of the national figure, e.g. 2017-18 (national_year where older
    # findings tables have no national_period)
    period = findings["national_period"] if "national_period" in findings else findings["national_year"]
    out["national_year"] = period.astype("string").fillna("")
    # The authority's own baseline (the rest of the extract), its share suppressed as the
    # cohort's is; empty where there is none.
    out["authority_share"] = ""
    if "authority_denominator" in findings:
        has = findings["authority_denominator"].notna().to_numpy(dtype=bool)
        if has.any():
            b = disclosure.share_table(findings.loc[has, "authority_numerator"].astype("int64"),
                                       findings.loc[has, "authority_denominator"].astype("int64"),
                                       threshold=threshold)
            out.loc[has, "authority_share"] = b["share"].astype(str).to_numpy()
    out["interval"] = share_interval(findings, out["share"])
    return out


def share_interval(findings: pd.DataFrame, shown_share: pd.Series) -> pd.Series:
    """The family-bootstrap 95% interval of each share as text (``"26.9 to 64.9"``); the
    share's own ``c``/``z`` where the share is not shown, empty without ``ci_lower``.

    Examples
    --------
    >>> f = pd.DataFrame({"ci_lower": [26.94, 1.0], "ci_upper": [64.9, 2.0]})
    >>> share_interval(f, pd.Series(["47.1", "c"])).tolist()
    ['26.9 to 64.9', 'c']
    """
    if "ci_lower" not in findings.columns:
        return pd.Series([""] * len(findings), index=shown_share.index, dtype=object)
    lo, hi = findings["ci_lower"].to_numpy(float), findings["ci_upper"].to_numpy(float)
    text = [("" if np.isnan(a) or np.isnan(b) else f"{a:.1f} to {b:.1f}") for a, b in zip(lo, hi)]
    hidden = shown_share.isin([disclosure.SUPPRESSED, "z"]).to_numpy()
    return pd.Series(np.where(hidden, shown_share.to_numpy(dtype=object), text), index=shown_share.index)


#: Plain-words headers for the findings tables in briefing.html / briefing.md: the one label
#: map's (:data:`neglect_analysis.labels.FINDINGS_HEADERS`, the same object).
DISPLAY_HEADERS = labels.FINDINGS_HEADERS
#: Header of the authority's own baseline, shown only where the extract holds one
#: (:data:`neglect_analysis.labels.AUTHORITY_HEADERS`, the same object).
AUTHORITY_HEADER = labels.AUTHORITY_HEADERS
#: Caption of each table of the briefing (``point<p>_findings`` and ``point<p>_shares`` by pattern).
TABLE_CAPTIONS: dict[str, str] = {
    "group_sizes": "Sibling groups (one per index parent) by number of children",
    "escalation_by_position": "Children by position in the sibling group and first escalation",
    "lead_times": "Escalated children by how many months earlier a whole-family reading could have flagged them",
    "km_age": "Data behind the figure: children not yet escalated, by month of age (followed from the "
              "start of the electronic record)",
}


def caption(name: str) -> str:
    """The caption of a briefing table.

    Examples
    --------
    >>> caption("point3_findings"), caption("lead_times")[:16]
    ('Point 3: the measures, their numbers and bases', 'Escalated childr')
    """
    if name.endswith("_findings") and name.startswith("point"):
        return f"Point {name[5:-9]}: the measures, their numbers and bases"
    if name.endswith("_shares") and name.startswith("point"):
        return f"Data behind the figure: point {name[5:-7]}, the share of each measure, grouped by base"
    return TABLE_CAPTIONS.get(name, name.replace("_", " ").capitalize())


def display_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The table as shown to people: findings with plain headers and no internal ids.

    A findings table (``name`` ``findings`` or ending ``_findings``, as
    :func:`suppressed_findings` gives it) keeps the columns of :data:`DISPLAY_HEADERS`, plus the
    authority's own baseline where it has one; other tables get plain headers from the one
    label map (:func:`neglect_analysis.labels.column_label` with the table's name).

    Examples
    --------
    >>> display_table("group_sizes", pd.DataFrame({"n_groups": [3]})).columns.tolist()
    ['Sibling groups']
    """
    if name.endswith("_findings") or name == "findings":
        headers = dict(DISPLAY_HEADERS)
        if "authority_share" in df and (df["authority_share"].astype(str) != "").any():
            headers = {**{k: v for k, v in headers.items() if not k.startswith("national_")}, **AUTHORITY_HEADER,
                       "national_share": DISPLAY_HEADERS["national_share"],
                       "national_year": DISPLAY_HEADERS["national_year"]}
        return df[list(headers)].rename(columns=headers)
    if name.endswith("_shares"):
        return df.rename(columns=lambda c: DISPLAY_HEADERS.get(str(c)) or labels.column_label(str(c), name))
    return df.rename(columns=lambda c: labels.column_label(str(c), name))


def _table_html(df: pd.DataFrame, title: str = "") -> str:
    table = df.to_html(index=False, escape=True, border=0, classes="t", na_rep="")
    if title:
        table = table.replace(">", f"><caption>{html.escape(title)}</caption>", 1)
    return table


def _img_html(png: Path, alt: str) -> str:
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    return f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"></figure>'


#: Size of every briefing figure (inches): 16:9, drops into a slide.
FIGSIZE_16_9 = (12.0, 6.75)


def _figure(draw, path: Path, label: str | None, figsize=FIGSIZE_16_9, *, title: str = "",
            footer: list[str] | None = None) -> list[Path]:
    with plots.style_context():
        fig, ax = plt.subplots(figsize=figsize)
        draw(ax)  # the house style lays figures out with constrained layout
        if title or footer:
            plots.provenance(fig, ax, title=title, lines=footer or [])
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
table.t caption{text-align:left;font-weight:bold;padding:.3em 0}
table.t th,table.t td{border-bottom:1px solid #bbb;padding:.3em .6em;text-align:left}
figure{margin:1em 0}img{max-width:100%}.note{color:#444;font-size:.85em}
.summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:.6em;margin:1em 0}
.box{border:3px solid #0072B2;border-radius:.4em;padding:.5em .8em;font-size:.8em}
.box h3{margin:0 0 .3em;font-size:1.05em}.box .n{color:#0072B2;font-size:1.4em;font-weight:bold;margin-right:.3em}
.box p{margin:.2em 0}.key{border-left:6px solid #0072B2;padding:.2em .8em;margin:1em 0;font-weight:bold}
.key p{margin:.3em 0}
@page{margin:1cm}
@media print{body{font-size:10pt;max-width:none;margin:0;padding:0}h1{font-size:16pt;margin:0 0 .3em}
.synthetic{padding:.15em .5em;margin:0}.summary{grid-template-columns:repeat(4,1fr);gap:.4em;
break-after:page;page-break-after:always}.box{font-size:8.5pt;break-inside:avoid;padding:.3em .5em}
h2{break-before:page}details{display:none}}
"""


#: Which published quantity each findings denominator is (the same number published twice is
#: one cell of the disclosure audit): ``children`` and ``groups`` are the page's headline
#: counts; ``num:<measure>`` is another measure's numerator.
FINDINGS_DENOMINATORS: dict[str, str] = {
    "children_adult_at_audit": "children", "children_pre_ics_childhood": "children",
    "children_contact_series": "children", "children_early_help_declined": "children",
    "children_advice_not_taken_up": "children",
    "children_other_la_history": "children", "children_repeated_s47": "children",
    "children_to_look_at_now": "children",
    "groups_with_half_siblings": "groups", "groups_with_partner_changes": "groups",
    "groups_with_recurrent_themes": "groups", "groups_with_large_age_gap": "groups",
    "groups_with_disguised_compliance": "groups",
    "pre_ics_children_without_paper_records": "num:children_pre_ics_childhood",
    "escalated_with_lead_time": "escalated_with_older_sibling",
    "escalated_with_short_lead_time": "escalated_with_older_sibling",
}
#: Column groups of the escalation table, finest first (:func:`escalation_table`).
ESCALATION_LEVELS: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = (
    (("cp_plan", ("cp_plan",)), ("cla", ("cla",)), ("care_proceedings", ("care_proceedings",))),
    (("cp_plan", ("cp_plan",)), ("cla_or_care_proceedings", ("cla", "care_proceedings"))),
    (),
)
HEADER = "briefing_header"
#: The survival figure of point 6 (stem -> groups drawn): the record-aware Kaplan-Meier on
#: the age scale, all children in the curve. Choice (docs/definitions.md, "The briefing's
#: survival curve"): one curve for all children. Eldest and younger are not drawn apart:
#: eldest children were mostly born before the electronic record, so they enter follow-up
#: only at the age they were when it began and an eldest curve from birth has no children
#: at risk in its first years; the comparison that allows for entry age and for families
#: is the Cox model's (``escalation_cox.csv``).
KM_FIGURES: dict[str, tuple[str, ...]] = {"km_age": ("all",)}
#: Title of each survival figure.
KM_TITLES: dict[str, str] = {
    "km_age": "Children not yet escalated, by age: followed from the start of the electronic record",
}


def _band_labels(bounds: list[tuple[int, int]], lows: list[float], highs: list[float],
                 single: list[str], fmt) -> list[str]:
    """Labels of merged bands: a band alone keeps its label, merged ones span lows..highs."""
    out = []
    for a, b in bounds:
        out.append(single[a] if a == b else fmt(lows[a], highs[b]))
    return out


def group_size_table(groups: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Sibling groups by size, neighbouring bands merged so few need suppressing.

    Columns ``n_children`` (band label), ``n_groups``, and (not published) ``low``, ``high``
    (sizes of the band; ``high`` NaN when open) and ``children`` (children in its groups).
    """
    bands = summaries.GROUP_SIZE_BANDS
    sizes = summaries.group_size_counts(groups, bands=bands)
    names = sizes["n_children"].tolist()
    lows = [1.0] + [float(b) for b in bands]
    highs = [float(b - 1) for b in lows[1:]] + [float("nan")]  # each band ends before the next
    if names[0] != f"<{bands[0]}":
        lows, highs = lows[1:], highs[1:]
    merged = disclosure_audit.merge_ordered_bands(sizes["n_groups"].tolist(), threshold)

    def fmt(lo, hi):
        return f"{lo:g}+" if pd.isna(hi) else (f"<{hi + 1:g}" if lo == 1 else f"{lo:g}-{hi:g}")

    n = groups["n_children"].to_numpy()
    rows = []
    for (a, b), label in zip(merged, _band_labels(merged, lows, highs, names, fmt)):
        lo, hi = lows[a], highs[b]
        inside = (n >= lo) & ((n <= hi) if not pd.isna(hi) else True)
        rows.append({"n_children": label, "n_groups": int(sizes["n_groups"].iloc[a:b + 1].sum()),
                     "low": lo, "high": hi, "children": int(n[inside].sum())})
    return pd.DataFrame(rows)


def lead_time_table(children: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Children by lead-time band (months), neighbouring bands merged so few need suppressing."""
    edges = summaries.LEAD_TIME_BAND_MONTHS
    lead = summaries.lead_time_counts(children, band_months=edges)
    merged = disclosure_audit.merge_ordered_bands(lead["n_children"].tolist(), threshold)
    lows = [0.0] + [float(e) for e in edges]
    highs = [float(e) for e in edges] + [float("nan")]

    def fmt(lo, hi):
        if pd.isna(hi):
            return "any" if lo == 0 else f"over {lo:g}"
        return f"up to {hi:g}" if lo == 0 else f"{lo:g}-{hi:g}"

    names = _band_labels(merged, lows, highs, lead["lead_time_months"].tolist(), fmt)
    counts = [int(lead["n_children"].iloc[a:b + 1].sum()) for a, b in merged]
    return pd.DataFrame({"lead_time_months": names, "n_children": counts})


def _escalation_level(by_pos: pd.DataFrame, level) -> pd.DataFrame:
    """The escalation table at one level of merging, with ``escalated`` and totals (true counts)."""
    types = [c for c in by_pos.columns if c != "not_escalated"]
    table = disclosure_audit.merge_columns(by_pos, list(level)) if level else pd.DataFrame(index=by_pos.index)
    table["escalated"] = by_pos[types].sum(axis=1)
    table["not_escalated"] = by_pos["not_escalated"]
    table["Total"] = table[["escalated", "not_escalated"]].sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    return table.astype("int64")


def _register_escalation(pack: disclosure_audit.Pack, table: pd.DataFrame, level) -> dict[tuple, tuple]:
    """Register an escalation table (:func:`_escalation_level`) in ``pack``.

    Relations: each row's ``escalated + not_escalated = Total``, each column's rows add up to
    its ``Total`` row, and each row's escalation types add up to its ``escalated``. The first
    suppression is DfE practice (:func:`~neglect_analysis.disclosure.suppress_counts`) on the
    types and ``not_escalated`` with their totals; the children escalated in all and the grand
    total are protected from further suppression.
    """
    names = [name for name, _ in level]
    inner = table.loc[table.index != "Total", names + ["not_escalated"] if names else ["escalated", "not_escalated"]]
    shown = disclosure.suppress_counts(inner, threshold=pack.threshold)
    hidden = shown == disclosure.SUPPRESSED
    lines = ["escalated", "not_escalated", "Total"]
    mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    for c in hidden.columns:
        mask[c] = hidden[c].reindex(table.index, fill_value=False).to_numpy()
    protected = [("Total", "escalated"), ("Total", "Total")]
    keys = pack.add_table("escalation_by_position", table[lines], mask[lines],
                          row_total="Total", col_total="Total", protected=protected)
    for c in names:
        for r in table.index:
            keys[(r, c)] = pack.add_cell("escalation_by_position", r, c, int(table.at[r, c]),
                                         suppressed=bool(mask.at[r, c]))
        pack.add_sum(keys[("Total", c)], [keys[(r, c)] for r in table.index if r != "Total"])
    if names:
        for r in table.index:
            pack.add_sum(keys[(r, "escalated")], [keys[(r, c)] for c in names])
    return keys


def escalation_table(children: pd.DataFrame, threshold: int):
    """Children by position and first escalation, categories merged until least is suppressed.

    Levels (finest first, :data:`ESCALATION_LEVELS`): CP plan, CLA and care proceedings
    apart; CLA and care proceedings together; escalated alone. Every level shows
    ``escalated`` (the children who escalated), ``not_escalated`` and totals. The level chosen
    is the one with the fewest cells suppressed once its own audit passes (ties: the finest).
    Returns the table (true counts, totals included) and its level.
    """
    by_pos = summaries.escalation_by_position(children)
    best = None
    for level in ESCALATION_LEVELS:
        table = _escalation_level(by_pos, level)
        local = disclosure_audit.Pack(threshold=threshold)
        _register_escalation(local, table, level)
        result = disclosure_audit.protect(local)
        score = (int((~result["passes"]).sum()), sum(c.suppressed for c in local.cells.values()))
        if best is None or score < best[0]:
            best = (score, table, level)
    return best[1], best[2]


class BriefingPack:
    """Everything the briefing publishes, registered in one :class:`~.disclosure_audit.Pack`.

    Built from the true tables; :meth:`protect` suppresses further until the whole-pack audit
    passes, then the ``shown_*`` methods give the tables as published.

    Registered: the headline counts (index parents, children); each finding's numerator,
    denominator and complement, with the denominators that are the same quantity linked
    (:data:`FINDINGS_DENOMINATORS`); the group-size bands (adding up to the index parents; their
    children, between band size limits, adding up to the child-group memberships, taken as
    known); the lead-time bands (adding up to the escalated children with a lead time); the
    escalation table with its totals (grand total = the children, ``escalated`` total = the
    findings' escalated children); the numbers at risk of the age-scale Kaplan-Meier figure
    data (:data:`KM_FIGURES`, :func:`~neglect_analysis.summaries.km_age_monthly`; all at
    least ``min_at_risk``, and more than ``threshold``). Not modelled: what the curves' steps
    tell of events per month (an outsider reading them learns at most a lower bound of the
    escalated children of a row).
    """

    def __init__(self, cohort: Cohort, tables: AnalystTables, found: pd.DataFrame, *, threshold: int = 5,
                 min_at_risk: int = summaries.MIN_AT_RISK, confidence_level: float = 0.95):
        family = tables.family
        self.threshold = threshold
        self.pack = pack = disclosure_audit.Pack(threshold=threshold)
        self.found = found
        # Headline numbers of the page.
        n_groups = len(family.sibling_groups)
        n_kids = int(family.members["child_id"].nunique())
        self.header = {
            "groups": pack.add_cell(HEADER, "index parents", "n", n_groups, protected=True),
            "children": pack.add_cell(HEADER, "children", "n", n_kids, protected=True),
        }
        # Findings: numerator, denominator and the complement each row tells of.
        shown = suppressed_findings(found, threshold=threshold)
        self.findings_keys: dict[str, tuple] = {}
        quantity: dict[str, list] = {"children": [self.header["children"]], "groups": [self.header["groups"]]}
        for (_, row), (_, text) in zip(found.iterrows(), shown.iterrows()):
            m = row["measure"]
            num = pack.add_cell("findings", m, "numerator", row["numerator"],
                                suppressed=text["numerator"] == disclosure.SUPPRESSED)
            den = pack.add_cell("findings", m, "denominator", row["denominator"],
                                suppressed=text["denominator"] == disclosure.SUPPRESSED)
            pack.add_complement(num, den, "findings", m)
            self.findings_keys[m] = (num, den)
            quantity.setdefault(f"num:{m}", []).insert(0, num)
            q = FINDINGS_DENOMINATORS.get(m)
            if q is not None:
                quantity.setdefault(q, []).append(den)
        # The authority's own baseline (the rest of the extract): its share is printed, not its
        # counts. Registered by protect() once the cohort's cells are settled, where the
        # cohort's counts are shown (elsewhere it is withheld).
        self.baseline: dict[str, tuple] = {}
        self.baseline_withheld: set[str] = set()
        self.baseline_shares = {row["measure"]: (row, text["authority_share"])
                                for (_, row), (_, text) in zip(found.iterrows(), shown.iterrows())
                                if messages.is_published(text["authority_share"])}
        # Group sizes: bands add up to the index parents, their children to the memberships.
        sizes = group_size_table(family.sibling_groups, threshold)
        self.sizes = sizes
        memberships = pack.add_cell("sibling_groups", "all", "memberships",
                                    int(family.sibling_groups["n_children"].sum()),
                                    published=False, known=True)
        band_keys, child_keys = [], []
        for r in sizes.itertuples(index=False):
            k = pack.add_cell("group_sizes", r.n_children, "n_groups", r.n_groups)
            s = pack.add_cell("group_sizes", r.n_children, "children", r.children, published=False)
            pack.add_inequality({k: int(r.low), s: -1}, 0)  # low * groups <= children
            if not pd.isna(r.high):
                pack.add_inequality({s: 1, k: -int(r.high)}, 0)  # children <= high * groups
            band_keys.append(k)
            child_keys.append(s)
        pack.add_sum(self.header["groups"], band_keys)
        pack.add_sum(memberships, child_keys)
        # Lead times: bands add up to the escalated children with a lead time.
        self.lead = lead_time_table(family.children, threshold)
        lead_keys = [pack.add_cell("lead_times", r.lead_time_months, "n_children", r.n_children)
                     for r in self.lead.itertuples(index=False)]
        flagged = self.findings_keys.get("escalated_with_lead_time")
        if flagged is not None and pack.cells[flagged[0]].value == int(self.lead["n_children"].sum()):
            pack.add_sum(flagged[0], lead_keys)  # the same children counted twice
        # Escalation by position: categories merged first, then registered with its totals.
        self.escalation, level = escalation_table(family.children, threshold)
        keys = _register_escalation(pack, self.escalation, level)
        quantity["children"].append(keys[("Total", "Total")])
        quantity.setdefault("children_escalated", []).insert(0, keys[("Total", "escalated")])
        # The same quantity published twice is one number.
        for q, ks in quantity.items():
            for k in ks[1:]:
                pack.add_same(ks[0], k)
        # The survival figure of point 6: the record-aware Kaplan-Meier on the age scale
        # (delayed entry at the start of the electronic record), on whole months of age while
        # at least ``min_at_risk`` (and more than threshold) children are followed through
        # each month; every number at risk is a published cell.
        self.min_at_risk = max(min_at_risk, threshold + 1)
        eldest = siblings.eldest(family.members)
        eldest.index = eldest.index.astype(str)
        long = inference.age_groups(family.ages, eldest)
        self.km: dict[str, pd.DataFrame] = {}
        for stem, groups in KM_FIGURES.items():
            monthly = summaries.km_age_monthly(long, min_at_risk=self.min_at_risk, groups=list(groups),
                                               confidence_level=confidence_level)
            if len(monthly):
                self.km[stem] = monthly
                for r in monthly.itertuples(index=False):
                    pack.add_cell(stem, f"{r.group} month {r.age_months}", "at_risk", r.at_risk)

    def register_baseline(self, row: pd.Series, share_text: str) -> None:
        """Register the authority baseline of one findings row whose share is printed.

        The baseline's numerator and denominator are hidden cells; the whole authority's
        (cohort plus rest) are hidden cells taken as *known* (DfE and the authority publish the
        authority's own figures: the conservative reading); the printed share adds its rounding
        as two inequalities (:meth:`~.disclosure_audit.Pack.add_rounded_share`). With the
        cohort's counts shown this narrows nothing; where a cohort count is suppressed the
        share would pin it, so :meth:`protect` withholds the share instead.
        """
        m = row["measure"]
        if not messages.is_published(share_text) or pd.isna(row.get("authority_denominator", pd.NA)):
            return
        pack, (num, den) = self.pack, self.findings_keys[m]
        b_num = pack.add_cell("authority_baseline", m, "numerator", int(row["authority_numerator"]),
                              published=False)
        b_den = pack.add_cell("authority_baseline", m, "denominator", int(row["authority_denominator"]),
                              published=False)
        for part, (c, b) in (("numerator", (num, b_num)), ("denominator", (den, b_den))):
            whole = pack.add_cell("authority_baseline", m, f"whole_authority_{part}",
                                  pack.cells[c].value + pack.cells[b].value, published=False, known=True)
            pack.add_sum(whole, [c, b])
        pack.add_rounded_share(b_num, b_den, share_text)
        self.baseline[m] = (b_num, b_den)

    def protect(self) -> pd.DataFrame:
        """Suppress further until the whole-pack audit passes; returns the audit (raises if not).

        The cohort's cells are settled first; then each baseline share (``authority_share``)
        whose cohort numerator and denominator are both shown is registered
        (:meth:`register_baseline`) and the audit run again; one whose cohort counts are
        suppressed is withheld (shown ``c``). Should the audit then suppress a cohort count of
        a row with a baseline, that baseline is withdrawn and the audit run again.
        """
        disclosure_audit.protect(self.pack)
        for m, (row, share) in self.baseline_shares.items():
            if m in self.baseline or m in self.baseline_withheld:
                continue
            if any(self.pack.is_suppressed(k) for k in self.findings_keys[m]):
                self.baseline_withheld.add(m)
            else:
                self.register_baseline(row, share)
        while True:
            result = disclosure_audit.protect(self.pack)
            hit = [m for m, _ in self.baseline.items()
                   if any(self.pack.is_suppressed(k) for k in self.findings_keys[m])]
            if not hit:
                break
            for m in hit:
                self.pack.drop_rounded_share(*self.baseline.pop(m))
                self.baseline_withheld.add(m)
        disclosure_audit.require_pass(result)
        return result

    # -- the tables as published --------------------------------------------------------------
    def shown_findings(self) -> pd.DataFrame:
        """The findings table with the pack's suppression (share ``c`` with its counts)."""
        out = suppressed_findings(self.found, threshold=self.threshold)
        for i, m in enumerate(self.found["measure"]):
            num, den = self.findings_keys[m]
            out.iloc[i, out.columns.get_loc("numerator")] = self.pack.shown(num)
            out.iloc[i, out.columns.get_loc("denominator")] = self.pack.shown(den)
            if self.pack.is_suppressed(num) or self.pack.is_suppressed(den):
                out.iloc[i, out.columns.get_loc("share")] = disclosure.SUPPRESSED
                out.iloc[i, out.columns.get_loc("interval")] = disclosure.SUPPRESSED
            if m in self.baseline_withheld:
                out.iloc[i, out.columns.get_loc("authority_share")] = disclosure.SUPPRESSED
        return out

    def shown_sizes(self) -> pd.DataFrame:
        """``n_children`` (band), ``n_groups`` as published."""
        out = self.sizes[["n_children", "n_groups"]].astype({"n_groups": "str"}).set_index("n_children")
        return self.pack.render("group_sizes", out).reset_index()

    def shown_lead(self) -> pd.DataFrame:
        """``lead_time_months`` (band), ``n_children`` as published."""
        out = self.lead.astype({"n_children": "str"}).set_index("lead_time_months")
        return self.pack.render("lead_times", out).reset_index()

    def shown_escalation(self) -> pd.DataFrame:
        """Children by position and escalation (merged categories, totals) as published."""
        out = self.escalation.astype("str")
        out = self.pack.render("escalation_by_position", out)
        out.columns.name = None
        return out.reset_index(names="position")

    def shown_header(self) -> tuple[str, str]:
        """The headline counts (index parents, children) as published."""
        return self.pack.shown(self.header["groups"]), self.pack.shown(self.header["children"])


def write_briefing(cohort: Cohort, tables: AnalystTables, folder: str | Path, *,
                   definitions: Definitions = DEFAULTS) -> list[Path]:
    """Write the briefing pack for ``tables`` into ``folder``; returns the files written.

    ``definitions`` are the run's (:class:`~neglect_analysis.definitions.Definitions`):
    ``suppress_below`` (counts shown as ``c``), ``min_at_risk`` (the survival figure is drawn
    only while more children than it and ``suppress_below`` are followed),
    ``confidence_level`` (its band), and the thresholds the key messages name in words.

    Every published count goes through one disclosure audit (:class:`BriefingPack`,
    :mod:`neglect_analysis.disclosure_audit`) before anything is written: where a suppressed
    cell could still be narrowed, more cells are suppressed; where that cannot help,
    :class:`~neglect_analysis.disclosure_audit.DisclosureAuditError` is raised and nothing is
    written. The audit is written as ``disclosure_audit.csv``.
    """
    folder = Path(folder)
    label = cohort.label() if cohort.synthetic else None
    found = tables.extra.get("findings")
    if found is None:
        found = compute_findings(cohort, tables.family, definitions=definitions)
    bp = BriefingPack(cohort, tables, found, threshold=definitions.suppress_below,
                      min_at_risk=definitions.min_at_risk, confidence_level=definitions.confidence_level)
    audit_result = bp.protect()  # raises before anything is written

    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    shown = bp.shown_findings()
    sizes_shown = bp.shown_sizes()
    lead_shown = bp.shown_lead()
    by_pos_shown = bp.shown_escalation()

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
    files.append(write_csv(audit_result, folder / "disclosure_audit.csv"))

    # Each figure with its data table beside it (``<figure>.csv``: exactly what is drawn) and
    # a provenance footer (n and base, source and period, authority, suppression note).
    source = "Synthetic data" if cohort.synthetic else (cohort.authority or "Local authority extract")
    period = (f"electronic record from {cohort.ics_start_date.date().isoformat()} "
              f"to the audit date {cohort.audit_date.date().isoformat()}")
    source_line = f"Source: {source}, children's social care records; period: {period}"
    suppression_line = (f"c: suppressed (a count from 1 to {definitions.suppress_below}, or one that could reveal it); "
                        "a hatched stub is not a value")
    footers: dict[str, list[str]] = {}

    def figure(draw, stem: str, title: str, base: str, figsize=FIGSIZE_16_9) -> list[Path]:
        footers[stem] = [base, source_line, suppression_line]
        return _figure(draw, folder / stem, label, figsize, title=title, footer=footers[stem])

    figs: dict[int, list[tuple[str, str, pd.DataFrame]]] = {p: [] for p in BRIEFING_POINTS}
    figure_notes: dict[str, list[str]] = {}  # generated sentences printed under a figure
    data_files: set[str] = set()
    for p, heading in BRIEFING_POINTS.items():
        rows = point_shares(shown, found, p)
        stem = f"point{p}_shares"
        named = rows.assign(point=p, measure=rows["label"].str.strip() + " (of " + rows["denominator"].astype(str) + ")")
        files += figure(lambda ax, r=named: plots.plot_shares(r, ax=ax, by="base"), stem, f"{p}. {heading}",
                        "Bars grouped by base (what each share is a share of); the number after 'of' is "
                        "the base's size; diamond: England where published")
        figs[p].append((stem, f"Point {p}: share of each measure, grouped by base", rows))
        data_files.add(stem)
    files += figure(lambda ax: plots.plot_group_sizes(sizes_shown, ax=ax), "group_sizes",
                    "Sibling groups by number of children",
                    f"n = {bp.shown_header()[0]} sibling groups (one per index parent)")
    figs[2].insert(0, ("group_sizes", "Sibling groups by number of children", sizes_shown))
    for stem, monthly in bp.km.items():
        groups = list(dict.fromkeys(monthly["group"].astype(str)))
        base = ("Children in sibling groups followed from the start of the electronic record (or birth) to "
                f"escalation or censoring; whole months of age, at least {bp.min_at_risk} followed in each")
        files += figure(lambda ax, m=monthly, g=groups: draw_age_km(ax, m, g), stem, KM_TITLES[stem], base)
        alt = (f"{KM_TITLES[stem]} (whole months of age, drawn while at least {bp.min_at_risk} children "
               "are followed)")
        figs[6].append((stem, alt, monthly))
        data_files.add(stem)
        # Under the figure: sentences generated from its published data and from the Cox
        # model's family-clustered estimate (no p-value, no count).
        said_under = [messages.curve_sentence(monthly, g) for g in groups]
        said_under.append(messages.cox_sentence(tables.extra.get("escalation_cox")))
        figure_notes[stem] = [t for t in said_under if t]
    files += figure(lambda ax: plots.plot_counts(lead_shown, "lead_time_months", "n_children", ax=ax),
                    "lead_times", "How much earlier a whole-family reading could have flagged a child",
                    "Escalated children with an earlier family signal, by months of lead time")
    figs[6].insert(0, ("lead_times", "How much earlier a whole-family reading could have flagged a child (months)",
                       lead_shown))
    for items in figs.values():
        for stem, _, data in items:
            if stem in data_files:
                files.append(write_csv(data, folder / f"{stem}.csv"))

    said = messages.key_messages(message_input(found, shown), definitions=definitions)
    files.append(write_csv(said, folder / "key_messages.csv"))
    key = messages.point_messages(said)

    title = "Learning from sibling groups & earlier identification of neglect"
    n_parents_shown, n_children_shown = bp.shown_header()
    meta = (("" if label else f"{cohort.label()} · ") + f"audit date {cohort.audit_date.date().isoformat()} · "
            f"electronic record from {cohort.ics_start_date.date().isoformat()} · "
            f"{n_parents_shown} index parents, {n_children_shown} children")
    note = (f"Counts from 1 to {definitions.suppress_below} are shown as c, with further cells suppressed so that "
            "they cannot be worked out from totals or from any other number in this pack "
            "(disclosure_audit.csv); small categories are combined"
            + ("; z: not applicable. " if (shown[["numerator", "denominator", "share"]] == disclosure.NOT_APPLICABLE).any().any()
               else ". ")
            + f"Survival curves are drawn on whole months while at least {bp.min_at_risk} children "
            "are at risk. National figures: DfE Children in need statistics (England) for the "
            f"year to 31 March {period_label(collection_year(cohort.audit_date))}, the collection "
            "year nearest the audit date, counting this authority's events only; the neglect "
            "figure counts plans in place at 31 March, not plans started.")
    md = [f"# {title}", ""]
    if label:
        md += [f"**{label.upper()}: not real children.**", ""]
    md += [meta, "", "## Summary", ""]
    md += [f"{p}. **{heading}**: " + " ".join(key[p]) for p, heading in BRIEFING_POINTS.items()]
    md += ["", note, ""]
    body = [f"<h1>{html.escape(title)}</h1>"]
    if label:
        body.append(f'<p class="synthetic">{html.escape(label.upper())}: not real children</p>')
    body.append(f"<p>{html.escape(meta)}</p>")
    body.append(summary_html(key))
    body.append(f'<p class="note">{html.escape(note)}</p>')
    for p, heading in BRIEFING_POINTS.items():
        md += [f"## {p}. {heading}", "", *[f"- **{t}**" for t in key[p]], "", POINT_TEXT[p], ""]
        body += [f"<h2>{p}. {html.escape(heading)}</h2>",
                 '<div class="key">' + "".join(f"<p>{html.escape(t)}</p>" for t in key[p]) + "</div>",
                 f"<p>{html.escape(POINT_TEXT[p])}</p>"]
        for name, df in point_tables[p]:
            shown_df = display_table(name, df)
            md += [f"*{caption(name)}*", "", _md_table(shown_df), ""]
            body.append(_table_html(shown_df, caption(name)))
        for stem, alt, data in figs[p]:
            md += [f"![{alt}]({stem}.png)", ""]
            body.append(_img_html(folder / f"{stem}.png", alt))
            for sentence in figure_notes.get(stem, []):
                md += [sentence, ""]
                body.append(f'<p class="note">{html.escape(sentence)}</p>')
            if stem in data_files:
                shown_df = display_table(stem, data)
                md += [f"Data behind the figure ({stem}.csv):", "", _md_table(shown_df), ""]
                body.append(f"<details><summary>Data behind the figure ({html.escape(stem)}.csv)"
                            f"</summary>{_table_html(shown_df, caption(stem))}</details>")
    page = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")
    (folder / "briefing.html").write_text(page, encoding="utf-8")
    (folder / "briefing.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    files += [folder / "briefing.html", folder / "briefing.md"]
    slide_points = []
    for p, heading in BRIEFING_POINTS.items():
        stem = figs[p][0][0]
        slide_points.append(slides.PointSlide(p, heading, key[p], picture=folder / f"{stem}.png",
                                              footer="  ·  ".join(footers[stem]), notes=[POINT_TEXT[p]]))
    files.append(slides.write_slides(folder / "briefing.pptx", title=title, subtitle=[meta, period],
                                     points=slide_points, stamp=label.upper() if label else None,
                                     date=cohort.audit_date.date()))
    return files


#: Room left after the end of the age-scale curves, as a share of their length.
KM_X_MARGIN = 0.04


def draw_age_km(ax, monthly: pd.DataFrame, groups: list[str]):
    """Draw the age-scale figure data (:func:`~neglect_analysis.summaries.km_age_monthly`):
    the curves (:func:`~neglect_analysis.plots.plot_age_km`, x in years of age, a month being
    ``DAYS_PER_MONTH`` days), legend words from the one label map (:func:`human_legend`),
    ticks on whole years (every 2 years past 8) and the numbers-at-risk row under them
    (:func:`at_risk_row`; the data hold a row at every whole year of age). Returns ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> m = pd.DataFrame({"group": "all", "age_months": [0, 12, 17, 24], "survival": [1.0, 0.9, 0.8, 0.8],
    ...                   "ci_lower": [1.0, 0.8, 0.7, 0.7], "ci_upper": [1.0, 0.95, 0.9, 0.9],
    ...                   "at_risk": [40, 35, 30, 20]})
    >>> ax = draw_age_km(ax, m, ["all"])
    >>> [t.get_text() for t in ax.get_legend().get_texts()], ax.get_xticks().tolist()
    (['All children'], [0.0, 1.0, 2.0])
    >>> [t.get_text() for t in ax.texts][2:]  # at ages 0, 1 and 2: months 0, 12 and 24
    ['40', '35', '20']
    >>> plt.close(fig)
    """
    drawn = monthly.assign(age_days=monthly["age_months"] * summaries.DAYS_PER_MONTH)
    plots.plot_age_km(drawn, groups=groups, ax=ax)
    ax.set_ylabel("Proportion not yet escalated")
    human_legend(ax)
    right = float(drawn["age_days"].max()) / DAYS_PER_YEAR if len(drawn) else 0.0
    step = 1 if right <= 8 else 2
    ax.set_xticks(np.arange(0, np.floor(right + 1e-9) + 1e-9, step))
    if right > 0:  # a little room after the last tick, so its number at risk clears the row's names
        ax.set_xlim(0, right * (1 + KM_X_MARGIN))
    at_risk_row(ax, monthly.rename(columns={"age_months": "month"}), groups)
    return ax


def human_legend(ax, names: dict[str, str] | None = None):
    """Rename the legend entries of ``ax`` through ``names`` (default: the one label map's
    :data:`neglect_analysis.labels.GROUP_LABELS`).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [1, 0], label="eldest")
    >>> [t.get_text() for t in human_legend(ax).get_legend().get_texts()]
    ['Eldest child']
    >>> plt.close(fig)
    """
    names = labels.GROUP_LABELS if names is None else names
    handles, texts = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, [names.get(t, t) for t in texts], loc="lower left")  # as plot_km
    return ax


def at_risk_row(ax, monthly: pd.DataFrame, groups: list[str], names: dict[str, str] | None = None) -> list:
    """Write a numbers-at-risk row under a survival chart, one line per group, at the x ticks.

    ``monthly`` is the figure's data (``group``, ``month``, ``at_risk``; the x axis in years,
    a month being ``DAYS_PER_MONTH / DAYS_PER_YEAR`` years). At each tick the number shown is
    the ``at_risk`` of the group's last row at or before the tick; ticks after the group's last
    row are left blank (the curve stops there). Each line is in its group's colour and named
    through ``names`` (default :data:`neglect_analysis.labels.GROUP_LABELS`). Returns the texts written.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> m = pd.DataFrame({"group": ["eldest"] * 3, "month": [0, 12, 13], "at_risk": [40, 25, 20]})
    >>> _ = ax.set_xlim(0, 2); _ = ax.set_xticks([0, 1, 2])
    >>> [t.get_text() for t in at_risk_row(ax, m, ["eldest"])]  # year 1 = month 12; year 2 after the end
    ['Number at risk', 'Eldest child', '40', '25', '']
    >>> plt.close(fig)
    """
    names = labels.GROUP_LABELS if names is None else names
    lo, hi = ax.get_xlim()
    ticks = [float(t) for t in ax.get_xticks() if lo - 1e-9 <= t <= hi + 1e-9]
    colours = plots.group_colours(groups)
    per_year = summaries.DAYS_PER_MONTH / DAYS_PER_YEAR
    texts = [ax.annotate("Number at risk", xy=(0, 0), xycoords="axes fraction", xytext=(0, -52),
                         textcoords="offset points", ha="left", va="top", fontsize=10, fontweight="bold")]
    for i, g in enumerate(groups):
        part = monthly[monthly["group"].astype(str) == g].sort_values("month", kind="stable")
        years = part["month"].to_numpy(dtype="float64") * per_year
        risk = part["at_risk"].to_numpy()
        y = -66 - 14 * i
        texts.append(ax.annotate(names.get(g, g), xy=(1, 0), xycoords="axes fraction", xytext=(6, y),
                                 textcoords="offset points", ha="left", va="top", fontsize=9,
                                 color=colours[g]))
        for t in ticks:
            before = years <= t + 1e-9
            shown = str(int(risk[before][-1])) if before.any() and t <= years[-1] + per_year else ""
            texts.append(ax.annotate(shown, xy=(t, 0), xycoords=("data", "axes fraction"), xytext=(0, y),
                                     textcoords="offset points", ha="center", va="top", fontsize=9,
                                     color=colours[g]))
    return texts


#: Columns of a point's shares figure data (:func:`point_shares`).
SHARES_COLUMNS: tuple[str, ...] = ("base", "label", "numerator", "denominator", "share", "national_share")


def point_shares(shown: pd.DataFrame, found: pd.DataFrame, point: int) -> pd.DataFrame:
    """The data of a point's shares figure (``point<p>_shares``), rows in the order drawn.

    ``shown`` is the findings table as published (:meth:`BriefingPack.shown_findings`),
    ``found`` the findings table it was made from (row for row), whose ``base`` (what each
    share is a share of: :attr:`neglect_analysis.findings.Measure.base`) groups the rows: one
    block per base, blocks in order of first appearance, measures in table order within a
    block (as :func:`~neglect_analysis.plots.plot_shares` with ``by="base"`` draws them).
    Columns :data:`SHARES_COLUMNS`.

    Examples
    --------
    >>> found = pd.DataFrame({"point": 6, "base": ["CP plans", "children", "CP plans"]})
    >>> shown = pd.DataFrame({"point": 6, "label": ["a", "b", "c"], "numerator": ["1", "2", "3"],
    ...     "denominator": "9", "share": "z", "national_share": ""})
    >>> point_shares(shown, found, 6)[["base", "label"]].values.tolist()
    [['CP plans', 'a'], ['CP plans', 'c'], ['children', 'b']]
    """
    rows = shown.assign(base=found["base"].to_numpy())
    rows = rows[(rows["point"] == point).to_numpy(dtype=bool)]
    block = pd.Categorical(rows["base"], categories=list(dict.fromkeys(rows["base"])))
    order = np.argsort(block.codes, kind="stable")
    return rows.iloc[order][list(SHARES_COLUMNS)].reset_index(drop=True)


def message_input(found: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """The published findings for :func:`~neglect_analysis.messages.key_messages`.

    ``shown`` (the findings as published), with the findings' family-bootstrap interval
    (``ci_lower``, ``ci_upper``) where the findings table has one; the interval is blanked on
    rows whose numerator or denominator is suppressed.

    Examples
    --------
    >>> found = pd.DataFrame({"ci_lower": [10.0, 20.0], "ci_upper": [30.0, 40.0]})
    >>> shown = pd.DataFrame({"numerator": ["5", "c"], "denominator": ["20", "30"]})
    >>> message_input(found, shown)[["ci_lower", "ci_upper"]].values.tolist()
    [[10.0, 30.0], [nan, nan]]
    """
    out = shown.copy()
    if {"ci_lower", "ci_upper"} <= set(found.columns):
        hidden = ((shown["numerator"] == disclosure.SUPPRESSED) | (shown["denominator"] == disclosure.SUPPRESSED)).to_numpy()
        for c in ("ci_lower", "ci_upper"):
            out[c] = pd.to_numeric(found[c], errors="coerce").astype("float64").to_numpy()
            out.loc[hidden, c] = float("nan")
    return out


def summary_html(key: dict[int, list[str]]) -> str:
    """The seven-box summary (seed format: one numbered box per point, its key messages).

    Examples
    --------
    >>> page = summary_html({p: [f"Message {p}."] for p in BRIEFING_POINTS})
    >>> page.count('class="box"'), page.startswith('<section class="summary" id="summary">')
    (7, True)
    """
    boxes = [f'<div class="box" id="box{p}"><h3><span class="n">{p}</span>{html.escape(heading)}</h3>'
             + "".join(f"<p>{html.escape(t)}</p>" for t in key.get(p, [])) + "</div>"
             for p, heading in BRIEFING_POINTS.items()]
    return '<section class="summary" id="summary">' + "".join(boxes) + "</section>"


def _md_table(df: pd.DataFrame) -> str:
    """A plain Markdown table (pipes escaped), the same on every machine."""
    def cell(v) -> str:
        return "" if pd.isna(v) else str(v).replace("|", "\\|")

    head = "| " + " | ".join(cell(c) for c in df.columns) + " |"
    rule = "|" + "---|" * len(df.columns)
    rows = ["| " + " | ".join(cell(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, rule, *rows])
