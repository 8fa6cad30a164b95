"""The findings table: one row per measure behind each of the seven briefing points.

Each measure is a small function registered in :data:`MEASURES` with its briefing point, its
label and the national DfE figure it is compared with. A measure reads the run's analysis
tables (:class:`~neglect_analysis.pipeline.FamilyTables`) and the children's events selected
once for the run (:class:`~neglect_analysis.family.Family`), never ``cohort.events``, and
returns its numerator and denominator. :func:`findings` evaluates the registry. The briefing
pack and the closing notebook read the findings table; they never recompute a measure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np
import pandas as pd

from . import escalation, recurrence
from .cohort import Cohort
from .definitions import DEFAULTS, Definitions
from .ages import adult_at_audit
from .family import ChildEvents, Family
from .flags import this_authority
from .idsets import isin, positions
from .io.arrowtext import map_distinct
from .reference import collection_year, for_period, national_figures, period_label
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
    "reviews_assessment_refers_to_older_siblings": "Assessment used older siblings' history (audit)",
    "children_adult_at_audit": "Children now adults",
    "groups_with_large_age_gap": "Groups with a big age gap",
    "groups_with_half_siblings": "Groups with half-siblings",
    "children_pre_ics_childhood": "Childhood began before electronic record",
    "pre_ics_children_without_paper_records": "  of whom no paper records yet",
    "reviews_chronology_complete": "Chronology complete (audit)",
    "reviews_paper_file_requested": "Paper file requested where needed (audit)",
    "groups_with_partner_changes": "Groups with partner changes",
    "groups_with_recurrent_themes": "Groups with themes recurring across fathers",
    "groups_with_disguised_compliance": "Groups with disguised compliance challenged",
    "children_contact_series": "Children with a series of contacts",
    "children_early_help_declined": "Early help declined",
    "children_advice_not_taken_up": "Advice given, no early help followed",
    "children_other_la_history": "History in another authority",
    "reviews_other_la_history_sought": "Other authority's history sought (audit)",
    "younger_s47_after_older_sibling_cp_plan": "Younger child's S47 after older sibling's plan",
    "younger_s47_after_older_sibling_involvement": "Younger child's S47 after older sibling's involvement",
    "s47_not_progressing_to_icpc": "S47s not reaching a conference or plan",
    "children_repeated_s47": "Children with repeated S47s",
    "rereferrals_12m": "Re-referrals within 12 months",
    "reviews_previous_interventions_analysed": "Previous interventions analysed (audit)",
    "repeat_cp_plans": "Second or subsequent CP plans",
    "cp_plans_neglect": "CP plans for neglect",
    "cp_plans_not_sustained": "Plans whose changes were not sustained",
    "cp_plans_too_recent_to_judge": "Ended plans too recent to judge",
    "escalated_with_lead_time": "Escalations that could have been flagged 90+ days earlier",
    "escalated_with_short_lead_time": "  shorter lead times (usual S47 to plan interval)",
    "children_to_look_at_now": "Children to look at now",
    "cp_plans_with_iro_challenge": "CP plans with an IRO challenge",
    "iro_challenges_disguised_compliance": "IRO challenges about disguised compliance",
}

#: Findings columns.
FINDINGS_COLUMNS: tuple[str, ...] = (
    "point", "measure", "label", "description", "numerator", "denominator", "share",
    "national_share", "national_year", "national_source", "national_period", "summary",
    "authority_numerator", "authority_denominator", "authority_share",
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

    def events_of_type(self, event_type: str, *, own: bool = False) -> pd.DataFrame:
        """The children's events of ``event_type``, in the order of ``cohort.events``; with
        ``own``, this authority's only (:attr:`own`)."""
        ev = (self.own if own else self.family.children).events
        return ev[(ev["event_type"] == event_type).to_numpy(dtype=bool, na_value=False)]

    @cached_property
    def own(self) -> ChildEvents:
        """The children's events recorded by this authority (DESIGN.md "This authority's
        events", :func:`~neglect_analysis.flags.this_authority`): what DfE-comparable
        findings count."""
        kids = self.family.children
        return ChildEvents(kids.ids, kids.events[this_authority(kids.events)])

    @cached_property
    def own_recurrence(self) -> pd.DataFrame:
        """:func:`~neglect_analysis.recurrence.child_recurrence` over this authority's events."""
        return recurrence.child_recurrence(self.cohort, self.own, definitions=self.definitions)

    @cached_property
    def early_help(self) -> pd.DataFrame:
        """:func:`~neglect_analysis.recurrence.early_help_not_engaged` of the children."""
        return recurrence.early_help_not_engaged(self.family.children, definitions=self.definitions)

    @cached_property
    def has_older_sibling(self) -> np.ndarray:
        """Ids of the children with an older sibling (earlier dob) in any of their groups
        (:func:`neglect_analysis.siblings.older_sibling_pairs`, the one definition)."""
        return self.family.older_sibling_pairs["child_id"].unique()


def background_input(data: FindingsInput) -> FindingsInput | None:
    """The authority's own baseline: every person with an event in the extract who is not a
    child of the selected sibling groups, as a :class:`FindingsInput` for the DfE-comparable
    measures (those with a ``national`` figure read only the children's events; they need no
    sibling groups). None where the extract holds nobody else.

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": "M", "child_id": ["A"], "dob": pd.to_datetime(["2000-01-01"])})
    >>> ev = pd.DataFrame({"person_id": ["A", "Z"], "event_type": "referral", "start_date": ["2010-01-01", "2011-01-01"]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "Z"]}), events=ev, audit_date="2018-07-31")
    >>> ft = FamilyTables(members=m, **{k: pd.DataFrame() for k in FamilyTables.SORT_KEYS if k != "members"})
    >>> list(background_input(FindingsInput(c, ft)).family.children.ids)
    ['Z']
    """
    people = data.cohort.events["person_id"]
    codes = np.unique(people.cat.codes.to_numpy()) if isinstance(people.dtype, pd.CategoricalDtype) else None
    ids = (pd.Series(people.cat.categories.take(codes[codes >= 0]), dtype="string") if codes is not None
           else pd.Series(people.dropna().unique(), dtype="string"))
    ids = ids[~isin(ids, data.family.children.ids).to_numpy(dtype=bool)]
    if not len(ids):
        return None
    members = pd.DataFrame({"parent_id": pd.Series("", index=ids.index, dtype="string"),
                            "child_id": ids, "dob": pd.NaT})
    return FindingsInput(data.cohort, FamilyTables(members=members, **{
        k: pd.DataFrame() for k in FamilyTables.SORT_KEYS if k != "members"}), data.definitions)


def events_after_older_sibling(data: FindingsInput, event_type: str, older: str | None = "cp_plan"
                               ) -> tuple[int, int]:
    """Events of younger children made on or after an older sibling's first ``older`` event.

    Denominator: dated events of ``event_type`` of children who have an older sibling
    (earlier dob) in any of their sibling groups. Numerator: those starting on or after the
    earliest ``older`` event (``None``: any event, i.e. the first involvement) of any older
    sibling. Events of the older siblings count wherever they were recorded (history).

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "birth_order": [1, 2],
    ...                   "dob": pd.to_datetime(["2000-01-01", "2005-01-01"])})
    >>> ev = pd.DataFrame({"person_id": ["A", "A", "B", "B"], "event_type": ["contact", "cp_plan", "s47", "s47"],
    ...                    "start_date": ["2003-01-01", "2004-01-01", "2003-12-31", "2006-01-01"]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B"]}), events=ev, audit_date="2018-07-31")
    >>> ft = FamilyTables(members=m, **{k: pd.DataFrame() for k in FamilyTables.SORT_KEYS if k != "members"})
    >>> d = FindingsInput(c, ft)
    >>> events_after_older_sibling(d, "s47"), events_after_older_sibling(d, "s47", None)
    ((1, 2), (2, 2))
    """
    ev = data.family.children.events
    if older is not None:
        ev = ev[(ev["event_type"] == older).to_numpy(dtype=bool, na_value=False)]
    first = ev.groupby("person_id", observed=True)["start_date"].min().rename("escalation_date")
    first = first.rename_axis("child_id").reset_index()
    first["child_id"] = first["child_id"].astype("string")
    older_date = escalation.older_sibling_escalation(data.family, first).rename("older_date")
    target = data.events_of_type(event_type)
    target = target[isin(target["person_id"], data.has_older_sibling) & target["start_date"].notna()]
    # each event's older-sibling date by integer position (NaT: none, never "after")
    at = positions(target["person_id"], older_date.index)
    date = older_date.array.take(at, allow_fill=True).to_numpy().astype("datetime64[ns]")
    after = target["start_date"].to_numpy() >= date
    return int(after.sum()), int(len(target))


def assessments_after_older_sibling_plan(data: FindingsInput) -> tuple[int, int]:
    """Assessments of younger children made on or after an older sibling's first CP plan start
    (:func:`events_after_older_sibling` of ``assessment`` after ``cp_plan``).

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
    return events_after_older_sibling(data, "assessment", "cp_plan")


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
    comparison); ``complement``: the national figure is 100 minus that measure; ``summary``
    (optional) gives the ``summary`` text of the row (e.g. a median and range).
    """

    point: int
    name: str
    description: str
    compute: Callable[[FindingsInput], tuple[int, int]]
    national: str | None = None
    complement: bool = False
    summary: Callable[[FindingsInput], str] | None = None

    @property
    def label(self) -> str:
        return LABELS[self.name]


def _count(mask) -> int:
    if isinstance(mask, pd.Series):  # nullable: a missing value is not counted
        return int(mask.to_numpy(dtype=bool, na_value=False).sum())
    return int(np.asarray(mask, dtype=bool).sum())


def _adults(d: FindingsInput) -> tuple[int, int]:
    kids = d.children
    return _count(adult_at_audit(kids["dob"], d.cohort.audit_date, definitions=d.definitions)), len(kids)


def _groups_half_siblings(d: FindingsInput) -> tuple[int, int]:
    g = d.tables.sibling_groups
    return _count(g["n_other_parents"] >= 2), len(g)


def _groups_large_gap(d: FindingsInput) -> tuple[int, int]:
    g = d.tables.sibling_groups
    return _count(g["max_gap_years"] >= d.definitions.large_gap_years), len(g)


def _spread(values: pd.Series, unit: str) -> str:
    """``median X unit (range a to b)`` of the known values, or ``none known``."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    if not len(v):
        return "none known"
    return f"median {v.median():.1f} {unit} (range {v.min():.1f} to {v.max():.1f})"


def _gap_summary(d: FindingsInput) -> str:
    g = d.tables.sibling_groups
    return (f"age span {_spread(g['age_span_years'], 'years')}; largest gap "
            f"{_spread(g['max_gap_years'], 'years')}")


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


def _challenges(d: FindingsInput) -> pd.DataFrame:
    """IRO challenges about the groups' children, with ``disguised`` (theme names disguised
    compliance, ``Definitions.disguised_compliance_patterns``)."""
    ch = d.cohort.iro_challenges
    ch = ch[isin(ch["person_id"], d.tables.members["child_id"].unique())]
    pattern = "|".join(re.escape(p) for p in d.definitions.disguised_compliance_patterns)
    theme = ch["theme"] if "theme" in ch else pd.Series(pd.NA, index=ch.index, dtype="string")
    hit = map_distinct(theme.astype("string"), lambda t: t.fillna("").str.contains(pattern, case=False, regex=True))
    return ch.assign(disguised=hit.fillna(False).to_numpy(dtype=bool))


def _groups_disguised_compliance(d: FindingsInput) -> tuple[int, int]:
    ch = _challenges(d)
    who = ch.loc[ch["disguised"], "person_id"]
    m = d.tables.members
    return int(m.loc[isin(m["child_id"], who), "parent_id"].nunique()), int(m["parent_id"].nunique())


def _challenges_disguised(d: FindingsInput) -> tuple[int, int]:
    ch = _challenges(d)
    return _count(ch["disguised"]), len(ch)


def _theme_summary(d: FindingsInput) -> str:
    ch = _challenges(d)
    if not len(ch):
        return "no challenges"
    theme = ch["theme"].astype("string").fillna("not recorded") if "theme" in ch else \
        pd.Series("not recorded", index=ch.index)
    n = theme.value_counts()
    n = n.sort_index().sort_values(ascending=False, kind="stable")
    return "themes: " + "; ".join(f"{t} {k}" for t, k in n.items())


def _child_flag(column: str) -> Callable[[FindingsInput], tuple[int, int]]:
    def compute(d: FindingsInput) -> tuple[int, int]:
        return int(d.children[column].sum()), len(d.children)
    return compute


def _early_help(column: str) -> Callable[[FindingsInput], tuple[int, int]]:
    def compute(d: FindingsInput) -> tuple[int, int]:
        return int(d.early_help[column].sum()), len(d.early_help)
    return compute


def _s47_not_progressing(d: FindingsInput) -> tuple[int, int]:
    own = d.own_recurrence
    return int(own["n_s47_no_icpc"].sum()), int(own["n_s47_judged"].sum())


def _repeated_s47(d: FindingsInput) -> tuple[int, int]:
    return _count(d.children["n_s47"] >= 2), len(d.children)


def _own_ratio(num: str, den: str) -> Callable[[FindingsInput], tuple[int, int]]:
    def compute(d: FindingsInput) -> tuple[int, int]:
        return int(d.own_recurrence[num].sum()), int(d.own_recurrence[den].sum())
    return compute


def _plans_neglect(d: FindingsInput) -> tuple[int, int]:
    plans = d.events_of_type("cp_plan", own=True)
    known = plans[plans["category"].notna()]  # paper-only plans carry no category
    return _count(known["category"] == "NEG"), len(known)


def _mature(d: FindingsInput) -> np.ndarray:
    """Ended plans old enough to judge (DESIGN.md "Mature follow-up"): ended at least
    ``not_sustained_replan_days`` before the audit date."""
    pns = d.tables.plans_not_sustained
    end = pd.to_datetime(pns["end_date"]).to_numpy().astype("datetime64[ns]")
    limit = np.datetime64(d.cohort.audit_date, "ns") - np.timedelta64(d.definitions.not_sustained_replan_days, "D")
    return end <= limit


def _plans_not_sustained(d: FindingsInput) -> tuple[int, int]:
    mature = _mature(d)
    return _count(d.tables.plans_not_sustained["not_sustained"].to_numpy(dtype=bool) & mature), _count(mature)


def _plans_too_recent(d: FindingsInput) -> tuple[int, int]:
    mature = _mature(d)
    return _count(~mature), len(mature)


def _escalated_with_older(d: FindingsInput) -> pd.DataFrame:
    esc = d.children[d.children["escalated"] == 1]
    return esc[isin(esc["child_id"], d.has_older_sibling)]


def _escalated_with_lead_time(d: FindingsInput) -> tuple[int, int]:
    esc = _escalated_with_older(d)
    return _count(esc["lead_time_days"] >= d.definitions.min_lead_days), len(esc)


def _escalated_with_short_lead_time(d: FindingsInput) -> tuple[int, int]:
    esc = _escalated_with_older(d)
    return _count(esc["lead_time_days"] < d.definitions.min_lead_days), len(esc)


def _lead_summary(d: FindingsInput) -> str:
    esc = _escalated_with_older(d)
    lead = pd.to_numeric(esc["lead_time_days"], errors="coerce")
    return f"lead times {_spread(lead, 'days')}"


def _look_now(d: FindingsInput) -> tuple[int, int]:
    return d.tables.look_now["child_id"].nunique(), len(d.children)


def _plans_iro_challenge(d: FindingsInput) -> tuple[int, int]:
    plans = d.events_of_type("cp_plan")
    plans = plans[(plans["source"] == "ics").to_numpy(dtype=bool, na_value=False)]
    challenged = isin(plans["event_id"], d.cohort.iro_challenges["cp_plan_id"].dropna())
    return _count(challenged), len(plans)


#: Every finding, in briefing order: the registry :func:`findings` evaluates. Each description
#: names its base (children, groups, plans, S47s, assessments); DfE-comparable ones say that
#: they count this authority's events only.
MEASURES: tuple[Measure, ...] = (
    # 1. Whole-family chronologies: was the older siblings' history in view, and used?
    Measure(1, "younger_assessments_after_older_sibling_cp_plan",
            "Assessments of younger children made after an older sibling's child protection plan "
            "(base: assessments of children with an older sibling)",
            assessments_after_older_sibling_plan),
    Measure(1, "reviews_assessment_refers_to_older_siblings",
            "Audited assessments that used the older siblings' history (case review: yes; base: "
            "audited children answered yes or no)",
            lambda d: case_review_yes(d, "older sibling")),
    # 2. Large sibling groups with big age gaps.
    Measure(2, "children_adult_at_audit", "Children aged 18 or over at the audit date (base: children)",
            _adults),
    Measure(2, "groups_with_large_age_gap",
            "Sibling groups whose largest gap between consecutive children is 5 years or more "
            "(large_gap_years; base: groups)", _groups_large_gap, summary=_gap_summary),
    Measure(2, "groups_with_half_siblings",
            "Sibling groups with children of two or more other birth parents (base: groups)",
            _groups_half_siblings),
    # 3. Paper files, partners, recurrent themes.
    Measure(3, "children_pre_ics_childhood",
            "Children whose childhood began before the electronic case record (base: children)", _pre_ics),
    Measure(3, "pre_ics_children_without_paper_records",
            "Of those, children with no paper records yet (paper file to request; base: children "
            "born before the electronic record)", _pre_ics_without_paper),
    Measure(3, "reviews_chronology_complete",
            "Audited children whose chronology was complete (case review: yes; base: audited "
            "children answered yes or no)", lambda d: case_review_yes(d, "chronology complete")),
    Measure(3, "reviews_paper_file_requested",
            "Paper files requested where one was needed (case review: yes; base: audited children "
            "with a paper file to request)", lambda d: case_review_yes(d, "paper file requested")),
    Measure(3, "groups_with_partner_changes",
            "Sibling groups where the parent had more than one partner (base: groups)", _groups_partner_changes),
    Measure(3, "groups_with_recurrent_themes",
            "Sibling groups where a theme (domestic abuse, substance misuse, mental health, neglect) "
            "recurs across children of different fathers (base: groups)", _groups_recurrent_themes),
    Measure(3, "groups_with_disguised_compliance",
            "Sibling groups with an IRO challenge about disguised compliance (base: groups)",
            _groups_disguised_compliance),
    # 4. Contacts, early help, other authorities.
    Measure(4, "children_contact_series",
            "Children with a series of 3 contacts in 12 months and no referral (base: children)",
            _child_flag("contact_series")),
    Measure(4, "children_early_help_declined",
            "Children with an early-help episode ended as declined or not engaged (base: children)",
            _early_help("eh_declined")),
    Measure(4, "children_advice_not_taken_up",
            "Children given advice at a contact with no early help within 90 days (base: children)",
            _early_help("advice_not_taken_up")),
    Measure(4, "children_other_la_history",
            "Children with history in another local authority (base: children)", _child_flag("other_la")),
    Measure(4, "reviews_other_la_history_sought",
            "Other authority's history sought (case review: yes; base: audited children with "
            "other-authority history answered yes or no)", lambda d: case_review_yes(d, "other authority")),
    # 5. S47 enquiries and older siblings' history.
    Measure(5, "younger_s47_after_older_sibling_cp_plan",
            "S47 enquiries of younger children made after an older sibling's child protection plan "
            "(base: S47s of children with an older sibling)",
            lambda d: events_after_older_sibling(d, "s47", "cp_plan")),
    Measure(5, "younger_s47_after_older_sibling_involvement",
            "S47 enquiries of younger children made after any older sibling's first involvement "
            "(base: S47s of children with an older sibling)",
            lambda d: events_after_older_sibling(d, "s47", None)),
    Measure(5, "s47_not_progressing_to_icpc",
            "S47 enquiries of this authority with no conference and no CP plan within 60 days "
            "(base: this authority's S47s at least 60 days old)",
            _s47_not_progressing, national="icpc_per_s47_pct", complement=True),
    Measure(5, "children_repeated_s47", "Children with two or more section 47 enquiries (base: children)",
            _repeated_s47),
    Measure(5, "rereferrals_12m",
            "Referrals within 12 months of the child's previous referral (base: this authority's "
            "referrals; other authorities' records left out)",
            _own_ratio("n_rereferrals_12m", "n_referrals"), national="rereferrals_12m_pct"),
    Measure(5, "reviews_previous_interventions_analysed",
            "Audited assessments that analysed the effectiveness of previous interventions (case "
            "review: yes; base: audited children answered yes or no)",
            lambda d: case_review_yes(d, "previous interventions")),
    # 6. Previous CP plans, sustained change, escalation and lead time.
    Measure(6, "repeat_cp_plans",
            "Child protection plans that are a second or subsequent plan in this authority (base: "
            "this authority's plans)",
            _own_ratio("n_repeat_cp_plans", "n_cp_plans"), national="repeat_cp_plans_pct"),
    Measure(6, "cp_plans_neglect",
            "Child protection plans started with neglect as the initial category (base: this "
            "authority's plans with a recorded category)", _plans_neglect,
            national="neglect_initial_category_pct"),
    Measure(6, "cp_plans_not_sustained",
            "Ended plans followed by a new referral within 12 months or a new plan within 2 years "
            "(child or sibling; base: plans ended at least 2 years before the audit)",
            _plans_not_sustained),
    Measure(6, "cp_plans_too_recent_to_judge",
            "Ended plans with less than 2 years of follow-up: too recent to judge (base: ended plans)",
            _plans_too_recent),
    Measure(6, "escalated_with_lead_time",
            "Escalated children whose older siblings' history could have flagged them 90 days or "
            "more earlier (base: escalated children with an older sibling)",
            _escalated_with_lead_time, summary=_lead_summary),
    Measure(6, "escalated_with_short_lead_time",
            "Escalated children with a lead time under 90 days: the usual referral, S47, "
            "conference interval (base: escalated children with an older sibling)",
            _escalated_with_short_lead_time),
    Measure(6, "children_to_look_at_now",
            "Children with a family signal and no escalation yet, still under 18 (base: children)", _look_now),
    # 7. IRO challenge.
    Measure(7, "cp_plans_with_iro_challenge",
            "CP plans on the electronic record with an IRO challenge (base: CP plans in the "
            "extract; paper plans have no challenge log)", _plans_iro_challenge),
    Measure(7, "iro_challenges_disguised_compliance",
            "IRO challenges about disguised compliance (base: IRO challenges about the children)",
            _challenges_disguised, summary=_theme_summary),
)


def findings(cohort: Cohort, family: FamilyTables, *, national: pd.DataFrame | None = None,
             definitions: Definitions = DEFAULTS, measures: tuple[Measure, ...] = MEASURES) -> pd.DataFrame:
    """One row per measure behind each briefing point (see :data:`BRIEFING_POINTS`).

    Evaluates the registry ``measures`` (default :data:`MEASURES`). Columns
    :data:`FINDINGS_COLUMNS`: ``share`` is ``100 * numerator / denominator`` to one decimal
    (empty where the denominator is 0); ``national_share`` is the published national figure
    of the same kind of count for the DfE collection year nearest the audit date
    (:func:`~neglect_analysis.reference.collection_year`; the nearest published year where that
    one is not published), empty where none exists; ``national_period`` names that year
    (``2017-18``) and ``national_source`` its unit, publication and table. ``summary``: a
    measure's median and range, or its themes, where it has them. ``authority_numerator``,
    ``authority_denominator``, ``authority_share``: the same DfE-comparable measure for every
    other person with an event in the extract (:func:`background_input`: the authority's own
    baseline), empty where the extract holds nobody else or the measure has no national figure. Child measures
    count each child once, whichever group it belongs to.
    """
    nat = national_figures() if national is None else national
    data = FindingsInput(cohort, family, definitions)
    background = background_input(data)
    year = collection_year(cohort.audit_date)
    rows: list[dict] = []
    for m in measures:
        num, den = m.compute(data)
        row = {"point": m.point, "measure": m.name, "label": m.label, "description": m.description,
               "numerator": int(num), "denominator": int(den), "share": _share(num, den),
               "national_share": float("nan"), "national_year": pd.NA, "national_source": "",
               "national_period": "", "summary": m.summary(data) if m.summary is not None else "",
               "authority_numerator": pd.NA, "authority_denominator": pd.NA,
               "authority_share": float("nan")}
        if m.national is not None and background is not None:
            # the authority's own baseline: the same DfE-comparable measure for everyone else
            b_num, b_den = m.compute(background)
            row.update(authority_numerator=int(b_num), authority_denominator=int(b_den),
                       authority_share=_share(b_num, b_den))
        if m.national is not None and (nat["measure"] == m.national).any():
            ref = for_period(nat, m.national, year)
            value = float(ref["value"])
            row.update(national_share=round(100 - value, 1) if m.complement else value,
                       national_year=int(ref["year"]),
                       national_source=("100 minus " if m.complement else "")
                       + f"{m.national} ({ref['unit']}): {ref['source']}",
                       national_period=period_label(int(ref["year"])))
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(FINDINGS_COLUMNS))
    for c in ("national_year", "authority_numerator", "authority_denominator"):
        out[c] = out[c].astype("Int64")
    return out
