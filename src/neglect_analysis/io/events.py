"""SSD event tables -> the canonical ``events`` table (cohort.py module docstring).

One builder per SSD table. Every builder: drops rows with no id, a repeated id, no person or a
person not in ``ssd_person``, or no usable start date (errors); keeps rows with a bad or
out-of-order end date, end left empty (open), as an error with action ``used``. Events before
the person's birth are not errors (pre-birth referrals of unborn children); an empty end date is
an open episode. A start date after the audit date: warning, row not used (the audit reads
history up to its audit date; see :meth:`TableRows.not_after`).

Each builder returns ``person_id`` coded (categorical) with the persons' dtype, from the
positions its ``known_person`` check found (:meth:`TableRows.person_column`), and
``event_type`` of :data:`~neglect_analysis.cohort.EVENT_TYPE_DTYPE`: the loader hashes each id
column once, and the event frames hold integer codes, not text ids.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from .. import codes
from ..cohort import EVENT_ORDER, EVENT_TYPE_DTYPE, event_order, events_in_order
from ..idsets import IdSet, PersonCodes, positions
from .arrowtext import has_repeats, map_distinct, repeat_text
from .checks import TableRows
from .dates import parse_dates
from .memory import release_free_memory
from .readers import ROW
from .validation import quote
from .values import (factor_sort_key, parse_cp_category, parse_factors, parse_flags,
                     parse_outcome_json, parse_primary_need)

#: Pre-proceedings outcomes that are a decision to issue care proceedings (case-insensitive
#: substring; SSD: "Decision to Issue Care Proceedings" / "Decision to step down").
ISSUE_PATTERN = r"\bissue"

#: (id, person, start, end) columns of each event table, and its event type.
EVENT_TABLES: dict[str, tuple[str, str, str, str, str | None]] = {
    "ssd_contacts": ("contact", "cont_contact_id", "cont_person_id", "cont_contact_date", None),
    "ssd_early_help_episodes": ("early_help", "earl_episode_id", "earl_person_id",
                                "earl_episode_start_date", "earl_episode_end_date"),
    "ssd_cin_episodes": ("referral", "cine_referral_id", "cine_person_id", "cine_referral_date",
                         "cine_close_date"),
    "ssd_cin_assessments": ("assessment", "cina_assessment_id", "cina_person_id",
                            "cina_assessment_start_date", "cina_assessment_auth_date"),
    "ssd_s47_enquiry": ("s47", "s47e_s47_enquiry_id", "s47e_person_id", "s47e_s47_start_date",
                        "s47e_s47_end_date"),
    "ssd_initial_cp_conference": ("icpc", "icpc_icpc_id", "icpc_person_id", "icpc_icpc_date", None),
    "ssd_cp_plans": ("cp_plan", "cppl_cp_plan_id", "cppl_person_id", "cppl_cp_plan_start_date",
                     "cppl_cp_plan_end_date"),
    "ssd_cla_episodes": ("cla", "clae_cla_episode_id", "clae_person_id",
                         "clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),
}


#: (person, start date) columns of every event table: those checked against death dates.
EVENT_PERSON_START: dict[str, tuple[str, str]] = {
    **{table: (spec[2], spec[3]) for table, spec in EVENT_TABLES.items()},
    "ssd_pre_proceedings": ("prep_person_id", "prep_pre_pro_decision_date"),
    "paper_records": ("person_id", "event_date"),
}


def event_types(values, index: pd.Index) -> pd.Series:
    """Event types (one type name for every row, or a text Series of type names) as a
    categorical of :data:`~neglect_analysis.cohort.EVENT_TYPE_DTYPE`.

    Examples
    --------
    >>> event_types("cla", pd.RangeIndex(2)).cat.codes.tolist() == [list(codes.EVENT_TYPES).index("cla")] * 2
    True
    >>> event_types(pd.Series(["paper", "s47"]), pd.RangeIndex(2)).tolist()
    ['paper', 's47']
    """
    if isinstance(values, str):
        code = EVENT_TYPE_DTYPE.categories.get_loc(values)
        return pd.Series(pd.Categorical.from_codes(np.full(len(index), code, dtype=np.int8),
                                                   dtype=EVENT_TYPE_DTYPE, validate=False), index=index)
    return pd.Series(values, index=index).astype("string").astype(EVENT_TYPE_DTYPE)


def after_death(t: TableRows, persons: pd.DataFrame) -> None:
    """Report (warning) event rows starting after their person's death; the rows are kept.

    An event dated after the death is impossible as recorded, but which date is wrong (the
    event's, or ``pers_death_date``) the loader cannot tell, and a record about a child after
    their death (a child death review, a sibling's contact filed under the child) is possible:
    the row is kept, so the chronology shows it, with a warning to check both dates. Only
    start dates are compared (an episode open at the death closes with it); the same day is
    not after. Cheap: only rows of people with a death date are looked at, found from the
    positions among ``persons`` that ``known_person`` found (``t.person_at``; looked up here
    only when the table was not checked so).

    Examples
    --------
    >>> from neglect_analysis.io.validation import ProblemLog
    >>> persons = pd.DataFrame({"person_id": ["C", "D"], "death_date": pd.to_datetime([None, "2016-01-31"])})
    >>> df = pd.DataFrame({"cont_person_id": ["C", "D", "D"], "_row": [2, 3, 4],
    ...                    "cont_contact_date": ["2017-01-01", "2016-01-31", "01/02/2016"]})
    >>> log = ProblemLog()
    >>> after_death(TableRows("ssd_contacts", "ssd_contacts.csv", df, log), persons)
    >>> log.frame()["problem"].tolist()
    ['ssd_contacts.csv row 4: cont_contact_date 01/02/2016 is after the death of cont_person_id D on 2016-01-31; row kept, check both dates']
    """
    if t.table not in EVENT_PERSON_START:
        return
    dead = persons["death_date"].notna().to_numpy(dtype=bool)
    if not dead.any():
        return
    person_col, start_col = EVENT_PERSON_START[t.table]
    person = t.col(person_col)
    at = t.person_at.get(person_col)
    if at is None:
        at = positions(person, persons["person_id"])
    death_dates = persons["death_date"].to_numpy(dtype="datetime64[ns]")
    near = t.reported(pd.Series((at >= 0) & dead[np.maximum(at, 0)], index=t.df.index))
    if not near.any():
        return
    start, _ = parse_dates(t.col(start_col)[near])
    death = pd.Series(death_dates[at[near.to_numpy()]], index=start.index)
    after = pd.Series(False, index=t.df.index)
    after[near] = (start > death).fillna(False).to_numpy(dtype=bool)
    if not after.any():
        return
    died = pd.Series(pd.NA, index=t.df.index, dtype="string")
    died[after] = death[after[near].to_numpy()].dt.strftime("%Y-%m-%d").astype("string").to_numpy()
    t.report(after, start_col, start_col + " " + quote(t.col(start_col)) + " is after the death of "
             + person_col + " " + quote(person, "person") + " on " + died
             + "; row kept, check both dates", check="after_death", severity="warning", drop=False)


def _flag(t: TableRows, column: str, consequence: str = "read as unknown") -> pd.Series:
    flags, bad = parse_flags(t.col(column))
    if t.hits(bad):  # messages are built only when there is a row to report
        t.report(bad, column, column + " " + quote(t.col(column)) + f" is not a Y/N flag; {consequence}",
                 check="bad_flag", drop=False)
    return flags


def _base(t: TableRows, person_ids: PersonCodes | IdSet | pd.Index, audit_date=None) -> pd.DataFrame:
    """Common checks and columns for a table listed in :data:`EVENT_TABLES`."""
    event_type, id_col, person_col, start_col, end_col = EVENT_TABLES[t.table]
    t.require_value(id_col)
    t.unique_id(id_col)
    t.known_person(person_col, person_ids)
    start = t.date(start_col, required=True)
    t.not_after(start, start_col, audit_date)
    if end_col:
        end = t.date(end_col, required=False, consequence="end date left empty (open)")
        end = t.date_order(start, end, start_col, end_col, consequence="end date ignored (open)")
    else:
        end = pd.Series(pd.NaT, index=t.df.index, dtype="datetime64[ns]")
    rows = t.df.index
    return pd.DataFrame({
        "event_id": t.col(id_col), "person_id": t.person_column(person_col, person_ids),
        "event_type": event_types(event_type, rows), "start_date": start, "end_date": end,
        "category": repeat_text(None, rows), "nfa": pd.Series(pd.NA, index=rows, dtype="boolean"),
        "factors": repeat_text("", rows), "outcome": repeat_text(None, rows), "other_la": False,
        "source": repeat_text("ics", rows), "source_ref": t.ref(),
        "linked_event_id": repeat_text(None, rows), "detail": repeat_text(None, rows),
    })


def _done(t: TableRows, ev: pd.DataFrame) -> pd.DataFrame:
    return t.kept(ev)


def contacts(t: TableRows, person_ids: PersonCodes | IdSet | pd.Index, *, audit_date=None) -> pd.DataFrame:
    """Contacts: category = source code; outcome = flags set to Y (``;``); nfa = ``NFA_FLAG`` Y.

    Unreadable outcome JSON: error, row used with outcome and nfa unknown.

    Examples
    --------
    >>> from neglect_analysis.io.validation import ProblemLog
    >>> df = pd.DataFrame({"cont_contact_id": ["K1"], "cont_person_id": ["0012"],
    ...     "cont_contact_date": ["31/03/2017"], "cont_contact_source_code": ["2A"],
    ...     "cont_contact_outcome_json": ['{"NFA_FLAG":"Y","ADVICE_FLAG":"Y"}'], "_row": [2]})
    >>> ev = contacts(TableRows("ssd_contacts", "ssd_contacts.csv", df, ProblemLog()), pd.Index(["0012"]))
    >>> ev.loc[0, "category"], ev.loc[0, "outcome"], bool(ev.loc[0, "nfa"]), ev.loc[0, "source_ref"]
    ('2A', 'ADVICE_FLAG;NFA_FLAG', True, 'ssd_contacts:2')
    """
    ev = _base(t, person_ids, audit_date)
    outcome, nfa, problem = parse_outcome_json(t.col("cont_contact_outcome_json"))
    if t.hits(problem.notna()):
        t.report(problem.notna(), "cont_contact_outcome_json",
                 "cont_contact_outcome_json " + quote(t.col("cont_contact_outcome_json")) + " " + problem
                 + "; outcome left unknown", check="bad_json", drop=False)
    ev["category"] = map_distinct(t.col("cont_contact_source_code"), lambda u: u.str.upper())
    ev["outcome"] = outcome
    ev["nfa"] = nfa
    return _done(t, ev)


def early_help(t: TableRows, person_ids: PersonCodes | IdSet | pd.Index, *, audit_date=None) -> pd.DataFrame:
    """Early-help episodes: outcome = end reason as written."""
    ev = _base(t, person_ids, audit_date)
    ev["outcome"] = t.col("earl_episode_end_reason")
    return _done(t, ev)


def referrals(t: TableRows, person_ids: PersonCodes | IdSet | pd.Index, *, audit_date=None) -> pd.DataFrame:
    """Referrals (``ssd_cin_episodes``): category = primary need code, nfa flag, outcome = close
    reason, end = close date. Unknown primary need: error, row used with category empty."""
    ev = _base(t, person_ids, audit_date)
    need, bad = parse_primary_need(t.col("cine_cin_primary_need_code"))
    if t.hits(bad):
        t.report(bad, "cine_cin_primary_need_code",
                 "cine_cin_primary_need_code " + quote(t.col("cine_cin_primary_need_code"))
                 + " is not a primary need code (N0 to N9); left empty", check="unknown_code",
                 drop=False)
    ev["category"] = need
    ev["nfa"] = _flag(t, "cine_referral_nfa")
    ev["outcome"] = t.col("cine_close_reason")
    return _done(t, ev)


def assessments(t: TableRows, person_ids: PersonCodes | IdSet | pd.Index, factors: TableRows | None, *,
                audit_date=None) -> pd.DataFrame:
    """Assessments: linked_event_id = referral id; factors joined from ``ssd_assessment_factors``
    by assessment id (all rows of one assessment together, de-duplicated, sorted).

    Factor rows naming an assessment not kept in ``ssd_cin_assessments``: error, dropped.
    Unknown factor codes: error, the other codes used. Unreadable JSON: error, no factors.
    """
    ev = _base(t, person_ids, audit_date)
    ev["linked_event_id"] = t.col("cina_referral_id")
    ev = _done(t, ev)
    if factors is not None:
        ev["factors"] = _factor_codes(ev["event_id"], factors)
    return ev


def _factor_codes(event_ids: pd.Series, factors: TableRows) -> pd.Series:
    """Factor codes of each assessment in ``event_ids`` from the ``ssd_assessment_factors``
    rows (see :func:`assessments`, which reports their problems here); "" where none."""
    fid = factors.col("cinf_assessment_id")
    factors.require_value("cinf_assessment_id")
    at = positions(fid, event_ids)  # the assessment of each factors row (-1: none)
    orphan = fid.notna() & (at < 0)
    if factors.hits(orphan):
        factors.report(orphan, "cinf_assessment_id",
                       "cinf_assessment_id " + quote(fid, "event") + " is not in ssd_cin_assessments; row dropped",
                       check="unknown_person")
    raw = factors.col("cinf_assessment_factors_json")
    codes_, problem = parse_factors(raw)
    if factors.hits(problem.notna()):
        factors.report(problem.notna(), "cinf_assessment_factors_json",
                       "cinf_assessment_factors_json " + quote(raw) + " " + problem.fillna("")
                       + "; other codes used", check="unknown_code", drop=False)
    keep = factors.keep.to_numpy()
    if not has_repeats(fid[keep]):
        # One factors row per assessment (the usual case): parse_factors already gives its
        # codes de-duplicated and sorted; each assessment takes its row's codes.
        row = np.full(len(event_ids), -1)
        row[at[keep]] = np.flatnonzero(keep)
        return pd.Series(codes_.array.take(row, allow_fill=True), index=event_ids.index).fillna("")
    # Several rows for some assessments: their codes are merged.
    kept = pd.DataFrame({"event_id": fid, "codes": codes_})[factors.keep]
    single = ~kept["event_id"].duplicated(keep=False)
    parts = [kept.loc[single].set_index("event_id")["codes"]]
    f = kept.loc[~single, ["event_id"]].assign(code=kept.loc[~single, "codes"].str.split(","))
    f = f.explode("code")
    f = f[f["code"].notna() & (f["code"] != "")].drop_duplicates()
    if len(f):
        order = {c: i for i, c in enumerate(sorted(f["code"].unique(), key=factor_sort_key))}
        f = f.assign(_o=f["code"].map(order)).sort_values(["event_id", "_o"])
        parts.append(f.groupby("event_id", sort=False)["code"].agg(",".join))
    return event_ids.map(pd.concat(parts)).fillna("")


def s47(t: TableRows, person_ids: PersonCodes | IdSet | pd.Index, *, audit_date=None) -> pd.DataFrame:
    """S47 enquiries: nfa flag; linked_event_id = referral id."""
    ev = _base(t, person_ids, audit_date)
    ev["nfa"] = _flag(t, "s47e_s47_nfa")
    ev["linked_event_id"] = t.col("s47e_referral_id")
    return _done(t, ev)


def icpc(t: TableRows, person_ids: PersonCodes | IdSet | pd.Index, *, audit_date=None) -> pd.DataFrame:
    """ICPCs: linked_event_id = s47 id; other_la = transfer-in flag; outcome ``CP_PLAN`` when
    the conference's CP flag is Y (else empty)."""
    ev = _base(t, person_ids, audit_date)
    ev["linked_event_id"] = t.col("icpc_s47_enquiry_id")
    ev["other_la"] = _flag(t, "icpc_icpc_transfer_in", "read as N").fillna(False).astype(bool)
    cp = _flag(t, "icpc_icpc_outcome_cp_flag").fillna(False).astype(bool)
    ev["outcome"] = pd.Series("CP_PLAN", index=t.df.index, dtype="string").where(cp)
    return _done(t, ev)


def cp_plans(t: TableRows, person_ids: PersonCodes | IdSet | pd.Index, *, audit_date=None) -> pd.DataFrame:
    """CP plans: category = initial category code, outcome = latest category code, other_la =
    ``cppl_cp_plan_ola``. Category text (``Neglect``) mapped to DfE codes; unknown: error, row
    used with the category empty."""
    ev = _base(t, person_ids, audit_date)
    for col, target in (("cppl_cp_plan_initial_category", "category"),
                        ("cppl_cp_plan_latest_category", "outcome")):
        code, bad = parse_cp_category(t.col(col))
        if t.hits(bad):
            t.report(bad, col, col + " " + quote(t.col(col)) + " is not a CP category (Neglect, Physical "
                     "Abuse, Sexual Abuse, Emotional Abuse, Multiple or NEG/PHY/SAB/EMO/MUL); left empty",
                     check="unknown_code", drop=False)
        ev[target] = code
    ev["other_la"] = _flag(t, "cppl_cp_plan_ola", "read as N").fillna(False).astype(bool)
    return _done(t, ev)


def cla(t: TableRows, person_ids: PersonCodes | IdSet | pd.Index, *, audit_date=None) -> pd.DataFrame:
    """CLA episodes: start to ceased date."""
    return _done(t, _base(t, person_ids, audit_date))


def pre_proceedings(t: TableRows, person_ids: PersonCodes | IdSet | pd.Index, *, audit_date=None) -> pd.DataFrame:
    """A ``pre_proceedings`` event from the decision date, outcome = outcome text; where the
    outcome is a decision to issue care proceedings, also a ``care_proceedings`` event from
    ``prep_agree_stepdown_issue_date``, else ``prep_care_pro_letter_date`` (DESIGN.md). With
    neither date: warning, no care_proceedings event. event_id = ``prep_table_id``, else
    ``ssd_pre_proceedings:<row>``.

    Examples
    --------
    >>> from neglect_analysis.io.validation import ProblemLog
    >>> df = pd.DataFrame({"prep_person_id": ["C"], "prep_pre_pro_decision_date": ["01/02/2016"],
    ...     "prep_pre_pro_outcome": ["Decision to Issue Care Proceedings"],
    ...     "prep_agree_stepdown_issue_date": [None], "prep_care_pro_letter_date": ["2016-05-03"], "_row": [2]})
    >>> ev = pre_proceedings(TableRows("ssd_pre_proceedings", "ssd_pre_proceedings.csv", df, ProblemLog()),
    ...                      pd.Index(["C"]))
    >>> ev[["event_id", "event_type", "start_date"]].astype(str).values.tolist()
    [['ssd_pre_proceedings:2', 'pre_proceedings', '2016-02-01'], ['ssd_pre_proceedings:2', 'care_proceedings', '2016-05-03']]
    """
    ids = t.col("prep_table_id").fillna(t.ref())
    if "prep_table_id" in t.df.columns:
        t.unique_id("prep_table_id")
    t.known_person("prep_person_id", person_ids)
    start = t.date("prep_pre_pro_decision_date", required=True)
    t.not_after(start, "prep_pre_pro_decision_date", audit_date)
    issue = t.date("prep_agree_stepdown_issue_date", required=False)
    letter = t.date("prep_care_pro_letter_date", required=False)
    outcome = t.col("prep_pre_pro_outcome")
    to_issue = map_distinct(outcome, lambda u: u.str.contains(ISSUE_PATTERN, flags=re.IGNORECASE))
    to_issue = to_issue.fillna(False).astype(bool)
    care_start = issue.fillna(letter)
    if t.hits(to_issue & care_start.isna()):
        t.report(to_issue & care_start.isna(), "prep_pre_pro_outcome",
                 "prep_pre_pro_outcome " + quote(outcome) + " but neither prep_agree_stepdown_issue_date "
                 "nor prep_care_pro_letter_date is given; no care_proceedings event",
                 check="missing_value", severity="warning", drop=False)
    rows = t.df.index
    base = pd.DataFrame({
        "event_id": ids, "person_id": t.person_column("prep_person_id", person_ids),
        "event_type": event_types("pre_proceedings", rows),
        "start_date": start, "end_date": pd.NaT, "outcome": outcome, "source": "ics",
        "source_ref": t.ref(), "factors": "", "other_la": False,
    })
    # the kept rows, each followed by its care_proceedings event where it has one
    keep = t.keep.to_numpy(dtype=bool)
    pre = np.flatnonzero(keep)
    care = np.flatnonzero(keep & to_issue.to_numpy(dtype=bool) & care_start.notna().to_numpy())
    at = np.concatenate([pre, care])
    order = np.argsort(at, kind="stable")
    at, is_care = at[order], (np.arange(len(at)) >= len(pre))[order]
    out = base.take(at).reset_index(drop=True)
    pre_code, care_code = (EVENT_TYPE_DTYPE.categories.get_loc(e) for e in ("pre_proceedings", "care_proceedings"))
    out["event_type"] = pd.Categorical.from_codes(np.where(is_care, care_code, pre_code).astype(np.int8),
                                                  dtype=EVENT_TYPE_DTYPE, validate=False)
    starts = np.where(is_care, care_start.to_numpy(dtype="datetime64[ns]")[at],
                      start.to_numpy(dtype="datetime64[ns]")[at])
    out["start_date"] = pd.Series(starts, dtype="datetime64[ns]")
    return out


def paper_records(t: TableRows, person_ids: PersonCodes | IdSet | pd.Index, *, audit_date=None) -> pd.DataFrame:
    """Paper records: a row whose ``event_type`` is a Cohort event type (not ``paper``) counts as
    that event; any other type becomes ``paper``. outcome = event_type as written, detail =
    detail, source ``paper``, source_ref = document_ref, event_id ``paper_records:<row>``.
    Event types are matched ignoring case, spaces and hyphens (``CP plan`` = ``cp_plan``).

    Examples
    --------
    >>> from neglect_analysis.io.validation import ProblemLog
    >>> df = pd.DataFrame({"person_id": ["C", "C"], "event_date": ["2005-01-02", "2006-01-02"],
    ...     "event_type": ["CP plan", "school_report"], "detail": ["x", "y"],
    ...     "document_ref": ["D1", "D2"], "_row": [2, 3]})
    >>> ev = paper_records(TableRows("paper_records", "paper_records.csv", df, ProblemLog()), pd.Index(["C"]))
    >>> ev[["event_id", "event_type", "outcome", "source", "source_ref"]].values.tolist()
    [['paper_records:2', 'cp_plan', 'CP plan', 'paper', 'D1'], ['paper_records:3', 'paper', 'school_report', 'paper', 'D2']]
    """
    t.known_person("person_id", person_ids)
    t.require_value("event_type")
    start = t.date("event_date", required=True)
    t.not_after(start, "event_date", audit_date)
    written = t.col("event_type")
    norm = map_distinct(written, _type_key)
    typed = norm.where(norm.isin([e for e in codes.EVENT_TYPES if e != "paper"]), "paper")
    # DESIGN.md "Other LA": a record marked other_la Y or of type other_la_record is another
    # authority's (an unreadable flag is reported and read as N).
    other_la = (_flag(t, "other_la", "read as N").fillna(False).astype(bool)
                | (norm == OTHER_LA_RECORD).fillna(False).astype(bool))
    ev = pd.DataFrame({
        "event_id": t.ref(), "person_id": t.person_column("person_id", person_ids),
        "event_type": event_types(typed, t.df.index),
        "start_date": start, "end_date": pd.NaT, "outcome": written, "factors": "",
        "other_la": other_la.to_numpy(dtype=bool), "source": "paper",
        "source_ref": t.col("document_ref"), "detail": t.col("detail"),
    })
    return _done(t, ev)


#: Paper record type of another authority's record (DESIGN.md "Other LA"), as normalised.
OTHER_LA_RECORD = "other_la_record"


def same_event_pairs(paper: pd.DataFrame, ics: pd.DataFrame, days: int) -> pd.DataFrame:
    """Paper events that are an ICS event (DESIGN.md "Same event once"), with their ICS match.

    A paper event of this authority (``other_la`` false) of a Cohort event type (not
    ``paper``), dated, is the ICS event of the same person and type dated within ``days``
    of it (either side; the nearest, ties to the earlier ICS row). Another authority's record
    is never merged. Vectorised: one ``merge_asof`` by (person, type).

    Parameters
    ----------
    paper, ics : DataFrame
        Event frames as the builders return them (``event_id``, ``person_id``,
        ``event_type``, ``start_date``, ``other_la``, ``source_ref``).
    days : int
        ``Definitions.same_event_days``.

    Returns
    -------
    DataFrame
        One row per merged paper event: ``paper_pos`` (its position in ``paper``),
        ``paper_id``, ``paper_ref``, ``ics_id``, ``ics_ref``, ``event_type``, ``paper_date``,
        ``ics_date``.

    Examples
    --------
    >>> d = pd.to_datetime
    >>> paper = pd.DataFrame({"event_id": ["paper_records:2", "paper_records:3", "paper_records:4"],
    ...     "person_id": "C", "event_type": ["referral", "referral", "cp_plan"],
    ...     "start_date": d(["2012-01-08", "2012-01-09", "2012-01-08"]), "other_la": [False, False, True],
    ...     "source_ref": ["D1", "D2", "D3"]})
    >>> ics = pd.DataFrame({"event_id": ["R1", "P1"], "person_id": "C", "event_type": ["referral", "cp_plan"],
    ...     "start_date": d(["2012-01-01", "2012-01-08"]), "other_la": False,
    ...     "source_ref": ["ssd_cin_episodes:5", "ssd_cp_plans:2"]})
    >>> same_event_pairs(paper, ics, 7)[["paper_ref", "ics_ref"]].values.tolist()
    [['D1', 'ssd_cin_episodes:5']]
    """
    cols = ["paper_pos", "paper_id", "paper_ref", "ics_id", "ics_ref", "event_type", "paper_date",
            "ics_date"]
    person_p, person_i = _match_keys(paper["person_id"], ics["person_id"])
    type_p, type_i = _match_keys(paper["event_type"], ics["event_type"])
    own = (~paper["other_la"].to_numpy(dtype=bool)
           & (paper["event_type"] != "paper").to_numpy(dtype=bool, na_value=False)
           & paper["start_date"].notna().to_numpy())
    p = pd.DataFrame({
        "paper_pos": np.arange(len(paper)), "paper_id": paper["event_id"].astype("string").array,
        "paper_ref": paper["source_ref"].astype("string").array,
        "person": person_p, "etype": type_p,
        "paper_date": pd.to_datetime(paper["start_date"]).astype("datetime64[ns]").array,
    })[own]
    p["event_type"] = paper["event_type"][own].astype("string").array
    i = pd.DataFrame({
        "ics_id": ics["event_id"].astype("string").array, "ics_ref": ics["source_ref"].astype("string").array,
        "person": person_i, "etype": type_i,
        "ics_date": pd.to_datetime(ics["start_date"]).astype("datetime64[ns]").array,
    })
    i = i[i["ics_date"].notna().to_numpy() & i["etype"].isin(p["etype"].unique()).to_numpy(dtype=bool)
          & i["person"].isin(p["person"].unique()).to_numpy(dtype=bool)]
    if not len(p) or not len(i):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    i = i.assign(match_date=i["ics_date"]).sort_values(["match_date", "ics_ref"], kind="stable")
    p = p.assign(match_date=p["paper_date"]).sort_values("match_date", kind="stable")
    m = pd.merge_asof(p, i, on="match_date", by=["person", "etype"], direction="nearest",
                      tolerance=pd.Timedelta(days=days))
    m = m[m["ics_id"].notna()].sort_values("paper_pos").reset_index(drop=True)
    return m[cols]


def _match_keys(paper: pd.Series, ics: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The paper and ICS values of one column as keys to match on: their integer codes where
    both are coded with the same dtype (the loader's person ids and event types), else text."""
    a, b = paper.dtype, ics.dtype
    if isinstance(a, pd.CategoricalDtype) and isinstance(b, pd.CategoricalDtype) and (
            a is b or (len(a.categories) == len(b.categories) and a == b)):
        return paper.cat.codes.to_numpy(), ics.cat.codes.to_numpy()
    return paper.astype("string").array, ics.astype("string").array


def merge_same_events(paper_rows: TableRows, paper: pd.DataFrame, ics: pd.DataFrame,
                      days: int) -> pd.DataFrame:
    """``paper`` without its records that are an ICS event (:func:`same_event_pairs`); each
    pair is listed as a validation note (action ``merged``, naming the paper record's
    ``document_ref`` and row and the ICS table:row and id) and the paper row counts as
    reported and merged (``rows_merged``, not dropped), so the loader's counts still add up
    (read = used + reported, reported = merged + dropped).

    ``paper`` is :func:`paper_records` of ``paper_rows`` (its rows are the kept rows, in order).
    """
    pairs = same_event_pairs(paper, ics, days)
    if not len(pairs):
        return paper
    kept = np.flatnonzero(paper_rows.keep.to_numpy(dtype=bool))
    at = paper_rows.df.index[kept[pairs["paper_pos"].to_numpy(dtype=np.int64)]]
    rows = paper_rows.df.loc[at, ROW]
    ref = pairs["paper_ref"].fillna("no document_ref")
    text = (paper_rows.file + " row " + rows.astype("string").to_numpy() + ": " + pairs["event_type"]
            + " of " + pairs["paper_date"].dt.strftime("%Y-%m-%d") + " (document_ref "
            + quote(ref.astype("string"), "event") + ") is the same event as " + pairs["ics_ref"] + " ("
            + quote(pairs["ics_id"].astype("string"), "event") + ", "
            + pairs["ics_date"].dt.strftime("%Y-%m-%d") + "); counted once, as the ICS row")
    paper_rows.log.add(table=paper_rows.table, file=paper_rows.file, rows=rows.to_numpy(),
                       column="event_date", values=paper_rows.df.loc[at, "event_date"].to_numpy()
                       if "event_date" in paper_rows.df.columns else None,
                       message=text.astype("string"), severity="note", action="merged",
                       check="same_event")
    drop = pd.Series(False, index=paper_rows.df.index)
    drop[at] = True
    paper_rows.keep = paper_rows.keep & ~drop
    paper_rows.merged = paper_rows.merged | drop  # reported as merged, not as dropped
    keep = np.ones(len(paper), dtype=bool)
    keep[pairs["paper_pos"].to_numpy(dtype=np.int64)] = False
    return paper[keep].reset_index(drop=True)


def _type_key(text: pd.Series) -> pd.Series:
    """Event type text compared ignoring case, spaces and hyphens (``CP plan`` -> ``cp_plan``)."""
    return text.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)


#: A column of at least this many bytes let go by :func:`concat_events` is handed back to the
#: system at once (100,000 parents: 50 to 250 MiB a column; without it the load peaks 0.7 GiB
#: higher). Smaller ones are not: giving back memory that is used again costs page faults.
RELEASE_BYTES = 32 * 2 ** 20


def concat_events(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Event frames as one frame in :data:`~neglect_analysis.cohort.EVENT_ORDER`, built column
    by column: each frame's column is let go once the ordered column is made, so the events
    are not held twice (at 100,000 parents a copy is 1 GiB).

    The frames are conformed (:func:`~neglect_analysis.cohort.conform`), with ``person_id``
    coded by one dtype (the same object in every frame) and ``event_type`` of
    :data:`~neglect_analysis.cohort.EVENT_TYPE_DTYPE`. The list ``frames`` is emptied (its
    frames are the caller's only copy). The order is
    :func:`~neglect_analysis.cohort.event_order` of the concatenated keys.

    Examples
    --------
    >>> from neglect_analysis.cohort import conform
    >>> dtype = pd.CategoricalDtype(pd.Index(["A", "B"], dtype="string"))
    >>> def frame(person, day, event_id):
    ...     return conform(pd.DataFrame({"person_id": pd.Categorical(person, dtype=dtype), "event_id": event_id,
    ...                                  "event_type": pd.Categorical(["cla"] * len(person), dtype=EVENT_TYPE_DTYPE),
    ...                                  "start_date": pd.to_datetime(day)}), "events")
    >>> frames = [frame(["B", "A"], ["2010-01-01", "2011-01-01"], ["e1", "e2"]), frame(["A"], ["2010-06-01"], ["e3"])]
    >>> ev = concat_events(frames)
    >>> ev["event_id"].tolist(), ev["person_id"].dtype is dtype, frames
    (['e3', 'e2', 'e1'], True, [])
    """
    if len(frames) == 1 and events_in_order(frames[0]):
        return frames.pop().reset_index(drop=True)
    columns = list(frames[0].columns)
    # each frame as its columns (taken out one by one below; DataFrame.pop costs more)
    held = [dict(f.items()) for f in frames]
    frames.clear()

    def joined(c: str) -> pd.Series:
        parts = [h.pop(c) for h in held]
        dtype = parts[0].dtype
        if isinstance(dtype, pd.CategoricalDtype) and all(p.dtype is dtype for p in parts):
            # the codes joined, the dtype kept (pd.concat makes an equal dtype, not the same one)
            codes = np.concatenate([p.cat.codes.to_numpy() for p in parts])
            return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype, validate=False))
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            # label columns (cohort.label_values) of different categories: joined as codes,
            # categories sorted, never as text
            return pd.Series(union_categoricals([p.array for p in parts], sort_categories=True))
        return pd.concat(parts, ignore_index=True)

    keys = {c: joined(c) for c in EVENT_ORDER}
    order = event_order(pd.DataFrame(keys, copy=False))
    out = {}
    for c in columns:
        values = keys.pop(c) if c in keys else joined(c)
        out[c] = values.take(order).reset_index(drop=True)
        size = values.memory_usage(deep=False)
        del values
        if size >= RELEASE_BYTES:  # the column as it was, before the next is made
            release_free_memory()
    return pd.DataFrame(out, copy=False)


#: Builder of each event table (``ssd_cin_assessments`` also takes the factors table).
BUILDERS = {
    "ssd_contacts": contacts,
    "ssd_early_help_episodes": early_help,
    "ssd_cin_episodes": referrals,
    "ssd_s47_enquiry": s47,
    "ssd_initial_cp_conference": icpc,
    "ssd_cp_plans": cp_plans,
    "ssd_cla_episodes": cla,
    "ssd_pre_proceedings": pre_proceedings,
    "paper_records": paper_records,
}
