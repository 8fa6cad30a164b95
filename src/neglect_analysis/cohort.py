"""The ``Cohort``: canonical, typed tables that every analysis reads.

The loader (:mod:`neglect_analysis.io`) builds a ``Cohort`` from an SSD extract; tests build
small ones by hand with :meth:`Cohort.from_frames`. Analysis functions only ever read these
tables, never files.

Tables and columns
------------------
persons
    ``person_id`` (str), ``sex`` (str: ``F``, ``M``, ``U``...), ``dob`` (datetime64[ns];
    ``pers_dob``, else ``pers_expected_dob``), ``death_date`` (datetime64[ns]),
    ``in_extract`` (bool: False for a parent named only in ``relationships``, kept with
    unknown dob).
links
    ``parent_id``, ``child_id``, ``relationship`` (``mother_of``, ``father_of``, or
    ``parent_of`` where only a family id was known), ``source`` (``relationships``,
    ``ssd_mother``, ``ssd_family``).
partners
    ``person_id``, ``partner_id``, ``start_date``, ``end_date`` (a ``partner_of`` row as given;
    read in both directions by the analysis).
events
    one row per involvement: ``event_id`` (str, unique within ``event_type``),
    ``person_id``, ``event_type`` (see :data:`neglect_analysis.codes.EVENT_TYPES`),
    ``start_date``, ``end_date`` (NaT = open or instantaneous), ``category`` (CP plan initial
    category code for ``cp_plan``, primary need code for ``referral``, source code for
    ``contact``), ``nfa`` (boolean, nullable), ``factors`` (assessment factor codes joined by
    ``,``, e.g. ``"3B,16A"``; empty string when none), ``outcome`` (contact: the outcome flags
    set to ``Y`` joined by ``;``, e.g. ``"ADVICE_FLAG;NFA_FLAG"``; early help: end reason;
    referral: close reason; icpc: ``CP_PLAN`` when a plan followed; cp_plan: latest category;
    pre_proceedings: outcome text; paper: the paper record's ``event_type`` as written),
    ``other_la`` (bool: ICPC transfer-in or CP plan other-LA flag), ``source`` (``ics`` or
    ``paper``), ``source_ref`` (``table:row`` for the extract, ``document_ref`` for paper),
    ``linked_event_id`` (assessment and s47: referral id; icpc: s47 id; else empty),
    ``detail`` (free text from paper records; never written to outputs unless asked).
case_review
    ``person_id``, ``item_id``, ``question``, ``answer``, ``reviewer``, ``review_date``.
iro_challenges
    ``person_id``, ``cp_plan_id``, ``challenge_date``, ``theme``, ``resolved_date``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

import numpy as np
import pandas as pd

#: Default audit parameters (DESIGN.md). One place for each default.
DEFAULT_ICS_START = pd.Timestamp("2009-04-01")

#: Column -> dtype of each canonical table. ``"date"`` means datetime64[ns] at midnight.
SCHEMAS: dict[str, dict[str, str]] = {
    "persons": {
        "person_id": "str",
        "sex": "str",
        "dob": "date",
        "death_date": "date",
        "in_extract": "bool",
    },
    "links": {
        "parent_id": "str",
        "child_id": "str",
        "relationship": "str",
        "source": "str",
    },
    "partners": {
        "person_id": "str",
        "partner_id": "str",
        "start_date": "date",
        "end_date": "date",
    },
    "events": {
        "event_id": "str",
        "person_id": "str",
        "event_type": "str",
        "start_date": "date",
        "end_date": "date",
        "category": "str",
        "nfa": "boolean",
        "factors": "str",
        "outcome": "str",
        "other_la": "bool",
        "source": "str",
        "source_ref": "str",
        "linked_event_id": "str",
        "detail": "str",
    },
    "case_review": {
        "person_id": "str",
        "item_id": "str",
        "question": "str",
        "answer": "str",
        "reviewer": "str",
        "review_date": "date",
    },
    "iro_challenges": {
        "person_id": "str",
        "cp_plan_id": "str",
        "challenge_date": "date",
        "theme": "str",
        "resolved_date": "date",
    },
}

#: Fill values for columns a hand-made table leaves out.
_DEFAULTS = {"str": pd.NA, "date": pd.NaT, "bool": False, "boolean": pd.NA}


def conform(df: pd.DataFrame | None, table: str) -> pd.DataFrame:
    """Return ``df`` with exactly the canonical columns of ``table``, in order and typed.

    Missing columns are added empty (``False`` for flags); extra columns are kept after the
    canonical ones. The input is not modified.

    Examples
    --------
    >>> conform(pd.DataFrame({"person_id": ["0012"], "dob": ["2010-05-01"]}), "persons").dtypes["dob"]
    dtype('<M8[ns]')
    >>> conform(pd.DataFrame({"person_id": ["0012"]}), "persons").loc[0, "person_id"]
    '0012'
    """
    schema = SCHEMAS[table]
    # no copy of ``df``: every column below is a new Series (copy-on-write keeps df unchanged)
    df = pd.DataFrame(columns=list(schema)) if df is None else df
    out = {}
    n = len(df)
    for col, kind in schema.items():
        s = df[col] if col in df.columns else pd.Series([_DEFAULTS[kind]] * n, index=df.index)
        if kind == "str":
            s = s.astype("string")
        elif kind == "date":
            s = _midnight(pd.to_datetime(s).astype("datetime64[ns]"))
        elif kind == "bool":
            s = s.fillna(False).astype(bool)
        elif kind == "boolean":
            s = s.astype("boolean")
        out[col] = s
    extra = [c for c in df.columns if c not in schema]
    res = pd.DataFrame(out, index=df.index)
    for c in extra:
        res[c] = df[c]
    return res.reset_index(drop=True)


def _midnight(dates: pd.Series) -> pd.Series:
    """``dates.dt.normalize()`` (times dropped), skipped when every date is at midnight already
    (as the loader gives them): the test costs less than normalising a million dates."""
    values = dates.to_numpy(dtype="datetime64[ns]")
    if not np.any((values.view("int64") % _DAY_NS != 0) & ~np.isnat(values)):
        return dates
    return dates.dt.normalize()


_DAY_NS = 86_400 * 10**9


@dataclass(frozen=True)
class Cohort:
    """Canonical tables of one extract plus the audit parameters.

    Build from an extract with :func:`neglect_analysis.io.load_extract`, or by hand with
    :meth:`from_frames`. Tables are described in the module docstring.

    Examples
    --------
    >>> c = Cohort.from_frames(
    ...     persons=pd.DataFrame({"person_id": ["M1", "C1"], "dob": ["1980-01-01", "2005-06-01"]}),
    ...     links=pd.DataFrame({"parent_id": ["M1"], "child_id": ["C1"], "relationship": ["mother_of"]}),
    ...     audit_date="2018-07-31",
    ... )
    >>> c.audit_date.date().isoformat(), len(c.persons), c.links.loc[0, "source"]
    ('2018-07-31', 2, 'relationships')
    """

    persons: pd.DataFrame
    links: pd.DataFrame
    partners: pd.DataFrame
    events: pd.DataFrame
    case_review: pd.DataFrame
    iro_challenges: pd.DataFrame
    audit_date: pd.Timestamp
    ics_start_date: pd.Timestamp = DEFAULT_ICS_START
    authority: str | None = None
    synthetic: bool = False
    source_path: str | None = None
    meta: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_frames(
        cls,
        *,
        persons: pd.DataFrame,
        links: pd.DataFrame | None = None,
        partners: pd.DataFrame | None = None,
        events: pd.DataFrame | None = None,
        case_review: pd.DataFrame | None = None,
        iro_challenges: pd.DataFrame | None = None,
        audit_date: str | pd.Timestamp,
        ics_start_date: str | pd.Timestamp = DEFAULT_ICS_START,
        authority: str | None = None,
        synthetic: bool = False,
        source_path: str | None = None,
    ) -> "Cohort":
        """Build a Cohort from (possibly partial) DataFrames, filling and typing columns.

        Defaults for hand-made tables: ``persons.in_extract`` True, ``links.source``
        ``relationships``, ``events.source`` ``ics``, ``events.event_id`` the row number.
        """
        persons = persons.copy()
        if "in_extract" not in persons:
            persons["in_extract"] = True
        links = None if links is None else links.copy()
        if links is not None and "source" not in links:
            links["source"] = "relationships"
        events = None if events is None else events.copy()
        if events is not None:
            if "source" not in events:
                events["source"] = "ics"
            if "event_id" not in events:
                events["event_id"] = [f"E{i + 1}" for i in range(len(events))]
            if "factors" in events:
                events["factors"] = events["factors"].fillna("")
            else:
                events["factors"] = ""
        return cls(
            persons=conform(persons, "persons"),
            links=conform(links, "links"),
            partners=conform(partners, "partners"),
            events=conform(events, "events"),
            case_review=conform(case_review, "case_review"),
            iro_challenges=conform(iro_challenges, "iro_challenges"),
            audit_date=pd.Timestamp(audit_date).normalize(),
            ics_start_date=pd.Timestamp(ics_start_date).normalize(),
            authority=authority,
            synthetic=synthetic,
            source_path=source_path,
        )

    def with_tables(self, **tables: pd.DataFrame) -> "Cohort":
        """Return a copy with some tables replaced (conformed to their schema)."""
        return replace(self, **{k: conform(v, k) for k, v in tables.items()})

    def label(self) -> str:
        """Short provenance label for outputs, e.g. ``"SYNTHETIC DATA - sample"``."""
        name = self.authority or "extract"
        return f"SYNTHETIC DATA - {name}" if self.synthetic else name
