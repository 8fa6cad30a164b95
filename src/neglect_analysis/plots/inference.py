"""Figures of the record-aware inference and the family-signal backtest (no statistics here)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..definitions import DAYS_PER_YEAR
from ._layout import get_ax, require
from .style import group_colours
from .survival import plot_km


def plot_age_km(km: pd.DataFrame, groups=None, ax: Axes | None = None, **style) -> Axes:
    """Kaplan-Meier of ``escalation_age_km.csv`` on the age scale (years of age).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> km = pd.DataFrame({"group": "all", "age_days": [365, 730], "survival": [0.9, 0.8],
    ...                    "ci_lower": [0.8, 0.7], "ci_upper": [0.95, 0.9], "at_risk": 20, "events": 2})
    >>> ax = plot_age_km(km)
    >>> ax.get_xlabel()
    'Age (years)'
    >>> plt.close("all")
    """
    require(km, ["group", "age_days", "survival", "ci_lower", "ci_upper"], "plot_age_km")
    ax = plot_km(km.rename(columns={"age_days": "days"}), groups=groups, ax=ax, **style)
    ax.set_xlabel("Age (years)")
    ax.set_ylabel("Proportion not yet escalated (followed from the electronic record)")
    return ax


def plot_cif(cif: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Cumulative incidence of escalation and of moving away (``escalation_cif.csv``) by age.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> cif = pd.DataFrame({"group": "all", "age_days": [365, 730], "cif": [0.1, 0.2],
    ...                     "cif_competing": [0.0, 0.05]})
    >>> [l.get_label() for l in plot_cif(cif).lines]
    ['Escalated', 'Moved away']
    >>> plt.close("all")
    """
    require(cif, ["age_days", "cif", "cif_competing"], "plot_cif")
    ax = get_ax(ax)
    c = cif.sort_values("age_days")
    years = np.r_[0.0, c["age_days"].to_numpy(float) / DAYS_PER_YEAR]
    colours = group_colours(["escalated", "moved"])
    ax.step(years, np.r_[0.0, c["cif"].to_numpy(float)], where="post", label="Escalated",
            color=colours["escalated"], gid="cif-escalated")
    ax.step(years, np.r_[0.0, c["cif_competing"].to_numpy(float)], where="post", label="Moved away",
            color=colours["moved"], linestyle="--", gid="cif-moved")
    ax.set_xlabel("Age (years)")
    ax.set_ylabel("Cumulative incidence")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper left")
    return ax


def plot_backtest(summary: pd.DataFrame, ax: Axes | None = None, *, horizon_months: int = 12,
                  measure: str = "ppv") -> Axes:
    """``measure`` (``ppv`` or ``sensitivity``) of each rule at each evaluation date, with
    its family-bootstrap interval (``signal_backtest.csv``; pooled ``all`` rows left out).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> s = pd.DataFrame({"evaluation_date": ["2012-03-31", "2013-03-31"], "rule": "r", "horizon_months": 12,
    ...                   "ppv": [10.0, 20.0], "ppv_lower": [0.0, 5.0], "ppv_upper": [30.0, 40.0]})
    >>> len(plot_backtest(s).lines) >= 1
    True
    >>> plt.close("all")
    """
    require(summary, ["evaluation_date", "rule", "horizon_months", measure, f"{measure}_lower",
                      f"{measure}_upper"], "plot_backtest")
    ax = get_ax(ax)
    s = summary[(summary["horizon_months"] == horizon_months) & (summary["evaluation_date"].astype(str) != "all")]
    rules = list(dict.fromkeys(s["rule"].astype(str)))
    colours = group_colours(rules)
    dates = sorted(s["evaluation_date"].astype(str).unique())
    x = {d: i for i, d in enumerate(dates)}
    width = 0.8 / max(len(rules), 1)
    for k, r in enumerate(rules):
        p = s[s["rule"].astype(str) == r]
        xs = np.array([x[d] for d in p["evaluation_date"].astype(str)]) + (k - (len(rules) - 1) / 2) * width
        y = p[measure].to_numpy(float)
        err = np.vstack([y - p[f"{measure}_lower"].to_numpy(float), p[f"{measure}_upper"].to_numpy(float) - y])
        ax.errorbar(xs, y, yerr=np.clip(np.nan_to_num(err), 0, None), fmt="o", color=colours[r], label=r,
                    capsize=3, gid=f"backtest-{r}")
    ax.set_xticks(range(len(dates)))
    ax.set_xticklabels(dates, rotation=30, ha="right")
    ax.set_ylabel({"ppv": "Flagged children who escalated (%)",
                   "sensitivity": "Escalations flagged beforehand (%)"}.get(measure, measure))
    ax.set_xlabel(f"Evaluation date (escalation within {horizon_months} months)")
    ax.set_ylim(0, 100)
    ax.legend(loc="upper left", fontsize="small")
    return ax
