"""Record-aware, family-clustered inference on time to escalation, over :mod:`statsmodels`.

DESIGN.md "Record-aware time scale", "Family-clustered uncertainty", "Counting-process
convention":

- :func:`km_delayed_entry`: Kaplan-Meier on the age scale with delayed entry
  (``statsmodels.duration.survfunc.SurvfuncRight(entry=...)``), log-log intervals from its
  Greenwood standard error.
- :func:`cox_clustered`: Cox model (``statsmodels`` ``PHReg``, Efron ties) on counting-process
  intervals, entries shifted by half a day so that a child entering on an event day is not at
  risk at it, with Lin-Wei standard errors clustered by family (:func:`lin_wei_covariance`,
  from the score residuals of :func:`score_residuals`).
- :func:`cumulative_incidence`: Aalen-Johansen cumulative incidence of escalation with moving
  away as a competing event (``statsmodels`` ``CumIncidenceRight``).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .idsets import positions

#: Columns of :func:`km_delayed_entry` (``escalation_age_km.csv``).
AGE_KM_COLUMNS: dict[str, str] = {
    "group": "string", "age_days": "int64", "survival": "float64", "ci_lower": "float64",
    "ci_upper": "float64", "at_risk": "int64", "events": "int64",
}

#: Columns of :func:`cox_clustered` (``escalation_cox.csv``).
COX_COLUMNS: tuple[str, ...] = (
    "term", "hazard_ratio", "ci_lower", "ci_upper", "p_value", "se_robust", "n_children",
    "n_families", "n_events",
)

#: Half a day: entries are shifted up by this so that PHReg follows ``start < t <= stop``.
ENTRY_SHIFT = 0.5


def km_delayed_entry(entry, exit, event, *, group: str = "all",
                     confidence_level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier with delayed entry, one row per distinct event time.

    ``statsmodels.duration.survfunc.SurvfuncRight(exit, event, entry=entry)``: a subject is at
    risk at t when ``entry < t <= exit``. Intervals: log-log (exponential Greenwood, as
    lifelines and the package's :func:`~neglect_analysis.survival.kaplan_meier`) from the
    Greenwood standard error ``se``: ``S ** exp(+-z * se / (S * log S))``; NaN where S is 0 or 1.

    Returns
    -------
    DataFrame
        :data:`AGE_KM_COLUMNS`; empty when there is no event.

    Examples
    --------
    >>> km = km_delayed_entry([0, 3, 0, 0], [3, 5, 5, 8], [1, 1, 0, 1])
    >>> km[["age_days", "survival", "at_risk", "events"]].round(4).values.tolist()
    [[3.0, 0.6667, 3.0, 1.0], [5.0, 0.4444, 3.0, 1.0], [8.0, 0.0, 1.0, 1.0]]
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    entry = np.asarray(entry, dtype=float)
    exit = np.asarray(exit, dtype=float)
    event = np.asarray(event, dtype=float)
    if not len(exit) or not (event > 0).any():
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in AGE_KM_COLUMNS.items()})
    sf = SurvfuncRight(exit, event, entry=entry)
    keep = sf.n_events > 0
    s, se = sf.surv_prob[keep], sf.surv_prob_se[keep]
    z = stats.norm.ppf(0.5 + confidence_level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * se / (s * np.log(s))
        lo, hi = s ** np.exp(-half), s ** np.exp(half)
    ok = (s > 0) & (s < 1)
    return pd.DataFrame({
        "group": pd.array([group] * int(keep.sum()), dtype="string"),
        "age_days": sf.surv_times[keep].astype("int64"),
        "survival": s,
        "ci_lower": np.where(ok, lo, np.nan),
        "ci_upper": np.where(ok, hi, np.nan),
        "at_risk": sf.n_risk[keep].astype("int64"),
        "events": sf.n_events[keep].astype("int64"),
    })


#: The groups of the age-scale Kaplan-Meier (:func:`age_groups`), in order.
AGE_GROUPS: tuple[str, ...] = ("all", "eldest", "younger")


def age_groups(ages: pd.DataFrame, eldest: pd.Series) -> pd.DataFrame:
    """The children in the curve, once per group of :data:`AGE_GROUPS` (long table).

    ``ages``: :func:`neglect_analysis.timescale.age_scale` output (children ``in_curve``
    only are used); ``eldest``: bool per child id (a child not in it is younger).

    Returns
    -------
    DataFrame
        ``group``, ``child_id``, ``entry_age_days``, ``exit_age_days``, ``event``: every
        child as ``all``, then as ``eldest`` or ``younger``.

    Examples
    --------
    >>> ages = pd.DataFrame({"child_id": ["A", "B", "C"], "entry_age_days": [0, 10, 5],
    ...     "exit_age_days": [20, 30, 9], "event": [1, 1, 0], "in_curve": [True, True, False]})
    >>> age_groups(ages, pd.Series([True], index=["A"]))[["group", "child_id"]].values.tolist()
    [['all', 'A'], ['all', 'B'], ['eldest', 'A'], ['younger', 'B']]
    """
    a = ages[ages["in_curve"].astype(bool)]
    # each child's row of ``eldest`` (-1: none, not eldest): one Arrow lookup, no text reindex
    el = np.append(eldest.to_numpy(dtype=bool), False)[positions(a["child_id"], eldest.index)]
    cols = ["child_id", "entry_age_days", "exit_age_days", "event"]
    frames = [a.loc[rows, cols].assign(group=name)
              for name, rows in zip(AGE_GROUPS, (np.ones(len(a), bool), el, ~el))]
    out = pd.concat(frames, ignore_index=True)
    return out[["group", *cols]].astype({"group": "string"})


def km_age_groups(ages: pd.DataFrame, eldest: pd.Series, *,
                  confidence_level: float = 0.95) -> pd.DataFrame:
    """``escalation_age_km.csv``: :func:`km_delayed_entry` for ``all``, ``eldest``, ``younger``
    (the children of :func:`age_groups`).

    ``ages``: :func:`neglect_analysis.timescale.age_scale` output (children ``in_curve``
    only are used); ``eldest``: bool per child id.

    Examples
    --------
    >>> ages = pd.DataFrame({"child_id": ["A", "B"], "entry_age_days": [0, 10],
    ...     "exit_age_days": [20, 30], "event": [1, 1], "in_curve": True})
    >>> km_age_groups(ages, pd.Series([True, False], index=["A", "B"]))[["group", "age_days", "survival"]].values.tolist()
    [['all', 20, 0.5], ['all', 30, 0.0], ['eldest', 20, 0.0], ['younger', 30, 0.0]]
    """
    long = age_groups(ages, eldest)
    frames = []
    for name in AGE_GROUPS:
        g = long[(long["group"] == name).to_numpy(dtype=bool)]
        frames.append(km_delayed_entry(g["entry_age_days"].to_numpy(float), g["exit_age_days"].to_numpy(float),
                                       g["event"].to_numpy(float), group=name,
                                       confidence_level=confidence_level))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in AGE_KM_COLUMNS.items()})
    return pd.concat(frames, ignore_index=True)


def score_residuals(start, stop, event, x, beta) -> np.ndarray:
    """Cox score residuals (Breslow form) of counting-process rows at coefficients ``beta``.

    For row i at risk on ``(start_i, stop_i]`` with weight ``w_i = exp(x_i beta)``, event
    times ``t_j`` with ``d_j`` events, ``S0_j = sum of w over rows at risk at t_j``,
    ``xbar_j = sum w x / S0_j`` and ``dL_j = d_j / S0_j``:

    ``r_i = event_i (x_i - xbar(stop_i)) - w_i sum_{start_i < t_j <= stop_i} (x_i - xbar_j) dL_j``.

    A row with no event time in its interval gets 0 (statsmodels' ``PHReg.score_residuals``
    gives NaN there, DESIGN.md). Vectorised: cumulative sums over the sorted event times.

    Returns
    -------
    ndarray, shape ``(n_rows, n_covariates)``.

    Examples
    --------
    Two subjects, one covariate, beta 0: at t=1 both at risk, xbar = 0.5, dL = 1/2;
    r_1 = (1 - 0.5) - (1 - 0.5) / 2 = 0.25, r_2 = 0 - (0 - 0.5) / 2 = 0.25 (they sum to the
    score, 1 - 0.5).

    >>> score_residuals([0, 0], [1, 2], [1, 0], [[1.0], [0.0]], [0.0]).round(3).tolist()
    [[0.25], [0.25]]
    """
    start = np.asarray(start, float)
    stop = np.asarray(stop, float)
    event = np.asarray(event, float)
    x = np.asarray(x, float).reshape(len(stop), -1)
    beta = np.asarray(beta, float)
    w = np.exp(x @ beta - (x @ beta).max()) if len(x) else np.ones(0)
    times = np.unique(stop[event > 0])
    # Rows at risk at each event time: enter at start (strictly after), leave after stop.
    k_stop = np.searchsorted(times, stop, side="right")  # event times <= stop
    k_start = np.searchsorted(times, start, side="right")  # event times <= start
    m = len(times)
    # S0 and S1 at each event time by difference arrays over time indices.
    d0 = np.zeros(m + 1)
    d1 = np.zeros((m + 1, x.shape[1]))
    np.add.at(d0, k_start, w)
    np.add.at(d0, k_stop, -w)
    np.add.at(d1, k_start, w[:, None] * x)
    np.add.at(d1, k_stop, -w[:, None] * x)
    s0 = np.cumsum(d0)[:m]
    s1 = np.cumsum(d1, axis=0)[:m]
    dj = np.bincount(np.searchsorted(times, stop[event > 0]), minlength=m).astype(float)
    xbar = s1 / s0[:, None]
    dl = dj / s0
    c0 = np.r_[0.0, np.cumsum(dl)]
    c1 = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(xbar * dl[:, None], axis=0)])
    comp = w[:, None] * (x * (c0[k_stop] - c0[k_start])[:, None] - (c1[k_stop] - c1[k_start]))
    own = np.zeros_like(x)
    ev = event > 0
    own[ev] = x[ev] - xbar[k_stop[ev] - 1]
    return own - comp


def lin_wei_covariance(resid: np.ndarray, clusters, naive_cov: np.ndarray) -> np.ndarray:
    """Lin-Wei sandwich: ``V B V`` with ``B = sum_g U_g U_g'``, ``U_g`` the score residuals
    summed over the rows of cluster g, and ``V`` the inverse information (the model's naive
    covariance).

    Examples
    --------
    >>> r = np.array([[1.0], [-1.0], [2.0]])
    >>> lin_wei_covariance(r, ["a", "a", "b"], np.array([[0.5]])).tolist()  # U = (0, 2): B = 4
    [[1.0]]
    """
    resid = np.asarray(resid, float)
    codes, _ = pd.factorize(pd.Series(clusters), sort=True)
    u = np.zeros((codes.max() + 1 if len(codes) else 0, resid.shape[1]))
    np.add.at(u, codes, resid)
    v = np.asarray(naive_cov, float)
    return v @ (u.T @ u) @ v


def cox_clustered(intervals: pd.DataFrame, terms: list[str], *, cluster: str = "parent_id",
                  confidence_level: float = 0.95) -> pd.DataFrame:
    """Cox model on counting-process rows with family-clustered (Lin-Wei) standard errors.

    ``statsmodels`` ``PHReg(stop, x, status=event, entry=start + 0.5, ties="efron")``: PHReg
    counts a row at risk at t when ``entry <= t <= stop``; the half-day shift makes a row
    entering on an event day (integer ages) not at risk at it (DESIGN.md
    "Counting-process convention"). Robust covariance: :func:`lin_wei_covariance` of
    :func:`score_residuals` at the fitted coefficients, clustered by ``cluster``; Wald
    intervals and p-values from it.

    Returns
    -------
    DataFrame
        :data:`COX_COLUMNS`, one row per term; empty (with the columns) when there is no
        event or a term does not vary; estimates empty (NaN, with the counts) when the fit
        does not converge to finite values (or its information matrix is singular) or there
        is one family only.

    Examples
    --------
    >>> iv = pd.DataFrame({"child_id": list("ABCDEF"), "parent_id": list("MMNNPP"),
    ...     "start_age_days": 0, "stop_age_days": [5, 8, 3, 9, 4, 7],
    ...     "event": [1, 0, 1, 1, 0, 1], "x": [1, 0, 1, 0, 0, 1]})
    >>> cox_clustered(iv, ["x"])[["term", "n_children", "n_families", "n_events"]].values.tolist()
    [['x', 6, 3, 4]]
    """
    from statsmodels.duration.hazard_regression import PHReg

    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in COX_COLUMNS}).astype({"term": "string"})
    iv = intervals
    ev = iv["event"].to_numpy(float)
    x = iv[terms].to_numpy(float)
    if not len(iv) or ev.sum() == 0 or (x.std(axis=0) == 0).any():
        return empty
    start = iv["start_age_days"].to_numpy(float)
    stop = iv["stop_age_days"].to_numpy(float)
    model = PHReg(stop, x, status=ev, entry=start + ENTRY_SHIFT, ties="efron")
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            res = model.fit(disp=False)
            beta = np.asarray(res.params, dtype=float)
            naive = np.asarray(res.cov_params(), dtype=float)
            resid = score_residuals(start, stop, ev, x, beta)
            cov = lin_wei_covariance(resid, iv[cluster].astype(str).to_numpy(), naive)
            se = np.sqrt(np.diag(cov))
            # PHReg reports a failed Newton search (e.g. the estimate runs off to infinity when
            # every event is in one covariate group) by a ConvergenceWarning only.
            converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        except np.linalg.LinAlgError:  # singular information: no estimate
            beta = se = np.full(len(terms), np.nan)
            converged = False
    if not converged or iv[cluster].nunique() < 2 or not np.isfinite(np.r_[beta, se]).all():
        # No estimate: the likelihood has no maximum (e.g. every event in one covariate
        # group) or one family only (no clustered error).
        beta = np.full(len(terms), np.nan)
        se = np.full(len(terms), np.nan)
    z = stats.norm.ppf(0.5 + confidence_level / 2)
    return pd.DataFrame({
        "term": pd.array(terms, dtype="string"),
        "hazard_ratio": np.exp(beta),
        "ci_lower": np.exp(beta - z * se),
        "ci_upper": np.exp(beta + z * se),
        "p_value": 2 * stats.norm.sf(np.abs(beta / se)),
        "se_robust": se,
        "n_children": iv["child_id"].nunique(),
        "n_families": iv[cluster].nunique(),
        "n_events": int(ev.sum()),
    })[list(COX_COLUMNS)]


#: Columns of :func:`cumulative_incidence` (``escalation_cif.csv``).
CIF_COLUMNS: tuple[str, ...] = ("group", "age_days", "cif", "cif_competing", "at_risk", "events",
                                "competing_events")


def cumulative_incidence(entry, exit, status, *, group: str = "all") -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence of escalation (``status`` 1) with moving away
    (``status`` 2) as the competing event; 0 is censoring. Delayed entry: at risk at t when
    ``entry < t <= exit``.

    ``statsmodels``' ``CumIncidenceRight`` has no delayed entry, so the all-cause survival
    ``S`` and the numbers at risk come from ``SurvfuncRight(exit, status > 0, entry=entry)``
    and each cause's incidence is the Aalen-Johansen sum
    ``F_k(t) = sum_{t_j <= t} S(t_j-) d_kj / n_j`` over its event times.

    Returns
    -------
    DataFrame
        :data:`CIF_COLUMNS`, one row per time with an event of either kind.

    Examples
    --------
    Four children from 0: escalation at 2 (4 at risk), a move at 3 (3), escalation at 5 (2):
    F = 1/4, then S(3-) = 3/4 -> moved 3/4 * 1/3 = 1/4; F(5) = 1/4 + 1/2 * 1/2 = 1/2.

    >>> cumulative_incidence([0, 0, 0, 0], [2, 3, 5, 6], [1, 2, 1, 0])[["age_days", "cif", "cif_competing"]].values.tolist()
    [[2.0, 0.25, 0.0], [3.0, 0.25, 0.25], [5.0, 0.5, 0.25]]
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    entry = np.asarray(entry, dtype=float)
    exit = np.asarray(exit, dtype=float)
    status = np.asarray(status, dtype=int)
    if not (status > 0).any():
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in CIF_COLUMNS}).astype({"group": "string"})
    sf = SurvfuncRight(exit, (status > 0).astype(float), entry=entry)
    t = sf.surv_times
    keep = sf.n_events > 0
    t, n, s = t[keep], sf.n_risk[keep].astype(float), sf.surv_prob[keep]
    s_before = np.r_[1.0, s[:-1]]
    at = np.searchsorted(t, exit)
    d1 = np.bincount(at[status == 1], minlength=len(t))[: len(t)].astype(float)
    d2 = np.bincount(at[status == 2], minlength=len(t))[: len(t)].astype(float)
    return pd.DataFrame({
        "group": pd.array([group] * len(t), dtype="string"),
        "age_days": t.astype("int64"),
        "cif": np.cumsum(s_before * d1 / n),
        "cif_competing": np.cumsum(s_before * d2 / n),
        "at_risk": n.astype("int64"),
        "events": d1.astype("int64"),
        "competing_events": d2.astype("int64"),
    })[list(CIF_COLUMNS)]


def cif_status(ages: pd.DataFrame) -> pd.DataFrame:
    """The competing-risk input of the children in the curve: ``child_id``, ``entry_age_days``,
    ``exit_age_days``, ``status`` (1 escalation, 2 moved away, 0 censored).

    Examples
    --------
    >>> a = pd.DataFrame({"child_id": ["A", "B", "C"], "entry_age_days": 0, "exit_age_days": [5, 6, 7],
    ...                   "event": [1, 0, 0], "moved_away": [False, True, False], "in_curve": True})
    >>> cif_status(a)["status"].tolist()
    [1, 2, 0]
    """
    a = ages[ages["in_curve"].astype(bool)]
    status = np.where(a["event"].to_numpy() == 1, 1, np.where(a["moved_away"].to_numpy(dtype=bool), 2, 0))
    return pd.DataFrame({"child_id": a["child_id"].to_numpy(), "entry_age_days": a["entry_age_days"].to_numpy(),
                         "exit_age_days": a["exit_age_days"].to_numpy(), "status": status.astype("int64")})
