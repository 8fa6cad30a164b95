"""Whole calendar days between dates (DESIGN.md "Definitions": days are ``later - earlier``).

One definition of the day arithmetic every analysis uses on NumPy ``datetime64[ns]`` values.
"""
from __future__ import annotations

import numpy as np

#: Nanoseconds in a day.
DAY_NS = 86_400_000_000_000


def whole_days(delta: np.ndarray) -> np.ndarray:
    """Whole days (floored, as ``Series.dt.days``) of ``timedelta64[ns]`` values; NaN for NaT.

    Examples
    --------
    >>> d = np.array(["2010-03-01", "NaT"], dtype="datetime64[ns]") - np.datetime64("2010-01-01", "ns")
    >>> whole_days(d).tolist()
    [59.0, nan]
    """
    delta = np.asarray(delta).astype("timedelta64[ns]")
    out = np.floor_divide(delta.view("int64"), DAY_NS).astype(float)
    out[np.isnat(delta)] = np.nan
    return out
