"""The pipeline of a run: the analyst tables of the report, assembled from the analysis modules.

Two stages, so that a large extract can be processed family partition by family partition:

1. :func:`family_tables`: everything that is computed within sibling groups (members, the
   per-child and per-group tables, lists for action). Its rows for one family depend only on
   that family's records, so it can run on any partition of connected families
   (:mod:`neglect_analysis.partition`) and the results concatenated.
2. :func:`cohort_tables`: estimates over all children at once (Kaplan-Meier, log-rank).

:func:`build_tables` runs both in memory. Notebooks, the report and partitioned runs all call
these, so a table is computed one way only.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Iterable

import numpy as np
import pandas as pd

from . import actions, escalation, inference, recurrence, siblings, timescale
from .flags import child_flags
from .cohort import Cohort, text_ids
from .definitions import DEFAULTS, Definitions
from .family import Family
from .idsets import positions, used_codes
from .io.memory import release_free_memory

#: Column contract of ``children.csv`` (DESIGN.md "Outputs"); more columns may follow.
CHILDREN_COLUMNS: tuple[str, ...] = (
    "child_id", "parent_id", "birth_order", "dob", "age_days",
    "n_contacts", "n_referrals", "n_rereferrals_12m", "n_s47", "n_s47_no_icpc",
    "n_cp_plans", "n_repeat_cp_plans", "n_repeat_cp_plans_2y", "contact_series",
    "eh_not_engaged", "first_involvement_date", "escalation_date", "escalation_type",
    "escalated", "days_to_escalation", "family_signal_date", "lead_time_days",
    "other_la", "pre_ics_childhood",
)

#: ``children.csv`` columns of the record-aware age scale (DESIGN.md "Outputs"), after the
#: contract columns (:func:`neglect_analysis.timescale.age_scale`).
CHILDREN_AGE_COLUMNS: tuple[str, ...] = ("entry_age_days", "exit_age_days", "moved_out_date")

@dataclass
class AnalysisParams:
    """One run's choices: the index parents (explicit ids, or None for the DESIGN.md rule)
    and the :class:`~neglect_analysis.definitions.Definitions` every threshold comes from."""

    index_parents: Iterable[str] | None = None
    definitions: Definitions = DEFAULTS


@dataclass
class FamilyTables:
    """Tables computed within sibling groups; concatenating partitions gives the whole."""

    members: pd.DataFrame
    child_escalation: pd.DataFrame
    family_signal: pd.DataFrame
    children: pd.DataFrame
    sibling_groups: pd.DataFrame
    group_recurrence: pd.DataFrame
    plans_not_sustained: pd.DataFrame
    look_now: pd.DataFrame
    paper_file_requests: pd.DataFrame
    background_requests: pd.DataFrame
    #: Per child: the record-aware age scale (:func:`neglect_analysis.timescale.age_scale`).
    ages: pd.DataFrame

    #: Sort keys that make a concatenation of partitions equal to the in-memory run.
    SORT_KEYS = {
        "members": ["parent_id", "birth_order"],
        "child_escalation": ["child_id"],
        "family_signal": ["child_id"],
        "children": ["parent_id", "birth_order"],
        "sibling_groups": ["parent_id"],
        "group_recurrence": ["parent_id"],
        "plans_not_sustained": ["child_id", "start_date", "event_id"],
        "look_now": list(actions.LOOK_NOW_ORDER),
        "paper_file_requests": list(actions.PAPER_REQUEST_ORDER),
        "background_requests": list(actions.BACKGROUND_REQUEST_ORDER),
        "ages": ["child_id"],
    }

    @classmethod
    def concat(cls, parts: list["FamilyTables"]) -> "FamilyTables":
        """Combine the tables of several partitions, sorted as one in-memory run sorts them."""
        out = {}
        for f in fields(cls):
            frames = [getattr(p, f.name) for p in parts]
            keys = [k for k in cls.SORT_KEYS[f.name] if k in frames[0].columns]
            df = pd.concat(frames, ignore_index=True)
            out[f.name] = df.sort_values(keys, kind="stable").reset_index(drop=True)
        return cls(**out)


@dataclass
class AnalystTables:
    """The row-level tables of one run (``analyst/``)."""

    family: FamilyTables
    km: pd.DataFrame
    logrank: pd.DataFrame
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: The run's sibling groups and the work done once for them (:func:`select_family`), when
    #: the tables were made in one piece (:func:`build_tables`); None for a partitioned run.
    groups: Family | None = None

    @property
    def members(self) -> pd.DataFrame:
        return self.family.members

    @property
    def children(self) -> pd.DataFrame:
        return self.family.children

    @property
    def sibling_groups(self) -> pd.DataFrame:
        return self.family.sibling_groups

    def csv_tables(self) -> dict[str, pd.DataFrame]:
        """File name (without ``.csv``) -> table, in the order they are written."""
        f = self.family
        out = {
            "sibling_groups": f.sibling_groups,
            "children": f.children,
            "km_time_to_escalation": self.km,
            "logrank_tests": self.logrank,
            "group_recurrence": f.group_recurrence,
            "plans_not_sustained": f.plans_not_sustained,
            "look_now": f.look_now,
            "paper_file_requests": f.paper_file_requests,
            "background_requests": f.background_requests,
        }
        out.update(self.extra)
        return out


def select_family(cohort: Cohort, params: AnalysisParams | None = None) -> Family:
    """The sibling groups of a run: index parents (explicit ids, or the DESIGN.md default
    rule) and their members, as a :class:`~neglect_analysis.family.Family`.

    The (parent, child, dob) pairs are computed once, for the rule and for the members.
    """
    params = params or AnalysisParams()
    pc = siblings.parent_children(cohort)
    if params.index_parents is None:
        parents = siblings.index_parents_of(pc, definitions=params.definitions)
    else:
        parents = siblings.index_parents(cohort, ids=params.index_parents)
    return Family(cohort, siblings.members_of(pc, parents, audit_date=cohort.audit_date), params.definitions)


def select_parents(cohort: Cohort, params: AnalysisParams | None = None) -> pd.Index:
    """The index parents of a run (explicit ids, or the DESIGN.md default rule)."""
    params = params or AnalysisParams()
    if params.index_parents is None:
        return siblings.index_parents_of(siblings.parent_children(cohort), definitions=params.definitions)
    return siblings.index_parents(cohort, ids=params.index_parents)


def _lead(df: pd.DataFrame, contract: Iterable[str]) -> pd.DataFrame:
    lead = [c for c in contract if c in df.columns]
    return df[lead + [c for c in df.columns if c not in lead]]


def _join_per_child(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Per-child tables side by side (left joins on ``child_id``, the first table's rows).

    The per-child analyses of one run return the same sorted ids, so the join is by position,
    once the ``child_id`` columns are checked to be equal; otherwise by hash merges.
    """
    out = frames[0]
    for f in frames[1:]:
        same_rows = len(f) == len(out) and f["child_id"].reset_index(drop=True).equals(out["child_id"])
        if same_rows and not set(f.columns).intersection(out.columns) - {"child_id"}:
            extra = f.drop(columns="child_id").reset_index(drop=True)
            out = pd.concat([out.reset_index(drop=True), extra], axis=1)
        else:
            out = out.merge(f, on="child_id", how="left", validate="one_to_one")
    return out


def family_tables(cohort: Cohort, parents: Iterable[str] | Family, *,
                  definitions: Definitions = DEFAULTS) -> FamilyTables:
    """Every within-family table for the sibling groups of ``parents`` (ids, or the
    :class:`~neglect_analysis.family.Family` of :func:`select_family`).

    ``children`` has one row per child and index parent (a child with two index parents has
    two rows), with the DESIGN.md ``children.csv`` columns first; ``sibling_groups`` one row
    per index parent with the ``sibling_groups.csv`` columns first.
    """
    if isinstance(parents, Family):
        family = Family.of(cohort, parents, definitions)
    else:
        family = Family(cohort, siblings.members(cohort, parents), definitions)
    members, defs = family.members, family.definitions
    # The children and their events are selected once (``family.children``) and shared.
    kids = family.children
    child_ids = kids.ids

    rec = recurrence.child_recurrence(cohort, kids, definitions=defs)
    # Moving away (DESIGN.md): found once per run, passed to every analysis that reads it.
    moved = timescale.moved_out_dates(cohort, kids, definitions=defs)
    esc = escalation.child_escalation(cohort, kids, definitions=defs, moved=moved)
    sig = escalation.family_signal(family, esc)
    flags = child_flags(cohort, child_ids)

    ages = timescale.child_ages(cohort, family, esc, moved=moved)
    ages_cols = ages[["child_id", *CHILDREN_AGE_COLUMNS]].assign(
        child_id=lambda d: d["child_id"].astype(esc["child_id"].dtype))
    per_child = _join_per_child([rec, esc, sig, flags, ages_cols])
    release_free_memory()  # the per-child passes' freed buffers back to the system (see build_tables)
    children = siblings.children_table(members)
    pos = positions(children["child_id"], per_child["child_id"])
    if (pos >= 0).all():  # always: ``child_ids`` are the members' children (a take, not a merge)
        children = pd.concat(
            [children, per_child.drop(columns="child_id").take(pos).reset_index(drop=True)], axis=1
        )
    else:
        children = children.merge(per_child, on="child_id", how="left", validate="many_to_one")
    children = _lead(children.sort_values(["parent_id", "birth_order"], kind="stable"), CHILDREN_COLUMNS)

    groups = siblings.sibling_groups(cohort, family, escalated=esc[["child_id", "escalated"]])
    tables = FamilyTables(
        members=members,
        child_escalation=esc,
        family_signal=sig,
        children=children.reset_index(drop=True),
        sibling_groups=_lead(groups, siblings.SIBLING_GROUP_COLUMNS).reset_index(drop=True),
        group_recurrence=recurrence.group_recurrence(cohort, family, rec, definitions=defs),
        plans_not_sustained=recurrence.plans_not_sustained(cohort, family, definitions=defs),
        look_now=actions.look_now_list(cohort, family, esc, sig, definitions=defs, moved=moved),
        paper_file_requests=actions.paper_file_requests(cohort, members),
        background_requests=actions.background_requests(cohort, members),
        ages=ages,
    )
    # The tables leave the Cohort with text ids (they are written and compared as text).
    return FamilyTables(**{f.name: text_ids(getattr(tables, f.name)) for f in fields(FamilyTables)})


def cohort_tables(family: FamilyTables, *, definitions: Definitions = DEFAULTS) -> dict:
    """Estimates over every child at once: Kaplan-Meier and log-rank tables, and the
    record-aware inference tables in ``extra`` (:func:`inference_tables`)."""
    # The groups of every child are built once for both tables (km_time_to_escalation and
    # logrank_tests each build them when called alone).
    long = escalation.km_groups(family.child_escalation, family.members, family.family_signal)
    return {"km": escalation.km_by_group(long), "logrank": escalation.logrank_by_pair(long),
            "extra": inference_tables(family, definitions=definitions)}


def family_clusters(members: pd.DataFrame) -> pd.DataFrame:
    """The family each child is clustered in: ``child_id``, ``parent_id`` = the connected
    component of its index parents (:func:`neglect_analysis.partition.family_components`,
    named by its smallest parent id), so a child of two index parents is in one cluster."""
    from .partition import family_components  # partition imports this module

    comp = family_components(members)
    # By integer positions: each member's parent's component (the component is a parent, the
    # smallest of its component, so the smallest position is the smallest id), the smallest
    # per child, children in id order (siblings.member_codes).
    m = members[members["child_id"].notna().to_numpy()]
    parents = pd.Index(comp["parent_id"], dtype="string")
    never = np.iinfo(np.int64).max
    at = positions(m["parent_id"], parents)
    component = np.where(at >= 0, positions(comp["component"], parents)[np.maximum(at, 0)], never)
    child, dtype = siblings.member_codes(m["child_id"])
    smallest = np.full(len(dtype.categories), never)
    np.minimum.at(smallest, child, component)
    used = used_codes(child, len(dtype.categories))
    cluster = np.minimum(smallest[used], len(parents))  # len(parents): none (missing)
    names = np.append(parents.to_numpy(dtype=object), pd.NA)
    return pd.DataFrame({"child_id": pd.array(dtype.categories.take(used), dtype="string"),
                         "parent_id": pd.array(names[cluster], dtype="string")})


def inference_tables(family: FamilyTables, *, definitions: Definitions = DEFAULTS) -> dict[str, pd.DataFrame]:
    """The record-aware, family-clustered tables (DESIGN.md "Outputs"):
    ``escalation_age_km``, ``escalation_intervals``, ``escalation_cox`` and ``escalation_cif``
    (all children in the curve; moving away competes with escalation)."""
    eldest = siblings.eldest(family.members)
    eldest.index = eldest.index.astype(str)
    older = escalation.older_sibling_escalation(family.members, family.child_escalation)
    older.index = older.index.astype(str)
    intervals = timescale.escalation_intervals(family.ages, older, family_clusters(family.members), eldest)
    cox = inference.cox_clustered(intervals.assign(younger=1 - intervals["eldest"]),
                                  ["older_sibling_escalated", "younger"],
                                  confidence_level=definitions.confidence_level)
    km = inference.km_age_groups(family.ages, eldest, confidence_level=definitions.confidence_level)
    cif = inference.cif_status(family.ages)
    cif = inference.cumulative_incidence(cif["entry_age_days"], cif["exit_age_days"], cif["status"])
    return {"escalation_age_km": km, "escalation_intervals": intervals, "escalation_cox": cox,
            "escalation_cif": cif}


def signal_tables(cohort: Cohort, family: FamilyTables, *,
                  definitions: Definitions = DEFAULTS) -> dict[str, pd.DataFrame]:
    """The backtest of the family signal (:mod:`neglect_analysis.backtest`):
    ``signal_backtest``, and ``look_now``: ``family.look_now`` with the backtested rule that
    flags each child, its PPV and interval and the signal's age, ranked by that PPV
    (:func:`neglect_analysis.backtest.rank_look_now`). :func:`with_signal` puts both in a
    run's tables."""
    from . import backtest

    out = backtest.signal_backtest(cohort, family.members, family.child_escalation, family.ages,
                                   family_clusters(family.members), definitions=definitions)
    ranked = backtest.rank_look_now(family.look_now, out["rule_dates"], out["signal_backtest"],
                                    cohort.audit_date)
    return {"signal_backtest": out["signal_backtest"], "look_now": ranked}


def with_signal(cohort: Cohort, tables: AnalystTables, *, definitions: Definitions = DEFAULTS) -> AnalystTables:
    """``tables`` with the backtest of the family signal (:func:`signal_tables`): the
    ``signal_backtest`` table added, and the look-now list replaced by the ranked one
    (``look_now.csv`` is one list, ranked by the backtested PPV). The backtest reads every
    family at once, so it runs after the (possibly partitioned) family tables."""
    from dataclasses import replace

    sig = signal_tables(cohort, tables.family, definitions=definitions)
    return replace(tables, family=replace(tables.family, look_now=sig["look_now"]),
                   extra={**tables.extra, "signal_backtest": sig["signal_backtest"]})


def build_tables(cohort: Cohort, params: AnalysisParams | None = None) -> AnalystTables:
    """Run every analysis on ``cohort`` in memory and return the analyst tables."""
    params = params or AnalysisParams()
    groups = select_family(cohort, params)
    family = family_tables(cohort, groups, definitions=params.definitions)
    # Freed buffers stay resident in the C library's heap, in holes the next large buffers
    # cannot reuse (:func:`~neglect_analysis.io.memory.release_free_memory`): handed back
    # between the steps of a run, the peak is the largest step's, not their sum (at 100,000
    # parents 0.8 GiB was resident and free after the family tables; benchmarks/RESULTS.md).
    release_free_memory()
    return AnalystTables(family=family, **cohort_tables(family, definitions=params.definitions),
                         groups=groups)
