"""From child rows to the SSD tables (integer-day dates; formatted as text by ``writer``).

Rules applied here (see the package docstring of :mod:`neglect_analysis.synthetic`):

* a child row belongs to the *other authority* if its episode began before the family moved in,
  to the *paper era* if it began before ``ics_start_date``, else to the extract;
* other-authority rows leave nothing in the extract, except a child still on the other
  authority's plan at the move: a transfer-in referral, ICPC (``icpc_icpc_transfer_in`` Y) and
  CP plan (``cppl_cp_plan_ola`` Y) shortly after the move;
* paper-era rows leave only referrals, CP plans and CLA episodes still open at the ICS start
  (migrated records);
* events starting after the audit date (or the child's death) do not exist; end dates after the
  audit date are blank (open); an episode open at a child's death ends on the death date
  (early help: reason ``Child died``); a pre-proceedings row has no outcome before its
  step-down or issue date (still in pre-proceedings at the audit date);
* no transfer-in for a child who died or turned 18 before the transfer-in conference.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .families import NO_DATE, Families
from .journeys import INF, IRO_THEMES, PRE_PRO_ISSUE, PRE_PRO_STEP_DOWN, uniform_days
from .params import SyntheticParams

#: Early-help end reason of an episode ended by the child's death.
EARLY_HELP_DIED = "Child died"
#: Factor codes the generator records, in the order written in the JSON arrays.
FACTOR_ORDER: tuple[str, ...] = ("1B", "2B", "3A", "3B", "3C", "4B", "5B", "16A", "17A", "18B",
                                 "19B", "21")
FILE_NOTES: tuple[str, ...] = (
    "Home visit: home conditions poor, little food in the house",
    "Advice given to parent about supervision of the children",
    "Health visitor concerns about weight and hygiene",
    "Police attended a domestic incident, children present",
    "Missed health appointments; parent not at home for visits",
)
SCHOOL_REPORTS: tuple[str, ...] = (
    "School report: attendance below 80%, arrives hungry",
    "School report: concerns about presentation and missing equipment",
    "School report: late collection and poor hygiene noted",
)
REVIEW_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("Q1", "Assessment refers to older siblings' history"),
    ("Q2", "Chronology complete"),
    ("Q3", "Paper file requested"),
    ("Q4", "Assessment analyses effectiveness of previous interventions"),
    ("Q5", "Other authority's history sought"),
)


#: Prefix of the row ids of each table (``C0000001``...), and of the PLO family ids.
ID_PREFIXES: dict[str, str] = {
    "ssd_contacts": "C", "ssd_early_help_episodes": "EH", "ssd_cin_episodes": "R",
    "ssd_cin_assessments": "A", "ssd_s47_enquiry": "S", "ssd_initial_cp_conference": "I",
    "ssd_cp_plans": "CP", "ssd_cla_episodes": "L", "ssd_pre_proceedings": "PP", "plo": "PLO",
}


def row_ids(prefix: str, n: int, start: int = 0) -> np.ndarray:
    """Ids ``prefix`` + numbers ``start + 1 .. start + n``, zero-padded to 7 digits, or to
    the digits of ``start + n`` past 9,999,999 (a block's ids never depend on later blocks).

    Examples
    --------
    >>> row_ids("C", 2).tolist(), row_ids("PP", 1, start=41).tolist()
    (['C0000001', 'C0000002'], ['PP0000042'])
    """
    width = max(7, len(str(start + n)))
    if n == 0:
        return np.zeros(0, dtype=object)
    return np.char.add(prefix, np.char.zfill((np.arange(n) + start + 1).astype(str), width)).astype(object)


def _number(frame: pd.DataFrame, date_col: str, prefix: str, id_col: str, start: int = 0) -> pd.DataFrame:
    """Sort by date, person, construction order and number the rows from ``start + 1``."""
    frame = frame.assign(_order=np.arange(len(frame)))
    frame = frame.sort_values([date_col, "person_id", "_order"], kind="stable").reset_index(drop=True)
    frame[id_col] = row_ids(prefix, len(frame), start)
    return frame.drop(columns="_order")


def _factor_json(mask: np.ndarray) -> np.ndarray:
    """JSON arrays of factor codes for bit masks over :data:`FACTOR_ORDER`."""
    uniq, inv = np.unique(mask, return_inverse=True)
    text = np.array([json.dumps([c for b, c in enumerate(FACTOR_ORDER) if (m >> b) & 1],
                                separators=(",", ":")) for m in uniq], dtype=object)
    return text[inv]


def contact_json(new_ref: np.ndarray, cp_enq: np.ndarray, nfa: np.ndarray,
                 advice: np.ndarray) -> np.ndarray:
    """``cont_contact_outcome_json`` text from four boolean arrays of flags.

    Examples
    --------
    >>> contact_json(*[np.array([b]) for b in (True, False, False, True)])[0]
    '{"NEW_REFERRAL_FLAG":"Y","CP_ENQUIRY_FLAG":"N","NFA_FLAG":"N","ADVICE_FLAG":"Y"}'
    """
    flags = ("NEW_REFERRAL_FLAG", "CP_ENQUIRY_FLAG", "NFA_FLAG", "ADVICE_FLAG")
    table = []
    for code in range(16):
        bits = [(code >> (3 - i)) & 1 for i in range(4)]
        table.append("{" + ",".join(f'"{f}":"{"Y" if b else "N"}"' for f, b in zip(flags, bits)) + "}")
    code = (new_ref.astype(int) << 3) | (cp_enq.astype(int) << 2) | (nfa.astype(int) << 1) | advice.astype(int)
    return np.array(table, dtype=object)[code]


def _yn(x: np.ndarray) -> np.ndarray:
    return np.where(x, "Y", "N").astype(object)


def _transfer_rows(r, moved_fam, rng):
    """Copies of other-authority rows whose plan was open at the move, as transfer-in rows."""
    m = moved_fam[r["family"]]
    sel = ((m != NO_DATE) & (r["t"] < m) & (r["stage"] >= 4) & (r["plan_start"] < m)
           & (r["plan_end"] > m + 14) & (r["dob"] <= m))
    idx = np.flatnonzero(sel)
    x = {k: v[idx].copy() for k, v in r.items()}
    k = len(idx)
    mv = m[idx]
    x["t"] = mv + uniform_days(rng, 0, 14, k)
    x["stage"] = np.full(k, 4)
    x["transfer"] = np.ones(k, bool)
    x["ass_start"] = x["t"] + uniform_days(rng, 0, 5, k)
    x["ass_auth"] = np.minimum(x["ass_start"] + uniform_days(rng, 10, 40, k), x["death"])
    x["icpc"] = x["t"] + uniform_days(rng, 7, 21, k)
    x["plan_start"] = x["icpc"]
    x["plan_end"] = np.minimum(np.maximum(x["plan_end"], x["icpc"] + 60), np.minimum(x["b18"], x["death"]))
    close = np.minimum(x["plan_end"] + x["close_plan"], x["b18"])
    x["close"] = np.minimum(close, x["death"])
    x["close_reason"] = np.where(x["death"] < close, "RC2", "RC7").astype(object)
    x["source"] = np.full(k, "5A", dtype=object)
    x["cla_flag"] = np.zeros(k, bool)
    x["open_case"] = np.zeros(k, bool)
    x["nfa"] = np.zeros(k, bool)
    # no transfer for a child who turned 18 or died before the transfer-in conference
    alive = x["icpc"] < np.minimum(x["b18"], x["death"] + 1)
    return {key: v[alive] for key, v in x.items()}


def _contact_only_beside_transfers(r, moved_fam):
    """No referral of ours overlapping a child's transfer-in referral: such an episode is a
    contact only (the rule of :func:`~neglect_analysis.synthetic.journeys.child_rows` for an
    open referral, applied to the transfer-in rows made after it)."""
    tr = np.flatnonzero(r["transfer"])
    if not len(tr):
        return r
    mv = moved_fam[r["family"]]
    ours = np.flatnonzero(~r["transfer"] & (mv != NO_DATE) & (r["t"] >= mv) & (r["stage"] >= 1))
    pairs = pd.DataFrame({"child": r["child"][ours], "row": ours}).merge(
        pd.DataFrame({"child": r["child"][tr], "t0": r["t"][tr], "c0": r["close"][tr]}), on="child")
    row = pairs["row"].to_numpy()
    hit = row[(r["t"][row] <= pairs["c0"].to_numpy()) & (r["close"][row] >= pairs["t0"].to_numpy())]
    if not len(hit):
        return r
    r = dict(r)
    busy = np.zeros(len(r["t"]), bool)
    busy[hit] = True
    r["stage"] = np.where(busy, 0, r["stage"])
    r["open_case"] = r["open_case"] | busy
    for key in ("nfa", "cla_flag", "permanent"):
        r[key] = r[key] & ~busy
    r["close"] = np.where(busy, r["t"], r["close"])
    return r


def build_tables(r: dict, fams: Families, family: dict, p: SyntheticParams, rng: np.random.Generator,
                 audit: int, ics: int, id_start: dict[str, int] | None = None,
                 first_family: int = 0) -> dict[str, pd.DataFrame]:
    """SSD tables (dates as integer days, :data:`NO_DATE` = blank) from the child rows.

    Row ids of the table ``t`` are numbered from ``id_start[t] + 1`` (keys of
    :data:`ID_PREFIXES`; all 0 by default); ``first_family`` is the cohort-wide number of the
    block's first family (the review's auditor follows it).
    """
    first_id = {key: 0 for key in ID_PREFIXES} | (id_start or {})
    ch = fams.children
    moved = family["moved"]
    r = dict(r)
    r["transfer"] = np.zeros(len(r["t"]), bool)
    tr = _transfer_rows(r, moved, rng)
    r = {k: np.concatenate([r[k], tr[k]]) for k in r}
    r = _contact_only_beside_transfers(r, moved)
    n = len(r["t"])
    pid = ch["person_id"].to_numpy()[r["child"]]
    mv = moved[r["family"]]
    other_la = (mv != NO_DATE) & (r["t"] < mv) & ~r["transfer"]
    paper_era = ~other_la & (r["t"] < ics)
    ics_era = ~other_la & ~paper_era
    st = r["stage"]
    live = lambda d: (d <= audit) & (d <= r["death"])  # noqa: E731
    opened = lambda end: (end >= ics) | (end > audit)  # noqa: E731
    blank = lambda d: np.where(d > audit, NO_DATE, d)  # noqa: E731
    born = r["t"] >= r["dob"]
    tables: dict[str, pd.DataFrame] = {}

    # contacts
    m = ics_era & born & live(r["t"])
    quiet = (st == 0) & ~r["open_case"]
    cont = pd.DataFrame({
        "person_id": pid[m], "date": r["t"][m], "source": r["source"][m],
        "outcome": contact_json((st >= 1)[m], (st >= 2)[m], quiet[m], (quiet & r["advice"])[m]),
    })
    cont = _number(cont, "date", "C", "id", first_id["ssd_contacts"])
    tables["ssd_contacts"] = pd.DataFrame({
        "cont_contact_id": cont["id"], "cont_person_id": cont["person_id"],
        "cont_contact_date": cont["date"], "cont_contact_source_code": cont["source"],
        "cont_contact_outcome_json": cont["outcome"]})

    # early help: advice taken up, and referrals stepped down (RC9)
    eh_take = ics_era & born & quiet & r["advice"] & r["take_up"]
    eh_step = ics_era & (st >= 1) & (r["close_reason"] == "RC9") & (r["close"] >= r["dob"])
    eh_start = np.where(eh_take, r["eh_start"], r["close"] + r["eh_days"] % 21)
    m = (eh_take | eh_step) & live(eh_start)
    eh_end = np.where(m, np.minimum(eh_start + r["eh_days"], r["death"]), NO_DATE)
    eh_reason = np.where(eh_end == r["death"], EARLY_HELP_DIED, r["eh_reason"])
    eh = pd.DataFrame({"person_id": pid[m], "start": eh_start[m], "end": blank(eh_end[m]),
                       "reason": eh_reason[m]})
    eh.loc[eh["end"] == NO_DATE, "reason"] = None
    eh = _number(eh, "start", "EH", "id", first_id["ssd_early_help_episodes"])
    tables["ssd_early_help_episodes"] = pd.DataFrame({
        "earl_episode_id": eh["id"], "earl_person_id": eh["person_id"],
        "earl_episode_start_date": eh["start"], "earl_episode_end_date": eh["end"],
        "earl_episode_end_reason": eh["reason"]})

    # referrals (CIN episodes)
    m_ref = (st >= 1) & live(r["t"]) & (ics_era | (paper_era & opened(r["close"])))
    ref = pd.DataFrame({"row": np.flatnonzero(m_ref), "person_id": pid[m_ref], "date": r["t"][m_ref],
                        "need": r["need"][m_ref], "nfa": _yn(r["nfa"][m_ref]),
                        "close": blank(r["close"][m_ref]), "reason": r["close_reason"][m_ref]})
    ref.loc[ref["close"] == NO_DATE, "reason"] = None
    ref = _number(ref, "date", "R", "id", first_id["ssd_cin_episodes"])
    ref_id = np.full(n, None, dtype=object)
    ref_id[ref["row"].to_numpy()] = ref["id"].to_numpy()
    tables["ssd_cin_episodes"] = pd.DataFrame({
        "cine_referral_id": ref["id"], "cine_person_id": ref["person_id"],
        "cine_referral_date": ref["date"], "cine_cin_primary_need_code": ref["need"],
        "cine_referral_nfa": ref["nfa"], "cine_close_date": ref["close"],
        "cine_close_reason": ref["reason"]})

    # assessments and factors
    m = (st >= 1) & ~r["nfa"] & ics_era & live(r["ass_start"])
    fam = r["family"][m]
    k = int(m.sum())
    rec = lambda trait: family[trait][fam] & (rng.random(k) < p.trait_recorded)  # noqa: E731
    bits = np.zeros(k, dtype=np.int64)
    da = rec("domestic_abuse")
    da_code = rng.choice(np.array([2, 3, 4]), size=k, p=[0.3, 0.5, 0.2])
    bits |= np.where(da, 1 << da_code, 0)
    bits |= np.where(rec("alcohol"), 1 << 0, 0)
    bits |= np.where(rec("drugs"), 1 << 1, 0)
    bits |= np.where(rec("mental_health"), 1 << 5, 0)
    bits |= np.where(rec("learning_disability"), 1 << 6, 0)
    cat = r["category"][m]
    neg_p = np.where(cat == "Neglect", 0.85, p.neglect_factor)
    bits |= np.where(rng.random(k) < neg_p, 1 << 7, 0)
    u = rng.random(k)
    bits |= np.where((cat == "Emotional Abuse") & (u < 0.6), 1 << 8, 0)
    bits |= np.where((cat == "Physical Abuse") & (u < 0.6), 1 << 9, 0)
    bits |= np.where((cat == "Sexual Abuse") & (u < 0.6), 1 << 10, 0)
    bits = np.where(bits == 0, 1 << 11, bits)
    ass = pd.DataFrame({"row": np.flatnonzero(m), "person_id": pid[m], "start": r["ass_start"][m],
                        "auth": blank(r["ass_auth"][m]), "factors": _factor_json(bits)})
    ass = _number(ass, "start", "A", "id", first_id["ssd_cin_assessments"])
    ass["referral"] = ref_id[ass["row"].to_numpy()]
    tables["ssd_cin_assessments"] = pd.DataFrame({
        "cina_assessment_id": ass["id"], "cina_person_id": ass["person_id"],
        "cina_referral_id": ass["referral"], "cina_assessment_start_date": ass["start"],
        "cina_assessment_auth_date": ass["auth"]})
    tables["ssd_assessment_factors"] = pd.DataFrame({
        "cinf_assessment_id": ass["id"], "cinf_assessment_factors_json": ass["factors"]})
    assessed_child = np.zeros(len(ch), bool)
    assessed_child[r["child"][ass["row"].to_numpy()]] = True

    # section 47 enquiries
    m = (st >= 2) & ~r["transfer"] & ics_era & live(r["s47_start"])
    s47_nfa = (st == 2) & (rng.random(n) < 0.55)
    s47 = pd.DataFrame({"row": np.flatnonzero(m), "person_id": pid[m], "start": r["s47_start"][m],
                        "end": blank(r["s47_end"][m]), "nfa": _yn(s47_nfa[m])})
    s47.loc[s47["end"] == NO_DATE, "nfa"] = None
    s47 = _number(s47, "start", "S", "id", first_id["ssd_s47_enquiry"])
    s47_id = np.full(n, None, dtype=object)
    s47_id[s47["row"].to_numpy()] = s47["id"].to_numpy()
    tables["ssd_s47_enquiry"] = pd.DataFrame({
        "s47e_s47_enquiry_id": s47["id"], "s47e_person_id": s47["person_id"],
        "s47e_referral_id": ref_id[s47["row"].to_numpy()], "s47e_s47_start_date": s47["start"],
        "s47e_s47_end_date": s47["end"], "s47e_s47_nfa": s47["nfa"]})

    # initial child protection conferences
    m = (st >= 3) & ics_era & live(r["icpc"])
    icpc = pd.DataFrame({"row": np.flatnonzero(m), "person_id": pid[m], "date": r["icpc"][m],
                         "flag": _yn((st >= 4)[m]), "transfer": _yn(r["transfer"][m])})
    icpc = _number(icpc, "date", "I", "id", first_id["ssd_initial_cp_conference"])
    icpc_id = np.full(n, None, dtype=object)
    icpc_id[icpc["row"].to_numpy()] = icpc["id"].to_numpy()
    tables["ssd_initial_cp_conference"] = pd.DataFrame({
        "icpc_icpc_id": icpc["id"], "icpc_person_id": icpc["person_id"],
        "icpc_s47_enquiry_id": s47_id[icpc["row"].to_numpy()], "icpc_icpc_date": icpc["date"],
        "icpc_icpc_outcome_cp_flag": icpc["flag"], "icpc_icpc_transfer_in": icpc["transfer"]})

    # child protection plans
    m = (st >= 4) & live(r["plan_start"]) & (ics_era | (paper_era & opened(r["plan_end"])))
    plan = pd.DataFrame({"row": np.flatnonzero(m), "person_id": pid[m], "start": r["plan_start"][m],
                         "end": blank(r["plan_end"][m]), "initial": r["category"][m],
                         "latest": r["latest"][m], "ola": _yn(r["transfer"][m])})
    plan = _number(plan, "start", "CP", "id", first_id["ssd_cp_plans"])
    plan_death = r["death"][plan["row"].to_numpy()]
    tables["ssd_cp_plans"] = pd.DataFrame({
        "cppl_cp_plan_id": plan["id"], "cppl_person_id": plan["person_id"],
        "cppl_icpc_id": icpc_id[plan["row"].to_numpy()],
        "cppl_cp_plan_start_date": plan["start"], "cppl_cp_plan_end_date": plan["end"],
        "cppl_cp_plan_initial_category": plan["initial"],
        "cppl_cp_plan_latest_category": plan["latest"], "cppl_cp_plan_ola": plan["ola"]})

    # looked after
    m = r["cla_flag"] & live(r["cla_start"]) & (ics_era | (paper_era & opened(r["cla_end"])))
    cla = pd.DataFrame({"person_id": pid[m], "start": r["cla_start"][m], "end": blank(r["cla_end"][m])})
    cla = _number(cla, "start", "L", "id", first_id["ssd_cla_episodes"])
    tables["ssd_cla_episodes"] = pd.DataFrame({
        "clae_cla_episode_id": cla["id"], "clae_person_id": cla["person_id"],
        "clae_cla_episode_start_date": cla["start"], "clae_cla_episode_ceased_date": cla["end"]})

    # pre-proceedings (one PLO family id per episode)
    m = (st >= 5) & ics_era & live(r["pp_decision"])
    issue = st >= 6
    pp = pd.DataFrame({"person_id": pid[m], "decision": r["pp_decision"][m], "ep": r["ep"][m],
                       "outcome": np.where(issue[m], PRE_PRO_ISSUE, PRE_PRO_STEP_DOWN).astype(object),
                       "issue": blank(np.where(live(r["pp_issue"]), r["pp_issue"], NO_DATE)[m]),
                       "letter": blank(r["pp_letter"][m])})
    # no outcome is recorded before the step-down or issue date: still in pre-proceedings
    pp.loc[pp["issue"] == NO_DATE, "outcome"] = None
    pp = _number(pp, "decision", "PP", "id", first_id["ssd_pre_proceedings"])
    ep_codes, ep_num = np.unique(pp["ep"].to_numpy(), return_inverse=True)
    first_dec = pd.Series(pp["decision"].to_numpy()).groupby(ep_num).transform("min").to_numpy()
    plo_order = pd.DataFrame({"ep": ep_num, "d": first_dec}).drop_duplicates("ep").sort_values(["d", "ep"])
    plo_rank = np.empty(len(ep_codes), dtype=np.int64)
    plo_rank[plo_order["ep"].to_numpy()] = np.arange(len(plo_order))
    tables["ssd_pre_proceedings"] = pd.DataFrame({
        "prep_table_id": pp["id"], "prep_person_id": pp["person_id"],
        "prep_plo_family_id": row_ids("PLO", len(ep_codes), first_id["plo"])[plo_rank[ep_num]] if len(pp) else pp["id"],
        "prep_pre_pro_decision_date": pp["decision"], "prep_pre_pro_outcome": pp["outcome"],
        "prep_agree_stepdown_issue_date": pp["issue"], "prep_care_pro_letter_date": pp["letter"]})

    # paper records: requested files of children with paper-era or other-authority history
    pre_ics_child = ch["dob"].to_numpy() < ics
    ola_child = np.zeros(len(ch), bool)
    ola_child[r["child"][other_la]] = True
    eligible = pre_ics_child | ola_child
    requested = eligible & (rng.random(len(ch)) < p.paper_file_requested)
    tables["paper_records"] = _paper_records(r, pid, paper_era | other_la, other_la, mv, requested, ch,
                                             fams, p, rng, ics, audit)

    # IRO challenges on plans in the extract
    plans = tables["ssd_cp_plans"]
    k = len(plans)
    pick = rng.random(k) < p.iro_challenge_per_plan
    start = plans["cppl_cp_plan_start_date"].to_numpy()
    end = plans["cppl_cp_plan_end_date"].to_numpy()
    end = np.where(end == NO_DATE, audit, end)
    cdate = start + uniform_days(rng, 30, 240, k)
    pick &= cdate <= end
    resolved = np.minimum(cdate + uniform_days(rng, 7, 120, k), plan_death)
    tables["iro_challenges"] = pd.DataFrame({
        "person_id": plans["cppl_person_id"].to_numpy()[pick],
        "cp_plan_id": plans["cppl_cp_plan_id"].to_numpy()[pick], "challenge_date": cdate[pick],
        "theme": np.array(IRO_THEMES, dtype=object)[rng.integers(0, len(IRO_THEMES), k)][pick],
        "resolved_date": blank(resolved[pick])}).sort_values(
            ["challenge_date", "cp_plan_id"], kind="stable").reset_index(drop=True)

    tables["case_review"] = _case_review(ch, assessed_child, requested, eligible, ola_child, p, rng, audit,
                                         first_family)
    tables["_first_ics_event"] = pd.DataFrame({"child": r["child"][ics_era], "t": r["t"][ics_era]})
    return tables


def _paper_records(r, pid, era, other_la, mv, requested, ch, fams, p, rng, ics, audit):
    """Pre-ICS and other-authority events found in requested paper files, plus notes."""
    rows = []
    req = requested[r["child"]] & era
    details = {
        "referral": lambda m: np.char.add("Referral on paper file, primary need ",
                                          r["need"][m].astype(str)),
        "s47": lambda m: np.full(int(m.sum()), "Section 47 enquiry recorded on paper file"),
        "cp_plan": lambda m: np.char.add("Child protection plan on paper file: ",
                                         r["category"][m].astype(str)),
        "care_proceedings": lambda m: np.full(int(m.sum()), "Care proceedings issued (court bundle)"),
    }
    dates = {"referral": r["t"], "s47": r["s47_start"], "cp_plan": r["plan_start"],
             "care_proceedings": r["pp_issue"]}
    min_stage = {"referral": 1, "s47": 2, "cp_plan": 4, "care_proceedings": 6}
    for etype, share in p.paper_recovered:
        d = dates[etype]
        bound = np.where(other_la, mv, ics)  # before the move / before the ICS
        m = req & (r["stage"] >= min_stage[etype]) & (d < bound) & (d <= audit) & (rng.random(len(d)) < share)
        if etype == "s47":
            m &= ~r["transfer"]
        rows.append(pd.DataFrame({"child": r["child"][m], "person_id": pid[m], "event_date": d[m],
                                  "event_type": etype, "detail": details[etype](m).astype(object),
                                  "ola": other_la[m]}))
    # file notes and school reports in the requested files
    dob = ch["dob"].to_numpy()
    lo = dob + int(4 * 365.25)
    death = ch["death_date"].to_numpy()
    hi = np.minimum(np.minimum(ics, dob + int(16 * 365.25)), np.where(death == NO_DATE, INF, death))
    years = np.maximum(hi - lo, 0) / 365.25
    k = rng.poisson(p.paper_notes_per_year * years * requested)
    c = np.repeat(np.arange(len(dob)), k)
    nd = lo[c] + np.floor(rng.random(len(c)) * (hi - lo)[c]).astype(np.int64)
    school = rng.random(len(c)) < 0.5
    text = np.where(school, np.array(SCHOOL_REPORTS, dtype=object)[rng.integers(0, len(SCHOOL_REPORTS), len(c))],
                    np.array(FILE_NOTES, dtype=object)[rng.integers(0, len(FILE_NOTES), len(c))])
    rows.append(pd.DataFrame({"child": c, "person_id": ch["person_id"].to_numpy()[c], "event_date": nd,
                              "event_type": np.where(school, "school_report", "file_note"),
                              "detail": text, "ola": False}))
    pr = pd.concat(rows, ignore_index=True)
    pr["detail"] = np.where(pr["ola"], "Other authority record: " + pr["detail"].astype(str),
                            pr["detail"].astype(str)).astype(object)
    fam = ch["family"].to_numpy()[pr["child"].to_numpy()]
    file_no = fams.parents["person_id"].to_numpy()[fam]
    pr["file"] = np.char.add(np.where(pr["ola"], "OLA/", "PF/"), np.char.lstrip(file_no.astype(str), "P"))
    pr = pr.sort_values(["file", "event_date", "person_id", "event_type"], kind="stable").reset_index(drop=True)
    seq = pr.groupby("file").cumcount().to_numpy() + 1
    pr["document_ref"] = pr["file"] + "/" + pd.Series(seq).astype(str).str.zfill(3)
    pr = pr.sort_values(["person_id", "event_date", "document_ref"], kind="stable").reset_index(drop=True)
    pr["other_la"] = np.where(pr["ola"], "Y", "N")  # DESIGN.md paper_records: Y where another authority recorded it
    return pr[["person_id", "event_date", "event_type", "detail", "document_ref", "other_la"]]


def _case_review(ch, assessed, requested, eligible, ola_child, p, rng, audit, first_family):
    n = len(ch)
    older = ch["birth_order"].to_numpy() > 0
    q1 = np.where(assessed & older,
                  np.where(rng.random(n) < p.review_sibling_history_yes, "Yes", "No"), "N/A")
    q2 = np.where(rng.random(n) < p.review_chronology_complete, "Yes", "No")
    q3 = np.where(eligible, np.where(requested, "Yes", "No"), "N/A")
    q4 = np.where(assessed, np.where(rng.random(n) < p.review_interventions_analysed, "Yes", "No"), "N/A")
    q5 = np.where(ola_child, np.where(rng.random(n) < 0.4, "Yes", "No"), "N/A")
    reviewer = np.array(["Auditor 1", "Auditor 2", "Auditor 3"], dtype=object)[
        (ch["family"].to_numpy() + first_family) % 3]
    date = audit - uniform_days(rng, 7, 90, n)
    parts = []
    for (item, question), ans in zip(REVIEW_QUESTIONS, (q1, q2, q3, q4, q5)):
        parts.append(pd.DataFrame({"person_id": ch["person_id"].to_numpy(), "item_id": item,
                                   "question": question, "answer": ans.astype(object),
                                   "reviewer": reviewer, "review_date": date}))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["person_id", "item_id"], kind="stable").reset_index(drop=True)
