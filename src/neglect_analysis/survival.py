"""Kaplan-Meier estimates and log-rank tests as tidy tables, over :mod:`scipy.stats`.

DESIGN.md "Escalation": time to escalation is estimated by Kaplan-Meier
(``scipy.stats.ecdf`` on ``CensoredData``, log-log confidence intervals) and groups are compared
by log-rank (``scipy.stats.logrank``).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

#: Columns (and dtypes) of :func:`kaplan_meier`.
KM_COLUMNS: dict[str, str] = {
    "group": "string",
    "days": "int64",
    "survival": "float64",
    "ci_lower": "float64",
    "ci_upper": "float64",
    "at_risk": "int64",
    "events": "int64",
}


def _clean(durations, events) -> tuple[np.ndarray, np.ndarray]:
    """Durations (float) and event flags (bool) with pairs of missing duration left out."""
    ds = durations if isinstance(durations, pd.Series) else None
    es = events if isinstance(events, pd.Series) else None
    if ds is not None and pd.api.types.is_numeric_dtype(ds.dtype) and not pd.api.types.is_bool_dtype(ds.dtype):
        d = ds.astype("Float64").to_numpy(dtype=float, na_value=np.nan)  # no Python objects
    else:
        d = pd.to_numeric(pd.Series(list(durations), dtype="object"), errors="coerce").to_numpy(float)
    if es is not None and (pd.api.types.is_bool_dtype(es.dtype) or pd.api.types.is_integer_dtype(es.dtype)):
        e = es.fillna(False).astype(bool).to_numpy()
    else:
        e = pd.Series(list(events), dtype="object").fillna(False).astype(bool).to_numpy()
    if len(d) != len(e):
        raise ValueError(f"durations ({len(d)}) and events ({len(e)}) must have the same length")
    keep = ~np.isnan(d)
    if (d[keep] < 0).any():
        raise ValueError("durations must not be negative (time from first involvement)")
    return d[keep], e[keep]


def kaplan_meier(durations, events, *, group: str = "all",
                 confidence_level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier survival estimate, one row per distinct event time.

    Uses ``scipy.stats.ecdf(scipy.stats.CensoredData(uncensored=..., right=...))`` and
    ``res.sf.confidence_interval(confidence_level, method="log-log")`` (Greenwood variance on the
    log(-log S) scale). Choice (DESIGN.md: "one row per group and event time"): times at which
    only censoring happens get no row (the curve is flat there); a plot starts the curve at
    (0, 1) itself. A pair with a missing duration is left out; a group with no event gives an
    empty table. Where survival reaches 0 the log-log interval is undefined (NaN).

    Parameters
    ----------
    durations : array-like of days (non-negative).
    events : array-like of bool / 0-1, True where the duration ends in the event (escalation),
        False where it is censored.
    group : label written in the ``group`` column.

    Returns
    -------
    DataFrame
        ``group``, ``days``, ``survival``, ``ci_lower``, ``ci_upper``, ``at_risk`` (followed
        and event-free just before ``days``), ``events`` (events at ``days``).

    Examples
    --------
    >>> km = kaplan_meier([1, 2, 2, 3], [1, 1, 0, 1])
    >>> km[["days", "survival", "at_risk", "events"]].values.tolist()
    [[1.0, 0.75, 4.0, 1.0], [2.0, 0.5, 3.0, 1.0], [3.0, 0.0, 1.0, 1.0]]
    """
    d, e = _clean(durations, events)
    if not e.any():
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in KM_COLUMNS.items()})
    res = stats.ecdf(stats.CensoredData(uncensored=d[e], right=d[~e]))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = res.sf.confidence_interval(confidence_level, method="log-log")
    times = res.sf.quantiles
    d_sorted, ev_sorted = np.sort(d), np.sort(d[e])
    at_risk = len(d) - np.searchsorted(d_sorted, times, side="left")
    n_events = np.searchsorted(ev_sorted, times, side="right") - np.searchsorted(
        ev_sorted, times, side="left")
    out = pd.DataFrame({
        "group": group,
        "days": times,
        "survival": res.sf.probabilities,
        "ci_lower": ci.low.probabilities,
        "ci_upper": ci.high.probabilities,
        "at_risk": at_risk,
        "events": n_events,
    })
    out = out[out["events"] > 0].reset_index(drop=True)
    if np.all(out["days"] == np.round(out["days"])):
        out["days"] = out["days"].astype("int64")
    return out.astype({"group": "string", "at_risk": "int64", "events": "int64"})


def logrank(d1, e1, d2, e2) -> pd.DataFrame:
    """Log-rank test of two survival curves (``scipy.stats.logrank``, two-sided), one row.

    ``statistic`` is scipy's standardised statistic z (its square is the usual chi-squared
    on 1 degree of freedom). Where a group is empty or there is no event at all the test is
    undefined: ``statistic`` and ``p_value`` are NaN.

    Returns
    -------
    DataFrame
        One row: ``n_1``, ``n_2``, ``events_1``, ``events_2``, ``statistic``, ``p_value``.

    Examples
    --------
    >>> r = logrank([1, 2, 3], [1, 1, 1], [4, 5, 6], [1, 1, 0])
    >>> r[["n_1", "n_2", "events_1", "events_2"]].values.tolist()
    [[3, 3, 3, 2]]
    """
    a, ea = _clean(d1, e1)
    b, eb = _clean(d2, e2)
    row = {"n_1": len(a), "n_2": len(b), "events_1": int(ea.sum()), "events_2": int(eb.sum()),
           "statistic": np.nan, "p_value": np.nan}
    if len(a) and len(b) and (ea.any() or eb.any()):
        res = stats.logrank(stats.CensoredData(uncensored=a[ea], right=a[~ea]),
                            stats.CensoredData(uncensored=b[eb], right=b[~eb]))
        row["statistic"], row["p_value"] = float(res.statistic), float(res.pvalue)
    return pd.DataFrame([row]).astype({"n_1": "int64", "n_2": "int64", "events_1": "int64",
                                       "events_2": "int64"})
