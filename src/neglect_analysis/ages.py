"""Ages and birthdays (DESIGN.md "Date of birth", "Age at audit").

The one definition of the calendar birthday that ends childhood and of "adult at audit",
used by time to escalation, the findings and the notebooks.
"""
from __future__ import annotations

import pandas as pd

from .definitions import DEFAULTS, Definitions


def birthday(dob: pd.Series, years: int = 18) -> pd.Series:
    """The calendar date of the ``years``-th birthday (DESIGN.md "Date of birth").

    A 29 February birthday falls on 1 March in a non-leap year. Missing dob gives NaT.

    Examples
    --------
    >>> dob = pd.to_datetime(pd.Series(["2000-02-29", "2001-07-31", None]))
    >>> birthday(dob).dt.strftime("%Y-%m-%d").tolist()
    ['2018-03-01', '2019-07-31', nan]
    >>> birthday(dob, years=20).dt.strftime("%Y-%m-%d").tolist()[0]
    '2020-02-29'
    """
    dob = pd.to_datetime(dob).astype("datetime64[ns]")
    year = dob.dt.year + years
    month, day = dob.dt.month, dob.dt.day
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    moved = (month == 2) & (day == 29) & ~leap
    parts = pd.DataFrame({
        "year": year,
        "month": month.where(~moved, 3),
        "day": day.where(~moved, 1),
    }, index=dob.index)
    return pd.to_datetime(parts).astype("datetime64[ns]")


def adult_at_audit(dob: pd.Series, audit_date, *, definitions: Definitions = DEFAULTS) -> pd.Series:
    """Whether each person is an adult at ``audit_date``: their ``adult_age_years``-th birthday
    (the calendar date, 29 February -> 1 March; :func:`birthday`) is on or before it.

    DESIGN.md "Age at audit" and "Date of birth": the one definition of "adult at audit".

    Examples
    --------
    >>> dob = pd.to_datetime(pd.Series(["2000-07-31", "2000-08-01", "2000-02-29", None]))
    >>> adult_at_audit(dob, pd.Timestamp("2018-07-31")).tolist()
    [True, False, True, False]
    """
    adult = birthday(dob, definitions.adult_age_years) <= pd.Timestamp(audit_date)
    return adult.fillna(False).astype(bool)
