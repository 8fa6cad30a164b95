"""The findings table: one row per measure behind each of the seven briefing points.

Every measure is a numerator over a denominator computed here from the analysis tables (and,
for events not summarised elsewhere, from ``cohort.events``), with the national DfE figure
beside it where one exists. The briefing pack and the closing notebook read this table; they
never recompute a measure.
"""
from __future__ import annotations

import pandas as pd

from . import escalation
from .cohort import Cohort
from .idsets import isin, positions
from .recurrence import _by_distinct
from .reference import latest, national_figures
from .tables import FamilyTables

#: The seven briefing points (shared/seed-briefing.md), short titles for tables and charts.
BRIEFING_POINTS: dict[int, str] = {
    1: "Long-standing neglect seen late: whole-family chronologies",
    2: "Large sibling groups with big age gaps",
    3: "Patterns across the family: paper files, partners, recurrent themes",
    4: "Series of contacts, early help not taken up, other authorities",
    5: "Section 47 enquiries and older siblings' history",
    6: "Previous child protection plans and sustained change",
    7: "IRO challenge in large sibling groups",
}

#: Short plain-words label of each measure, for chart axes.
LABELS: dict[str, str] = {
    "younger_assessments_after_older_sibling_cp_plan": "Younger child assessed after older sibling's plan",
    "reviews_assessment_refers_to_older_siblings": "Assessment refers to older siblings (audit)",
    "children_adult_at_audit": "Children now adults",
    "groups_with_half_siblings": "Groups with half-siblings",
    "children_pre_ics_childhood": "Childhood began before electronic record",
    "pre_ics_children_without_paper_records": "  of whom no paper records yet",
    "groups_with_partner_changes": "Groups with partner changes",
    "groups_with_recurrent_themes": "Groups with themes recurring across fathers",
    "children_contact_series": "Children with a series of contacts",
    "children_early_help_not_engaged": "Early help declined or advice not taken up",
    "children_other_la_history": "History in another authority",
    "s47_not_progressing_to_icpc": "S47s not reaching a conference",
    "children_repeated_s47": "Children with repeated S47s",
    "rereferrals_12m": "Re-referrals within 12 months",
    "repeat_cp_plans": "Second or subsequent CP plans",
    "cp_plans_neglect": "CP plans for neglect",
    "cp_plans_not_sustained": "Plans whose changes were not sustained",
    "escalated_with_lead_time": "Escalations a family reading could have flagged earlier",
    "children_to_look_at_now": "Children to look at now",
    "cp_plans_with_iro_challenge": "CP plans with an IRO challenge",
}

#: Findings columns.
FINDINGS_COLUMNS: tuple[str, ...] = (
    "point", "measure", "label", "description", "numerator", "denominator", "share",
    "national_share", "national_year", "national_source",
)


def _share(num: int, den: int) -> float:
    return round(100.0 * num / den, 1) if den else float("nan")


def _children_once(family: FamilyTables) -> pd.DataFrame:
    """One row per child (a child with two index parents counted once)."""
    return family.children.drop_duplicates("child_id")


def _kid_events(cohort: Cohort, family: FamilyTables) -> pd.DataFrame:
    """Events of the sibling groups' children (their ids hashed once per run), with the
    columns the findings read (filtering fewer text columns is cheaper)."""
    ev = cohort.events
    keep = isin(ev["person_id"], family.members["child_id"].unique())
    return ev.loc[keep, ["event_id", "person_id", "event_type", "start_date", "category"]]


def _group_events(cohort: Cohort, family: FamilyTables, event_type: str,
                  _events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Events of ``event_type`` of the groups' children, in the order of ``cohort.events``.

    ``_events`` (private): :func:`_kid_events` already computed."""
    ev = _kid_events(cohort, family) if _events is None else _events
    return ev[(ev["event_type"] == event_type).to_numpy(dtype=bool, na_value=False)]


def assessments_after_older_sibling_plan(cohort: Cohort, family: FamilyTables, *,
                                         _events: pd.DataFrame | None = None) -> tuple[int, int]:
    """Assessments of younger children made on or after an older sibling's first CP plan start.

    Denominator: dated assessments of children who have an older sibling (earlier dob) in any
    of their sibling groups. Numerator: those starting on or after the earliest CP plan start
    of any older sibling. ``_events`` (private): the children's events (:func:`_kid_events`),
    selected once by :func:`findings`.

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "birth_order": [1, 2],
    ...                   "dob": pd.to_datetime(["2000-01-01", "2005-01-01"])})
    >>> ev = pd.DataFrame({"person_id": ["A", "B", "B"], "event_type": ["cp_plan", "assessment", "assessment"],
    ...                    "start_date": ["2004-01-01", "2003-12-31", "2006-01-01"]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B"]}), events=ev, audit_date="2018-07-31")
    >>> ft = FamilyTables(members=m, **{k: pd.DataFrame() for k in FamilyTables.SORT_KEYS if k != "members"})
    >>> assessments_after_older_sibling_plan(c, ft)
    (1, 2)
    """
    m = family.members
    plans = _group_events(cohort, family, "cp_plan", _events)
    first_plan = plans.groupby("person_id")["start_date"].min().rename("escalation_date")
    first_plan = first_plan.rename_axis("child_id").reset_index()
    older_plan = escalation.older_sibling_escalation(m, first_plan).rename("older_plan")
    group_min = m.groupby("parent_id")["dob"].transform("min")
    has_older = m.loc[m["dob"] > group_min, "child_id"].unique()
    ass = _group_events(cohort, family, "assessment", _events)
    ass = ass[isin(ass["person_id"], has_older) & ass["start_date"].notna()]
    # each assessment's older-sibling plan date by integer position (NaT: none, never "after")
    at = positions(ass["person_id"], older_plan.index)
    plan_date = older_plan.array.take(at, allow_fill=True).to_numpy().astype("datetime64[ns]")
    after = ass["start_date"].to_numpy() >= plan_date
    return int(after.sum()), int(len(ass))


def _case_review_yes(cohort: Cohort, family: FamilyTables, pattern: str) -> tuple[int, int]:
    cr = cohort.case_review
    cr = cr[isin(cr["person_id"], family.members["child_id"].unique())]
    # a few distinct question texts over many rows: test each text once
    cr = cr[_by_distinct(cr["question"], lambda q: q.fillna("").str.contains(pattern, case=False, regex=False))]
    ans = cr["answer"].fillna("").str.strip().str.lower()
    known = ans.isin(["yes", "y", "no", "n"])
    return int(ans[known].isin(["yes", "y"]).sum()), int(known.sum())


def findings(cohort: Cohort, family: FamilyTables, *, national: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per measure behind each briefing point (see :data:`BRIEFING_POINTS`).

    Columns :data:`FINDINGS_COLUMNS`: ``share`` is ``100 * numerator / denominator`` to one
    decimal (empty where the denominator is 0); ``national_share`` is the latest published
    national figure for the same measure (``data/reference``), empty where none exists.
    Child measures count each child once, whichever group it belongs to.
    """
    nat = national_figures() if national is None else national
    kids = _children_once(family)
    groups = family.sibling_groups
    n_kids, n_groups = len(kids), len(groups)
    rows: list[dict] = []

    def add(point, measure, description, num, den, national_measure=None, complement=False):
        row = {"point": point, "measure": measure, "label": LABELS[measure], "description": description,
               "numerator": int(num), "denominator": int(den), "share": _share(num, den),
               "national_share": float("nan"), "national_year": pd.NA, "national_source": ""}
        if national_measure is not None and (nat["measure"] == national_measure).any():
            ref = latest(nat, national_measure)
            value = float(ref["value"])
            row.update(national_share=round(100 - value, 1) if complement else value,
                       national_year=int(ref["year"]),
                       national_source=("100 minus " if complement else "") + f"{national_measure}: {ref['source']}")
        rows.append(row)

    # 1. Whole-family chronologies: was the older siblings' history in view?
    kid_events = _kid_events(cohort, family)
    num, den = assessments_after_older_sibling_plan(cohort, family, _events=kid_events)
    add(1, "younger_assessments_after_older_sibling_cp_plan",
        "Assessments of younger children made after an older sibling's child protection plan", num, den)
    num, den = _case_review_yes(cohort, family, "older sibling")
    add(1, "reviews_assessment_refers_to_older_siblings",
        "Audited assessments that refer to older siblings' history (case review: yes)", num, den)

    # 2. Large sibling groups with big age gaps.
    add(2, "children_adult_at_audit", "Children aged 18 or over at the audit date",
        int((kids["age_days"] >= 18 * 365.25).sum()), n_kids)
    add(2, "groups_with_half_siblings", "Sibling groups with children of two or more other birth parents",
        int((groups["n_other_parents"] >= 2).sum()), n_groups)

    # 3. Paper files, partners, recurrent themes.
    pre = int(kids["pre_ics_childhood"].sum())
    add(3, "children_pre_ics_childhood", "Children whose childhood began before the electronic case record",
        pre, n_kids)
    add(3, "pre_ics_children_without_paper_records",
        "Of those, children with no paper records yet (paper file to request)",
        family.paper_file_requests["child_id"].nunique(), pre)
    add(3, "groups_with_partner_changes", "Sibling groups where the parent had more than one partner",
        int((groups["n_partner_changes"] >= 1).sum()), n_groups)
    gr = family.group_recurrence
    theme_cols = [c for c in gr.columns if c.startswith("recurrent_") and gr[c].dtype == bool]
    add(3, "groups_with_recurrent_themes",
        "Sibling groups where a theme (domestic abuse, substance misuse, mental health, neglect) "
        "recurs across children of different fathers",
        int(gr[theme_cols].any(axis=1).sum()) if theme_cols else 0, len(gr))

    # 4. Contacts, early help, other authorities.
    add(4, "children_contact_series", "Children with a series of 3 contacts in 12 months and no referral",
        int(kids["contact_series"].sum()), n_kids)
    add(4, "children_early_help_not_engaged", "Children with early help declined or advice not taken up",
        int(kids["eh_not_engaged"].sum()), n_kids)
    add(4, "children_other_la_history", "Children with history in another local authority",
        int(kids["other_la"].sum()), n_kids)

    # 5. S47 enquiries.
    s47_judged = int(kids["n_s47_judged"].sum()) if "n_s47_judged" in kids else int(kids["n_s47"].sum())
    add(5, "s47_not_progressing_to_icpc", "Section 47 enquiries not progressing to an initial conference",
        int(kids["n_s47_no_icpc"].sum()), s47_judged, "icpc_per_s47_pct", complement=True)
    rep = kids[kids["n_s47"] >= 2]
    add(5, "children_repeated_s47", "Children with two or more section 47 enquiries",
        len(rep), n_kids)
    add(5, "rereferrals_12m", "Referrals within 12 months of the child's previous referral",
        int(kids["n_rereferrals_12m"].sum()), int(kids["n_referrals"].sum()), "rereferrals_12m_pct")

    # 6. Previous CP plans, sustained change, escalation and lead time.
    add(6, "repeat_cp_plans", "Child protection plans that are a second or subsequent plan",
        int(kids["n_repeat_cp_plans"].sum()), int(kids["n_cp_plans"].sum()), "repeat_cp_plans_pct")
    plans = _group_events(cohort, family, "cp_plan", kid_events)
    known = plans[plans["category"].notna()]  # paper-only plans carry no category
    add(6, "cp_plans_neglect", "Child protection plans with neglect as the initial category "
        "(plans with a recorded category)",
        int((known["category"] == "NEG").sum()), len(known), "neglect_initial_category_pct")
    pns = family.plans_not_sustained
    add(6, "cp_plans_not_sustained",
        "Ended plans followed by a new referral within 12 months or a new plan within 2 years (child or sibling)",
        int(pns["not_sustained"].sum()), len(pns))
    esc = kids[kids["escalated"] == 1]
    add(6, "escalated_with_lead_time",
        "Escalated children whose older siblings' history could have flagged them earlier",
        int(esc["lead_time_days"].notna().sum()), len(esc))
    add(6, "children_to_look_at_now", "Children with a family signal and no escalation yet (still under 18)",
        family.look_now["child_id"].nunique(), n_kids)

    # 7. IRO challenge.
    iro = cohort.iro_challenges
    challenged = isin(plans["event_id"], iro["cp_plan_id"].dropna())
    add(7, "cp_plans_with_iro_challenge", "Child protection plans in large sibling groups with an IRO challenge",
        int(challenged.sum()), len(plans))

    out = pd.DataFrame(rows, columns=list(FINDINGS_COLUMNS))
    out["national_year"] = out["national_year"].astype("Int64")
    return out
