"""Pseudonymisation of person ids with a keyed hash (HMAC-SHA256).

The key comes from the ``NEGLECT_ANALYSIS_KEY`` environment variable and is never written
anywhere. The same id gives the same pseudonym in every table, so every aggregate is unchanged
and row-level outputs carry no original ids.
"""
from __future__ import annotations

import hashlib
import hmac
import os

import pandas as pd

from .cohort import Cohort

KEY_VARIABLE = "NEGLECT_ANALYSIS_KEY"
#: Length of a pseudonym in hex characters (64 bits: collisions negligible for any authority).
PSEUDONYM_HEX = 16
MIN_KEY_LENGTH = 16

#: Person-id columns of each canonical table.
PERSON_ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "persons": ("person_id",),
    "links": ("parent_id", "child_id"),
    "partners": ("person_id", "partner_id"),
    "events": ("person_id",),
    "case_review": ("person_id",),
    "iro_challenges": ("person_id",),
}


def key_from_env() -> bytes:
    """The pseudonymisation key from ``NEGLECT_ANALYSIS_KEY``; refuses to run without one."""
    key = os.environ.get(KEY_VARIABLE, "")
    if len(key) < MIN_KEY_LENGTH:
        raise ValueError(
            f"--pseudonymise needs a secret key of at least {MIN_KEY_LENGTH} characters in the "
            f"{KEY_VARIABLE} environment variable. Set it in your session (it is never written "
            f"to any output) and run again."
        )
    return key.encode("utf-8")


def pseudonym_map(ids: pd.Series, key: bytes) -> dict[str, str]:
    """Map each distinct id to ``"X" + first 16 hex characters of HMAC-SHA256(key, id)``.

    Examples
    --------
    >>> m = pseudonym_map(pd.Series(["0012", "0012", "77"]), b"k" * 16)
    >>> len(m), len(m["0012"]), m["0012"] != m["77"]
    (2, 17, True)
    """
    uniq = pd.unique(ids.dropna().astype(str))
    return {
        i: "X" + hmac.new(key, i.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]
        for i in uniq
    }


def pseudonymise_cohort(cohort: Cohort, key: bytes) -> Cohort:
    """Replace every person id in every table by its keyed hash; free text is dropped.

    Paper-record ``detail`` is emptied and ``source_ref`` of paper events (document
    references) is replaced by a pseudonym too, since both can identify a family.
    """
    all_ids = pd.concat(
        [getattr(cohort, t)[c] for t, cols in PERSON_ID_COLUMNS.items() for c in cols],
        ignore_index=True,
    )
    mapping = pseudonym_map(all_ids, key)
    new = {}
    for table, cols in PERSON_ID_COLUMNS.items():
        df = getattr(cohort, table).copy()
        for c in cols:
            df[c] = df[c].map(mapping, na_action="ignore").astype("string")
        new[table] = df
    ev = new["events"]
    ev["detail"] = pd.Series(pd.NA, index=ev.index, dtype="string")
    paper = ev["source"] == "paper"
    refs = pseudonym_map(ev.loc[paper, "source_ref"], key)
    ev.loc[paper, "source_ref"] = ev.loc[paper, "source_ref"].map(refs, na_action="ignore")
    return cohort.with_tables(**new)
