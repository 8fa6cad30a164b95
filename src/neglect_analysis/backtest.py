"""Backtest of the family signal: would it have worked at the time? (issue 13, item 5)

At each 31 March from two years after the ICS start to one year before the audit date
(:func:`evaluation_dates`), using only what was recorded by then, each rule flags the children
of the sibling groups who are then born, under 18, alive, not moved away and not yet
escalated. A flag is a true positive when the child escalates within the horizon (12 or 24
months) after the evaluation date.

Rules (:data:`RULES`), each a per-child date from which the child is flagged (the rule can be
known on that date, never earlier):

- ``older_sibling_escalated``: an older sibling's first escalation (CP plan, CLA, care
  proceedings) started.
- ``older_sibling_concern``: an older sibling had a CP plan, or an S47 that did not progress
  (known 60 days after its start), or its 3rd referral.
- ``own_history`` (comparison): the child's own S47 that did not progress, or its own 3rd
  referral.

Choices: an event is recorded by date T when it starts on or before T. A horizon is evaluated
only at dates T with T + horizon on or before the audit date (full follow-up). The population
is the run's sibling groups (selected with the whole extract: a child who was not yet born at
T is not in it). Children in two groups count once, in their family (the connected component
of their index parents), which is the unit of the family bootstrap.

Vectorised: one (child, date) table, flags and outcomes by comparing per-child dates with T;
intervals from one set of family-bootstrap draws over per-family sums
(:func:`neglect_analysis.bootstrap.resampled_totals`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .ages import birthday
from .bootstrap import canonical_order, percentile_sums, percentile_shares, resampled_totals
from .cohort import Cohort
from .days import whole_days
from .definitions import DEFAULTS, Definitions
from .escalation import older_sibling_escalation
from .family import ChildEvents
from .idsets import isin, positions

#: The rules, in report order.
RULES: tuple[str, ...] = ("older_sibling_escalated", "older_sibling_concern", "own_history")

#: Plain words for the rules (notebook sentences, the look-now workbook).
RULE_WORDS: dict[str, str] = {
    "older_sibling_escalated": "an older sibling has escalated",
    "older_sibling_concern": "an older sibling had a CP plan, an S47 that did not progress or 3+ referrals",
    "own_history": "the child's own history only",
}

#: Horizons in months.
HORIZONS: tuple[int, ...] = (12, 24)

#: Columns of :func:`signal_backtest` (``signal_backtest.csv``).
BACKTEST_COLUMNS: tuple[str, ...] = (
    "evaluation_date", "rule", "horizon_months", "n_children", "flagged", "flagged_lower",
    "flagged_upper", "true_positives", "true_positives_lower", "true_positives_upper", "missed",
    "missed_lower", "missed_upper", "sensitivity", "sensitivity_lower", "sensitivity_upper",
    "ppv", "ppv_lower", "ppv_upper", "alerts_per_1000", "alerts_per_1000_lower",
    "alerts_per_1000_upper",
)

#: Days an S47 needs before "did not progress to ICPC" can be known (DESIGN.md).
S47_ICPC_DAYS = 60


def evaluation_dates(ics_start_date, audit_date) -> list[pd.Timestamp]:
    """Each 31 March from two years after ``ics_start_date`` to one year before ``audit_date``.

    Examples
    --------
    >>> [d.date().isoformat() for d in evaluation_dates("2009-04-01", "2018-07-31")]
    ['2012-03-31', '2013-03-31', '2014-03-31', '2015-03-31', '2016-03-31', '2017-03-31']
    """
    first = pd.Timestamp(ics_start_date) + pd.DateOffset(years=2)
    last = pd.Timestamp(audit_date) - pd.DateOffset(years=1)
    years = range(first.year, last.year + 1)
    return [d for d in (pd.Timestamp(year=y, month=3, day=31) for y in years) if first <= d <= last]


def concern_dates(cohort: Cohort, children) -> pd.DataFrame:
    """Per child, the dates from which its own history shows each concern.

    - ``cp_plan_date``: its first CP plan start.
    - ``s47_no_icpc_date``: the earliest ``start + 60 days`` of an S47 with no ICPC linked to it
      and no ICPC or CP plan of the child starting within 60 days after it (DESIGN.md "S47 not
      progressing to ICPC", as it could be known 60 days after the start).
    - ``third_referral_date``: the start of its 3rd referral.
    - ``own_history_date``: the earlier of the last two; ``concern_date``: the earliest of all
      three.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["A", "B"]})
    >>> ev = pd.DataFrame({"person_id": ["A", "A", "A", "B", "B"],
    ...     "event_type": ["referral", "referral", "referral", "s47", "icpc"],
    ...     "start_date": ["2010-01-01", "2011-01-01", "2012-01-01", "2013-01-01", "2013-03-15"]})
    >>> c = Cohort.from_frames(persons=persons, events=ev, audit_date="2018-07-31")
    >>> t = concern_dates(c, ["A", "B"])
    >>> t["third_referral_date"].dt.strftime("%Y-%m-%d").fillna("").tolist()
    ['2012-01-01', '']
    >>> t["s47_no_icpc_date"].dt.strftime("%Y-%m-%d").fillna("").tolist()  # ICPC at 73 days
    ['', '2013-03-02']
    """
    kids = ChildEvents.of(cohort, children)
    ev = kids.events
    n = len(kids.ids)
    etype = ev["event_type"]

    def of_type(*kinds: str) -> np.ndarray:  # event types compared as codes, not as text per event
        return etype.isin(kinds).to_numpy(dtype=bool, na_value=False)

    start = ev["start_date"].to_numpy().astype("datetime64[ns]")
    cix = ev["cix"].to_numpy()
    dated = ~np.isnat(start)
    never = np.iinfo(np.int64).max

    def first_of(mask: np.ndarray, when: np.ndarray) -> np.ndarray:
        out = np.full(n, never)
        np.minimum.at(out, cix[mask], when[mask].view("int64"))
        return out

    cp = first_of(of_type("cp_plan") & dated, start)

    # 3rd referral: referrals by child and date, the one with two before it.
    ref = np.flatnonzero(of_type("referral") & dated)
    ref = ref[np.lexsort((start[ref].view("int64"), cix[ref]))]
    rank = pd.Series(cix[ref]).groupby(cix[ref]).cumcount().to_numpy()
    third = np.full(n, never)
    third[cix[ref[rank == 2]]] = start[ref[rank == 2]].view("int64")

    # S47 not progressing: no linked ICPC, no ICPC / CP plan of the child within 60 days after.
    s47 = np.flatnonzero(of_type("s47") & dated)
    icpc_all = cohort.events.loc[(cohort.events["event_type"] == "icpc").to_numpy(dtype=bool, na_value=False),
                                 "linked_event_id"] if "linked_event_id" in cohort.events else pd.Series(dtype=object)
    linked = isin(ev["event_id"].take(s47), icpc_all.dropna()).to_numpy(dtype=bool) \
        if "event_id" in ev else np.zeros(len(s47), bool)
    nxt = np.flatnonzero(of_type("icpc", "cp_plan") & dated)
    key_n = np.lexsort((start[nxt].view("int64"), cix[nxt]))
    nxt = nxt[key_n]
    # Next ICPC / plan on or after each S47 start, same child: searchsorted on (child, date).
    big = np.int64(1) << np.int64(20)
    day = (start.view("int64") // 86_400_000_000_000).astype(np.int64)
    code_n = cix[nxt].astype(np.int64) * (big * big) + (day[nxt] + big)
    code_s = cix[s47].astype(np.int64) * (big * big) + (day[s47] + big)
    at = np.searchsorted(code_n, code_s, side="left")
    ok = at < len(nxt)
    same = np.zeros(len(s47), bool)
    gap = np.full(len(s47), np.inf)
    same[ok] = cix[nxt[at[ok]]] == cix[s47[ok]]
    gap[ok & same] = (day[nxt[at[ok & same]]] - day[s47[ok & same]])
    no_icpc = ~linked & ~(gap <= S47_ICPC_DAYS)
    known = start[s47] + np.timedelta64(S47_ICPC_DAYS, "D")
    s47d = np.full(n, never)
    np.minimum.at(s47d, cix[s47[no_icpc]], known[no_icpc].view("int64"))

    def as_date(v: np.ndarray) -> np.ndarray:
        return np.where(v == never, np.datetime64("NaT"), v.view("datetime64[ns]")).astype("datetime64[ns]")

    own = np.minimum(s47d, third)
    return pd.DataFrame({
        "child_id": kids.ids.array,
        "cp_plan_date": as_date(cp),
        "s47_no_icpc_date": as_date(s47d),
        "third_referral_date": as_date(third),
        "own_history_date": as_date(own),
        "concern_date": as_date(np.minimum(own, cp)),
    })


def rule_dates(members: pd.DataFrame, child_esc: pd.DataFrame, concerns: pd.DataFrame) -> pd.DataFrame:
    """Per child, the date each rule of :data:`RULES` first flags it (NaT: never).

    ``older_sibling_escalated`` and ``older_sibling_concern`` are the earliest such date of
    any strictly older sibling (:func:`neglect_analysis.escalation.older_sibling_escalation`),
    ``own_history`` the child's own ``own_history_date`` (:func:`concern_dates`).

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "dob": pd.to_datetime(["2000-01-01", "2005-01-01"])})
    >>> esc = pd.DataFrame({"child_id": ["A", "B"], "escalation_date": pd.to_datetime(["2012-01-01", None])})
    >>> con = pd.DataFrame({"child_id": ["A", "B"], "concern_date": pd.to_datetime(["2010-06-01", None]),
    ...                     "own_history_date": pd.to_datetime([None, "2011-01-01"])})
    >>> r = rule_dates(m, esc, con)
    >>> [r[c].dt.strftime("%Y-%m-%d").fillna("").tolist() for c in RULES]
    [['', '2012-01-01'], ['', '2010-06-01'], ['', '2011-01-01']]
    """
    esc = older_sibling_escalation(members, child_esc[["child_id", "escalation_date"]])
    con = older_sibling_escalation(members, concerns[["child_id", "concern_date"]].rename(
        columns={"concern_date": "escalation_date"}))
    ids = pd.Series(esc.index.astype("string"))
    at = positions(ids, concerns["child_id"].astype("string"))
    own = np.asarray(concerns["own_history_date"].array.take(at, allow_fill=True), dtype="datetime64[ns]")
    return pd.DataFrame({
        "child_id": ids.to_numpy(),
        "older_sibling_escalated": esc.to_numpy().astype("datetime64[ns]"),
        "older_sibling_concern": con.reindex(esc.index).to_numpy().astype("datetime64[ns]"),
        "own_history": own,
    })


def backtest_rows(children: pd.DataFrame, rules: pd.DataFrame, dates, *,
                  horizons: tuple[int, ...] = HORIZONS, audit_date=None) -> pd.DataFrame:
    """The (child, evaluation date, horizon, rule) table: population, flag and outcome.

    ``children``: one row per child with ``child_id``, ``family``, ``dob``, ``adult_date``
    (18th birthday), ``death_date``, ``escalation_date``, ``moved_out_date``. A child is in
    the population at T when born on or before T, T before its 18th birthday, its death and
    its move (if any), and not escalated on or before T. It is flagged when the rule's date is
    on or before T, and ``escalated`` when its escalation is in ``(T, T + horizon]``.

    Rows by date, horizon, rule, then child (the order of ``children``). The text columns
    (``evaluation_date``, ``rule``, ``child_id``, ``family``) are categorical: a row holds
    codes, so a whole-authority table (millions of rows) stays small.

    Examples
    --------
    >>> kids = pd.DataFrame({"child_id": ["A", "B"], "family": "M",
    ...     "dob": pd.to_datetime(["2005-01-01", "2008-01-01"]), "adult_date": pd.to_datetime(["2023-01-01", "2026-01-01"]),
    ...     "death_date": pd.NaT, "escalation_date": pd.to_datetime(["2011-01-01", "2012-06-01"]), "moved_out_date": pd.NaT})
    >>> rules = pd.DataFrame({"child_id": ["A", "B"], "older_sibling_escalated": pd.to_datetime([None, "2011-01-01"]),
    ...     "older_sibling_concern": pd.NaT, "own_history": pd.NaT})
    >>> r = backtest_rows(kids, rules, [pd.Timestamp("2012-03-31")], horizons=(12,))
    >>> r[r["rule"] == "older_sibling_escalated"][["child_id", "flagged", "escalated"]].values.tolist()
    [['B', True, True]]
    """
    c = children.reset_index(drop=True)
    at = positions(c["child_id"].astype("string"), rules["child_id"].astype("string"))

    def dates_of(values) -> np.ndarray:
        return np.asarray(values, dtype="datetime64[ns]")

    dob, esc = dates_of(c["dob"].to_numpy()), dates_of(c["escalation_date"].to_numpy())
    ends = [dates_of(c[col].to_numpy()) for col in ("adult_date", "death_date", "moved_out_date")]
    flags_from = [dates_of(rules[rule].array.take(at, allow_fill=True)) for rule in RULES]
    # Text once per child (codes), not once per row: the rows are many (children x dates x rules).
    child_codes, child_names = pd.factorize(c["child_id"])
    family_codes, family_names = pd.factorize(c["family"])
    child_codes, family_codes = child_codes.astype(np.int32), family_codes.astype(np.int32)  # half the bytes a row
    audit = None if audit_date is None else np.datetime64(pd.Timestamp(audit_date), "ns")
    date_code: dict[str, int] = {}  # evaluation date -> its code, in the order the dates come
    parts = []  # per (date, horizon, rule): (date code, horizon, rule code, rows, flag, outcome)
    for t in dates:  # a handful of evaluation dates, each a vectorised pass over children
        t64 = np.datetime64(pd.Timestamp(t), "ns")
        pop = (dob <= t64) & (np.isnat(esc) | (esc > t64))
        for v in ends:
            pop &= np.isnat(v) | (v > t64)
        rows = np.flatnonzero(pop).astype(np.int32)
        for h in horizons:
            end = np.datetime64(pd.Timestamp(t) + pd.DateOffset(months=h), "ns")
            if audit is not None and end > audit:
                continue
            name = pd.Timestamp(t).date().isoformat()
            date_code.setdefault(name, len(date_code))
            outcome = (~np.isnat(esc) & (esc > t64) & (esc <= end))[rows]
            for r, rd in enumerate(flags_from):
                flag = (~np.isnat(rd) & (rd <= t64))[rows]
                parts.append((date_code[name], h, r, rows, flag, outcome))
    if not parts:
        return pd.DataFrame(columns=["evaluation_date", "rule", "horizon_months", "child_id", "family",
                                     "flagged", "escalated"])
    sizes = [len(p[3]) for p in parts]
    rows = np.concatenate([p[3] for p in parts])

    def each(i: int, dtype) -> np.ndarray:
        return np.repeat(np.asarray([p[i] for p in parts], dtype=dtype), sizes)

    return pd.DataFrame({
        "evaluation_date": pd.Categorical.from_codes(each(0, np.int8), categories=pd.Index(list(date_code))),
        "rule": pd.Categorical.from_codes(each(2, np.int8), categories=pd.Index(list(RULES))),
        "horizon_months": each(1, np.int64),
        "child_id": pd.Categorical.from_codes(child_codes[rows], categories=child_names),
        "family": pd.Categorical.from_codes(family_codes[rows], categories=family_names),
        "flagged": np.concatenate([p[4] for p in parts]),
        "escalated": np.concatenate([p[5] for p in parts]),
    })


def summarise(rows: pd.DataFrame, *, draws: int = 2000, seed: int = 2018,
              confidence_level: float = 0.95, pooled: bool = True) -> pd.DataFrame:
    """:data:`BACKTEST_COLUMNS` from :func:`backtest_rows`, with family-bootstrap intervals.

    Per (evaluation date, rule, horizon): ``n_children`` in the population, ``flagged``,
    ``true_positives`` (flagged and escalated), ``missed`` (escalated, not flagged),
    ``sensitivity`` = TP / (TP + missed) and ``ppv`` = TP / flagged in percent,
    ``alerts_per_1000`` = 1000 flagged / n. Intervals: one family-bootstrap draw matrix over
    all families (the same draws for every row), percentile; counts' intervals are those of
    the resampled sums. With ``pooled``, rows with ``evaluation_date`` ``all`` pool the
    (child, date) pairs of every date of a rule and horizon.

    Vectorised: the rows are summed per (family, key) with one ``bincount`` per count, the
    pooled keys by a matrix product, and every draw's totals of every count and key come from
    one :func:`neglect_analysis.bootstrap.resampled_totals`.

    Examples
    --------
    >>> rows = pd.DataFrame({"evaluation_date": "2012-03-31", "rule": "r", "horizon_months": 12,
    ...     "child_id": list("ABCD"), "family": ["F", "F", "G", "G"],
    ...     "flagged": [True, True, False, False], "escalated": [True, False, True, False]})
    >>> s = summarise(rows, draws=20, pooled=False)
    >>> s[["n_children", "flagged", "true_positives", "missed"]].values.tolist()
    [[4, 2, 1, 1]]
    >>> s[["sensitivity", "ppv", "alerts_per_1000"]].values.tolist()
    [[50.0, 50.0, 500.0]]
    """
    if not len(rows):
        return pd.DataFrame(columns=list(BACKTEST_COLUMNS))
    by = ["evaluation_date", "rule", "horizon_months"]
    # Keys (date, rule, horizon) in order of first appearance, then the pooled ``all`` keys
    # (rule, horizon) in the same order; families by sorted name (those with a row).
    # Each key column as integer codes (categorical columns: their codes), one packed code
    # per row, numbered in order of first appearance: no grouping of millions of rows by text.
    packed = np.zeros(len(rows), dtype=np.int64)
    for col in by:  # in place: a handful of values per column, packed in a small range
        codes, uniques = pd.factorize(rows[col], sort=False)
        packed *= len(uniques) + 1
        packed += codes
        del codes
    at = np.flatnonzero(~pd.Series(packed).duplicated().to_numpy())  # each key's first row, in order
    lut = np.zeros(int(packed.max()) - int(packed.min()) + 1, dtype=np.int64)
    lut[packed[at] - packed.min()] = np.arange(len(at))
    packed -= packed.min()
    key_codes = lut[packed]
    first = rows[by].take(at).reset_index(drop=True)
    first = first.astype({c: first[c].cat.categories.dtype for c in by
                          if isinstance(first[c].dtype, pd.CategoricalDtype)})  # coded rows: as text
    fam_codes, _ = pd.factorize(rows["family"], sort=True)
    nf, nk = int(fam_codes.max()) + 1, len(first)
    flagged = rows["flagged"].to_numpy(bool)
    esc = rows["escalated"].to_numpy(bool)
    cell = fam_codes.astype(np.int64, copy=False)
    cell *= nk
    cell += key_codes
    del fam_codes, key_codes, packed

    def per_family(cells: np.ndarray) -> np.ndarray:  # (family, key) counts of the rows' cells, int64
        return np.bincount(cells, minlength=nf * nk).reshape(nf, nk)

    n, fl = per_family(cell), per_family(cell[flagged])
    tp, ms = per_family(cell[flagged & esc]), per_family(cell[~flagged & esc])
    del cell
    if pooled:
        pool_codes, pool_names = pd.factorize(pd.MultiIndex.from_frame(first[["rule", "horizon_months"]]), sort=False)
        pool = np.zeros((nk, len(pool_names)))
        pool[np.arange(nk), pool_codes] = 1.0  # each dated key adds into its rule and horizon
        n, fl, tp, ms = (np.hstack([m, m @ pool]) for m in (n, fl, tp, ms))
        first = pd.concat([first, pd.DataFrame({
            "evaluation_date": "all", "rule": pool_names.get_level_values(0),
            "horizon_months": pool_names.get_level_values(1)})], ignore_index=True)
    order = canonical_order(n, fl, tp, ms)  # the same draws whatever the families' ids
    n, fl, tp, ms = n[order], fl[order], tp[order], ms[order]
    k = n.shape[1]
    # One set of draws for every row and count: each draw's totals of n, flagged, TP, missed.
    t = resampled_totals(np.hstack([n, fl, tp, ms], dtype=np.float64), draws=draws, seed=seed)  # floats: no second copy
    tot = {"n": t[:, :k], "flagged": t[:, k:2 * k], "true_positives": t[:, 2 * k:3 * k], "missed": t[:, 3 * k:]}
    out = first.copy()
    out["n_children"] = n.sum(axis=0).astype(int)
    for name, num in (("flagged", fl), ("true_positives", tp), ("missed", ms)):
        lo, hi = percentile_sums(tot[name], confidence_level=confidence_level)
        out[name] = num.sum(axis=0).astype(int)
        out[f"{name}_lower"], out[f"{name}_upper"] = lo, hi
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, num, den, tn, td, scale in (
                ("sensitivity", tp, tp + ms, tot["true_positives"], tot["true_positives"] + tot["missed"], 100.0),
                ("ppv", tp, fl, tot["true_positives"], tot["flagged"], 100.0),
                ("alerts_per_1000", fl, n, tot["flagged"], tot["n"], 1000.0)):
            d = den.sum(axis=0)
            out[name] = np.where(d > 0, scale * num.sum(axis=0) / np.where(d > 0, d, 1), np.nan)
            lo, hi = percentile_shares(tn, td, confidence_level=confidence_level, scale=scale)
            out[f"{name}_lower"], out[f"{name}_upper"] = lo, hi
    for c in BACKTEST_COLUMNS:
        if c.endswith(("_lower", "_upper")) or c in ("sensitivity", "ppv", "alerts_per_1000"):
            out[c] = out[c].astype(float).round(1)
    return out[list(BACKTEST_COLUMNS)]


def backtest_children(cohort: Cohort, members: pd.DataFrame, child_esc: pd.DataFrame,
                      moved: pd.DataFrame, clusters: pd.DataFrame, *,
                      definitions: Definitions = DEFAULTS) -> pd.DataFrame:
    """The per-child input of :func:`backtest_rows`: ``child_id``, ``family`` (from
    ``clusters``' ``parent_id``), ``dob``, ``adult_date``, ``death_date``, ``escalation_date``,
    ``moved_out_date``."""
    kids = members[["child_id", "dob"]].drop_duplicates("child_id").astype({"child_id": "string"})
    kids = kids.sort_values("child_id").reset_index(drop=True)
    ids = kids["child_id"]
    persons = cohort.persons
    at = positions(ids, persons["person_id"].astype("string"))
    death = np.asarray(persons["death_date"].array.take(at, allow_fill=True), dtype="datetime64[ns]")

    def take(table: pd.DataFrame, col: str) -> np.ndarray:
        a = positions(ids, table["child_id"].astype("string"))
        return np.asarray(table[col].array.take(a, allow_fill=True), dtype="datetime64[ns]")

    fam_at = positions(ids, clusters["child_id"].astype("string"))
    return pd.DataFrame({
        "child_id": ids.to_numpy(),
        "family": clusters["parent_id"].astype("string").array.take(fam_at, allow_fill=True),
        "dob": kids["dob"].to_numpy(),
        "adult_date": birthday(kids["dob"], definitions.adult_age_years).to_numpy(),
        "death_date": death,
        "escalation_date": take(child_esc, "escalation_date"),
        "moved_out_date": take(moved, "moved_out_date"),
    })


def signal_backtest(cohort: Cohort, members: pd.DataFrame, child_esc: pd.DataFrame, ages: pd.DataFrame,
                    clusters: pd.DataFrame, *, definitions: Definitions = DEFAULTS) -> dict[str, pd.DataFrame]:
    """The backtest of a run: ``signal_backtest`` (:func:`summarise` at every
    :func:`evaluation_dates` date, plus the pooled ``all`` rows) and ``rule_dates``
    (:func:`rule_dates`, text ids).

    ``ages`` is :func:`neglect_analysis.timescale.age_scale` output (for ``moved_out_date``),
    ``clusters`` :func:`neglect_analysis.pipeline.family_clusters` output.
    """
    ids = members["child_id"].drop_duplicates()
    concerns = concern_dates(cohort, ids)
    concerns = concerns.assign(child_id=concerns["child_id"].astype("string"))
    esc = child_esc.assign(child_id=child_esc["child_id"].astype("string"))
    m = members.assign(child_id=members["child_id"].astype("string"), parent_id=members["parent_id"].astype("string"))
    rules = rule_dates(m, esc, concerns)
    kids = backtest_children(cohort, m, esc, ages[["child_id", "moved_out_date"]], clusters,
                             definitions=definitions)
    rows = backtest_rows(kids, rules, evaluation_dates(cohort.ics_start_date, cohort.audit_date),
                         audit_date=cohort.audit_date)
    summary = summarise(rows, draws=definitions.bootstrap_draws, seed=definitions.bootstrap_seed,
                        confidence_level=definitions.confidence_level)
    return {"signal_backtest": summary, "rule_dates": rules}


#: Columns :func:`rank_look_now` adds to the look-now list (``look_now.csv``).
LOOK_NOW_RANK_COLUMNS: tuple[str, ...] = ("rule", "ppv", "ppv_lower", "ppv_upper", "rule_date", "signal_age_days")


def rank_look_now(look_now: pd.DataFrame, rules: pd.DataFrame, summary: pd.DataFrame, audit_date, *,
                  horizon_months: int = 12) -> pd.DataFrame:
    """The look-now list with the backtested rule that flags each child, ranked by its PPV.

    For each child of ``look_now`` (:func:`neglect_analysis.actions.look_now_list`), the rules
    of :data:`RULES` whose date is on or before ``audit_date`` flag it; its ``rule`` is the
    one with the highest pooled PPV (``all`` rows of ``summary`` at ``horizon_months``; ties
    in :data:`RULES` order), with that ``ppv`` and its family-bootstrap interval
    (``ppv_lower``, ``ppv_upper``), ``rule_date`` (the day the rule first flagged the child)
    and ``signal_age_days`` = audit date minus ``rule_date``: the signal's age.

    Returns ``look_now`` with :data:`LOOK_NOW_RANK_COLUMNS` after its columns, sorted by PPV
    (highest first; children flagged by no rule last), then the most recent signal first
    (``days_since_signal``: the list's own order, :data:`neglect_analysis.actions.LOOK_NOW_ORDER`;
    then ``signal_age_days``), then child id.

    Examples
    --------
    >>> ln = pd.DataFrame({"child_id": ["A", "B", "C"], "days_since_signal": [181, 730, 100]})
    >>> rules = pd.DataFrame({"child_id": ["A", "B", "C"],
    ...     "older_sibling_escalated": pd.to_datetime(["2018-01-31", None, "2018-04-22"]),
    ...     "older_sibling_concern": pd.to_datetime(["2017-01-31", "2016-07-31", None]), "own_history": pd.NaT})
    >>> summ = pd.DataFrame({"evaluation_date": "all", "horizon_months": 12, "rule": list(RULES),
    ...     "ppv": [20.0, 10.0, 5.0], "ppv_lower": [10.0, 5.0, 1.0], "ppv_upper": [30.0, 15.0, 9.0]})
    >>> r = rank_look_now(ln, rules, summ, "2018-07-31")
    >>> r[["child_id", "rule", "ppv", "signal_age_days"]].values.tolist()
    [['C', 'older_sibling_escalated', 20.0, 100], ['A', 'older_sibling_escalated', 20.0, 181], ['B', 'older_sibling_concern', 10.0, 730]]
    """
    s = summary[(summary["evaluation_date"].astype(str) == "all") & (summary["horizon_months"] == horizon_months)]
    ppv = s.set_index("rule")[["ppv", "ppv_lower", "ppv_upper"]].reindex(list(RULES))
    ids = look_now["child_id"].astype("string").reset_index(drop=True)
    at = positions(ids, rules["child_id"].astype("string"))
    audit = np.datetime64(pd.Timestamp(audit_date), "ns")
    best = np.full(len(ids), -1)
    best_ppv = np.full(len(ids), -np.inf)
    dates = {}
    for i, rule in enumerate(RULES):  # three rules, each vectorised over children
        d = np.asarray(rules[rule].array.take(at, allow_fill=True), dtype="datetime64[ns]")
        dates[rule] = d
        p = ppv.loc[rule, "ppv"] if rule in ppv.index else np.nan
        p = -np.inf if pd.isna(p) else float(p)
        better = ~np.isnat(d) & (d <= audit) & (p > best_ppv)
        best[better], best_ppv[better] = i, p
    rule = np.where(best >= 0, np.asarray(RULES, dtype=object)[np.maximum(best, 0)], None)
    sig = np.full(len(ids), np.datetime64("NaT"), dtype="datetime64[ns]")
    for i, r in enumerate(RULES):
        sig[best == i] = dates[r][best == i]
    out = look_now.drop(columns=[c for c in LOOK_NOW_RANK_COLUMNS if c in look_now.columns]).reset_index(drop=True)
    out = out.assign(
        rule=pd.array(rule, dtype="string"),
        ppv=ppv["ppv"].reindex(rule).to_numpy(dtype=float),
        ppv_lower=ppv["ppv_lower"].reindex(rule).to_numpy(dtype=float),
        ppv_upper=ppv["ppv_upper"].reindex(rule).to_numpy(dtype=float),
        rule_date=sig,
        signal_age_days=pd.array(whole_days(audit - sig)).astype("Int64"),
    )
    big = np.iinfo(np.int64).max

    def ascending(col: str) -> np.ndarray:
        if col not in out.columns:
            return np.zeros(len(out), dtype=np.int64)
        return pd.to_numeric(out[col]).astype("Float64").fillna(big).to_numpy(dtype=float)

    order = np.lexsort((ids.to_numpy(dtype=str), ascending("signal_age_days"), ascending("days_since_signal"),
                        -np.nan_to_num(out["ppv"].to_numpy(dtype=float), nan=-1.0)))
    return out.iloc[order].reset_index(drop=True)
