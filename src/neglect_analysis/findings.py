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
import string
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np
import pandas as pd

from . import escalation, recurrence
from .cohort import Cohort
from .definitions import DEFAULTS, Definitions
from .ages import adult_at_audit
from .family import Family
from .flags import this_authority
from .idsets import isin, positions, used_codes
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

#: What a measure's denominator counts (:attr:`Measure.base`), in plain words, in the order
#: the briefing draws them: the shares of one point are grouped by base.
BASES: tuple[str, ...] = (
    "children", "sibling groups", "audited children", "assessments", "S47 enquiries", "referrals",
    "CP plans", "IRO challenges",
)
#: The placeholders of a measure's sentence (:attr:`Measure.sentence`): numerator,
#: denominator, share clause.
SENTENCE_FIELDS: tuple[str, ...] = ("n", "d", "s")
#: The threshold placeholders a measure's description, label and sentence may name (e.g.
#: ``{min_lead_period}``): :meth:`Definitions.terms`, filled from the run's definitions.
TERM_FIELDS: frozenset[str] = frozenset(DEFAULTS.terms())

#: Findings columns.
FINDINGS_COLUMNS: tuple[str, ...] = (
    "point", "measure", "label", "description", "base", "numerator", "denominator", "share",
    "national_share", "national_year", "national_source", "national_period", "summary",
    "authority_numerator", "authority_denominator", "authority_share",
)


def _share(num: int, den: int) -> float:
    return round(100.0 * num / den, 1) if den else float("nan")


def _flags(mask) -> np.ndarray:
    """A 0/1 int64 array of ``mask`` (a missing value counts 0)."""
    if isinstance(mask, (pd.Series, pd.Index)):
        return mask.to_numpy(dtype=bool, na_value=False).astype(np.int64)
    return np.asarray(mask, dtype=bool).astype(np.int64)


class Counts(tuple):
    """A measure's ``(numerator, denominator)``, with the rows they add up.

    It is the tuple of the two totals (so ``n, d = measure.compute(data)`` reads it), and it
    keeps what every row counted: ``ids`` (a Series: each row's child id, or index parent id
    for ``unit="parent"``) and ``num`` / ``den`` (each row's part of the numerator and the
    denominator, int64). Summing those by family
    (:func:`neglect_analysis.bootstrap.findings_per_family`) gives every family's numerator
    and denominator in one pass, for the family bootstrap.

    Examples
    --------
    >>> c = Counts(["A", "B", "B"], num=[1, 0, 1], den=[1, 1, 1])
    >>> c, c.unit, c.ids.tolist()
    ((2, 3), 'child', ['A', 'B', 'B'])
    >>> Counts.join(c, Counts(["M"], num=[0], den=[1], unit="parent"))
    Traceback (most recent call last):
    ...
    ValueError: Counts.join: rows of children and of index parents cannot be added up together
    """

    def __new__(cls, ids, num, den, *, unit: str = "child"):
        if unit not in ("child", "parent"):
            raise ValueError(f"Counts: unit must be 'child' or 'parent', not {unit!r}")
        ids = pd.Series(ids).reset_index(drop=True)  # as given: coded ids are looked up by code
        num = np.broadcast_to(np.asarray(num, dtype=np.int64), (len(ids),))
        den = np.broadcast_to(np.asarray(den, dtype=np.int64), (len(ids),))
        self = super().__new__(cls, (int(num.sum()), int(den.sum())))
        self.ids, self.num, self.den, self.unit = ids, num, den, unit
        return self

    @classmethod
    def join(cls, *parts: "Counts") -> "Counts":
        """The rows of several :class:`Counts` of one unit, one after the other."""
        units = {p.unit for p in parts}
        if len(units) > 1:
            raise ValueError("Counts.join: rows of children and of index parents cannot be added up together")
        return cls(pd.concat([p.ids.astype("string") for p in parts], ignore_index=True),
                   np.concatenate([p.num for p in parts]), np.concatenate([p.den for p in parts]),
                   unit=units.pop())


class FindingsInput:
    """What every measure reads: the run's tables and its children's events, made once.

    Attributes
    ----------
    cohort : Cohort
    tables : FamilyTables
    family : Family
        The sibling groups of ``tables.members``; ``family.children.events`` are the
        children's events, selected once for every measure. The run's own :class:`Family`
        when one is given (the report's, from :func:`~neglect_analysis.pipeline.build_tables`:
        its children's events and older-sibling pairs are then made once a run), else one
        made from ``tables.members``.
    definitions : Definitions

    Raises
    ------
    ValueError
        ``family`` is of another Cohort than ``cohort``.
    """

    def __init__(self, cohort: Cohort, tables: FamilyTables, definitions: Definitions = DEFAULTS,
                 family: Family | None = None):
        if family is not None and family.cohort is not cohort:
            raise ValueError("FindingsInput: the Family given is of another Cohort than the one analysed")
        self.cohort = cohort
        self.tables = tables
        self.definitions = definitions
        self.family = (Family(cohort, tables.members, definitions) if family is None
                       else Family.of(cohort, family, definitions))
        self.computed: dict = {}

    def counts(self, measure: "Measure") -> "Counts":
        """``measure.compute(self)``, evaluated once per measure and kept in ``computed``: the
        findings table and its family-bootstrap intervals read the same counts."""
        if measure not in self.computed:
            self.computed[measure] = measure.compute(self)
        return self.computed[measure]

    @cached_property
    def children(self) -> pd.DataFrame:
        """``children.csv`` with one row per child (a child with two index parents once)."""
        return self.tables.children.drop_duplicates("child_id")

    def events_of_type(self, event_type: str, *, own: bool = False) -> pd.DataFrame:
        """The children's events of ``event_type``, in the order of ``cohort.events``; with
        ``own``, this authority's only (:attr:`own_rows`)."""
        ev = self.family.children.events
        ev = ev[(ev["event_type"] == event_type).to_numpy(dtype=bool, na_value=False)]
        return ev[this_authority(ev)] if own else ev  # the rows of ``own_rows`` of that type

    @cached_property
    def own_rows(self) -> np.ndarray:
        """For each of the children's events (``family.children.events``): whether this
        authority recorded it (DESIGN.md "This authority's events",
        :func:`~neglect_analysis.flags.this_authority`): the events DfE-comparable findings
        count, selected without copying them."""
        return np.asarray(this_authority(self.family.children.events), dtype=bool)

    @cached_property
    def own_recurrence(self) -> pd.DataFrame:
        """:func:`~neglect_analysis.recurrence.child_recurrence` over this authority's events."""
        return recurrence.child_recurrence(self.cohort, self.family.children, definitions=self.definitions,
                                           rows=self.own_rows)

    @cached_property
    def early_help(self) -> pd.DataFrame:
        """:func:`~neglect_analysis.recurrence.early_help_not_engaged` of the children."""
        return recurrence.early_help_not_engaged(self.family.children, definitions=self.definitions)

    @cached_property
    def case_review_of_children(self) -> np.ndarray:
        """For each row of ``cohort.case_review``: whether it is about a child of the groups."""
        cr = self.cohort.case_review
        return isin(cr["person_id"], self.tables.members["child_id"].unique()).to_numpy(dtype=bool)

    @cached_property
    def has_older_sibling_at(self) -> np.ndarray:
        """For each child of ``family.children.ids`` (by position): whether it has an older
        sibling (:attr:`has_older_sibling`), so events are tested by their ``cix``."""
        at = positions(pd.Series(self.has_older_sibling), self.family.children.ids)
        mask = np.zeros(len(self.family.children.ids), dtype=bool)
        mask[at[at >= 0]] = True
        return mask

    @cached_property
    def has_older_sibling(self) -> pd.Index:
        """Ids of the children with an older sibling (earlier dob) in any of their groups
        (:func:`neglect_analysis.siblings.older_sibling_pairs`, the one definition), sorted
        (distinct by code)."""
        child = self.family.older_sibling_pairs["child_id"]
        return pd.Index(child.cat.categories.take(used_codes(child.cat.codes.to_numpy(), len(child.cat.categories))), dtype="string")


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
    people = data.cohort.events["person_id"]  # coded in the Cohort's person dtype
    codes = used_codes(people.cat.codes.to_numpy(), len(people.cat.categories))
    codes = codes[~np.isin(codes, data.family.children.codes)]  # by code: no text
    ids = pd.Series(people.cat.categories.take(codes), dtype="string")
    if not len(ids):
        return None
    members = pd.DataFrame({"parent_id": pd.Series("", index=ids.index, dtype="string"),
                            "child_id": ids, "dob": pd.NaT})
    return FindingsInput(data.cohort, FamilyTables(members=members, **{
        k: pd.DataFrame() for k in FamilyTables.SORT_KEYS if k != "members"}), data.definitions)


def events_after_older_sibling(data: FindingsInput, event_type: str, older: str | None = "cp_plan"
                               ) -> Counts:
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
    kids = data.family.children
    ev = kids.events
    n = len(kids.ids)
    # By child position (cix), integers only: each child's first ``older`` event, the earliest
    # of its older siblings' (escalation.older_sibling_escalation), each event's child's date.
    cix = ev["cix"].to_numpy()
    start = ev["start_date"].to_numpy().astype("datetime64[ns]")
    of_older = ~np.isnat(start) if older is None else \
        (ev["event_type"] == older).to_numpy(dtype=bool, na_value=False) & ~np.isnat(start)
    never = np.iinfo(np.int64).max
    first = np.full(n, never)
    np.minimum.at(first, cix[of_older], start[of_older].view("int64"))
    first = pd.DataFrame({"child_id": kids.ids.array, "escalation_date": np.where(
        first == never, np.datetime64("NaT"), first.view("datetime64[ns]")).astype("datetime64[ns]")})
    older_date = escalation.older_sibling_escalation(data.family, first)
    at = positions(pd.Series(kids.ids.array), older_date.index)  # once per child, not per event
    older_at = np.asarray(older_date.array.take(at, allow_fill=True), dtype="datetime64[ns]")
    target = (ev["event_type"] == event_type).to_numpy(dtype=bool, na_value=False) & ~np.isnat(start) \
        & data.has_older_sibling_at[cix]
    after = start[target] >= older_at[cix[target]]  # NaT (no older sibling's event): never after
    return Counts(ev["person_id"][target], num=after, den=1)


def assessments_after_older_sibling_plan(data: FindingsInput) -> Counts:
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


def case_review_yes(data: FindingsInput, pattern: str) -> Counts:
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
    # a few distinct question texts over many rows: test each text once; the rows about the
    # groups' children are found once a run (FindingsInput.case_review_of_children)
    asks = map_distinct(cr["question"], lambda q: q.fillna("").str.contains(pattern, case=False, regex=False))
    rows = np.flatnonzero(data.case_review_of_children & asks.to_numpy(dtype=bool, na_value=False))
    ans = map_distinct(cr["answer"].take(rows).reset_index(drop=True),
                       lambda a: a.fillna("").str.strip().str.lower()).fillna("")
    known = ans.isin(["yes", "y", "no", "n"]).to_numpy(dtype=bool)
    return Counts(cr["person_id"].take(rows), num=known & ans.isin(["yes", "y"]).to_numpy(dtype=bool), den=known)


# ----------------------------------------------------------------------------- measures
@dataclass(frozen=True)
class Measure:
    """One finding: its briefing point, name, words and how it is computed.

    ``compute(data)`` returns ``(numerator, denominator)`` as :class:`Counts` (the rows each
    total adds up, by child or index parent, for the family bootstrap). ``base`` is what the
    denominator counts, one of :data:`BASES` (children, sibling groups, CP plans...): the
    briefing groups the shares of a point by it. ``label``: short plain words, for chart axes.
    ``sentence`` is the key-message sentence of the measure (:mod:`neglect_analysis.messages`),
    a template with the placeholders ``{n}`` (numerator), ``{d}`` (denominator) and ``{s}``
    (share, with its interval and England's figure), each at least once. The description,
    label and sentence name each threshold by a placeholder of :data:`TERM_FIELDS`
    (``{min_lead_period}``: "90 days" by default), filled from the run's
    :class:`~neglect_analysis.definitions.Definitions` (:meth:`describe`, :meth:`label_for`,
    :meth:`say`), so that their words follow a changed definition; no other placeholder.
    ``national`` names the measure
    of :func:`neglect_analysis.reference.national_figures` it is compared with (None: no
    comparison); ``complement``: the national figure is 100 minus that measure; ``summary``
    (optional) gives the ``summary`` text of the row (e.g. a median and range).
    """

    point: int
    name: str
    description: str
    compute: Callable[[FindingsInput], Counts]
    base: str
    label: str
    sentence: str
    national: str | None = None
    complement: bool = False
    summary: Callable[[FindingsInput], str] | None = None

    def __post_init__(self) -> None:
        if self.base not in BASES:
            raise ValueError(f"measure {self.name}: base {self.base!r} is not one of {list(BASES)}")
        names = _placeholders(self.sentence)
        if not set(SENTENCE_FIELDS) <= names or names - set(SENTENCE_FIELDS) - TERM_FIELDS:
            raise ValueError(f"measure {self.name}: its sentence must use exactly the placeholders "
                             f"{', '.join('{' + f + '}' for f in SENTENCE_FIELDS)} and thresholds of "
                             f"Definitions.terms(); it uses {sorted(names)}")
        for what in ("description", "label"):
            unknown = _placeholders(getattr(self, what)) - TERM_FIELDS
            if unknown:
                raise ValueError(f"measure {self.name}: its {what} names {sorted(unknown)}, which are not "
                                 "thresholds of Definitions.terms()")

    def say(self, n: str, d: str, s: str, definitions: Definitions = DEFAULTS) -> str:
        """The measure's sentence with its numerator ``n``, denominator ``d`` and share clause
        ``s`` (text, as published), and the thresholds of ``definitions`` in words.

        Examples
        --------
        >>> MEASURES_BY_NAME["children_repeated_s47"].say("75", "242", "31.0%")
        '75 of the 242 children (31.0%) had two or more section 47 enquiries.'
        >>> from dataclasses import replace
        >>> MEASURES_BY_NAME["s47_not_progressing_to_icpc"].say("3", "9", "33.3%", replace(DEFAULTS, s47_icpc_days=45))[-37:]
        'child protection plan within 45 days.'
        """
        return self.sentence.format(n=n, d=d, s=s, **definitions.terms())

    def describe(self, definitions: Definitions = DEFAULTS) -> str:
        """The measure's description with the thresholds of ``definitions`` in words.

        Examples
        --------
        >>> MEASURES_BY_NAME["children_contact_series"].describe()
        'Children with a series of 3 contacts in 12 months and no referral (base: children)'
        """
        return self.description.format(**definitions.terms())

    def label_for(self, definitions: Definitions = DEFAULTS) -> str:
        """The measure's label with the thresholds of ``definitions`` in words.

        Examples
        --------
        >>> from dataclasses import replace
        >>> MEASURES_BY_NAME["rereferrals_12m"].label_for(replace(DEFAULTS, rereferral_days=730))
        'Re-referrals within 2 years'
        """
        return self.label.format(**definitions.terms())


def _placeholders(template: str) -> set[str]:
    """The ``{name}`` placeholders of a text."""
    return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}


def _children(d: FindingsInput, num) -> Counts:
    """Per child (each child once): ``num`` over the children."""
    return Counts(d.children["child_id"], num=_flags(num), den=1)


def _groups(d: FindingsInput, num) -> Counts:
    """Per sibling group: ``num`` over the groups."""
    return Counts(d.tables.sibling_groups["parent_id"], num=_flags(num), den=1, unit="parent")


def _adults(d: FindingsInput) -> Counts:
    return _children(d, adult_at_audit(d.children["dob"], d.cohort.audit_date, definitions=d.definitions))


def _groups_half_siblings(d: FindingsInput) -> Counts:
    return _groups(d, d.tables.sibling_groups["n_other_parents"] >= 2)


def _groups_large_gap(d: FindingsInput) -> Counts:
    return _groups(d, d.tables.sibling_groups["max_gap_years"] >= d.definitions.large_gap_years)


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


def _pre_ics(d: FindingsInput) -> Counts:
    return _children(d, d.children["pre_ics_childhood"] == 1)


def _pre_ics_without_paper(d: FindingsInput) -> Counts:
    requested = d.tables.paper_file_requests["child_id"].drop_duplicates()
    pre = d.children["child_id"][(d.children["pre_ics_childhood"] == 1).to_numpy(dtype=bool, na_value=False)]
    return Counts.join(Counts(requested, num=1, den=0), Counts(pre, num=0, den=1))


def _groups_partner_changes(d: FindingsInput) -> Counts:
    return _groups(d, d.tables.sibling_groups["n_partner_changes"] >= 1)


def _groups_recurrent_themes(d: FindingsInput) -> Counts:
    gr = d.tables.group_recurrence
    theme_cols = [c for c in gr.columns if c.startswith("recurrent_") and gr[c].dtype == bool]
    hit = gr[theme_cols].any(axis=1) if theme_cols else np.zeros(len(gr), bool)
    return Counts(gr["parent_id"], num=_flags(hit), den=1, unit="parent")


def _challenges(d: FindingsInput) -> pd.DataFrame:
    """IRO challenges about the groups' children, with ``disguised`` (theme names disguised
    compliance, ``Definitions.disguised_compliance_patterns``)."""
    ch = d.cohort.iro_challenges
    ch = ch[isin(ch["person_id"], d.tables.members["child_id"].unique())]
    pattern = "|".join(re.escape(p) for p in d.definitions.disguised_compliance_patterns)
    theme = ch["theme"] if "theme" in ch else pd.Series(pd.NA, index=ch.index, dtype="string")
    hit = map_distinct(theme.astype("string"), lambda t: t.fillna("").str.contains(pattern, case=False, regex=True))
    return ch.assign(disguised=hit.fillna(False).to_numpy(dtype=bool))


def _groups_disguised_compliance(d: FindingsInput) -> Counts:
    ch = _challenges(d)
    who = ch.loc[ch["disguised"], "person_id"]
    m = d.tables.members
    hit = m.loc[isin(m["child_id"], who), "parent_id"].drop_duplicates()
    return Counts.join(Counts(hit, num=1, den=0, unit="parent"),
                       Counts(m["parent_id"].drop_duplicates(), num=0, den=1, unit="parent"))


def _challenges_disguised(d: FindingsInput) -> Counts:
    ch = _challenges(d)
    return Counts(ch["person_id"], num=_flags(ch["disguised"]), den=1)


def _theme_summary(d: FindingsInput) -> str:
    ch = _challenges(d)
    if not len(ch):
        return "no challenges"
    theme = ch["theme"].astype("string").fillna("not recorded") if "theme" in ch else \
        pd.Series("not recorded", index=ch.index)
    n = theme.value_counts()
    n = n.sort_index().sort_values(ascending=False, kind="stable")
    return "themes: " + "; ".join(f"{t} {k}" for t, k in n.items())


def _child_flag(column: str) -> Callable[[FindingsInput], Counts]:
    def compute(d: FindingsInput) -> Counts:
        return Counts(d.children["child_id"], num=d.children[column].to_numpy(dtype=np.int64), den=1)
    return compute


def _early_help(column: str) -> Callable[[FindingsInput], Counts]:
    def compute(d: FindingsInput) -> Counts:
        eh = d.early_help
        return Counts(eh["child_id"], num=eh[column].to_numpy(dtype=np.int64), den=1)
    return compute


def _s47_not_progressing(d: FindingsInput) -> Counts:
    return _own_ratio("n_s47_no_icpc", "n_s47_judged")(d)


def _repeated_s47(d: FindingsInput) -> Counts:
    return _children(d, d.children["n_s47"] >= 2)


def _own_ratio(num: str, den: str) -> Callable[[FindingsInput], Counts]:
    def compute(d: FindingsInput) -> Counts:
        own = d.own_recurrence
        return Counts(own["child_id"], num=own[num].to_numpy(dtype=np.int64), den=own[den].to_numpy(dtype=np.int64))
    return compute


def _plans_neglect(d: FindingsInput) -> Counts:
    plans = d.events_of_type("cp_plan", own=True)
    known = plans[plans["category"].notna()]  # paper-only plans carry no category
    return Counts(known["person_id"], num=_flags(known["category"] == "NEG"), den=1)


def mature_plans(plans_not_sustained: pd.DataFrame, audit_date, definitions: Definitions = DEFAULTS) -> np.ndarray:
    """Which ended plans are old enough to judge (DESIGN.md "Mature follow-up"): ended at least
    ``definitions.not_sustained_replan_days`` (730) before the audit date.

    Examples
    --------
    >>> pns = pd.DataFrame({"end_date": pd.to_datetime(["2016-07-31", "2016-08-01"])})
    >>> mature_plans(pns, pd.Timestamp("2018-07-31")).tolist()  # 730 days before: 2016-07-31
    [True, False]
    """
    end = pd.to_datetime(plans_not_sustained["end_date"]).to_numpy().astype("datetime64[ns]")
    limit = np.datetime64(pd.Timestamp(audit_date), "ns") - np.timedelta64(definitions.not_sustained_replan_days, "D")
    return end <= limit


def _mature(d: FindingsInput) -> np.ndarray:
    return mature_plans(d.tables.plans_not_sustained, d.cohort.audit_date, d.definitions)


def _plans_not_sustained(d: FindingsInput) -> Counts:
    mature = _mature(d)
    pns = d.tables.plans_not_sustained
    return Counts(pns["child_id"], num=pns["not_sustained"].to_numpy(dtype=bool) & mature, den=mature)


def _plans_too_recent(d: FindingsInput) -> Counts:
    mature = _mature(d)
    return Counts(d.tables.plans_not_sustained["child_id"], num=~mature, den=1)


def _escalated_with_older(d: FindingsInput) -> pd.DataFrame:
    esc = d.children[d.children["escalated"] == 1]
    return esc[isin(esc["child_id"], d.has_older_sibling)]


def _escalated_with_lead_time(d: FindingsInput) -> Counts:
    esc = _escalated_with_older(d)
    return Counts(esc["child_id"], num=_flags(esc["lead_time_days"] >= d.definitions.min_lead_days), den=1)


def _escalated_with_short_lead_time(d: FindingsInput) -> Counts:
    esc = _escalated_with_older(d)
    return Counts(esc["child_id"], num=_flags(esc["lead_time_days"] < d.definitions.min_lead_days), den=1)


def _lead_summary(d: FindingsInput) -> str:
    esc = _escalated_with_older(d)
    lead = pd.to_numeric(esc["lead_time_days"], errors="coerce")
    return f"lead times {_spread(lead, 'days')}"


def _look_now(d: FindingsInput) -> Counts:
    return Counts.join(Counts(d.tables.look_now["child_id"].drop_duplicates(), num=1, den=0),
                       Counts(d.children["child_id"], num=0, den=1))


def _plans_iro_challenge(d: FindingsInput) -> Counts:
    plans = d.events_of_type("cp_plan")
    plans = plans[(plans["source"] == "ics").to_numpy(dtype=bool, na_value=False)]
    challenged = isin(plans["event_id"], d.cohort.iro_challenges["cp_plan_id"].dropna())
    return Counts(plans["person_id"], num=_flags(challenged), den=1)


#: Every finding, in briefing order: the registry :func:`findings` evaluates. Each description
#: names its base (children, groups, plans, S47s, assessments); DfE-comparable ones say that
#: they count this authority's events only. ``base`` is that base as one of :data:`BASES`;
#: ``sentence`` is the measure's key-message sentence (:mod:`neglect_analysis.messages`).
MEASURES: tuple[Measure, ...] = (
    # 1. Whole-family chronologies: was the older siblings' history in view, and used?
    Measure(1, "younger_assessments_after_older_sibling_cp_plan",
            "Assessments of younger children made after an older sibling's child protection plan "
            "(base: assessments of children with an older sibling)",
            assessments_after_older_sibling_plan, base="assessments",
            label="Younger child assessed after older sibling's plan",
            sentence="{n} of the {d} assessments of younger children ({s}) were made after an older "
                     "sibling had already been on a child protection plan."),
    Measure(1, "reviews_assessment_refers_to_older_siblings",
            "Audited assessments that used the older siblings' history (case review: yes; base: "
            "audited children answered yes or no)",
            lambda d: case_review_yes(d, "older sibling"), base="audited children",
            label="Assessment used older siblings' history (audit)",
            sentence="In the case review, {n} of the {d} audited assessments ({s}) referred to the "
                     "older siblings' history."),
    # 2. Large sibling groups with big age gaps.
    Measure(2, "children_adult_at_audit", "Children aged {adult_age_years} or over at the audit date (base: children)",
            _adults, base="children",
            label="Children now adults",
            sentence="{n} of the {d} children ({s}) were {adult_age_years} or over at the audit date."),
    Measure(2, "groups_with_large_age_gap",
            "Sibling groups whose largest gap between consecutive children is {large_gap_period} or more "
            "(large_gap_years; base: groups)", _groups_large_gap, base="sibling groups",
            label="Groups with a big age gap",
            sentence="In {n} of the {d} sibling groups ({s}) two siblings next in age were born "
                     "{large_gap_period} or more apart (a big age gap).", summary=_gap_summary),
    Measure(2, "groups_with_half_siblings",
            "Sibling groups with children of two or more other birth parents (base: groups)",
            _groups_half_siblings, base="sibling groups",
            label="Groups with half-siblings",
            sentence="{n} of the {d} sibling groups ({s}) have children of two or more other birth "
                     "parents."),
    # 3. Paper files, partners, recurrent themes.
    Measure(3, "children_pre_ics_childhood",
            "Children whose childhood began before the electronic case record (base: children)", _pre_ics,
            base="children",
            label="Childhood began before electronic record",
            sentence="{n} of the {d} children ({s}) began their childhood before the electronic case "
                     "record."),
    Measure(3, "pre_ics_children_without_paper_records",
            "Of those, children with no paper records yet (paper file to request; base: children "
            "born before the electronic record)", _pre_ics_without_paper, base="children",
            label="  of whom no paper records yet",
            sentence="Of those {d} children, {n} ({s}) have no paper records yet: their paper files "
                     "need requesting."),
    Measure(3, "reviews_chronology_complete",
            "Audited children whose chronology was complete (case review: yes; base: audited "
            "children answered yes or no)", lambda d: case_review_yes(d, "chronology complete"),
            base="audited children",
            label="Chronology complete (audit)",
            sentence="In the case review, {n} of the {d} audited children ({s}) had a complete "
                     "chronology."),
    Measure(3, "reviews_paper_file_requested",
            "Paper files requested where one was needed (case review: yes; base: audited children "
            "with a paper file to request)", lambda d: case_review_yes(d, "paper file requested"),
            base="audited children",
            label="Paper file requested where needed (audit)",
            sentence="In the case review, a paper file was requested for {n} of the {d} audited "
                     "children who needed one ({s})."),
    Measure(3, "groups_with_partner_changes",
            "Sibling groups where the parent had more than one partner (base: groups)", _groups_partner_changes,
            base="sibling groups",
            label="Groups with partner changes",
            sentence="In {n} of the {d} sibling groups ({s}) the parent had more than one partner."),
    Measure(3, "groups_with_recurrent_themes",
            "Sibling groups where a theme (domestic abuse, substance misuse, mental health, neglect) "
            "recurs across children of different fathers (base: groups)", _groups_recurrent_themes,
            base="sibling groups",
            label="Groups with themes recurring across fathers",
            sentence="In {n} of the {d} sibling groups ({s}) a theme (domestic abuse, substance misuse, "
                     "mental health, neglect) recurs across children of different fathers."),
    Measure(3, "groups_with_disguised_compliance",
            "Sibling groups with an IRO challenge about disguised compliance (base: groups)",
            _groups_disguised_compliance, base="sibling groups",
            label="Groups with disguised compliance challenged",
            sentence="In {n} of the {d} sibling groups ({s}) an IRO challenged disguised compliance."),
    # 4. Contacts, early help, other authorities.
    Measure(4, "children_contact_series",
            "Children with a series of {series_length} contacts in {series_period} and no referral (base: children)",
            _child_flag("contact_series"), base="children",
            label="Children with a series of contacts",
            sentence="{n} of the {d} children ({s}) had a series of {series_length} contacts in {series_period} with no "
                     "referral."),
    Measure(4, "children_early_help_declined",
            "Children with an early-help episode ended as declined or not engaged (base: children)",
            _early_help("eh_declined"), base="children",
            label="Early help declined",
            sentence="{n} of the {d} children ({s}) had an early-help episode that ended declined or "
                     "not engaged."),
    Measure(4, "children_advice_not_taken_up",
            "Children given advice at a contact with no early help within {advice_eh_period} (base: children)",
            _early_help("advice_not_taken_up"), base="children",
            label="Advice given, no early help followed",
            sentence="{n} of the {d} children ({s}) were given advice at a contact with no early help "
                     "following."),
    Measure(4, "children_other_la_history",
            "Children with history in another local authority (base: children)", _child_flag("other_la"),
            base="children",
            label="History in another authority",
            sentence="{n} of the {d} children ({s}) have history in another local authority."),
    Measure(4, "reviews_other_la_history_sought",
            "Other authority's history sought (case review: yes; base: audited children with "
            "other-authority history answered yes or no)", lambda d: case_review_yes(d, "other authority"),
            base="audited children",
            label="Other authority's history sought (audit)",
            sentence="In the case review, another authority's history was sought for {n} of the {d} "
                     "audited children with such history ({s})."),
    # 5. S47 enquiries and older siblings' history.
    Measure(5, "younger_s47_after_older_sibling_cp_plan",
            "S47 enquiries of younger children made after an older sibling's child protection plan "
            "(base: S47s of children with an older sibling)",
            lambda d: events_after_older_sibling(d, "s47", "cp_plan"), base="S47 enquiries",
            label="Younger child's S47 after older sibling's plan",
            sentence="{n} of the {d} section 47 enquiries of younger children ({s}) were made after an "
                     "older sibling had already been on a child protection plan."),
    Measure(5, "younger_s47_after_older_sibling_involvement",
            "S47 enquiries of younger children made after any older sibling's first involvement "
            "(base: S47s of children with an older sibling)",
            lambda d: events_after_older_sibling(d, "s47", None), base="S47 enquiries",
            label="Younger child's S47 after older sibling's involvement",
            sentence="{n} of the {d} section 47 enquiries of younger children ({s}) were made after an "
                     "older sibling was already known to children's services."),
    Measure(5, "s47_not_progressing_to_icpc",
            "S47 enquiries of this authority with no conference and no CP plan within {s47_icpc_period} "
            "(base: this authority's S47s at least {s47_icpc_period} old)",
            _s47_not_progressing, base="S47 enquiries",
            label="S47s not reaching a conference or plan",
            sentence="{n} of the {d} section 47 enquiries of this authority old enough to judge ({s}) "
                     "led to no initial conference and no child protection plan within {s47_icpc_period}.",
            national="icpc_per_s47_pct", complement=True),
    Measure(5, "children_repeated_s47", "Children with two or more section 47 enquiries (base: children)",
            _repeated_s47, base="children",
            label="Children with repeated S47s",
            sentence="{n} of the {d} children ({s}) had two or more section 47 enquiries."),
    Measure(5, "rereferrals_12m",
            "Referrals within {rereferral_period} of the child's previous referral (base: this authority's "
            "referrals; other authorities' records left out)",
            _own_ratio("n_rereferrals_12m", "n_referrals"), base="referrals",
            label="Re-referrals within {rereferral_period}",
            sentence="{n} of this authority's {d} referrals ({s}) came within {rereferral_period} of the child's "
                     "previous referral.",
            national="rereferrals_12m_pct"),
    Measure(5, "reviews_previous_interventions_analysed",
            "Audited assessments that analysed the effectiveness of previous interventions (case "
            "review: yes; base: audited children answered yes or no)",
            lambda d: case_review_yes(d, "previous interventions"), base="audited children",
            label="Previous interventions analysed (audit)",
            sentence="In the case review, {n} of the {d} audited assessments ({s}) analysed how well "
                     "previous interventions had worked."),
    # 6. Previous CP plans, sustained change, escalation and lead time.
    Measure(6, "repeat_cp_plans",
            "Child protection plans that are a second or subsequent plan in this authority (base: "
            "this authority's plans)",
            _own_ratio("n_repeat_cp_plans", "n_cp_plans"), base="CP plans",
            label="Second or subsequent CP plans",
            sentence="{n} of this authority's {d} child protection plans ({s}) were a second or "
                     "subsequent plan.",
            national="repeat_cp_plans_pct"),
    Measure(6, "cp_plans_neglect",
            "Child protection plans started with neglect as the initial category (base: this "
            "authority's plans with a recorded category)", _plans_neglect, base="CP plans",
            label="CP plans for neglect",
            sentence="{n} of the {d} child protection plans with a recorded category ({s}) began under "
                     "neglect.",
            national="neglect_initial_category_pct"),
    Measure(6, "cp_plans_not_sustained",
            "Ended plans followed by a new referral within {not_sustained_rereferral_period} or a new plan within "
            "{not_sustained_replan_period} (child or sibling; base: plans ended at least "
            "{not_sustained_replan_period} before the audit)",
            _plans_not_sustained, base="CP plans",
            label="Plans whose changes were not sustained",
            sentence="{n} of the {d} plans that ended at least {not_sustained_replan_period} before the audit ({s}) "
                     "were followed by a new referral within {not_sustained_rereferral_period} or a new plan "
                     "within {not_sustained_replan_period}."),
    Measure(6, "cp_plans_too_recent_to_judge",
            "Ended plans with less than {not_sustained_replan_period} of follow-up: too recent to judge (base: ended plans)",
            _plans_too_recent, base="CP plans",
            label="Ended plans too recent to judge",
            sentence="{n} of the {d} ended child protection plans ({s}) ended less than {not_sustained_replan_period} before "
                     "the audit: too recent to judge whether the change lasted."),
    Measure(6, "escalated_with_lead_time",
            "Escalated children whose older siblings' history could have flagged them {min_lead_period} or "
            "more earlier (base: escalated children with an older sibling)",
            _escalated_with_lead_time, base="children",
            label="Escalations that could have been flagged {min_lead_days}+ days earlier",
            sentence="{n} of the {d} escalated children with an older sibling ({s}) could have been "
                     "flagged at least {min_lead_period} earlier by reading their older siblings' history.",
            summary=_lead_summary),
    Measure(6, "escalated_with_short_lead_time",
            "Escalated children with a lead time under {min_lead_period}: the usual referral, S47, "
            "conference interval (base: escalated children with an older sibling)",
            _escalated_with_short_lead_time, base="children",
            label="  shorter lead times (usual S47 to plan interval)",
            sentence="For {n} of the {d} escalated children with an older sibling ({s}) the family "
                     "signal came less than {min_lead_period} earlier: the usual interval from referral to plan."),
    Measure(6, "children_to_look_at_now",
            "Children with a family signal and no escalation yet, still under {adult_age_years} (base: children)", _look_now,
            base="children",
            label="Children to look at now",
            sentence="{n} of the {d} children ({s}) have a family signal, no escalation yet and are "
                     "under {adult_age_years}: they can be looked at now."),
    # 7. IRO challenge.
    Measure(7, "cp_plans_with_iro_challenge",
            "CP plans on the electronic record with an IRO challenge (base: CP plans in the "
            "extract; paper plans have no challenge log)", _plans_iro_challenge, base="CP plans",
            label="CP plans with an IRO challenge",
            sentence="{n} of the {d} child protection plans in the electronic record in large sibling "
                     "groups ({s}) had an IRO challenge."),
    Measure(7, "iro_challenges_disguised_compliance",
            "IRO challenges about disguised compliance (base: IRO challenges about the children)",
            _challenges_disguised, base="IRO challenges",
            label="IRO challenges about disguised compliance",
            sentence="{n} of the {d} IRO challenges ({s}) were about disguised compliance.",
            summary=_theme_summary),
)
#: The registry by measure name.
MEASURES_BY_NAME: dict[str, Measure] = {m.name: m for m in MEASURES}
#: The short label of each measure (:attr:`Measure.label`), by name.
LABELS: dict[str, str] = {m.name: m.label_for(DEFAULTS) for m in MEASURES}


def findings(cohort: Cohort, family: FamilyTables, *, national: pd.DataFrame | None = None,
             definitions: Definitions = DEFAULTS, measures: tuple[Measure, ...] = MEASURES,
             data: FindingsInput | None = None, groups: Family | None = None) -> pd.DataFrame:
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
    count each child once, whichever group it belongs to. ``data``: the
    :class:`FindingsInput` of ``cohort`` and ``family`` when one is made already (its counts
    are then shared, e.g. with :func:`neglect_analysis.bootstrap.with_intervals`). ``groups``:
    the run's :class:`~neglect_analysis.family.Family` of the same sibling groups, when one is
    made already (read by a new :class:`FindingsInput`, which then selects no events again).
    """
    nat = national_figures() if national is None else national
    data = FindingsInput(cohort, family, definitions, groups) if data is None else data
    background = background_input(data)
    year = collection_year(cohort.audit_date)
    rows: list[dict] = []
    for m in measures:
        num, den = data.counts(m)
        row = {"point": m.point, "measure": m.name, "label": m.label_for(data.definitions),
               "description": m.describe(data.definitions),
               "base": m.base, "numerator": int(num), "denominator": int(den), "share": _share(num, den),
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
