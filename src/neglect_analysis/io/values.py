"""Cell values: Y/N flags, DfE codes, assessment factors and outcome JSON.

Each parser works on the distinct values of a column (a few hundred at most, however long the
table) and maps the result back, so a million-row table costs one ``map``.
"""
from __future__ import annotations

import json
import re

import pandas as pd

from .. import codes
from .arrowtext import distinct_codes, map_distinct

#: Text accepted as a flag (case-insensitive).
TRUE_TEXT: tuple[str, ...] = ("y", "yes", "1", "true", "t")
FALSE_TEXT: tuple[str, ...] = ("n", "no", "0", "false", "f")


def _by_unique(s: pd.Series, fn, dtypes: tuple[str, ...] = ("string",)) -> list[pd.Series]:
    """Apply ``fn`` once per distinct non-missing value of ``s``; map the results to the rows.

    ``fn`` returns one value per entry of ``dtypes`` (a tuple of them when there are several).
    Returns one Series per dtype, aligned with ``s``, missing (NA) where ``s`` is missing.
    The results are typed on the distinct values, then taken to the rows (no Python objects
    per row).

    Examples
    --------
    >>> _by_unique(pd.Series(["a", None, "a"]), str.upper)[0].tolist()
    ['A', <NA>, 'A']
    """
    codes, uniques = distinct_codes(s)
    results = [fn(u) for u in uniques.tolist()]
    if len(dtypes) == 1:
        results = [(r,) for r in results]
    out = []
    for k, dtype in enumerate(dtypes):
        per_value = pd.array([r[k] for r in results], dtype=dtype)
        out.append(pd.Series(per_value.take(codes, allow_fill=True), index=s.index))
    return out


def parse_flags(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Y/N flags to nullable booleans; return ``(flags, bad)``.

    Accepts Y/N, yes/no, 1/0, True/False in any case. Missing -> NA. Anything else -> NA and
    ``bad`` True.

    Examples
    --------
    >>> f, bad = parse_flags(pd.Series(["Y", "no", "TRUE", "0", None, "maybe"]))
    >>> f.tolist(), bad.tolist()
    ([True, False, True, False, <NA>, <NA>], [False, False, False, False, False, True])
    """
    flags = map_distinct(s, _flag_values)
    bad = s.notna() & flags.isna()
    return flags, bad.astype(bool)


def _flag_values(text: pd.Series) -> pd.Series:
    """:func:`parse_flags` on (distinct) text: True, False or NA."""
    low = text.astype("string").str.strip().str.lower()
    flags = pd.Series(pd.NA, index=text.index, dtype="boolean")
    flags[low.isin(TRUE_TEXT).fillna(False).astype(bool)] = True
    flags[low.isin(FALSE_TEXT).fillna(False).astype(bool)] = False
    return flags


def _cp_code(v: str) -> str | None:
    key = " ".join(str(v).split()).lower()
    if key.upper() in codes.CP_CATEGORIES:
        return key.upper()
    return codes.CP_CATEGORY_TEXT.get(key)


def parse_cp_category(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """CP category text or code to the DfE code (``NEG`` ...); return ``(codes, bad)``.

    Codes in any case and spacing (`` neg ``) and SSD text (``Neglect``, ``Physical Abuse``; see
    :data:`neglect_analysis.codes.CP_CATEGORY_TEXT`) are accepted; anything else is bad (NA).

    Examples
    --------
    >>> c, bad = parse_cp_category(pd.Series(["Neglect", " emo ", "Physical  Abuse", "Poverty", None]))
    >>> c.tolist(), bad.tolist()
    (['NEG', 'EMO', 'PHY', <NA>, <NA>], [False, False, False, True, False])
    """
    out = _by_unique(s, _cp_code)[0]
    return out, (s.notna() & out.isna()).astype(bool)


def parse_primary_need(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Primary need codes ``N0``..``N9`` in any case; return ``(codes, bad)``.

    Examples
    --------
    >>> c, bad = parse_primary_need(pd.Series(["n1", "N9 ", "N10", None]))
    >>> c.tolist(), bad.tolist()
    (['N1', 'N9', <NA>, <NA>], [False, False, True, False])
    """
    def known(text: pd.Series) -> pd.Series:
        up = text.str.strip().str.upper()
        return up.where(up.isin(list(codes.PRIMARY_NEED)).fillna(False).astype(bool))

    out = map_distinct(s, known)
    return out.astype("string"), (s.notna() & out.isna()).astype(bool)


def factor_sort_key(code: str) -> tuple[int, str]:
    """Sort key for factor codes: number, then letter (``3B`` before ``16A``)."""
    m = re.match(r"(\d+)(.*)", code)
    return (int(m.group(1)), m.group(2)) if m else (10**6, code)


def _factors(v: str) -> tuple[str, str | None]:
    text = str(v).strip()
    items: list
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            return "", "is not a JSON list of factor codes"
        if not isinstance(items, list):
            return "", "is not a JSON list of factor codes"
        items = [str(i) for i in items if i is not None]
    else:
        items = re.split(r"[,;|]", text)
    cleaned = [str(i).strip().strip("'\"").upper() for i in items]
    cleaned = [c for c in cleaned if c]
    unknown = sorted({c for c in cleaned if c not in codes.ASSESSMENT_FACTORS}, key=factor_sort_key)
    known = sorted({c for c in cleaned if c in codes.ASSESSMENT_FACTORS}, key=factor_sort_key)
    problem = ("has unknown factor code(s) " + ", ".join(unknown)) if unknown else None
    return ",".join(known), problem


def parse_factors(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Assessment factors (JSON array or comma list) to codes joined by ``,``.

    Returns ``(factors, problem)``: ``factors`` holds the known codes, de-duplicated and sorted
    by number then letter (empty string where none); ``problem`` is NA or a description
    (unknown codes are left out of ``factors``). Legacy ``18A``/``19A`` are accepted.

    Examples
    --------
    >>> f, p = parse_factors(pd.Series(['["16A","3B"]', "3b, 18A", '["99Z","1B"]', None]))
    >>> f.tolist()
    ['3B,16A', '3B,18A', '1B', '']
    >>> p.tolist()
    [<NA>, <NA>, 'has unknown factor code(s) 99Z', <NA>]
    """
    factors, problem = _by_unique(s, _factors, ("string", "string"))
    return factors.fillna(""), problem


def _outcome(v: str) -> tuple[str | None, object, str | None]:
    try:
        obj = json.loads(str(v))
    except ValueError:
        return None, pd.NA, "is not a JSON object of Y/N flags"
    if not isinstance(obj, dict):
        return None, pd.NA, "is not a JSON object of Y/N flags"
    set_flags = []
    for key, val in obj.items():
        name = str(key).strip().upper()
        if name.startswith("OUTCOME_"):
            name = name[len("OUTCOME_"):]
        if str(val).strip().lower() in TRUE_TEXT or val is True:
            set_flags.append(name)
    set_flags = sorted(set(set_flags))
    return ";".join(set_flags), "NFA_FLAG" in set_flags, None


def parse_outcome_json(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Contact outcome JSON (object of Y/N flags) -> ``(outcome, nfa, problem)``.

    ``outcome``: the flags set to Y, sorted, joined by ``;`` (older SSD key prefix ``OUTCOME_``
    removed, so ``OUTCOME_NFA_FLAG`` reads as ``NFA_FLAG``). ``nfa``: ``NFA_FLAG`` is Y (NA where
    there is no JSON). ``problem``: NA, or why the JSON could not be read.

    Examples
    --------
    >>> o, nfa, p = parse_outcome_json(pd.Series(['{"NFA_FLAG":"Y","ADVICE_FLAG":"Y","CP_ENQUIRY_FLAG":"N"}',
    ...                                           '{"NEW_REFERRAL_FLAG":"N"}', "oops", None]))
    >>> o.tolist(), nfa.tolist(), p.tolist()
    (['ADVICE_FLAG;NFA_FLAG', '', <NA>, <NA>], [True, False, <NA>, <NA>], [<NA>, <NA>, 'is not a JSON object of Y/N flags', <NA>])
    """
    outcome, nfa, problem = _by_unique(s, _outcome, ("string", "boolean", "string"))
    return outcome, nfa, problem
