"""Aggregate count tables behind the briefing figures (computed here, drawn in ``plots``).

Each function turns an analyst table into a small table of counts that
:mod:`neglect_analysis.disclosure` can suppress and :mod:`neglect_analysis.plots` can draw.
Children are counted once each, whichever sibling group they belong to.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .definitions import DEFAULTS, Definitions
from .siblings import eldest

#: Sibling-group size bands: 5, 6, 7, 8, 9 children, then "10+".
GROUP_SIZE_BANDS: tuple[int, ...] = (5, 6, 7, 8, 9, 10)
#: Lead-time bands in months (upper bounds, right-closed): 0-6, 6-12, 12-24, 24-60, 60+.
LEAD_TIME_BAND_MONTHS: tuple[float, ...] = (6, 12, 24, 60)
DAYS_PER_MONTH = 365.25 / 12


def group_size_counts(groups: pd.DataFrame, *, bands: tuple[int, ...] = GROUP_SIZE_BANDS) -> pd.DataFrame:
    """Number of sibling groups by number of children, the last band open (``"10+"``).

    Groups smaller than the first band are counted in a ``"<5"`` band (only possible with
    explicit index parents).

    Examples
    --------
    >>> g = pd.DataFrame({"n_children": [5, 5, 7, 12, 3]})
    >>> group_size_counts(g).values.tolist()
    [['<5', 1], ['5', 2], ['6', 0], ['7', 1], ['8', 0], ['9', 0], ['10+', 1]]
    """
    n = groups["n_children"].to_numpy()
    labels = [f"<{bands[0]}"] + [str(b) for b in bands[:-1]] + [f"{bands[-1]}+"]
    edges = [-np.inf] + list(bands) + [np.inf]
    idx = np.searchsorted(np.asarray(edges[1:-1], dtype=float), n, side="right")
    counts = np.bincount(idx, minlength=len(labels))
    out = pd.DataFrame({"n_children": labels, "n_groups": counts.astype("int64")})
    if out.loc[0, "n_groups"] == 0:
        out = out.iloc[1:].reset_index(drop=True)
    return out


def lead_time_counts(children: pd.DataFrame, *, band_months: tuple[float, ...] = LEAD_TIME_BAND_MONTHS) -> pd.DataFrame:
    """Children with a lead time, by band of months (days / 30.44), each child once.

    Bands are right-closed: ``"up to 6"``, ``"6-12"``, ..., and ``"over 60"``.

    Examples
    --------
    >>> c = pd.DataFrame({"child_id": ["A", "A", "B", "C", "D"], "lead_time_days": [30, 30, 400, None, 2000]})
    >>> lead_time_counts(c).values.tolist()
    [['up to 6', 1], ['6-12', 0], ['12-24', 1], ['24-60', 0], ['over 60', 1]]
    """
    kids = children.drop_duplicates("child_id")
    months = pd.to_numeric(kids["lead_time_days"], errors="coerce").dropna().to_numpy() / DAYS_PER_MONTH
    idx = np.searchsorted(np.asarray(band_months, dtype=float), months, side="left")
    counts = np.bincount(idx, minlength=len(band_months) + 1)
    labels = [f"up to {band_months[0]:g}"] + [
        f"{a:g}-{b:g}" for a, b in zip(band_months[:-1], band_months[1:])
    ] + [f"over {band_months[-1]:g}"]
    return pd.DataFrame({"lead_time_months": labels, "n_children": counts.astype("int64")})


def escalation_by_position(children: pd.DataFrame) -> pd.DataFrame:
    """Children by position in the family (eldest / younger) and first escalation type.

    A child is ``eldest`` when it is birth order 1 in any of its sibling groups. Columns:
    ``cp_plan``, ``cla``, ``care_proceedings``, ``not_escalated`` (counts); index: position.

    Examples
    --------
    >>> c = pd.DataFrame({"child_id": ["A", "B", "C"], "birth_order": [1, 2, 3],
    ...                   "escalation_type": ["cp_plan", None, "cla"]})
    >>> escalation_by_position(c).values.tolist()
    [[1, 0, 0, 0], [0, 1, 0, 1]]
    """
    pos = eldest(children).map({True: "eldest", False: "younger"})
    typ = children.drop_duplicates("child_id").set_index("child_id")["escalation_type"]
    typ = typ.astype("object").where(typ.notna(), "not_escalated")
    table = pd.crosstab(pos.rename("position"), typ.reindex(pos.index))
    cols = ["cp_plan", "cla", "care_proceedings", "not_escalated"]
    table = table.reindex(index=["eldest", "younger"], columns=cols, fill_value=0).fillna(0)
    table.columns.name = None
    return table.astype("int64")


#: Fewest children at risk for a survival curve to be drawn (DESIGN.md "Outputs").
MIN_AT_RISK = 10


#: Columns of :func:`km_age_monthly` (the briefing's age-scale figure data).
KM_AGE_MONTHLY_COLUMNS: dict[str, str] = {
    "group": "string", "age_months": "int64", "survival": "float64", "ci_lower": "float64",
    "ci_upper": "float64", "at_risk": "int64",
}


def km_age_monthly(long: pd.DataFrame, *, min_at_risk: int = MIN_AT_RISK,
                   groups: list[str] | None = None, decimals: int = 3, every_months: int = 12,
                   confidence_level: float = 0.95) -> pd.DataFrame:
    """The record-aware Kaplan-Meier (age scale, delayed entry) on whole months of age, drawn
    only while at least ``min_at_risk`` children are followed through each month.

    ``long``: ``group``, ``entry_age_days``, ``exit_age_days``, ``event`` (one row per child
    in the curve and group: :func:`neglect_analysis.inference.age_groups`). For each group the
    estimate of :func:`neglect_analysis.inference.km_delayed_entry` (a child at risk at age t
    when entry < t <= exit) is read at month ends, month m ending at age ``m * 365.25 / 12``
    days: ``survival`` and its log-log interval after every escalation at or before that age
    (1 before the first). ``at_risk`` of month m is the children followed through the whole
    month: entered by its start (age ``(m - 1) * 365.25 / 12``; month 0 is the day of birth,
    entry 0) and still followed after its end. It is never more than the risk set at any
    age inside the month, so each escalation shown happened among at least that many
    children. With delayed entry the risk set rises and falls, so months are kept from 0 up
    to the month before the first month with fewer than ``min_at_risk`` (later months are
    cut even when more children enter). Rows: month 0, every ``every_months``-th month (whole
    years, for the numbers-at-risk row), each month where the survival changes, and the last
    month kept; values rounded to ``decimals``. A group with fewer than ``min_at_risk``
    children at month 0 has no rows.

    Returns
    -------
    DataFrame
        :data:`KM_AGE_MONTHLY_COLUMNS`.

    Examples
    --------
    Six children (entry, exit, escalated): A, B (0, 100, no), C (0, 45, yes), D (0, 200, no),
    E (20, 200, no: enters at 20 days), F (50, 80, yes). At 45 days A-E are at risk: S = 4/5
    = 0.8; at 80 days A, B, D, E, F: S = 0.8 x 4/5 = 0.64. Followed through months 0-4
    (month ends 0, 30.4, 60.9, 91.3, 121.75 days): 4 (A-D), 4 (E entered after the start of
    month 1), 4 (A, B, D, E), 4 (A, B, D, E), 2 (D, E). With ``min_at_risk=4`` months 0 to 3
    are kept; rows: month 0, the changes at months 2 and 3.

    >>> long = pd.DataFrame({"group": "all", "entry_age_days": [0, 0, 0, 0, 20, 50],
    ...                      "exit_age_days": [100, 100, 45, 200, 200, 80], "event": [0, 0, 1, 0, 0, 1]})
    >>> km_age_monthly(long, min_at_risk=4)[["age_months", "survival", "at_risk"]].values.tolist()
    [[0.0, 1.0, 4.0], [2.0, 0.8, 4.0], [3.0, 0.64, 4.0]]
    >>> len(km_age_monthly(long, min_at_risk=5))  # 4 followed at birth: no curve
    0
    """
    from .inference import km_delayed_entry

    names = list(dict.fromkeys(long["group"].astype(str))) if groups is None else list(groups)
    frames = []
    for g in names:
        part = long.loc[(long["group"].astype(str) == g).to_numpy(dtype=bool)]
        en = pd.to_numeric(part["entry_age_days"], errors="coerce").to_numpy(dtype=float)
        ex = pd.to_numeric(part["exit_age_days"], errors="coerce").to_numpy(dtype=float)
        ev = pd.to_numeric(part["event"], errors="coerce").to_numpy(dtype=float)
        ok = ~np.isnan(en) & ~np.isnan(ex)
        en, ex, ev = en[ok], ex[ok], ev[ok]
        if len(ex) == 0:
            continue
        n = len(ex)
        ends = np.arange(int(np.ceil(ex.max() / DAYS_PER_MONTH)) + 1) * DAYS_PER_MONTH
        starts = np.r_[0.0, ends[:-1]]
        # followed through month m = n - entered after its start - left by its end + both
        # (entered after the start and left by the end: a whole stay inside the month)
        entered_after = n - np.searchsorted(np.sort(en), starts, side="right")
        left_by = np.searchsorted(np.sort(ex), ends, side="right")
        m_exit = np.searchsorted(ends, ex, side="left")  # the month in which the child leaves
        inside = (m_exit >= 1) & (en > ends[np.maximum(m_exit - 1, 0)])
        both = np.bincount(m_exit[inside], minlength=len(ends))[: len(ends)]
        at_risk = n - entered_after - left_by + both
        low = np.flatnonzero(at_risk < min_at_risk)
        last = (int(low[0]) if len(low) else len(ends)) - 1
        if last < 0:
            continue
        months = np.arange(last + 1)
        km = km_delayed_entry(en, ex, ev, group=g, confidence_level=confidence_level)
        idx = np.searchsorted(km["age_days"].to_numpy(dtype=float), ends[: last + 1], side="right") - 1

        def at(col: str) -> np.ndarray:  # the step function's value at each month end (1 before)
            v = km[col].to_numpy(dtype=float)
            return np.where(idx >= 0, v[np.maximum(idx, 0)], 1.0) if len(v) else np.ones(len(idx))
        surv = np.round(at("survival"), decimals)
        keep = np.r_[True, surv[1:] != surv[:-1]] | (months % max(int(every_months), 1) == 0)
        keep[-1] = True
        frames.append(pd.DataFrame({
            "group": g, "age_months": months[keep], "survival": surv[keep],
            "ci_lower": np.round(at("ci_lower"), decimals)[keep],
            "ci_upper": np.round(at("ci_upper"), decimals)[keep],
            "at_risk": at_risk[: last + 1][keep].astype("int64"),
        }))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in KM_AGE_MONTHLY_COLUMNS.items()})
    return pd.concat(frames, ignore_index=True).astype(KM_AGE_MONTHLY_COLUMNS)


#: Age-gap bands in years (left-closed): under 1, 1-2, 2-3, 3-5, 5-10, 10+.
GAP_BAND_YEARS: tuple[float, ...] = (0, 1, 2, 3, 5, 10, 40)
GAP_BAND_LABELS: tuple[str, ...] = ("under 1", "1-2", "2-3", "3-5", "5-10", "10+")


def gap_band_counts(pairs: pd.DataFrame, *, edges: tuple[float, ...] = GAP_BAND_YEARS,
                    labels: tuple[str, ...] = GAP_BAND_LABELS) -> pd.DataFrame:
    """Pairs of consecutive siblings by age gap band (``gap_years`` of
    :func:`neglect_analysis.siblings.sibling_pairs`; bands left-closed, e.g. 1 <= gap < 2).

    Examples
    --------
    >>> p = pd.DataFrame({"gap_years": [0.0, 0.5, 1.0, 4.9, 12.0]})
    >>> gap_band_counts(p).values.tolist()
    [['under 1', 2], ['1-2', 1], ['2-3', 0], ['3-5', 1], ['5-10', 0], ['10+', 1]]
    """
    bands = pd.cut(pairs["gap_years"], list(edges), right=False, labels=list(labels)).value_counts(sort=False)
    return bands.rename_axis("gap_years").reset_index(name="pairs").astype({"gap_years": str})


def count_table(values: pd.Series, name: str, count_name: str) -> pd.DataFrame:
    """How many rows have each value of ``values`` (sorted by value), as a two-column table
    whose first column (``name``) is text, for :func:`neglect_analysis.plots.plot_counts`.

    Examples
    --------
    >>> count_table(pd.Series([2, 1, 2, 3]), "other_parents", "sibling_groups").values.tolist()
    [['1', 1], ['2', 2], ['3', 1]]
    """
    counts = values.value_counts().sort_index()
    return counts.rename_axis(name).reset_index(name=count_name).astype({name: str})


def capped_count_table(values: pd.Series, cap: int, name: str, count_name: str) -> pd.DataFrame:
    """How many rows have each value of ``values``, values of ``cap`` or more grouped as
    ``"<cap>+"``; first column text (for :func:`neglect_analysis.plots.plot_counts`).

    Examples
    --------
    >>> capped_count_table(pd.Series([0, 2, 7, 5, 1]), 5, "enquiries", "children").values.tolist()
    [['0', 1], ['1', 1], ['2', 1], ['5+', 2]]
    """
    counts = values.clip(upper=cap).value_counts().sort_index()
    table = counts.rename_axis(name).reset_index(name=count_name)
    table[name] = table[name].map(lambda n: f"{cap}+" if n == cap else str(n))
    return table


def event_value_counts(cohort, children, event_type: str, column: str, missing: str) -> pd.Series:
    """The children's events of ``event_type`` counted by ``column`` (missing values labelled
    ``missing``), sorted by value: e.g. CP plans by initial category, early help by end reason.

    Examples
    --------
    >>> from neglect_analysis.cohort import Cohort
    >>> ev = pd.DataFrame({"person_id": ["A", "A", "B", "C"], "event_type": "cp_plan",
    ...                    "category": ["NEG", None, "NEG", "PHY"]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B", "C"]}), events=ev,
    ...                        audit_date="2018-07-31")
    >>> event_value_counts(c, ["A", "B"], "cp_plan", "category", "not recorded").to_dict()
    {'NEG': 2, 'not recorded': 1}
    """
    from .family import events_of

    ev = events_of(cohort, children)
    ev = ev[(ev["event_type"] == event_type).to_numpy(dtype=bool, na_value=False)]
    return ev[column].fillna(missing).value_counts().sort_index()


def case_review_answers(cohort, children, pattern: str) -> pd.Series:
    """Case-review answers about ``children`` to the questions containing ``pattern``
    (case-insensitive), counted by answer as written, sorted.

    Examples
    --------
    >>> from neglect_analysis.cohort import Cohort
    >>> cr = pd.DataFrame({"person_id": ["A", "A", "B", "Z"], "question": ["Refers to older siblings?"] * 3 + ["x"],
    ...                    "answer": ["Yes", "No", "Yes", "Yes"]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B", "Z"]}), case_review=cr,
    ...                        audit_date="2018-07-31")
    >>> case_review_answers(c, ["A", "B", "Z"], "older sibling").to_dict()
    {'No': 1, 'Yes': 2}
    """
    from .idsets import isin

    review = cohort.case_review[isin(cohort.case_review["person_id"], pd.Index(list(children)))]
    asked = review["question"].astype("string").str.contains(pattern, case=False, regex=False)
    return review.loc[asked.fillna(False).to_numpy(dtype=bool), "answer"].value_counts().sort_index()


def plan_outcome_counts(plans_not_sustained: pd.DataFrame, mature, *,
                        definitions: Definitions = DEFAULTS) -> pd.DataFrame:
    """What followed the ended plans (``plans_not_sustained.csv``), the plans old enough to
    judge (``mature``, :func:`neglect_analysis.findings.mature_plans`) apart from the rest.

    Returns ``outcome`` and ``plans``: ended plans; too recent to judge; followed up long
    enough; of those, a new referral within 12 months, a new plan within 2 years, either (not
    sustained), neither (sustained). The periods are those of ``definitions``
    (``not_sustained_rereferral_days``, ``not_sustained_replan_days``), in words.

    Examples
    --------
    >>> pns = pd.DataFrame({"rereferred": [True, False, True, False], "replanned": [True, False, False, True],
    ...                     "not_sustained": [True, False, True, True]})
    >>> plan_outcome_counts(pns, [True, True, True, False])["plans"].tolist()
    [4, 1, 3, 2, 1, 2, 1]
    """
    mature = np.asarray(mature, dtype=bool)
    judged = plans_not_sustained[mature]
    not_sustained = judged["not_sustained"].astype(bool)
    terms = definitions.terms()
    replan, rereferral = terms["not_sustained_replan_period"], terms["not_sustained_rereferral_period"]
    return pd.DataFrame({
        "outcome": ["ended plans", "too recent to judge", f"followed up {replan} or more",
                    f"  new referral within {rereferral}", f"  new plan within {replan}",
                    "  either: not sustained", "  neither: sustained"],
        "plans": [len(plans_not_sustained), int((~mature).sum()), len(judged),
                  int(judged["rereferred"].astype(bool).sum()), int(judged["replanned"].astype(bool).sum()),
                  int(not_sustained.sum()), int((~not_sustained).sum())],
    })
