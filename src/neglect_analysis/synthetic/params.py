"""Every rate of the synthetic cohort, in one place, each with its rationale.

:class:`SyntheticParams` is a frozen dataclass: change a rate with
``dataclasses.replace(SyntheticParams(), contact_to_referral=0.6)``. Each field carries its
rationale in ``metadata["why"]``; :func:`describe_params` lists them as a table (the sample's
README is built from it).

Sources (see ``shared/DOMAIN.md`` of the project): DfE "Children in need" statistics (England,
2019-2025: 22-23% of referrals are re-referrals within 12 months; 21-25% of CP plans are second
or subsequent; 31-39% of S47 enquiries lead to an ICPC; about 86% of ICPCs lead to a plan; neglect
is the initial category of about half of plans); Broadhurst et al. (recurrent care proceedings,
babies born during or after earlier proceedings); Ofsted "In the child's time" (2014: drift,
interventions stopped and restarted). The audited cohort is a high-need selection (large sibling
groups with long histories), so its rates are set ABOVE the national ones.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd

#: The audit's published facts (7-minute briefing, July 2018).
PUBLISHED_PARENTS = 38
PUBLISHED_CHILDREN = 242


def _p(default, why: str):
    """A dataclass field with its rationale in ``metadata['why']``."""
    return field(default=default, metadata={"why": why})


@dataclass(frozen=True)
class SyntheticParams:
    """Rates and shapes of the synthetic cohort (one field per rate; see ``describe_params``).

    Probabilities are per unit named in the field (family, child, episode, plan...). Durations
    are in days unless the name says years.

    Examples
    --------
    >>> p = SyntheticParams()
    >>> round(p.children_per_parent, 3), p.min_children, p.youngest_age_days
    (6.368, 5, 4)
    """

    # --- sibling-group structure (calibrated to the briefing) -----------------------------
    index_father_share: float = _p(
        3 / 38, "Briefing: 38 parents 'mainly mothers'; 35 mothers and 3 fathers. The number of "
        "index fathers is round(n_parents x share), so it is exact, not left to chance.")
    children_per_parent: float = _p(
        PUBLISHED_CHILDREN / PUBLISHED_PARENTS, "Briefing: 242 children for 38 parents (6.37 "
        "each). With calibrate_total the total is exactly round(n_parents x this).")
    calibrate_total: bool = _p(
        True, "Family sizes are drawn, then adjusted by whole children so the total equals "
        "round(n_parents x children_per_parent): 242 for 38 parents.")
    min_children: int = _p(5, "Selection rule of the audit (DESIGN.md min_children = 5).")
    extra_children_dispersion: float = _p(
        1.5, "Negative-binomial shape of children beyond min_children: most groups have 5-7 "
        "children, a few 10 or more (large families are over-dispersed).")
    min_span_years: float = _p(
        10.0, "Selection rule of the audit (DESIGN.md min_span_years = 10); every index "
        "group's span is at least this plus span_margin_days.")
    span_margin_days: int = _p(30, "Keeps every group's span clearly above the selection rule.")
    max_span_years: float = _p(29.0, "Longest span: a mother aged 15 at the first birth and "
                               "44 at the last; keeps the eldest within the pinned eldest age.")
    mean_birth_gap_days: float = _p(
        820.0, "Mean interval between consecutive births, about 2.2 years (large families; "
        "short intervals are common).")
    birth_gap_shape: float = _p(2.0, "Gamma shape of birth intervals (right-skewed).")
    min_birth_gap_days: int = _p(290, "Shortest interval between two singleton births.")
    twin_rate: float = _p(0.015, "Share of births that are twins (same dob), England ~1.5%.")
    youngest_age_days: int | None = _p(
        4, "Briefing: youngest child 4 days old at the audit date. Pinned on one child "
        "(None: not pinned).")
    eldest_age_days: int | None = _p(
        11469, "Briefing: eldest child 31 years old; 11469 days = 31.40 years at the audit "
        "date. Pinned on one child (None: not pinned).")
    youngest_age_skew: float = _p(
        2.5, "Beta(1, skew) shape of the youngest child's age within its feasible range: most "
        "index parents still have young children.")
    mother_age_first_birth: tuple[float, float] = _p(
        (16.0, 4.0), "Index mothers: age at first birth 16 + Gamma(mean 4) years; mothers "
        "aged 16-19 at first proceedings are most at risk of return (Broadhurst 2015).")
    father_age_first_birth: tuple[float, float] = _p(
        (18.0, 6.0), "Index fathers: age at first child 18 + Gamma(mean 6) years.")
    max_parent_age_last_birth: float = _p(45.0, "Upper bound on a mother's age at the last birth.")

    # --- partners and other birth parents --------------------------------------------------
    partner_change_per_birth: float = _p(
        0.30, "Probability that a birth is by a new partner (children by different fathers).")
    partner_change_after_long_gap: float = _p(
        0.75, "The same after a gap of more than long_gap_years: a long gap often marks a new "
        "relationship.")
    long_gap_years: float = _p(3.0, "A birth gap this long makes a new partner likely.")
    max_children_same_other_parent: int = _p(
        4, "A run of children with one other parent that spans 10+ years is capped at this, so "
        "no other parent meets the index rule (the briefing's 38 are the only ones).")
    father_unknown: float = _p(0.10, "Share of an index mother's partners-by-birth not "
                               "recorded: no father_of link.")
    mother_unknown: float = _p(0.02, "Share of an index father's children's mothers not known.")
    father_in_person_table: float = _p(
        0.35, "SSD keeps only clients: most fathers are named in relationships only.")
    mother_in_person_table: float = _p(0.85, "Mothers are usually clients themselves.")
    childless_partners_mean: float = _p(
        0.7, "Mean number of partners who fathered none of the children (Poisson): changes "
        "of partner within the household.")
    partner_row_reversed: float = _p(0.3, "Share of partner_of rows recorded from the "
                                     "partner's side (the analysis reads both directions).")

    # --- family-level difficulty and episodes of concern ----------------------------------
    difficulty_shape: float = _p(
        2.5, "Gamma shape (mean 1) of the family's persistent level of parental difficulty: "
        "it scales the rate of concerns and the chance of escalation throughout.")
    episodes_per_year: float = _p(
        0.8, "Episodes of concern per family-year while a child is under 18 (contacts from "
        "schools, health, police...), times the family's difficulty.")
    difficulty_elasticity: float = _p(
        0.5, "Each escalation probability is multiplied by difficulty**elasticity.")
    contact_to_referral: float = _p(
        0.40, "Share of episodes (contacts) accepted as referrals.")
    referral_nfa: float = _p(0.25, "Share of referrals closed with no further action before "
                             "assessment.")
    referral_to_s47: float = _p(0.45, "Share of assessed referrals with a section 47 enquiry.")
    s47_to_icpc: float = _p(
        0.11, "Base ICPC per S47 (times difficulty**elasticity): with re-enquiries after plans the "
        "cohort has about 26% ICPC per S47, so the share of S47 not progressing to ICPC "
        "(briefing point 5) is about 74%, above the national 61-69%.")
    icpc_to_plan: float = _p(0.90, "National ~86% of ICPCs lead to a plan; higher here.")
    plan_to_pre_proceedings: float = _p(0.22, "Share of CP plans escalated to the public "
                                        "law outline (pre-proceedings).")
    pre_proceedings_to_issue: float = _p(0.55, "Share of pre-proceedings ending in the "
                                         "decision to issue care proceedings.")
    child_skips_stage: float = _p(
        0.10, "A sibling stops one stage short of the family episode (e.g. one child on a "
        "plan, the other CIN).")
    child_in_episode: float = _p(0.92, "Share of household children named in an episode.")
    prebirth_window_days: int = _p(
        150, "An unborn child within this many days of birth is referred with its siblings "
        "(pre-birth referral: events before dob).")
    followup_after_referral: float = _p(
        0.30, "Chance that a closed referral is followed by a new episode within 12 months "
        "(drift, start-again syndrome): drives re-referrals above the national 22%.")
    followup_after_plan: float = _p(
        0.75, "Chance that an ended CP plan is followed by a new episode within 2 years "
        "(changes not sustained): drives repeat plans above the national 24%.")
    escalation_after_plan: float = _p(
        1.5, "Escalation probabilities of an episode following an ended plan are multiplied "
        "by this: a family known to have needed a plan is escalated sooner the next time.")
    replan_after_plan: float = _p(
        0.60, "Share of episodes following an ended plan that lead straight back to a plan "
        "(S47, ICPC, plan): changes not sustained; repeat plans above the national 24%.")
    newborn_after_proceedings: float = _p(
        0.75, "A baby born after an older sibling's care proceedings is referred pre-birth "
        "with this probability (about 70% of returns concern such a baby, Broadhurst 2017).")
    newborn_to_plan: float = _p(0.85, "Such a baby's chance of a CP plan.")
    newborn_to_proceedings: float = _p(0.55, "Such a baby's chance of care proceedings "
                                       "(60% of repeat proceedings concern a baby under 4 weeks).")

    # --- contacts and early help -------------------------------------------------------------
    advice_to_early_help: float = _p(
        0.55, "Share of contacts not accepted as referrals where the family is advised to "
        "engage with early help (ADVICE_FLAG Y).")
    early_help_take_up: float = _p(
        0.35, "Share of advised families starting early help within 90 days (low: briefing "
        "point 4, advice given with no engagement).")
    step_down_to_early_help: float = _p(0.30, "Share of closed referrals stepped down to "
                                        "early help (RC9).")
    early_help_end_reasons: tuple[tuple[str, float], ...] = _p(
        (("Engaged - outcomes met", 0.38), ("Declined", 0.17), ("Disengaged", 0.20),
         ("Not engaged", 0.15), ("Moved out of area", 0.04),
         ("Escalated to children's social care", 0.06)),
        "Early help end reasons; 'Declined', 'Disengaged', 'Not engaged' are non-engagement.")
    neglect_category: float = _p(
        0.60, "Share of CP plans with initial category Neglect (national ~48-50%; higher in "
        "this cohort selected for long-standing neglect).")
    cp_category_others: tuple[tuple[str, float], ...] = _p(
        (("Emotional Abuse", 0.62), ("Physical Abuse", 0.18), ("Sexual Abuse", 0.06),
         ("Multiple", 0.14)), "Split of the non-neglect plans (SSD text).")
    latest_category_changes: float = _p(0.12, "Share of plans whose latest category differs "
                                        "from the initial one (to Neglect, or Emotional Abuse).")
    short_plan_share: float = _p(0.15, "National: 15.9% of ending plans lasted 3 months or less.")
    plan_median_days: float = _p(330.0, "Median length of other plans, about 11 months; "
                                 "about 4% last 2 years or more (national 4.4%).")
    cla_after_issue: float = _p(0.85, "Share of children in care proceedings who become looked "
                                "after (the rest stay at home under an order).")
    cla_permanent: float = _p(0.55, "Share of looked-after children who do not return home "
                              "(adoption, long-term care): no later household episodes.")

    # --- assessment factors (family traits, recorded at each assessment) -------------------
    trait_domestic_abuse: float = _p(0.60, "Families with domestic abuse (3A-3C).")
    trait_alcohol: float = _p(0.30, "Families with parental alcohol misuse (1B).")
    trait_drugs: float = _p(0.30, "Families with parental drug misuse (2B).")
    trait_mental_health: float = _p(0.50, "Families with parental mental health needs (4B).")
    trait_learning_disability: float = _p(0.12, "Families with a parent's learning disability (5B).")
    trait_recorded: float = _p(0.70, "Chance a family trait is recorded at a given assessment.")
    neglect_factor: float = _p(0.55, "Chance of 16A at an assessment (0.85 in a neglect episode).")

    # --- history outside the extract -------------------------------------------------------
    moved_in: float = _p(0.13, "Share of families that moved in from another authority "
                         "(exactly round(n x share), on a date within the extract window); "
                         "their earlier history is in the other authority's records.")
    moved_in_with_plan: float = _p(
        0.6, "Share (exact count) of moved-in families arriving with children on another authority's CP "
        "plan (ICPC transfer-in Y, plan other-LA Y).")
    paper_file_requested: float = _p(
        0.45, "Share of children with a pre-ICS childhood (or other-LA history) whose paper "
        "file was requested; only their pre-ICS history is in paper_records.")
    paper_recovered: tuple[tuple[str, float], ...] = _p(
        (("referral", 0.45), ("s47", 0.40), ("cp_plan", 0.75), ("care_proceedings", 0.90)),
        "Share of pre-ICS events of each type found in a requested paper file.")
    paper_notes_per_year: float = _p(0.35, "File notes and school reports per pre-ICS "
                                     "school-age year of a child with a requested paper file.")

    # --- audit products ----------------------------------------------------------------------
    iro_challenge_per_plan: float = _p(0.18, "Share of CP plans with an IRO challenge-log entry.")
    review_sibling_history_yes: float = _p(
        0.30, "Share of assessed children with older siblings whose assessment refers to the "
        "older siblings' history (the audit found this often missing).")
    review_chronology_complete: float = _p(0.35, "Share of children with a complete chronology.")
    review_interventions_analysed: float = _p(0.30, "Share of assessed children whose "
                                              "assessment analyses earlier interventions.")
    block_parents: int = _p(
        2000, "Families are simulated and written in blocks of this many index parents, each "
        "block with its own random streams spawned from the seed: memory is bounded by one "
        "block, and the extract depends only on (n_parents, seed, params), never on memory. "
        "Exact counts (children, index fathers, movers) are shared between blocks so that they "
        "stay exact for the whole cohort; the youngest and eldest child are pinned in the first "
        "block, and every other block's children are strictly younger and older than these. "
        "A cohort of up to this many parents is one block.")
    max_children: int | None = _p(
        None, "Most children per family (None: no cap). Used for the background families "
        "(background_max_children), never for the index parents.")

    # --- background families: the rest of the authority --------------------------------
    background_min_parents: int = _p(
        100, "Whole-authority size: an extract of this many index parents or more also holds "
        "background families (unless turned off: synthesize --no-background), so the "
        "authority's own baseline (findings authority_share) shows. The 38-parent sample "
        "has none: it is the audit's selection only.")
    background_families_per_parent: float = _p(
        2.0, "Background families per index parent (exactly round(n_parents x this)): "
        "families known to children's services with fewer than min_children children or a "
        "span under min_span_years, outside the audit's selection.")
    background_children_per_family: float = _p(
        2.0, "Mean children of a background family (1 + negative binomial, capped at "
        "background_max_children): many single children.")
    background_max_children: int = _p(
        4, "Most children of a background family: one fewer than min_children, so no "
        "background parent meets the index rule.")
    background_difficulty: float = _p(
        0.6, "The background families' level of difficulty is the index families' times "
        "this: fewer concerns and escalations than the high-need selection.")
    child_death_rate: float = _p(0.004, "Share of children who have died by the audit date.")
    female_share: float = _p(0.49, "Share of children recorded female.")


def describe_params(params: SyntheticParams | None = None) -> pd.DataFrame:
    """One row per field of ``params``: ``name``, ``value``, ``why``.

    Examples
    --------
    >>> d = describe_params()
    >>> d.loc[d["name"] == "min_children", "value"].item()
    '5'
    """
    params = params or SyntheticParams()
    rows = [
        {"name": f.name, "value": str(getattr(params, f.name)), "why": f.metadata.get("why", "")}
        for f in fields(params)
    ]
    return pd.DataFrame(rows, columns=["name", "value", "why"])
