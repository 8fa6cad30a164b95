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
from .definitions import DAYS_PER_YEAR, DEFAULTS, Definitions



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


# ----------------------------------------------------------------------------- notebooks 01-05, 07
# Sentences read the findings table (:func:`neglect_analysis.findings.findings`, unsuppressed:
# the notebooks are the analyst's view) and the notebook's own tables. A measure with a zero
# base, or missing from the table, gives no sentence.

def finding_row(found: pd.DataFrame, measure: str) -> pd.Series | None:
    """The findings row of ``measure``, or None when it is missing or its base is 0.

    Examples
    --------
    >>> f = pd.DataFrame({"measure": ["a", "b"], "numerator": [1, 0], "denominator": [4, 0]})
    >>> int(finding_row(f, "a")["numerator"]), finding_row(f, "b"), finding_row(f, "z")
    (1, None, None)
    """
    rows = found[found["measure"] == measure]
    if not len(rows) or not rows["denominator"].iloc[0]:
        return None
    return rows.iloc[0]


def share_text(row: pd.Series) -> str:
    """``"12.5%"`` and, where the row has them, England's figure and the rest of the authority.

    Examples
    --------
    >>> share_text(pd.Series({"numerator": 1, "denominator": 8}))
    '12.5%'
    >>> share_text(pd.Series({"numerator": 1, "denominator": 8, "national_share": 20.0,
    ...     "national_period": "2017-18", "authority_share": 9.95}))
    '12.5%; England 20.0% in 2017-18; rest of the authority 9.9%'
    """
    out = _pct(100 * int(row["numerator"]) / int(row["denominator"]))
    nat = row.get("national_share")
    if nat is not None and pd.notna(nat):
        period = row.get("national_period")
        out += f"; England {_pct(float(nat))}" + (f" in {period}" if isinstance(period, str) and period else "")
    rest = row.get("authority_share")
    if rest is not None and pd.notna(rest):
        out += f"; rest of the authority {_pct(float(rest))}"
    return out


def finding_lines(found: pd.DataFrame, points) -> list[str]:
    """One line per finding of the briefing ``points``: its description, ``n of d`` and share
    (:func:`share_text`), or ``no base`` where the denominator is 0.

    Examples
    --------
    >>> f = pd.DataFrame({"point": [4, 4, 5], "description": ["Children with x", "Children with y", "z"],
    ...                   "measure": ["x", "y", "z"], "numerator": [3, 0, 1], "denominator": [12, 0, 2]})
    >>> for line in finding_lines(f, [4]): print(line)
    Children with x: 3 of 12 (25.0%)
    Children with y: 0 of 0 (no base)
    """
    out = []
    for _, r in found[found["point"].isin(list(points))].iterrows():
        share = share_text(r) if r["denominator"] else "no base"
        out.append(f"{r['description']}: {int(r['numerator'])} of {int(r['denominator'])} ({share})")
    return out


def _spread_words(values: pd.Series, unit: str) -> str | None:
    v = pd.to_numeric(values, errors="coerce").dropna()
    if not len(v):
        return None
    return f"a median of {v.median():g} {unit} (from {v.min():g} to {v.max():g})"


def cohort_conclusions(found: pd.DataFrame, groups: pd.DataFrame, *,
                       definitions: Definitions = DEFAULTS) -> list[str]:
    """The conclusion of notebook 01 (points 2 and 3): group sizes, spans, gaps, half-siblings,
    partner changes and adult children.

    ``found``: the findings table; ``groups``: ``sibling_groups.csv`` (``n_children``,
    ``age_span_years``); ``definitions``: the run's, whose thresholds the sentences name
    (``large_gap_years``, ``adult_age_years``).

    Examples
    --------
    >>> groups = pd.DataFrame({"n_children": [5, 6, 9], "age_span_years": [10.5, 12.0, 20.25]})
    >>> found = pd.DataFrame({"measure": ["groups_with_large_age_gap", "groups_with_half_siblings",
    ...     "groups_with_partner_changes", "children_adult_at_audit"],
    ...     "numerator": [1, 2, 3, 4], "denominator": [3, 3, 3, 20]})
    >>> for s in cohort_conclusions(found, groups): print(s)
    The 3 sibling groups have a median of 6 children (from 5 to 9); their eldest and youngest children are a median of 12 years apart (from 10.5 to 20.2).
    In 1 of the 3 groups (33.3%) the largest gap between consecutive children is 5 years or more.
    2 of the 3 groups (66.7%) have children of two or more other birth parents; in 3 (100.0%) the index parent had more than one partner.
    4 of the 20 children (20.0%) were 18 or over at the audit date: their history belongs to the family's story too.
    """
    out, terms = [], definitions.terms()
    size = _spread_words(groups["n_children"], "children")
    if size is not None:
        span = pd.to_numeric(groups["age_span_years"], errors="coerce").dropna().round(1)
        s = f"The {len(groups)} sibling groups have {size}"
        if len(span):
            s += (f"; their eldest and youngest children are a median of {span.median():g} years apart "
                  f"(from {span.min():g} to {span.max():g})")
        out.append(s + ".")
    r = finding_row(found, "groups_with_large_age_gap")
    if r is not None:
        out.append(f"In {int(r['numerator'])} of the {int(r['denominator'])} groups ({share_text(r)}) the largest "
                   f"gap between consecutive children is {terms['large_gap_period']} or more.")
    half, partners = finding_row(found, "groups_with_half_siblings"), finding_row(found, "groups_with_partner_changes")
    if half is not None:
        s = (f"{int(half['numerator'])} of the {int(half['denominator'])} groups ({share_text(half)}) have "
             "children of two or more other birth parents")
        if partners is not None:
            s += (f"; in {int(partners['numerator'])} ({share_text(partners)}) the index parent had more "
                  "than one partner")
        out.append(s + ".")
    r = finding_row(found, "children_adult_at_audit")
    if r is not None:
        out.append(f"{int(r['numerator'])} of the {int(r['denominator'])} children ({share_text(r)}) were "
                   f"{terms['adult_age_years']} or over at the audit date: their history belongs to the family's "
                   "story too.")
    return out


def paper_share_by_adulthood(by_child: pd.DataFrame, *, definitions: Definitions = DEFAULTS) -> pd.DataFrame:
    """Involvements of the children who are adults at the audit date and of those under 18,
    and the share of them on paper (:func:`neglect_analysis.record_sources.child_record_sources`,
    each child once).

    Returns ``children`` (``adult at audit``, then ``under 18``: the age of ``definitions``),
    ``n_children``, ``n_events``, ``n_events_paper``, ``paper_share`` (%, NaN with no
    involvement).

    Examples
    --------
    >>> bc = pd.DataFrame({"adult_at_audit": [True, True, False], "n_events": [10, 6, 4],
    ...                    "n_events_paper": [8, 0, 1]})
    >>> paper_share_by_adulthood(bc).values.tolist()
    [['adult at audit', 2, 16, 8, 50.0], ['under 18', 1, 4, 1, 25.0]]
    """
    adult = by_child["adult_at_audit"].astype(bool)
    rows = []
    under = f"under {definitions.terms()['adult_age_years']}"
    for label, mask in (("adult at audit", adult), (under, ~adult)):
        part = by_child[mask.to_numpy()]
        n, paper = int(part["n_events"].sum()), int(part["n_events_paper"].sum())
        rows.append({"children": label, "n_children": len(part), "n_events": n, "n_events_paper": paper,
                     "paper_share": round(100 * paper / n, 1) if n else float("nan")})
    return pd.DataFrame(rows)


def chronology_conclusions(found: pd.DataFrame, sources: pd.DataFrame, by_adulthood: pd.DataFrame) -> list[str]:
    """The conclusion of notebook 02 (points 1, 3, 6): where the family history is recorded.

    ``sources``: :func:`~neglect_analysis.record_sources.family_record_sources`;
    ``by_adulthood``: :func:`paper_share_by_adulthood` (its two rows, adults first).

    Examples
    --------
    >>> sources = pd.DataFrame({"n_events": [30, 10], "n_events_paper": [6, 0], "n_events_pre_ics": [9, 1]})
    >>> by = pd.DataFrame({"children": ["adult at audit", "under 18"], "n_children": [2, 5],
    ...     "n_events": [15, 25], "n_events_paper": [5, 1], "paper_share": [33.3, 4.0]})
    >>> found = pd.DataFrame({"measure": ["children_pre_ics_childhood", "pre_ics_children_without_paper_records"],
    ...     "numerator": [4, 1], "denominator": [7, 4]})
    >>> for s in chronology_conclusions(found, sources, by): print(s)
    Across the 2 families, 40 involvements are recorded: 6 (15.0%) only on paper and 10 (25.0%) dated before the electronic record; 1 of the 2 families has history on paper.
    On paper: 33.3% of the involvements of the 2 children who are now adults, against 4.0% of those of the 5 under 18.
    4 of the 7 children (57.1%) began their childhood before the electronic record; 1 of them (25.0%) has no paper records yet: a paper file to request.
    """
    out = []
    n = int(sources["n_events"].sum())
    if n:
        paper, pre = int(sources["n_events_paper"].sum()), int(sources["n_events_pre_ics"].sum())
        fam = int((sources["n_events_paper"] > 0).sum())
        families = "family" if len(sources) == 1 else "families"
        out.append(f"Across the {len(sources)} {families}, {n} involvements are recorded: {paper} "
                   f"({_pct(100 * paper / n)}) only on paper and {pre} ({_pct(100 * pre / n)}) dated before the "
                   f"electronic record; {fam} of the {len(sources)} {families} {'has' if fam == 1 else 'have'} "
                   "history on paper.")
    if len(by_adulthood) == 2 and by_adulthood["paper_share"].notna().all():  # adults, then the others
        a, u = by_adulthood.iloc[0], by_adulthood.iloc[1]
        out.append(f"On paper: {_pct(a['paper_share'])} of the involvements of the {int(a['n_children'])} children "
                   f"who are now adults, against {_pct(u['paper_share'])} of those of the {int(u['n_children'])} "
                   f"{u['children']}.")
    pre, without = finding_row(found, "children_pre_ics_childhood"), finding_row(found, "pre_ics_children_without_paper_records")
    if pre is not None:
        s = (f"{int(pre['numerator'])} of the {int(pre['denominator'])} children ({share_text(pre)}) began their "
             "childhood before the electronic record")
        if without is not None:
            k = int(without["numerator"])
            s += (f"; {k} of them ({share_text(without)}) {'has' if k == 1 else 'have'} no paper records yet: "
                  "a paper file to request")
        out.append(s + ".")
    return out


def _of_children(row: pd.Series, what: str) -> str:
    return f"{int(row['numerator'])} of the {int(row['denominator'])} children ({share_text(row)}) {what}"


def contacts_conclusions(found: pd.DataFrame, per_child: pd.DataFrame, *,
                         definitions: Definitions = DEFAULTS) -> list[str]:
    """The conclusion of notebook 03 (point 4): contact series, early help, advice, sources.

    ``per_child``: :func:`neglect_analysis.contacts.child_contact_themes` (``n_sources``);
    ``definitions``: the run's (the contact series' length and window, in words).

    Examples
    --------
    >>> found = pd.DataFrame({"measure": ["children_contact_series", "children_early_help_declined",
    ...     "children_advice_not_taken_up", "children_other_la_history"],
    ...     "numerator": [5, 4, 2, 0], "denominator": [20, 20, 20, 20]})
    >>> per = pd.DataFrame({"n_sources": [1, 3, 4, 0]})
    >>> for s in contacts_conclusions(found, per): print(s)
    5 of the 20 children (25.0%) had a series of 3 contacts within 12 months with no referral.
    4 of the 20 children (20.0%) had an early-help episode that ended declined or not engaged; counted separately, 2 (10.0%) were given advice at a contact with no early help following.
    2 of the 4 children with contacts (50.0%) were the subject of contacts from 3 or more different sources.
    0 of the 20 children (0.0%) have history in another local authority.
    """
    out = []
    r = finding_row(found, "children_contact_series")
    if r is not None:
        terms = definitions.terms()
        out.append(_of_children(r, f"had a series of {terms['series_length']} contacts within "
                                   f"{terms['series_period']} with no referral."))
    declined, advice = finding_row(found, "children_early_help_declined"), finding_row(found, "children_advice_not_taken_up")
    if declined is not None:
        s = _of_children(declined, "had an early-help episode that ended declined or not engaged")
        if advice is not None:
            s += (f"; counted separately, {int(advice['numerator'])} ({share_text(advice)}) were given advice at a "
                  "contact with no early help following")
        out.append(s + ".")
    if len(per_child):
        k = int((per_child["n_sources"] >= 3).sum())
        out.append(f"{k} of the {len(per_child)} children with contacts ({_pct(100 * k / len(per_child))}) were the "
                   "subject of contacts from 3 or more different sources.")
    r = finding_row(found, "children_other_la_history")
    if r is not None:
        out.append(_of_children(r, "have history in another local authority."))
    return out


def s47_conclusions(found: pd.DataFrame, known: pd.DataFrame, *,
                    definitions: Definitions = DEFAULTS) -> list[str]:
    """The conclusion of notebook 04 (point 5): what the older siblings' records held at a
    younger child's S47 enquiry, S47s not progressing, repeated S47s, the case review.

    ``known``: :func:`neglect_analysis.older_siblings.history_known_summary` (``kind``,
    ``n_with``, ``n_events``; the ``paper`` row is quoted); ``definitions``: the run's (the
    S47 window, ``s47_icpc_days``, in words).

    Examples
    --------
    >>> found = pd.DataFrame({"measure": ["younger_s47_after_older_sibling_cp_plan",
    ...     "younger_s47_after_older_sibling_involvement", "s47_not_progressing_to_icpc", "children_repeated_s47",
    ...     "reviews_assessment_refers_to_older_siblings"],
    ...     "numerator": [5, 9, 30, 6, 2], "denominator": [10, 10, 40, 20, 8],
    ...     "national_share": [None, None, 61.0, None, None], "national_period": ["", "", "2017-18", "", ""]})
    >>> known = pd.DataFrame({"kind": ["paper"], "n_with": [3], "n_events": [10]})
    >>> for s in s47_conclusions(found, known): print(s)
    At 5 of the 10 S47 enquiries about children with an older sibling (50.0%) an older sibling had already been on a child protection plan, and at 9 (90.0%) an older sibling was already known to children's services.
    At 3 of those 10 enquiries (30.0%) the older siblings had paper records: history a reader of the electronic record alone would not see.
    30 of this authority's 40 S47 enquiries old enough to judge (75.0%; England 61.0% in 2017-18) led to no initial conference and no plan within 60 days.
    6 of the 20 children (30.0%) had two or more S47 enquiries.
    In the case review, 2 of the 8 audited assessments answered (25.0%) used the older siblings' history.
    """
    out = []
    plan, any_ = (finding_row(found, "younger_s47_after_older_sibling_cp_plan"),
                  finding_row(found, "younger_s47_after_older_sibling_involvement"))
    if plan is not None:
        s = (f"At {int(plan['numerator'])} of the {int(plan['denominator'])} S47 enquiries about children with an "
             f"older sibling ({share_text(plan)}) an older sibling had already been on a child protection plan")
        if any_ is not None:
            s += (f", and at {int(any_['numerator'])} ({share_text(any_)}) an older sibling was already known to "
                  "children's services")
        out.append(s + ".")
    paper = known[known["kind"] == "paper"]
    if len(paper) and int(paper["n_events"].iloc[0]):
        k, n = int(paper["n_with"].iloc[0]), int(paper["n_events"].iloc[0])
        out.append(f"At {k} of those {n} enquiries ({_pct(100 * k / n)}) the older siblings had paper records: "
                   "history a reader of the electronic record alone would not see.")
    r = finding_row(found, "s47_not_progressing_to_icpc")
    if r is not None:
        out.append(f"{int(r['numerator'])} of this authority's {int(r['denominator'])} S47 enquiries old enough to "
                   f"judge ({share_text(r)}) led to no initial conference and no plan within "
                   f"{definitions.terms()['s47_icpc_period']}.")
    r = finding_row(found, "children_repeated_s47")
    if r is not None:
        out.append(_of_children(r, "had two or more S47 enquiries."))
    r = finding_row(found, "reviews_assessment_refers_to_older_siblings")
    if r is not None:
        out.append(f"In the case review, {int(r['numerator'])} of the {int(r['denominator'])} audited assessments "
                   f"answered ({share_text(r)}) used the older siblings' history.")
    return out


def plans_conclusions(found: pd.DataFrame, *, definitions: Definitions = DEFAULTS) -> list[str]:
    """The conclusion of notebook 05 (points 6, 3, 4): repeat plans, sustained change (mature
    follow-up only), neglect plans, other authorities. ``definitions``: the run's (the
    windows of "not sustained", in words).

    Examples
    --------
    >>> found = pd.DataFrame({"measure": ["repeat_cp_plans", "cp_plans_not_sustained", "cp_plans_too_recent_to_judge",
    ...     "cp_plans_neglect", "children_other_la_history", "reviews_other_la_history_sought"],
    ...     "numerator": [10, 6, 4, 20, 3, 1], "denominator": [40, 8, 12, 30, 50, 2],
    ...     "national_share": [22.0, None, None, 48.0, None, None]})
    >>> for s in plans_conclusions(found): print(s)
    10 of this authority's 40 child protection plans (25.0%; England 22.0%) were a second or subsequent plan.
    Of the 8 ended plans followed up for 2 years or more, 6 (75.0%) were followed by a new referral within 12 months or a new plan within 2 years (child or sibling); 4 of the 12 ended plans (33.3%) are too recent to judge.
    20 of the 30 plans of this authority with a recorded category (66.7%; England 48.0%) began under neglect.
    3 of the 50 children (6.0%) have history in another local authority; where the case review answered, that history was sought for 1 of 2 (50.0%).
    """
    out = []
    r = finding_row(found, "repeat_cp_plans")
    if r is not None:
        out.append(f"{int(r['numerator'])} of this authority's {int(r['denominator'])} child protection plans "
                   f"({share_text(r)}) were a second or subsequent plan.")
    ns, recent = finding_row(found, "cp_plans_not_sustained"), finding_row(found, "cp_plans_too_recent_to_judge")
    if ns is not None:
        terms = definitions.terms()
        replan, rereferral = terms["not_sustained_replan_period"], terms["not_sustained_rereferral_period"]
        s = (f"Of the {int(ns['denominator'])} ended plans followed up for {replan} or more, {int(ns['numerator'])} "
             f"({share_text(ns)}) were followed by a new referral within {rereferral} or a new plan within {replan} "
             "(child or sibling)")
        if recent is not None:
            s += (f"; {int(recent['numerator'])} of the {int(recent['denominator'])} ended plans "
                  f"({share_text(recent)}) are too recent to judge")
        out.append(s + ".")
    elif recent is not None:
        out.append(f"All {int(recent['denominator'])} ended plans are too recent to judge whether the changes lasted.")
    r = finding_row(found, "cp_plans_neglect")
    if r is not None:
        note = (" (England's figure counts plans in place at 31 March, not plans started)"
                if "31 March" in str(r.get("national_source", "")) else "")
        out.append(f"{int(r['numerator'])} of the {int(r['denominator'])} plans of this authority with a recorded "
                   f"category ({share_text(r)}) began under neglect{note}.")
    r, sought = finding_row(found, "children_other_la_history"), finding_row(found, "reviews_other_la_history_sought")
    if r is not None:
        s = _of_children(r, "have history in another local authority")
        if sought is not None:
            s += (f"; where the case review answered, that history was sought for {int(sought['numerator'])} of "
                  f"{int(sought['denominator'])} ({share_text(sought)})")
        out.append(s + ".")
    return out


def iro_conclusions(found: pd.DataFrame, themes: pd.DataFrame) -> list[str]:
    """The conclusion of notebook 07 (point 7): plans with an IRO challenge, and the themes.

    ``themes``: :func:`neglect_analysis.iro.challenge_themes` (``theme``, ``n_challenges``);
    the most frequent theme (every theme tied with it) is named.

    Examples
    --------
    >>> found = pd.DataFrame({"measure": ["cp_plans_with_iro_challenge", "iro_challenges_disguised_compliance"],
    ...                       "numerator": [3, 2], "denominator": [20, 4]})
    >>> themes = pd.DataFrame({"theme": ["Drift", "Disguised compliance", "Other"], "n_challenges": [2, 2, 1]})
    >>> for s in iro_conclusions(found, themes): print(s)
    3 of the 20 child protection plans on the electronic record (15.0%) had an IRO challenge; 17 had none.
    The most frequent themes were "Disguised compliance" and "Drift" (2 challenges each).
    2 of the 4 challenges (50.0%) were about disguised compliance.
    """
    out = []
    r = finding_row(found, "cp_plans_with_iro_challenge")
    if r is not None:
        n, d = int(r["numerator"]), int(r["denominator"])
        out.append(f"{n} of the {d} child protection plans on the electronic record ({share_text(r)}) had an IRO "
                   f"challenge; {d - n} had none.")
    if len(themes) and int(themes["n_challenges"].max()):
        top = int(themes["n_challenges"].max())
        names = sorted(themes.loc[themes["n_challenges"] == top, "theme"].astype(str))
        words = " and ".join(f'"{t}"' for t in names) if len(names) <= 2 else \
            ", ".join(f'"{t}"' for t in names[:-1]) + f' and "{names[-1]}"'
        each = "challenge" if top == 1 else "challenges"
        out.append(f"The most frequent theme was {words} ({top} {each})." if len(names) == 1 else
                   f"The most frequent themes were {words} ({top} {each} each).")
    r = finding_row(found, "iro_challenges_disguised_compliance")
    if r is not None:
        out.append(f"{int(r['numerator'])} of the {int(r['denominator'])} challenges ({share_text(r)}) were about "
                   "disguised compliance.")
    return out
