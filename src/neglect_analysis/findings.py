"""The findings table: one row per measure behind each of the seven briefing points.

Each measure is a small function registered in :data:`MEASURES` with its briefing point, its
label and the national DfE figure it is compared with. A measure reads the run's analysis
tables (:class:`~neglect_analysis.pipeline.FamilyTables`) and the children's events selected
once for the run (:class:`~neglect_analysis.family.Family`), never ``cohort.events``, and
returns its numerator and denominator. :func:`findings` evaluates the registry. The briefing
pack and the closing notebook read the findings table; they never recompute a measure.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np
import pandas as pd

from . import escalation
from .cohort import Cohort
from .definitions import DEFAULTS, Definitions
from .ages import adult_at_audit
from .family import Family
from .siblings import older_sibling_pairs
from .idsets import isin, positions
from .io.arrowtext import map_distinct
from .reference import latest, national_figures
from .pipeline import FamilyTables

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


class FindingsInput:
    """What every measure reads: the run's tables and its children's events, made once.

    Attributes
    ----------
    cohort : Cohort
    tables : FamilyTables
    family : Family
        The sibling groups of ``tables.members``; ``family.children.events`` are the
        children's events, selected once for every measure.
    definitions : Definitions
    """

    def __init__(self, cohort: Cohort, tables: FamilyTables, definitions: Definitions = DEFAULTS):
        self.cohort = cohort
        self.tables = tables
        self.definitions = definitions
        self.family = Family(cohort, tables.members, definitions)

    @cached_property
    def children(self) -> pd.DataFrame:
        """``children.csv`` with one row per child (a child with two index parents once)."""
        return self.tables.children.drop_duplicates("child_id")

    def events_of_type(self, event_type: str) -> pd.DataFrame:
        """The children's events of ``event_type``, in the order of ``cohort.events``."""
        ev = self.family.children.events
        return ev[(ev["event_type"] == event_type).to_numpy(dtype=bool, na_value=False)]


def assessments_after_older_sibling_plan(data: FindingsInput) -> tuple[int, int]:
    """Assessments of younger children made on or after an older sibling's first CP plan start.

    Denominator: dated assessments of children who have an older sibling (earlier dob) in any
    of their sibling groups. Numerator: those starting on or after the earliest CP plan start
    of any older sibling.

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "birth_order": [1, 2],
    ...                   "dob": pd.to_datetime(["2000-01-01", "2005-01-01"])})
    >>> ev = pd.DataFrame({"person_id": ["A", "B", "B"], "event_type": ["cp_plan", "assessment", "assessment"],
    ...                    "start_date": ["2004-01-01", "2003-12-31", "2006-01-01"]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B"]}), events=ev, audit_date="2018-07-31")
    >>> ft = FamilyTables(members=m, **{k: pd.DataFrame() for k in FamilyTables.SORT_KEYS if k != "members"})
    >>> assessments_after_older_sibling_plan(FindingsInput(c, ft))
    (1, 2)
    """
    m = data.family.members
    plans = data.events_of_type("cp_plan")
    first_plan = plans.groupby("person_id")["start_date"].min().rename("escalation_date")
    first_plan = first_plan.rename_axis("child_id").reset_index()
    older_plan = escalation.older_sibling_escalation(m, first_plan).rename("older_plan")
    has_older = older_sibling_pairs(m)["child_id"].unique()
    ass = data.events_of_type("assessment")
    ass = ass[isin(ass["person_id"], has_older) & ass["start_date"].notna()]
    # each assessment's older-sibling plan date by integer position (NaT: none, never "after")
    at = positions(ass["person_id"], older_plan.index)
    plan_date = older_plan.array.take(at, allow_fill=True).to_numpy().astype("datetime64[ns]")
    after = ass["start_date"].to_numpy() >= plan_date
    return int(after.sum()), int(len(ass))


def case_review_yes(data: FindingsInput, pattern: str) -> tuple[int, int]:
    """Case-review answers about the groups' children to questions containing ``pattern``
    (case-insensitive): ``(yes, yes or no)``; other answers are not counted.

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "dob": pd.to_datetime(["2000-01-01", "2005-01-01"])})
    >>> cr = pd.DataFrame({"person_id": ["A", "B", "B", "Z"], "question": ["Refers to older siblings?"] * 4,
    ...                    "answer": ["Yes", "no", "unclear", "yes"]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B", "Z"]}), case_review=cr, audit_date="2018-07-31")
    >>> ft = FamilyTables(members=m, **{k: pd.DataFrame() for k in FamilyTables.SORT_KEYS if k != "members"})
    >>> case_review_yes(FindingsInput(c, ft), "older sibling")
    (1, 2)
    """
    cr = data.cohort.case_review
    cr = cr[isin(cr["person_id"], data.tables.members["child_id"].unique())]
    # a few distinct question texts over many rows: test each text once
    asks = map_distinct(cr["question"], lambda q: q.fillna("").str.contains(pattern, case=False, regex=False))
    cr = cr[asks.fillna(False).to_numpy(dtype=bool)]
    ans = cr["answer"].fillna("").str.strip().str.lower()
    known = ans.isin(["yes", "y", "no", "n"])
    return int(ans[known].isin(["yes", "y"]).sum()), int(known.sum())


# ----------------------------------------------------------------------------- measures
@dataclass(frozen=True)
class Measure:
    """One finding: its briefing point, name, words and how it is computed.

    ``compute(data)`` returns ``(numerator, denominator)``. ``national`` names the measure
    of :func:`neglect_analysis.reference.national_figures` it is compared with (None: no
    comparison); ``complement``: the national figure is 100 minus that measure.
    """

    point: int
    name: str
    description: str
    compute: Callable[[FindingsInput], tuple[int, int]]
    national: str | None = None
    complement: bool = False

    @property
    def label(self) -> str:
        return LABELS[self.name]


def _count(mask) -> int:
    return int(np.asarray(mask, dtype=bool).sum())


def _adults(d: FindingsInput) -> tuple[int, int]:
    kids = d.children
    return _count(adult_at_audit(kids["dob"], d.cohort.audit_date, definitions=d.definitions)), len(kids)


def _groups_half_siblings(d: FindingsInput) -> tuple[int, int]:
    g = d.tables.sibling_groups
    return _count(g["n_other_parents"] >= 2), len(g)


def _pre_ics(d: FindingsInput) -> tuple[int, int]:
    return int(d.children["pre_ics_childhood"].sum()), len(d.children)


def _pre_ics_without_paper(d: FindingsInput) -> tuple[int, int]:
    return d.tables.paper_file_requests["child_id"].nunique(), int(d.children["pre_ics_childhood"].sum())


def _groups_partner_changes(d: FindingsInput) -> tuple[int, int]:
    g = d.tables.sibling_groups
    return _count(g["n_partner_changes"] >= 1), len(g)


def _groups_recurrent_themes(d: FindingsInput) -> tuple[int, int]:
    gr = d.tables.group_recurrence
    theme_cols = [c for c in gr.columns if c.startswith("recurrent_") and gr[c].dtype == bool]
    return (_count(gr[theme_cols].any(axis=1)) if theme_cols else 0), len(gr)


def _child_flag(column: str) -> Callable[[FindingsInput], tuple[int, int]]:
    def compute(d: FindingsInput) -> tuple[int, int]:
        return int(d.children[column].sum()), len(d.children)
    return compute


def _s47_not_progressing(d: FindingsInput) -> tuple[int, int]:
    kids = d.children
    judged = int(kids["n_s47_judged"].sum()) if "n_s47_judged" in kids else int(kids["n_s47"].sum())
    return int(kids["n_s47_no_icpc"].sum()), judged


def _repeated_s47(d: FindingsInput) -> tuple[int, int]:
    return _count(d.children["n_s47"] >= 2), len(d.children)


def _ratio(num: str, den: str) -> Callable[[FindingsInput], tuple[int, int]]:
    def compute(d: FindingsInput) -> tuple[int, int]:
        return int(d.children[num].sum()), int(d.children[den].sum())
    return compute


def _plans_neglect(d: FindingsInput) -> tuple[int, int]:
    plans = d.events_of_type("cp_plan")
    known = plans[plans["category"].notna()]  # paper-only plans carry no category
    return _count(known["category"] == "NEG"), len(known)


def _plans_not_sustained(d: FindingsInput) -> tuple[int, int]:
    pns = d.tables.plans_not_sustained
    return int(pns["not_sustained"].sum()), len(pns)


def _escalated_with_lead_time(d: FindingsInput) -> tuple[int, int]:
    esc = d.children[d.children["escalated"] == 1]
    return int(esc["lead_time_days"].notna().sum()), len(esc)


def _look_now(d: FindingsInput) -> tuple[int, int]:
    return d.tables.look_now["child_id"].nunique(), len(d.children)


def _plans_iro_challenge(d: FindingsInput) -> tuple[int, int]:
    plans = d.events_of_type("cp_plan")
    challenged = isin(plans["event_id"], d.cohort.iro_challenges["cp_plan_id"].dropna())
    return _count(challenged), len(plans)


#: Every finding, in briefing order: the registry :func:`findings` evaluates.
MEASURES: tuple[Measure, ...] = (
    # 1. Whole-family chronologies: was the older siblings' history in view?
    Measure(1, "younger_assessments_after_older_sibling_cp_plan",
            "Assessments of younger children made after an older sibling's child protection plan",
            assessments_after_older_sibling_plan),
    Measure(1, "reviews_assessment_refers_to_older_siblings",
            "Audited assessments that refer to older siblings' history (case review: yes)",
            lambda d: case_review_yes(d, "older sibling")),
    # 2. Large sibling groups with big age gaps.
    Measure(2, "children_adult_at_audit", "Children aged 18 or over at the audit date", _adults),
    Measure(2, "groups_with_half_siblings", "Sibling groups with children of two or more other birth parents",
            _groups_half_siblings),
    # 3. Paper files, partners, recurrent themes.
    Measure(3, "children_pre_ics_childhood", "Children whose childhood began before the electronic case record",
            _pre_ics),
    Measure(3, "pre_ics_children_without_paper_records",
            "Of those, children with no paper records yet (paper file to request)", _pre_ics_without_paper),
    Measure(3, "groups_with_partner_changes", "Sibling groups where the parent had more than one partner",
            _groups_partner_changes),
    Measure(3, "groups_with_recurrent_themes",
            "Sibling groups where a theme (domestic abuse, substance misuse, mental health, neglect) "
            "recurs across children of different fathers", _groups_recurrent_themes),
    # 4. Contacts, early help, other authorities.
    Measure(4, "children_contact_series", "Children with a series of 3 contacts in 12 months and no referral",
            _child_flag("contact_series")),
    Measure(4, "children_early_help_not_engaged", "Children with early help declined or advice not taken up",
            _child_flag("eh_not_engaged")),
    Measure(4, "children_other_la_history", "Children with history in another local authority",
            _child_flag("other_la")),
    # 5. S47 enquiries.
    Measure(5, "s47_not_progressing_to_icpc", "Section 47 enquiries not progressing to an initial conference",
            _s47_not_progressing, national="icpc_per_s47_pct", complement=True),
    Measure(5, "children_repeated_s47", "Children with two or more section 47 enquiries", _repeated_s47),
    Measure(5, "rereferrals_12m", "Referrals within 12 months of the child's previous referral",
            _ratio("n_rereferrals_12m", "n_referrals"), national="rereferrals_12m_pct"),
    # 6. Previous CP plans, sustained change, escalation and lead time.
    Measure(6, "repeat_cp_plans", "Child protection plans that are a second or subsequent plan",
            _ratio("n_repeat_cp_plans", "n_cp_plans"), national="repeat_cp_plans_pct"),
    Measure(6, "cp_plans_neglect", "Child protection plans with neglect as the initial category "
            "(plans with a recorded category)", _plans_neglect, national="neglect_initial_category_pct"),
    Measure(6, "cp_plans_not_sustained",
            "Ended plans followed by a new referral within 12 months or a new plan within 2 years (child or sibling)",
            _plans_not_sustained),
    Measure(6, "escalated_with_lead_time",
            "Escalated children whose older siblings' history could have flagged them earlier",
            _escalated_with_lead_time),
    Measure(6, "children_to_look_at_now", "Children with a family signal and no escalation yet (still under 18)",
            _look_now),
    # 7. IRO challenge.
    Measure(7, "cp_plans_with_iro_challenge", "Child protection plans in large sibling groups with an IRO challenge",
            _plans_iro_challenge),
)


def findings(cohort: Cohort, family: FamilyTables, *, national: pd.DataFrame | None = None,
             definitions: Definitions = DEFAULTS, measures: tuple[Measure, ...] = MEASURES) -> pd.DataFrame:
    """One row per measure behind each briefing point (see :data:`BRIEFING_POINTS`).

    Evaluates the registry ``measures`` (default :data:`MEASURES`). Columns
    :data:`FINDINGS_COLUMNS`: ``share`` is ``100 * numerator / denominator`` to one decimal
    (empty where the denominator is 0); ``national_share`` is the latest published national
    figure for the same measure (``data/reference``), empty where none exists. Child measures
    count each child once, whichever group it belongs to.
    """
    nat = national_figures() if national is None else national
    data = FindingsInput(cohort, family, definitions)
    rows: list[dict] = []
    for m in measures:
        num, den = m.compute(data)
        row = {"point": m.point, "measure": m.name, "label": m.label, "description": m.description,
               "numerator": int(num), "denominator": int(den), "share": _share(num, den),
               "national_share": float("nan"), "national_year": pd.NA, "national_source": ""}
        if m.national is not None and (nat["measure"] == m.national).any():
            ref = latest(nat, m.national)
            value = float(ref["value"])
            row.update(national_share=round(100 - value, 1) if m.complement else value,
                       national_year=int(ref["year"]),
                       national_source=("100 minus " if m.complement else "") + f"{m.national}: {ref['source']}")
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(FINDINGS_COLUMNS))
    out["national_year"] = out["national_year"].astype("Int64")
    return out
