"""Impossible rows in a generated extract: ends before starts, events after death or the audit.

The loader (:func:`neglect_analysis.io.load_extract`) reports an end before a start as an error,
but it does not compare events with a person's death date. :func:`impossible_rows` checks both,
and dates after the audit date, on the tables :func:`~neglect_analysis.synthetic.generate`
returns (text, ISO dates), so that tests can assert the generator never writes such a row.
"""
from __future__ import annotations

import pandas as pd

#: (table, start column, end column) of every dated span the generator writes.
SPANS: tuple[tuple[str, str, str], ...] = (
    ("ssd_person", "pers_dob", "pers_death_date"),
    ("ssd_early_help_episodes", "earl_episode_start_date", "earl_episode_end_date"),
    ("ssd_cin_episodes", "cine_referral_date", "cine_close_date"),
    ("ssd_cin_assessments", "cina_assessment_start_date", "cina_assessment_auth_date"),
    ("ssd_s47_enquiry", "s47e_s47_start_date", "s47e_s47_end_date"),
    ("ssd_cp_plans", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),
    ("ssd_cla_episodes", "clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),
    ("ssd_pre_proceedings", "prep_pre_pro_decision_date", "prep_agree_stepdown_issue_date"),
    ("ssd_pre_proceedings", "prep_pre_pro_decision_date", "prep_care_pro_letter_date"),
    ("relationships", "start_date", "end_date"),
    ("iro_challenges", "challenge_date", "resolved_date"),
)

#: Person column of each table whose dates are events in that person's life. ``case_review``
#: is left out: it records the auditors' review (2018), which may follow a child's death.
PERSON_COLUMNS: dict[str, str] = {
    "ssd_contacts": "cont_person_id",
    "ssd_early_help_episodes": "earl_person_id",
    "ssd_cin_episodes": "cine_person_id",
    "ssd_cin_assessments": "cina_person_id",
    "ssd_s47_enquiry": "s47e_person_id",
    "ssd_initial_cp_conference": "icpc_person_id",
    "ssd_cp_plans": "cppl_person_id",
    "ssd_cla_episodes": "clae_person_id",
    "ssd_pre_proceedings": "prep_person_id",
    "paper_records": "person_id",
    "iro_challenges": "person_id",
}

#: Date columns that may lie after the audit date: an expected date of birth is a forecast.
MAY_FOLLOW_AUDIT: frozenset[str] = frozenset({"pers_expected_dob"})

COLUMNS = ["table", "row", "column", "value", "problem"]


def _dates(frame: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_datetime(frame[col], format="%Y-%m-%d")


def _date_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.endswith("date") or c.endswith("dob")]


def impossible_rows(tables: dict[str, pd.DataFrame], audit_date: str = "2018-07-31") -> pd.DataFrame:
    """Rows no real extract could hold: one row per (table row, column) found.

    Three checks, over the text tables of :func:`~neglect_analysis.synthetic.generate`:

    * ``end before start``: a span of :data:`SPANS` whose end date is before its start date;
    * ``after death``: a date in a table of :data:`PERSON_COLUMNS` after that person's
      ``pers_death_date`` (ids not in ``ssd_person`` are not checked);
    * ``after audit``: a date after ``audit_date``, in any date column of any table
      (except :data:`MAY_FOLLOW_AUDIT`).

    Returns a DataFrame with columns ``table``, ``row`` (0-based position in the table),
    ``column``, ``value`` (the date as written) and ``problem``; empty when all is well.

    Examples
    --------
    >>> persons = pd.DataFrame({"pers_person_id": ["P1"], "pers_dob": ["2010-01-01"],
    ...                         "pers_death_date": ["2012-05-01"]})
    >>> plans = pd.DataFrame({"cppl_person_id": ["P1", "P1"],
    ...                       "cppl_cp_plan_start_date": ["2011-01-01", "2012-04-01"],
    ...                       "cppl_cp_plan_end_date": ["2010-12-01", "2012-06-01"]})
    >>> impossible_rows({"ssd_person": persons, "ssd_cp_plans": plans}).values.tolist()
    [['ssd_cp_plans', 0, 'cppl_cp_plan_end_date', '2010-12-01', 'end before start'], \
['ssd_cp_plans', 1, 'cppl_cp_plan_end_date', '2012-06-01', 'after death']]
    """
    audit = pd.Timestamp(audit_date)
    found = []

    def add(table, mask, col, problem):
        mask = mask.fillna(False).to_numpy(dtype=bool)
        if mask.any():
            rows = pd.Series(range(len(mask)))[mask]
            found.append(pd.DataFrame({
                "table": table, "row": rows.to_numpy(), "column": col,
                "value": tables[table][col].to_numpy()[mask], "problem": problem}))

    for table, start_col, end_col in SPANS:
        if table in tables:
            t = tables[table]
            add(table, _dates(t, end_col) < _dates(t, start_col), end_col, "end before start")

    if "ssd_person" in tables:
        persons = tables["ssd_person"]
        death = pd.Series(_dates(persons, "pers_death_date").to_numpy(), index=persons["pers_person_id"])
        death = death[death.notna()]
        for table, person_col in PERSON_COLUMNS.items():
            if table not in tables or death.empty:
                continue
            t = tables[table]
            died = pd.Series(t[person_col].map(death).to_numpy(), index=t.index)
            for col in _date_columns(t):
                add(table, _dates(t, col) > died, col, "after death")

    for table, t in tables.items():
        for col in _date_columns(t):
            if col not in MAY_FOLLOW_AUDIT:
                add(table, _dates(t, col) > audit, col, "after audit")

    if not found:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    out = pd.concat(found, ignore_index=True)
    return out.sort_values(["table", "row", "column"], kind="stable").reset_index(drop=True)
