"""Pseudonymisation: every case-system key replaced by a keyed hash (HMAC-SHA256).

DESIGN.md "Privacy": ids may be pseudonymised on load with a keyed hash, the key from an
environment variable (:data:`KEY_VARIABLE`), never stored. The issue behind ``--pseudonymise``:
every person id is replaced consistently across tables, so aggregates are unchanged and
row-level outputs carry no original ids; free-text columns are left out unless asked for.

What is replaced, and why (choices a careful auditor would make):

* person ids (``persons``, both ends of ``links`` and ``partners``, ``events``,
  ``case_review``, ``iro_challenges``): namespace ``person``, pseudonym ``"X"`` + 16 hex.
* event ids: an SSD event id (referral, S47, CP plan id...) can be looked up in the case
  system, so it identifies a child as surely as a person id. ``events.event_id``,
  ``events.linked_event_id`` and ``iro_challenges.cp_plan_id`` are one namespace (``event``,
  pseudonym ``"E"`` + 16 hex), so an S47 still links to its referral, an ICPC to its S47 and
  an IRO challenge to its plan.
* ``events.source_ref``: extract events keep their table name and lose the row number
  (``"ssd_cp_plans:R<hash>"``); paper events' document references are replaced whole
  (``"R"`` + 16 hex). Both are lookup keys into the extract or the paper file.
* ``case_review.reviewer`` (a member of staff): namespace ``staff`` (``"S"`` + 16 hex).
* free text: paper ``detail`` and IRO ``theme`` are emptied unless ``keep_free_text=True``
  (a theme written as one of :data:`~neglect_analysis.codes.STANDARD_IRO_THEMES` is a category
  label and is kept).

Identical text in the same namespace always gives the same pseudonym under the same key; the
namespace is part of the hashed message, so a person id and an event id that happen to be
equal get unrelated pseudonyms. 64 bits per pseudonym: a collision among a million ids has
probability about 3e-8, and :func:`pseudonym_map` raises if one ever occurs.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import replace
from typing import Iterable, Mapping

import pandas as pd

from .codes import STANDARD_IRO_THEMES
from .cohort import PERSON_ID_COLUMNS, Cohort

KEY_VARIABLE = "NEGLECT_ANALYSIS_KEY"
#: Length of a pseudonym's hash part in hex characters (64 bits).
PSEUDONYM_HEX = 16
#: Shortest key accepted (characters).
MIN_KEY_LENGTH = 16

#: Namespace -> first character of its pseudonyms.
NAMESPACE_PREFIX: dict[str, str] = {"person": "X", "event": "E", "ref": "R", "staff": "S"}


#: Event-id columns (case-system keys of involvements), one namespace.
EVENT_ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": ("event_id", "linked_event_id"),
    "iro_challenges": ("cp_plan_id",),
}

#: Free-text columns emptied unless ``keep_free_text=True``.
FREE_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": ("detail",),
    "iro_challenges": ("theme",),
}



def key_from_env(environ: Mapping[str, str] | None = None, *, min_length: int = MIN_KEY_LENGTH) -> bytes:
    """The pseudonymisation key from ``NEGLECT_ANALYSIS_KEY``; refuses to run without one.

    Raises ``ValueError`` (the command line's usage error, exit 2) when the variable is unset
    or shorter than ``min_length`` characters. The message never contains the key.

    Examples
    --------
    >>> key_from_env({"NEGLECT_ANALYSIS_KEY": "a-long-secret-key-123"})
    b'a-long-secret-key-123'
    >>> key_from_env({})
    Traceback (most recent call last):
    ...
    ValueError: --pseudonymise needs a secret key of at least 16 characters in the NEGLECT_ANALYSIS_KEY environment variable, and it is not set. Set it in your session (it is never written to any output) and run again.
    """
    env = os.environ if environ is None else environ
    key = env.get(KEY_VARIABLE, "")
    if len(key) < min_length:
        state = "and it is not set" if not key else f"and it has only {len(key)}"
        raise ValueError(
            f"--pseudonymise needs a secret key of at least {min_length} characters in the "
            f"{KEY_VARIABLE} environment variable, {state}. Set it in your session (it is "
            f"never written to any output) and run again."
        )
    return key.encode("utf-8")


def _digest(key: bytes, namespace: str, value: str) -> str:
    msg = f"{namespace}\x1f{value}".encode("utf-8")
    return NAMESPACE_PREFIX[namespace] + hmac.new(key, msg, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def pseudonym_map(ids: pd.Series | Iterable[str], key: bytes, *, namespace: str = "person") -> dict[str, str]:
    """Map each distinct id to its pseudonym: prefix + 16 hex of HMAC-SHA256(key, namespace, id).

    Missing values are left out. One HMAC per distinct id. Raises ``ValueError`` if two ids
    would share a pseudonym (never expected; it would silently merge two people).

    Examples
    --------
    >>> m = pseudonym_map(pd.Series(["0012", "0012", "77", None]), b"k" * 16)
    >>> len(m), len(m["0012"]), m["0012"][0], m["0012"] != m["77"]
    (2, 17, 'X', True)
    >>> pseudonym_map(["0012"], b"k" * 16, namespace="event")["0012"][0]
    'E'
    """
    s = pd.Series(ids, dtype="string").dropna()
    mapping = {i: _digest(key, namespace, i) for i in pd.unique(s.to_numpy(dtype=object))}
    if len(set(mapping.values())) != len(mapping):
        raise ValueError("two ids share a pseudonym: use a longer PSEUDONYM_HEX")
    return mapping


def pseudonymise_ids(ids: Iterable[str], key: bytes, *, namespace: str = "person") -> list[str]:
    """Pseudonyms of ``ids`` in order (e.g. ``--index-parents`` given with original ids).

    Examples
    --------
    >>> k = b"k" * 16
    >>> pseudonymise_ids(["P1"], k) == [pseudonym_map(["P1"], k)["P1"]]
    True
    """
    ids = [str(i) for i in ids]
    m = pseudonym_map(ids, key, namespace=namespace)
    return [m[i] for i in ids]


def _map_columns(df: pd.DataFrame, cols: Iterable[str], mapping: dict[str, str]) -> dict[str, pd.Series]:
    return {c: df[c].map(mapping, na_action="ignore").astype("string") for c in cols}


def _source_refs(ev: pd.DataFrame, key: bytes) -> pd.Series:
    """Extract refs keep the table name, paper refs are replaced whole (module docstring)."""
    ref = ev["source_ref"].astype("string")
    mapping = pseudonym_map(ref, key, namespace="ref")
    hashed = ref.map(mapping, na_action="ignore").astype("string")
    table = ref.str.extract(r"^([^:]+):", expand=False)
    ics = (ev["source"] != "paper") & table.notna()
    return hashed.where(~ics, table + ":" + hashed)


def pseudonymise_cohort(cohort: Cohort, key: bytes, *, keep_free_text: bool = False) -> Cohort:
    """A copy of ``cohort`` with every case-system key replaced by its keyed hash.

    Implements DESIGN.md "Privacy" (see the module docstring for what is replaced and why).
    Links still resolve and events still attach, because each namespace maps the same text to
    the same pseudonym in every table; every aggregate is therefore unchanged, except where
    ids break ties (birth order of same-day births is ordered by id). ``cohort.meta`` gains
    ``pseudonymised: True``; the key is stored nowhere. The input is not modified.

    Parameters
    ----------
    keep_free_text : keep paper ``detail`` and IRO ``theme`` (default: emptied).

    Examples
    --------
    >>> c = Cohort.from_frames(
    ...     persons=pd.DataFrame({"person_id": ["M1", "C1"], "dob": ["1980-01-01", "2005-06-01"]}),
    ...     links=pd.DataFrame({"parent_id": ["M1"], "child_id": ["C1"], "relationship": ["mother_of"]}),
    ...     events=pd.DataFrame({"event_id": ["CP1"], "person_id": ["C1"], "event_type": ["cp_plan"],
    ...                          "start_date": ["2010-01-01"]}),
    ...     iro_challenges=pd.DataFrame({"person_id": ["C1"], "cp_plan_id": ["CP1"], "theme": ["Drift"]}),
    ...     audit_date="2018-07-31")
    >>> p = pseudonymise_cohort(c, b"a-long-secret-key-123")
    >>> p.links.loc[0, "child_id"] == p.events.loc[0, "person_id"] != "C1"
    True
    >>> p.iro_challenges.loc[0, "cp_plan_id"] == p.events.loc[0, "event_id"], p.iro_challenges.loc[0, "theme"]
    (True, <NA>)
    """
    # The person ids are the categories of the Cohort's one person dtype: each is hashed once
    # and every person-id column is renamed through the same map (categories, not rows).
    person_map = pseudonym_map(pd.Series(cohort.person_dtype.categories), key, namespace="person")
    events = pd.concat(
        [getattr(cohort, t)[c] for t, cols in EVENT_ID_COLUMNS.items() for c in cols], ignore_index=True
    )
    event_map = pseudonym_map(events, key, namespace="event")

    new: dict[str, pd.DataFrame] = {}
    for table in PERSON_ID_COLUMNS:
        df = getattr(cohort, table)
        cols = _map_columns(df, PERSON_ID_COLUMNS[table], person_map)
        cols |= _map_columns(df, EVENT_ID_COLUMNS.get(table, ()), event_map)
        if not keep_free_text:
            cols |= {c: pd.Series(pd.NA, index=df.index, dtype="string") for c in FREE_TEXT_COLUMNS.get(table, ())}
            if table == "iro_challenges" and "theme" in df:
                # a standard theme label is a category, not free text: kept
                theme = df["theme"].astype("string")
                standard = theme.str.strip().str.lower().isin([t.lower() for t in STANDARD_IRO_THEMES])
                cols["theme"] = theme.where(standard.fillna(False).to_numpy(dtype=bool))
        new[table] = df.assign(**cols)
    new["events"] = new["events"].assign(source_ref=_source_refs(cohort.events, key))
    cr = cohort.case_review
    new["case_review"] = new["case_review"].assign(
        reviewer=cr["reviewer"].map(pseudonym_map(cr["reviewer"], key, namespace="staff"),
                                    na_action="ignore").astype("string")
    )
    out = cohort.with_tables(**new)
    return replace(out, meta={**dict(cohort.meta), "pseudonymised": True})


def pseudonymise_problems(problems, key: bytes) -> pd.DataFrame:
    """The validation report's problems with ids replaced as :func:`pseudonymise_cohort` does.

    ``problems``: a :class:`~neglect_analysis.io.ValidationReport` (its ``marked`` problems are
    used), or a problems frame whose texts mark their quoted values
    (:func:`~neglect_analysis.io.validation.quote`). Each problem text is built again from its
    values: every quoted person or event id becomes its pseudonym (namespace ``person`` or
    ``event``, so it matches the pseudonymised cohort), other quoted values are shown as in
    the plain report. Nothing is looked for in the words of the text, so an id holding spaces
    or commas is replaced whole. A problem's ``value`` in an id column (name ending ``_id``:
    ``...person_id`` in the ``person`` namespace, any other in ``event``) is replaced by its
    pseudonym, even when the row was dropped and the id is not in the cohort. Row numbers,
    dates and codes are kept: the auditor needs them to correct the extract. The input is not
    modified.

    Examples
    --------
    >>> from neglect_analysis.io.validation import quote
    >>> pr = pd.DataFrame({"value": ["P 9, 1"], "column": ["person_id"],
    ...                    "problem": ["relationships.csv row 4: person_id " + quote("P 9, 1", "person")
    ...                                + " is not in ssd_person"]})
    >>> out = pseudonymise_problems(pr, b"k" * 16)
    >>> x = pseudonym_map(["P 9, 1"], b"k" * 16)["P 9, 1"]
    >>> out.loc[0, "value"] == x, out.loc[0, "problem"] == f"relationships.csv row 4: person_id {x} is not in ssd_person"
    (True, True)
    """
    from .io.validation import id_kind, render_problems, shorten_values

    marked = getattr(problems, "marked", None)
    if marked is None and not isinstance(problems, pd.DataFrame):
        marked = problems.problems  # a report made without marks: nothing marked to replace
    out = (problems if marked is None else marked).copy()
    if out.empty:
        return out
    value = out["value"].astype("string")
    kind = out["column"].astype("string").fillna("").map(id_kind)
    names: dict[tuple[str, str], str] = {}

    def pseudonym(namespace: str, text: str) -> str:
        if (namespace, text) not in names:
            names[(namespace, text)] = _digest(key, namespace, text)
        return names[(namespace, text)]

    is_id = ((kind != "text") & value.notna()).to_numpy(dtype=bool)
    new_value = value.copy()
    if is_id.any():
        new_value[is_id] = [pseudonym(k, v) for k, v in zip(kind[is_id], value[is_id])]
    out["value"] = shorten_values(new_value)
    out["problem"] = render_problems(out["problem"], ids=pseudonym)
    return out
