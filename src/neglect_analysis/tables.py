"""The analyst tables of the report, assembled from the analysis modules.

One function, :func:`build_tables`, runs every analysis on a Cohort and returns the row-level
tables that ``report`` writes under ``analyst/``. Notebooks, the report and partitioned runs all
call it, so a table is computed one way only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from . import escalation, recurrence, siblings
from .chronology import child_flags
from .cohort import Cohort

#: Column contract of ``children.csv`` (DESIGN.md "Outputs"); more columns may follow.
CHILDREN_COLUMNS: tuple[str, ...] = (
    "child_id", "parent_id", "birth_order", "dob", "age_days",
    "n_contacts", "n_referrals", "n_rereferrals_12m", "n_s47", "n_s47_no_icpc",
    "n_cp_plans", "n_repeat_cp_plans", "n_repeat_cp_plans_2y", "contact_series",
    "eh_not_engaged", "first_involvement_date", "escalation_date", "escalation_type",
    "escalated", "days_to_escalation", "family_signal_date", "lead_time_days",
    "other_la", "pre_ics_childhood",
)

#: Column contract of ``sibling_groups.csv``.
SIBLING_GROUP_COLUMNS: tuple[str, ...] = (
    "parent_id", "n_children", "youngest_age_days", "eldest_age_days", "age_span_years",
    "max_gap_years", "median_gap_years", "n_other_parents", "n_partner_changes",
    "n_children_escalated", "link_source",
)

#: Column contract of ``km_time_to_escalation.csv``.
KM_COLUMNS: tuple[str, ...] = (
    "group", "days", "survival", "ci_lower", "ci_upper", "at_risk", "events",
)


@dataclass
class AnalysisParams:
    """Every threshold of the analysis, with the DESIGN.md defaults."""

    index_parents: Iterable[str] | None = None
    min_children: int = siblings.MIN_CHILDREN
    min_span_years: float = siblings.MIN_SPAN_YEARS


@dataclass
class AnalystTables:
    """The row-level tables of one run (``analyst/``)."""

    members: pd.DataFrame
    children: pd.DataFrame
    sibling_groups: pd.DataFrame
    group_recurrence: pd.DataFrame
    km: pd.DataFrame
    logrank: pd.DataFrame
    plans_not_sustained: pd.DataFrame
    paper_file_requests: pd.DataFrame
    background_requests: pd.DataFrame
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    def csv_tables(self) -> dict[str, pd.DataFrame]:
        """File name (without ``.csv``) -> table, in the order they are written."""
        out = {
            "sibling_groups": self.sibling_groups,
            "children": self.children,
            "km_time_to_escalation": self.km,
            "logrank_tests": self.logrank,
            "group_recurrence": self.group_recurrence,
            "plans_not_sustained": self.plans_not_sustained,
            "paper_file_requests": self.paper_file_requests,
            "background_requests": self.background_requests,
        }
        out.update(self.extra)
        return out


def build_tables(cohort: Cohort, params: AnalysisParams | None = None) -> AnalystTables:
    """Run every analysis on ``cohort`` and return the analyst tables.

    ``children`` has one row per child and index parent (a child with two index parents has
    two rows), with the DESIGN.md columns first; ``sibling_groups`` one row per index parent.
    """
    params = params or AnalysisParams()
    parents = siblings.index_parents(
        cohort,
        ids=params.index_parents,
        min_children=params.min_children,
        min_span_years=params.min_span_years,
    )
    members = siblings.members(cohort, parents)
    child_ids = pd.Index(members["child_id"].unique()).sort_values()

    rec = recurrence.child_recurrence(cohort, child_ids)
    esc = escalation.child_escalation(cohort, child_ids)
    sig = escalation.family_signal(members, esc)
    flags = child_flags(cohort, child_ids)

    per_child = (
        rec.merge(esc, on="child_id", how="left")
        .merge(sig, on="child_id", how="left")
        .merge(flags, on="child_id", how="left")
    )
    base = siblings.children_table(members)
    children = base.merge(per_child, on="child_id", how="left", validate="many_to_one")
    children = children.sort_values(["parent_id", "birth_order"], kind="stable")
    lead = [c for c in CHILDREN_COLUMNS if c in children.columns]
    children = children[lead + [c for c in children.columns if c not in lead]]

    groups = siblings.sibling_groups(cohort, members, escalated=esc[["child_id", "escalated"]])
    lead = [c for c in SIBLING_GROUP_COLUMNS if c in groups.columns]
    groups = groups[lead + [c for c in groups.columns if c not in lead]]

    group_rec = recurrence.group_recurrence(cohort, members, rec)
    not_sustained = recurrence.plans_not_sustained(cohort, members)
    km = escalation.km_time_to_escalation(esc, members, sig)
    lr = escalation.logrank_tests(esc, members, sig)

    from . import actions

    return AnalystTables(
        members=members,
        children=children.reset_index(drop=True),
        sibling_groups=groups.reset_index(drop=True),
        group_recurrence=group_rec,
        km=km,
        logrank=lr,
        plans_not_sustained=not_sustained,
        paper_file_requests=actions.paper_file_requests(cohort, members),
        background_requests=actions.background_requests(cohort, members),
    )
