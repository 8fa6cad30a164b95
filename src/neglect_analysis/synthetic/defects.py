"""Realistic defects injected into a synthetic extract, to test the loader and its report.

A clean synthetic extract validates with no error and no warning. ``synthesize --defects``
(:func:`inject_defects`, on the first block of families) writes the faults that real SSD
extracts have instead, a few rows of each, so that the validation report can be seen at work.
Every defect, the table and column it touches and what ``neglect-analysis validate`` does with
it, is listed in :data:`DEFECTS`:

* ``uk_dates``: contact dates written day-first (``31/03/2017``), as some exports do: read
  silently (UK day-first dates are accepted).
* ``sql_datetimes``: referral dates written as SQL Server datetimes
  (``2017-03-31 00:00:00.000``): read silently.
* ``stripped_zeros``: an early-help row whose person id lost its zeros (``P000123`` ->
  ``P123``), as after a pass through a spreadsheet: error, row dropped (not in ssd_person).
* ``parent_only_in_relationships``: an index parent removed from ``ssd_person``, named in
  relationships only: note, kept with an unknown date of birth.
* ``unknown_code``: a CP plan initial category mistyped (``Neglct``): error, category left
  empty.
* ``duplicate_row``: an S47 enquiry row written twice: warning, the copy dropped.
* ``end_before_start``: a CP plan ending the day before it starts: error, end date ignored
  (plan read as open).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: (defect, table, column, what validation does) for each defect :func:`inject_defects` writes.
DEFECTS: tuple[tuple[str, str, str, str], ...] = (
    ("uk_dates", "ssd_contacts", "cont_contact_date", "read silently (day-first date)"),
    ("sql_datetimes", "ssd_cin_episodes", "cine_referral_date", "read silently (SQL datetime)"),
    ("stripped_zeros", "ssd_early_help_episodes", "earl_person_id",
     "error: not in ssd_person, row dropped"),
    ("parent_only_in_relationships", "ssd_person", "pers_person_id",
     "note: parent not in ssd_person, kept"),
    ("unknown_code", "ssd_cp_plans", "cppl_cp_plan_initial_category",
     "error: unknown category, left empty"),
    ("duplicate_row", "ssd_s47_enquiry", "s47e_s47_enquiry_id", "warning: exact copy, dropped"),
    ("end_before_start", "ssd_cp_plans", "cppl_cp_plan_end_date", "error: end date ignored"),
)
#: Salt of the defects' random stream (``SeedSequence([seed, DEFECT_SALT])``): apart from
#: every stream of the generator.
DEFECT_SALT = 424242
SUMMARY_COLUMNS = ["defect", "table", "column", "rows", "validation"]


def _pick(rng: np.random.Generator, candidates: np.ndarray, k: int) -> np.ndarray:
    """Up to ``k`` of ``candidates`` (positions), drawn without replacement, in order."""
    if len(candidates) == 0:
        return candidates
    return np.sort(rng.choice(candidates, size=min(k, len(candidates)), replace=False))


def _index_parents(tables: dict[str, pd.DataFrame]) -> np.ndarray:
    """Ids with five or more birth links in ``relationships`` that are in ``ssd_person``."""
    rel = tables["relationships"]
    links = rel.loc[rel["relationship"].isin(["mother_of", "father_of"]), "person_id"]
    counts = links.value_counts()
    many = counts[counts >= 5].index
    persons = tables["ssd_person"]["pers_person_id"]
    return np.sort(np.asarray(persons[persons.isin(many)], dtype=object))


def inject_defects(tables: dict[str, pd.DataFrame], seed: int,
                   rows_per_defect: int = 3) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The text tables of :func:`~neglect_analysis.synthetic.generate` with every defect of
    :data:`DEFECTS` written into up to ``rows_per_defect`` rows each (one index parent for
    ``parent_only_in_relationships``); and a summary: one row per defect with ``defect``,
    ``table``, ``column``, ``rows`` (rows changed or added) and ``validation`` (what the loader
    does with them). Rows are drawn from ``SeedSequence([seed, DEFECT_SALT])``: the same
    tables and seed give the same defects. ``tables`` is not changed.

    Examples
    --------
    >>> from neglect_analysis.synthetic import generate
    >>> bad, summary = inject_defects(generate(4, seed=1), seed=1)
    >>> summary[["defect", "rows"]].values.tolist()[:3]
    [['uk_dates', 3], ['sql_datetimes', 3], ['stripped_zeros', 3]]
    >>> bad["ssd_contacts"]["cont_contact_date"].str.contains("/").sum()
    np.int64(3)
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), DEFECT_SALT]))
    out = {name: df.copy() for name, df in tables.items()}
    k = rows_per_defect
    changed: dict[str, int] = {}

    c = out["ssd_contacts"]
    rows = _pick(rng, np.arange(len(c)), k)
    iso = c["cont_contact_date"].to_numpy(dtype=object)[rows].astype(str)
    c.loc[c.index[rows], "cont_contact_date"] = [f"{d[8:10]}/{d[5:7]}/{d[:4]}" for d in iso]
    changed["uk_dates"] = len(rows)

    r = out["ssd_cin_episodes"]
    rows = _pick(rng, np.arange(len(r)), k)
    r.loc[r.index[rows], "cine_referral_date"] = r["cine_referral_date"].iloc[rows] + " 00:00:00.000"
    changed["sql_datetimes"] = len(rows)

    eh = out["ssd_early_help_episodes"]
    ids = eh["earl_person_id"].astype(str)
    rows = _pick(rng, np.flatnonzero(ids.str.match(r"^P0+[1-9]").to_numpy()), k)
    eh.loc[eh.index[rows], "earl_person_id"] = ids.iloc[rows].str.replace(r"^P0+", "P", regex=True)
    changed["stripped_zeros"] = len(rows)

    parents = _index_parents(out)
    gone = _pick(rng, np.arange(len(parents)), 1)
    persons = out["ssd_person"]
    out["ssd_person"] = persons[~persons["pers_person_id"].isin(parents[gone])].reset_index(drop=True)
    changed["parent_only_in_relationships"] = len(gone)

    plans = out["ssd_cp_plans"]
    ended = np.flatnonzero(plans["cppl_cp_plan_end_date"].notna().to_numpy())
    both = _pick(rng, ended, 2 * k)
    code_rows, end_rows = both[::2], both[1::2]
    plans.loc[plans.index[code_rows], "cppl_cp_plan_initial_category"] = "Neglct"
    start = pd.to_datetime(plans["cppl_cp_plan_start_date"].iloc[end_rows])
    plans.loc[plans.index[end_rows], "cppl_cp_plan_end_date"] = (
        (start - pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d").to_numpy())
    changed["unknown_code"] = len(code_rows)
    changed["end_before_start"] = len(end_rows)

    s47 = out["ssd_s47_enquiry"]
    rows = _pick(rng, np.arange(len(s47)), k)
    order = np.sort(np.concatenate([np.arange(len(s47)), rows]), kind="stable")
    out["ssd_s47_enquiry"] = s47.iloc[order].reset_index(drop=True)
    changed["duplicate_row"] = len(rows)

    summary = pd.DataFrame([
        {"defect": d, "table": t, "column": col, "rows": changed[d], "validation": v}
        for d, t, col, v in DEFECTS], columns=SUMMARY_COLUMNS)
    return out, summary
