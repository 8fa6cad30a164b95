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

Vectorised: at each date T, the population, flags and outcomes are boolean masks over the
children, made by comparing per-child dates with T (:func:`population_masks`), and counted per
family with one ``bincount`` each (:func:`backtest_counts`): the (child, date, rule, horizon)
rows (:func:`backtest_rows`, 13.9 million at 100,000 parents) are not made for the report.
Intervals from one set of family-bootstrap draws over per-family sums
(:func:`summarise_counts`, :func:`neglect_analysis.bootstrap.resampled_totals`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .ages import birthday
from .bootstrap import (canonical_order, distinct_columns, percentile_shares, percentile_sums,
                        resampled_totals)
from .cohort import Cohort
from .days import whole_days
from .definitions import DEFAULTS, Definitions
from .escalation import older_sibling_escalation
from .family import ChildEvents, Family, child_codes, child_positions
from .idsets import isin, positions
from .io.memory import release_free_memory

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
    # Only the children's events of the four types read here, taken by position from
    # ``cohort.events`` (:func:`~neglect_analysis.family.child_positions`, the one selection of
    # the children's events), in its order: no copy of every child's events and columns.
    codes = ChildEvents.of(cohort, children).codes if isinstance(children, (ChildEvents, Family)) \
        else child_codes(cohort, children)
    n = len(codes)
    events = cohort.events
    cix = child_positions(cohort, codes)
    rows = np.flatnonzero((cix >= 0) & events["event_type"].isin(("cp_plan", "referral", "s47", "icpc"))
                          .to_numpy(dtype=bool, na_value=False))
    cix = cix[rows]
    etype = events["event_type"].take(rows)

    def of_type(*kinds: str) -> np.ndarray:  # event types compared as codes, not as text per event
        return etype.isin(kinds).to_numpy(dtype=bool, na_value=False)

    start = np.asarray(events["start_date"].array.take(rows), dtype="datetime64[ns]")
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
    linked = isin(events["event_id"].take(rows[s47]), icpc_all.dropna()).to_numpy(dtype=bool) \
        if "event_id" in events else np.zeros(len(s47), bool)
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
        "child_id": pd.array(cohort.person_dtype.categories.take(codes), dtype="string"),
        "cp_plan_date": as_date(cp),
        "s47_no_icpc_date": as_date(s47d),
        "third_referral_date": as_date(third),
        "own_history_date": as_date(own),
        "concern_date": as_date(np.minimum(own, cp)),
    })


def rule_dates(members: pd.DataFrame | Family, child_esc: pd.DataFrame, concerns: pd.DataFrame) -> pd.DataFrame:
    """Per child, the date each rule of :data:`RULES` first flags it (NaT: never).

    ``members``: sibling members, or their :class:`~neglect_analysis.family.Family` (its
    older-sibling pairs are then made once for both sibling rules).

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


def population_masks(children: pd.DataFrame, rules: pd.DataFrame, dates, *,
                     horizons: tuple[int, ...] = HORIZONS, audit_date=None):
    """The backtest's population, flags and outcomes, one (evaluation date, horizon, rule) at a
    time, as boolean masks over the rows of ``children`` (the one place these rules live).

    ``children``: one row per child with ``child_id``, ``family``, ``dob``, ``adult_date``
    (18th birthday), ``death_date``, ``escalation_date``, ``moved_out_date``; ``rules``:
    :func:`rule_dates`. A child is in the population at T when born on or before T, T before
    its 18th birthday, its death and its move (if any), and not escalated on or before T. It
    is flagged when the rule's date is on or before T, and ``escalated`` when its escalation
    is in ``(T, T + horizon]``. A horizon is left out at a date T when T + horizon is after
    ``audit_date`` (full follow-up only).

    Yields ``(evaluation_date, horizon_months, rule, population, flagged, escalated)`` by date,
    horizon, then rule (:data:`RULES` order): the date as ``YYYY-MM-DD`` text and three
    boolean arrays of ``len(children)`` (``flagged`` and ``escalated`` are for every child;
    only the population's count). One date's masks are made at a time, so memory is a few
    bytes per child whatever the number of dates. The arrays are shared between the keys of a
    date: read them, do not change them.

    Examples
    --------
    A (born 2005, escalates 2011-01-01) is not in the population on 2012-03-31; B (born 2008,
    an older sibling escalated 2011-01-01, escalates 2012-06-01) is, flagged and escalated.

    >>> kids = pd.DataFrame({"child_id": ["A", "B"], "family": "M",
    ...     "dob": pd.to_datetime(["2005-01-01", "2008-01-01"]), "adult_date": pd.to_datetime(["2023-01-01", "2026-01-01"]),
    ...     "death_date": pd.NaT, "escalation_date": pd.to_datetime(["2011-01-01", "2012-06-01"]), "moved_out_date": pd.NaT})
    >>> rules = pd.DataFrame({"child_id": ["A", "B"], "older_sibling_escalated": pd.to_datetime([None, "2011-01-01"]),
    ...     "older_sibling_concern": pd.NaT, "own_history": pd.NaT})
    >>> date, h, rule, pop, flag, esc = next(population_masks(kids, rules, [pd.Timestamp("2012-03-31")], horizons=(12,)))
    >>> date, h, rule, pop.tolist(), flag.tolist(), esc.tolist()
    ('2012-03-31', 12, 'older_sibling_escalated', [False, True], [False, True], [False, True])
    """
    c = children.reset_index(drop=True)
    at = positions(c["child_id"].astype("string"), rules["child_id"].astype("string"))

    def dates_of(values) -> np.ndarray:
        return np.asarray(values, dtype="datetime64[ns]")

    dob, esc = dates_of(c["dob"].to_numpy()), dates_of(c["escalation_date"].to_numpy())
    ends = [dates_of(c[col].to_numpy()) for col in ("adult_date", "death_date", "moved_out_date")]
    flags_from = [dates_of(rules[rule].array.take(at, allow_fill=True)) for rule in RULES]
    audit = None if audit_date is None else np.datetime64(pd.Timestamp(audit_date), "ns")
    for t in dates:  # a handful of evaluation dates, each a vectorised pass over children
        t64 = np.datetime64(pd.Timestamp(t), "ns")
        pop = (dob <= t64) & (np.isnat(esc) | (esc > t64))
        for v in ends:
            pop &= np.isnat(v) | (v > t64)
        name = pd.Timestamp(t).date().isoformat()
        flags = None  # the rules' flags at T, made once for every horizon
        for h in horizons:
            end = np.datetime64(pd.Timestamp(t) + pd.DateOffset(months=h), "ns")
            if audit is not None and end > audit:
                continue
            if flags is None:
                flags = [~np.isnat(rd) & (rd <= t64) for rd in flags_from]
            outcome = ~np.isnat(esc) & (esc > t64) & (esc <= end)
            for rule, flag in zip(RULES, flags):
                yield name, h, rule, pop, flag, outcome


def backtest_rows(children: pd.DataFrame, rules: pd.DataFrame, dates, *,
                  horizons: tuple[int, ...] = HORIZONS, audit_date=None) -> pd.DataFrame:
    """The (child, evaluation date, horizon, rule) table: population, flag and outcome
    (:func:`population_masks`), one row per child in the population.

    Rows by date, horizon, rule, then child (the order of ``children``). The text columns
    (``evaluation_date``, ``rule``, ``child_id``, ``family``) are categorical: a row holds
    codes. A whole authority has millions of rows (13.9 million at 100,000 parents): the report
    counts them per family without making this table (:func:`backtest_counts`); this is the
    table to read or check the rows by.

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
    # Text once per child (codes), not once per row: the rows are many (children x dates x rules).
    child_codes, child_names = pd.factorize(c["child_id"])
    family_codes, family_names = pd.factorize(c["family"])
    child_codes, family_codes = child_codes.astype(np.int32), family_codes.astype(np.int32)  # half the bytes a row
    date_code: dict[str, int] = {}  # evaluation date -> its code, in the order the dates come
    parts = []  # per (date, horizon, rule): (date code, horizon, rule code, rows, flag, outcome)
    for name, h, rule, pop, flag, outcome in population_masks(c, rules, dates, horizons=horizons,
                                                              audit_date=audit_date):
        date_code.setdefault(name, len(date_code))
        rows = np.flatnonzero(pop).astype(np.int32)
        parts.append((date_code[name], h, RULES.index(rule), rows, flag[rows], outcome[rows]))
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


@dataclass(frozen=True)
class BacktestCounts:
    """The backtest counted per family: for each key (evaluation date, rule, horizon), how many
    of a family's children are in the population, flagged, true positives (flagged and
    escalated) and missed (escalated, not flagged).

    ``keys``: ``evaluation_date`` (text), ``rule`` (text), ``horizon_months`` (int64), one row
    per key with at least one child, in the order the keys first come (date, horizon, rule).
    ``families``: the names of the families with at least one (child, key) row, sorted.
    ``n_children``, ``flagged``, ``true_positives``, ``missed``: ``(families, keys)`` int32
    matrices (a family's count at one key: at most its children).
    """

    keys: pd.DataFrame
    families: pd.Index
    n_children: np.ndarray
    flagged: np.ndarray
    true_positives: np.ndarray
    missed: np.ndarray


def backtest_counts(children: pd.DataFrame, rules: pd.DataFrame, dates, *,
                    horizons: tuple[int, ...] = HORIZONS, audit_date=None) -> BacktestCounts:
    """:func:`backtest_rows` counted per family and key, without making the rows: one
    ``bincount`` of the families of each (date, horizon, rule)'s masks
    (:func:`population_masks`). Equal to :func:`row_counts` of :func:`backtest_rows`.

    Memory: a few bytes per child and per (family, key) cell, not per (child, key) row.

    Examples
    --------
    Family M: A (born 2005, escalated 2011) is out of the population on 2012-03-31; B is in,
    flagged (its older sibling escalated in 2011) and escalates in 2012. Family N: C is in, not
    flagged, not escalated. So at the ``older_sibling_escalated`` key: n (M, N) = (1, 1),
    flagged (1, 0), true positives (1, 0), missed (0, 0).

    >>> kids = pd.DataFrame({"child_id": ["A", "B", "C"], "family": ["M", "M", "N"],
    ...     "dob": pd.to_datetime(["2005-01-01", "2008-01-01", "2009-01-01"]),
    ...     "adult_date": pd.to_datetime(["2023-01-01", "2026-01-01", "2027-01-01"]), "death_date": pd.NaT,
    ...     "escalation_date": pd.to_datetime(["2011-01-01", "2012-06-01", None]), "moved_out_date": pd.NaT})
    >>> rules = pd.DataFrame({"child_id": ["A", "B", "C"], "older_sibling_escalated": pd.to_datetime([None, "2011-01-01", None]),
    ...     "older_sibling_concern": pd.NaT, "own_history": pd.NaT})
    >>> c = backtest_counts(kids, rules, [pd.Timestamp("2012-03-31")], horizons=(12,))
    >>> c.keys["rule"].tolist(), list(c.families)
    (['older_sibling_escalated', 'older_sibling_concern', 'own_history'], ['M', 'N'])
    >>> [m[:, 0].tolist() for m in (c.n_children, c.flagged, c.true_positives, c.missed)]
    [[1, 1], [1, 0], [1, 0], [0, 0]]
    """
    c = children.reset_index(drop=True)
    fam, names = pd.factorize(c["family"], sort=True)
    nf = len(names)
    keys: list[tuple[str, str, int]] = []
    cols: dict[str, list[np.ndarray]] = {"n": [], "fl": [], "tp": [], "ms": []}

    def per_family(mask: np.ndarray) -> np.ndarray:
        return np.bincount(fam[mask], minlength=nf).astype(np.int32)

    n_at: dict[str, np.ndarray] = {}  # the population's count per family, once per date
    for name, h, rule, pop, flag, outcome in population_masks(c, rules, dates, horizons=horizons,
                                                              audit_date=audit_date):
        if name not in n_at:
            n_at = {name: per_family(pop)}
        keys.append((name, rule, h))
        flagged, escalated = pop & flag, pop & outcome
        cols["n"].append(n_at[name])
        cols["fl"].append(per_family(flagged))
        cols["tp"].append(per_family(flagged & escalated))
        cols["ms"].append(per_family(escalated & ~flagged))
    n = np.column_stack(cols["n"]) if keys else np.zeros((nf, 0), dtype=np.int32)
    has_family, has_key = n.any(axis=1), n.any(axis=0)  # what the rows would hold
    at_f, at_k = np.flatnonzero(has_family), np.flatnonzero(has_key)

    def kept(key: str) -> np.ndarray:
        if not len(at_k):  # no key with a child in its population (or no key at all)
            return np.zeros((len(at_f), 0), dtype=np.int32)
        return np.column_stack([cols[key][j] for j in at_k])[at_f]

    first = pd.DataFrame({
        "evaluation_date": pd.Series([keys[j][0] for j in at_k], dtype="str"),
        "rule": pd.Series([keys[j][1] for j in at_k], dtype="str"),
        "horizon_months": pd.Series([keys[j][2] for j in at_k], dtype=np.int64),
    })
    return BacktestCounts(keys=first, families=pd.Index(names).take(at_f), n_children=kept("n"),
                          flagged=kept("fl"), true_positives=kept("tp"), missed=kept("ms"))


def row_counts(rows: pd.DataFrame) -> BacktestCounts:
    """:class:`BacktestCounts` of a table of rows (:func:`backtest_rows`, or any table with
    ``evaluation_date``, ``rule``, ``horizon_months``, ``family``, ``flagged`` and
    ``escalated``): keys in order of their first row, families sorted by name.

    Examples
    --------
    Family F: A flagged and escalated, B flagged; family G: C escalated, D neither.

    >>> rows = pd.DataFrame({"evaluation_date": "2012-03-31", "rule": "r", "horizon_months": 12,
    ...     "child_id": list("ABCD"), "family": ["G", "G", "F", "F"],
    ...     "flagged": [True, True, False, False], "escalated": [True, False, True, False]})
    >>> c = row_counts(rows)
    >>> list(c.families), [m[:, 0].tolist() for m in (c.n_children, c.flagged, c.true_positives, c.missed)]
    (['F', 'G'], [[2, 2], [0, 2], [0, 1], [1, 0]])
    """
    by = ["evaluation_date", "rule", "horizon_months"]
    if not len(rows):
        return BacktestCounts(keys=pd.DataFrame({"evaluation_date": pd.Series(dtype="str"),
                                                 "rule": pd.Series(dtype="str"),
                                                 "horizon_months": pd.Series(dtype=np.int64)}),
                              families=pd.Index([], dtype="str"),
                              **{m: np.zeros((0, 0), dtype=np.int32) for m in
                                 ("n_children", "flagged", "true_positives", "missed")})
    # Keys (date, rule, horizon) in order of first appearance. Each key column as integer
    # codes (categorical columns: their codes), one packed code per row, numbered in order of
    # first appearance: no grouping of millions of rows by text.
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
    del packed
    first = rows[by].take(at).reset_index(drop=True)
    first = first.astype({c: first[c].cat.categories.dtype for c in by
                          if isinstance(first[c].dtype, pd.CategoricalDtype)})  # coded rows: as text
    first = first.astype({"evaluation_date": "str", "rule": "str", "horizon_months": np.int64})
    # Families sorted by name (the codes of a categorical column follow its categories).
    fam, uniques = pd.factorize(rows["family"], sort=False)
    names = pd.Index(np.asarray(uniques, dtype=object)).astype("str")
    by_name = np.argsort(names.to_numpy(dtype=object), kind="stable")
    rank = np.empty(len(names), dtype=np.int64)
    rank[by_name] = np.arange(len(names))
    nf, nk = len(names), len(first)
    cell = rank[fam]
    del fam
    cell *= nk
    cell += key_codes
    del key_codes
    flagged = rows["flagged"].to_numpy(bool)
    esc = rows["escalated"].to_numpy(bool)

    def per_family(cells: np.ndarray) -> np.ndarray:  # (family, key) counts of the rows' cells
        return np.bincount(cells, minlength=nf * nk).reshape(nf, nk).astype(np.int32)

    return BacktestCounts(keys=first, families=names.take(by_name), n_children=per_family(cell),
                          flagged=per_family(cell[flagged]), true_positives=per_family(cell[flagged & esc]),
                          missed=per_family(cell[~flagged & esc]))


def summarise(rows: pd.DataFrame, *, draws: int = 2000, seed: int = 2018,
              confidence_level: float = 0.95, pooled: bool = True) -> pd.DataFrame:
    """:data:`BACKTEST_COLUMNS` from :func:`backtest_rows`: :func:`summarise_counts` of
    :func:`row_counts`.

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
    return summarise_counts(row_counts(rows), draws=draws, seed=seed, confidence_level=confidence_level,
                            pooled=pooled)


def summarise_counts(counts: BacktestCounts, *, draws: int = 2000, seed: int = 2018,
                     confidence_level: float = 0.95, pooled: bool = True) -> pd.DataFrame:
    """:data:`BACKTEST_COLUMNS` from per-family counts (:func:`backtest_counts`), with
    family-bootstrap intervals.

    Per (evaluation date, rule, horizon): ``n_children`` in the population, ``flagged``,
    ``true_positives`` (flagged and escalated), ``missed`` (escalated, not flagged),
    ``sensitivity`` = TP / (TP + missed) and ``ppv`` = TP / flagged in percent,
    ``alerts_per_1000`` = 1000 flagged / n. Intervals: one family-bootstrap draw matrix over
    all families (the same draws for every row), percentile; counts' intervals are those of
    the resampled sums. With ``pooled``, rows with ``evaluation_date`` ``all`` pool the
    (child, date) pairs of every date of a rule and horizon.

    Vectorised: the pooled keys are sums of the dated keys' columns; the families are put in
    :func:`neglect_analysis.bootstrap.canonical_order` (the same draws whatever their ids);
    every draw's totals of every count and key come from one
    :func:`neglect_analysis.bootstrap.resampled_totals` of the distinct columns only (equal
    columns, e.g. the population of one date at every rule, are totalled once).

    Examples
    --------
    Families F (A flagged and escalated, B flagged) and G (C escalated, D neither), one key:
    n 4, flagged 2, true positives 1, missed 1.

    >>> c = BacktestCounts(keys=pd.DataFrame({"evaluation_date": ["2012-03-31"], "rule": ["r"],
    ...     "horizon_months": [12]}), families=pd.Index(["F", "G"]), n_children=np.array([[2], [2]]),
    ...     flagged=np.array([[2], [0]]), true_positives=np.array([[1], [0]]), missed=np.array([[0], [1]]))
    >>> s = summarise_counts(c, draws=20)
    >>> s[["evaluation_date", "n_children", "flagged", "true_positives", "missed"]].values.tolist()
    [['2012-03-31', 4, 2, 1, 1], ['all', 4, 2, 1, 1]]
    >>> s[["sensitivity", "ppv", "alerts_per_1000"]].values.tolist()[0]
    [50.0, 50.0, 500.0]
    """
    first = counts.keys.reset_index(drop=True)
    nf, nk = len(counts.families), len(first)
    if not nk or not nf:
        return pd.DataFrame(columns=list(BACKTEST_COLUMNS))
    mats = (counts.n_children, counts.flagged, counts.true_positives, counts.missed)
    pool_codes = np.zeros(0, dtype=np.intp)
    if pooled:
        pool_codes, pool_names = pd.factorize(pd.MultiIndex.from_frame(first[["rule", "horizon_months"]]), sort=False)
        first = pd.concat([first, pd.DataFrame({
            "evaluation_date": "all", "rule": pool_names.get_level_values(0),
            "horizon_months": pool_names.get_level_values(1)})], ignore_index=True)
    k = len(first)
    # One (family, 4 x key) matrix: n, flagged, TP, missed, each its dated then pooled keys.
    every = np.empty((nf, 4 * k), dtype=np.int32)
    for b, m in enumerate(mats):
        every[:, b * k:b * k + nk] = m
        for p in range(k - nk):  # the pooled keys: a rule and horizon's dated keys, summed
            every[:, b * k + nk + p] = m[:, pool_codes == p].sum(axis=1)
    order = canonical_order(every)  # the same draws whatever the families' ids
    kept, back = distinct_columns(every)
    values = np.empty((nf, len(kept)))  # floats for the matrix product, distinct columns only
    for j, col in enumerate(kept):  # columns (a few dozen), each in the canonical order
        values[:, j] = every[order, col]
    sums = every.sum(axis=0)  # int64 totals of every column
    del every, order
    # One set of draws for every row and count: each draw's totals of n, flagged, TP, missed.
    t = resampled_totals(values, draws=draws, seed=seed)[:, back]
    del values
    tot = {"n": t[:, :k], "flagged": t[:, k:2 * k], "true_positives": t[:, 2 * k:3 * k], "missed": t[:, 3 * k:]}
    total = {"n": sums[:k], "flagged": sums[k:2 * k], "true_positives": sums[2 * k:3 * k], "missed": sums[3 * k:]}
    out = first.copy()
    out["n_children"] = total["n"].astype(int)
    for name in ("flagged", "true_positives", "missed"):
        lo, hi = percentile_sums(tot[name], confidence_level=confidence_level)
        out[name] = total[name].astype(int)
        out[f"{name}_lower"], out[f"{name}_upper"] = lo, hi
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, num, den, tn, td, scale in (
                ("sensitivity", "true_positives", ("true_positives", "missed"), tot["true_positives"],
                 tot["true_positives"] + tot["missed"], 100.0),
                ("ppv", "true_positives", ("flagged",), tot["true_positives"], tot["flagged"], 100.0),
                ("alerts_per_1000", "flagged", ("n",), tot["flagged"], tot["n"], 1000.0)):
            d = sum(total[c] for c in den)
            out[name] = np.where(d > 0, scale * total[num] / np.where(d > 0, d, 1), np.nan)
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
    # Each part's freed buffers are handed back before the next one (release_free_memory, as
    # between the steps of a run): otherwise they stay resident in holes of the C library's
    # heap that the next part's larger arrays cannot reuse, and the step's peak is their sum.
    release_free_memory()
    ids = members["child_id"].drop_duplicates()
    concerns = concern_dates(cohort, ids)
    concerns = concerns.assign(child_id=concerns["child_id"].astype("string"))
    release_free_memory()
    esc = child_esc.assign(child_id=child_esc["child_id"].astype("string"))
    m = members.assign(child_id=members["child_id"].astype("string"), parent_id=members["parent_id"].astype("string"))
    # The older-sibling pairs made once for both sibling rules (Family.older_sibling_pairs).
    rules = rule_dates(Family(cohort, m, definitions), esc, concerns)
    release_free_memory()
    kids = backtest_children(cohort, m, esc, ages[["child_id", "moved_out_date"]], clusters,
                             definitions=definitions)
    del concerns, esc, m
    # Counted per family date by date: the (child, date, rule, horizon) rows (13.9 million at
    # 100,000 parents) are never made.
    counts = backtest_counts(kids, rules, evaluation_dates(cohort.ics_start_date, cohort.audit_date),
                             audit_date=cohort.audit_date)
    del kids
    release_free_memory()
    summary = summarise_counts(counts, draws=definitions.bootstrap_draws, seed=definitions.bootstrap_seed,
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
