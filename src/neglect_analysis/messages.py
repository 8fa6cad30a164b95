"""Key messages of the briefing: one to three plain sentences per briefing point.

The sentences are made from the *published* findings table only
(:meth:`neglect_analysis.briefing.BriefingPack.shown_findings`: counts as text, ``c`` where
suppressed), so they can never say more than the tables beside them.

Disclosure rule (written down here, tested in ``tests/test_messages.py``):

* a measure gives a sentence only when its numerator, its denominator and its share are all
  published (none is ``c``, ``z`` or empty) and its denominator is not 0;
* a suppressed count is never stated, bounded or hinted at ("fewer than 6" is not used either:
  secondary suppression hides counts of any size, so a bound could be false or could narrow a
  cell the disclosure audit protects);
* a point whose measures are all unpublished gets one fixed sentence saying so
  (:data:`NOT_PUBLISHED`), which carries no number;
* numbers are copied as published (the same text as the tables), never recomputed.

Where the findings table carries a family-bootstrap interval (columns ``ci_lower`` and
``ci_upper``, in %), it is quoted with the share. Where a national figure exists
(``national_share``, ``national_year``) it is quoted too.

The same sentences go into ``briefing.html`` (the seven-box summary and each point),
``briefing.md`` and ``briefing.pptx``.
"""
from __future__ import annotations

import pandas as pd

from . import findings
from .definitions import DEFAULTS, Definitions

#: Sentence of a measure that is not in the registry :data:`neglect_analysis.findings.MEASURES`
#: (each registered measure has its own :attr:`~neglect_analysis.findings.Measure.sentence`).
GENERIC_TEMPLATE = "{label}: {n} of {d} ({s})."
#: Which measures speak first for each point (others follow in table order).
PRIORITY: dict[int, tuple[str, ...]] = {
    3: ("groups_with_recurrent_themes", "children_pre_ics_childhood", "pre_ics_children_without_paper_records"),
    5: ("children_repeated_s47", "s47_not_progressing_to_icpc", "rereferrals_12m"),
    6: ("escalated_with_lead_time", "repeat_cp_plans", "cp_plans_not_sustained"),
}
#: The sentence of a point none of whose figures are published (it carries no number).
NOT_PUBLISHED = ("The figures for this point are not published: the counts are small, or could "
                 "reveal small counts.")
#: Most sentences per point.
MAX_SENTENCES = 3
#: Published symbols that are not numbers (DfE: suppressed, not applicable, not available).
SYMBOLS = frozenset({"c", "z", "x", ":", "u", ""})


def is_published(value) -> bool:
    """Whether a published cell holds a number (not ``c``, ``z``, ``:``, empty or missing).

    Examples
    --------
    >>> [is_published(v) for v in ["12", "c", "", None, 0, "44.8", "z"]]
    [True, False, False, False, True, True, False]
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return False
    return str(value).strip() not in SYMBOLS


def _number(value) -> float | None:
    if not is_published(value):
        return None
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None


def share_clause(row: pd.Series | dict) -> str:
    """The share as quoted in a sentence: ``"44.8%"``, with its interval and England's figure.

    The interval is quoted when the row has numeric ``ci_lower`` and ``ci_upper``; England's
    figure when ``national_share`` is published (with ``national_year`` when given).

    Examples
    --------
    >>> share_clause({"share": "44.8"})
    '44.8%'
    >>> share_clause({"share": "44.8", "ci_lower": 30.04, "ci_upper": 58.95,
    ...               "national_share": "22.6", "national_year": "2024"})
    '44.8%; family-bootstrap 95% interval 30.0% to 59.0%; England 22.6% in 2024'
    """
    get = row.get
    parts = [f"{str(get('share')).strip()}%"]
    lo, hi = _number(get("ci_lower")), _number(get("ci_upper"))
    if lo is not None and hi is not None:
        parts.append(f"family-bootstrap 95% interval {lo:.1f}% to {hi:.1f}%")
    nat = get("national_share")
    if is_published(nat):
        year = get("national_year")
        parts.append(f"England {str(nat).strip()}%" + (f" in {str(year).strip()}" if is_published(year) else ""))
    return "; ".join(parts)


def measure_sentence(row: pd.Series | dict, definitions: Definitions = DEFAULTS) -> str | None:
    """The sentence of one published findings row, or None when it may not be stated.

    None when the numerator, denominator or share is not published (``c``, ``z``, empty) or
    the denominator is 0 (see the module's disclosure rule). The sentence is the measure's
    :attr:`~neglect_analysis.findings.Measure.sentence` in the registry (one description per
    measure, beside its definition), its thresholds in the words of ``definitions`` (the run's
    :class:`~neglect_analysis.definitions.Definitions`); a measure not in the registry gets
    :data:`GENERIC_TEMPLATE`.

    Examples
    --------
    >>> measure_sentence({"measure": "repeat_cp_plans", "label": "Repeat plans",
    ...                   "numerator": "12", "denominator": "40", "share": "30.0"})
    "12 of this authority's 40 child protection plans (30.0%) were a second or subsequent plan."
    >>> measure_sentence({"measure": "repeat_cp_plans", "label": "Repeat plans",
    ...                   "numerator": "c", "denominator": "40", "share": "c"}) is None
    True
    """
    get = row.get
    n, d, s = get("numerator"), get("denominator"), get("share")
    if not (is_published(n) and is_published(d) and is_published(s)):
        return None
    if _number(d) == 0:
        return None
    n, d, s = str(n).strip(), str(d).strip(), share_clause(row)
    measure = findings.MEASURES_BY_NAME.get(str(get("measure")))
    if measure is not None:
        return measure.say(n, d, s, definitions)
    return GENERIC_TEMPLATE.format(n=n, d=d, s=s, label=str(get("label", get("measure"))).strip())


def key_messages(shown: pd.DataFrame, *, definitions: Definitions = DEFAULTS,
                 max_sentences: int = MAX_SENTENCES) -> pd.DataFrame:
    """One to ``max_sentences`` sentences per briefing point, from the published findings.

    Parameters
    ----------
    shown
        The findings table as published (``point``, ``measure``, ``label``, ``numerator``,
        ``denominator``, ``share`` as text with ``c`` where suppressed; optional
        ``national_share``, ``national_year``, ``ci_lower``, ``ci_upper``).
    definitions
        The run's definitions: the thresholds the sentences name (e.g. "at least 90 days
        earlier") are in their words.
    max_sentences
        Most sentences per point.

    Returns
    -------
    DataFrame
        ``point``, ``rank`` (1 = the point's headline), ``measure`` (empty for
        :data:`NOT_PUBLISHED`), ``sentence``; points in the order of ``shown``. The measures of
        :data:`PRIORITY` speak first, the rest in table order.

    Examples
    --------
    >>> shown = pd.DataFrame({"point": [6, 6, 7], "label": ["x", "y", "z"],
    ...     "measure": ["repeat_cp_plans", "escalated_with_lead_time", "cp_plans_with_iro_challenge"],
    ...     "numerator": ["12", "13", "c"], "denominator": ["40", "29", "c"],
    ...     "share": ["30.0", "44.8", "c"]})
    >>> km = key_messages(shown)
    >>> km[["point", "rank", "measure"]].values.tolist()
    [[6, 1, 'escalated_with_lead_time'], [6, 2, 'repeat_cp_plans'], [7, 1, '']]
    >>> km["sentence"].iloc[0]
    "13 of the 29 escalated children with an older sibling (44.8%) could have been flagged at least 90 days earlier by reading their older siblings' history."
    """
    rows: list[dict] = []
    for point in dict.fromkeys(shown["point"].tolist()):
        part = shown[shown["point"] == point]
        first = PRIORITY.get(int(point), ())
        order = sorted(range(len(part)), key=lambda i: (
            first.index(part["measure"].iloc[i]) if part["measure"].iloc[i] in first else len(first), i))
        said: list[tuple[str, str]] = []
        for i in order:
            row = part.iloc[i]
            text = measure_sentence(row, definitions)
            if text is not None:
                said.append((str(row["measure"]), text))
            if len(said) == max_sentences:
                break
        if not said:
            said = [("", NOT_PUBLISHED)]
        rows += [{"point": point, "rank": k + 1, "measure": m, "sentence": t} for k, (m, t) in enumerate(said)]
    return pd.DataFrame(rows, columns=["point", "rank", "measure", "sentence"])


def point_messages(messages: pd.DataFrame) -> dict[int, list[str]]:
    """The sentences of each point, in rank order, from :func:`key_messages`.

    Examples
    --------
    >>> point_messages(pd.DataFrame({"point": [1, 1, 2], "rank": [2, 1, 1], "measure": "",
    ...                              "sentence": ["b", "a", "c"]}))
    {1: ['a', 'b'], 2: ['c']}
    """
    ordered = messages.sort_values(["point", "rank"], kind="stable")
    return {int(p): g["sentence"].tolist() for p, g in ordered.groupby("point", sort=False)}


def curve_sentence(monthly: pd.DataFrame, group: str = "all") -> str | None:
    """The sentence under the briefing's age-scale survival figure, from its published data.

    ``monthly`` is the figure's data (:func:`neglect_analysis.summaries.km_age_monthly`:
    ``group``, ``age_months``, ``survival``, ``ci_lower``, ``ci_upper``, with a row at every
    whole year of age). The sentence quotes the share escalated, ``100 x (1 - survival)``, at
    the last whole year of age drawn, with its interval ``100 x (1 - ci_upper)`` to
    ``100 x (1 - ci_lower)``: numbers of the published table, nothing more. None when the
    group is not drawn to a first birthday or has no interval there.

    Examples
    --------
    Drawn to month 30: the last whole year is 2 (month 24), survival 0.8 (0.7 to 0.9).

    >>> m = pd.DataFrame({"group": "all", "age_months": [0, 12, 24, 30], "survival": [1.0, 0.9, 0.8, 0.75],
    ...                   "ci_lower": [1.0, 0.8, 0.7, 0.6], "ci_upper": [1.0, 0.95, 0.9, 0.85]})
    >>> curve_sentence(m)
    'Followed from the start of the electronic record, an estimated 20.0% of children had escalated by the age of 2 (95% interval 10.0% to 30.0%).'
    >>> curve_sentence(m[m["age_months"] < 12]) is None
    True
    """
    part = monthly[(monthly["group"].astype(str) == group).to_numpy(dtype=bool)]
    if part.empty:
        return None
    years = int(part["age_months"].max()) // 12
    row = part[(part["age_months"] == 12 * years).to_numpy(dtype=bool)]
    if years < 1 or row.empty:
        return None
    s, lo, hi = (float(row[c].iloc[0]) for c in ("survival", "ci_lower", "ci_upper"))
    if any(pd.isna(v) for v in (s, lo, hi)):
        return None
    return (f"Followed from the start of the electronic record, an estimated {100 * (1 - s):.1f}% of "
            f"children had escalated by the age of {years} (95% interval {100 * (1 - hi):.1f}% to "
            f"{100 * (1 - lo):.1f}%).")


#: The Cox term quoted under the survival figure (``escalation_cox.csv``).
COX_TERM = "older_sibling_escalated"


def _ratio(v: float) -> str:
    return f"{v:.2f}" if v < 1 else f"{v:.1f}"


def cox_sentence(cox: pd.DataFrame, term: str = COX_TERM) -> str | None:
    """The hazard ratio of "an older sibling has escalated" in words, with its family-clustered
    95% interval (``escalation_cox.csv``, :func:`neglect_analysis.inference.cox_clustered`).

    No p-value and no count is quoted. Ratios of 1 or more to 1 decimal, below 1 to 2. Where
    the interval includes 1 the sentence says so. None when the term has no finite estimate.

    Examples
    --------
    >>> cox = pd.DataFrame({"term": ["older_sibling_escalated"], "hazard_ratio": [7.56],
    ...                     "ci_lower": [2.19], "ci_upper": [26.05]})
    >>> cox_sentence(cox)
    'Comparing children of the same age, those whose older sibling had already escalated were escalating at 7.6 times the rate of those whose older siblings had not (95% interval 2.2 to 26.1, allowing for families).'
    >>> cox_sentence(cox.assign(ci_lower=0.8))[-47:]
    'families); the interval includes no difference.'
    >>> cox_sentence(cox.assign(hazard_ratio=float("nan"))) is None
    True
    """
    if cox is None or "term" not in cox:
        return None
    row = cox[(cox["term"].astype(str) == term).to_numpy(dtype=bool)]
    if row.empty:
        return None
    hr, lo, hi = (float(row[c].iloc[0]) for c in ("hazard_ratio", "ci_lower", "ci_upper"))
    if not all(v == v and 0 < v < float("inf") for v in (hr, lo, hi)):
        return None
    text = (f"Comparing children of the same age, those whose older sibling had already escalated were "
            f"escalating at {_ratio(hr)} times the rate of those whose older siblings had not (95% interval "
            f"{_ratio(lo)} to {_ratio(hi)}, allowing for families)")
    return text + ("; the interval includes no difference." if lo <= 1 <= hi else ".")
