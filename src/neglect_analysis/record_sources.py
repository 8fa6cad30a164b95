"""Where each family's history is recorded: electronic record or paper, before the ICS.

Per child and per family (DESIGN.md "Involvement", "Pre-ICS history"; briefing points 1, 3
and 6), each a pure function of a :class:`~neglect_analysis.cohort.Cohort` and the
sibling-group ``members`` table (:func:`neglect_analysis.siblings.members`), and the fixed
rule that picks example families for the chronology notebook.
"""
from __future__ import annotations

import pandas as pd

from .ages import adult_at_audit
from .cohort import Cohort
from .definitions import DEFAULTS, Definitions
from .family import events_of


def child_record_sources(cohort: Cohort, members: pd.DataFrame, *,
                         definitions: Definitions = DEFAULTS) -> pd.DataFrame:
    """Per child and index parent: how many involvements, how many only on paper, how many pre-ICS.

    Implements DESIGN.md "Involvement" (every event of the child, extract or paper, pre-birth
    ones included), "Pre-ICS history" (dated before ``cohort.ics_start_date``) and "Age at
    audit" (adult: :func:`neglect_analysis.ages.adult_at_audit`, the ``adult_age_years``-th
    birthday of ``definitions``, a calendar date, on or before the audit date).

    Returns
    -------
    DataFrame
        ``parent_id``, ``child_id``, ``birth_order``, ``adult_at_audit`` (bool), ``n_events``,
        ``n_events_paper`` (``source == "paper"``), ``n_events_pre_ics`` (start date before the
        ICS start; undated events are not counted), all int64. One row per row of ``members``
        (a child in two groups has two rows), sorted by parent and birth order.

    Examples
    --------
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1990-01-01", "2010-01-01"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> ev = pd.DataFrame({"person_id": ["A", "A", "B"], "event_type": ["paper", "referral", "contact"],
    ...                    "start_date": ["1995-01-01", "2012-01-01", "2012-02-01"],
    ...                    "source": ["paper", "ics", "ics"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=ev, audit_date="2018-07-31")
    >>> child_record_sources(c, members(c, ["M"])).drop(columns="parent_id").values.tolist()
    [['A', 1, True, 2, 1, 1], ['B', 2, False, 1, 0, 0]]
    """
    m = members[["parent_id", "child_id", "birth_order", "dob"]].drop_duplicates(["parent_id", "child_id"])
    ev = events_of(cohort, m["child_id"].unique())
    per = pd.DataFrame({
        "n_events": ev.groupby("person_id").size(),
        "n_events_paper": (ev["source"] == "paper").groupby(ev["person_id"]).sum(),
        "n_events_pre_ics": (ev["start_date"] < cohort.ics_start_date).groupby(ev["person_id"]).sum(),
    })
    out = m.merge(per, left_on="child_id", right_index=True, how="left")
    for col in ("n_events", "n_events_paper", "n_events_pre_ics"):
        out[col] = out[col].fillna(0).astype("int64")
    out["adult_at_audit"] = adult_at_audit(out["dob"], cohort.audit_date, definitions=definitions).to_numpy()
    out = out.sort_values(["parent_id", "birth_order", "child_id"], kind="stable").reset_index(drop=True)
    return out[["parent_id", "child_id", "birth_order", "adult_at_audit", "n_events", "n_events_paper",
                "n_events_pre_ics"]]


def family_record_sources(cohort: Cohort, members: pd.DataFrame, *,
                          definitions: Definitions = DEFAULTS) -> pd.DataFrame:
    """Per index parent: the family's involvements, how many on paper, pre-ICS, of adult children.

    Sums :func:`child_record_sources` over each sibling group (same definitions).

    Returns
    -------
    DataFrame
        ``parent_id``, ``n_children``, ``n_adult_children``, ``n_events``, ``n_events_paper``,
        ``n_events_pre_ics``, ``n_events_adult_children`` (involvements of the children adult
        at the audit date), all int64; sorted by parent.

    Examples
    --------
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1990-01-01", "2010-01-01"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> ev = pd.DataFrame({"person_id": ["A", "A", "B"], "event_type": ["paper", "referral", "contact"],
    ...                    "start_date": ["1995-01-01", "2012-01-01", "2012-02-01"],
    ...                    "source": ["paper", "ics", "ics"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=ev, audit_date="2018-07-31")
    >>> family_record_sources(c, members(c, ["M"])).values.tolist()
    [['M', 2, 1, 3, 1, 1, 2]]
    """
    per = child_record_sources(cohort, members, definitions=definitions)
    per = per.assign(adult_events=per["n_events"].where(per["adult_at_audit"], 0))
    out = per.groupby("parent_id", sort=True).agg(
        n_children=("child_id", "size"),
        n_adult_children=("adult_at_audit", "sum"),
        n_events=("n_events", "sum"),
        n_events_paper=("n_events_paper", "sum"),
        n_events_pre_ics=("n_events_pre_ics", "sum"),
        n_events_adult_children=("adult_events", "sum"),
    )
    return out.astype("int64").reset_index()


def example_families(sibling_groups: pd.DataFrame, sources: pd.DataFrame, *, n: int = 2) -> list[str]:
    """Index parents to show as example chronologies, chosen by a fixed rule (deterministic).

    The first is the family with the most escalated children (``n_children_escalated`` of
    :func:`neglect_analysis.siblings.sibling_groups`; ties: widest age span, then id); each
    next one, among those not yet chosen, the family with the most paper-recorded involvements
    (``n_events_paper`` of :func:`family_record_sources`; ties: most involvements, then id).

    Examples
    --------
    >>> g = pd.DataFrame({"parent_id": ["M1", "M2", "M3"], "n_children_escalated": [2, 3, 0],
    ...                   "age_span_years": [12.0, 11.0, 10.0]})
    >>> s = pd.DataFrame({"parent_id": ["M1", "M2", "M3"], "n_events_paper": [4, 9, 4], "n_events": [10, 30, 20]})
    >>> example_families(g, s, n=3)
    ['M2', 'M3', 'M1']
    """
    first = sibling_groups.sort_values(["n_children_escalated", "age_span_years", "parent_id"],
                                       ascending=[False, False, True], kind="stable")
    chosen = list(first["parent_id"].astype(str).head(1))
    rest = sources[~sources["parent_id"].astype(str).isin(chosen)].sort_values(
        ["n_events_paper", "n_events", "parent_id"], ascending=[False, False, True], kind="stable")
    return (chosen + list(rest["parent_id"].astype(str)))[:n]


def involvement_by_source(chron: pd.DataFrame) -> pd.DataFrame:
    """A family chronology's involvements (births and partner rows left out) by event type
    and source (``ics`` / ``paper``): :func:`pandas.crosstab` counts.

    Examples
    --------
    >>> chron = pd.DataFrame({"event_type": ["birth", "referral", "referral", "cp_plan"],
    ...                       "source": ["ics", "ics", "paper", "paper"]})
    >>> involvement_by_source(chron).to_dict()
    {'ics': {'cp_plan': 0, 'referral': 1}, 'paper': {'cp_plan': 1, 'referral': 1}}
    """
    from .codes import CHRONOLOGY_ROW_TYPES

    events = chron[~chron["event_type"].isin(CHRONOLOGY_ROW_TYPES)]
    return pd.crosstab(events["event_type"], events["source"])


def children_overview(children: pd.DataFrame, parent_id: str) -> pd.DataFrame:
    """One index parent's children from ``children.csv``, in birth order, with plain headers:
    child, order, age in years (1 decimal), contacts, referrals, S47, CP plans, escalation and
    lead time (``-`` where none).

    Examples
    --------
    >>> ch = pd.DataFrame({"parent_id": ["M", "M"], "child_id": ["A", "B"], "birth_order": [1, 2],
    ...                    "age_days": [3653, 731], "n_contacts": [3, 0], "n_referrals": [2, 0],
    ...                    "n_s47": [1, 0], "n_cp_plans": [1, 0], "escalation_type": ["cp_plan", None],
    ...                    "lead_time_days": pd.array([None, None], dtype="Int64")})
    >>> children_overview(ch, "M")[["child", "age (years)", "escalation"]].values.tolist()
    [['A', 10.0, 'cp_plan'], ['B', 2.0, '-']]
    """
    from .definitions import DAYS_PER_YEAR

    c = children[children["parent_id"] == parent_id]
    return pd.DataFrame({
        "child": c["child_id"], "order": c["birth_order"],
        "age (years)": (c["age_days"] / DAYS_PER_YEAR).round(1),
        "contacts": c["n_contacts"], "referrals": c["n_referrals"], "S47": c["n_s47"],
        "CP plans": c["n_cp_plans"], "escalation": c["escalation_type"].fillna("-"),
        "lead time (days)": c["lead_time_days"].astype("string").fillna("-"),
    })
