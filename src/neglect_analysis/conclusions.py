"""Sentences of the notebooks' conclusions, each made from computed numbers.

- :func:`escalation_conclusions`: notebook 06 (record-aware time to escalation).
- :func:`backtest_conclusions`: notebook 10 (would a family signal have found them earlier?).

Every number in a sentence is read from the tables passed in; a sentence whose numbers are
missing is left out rather than guessed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .backtest import RULE_WORDS
from .definitions import DAYS_PER_YEAR



def _pct(x: float) -> str:
    return f"{x:.1f}%"


def share_by_age(km: pd.DataFrame, years: float, group: str = "all") -> tuple[float, float, float] | None:
    """Share escalated by age ``years`` (``1 - S``) and its interval (``1 - upper``,
    ``1 - lower``) from an ``escalation_age_km`` table, in percent; None when the curve
    has no event by then.

    Examples
    --------
    >>> km = pd.DataFrame({"group": "all", "age_days": [100, 7000], "survival": [0.9, 0.5],
    ...                    "ci_lower": [0.8, 0.3], "ci_upper": [0.95, 0.7]})
    >>> share_by_age(km, 17)
    (10.0, 5.0, 20.0)
    """
    k = km[(km["group"].astype(str) == group) & (km["age_days"] <= years * DAYS_PER_YEAR)]
    if not len(k):
        return None
    last = k.sort_values("age_days").iloc[-1]
    return (round(100 * (1 - float(last["survival"])), 1), round(100 * (1 - float(last["ci_upper"])), 1),
            round(100 * (1 - float(last["ci_lower"])), 1))


def _hr_sentence(row, what: str, reference: str) -> str:
    hr, lo, hi, p = row["hazard_ratio"], row["ci_lower"], row["ci_upper"], row["p_value"]
    if lo > 1:
        verdict = "higher"
    elif hi < 1:
        verdict = "lower"
    else:
        verdict = None
    numbers = f"hazard ratio {hr:.2f}, 95% interval {lo:.2f} to {hi:.2f}, p = {p:.3f}, errors clustered by family"
    if verdict is None:
        return (f"The hazard of escalation {what} could not be told apart from that {reference} "
                f"({numbers}).")
    return f"The hazard of escalation {what} was {verdict} than {reference} ({numbers})."


def escalation_conclusions(ages: pd.DataFrame, km: pd.DataFrame, cox: pd.DataFrame,
                           cif: pd.DataFrame | None = None, *, age_years: float = 17) -> list[str]:
    """The conclusion of notebook 06, one sentence per item, from the run's tables.

    ``ages``: :func:`neglect_analysis.timescale.age_scale`; ``km``: ``escalation_age_km``;
    ``cox``: ``escalation_cox``; ``cif``: ``escalation_cif``.

    Examples
    --------
    >>> ages = pd.DataFrame({"in_curve": [True, True, False], "event": [1, 0, 0],
    ...     "escalated_before_entry": [False, False, True], "moved_away": [False, True, False]})
    >>> km = pd.DataFrame({"group": "all", "age_days": [100], "survival": [0.5], "ci_lower": [0.2], "ci_upper": [0.8]})
    >>> cox = pd.DataFrame({"term": ["older_sibling_escalated"], "hazard_ratio": [3.0], "ci_lower": [1.5],
    ...     "ci_upper": [6.0], "p_value": [0.002], "n_families": [2]})
    >>> for s in escalation_conclusions(ages, km, cox): print(s)
    2 children were followed from the start of the electronic record (or birth) on the age scale; 1 escalated while followed, 1 moved away, and 1 had escalated before the record began, counted apart.
    By age 17, an estimated 50.0% of the children followed had escalated (95% interval 20.0% to 80.0%).
    The hazard of escalation once an older sibling had escalated was higher than before (hazard ratio 3.00, 95% interval 1.50 to 6.00, p = 0.002, errors clustered by family).
    """
    out = []
    inc = ages[ages["in_curve"].astype(bool)]
    out.append(
        f"{len(inc)} children were followed from the start of the electronic record (or birth) on the age "
        f"scale; {int(inc['event'].sum())} escalated while followed, {int(inc['moved_away'].sum())} moved away, "
        f"and {int(ages['escalated_before_entry'].sum())} had escalated before the record began, counted apart.")
    s = share_by_age(km, age_years)
    if s is not None:
        out.append(f"By age {age_years:g}, an estimated {_pct(s[0])} of the children followed had escalated "
                   f"(95% interval {_pct(s[1])} to {_pct(s[2])}).")
    for g, name in (("eldest", "eldest children"), ("younger", "younger siblings")):
        sg = share_by_age(km, age_years, g)
        if sg is not None:
            out.append(f"For {name}: {_pct(sg[0])} by age {age_years:g} (95% interval {_pct(sg[1])} to {_pct(sg[2])}).")
    c = cox.set_index(cox["term"].astype(str)) if len(cox) else cox
    if len(c) and "older_sibling_escalated" in c.index and pd.notna(c.loc["older_sibling_escalated", "hazard_ratio"]):
        out.append(_hr_sentence(c.loc["older_sibling_escalated"], "once an older sibling had escalated", "before"))
    if len(c) and "younger" in c.index and pd.notna(c.loc["younger", "hazard_ratio"]):
        out.append(_hr_sentence(c.loc["younger"], "of younger siblings", "of eldest children"))
    if cif is not None and len(cif):
        k = cif[cif["age_days"] <= age_years * DAYS_PER_YEAR]
        if len(k):
            last = k.sort_values("age_days").iloc[-1]
            out.append(f"Counting moving away as a competing event, {_pct(100 * last['cif'])} had escalated and "
                       f"{_pct(100 * last['cif_competing'])} had moved away by age {age_years:g}.")
    return out


def backtest_conclusions(summary: pd.DataFrame, ranked: pd.DataFrame | None = None, *,
                         horizon_months: int = 12) -> list[str]:
    """The conclusion of notebook 10, from ``signal_backtest`` (pooled ``all`` rows at
    ``horizon_months``) and the ranked look-now list (``look_now`` of
    :func:`neglect_analysis.pipeline.signal_tables`).

    Examples
    --------
    >>> s = pd.DataFrame({"evaluation_date": "all", "horizon_months": 12, "rule": ["older_sibling_escalated", "own_history"],
    ...     "n_children": [100, 100], "flagged": [10, 30], "true_positives": [2, 3], "missed": [3, 2],
    ...     "sensitivity": [40.0, 60.0], "sensitivity_lower": [10.0, 20.0], "sensitivity_upper": [70.0, 90.0],
    ...     "ppv": [20.0, 10.0], "ppv_lower": [5.0, 2.0], "ppv_upper": [40.0, 20.0], "alerts_per_1000": [100.0, 300.0]})
    >>> for x in backtest_conclusions(s): print(x)
    Rule "an older sibling has escalated": 10 alerts over 100 child-dates (100.0 per 1,000); 2 escalated within 12 months (PPV 20.0%, 95% interval 5.0% to 40.0%); it caught 40.0% of escalations (95% interval 10.0% to 70.0%).
    Rule "the child's own history only": 30 alerts over 100 child-dates (300.0 per 1,000); 3 escalated within 12 months (PPV 10.0%, 95% interval 2.0% to 20.0%); it caught 60.0% of escalations (95% interval 20.0% to 90.0%).
    The highest PPV was that of "an older sibling has escalated" (20.0%); its interval overlaps that of "the child's own history only", so the data do not show that it is better.
    """
    s = summary[(summary["evaluation_date"].astype(str) == "all") & (summary["horizon_months"] == horizon_months)]
    out = []
    for r in s.itertuples(index=False):
        words = RULE_WORDS.get(r.rule, r.rule)
        sent = (f'Rule "{words}": {int(r.flagged)} alerts over {int(r.n_children)} child-dates '
                f"({r.alerts_per_1000:.1f} per 1,000); {int(r.true_positives)} escalated within {horizon_months} months")
        if pd.notna(r.ppv):
            sent += f" (PPV {_pct(r.ppv)}, 95% interval {_pct(r.ppv_lower)} to {_pct(r.ppv_upper)})"
        if pd.notna(r.sensitivity):
            sent += (f"; it caught {_pct(r.sensitivity)} of escalations (95% interval {_pct(r.sensitivity_lower)} "
                     f"to {_pct(r.sensitivity_upper)})")
        out.append(sent + ".")
    known = s[s["ppv"].notna()]
    if len(known) >= 2:
        best = known.sort_values("ppv", ascending=False, kind="stable").iloc[0]
        others = known[known["rule"] != best["rule"]]
        overlap = others[others["ppv_upper"] >= best["ppv_lower"]]
        words = RULE_WORDS.get(best["rule"], best["rule"])
        if len(overlap):
            names = ", ".join(f'"{RULE_WORDS.get(x, x)}"' for x in overlap["rule"])
            out.append(f'The highest PPV was that of "{words}" ({_pct(best["ppv"])}); its interval overlaps that of '
                       f"{names}, so the data do not show that it is better.")
        else:
            out.append(f'The highest PPV was that of "{words}" ({_pct(best["ppv"])}), and its interval does not '
                       "overlap the other rules'.")
    if ranked is not None and len(ranked):
        flagged = ranked[ranked["rule"].notna()]
        if len(flagged):
            age = flagged["signal_age_days"].astype(float)
            out.append(f"Of the {len(ranked)} children to look at now, {len(flagged)} are flagged by a backtested rule; "
                       f"their signals are a median {np.median(age) / DAYS_PER_YEAR:.1f} years old "
                       f"(up to {age.max() / DAYS_PER_YEAR:.1f} years).")
    return out
