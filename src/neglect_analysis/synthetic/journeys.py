"""Journeys over calendar time: episodes of concern, escalation, and every SSD event row.

Model (all vectorised over families, episodes and children; no per-family loop):

1. Each family has a persistent level of parental difficulty ``d`` (Gamma, mean 1) and traits
   (domestic abuse, alcohol, drugs, mental health, learning disability).
2. *Episodes of concern* (a contact from a school, health visitor, police...) arrive as a
   Poisson process at ``episodes_per_year x d`` while a child is under 18. Each climbs the
   ladder contact -> referral -> assessment -> S47 -> ICPC -> CP plan -> pre-proceedings ->
   care proceedings (+ looked after) with probabilities scaled by ``d ** elasticity``.
3. A closed referral or an ended plan is followed by a new episode with some probability
   (drift; changes not sustained), which drives re-referrals and repeat plans.
4. A baby born during or after an older sibling's care proceedings gets a pre-birth episode.
5. Families that moved in carry their earlier history in another authority; a child on that
   authority's plan arrives by a transfer-in ICPC (``Y``) and a plan marked other-LA (``Y``).
6. Each episode applies to the household's children (under 18, not removed, unborn children
   within ``prebirth_window_days`` of birth from the referral stage). A child with an open
   referral at the time of a new episode gets a contact only (no overlapping episodes).
7. A child takes no step on or after its 18th birthday or after its death (the episode stops
   at the last step before), and whatever is still open at a death ends on the death date.
8. History before ``ics_start_date`` is absent from the SSD tables (only referrals, CP plans
   and CLA episodes still open at the ICS start were migrated); part of it, and of other
   authorities' history, is found in requested paper files (``paper_records``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import STANDARD_IRO_THEMES

from .families import DAYS_PER_YEAR, NO_DATE, Families

INF = np.iinfo(np.int64).max // 4
NEG = -INF

#: Contact sources (DfE codes) and their shares among episodes.
CONTACT_SOURCE_SHARES: tuple[tuple[str, float], ...] = (
    ("6", 0.22), ("2A", 0.21), ("3B", 0.09), ("3A", 0.08), ("3E", 0.05), ("3C", 0.03),
    ("3F", 0.03), ("1A", 0.06), ("1B", 0.02), ("1C", 0.02), ("9", 0.05), ("4", 0.04),
    ("5A", 0.04), ("7", 0.02), ("8", 0.02), ("2B", 0.02),
)
#: Primary need codes of referrals and their shares (N1 mostly).
PRIMARY_NEED_SHARES: tuple[tuple[str, float], ...] = (
    ("N1", 0.80), ("N4", 0.06), ("N5", 0.06), ("N3", 0.04), ("N8", 0.02), ("N7", 0.02),
)
#: IRO challenge themes: the standard labels of a challenge log (one list, in codes).
IRO_THEMES: tuple[str, ...] = STANDARD_IRO_THEMES
#: Pre-proceedings outcomes (SSD free text).
PRE_PRO_ISSUE = "Decision to issue care proceedings"
PRE_PRO_STEP_DOWN = "Step down - continue CP plan"

STAGE_REFERRAL, STAGE_S47, STAGE_ICPC, STAGE_PLAN, STAGE_PLO, STAGE_PROCEEDINGS = 1, 2, 3, 4, 5, 6


def _choice(rng, table, size):
    """Draw labels from ``((label, weight), ...)``."""
    labels = np.array([t[0] for t in table], dtype=object)
    w = np.array([t[1] for t in table], dtype=float)
    return labels[rng.choice(len(labels), size=size, p=w / w.sum())]


def uniform_days(rng: np.random.Generator, lo, hi, size) -> np.ndarray:
    """Integer days uniform on [lo, hi] (both included), as int64.

    Examples
    --------
    >>> d = uniform_days(np.random.default_rng(0), 3, 5, 1000)
    >>> int(d.min()), int(d.max()), d.dtype.name
    (3, 5, 'int64')
    """
    return rng.integers(lo, hi + 1, size=size).astype(np.int64)


def eighteenth_birthday(dob: np.ndarray) -> np.ndarray:
    """Calendar 18th birthday of integer-day dobs (29 February -> 1 March).

    Examples
    --------
    >>> from neglect_analysis.synthetic.families import day_number
    >>> int(eighteenth_birthday(np.array([day_number("2000-02-29")]))[0]) == day_number("2018-03-01")
    True
    """
    d = dob.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day = (d - month.astype("datetime64[D]")).astype(np.int64)
    out = (month + np.timedelta64(18 * 12, "M")).astype("datetime64[D]") + day
    return out.astype(np.int64)


# --------------------------------------------------------------------------------------------
# episodes


def _ladder(d, rng, p, boost=None):
    """Stage reached (0 contact .. 6 care proceedings) and referral-NFA flag per episode."""
    n = len(d)
    s = d ** p.difficulty_elasticity * np.exp(rng.normal(0.0, 0.3, n))
    if boost is not None:
        s = s * boost
    u = rng.random((7, n))
    cap = lambda x: np.minimum(x, 0.97)  # noqa: E731
    stage = np.zeros(n, dtype=np.int64)
    ref = u[0] < cap(p.contact_to_referral * s)
    nfa = ref & (u[1] < p.referral_nfa)
    stage[ref] = 1
    s47 = ref & ~nfa & (u[2] < cap(p.referral_to_s47 * s))
    icpc = s47 & (u[3] < cap(p.s47_to_icpc * s))
    plan = icpc & (u[4] < p.icpc_to_plan)
    plo = plan & (u[5] < cap(p.plan_to_pre_proceedings * s))
    issue = plo & (u[6] < p.pre_proceedings_to_issue)
    for k, m in enumerate((s47, icpc, plan, plo, issue), start=2):
        stage[m] = k
    return stage, nfa


def _plan_days(rng, p, n):
    short = rng.random(n) < p.short_plan_share
    long = np.rint(p.plan_median_days * np.exp(rng.normal(0.0, 0.5, n))).astype(np.int64)
    return np.where(short, uniform_days(rng, 28, 92, n), np.maximum(long, 93))


def _episode_dates(fam, t, stage, nfa, rng, p):
    """Absolute dates of each step of each episode (meaningful where the stage reaches it)."""
    n = len(t)
    e = {"family": fam, "t": t, "stage": stage, "nfa": nfa}
    e["ass_start"] = t + uniform_days(rng, 0, 5, n)
    e["ass_auth"] = e["ass_start"] + uniform_days(rng, 7, 62, n)
    e["s47_start"] = t + uniform_days(rng, 0, 7, n)
    e["s47_end"] = e["s47_start"] + uniform_days(rng, 7, 40, n)
    e["icpc"] = e["s47_start"] + uniform_days(rng, 8, 28, n)
    plan_days = _plan_days(rng, p, n)
    e["plan_start"] = e["icpc"]
    e["plan_end"] = e["icpc"] + plan_days
    pp = e["plan_start"] + np.maximum(21, np.rint(rng.uniform(0.3, 0.9, n) * plan_days)).astype(np.int64)
    e["pp_decision"] = pp
    e["pp_letter"] = pp + uniform_days(rng, 2, 14, n)
    e["pp_issue"] = np.where(stage >= STAGE_PROCEEDINGS, pp + uniform_days(rng, 28, 120, n),
                             pp + uniform_days(rng, 60, 150, n))
    e["cla_start"] = e["pp_issue"] + uniform_days(rng, 0, 7, n)
    e["cla_return"] = e["cla_start"] + uniform_days(rng, 120, 540, n)
    e["adopt"] = e["cla_start"] + uniform_days(rng, 400, 900, n)
    e["close_nfa"] = t + uniform_days(rng, 1, 10, n)
    e["close_ass"] = e["ass_auth"] + uniform_days(rng, 0, 45, n)
    e["close_s47"] = e["s47_end"] + uniform_days(rng, 14, 200, n)
    e["close_plan"] = uniform_days(rng, 0, 60, n)
    e["eh_start"] = t + uniform_days(rng, 7, 80, n)
    e["eh_days"] = uniform_days(rng, 42, 300, n)
    e["advice"] = rng.random(n) < p.advice_to_early_help
    e["take_up"] = rng.random(n) < p.early_help_take_up
    e["step_down"] = rng.random(n) < p.step_down_to_early_help
    e["eh_reason"] = _choice(rng, p.early_help_end_reasons, n)
    e["source"] = _choice(rng, CONTACT_SOURCE_SHARES, n)
    e["need"] = _choice(rng, PRIMARY_NEED_SHARES, n)
    neg = rng.random(n) < p.neglect_category
    e["category"] = np.where(neg, "Neglect", _choice(rng, p.cp_category_others, n)).astype(object)
    change = rng.random(n) < p.latest_category_changes
    e["latest"] = np.where(change, np.where(neg, "Emotional Abuse", "Neglect"), e["category"]).astype(object)
    e["cla"] = rng.random(n) < p.cla_after_issue
    e["target"] = np.full(n, -1, dtype=np.int64)
    e["transfer"] = np.zeros(n, dtype=bool)
    return e


def _episode_close(e):
    """Approximate close of each episode (for follow-up episodes)."""
    st = e["stage"]
    return np.select(
        [st == 0, e["nfa"], st == 1, st <= 3],
        [e["t"], e["close_nfa"], e["close_ass"], e["close_s47"]],
        default=e["plan_end"],
    )


def _concat(parts):
    return {k: np.concatenate([pt[k] for pt in parts]) for k in parts[0]}


def _take(e, idx):
    return {k: v[idx] for k, v in e.items()}


def draw_episodes(fams: Families, d: np.ndarray, moved: np.ndarray, moved_with_plan: np.ndarray,
                  rng, p, audit: int):
    """All episodes of all families (family episodes, follow-ups, moved-in plans, newborns)."""
    ch = fams.children
    n = len(fams.parents)
    first = fams.parents["first_child"].to_numpy()
    last = first + fams.parents["n_children"].to_numpy() - 1
    dob = ch["dob"].to_numpy()
    w0 = dob[first] - p.prebirth_window_days
    w1 = np.minimum(audit, eighteenth_birthday(dob[last]))
    years = np.maximum(w1 - w0, 0) / DAYS_PER_YEAR
    k = rng.poisson(p.episodes_per_year * d * years)
    fam = np.repeat(np.arange(n), k)
    t = w0[fam] + np.floor(rng.random(len(fam)) * (w1 - w0)[fam]).astype(np.int64)
    stage, nfa = _ladder(d[fam], rng, p)
    parts = [_episode_dates(fam, t, stage, nfa, rng, p)]

    # moved-in families arriving with a child on the other authority's plan
    mf = np.flatnonzero(moved_with_plan & (moved != NO_DATE))
    if len(mf):
        tm = moved[mf] - uniform_days(rng, 30, 200, len(mf))
        e = _episode_dates(mf, tm, np.full(len(mf), STAGE_PLAN), np.zeros(len(mf), bool), rng, p)
        e["plan_end"] = np.maximum(e["plan_end"], moved[mf] + uniform_days(rng, 90, 400, len(mf)))
        parts.append(e)

    # follow-up episodes: drift after a closed referral or an ended plan
    prev = _concat(parts)
    for _ in range(3):
        close = _episode_close(prev)
        after_plan = prev["stage"] >= STAGE_PLAN
        prob = np.where(after_plan, p.followup_after_plan,
                        np.where(prev["stage"] >= 1, p.followup_after_referral, 0.0))
        go = rng.random(len(close)) < prob
        delay = np.where(after_plan, uniform_days(rng, 14, 700, len(close)),
                         uniform_days(rng, 14, 330, len(close)))
        tf = close + delay
        go &= tf <= w1[prev["family"]]
        if not go.any():
            break
        ff = prev["family"][go]
        sf, nf = _ladder(d[ff], rng, p, np.where(after_plan[go], p.escalation_after_plan, 1.0))
        replan = after_plan[go] & (rng.random(len(ff)) < p.replan_after_plan)
        sf = np.where(replan, np.maximum(sf, STAGE_PLAN), sf)
        nf = nf & ~replan
        prev = _episode_dates(ff, tf[go], sf, nf, rng, p)
        parts.append(prev)
    eps = _concat(parts)

    # babies born during or after an older sibling's care proceedings
    issue = np.where(eps["stage"] >= STAGE_PROCEEDINGS, eps["pp_issue"], INF)
    first_issue = np.full(n, INF)
    np.minimum.at(first_issue, eps["family"], issue)
    cf = ch["family"].to_numpy()
    born_after = (dob >= first_issue[cf] - 60) & (dob > NEG)
    target = np.flatnonzero(born_after & (rng.random(len(dob)) < p.newborn_after_proceedings))
    if len(target):
        m = len(target)
        tt = dob[target] - uniform_days(rng, 30, 120, m)
        st = np.where(rng.random(m) < p.newborn_to_plan, STAGE_PLAN, STAGE_REFERRAL)
        st = np.where((st == STAGE_PLAN) & (rng.random(m) < p.newborn_to_proceedings),
                      STAGE_PROCEEDINGS, st)
        st = np.where(st == STAGE_REFERRAL, STAGE_S47, st)
        e = _episode_dates(cf[target], tt, st, np.zeros(m, bool), rng, p)
        e["s47_start"] = tt + uniform_days(rng, 5, 20, m)
        e["s47_end"] = e["s47_start"] + uniform_days(rng, 7, 30, m)
        e["icpc"] = e["s47_start"] + uniform_days(rng, 8, 20, m)
        e["plan_start"] = e["icpc"]
        e["plan_end"] = e["icpc"] + _plan_days(rng, p, m)
        e["pp_decision"] = e["plan_start"] + uniform_days(rng, 7, 30, m)
        e["pp_letter"] = e["pp_decision"] + uniform_days(rng, 2, 7, m)
        e["pp_issue"] = np.maximum(dob[target] + uniform_days(rng, 0, 28, m), e["pp_letter"] + 7)
        e["cla_start"] = e["pp_issue"] + uniform_days(rng, 0, 2, m)
        e["cla_return"] = e["cla_start"] + uniform_days(rng, 120, 540, m)
        e["adopt"] = e["cla_start"] + uniform_days(rng, 400, 900, m)
        e["close_s47"] = e["s47_end"] + uniform_days(rng, 14, 120, m)
        e["category"] = np.full(m, "Neglect", dtype=object)
        e["latest"] = np.full(m, "Neglect", dtype=object)
        e["cla"] = np.ones(m, bool)
        e["target"] = target
        eps = _concat([eps, e])
    order = np.lexsort((eps["t"], eps["family"]))
    return _take(eps, order)


# --------------------------------------------------------------------------------------------
# child rows


def _expand(eps, fams, p, audit, rng):
    """One row per (episode, child concerned): indexes into episodes and children."""
    ch = fams.children
    cf = ch["family"].to_numpy()
    dob = ch["dob"].to_numpy()
    death = ch["death_date"].to_numpy()
    end = np.minimum(np.minimum(eighteenth_birthday(dob) - 1, audit),
                     np.where(death == NO_DATE, INF, death))
    start = dob - p.prebirth_window_days
    fam_ep = eps["target"] < 0
    ep_idx = np.flatnonzero(fam_ep)
    off = 1 << 22
    key = eps["family"][ep_idx] * (1 << 24) + (eps["t"][ep_idx] + off)
    lo = np.searchsorted(key, cf * (1 << 24) + (start + off), "left")
    hi = np.searchsorted(key, cf * (1 << 24) + (end + off), "right")
    cnt = np.maximum(hi - lo, 0)
    child = np.repeat(np.arange(len(cf)), cnt)
    within = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    ep = ep_idx[np.repeat(lo, cnt) + within]
    keep = rng.random(len(ep)) < p.child_in_episode
    unborn = eps["t"][ep] < dob[child]
    keep &= ~unborn | (eps["stage"][ep] >= STAGE_REFERRAL)
    child, ep = child[keep], ep[keep]
    tgt = np.flatnonzero(~fam_ep)
    child = np.concatenate([child, eps["target"][tgt]])
    ep = np.concatenate([ep, tgt])
    return child, ep


def child_rows(eps, fams, p, audit, rng):
    """Per (episode, child): the child's stage and the dates of every step it reached."""
    ch = fams.children
    child, ep = _expand(eps, fams, p, audit, rng)
    dob = ch["dob"].to_numpy()[child]
    death = ch["death_date"].to_numpy()[child]
    death = np.where(death == NO_DATE, INF, death)
    b18 = eighteenth_birthday(dob)
    r = {k: v[ep] for k, v in eps.items()}
    r["child"], r["ep"], r["dob"], r["b18"], r["death"] = child, ep, dob, b18, death
    n = len(child)
    stage = r["stage"].copy()
    skip = ((rng.random(n) < p.child_skips_stage) & (stage >= STAGE_S47) & (stage != STAGE_PLAN)
            & (r["target"] < 0))
    stage = stage - skip
    unborn = (r["t"] < dob) & (r["target"] < 0)
    stage = np.where(unborn, np.minimum(stage, STAGE_PLAN), stage)
    # a child takes no step on or after its 18th birthday, nor after its death: the episode
    # stops at the last step dated before that limit (no plan starting at 18, no care after death)
    limit = np.minimum(b18, death + 1)
    for k, step in ((STAGE_S47, "s47_start"), (STAGE_ICPC, "icpc"), (STAGE_PLAN, "plan_start"),
                    (STAGE_PLO, "pp_decision"), (STAGE_PROCEEDINGS, "pp_issue")):
        stage = np.where((stage >= k) & (r[step] >= limit), k - 1, stage)
    r["stage"] = stage
    r["nfa"] = r["nfa"] & (stage == STAGE_REFERRAL)
    # steps ending after a death end on the day of death
    for step in ("ass_auth", "s47_end", "pp_letter"):
        r[step] = np.minimum(r[step], death)

    # looked after: permanent (adoption under 5 at entry, else long-term care to 18) or home
    cla = (stage >= STAGE_PROCEEDINGS) & r["cla"] & (r["cla_start"] < limit)
    permanent = cla & (rng.random(n) < p.cla_permanent)
    young = (r["cla_start"] - dob) < 5 * DAYS_PER_YEAR
    r["cla_flag"] = cla
    r["cla_end"] = np.where(permanent, np.where(young, r["adopt"], b18), r["cla_return"])
    r["cla_end"] = np.minimum(r["cla_end"], death)
    r["permanent"] = permanent
    r["plan_end"] = np.where(cla, np.minimum(r["plan_end"], r["cla_start"]), r["plan_end"])
    r["plan_end"] = np.minimum(np.minimum(r["plan_end"], b18), death)
    close = np.select(
        [stage == 0, r["nfa"], stage == 1, stage <= 3, stage <= 5, cla],
        [r["t"], r["close_nfa"], r["close_ass"], r["close_s47"], r["plan_end"] + r["close_plan"],
         np.where(permanent & ~young, b18, r["cla_end"] + r["close_plan"])],
        default=r["plan_end"] + 60 + 5 * r["close_plan"],
    )
    close = np.minimum(close, b18)
    died = death < close  # the episode closes on the day of death (RC2, child died)
    r["close"] = np.minimum(close, death)
    u = rng.random(n)
    reason = np.select(
        [died, r["nfa"], stage == 1, stage <= 5, cla & permanent & young, cla & permanent, cla],
        [np.full(n, "RC2"), np.full(n, "RC8"),
         np.where(r["step_down"], "RC9", np.where(u < 0.7, "RC8", "RC7")),
         np.where(r["step_down"], "RC9", np.where(u < 0.1, "RC5", "RC7")),
         np.full(n, "RC1"), np.full(n, "RC7"), np.full(n, "RC7")],
        default=np.where(u < 0.5, "RC4", "RC3"),
    )
    r["close_reason"] = reason.astype(object)

    # no overlapping episodes: a child with an open referral gets a contact only
    order = np.lexsort((r["t"], child))
    r = {k: v[order] for k, v in r.items()}
    c, t = r["child"], r["t"]
    close_eff = np.where(r["stage"] >= 1, r["close"], NEG)
    prev_max = pd.Series(close_eff).groupby(c).cummax().groupby(c).shift(1)
    prev_max = prev_max.fillna(NEG).to_numpy(dtype=np.int64)
    busy = (t <= prev_max) & (r["stage"] >= 1)
    r["open_case"] = busy
    r["stage"] = np.where(busy, 0, r["stage"])
    r["nfa"] = r["nfa"] & ~busy
    r["cla_flag"] = r["cla_flag"] & ~busy
    r["permanent"] = r["permanent"] & ~busy
    # a child permanently removed or dead leaves the household
    gone = np.where(r["permanent"], r["cla_start"], INF)
    first_gone = pd.Series(gone).groupby(c).transform("min").to_numpy()
    keep = (t <= first_gone) & (t <= r["death"])
    return {k: v[keep] for k, v in r.items()}
