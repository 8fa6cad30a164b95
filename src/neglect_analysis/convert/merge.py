"""Several years at once: keep each record once, the latest year winning, and list conflicts.

The CIN census repeats every episode still open at 31 March in the next year's file (and the
SSDA903 its open episodes). :func:`latest_versions` keeps one row per key (a child, a child
and referral date, a child and assessment start date ...), the row of the latest file
(files ranked by collection year, then by the order given), and reports every *disagreement*:
an earlier file holding a value that differs from the value kept. A value that appears in a
later year where an earlier one was empty (an episode closed, a plan ended, an assessment
authorised after 31 March) is the record progressing, not a disagreement, and is not
reported. A value present earlier and empty later is a disagreement: the later file wins
(e.g. the episode is open again) and the note names both files.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def latest_versions(df: pd.DataFrame, keys: list[str], columns: list[str], *,
                    labels: dict[str, str] | None = None,
                    describe: pd.Series | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per ``keys``, taken from the latest version; and the disagreements.

    Parameters
    ----------
    df
        The versions: ``keys``, ``columns`` (text or dates, compared as text, NA = empty),
        ``rank`` (larger = later file) and ``file`` (its name, for messages).
    keys, columns
        Key columns and compared columns.
    labels
        Column -> name used in messages (the census element), default the column name.
    describe
        Per row of ``df``: how the record is named in messages (e.g. ``child C1 referral
        2019-05-01``); default the key values joined by spaces.

    Returns
    -------
    (kept, conflicts)
        ``kept``: the rows of the latest version, in key order (index reset). ``conflicts``:
        ``record``, ``column``, ``old``, ``old_file``, ``new``, ``new_file``, one row per
        earlier value that differs from the kept value.

    Examples
    --------
    >>> v = pd.DataFrame({"child": ["C1", "C1", "C1", "C2"],
    ...                   "close": [None, "2020-06-30", "2020-07-15", None],
    ...                   "rank": [0, 1, 2, 0], "file": ["a.xml", "b.xml", "c.xml", "a.xml"]})
    >>> kept, conflicts = latest_versions(v, ["child"], ["close"])
    >>> kept[["child", "close", "file"]].astype("string").fillna("").values.tolist()
    [['C1', '2020-07-15', 'c.xml'], ['C2', '', 'a.xml']]
    >>> conflicts[["record", "old", "old_file", "new", "new_file"]].values.tolist()
    [['C1', '2020-06-30', 'b.xml', '2020-07-15', 'c.xml']]
    """
    labels = labels or {}
    order = df.sort_values(keys + ["rank"], kind="stable").index
    d = df.loc[order].reset_index(drop=True)
    desc = (describe.loc[order].reset_index(drop=True) if describe is not None
            else _joined(d, keys, " "))
    key_text = _joined(d, keys, "\x1f", missing="\x00")
    last = ~key_text.duplicated(keep="last").to_numpy()
    group = np.cumsum(np.r_[True, (key_text.to_numpy()[1:] != key_text.to_numpy()[:-1])]) - 1 \
        if len(d) else np.zeros(0, dtype=int)
    last_pos = np.flatnonzero(last)  # one per group, in group order
    at = last_pos[group] if len(d) else np.zeros(0, dtype=int)
    parts = []
    earlier = ~last
    for col in columns:
        text = _as_text(d[col])
        kept = text.to_numpy(dtype=object)[at]
        old = text.to_numpy(dtype=object)
        old_present = pd.notna(old)
        kept_text = pd.Series(kept, dtype="string")
        differs = old_present & earlier & ~(pd.Series(old, dtype="string") == kept_text).fillna(False).to_numpy()
        if differs.any():
            idx = np.flatnonzero(differs)
            parts.append(pd.DataFrame({
                "record": desc.iloc[idx].to_numpy(), "column": labels.get(col, col),
                "old": old[idx], "old_file": d["file"].to_numpy()[idx],
                "new": kept[idx], "new_file": d["file"].to_numpy()[at[idx]],
            }))
    conflicts = (pd.concat(parts, ignore_index=True) if parts else
                 pd.DataFrame(columns=["record", "column", "old", "old_file", "new", "new_file"]))
    return d[last].reset_index(drop=True), conflicts


def _joined(d: pd.DataFrame, keys: list[str], sep: str, missing: str = "") -> pd.Series:
    """The key columns as one text per row (vectorised concatenation)."""
    out = d[keys[0]].astype("string").fillna(missing)
    for k in keys[1:]:
        out = out + sep + d[k].astype("string").fillna(missing)
    return out


def _as_text(s: pd.Series) -> pd.Series:
    """Values compared as text: dates ISO, NA kept."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%Y-%m-%d").astype("string")
    return s.astype("string")


def conflict_messages(conflicts: pd.DataFrame) -> pd.Series:
    """One sentence per disagreement, naming both files.

    Examples
    --------
    >>> c = pd.DataFrame({"record": ["child C1 referral 2019-05-01"], "column": ["CINclosureDate"],
    ...                   "old": ["2020-06-30"], "old_file": ["cin_2020.xml"], "new": [None],
    ...                   "new_file": ["cin_2021.xml"]})
    >>> conflict_messages(c).tolist()[0]
    'child C1 referral 2019-05-01: CINclosureDate 2020-06-30 in cin_2020.xml but empty in cin_2021.xml; the later (cin_2021.xml) is used'
    """
    new = conflicts["new"].astype("string").fillna("")
    said = new.where(new != "", "empty")
    same_file = conflicts["old_file"] == conflicts["new_file"]
    where = ("in " + conflicts["new_file"].astype("string")).where(
        ~same_file, "later in the same file")
    return (conflicts["record"].astype("string") + ": " + conflicts["column"].astype("string") + " "
            + conflicts["old"].astype("string") + " in " + conflicts["old_file"].astype("string")
            + " but " + said + " " + where + "; the later ("
            + conflicts["new_file"].astype("string") + ") is used")
