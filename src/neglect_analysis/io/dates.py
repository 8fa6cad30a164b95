"""Date parsing for SSD extracts: vectorised, one explicit format at a time.

DESIGN.md "Input": dates may come as ISO ``2017-03-31``, SQL Server datetimes
``2017-03-31 00:00:00.000``, UK ``31/03/2017`` (always day first, never month first) or Excel
serial numbers (1900 date system, e.g. ``42825`` = 2017-03-31). Excel cells that hold real dates
reach us as ISO datetimes (``2017-03-31 00:00:00``) and are parsed as such. Times are dropped:
every date is normalised to midnight. ``9999-12-31`` (the SQL Server placeholder for "no end
date") is read as missing; other dates outside 1900-01-01 .. 2199-12-31 are not accepted
(reported as out of range, apart from text that is no date at all).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac

from .arrowtext import arrow_text, distinct_codes, take_codes

#: Day 0 of the Excel 1900 date system as used by every modern spreadsheet (serial 61 =
#: 1900-03-01; serials below 61 are affected by Excel's fictitious 29 February 1900 and are
#: not accepted as dates).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Accepted range of Excel serial numbers (1900-03-01 to 9999-12-31).
EXCEL_SERIAL_MIN = 61
EXCEL_SERIAL_MAX = 2_958_465
#: Dates accepted (pandas stores dates with nanoseconds: years 1678-2261 only).
EARLIEST_DATE = pd.Timestamp("1900-01-01")
LATEST_DATE = pd.Timestamp("2199-12-31")
#: SQL Server placeholder for an open episode, read as missing.
OPEN_PLACEHOLDER = pd.Timestamp("9999-12-31")

#: Up to this many distinct values are parsed one by one (:func:`_parse_few`), faster than the
#: column-wise path for small tables; both give the same result.
FEW_VALUES = 200

_ISO = r"^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
_UK = r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
_SERIAL = r"^([0-9]{1,7})(?:\.[0-9]+)?$"
#: A subset of ``_ISO`` (two-digit month, day and hour) parsed by the fast path.
_ISO_PADDED = r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
#: ``_ISO_PADDED`` with ASCII digits only: the dates read by arithmetic (:func:`_padded_iso_dates`).
_ISO_ASCII = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a text column of dates; return ``(dates, bad)``.

    ``dates`` is datetime64[ns] (NaT where missing or unparseable), ``bad`` a boolean Series,
    True where a value was given but is not a date (an impossible date such as ``31/02/2017`` or
    ``2017-02-30``, an out-of-range Excel serial, or text in another format). Missing values
    (NA, empty or whitespace-only) are neither dates nor bad. Each accepted format is parsed over
    the whole column with an explicit ``format=`` (DESIGN.md "Input": ISO, SQL Server datetime,
    UK day-first, Excel serial). Month-first dates are never tried: ``03/31/2017`` is bad.

    Examples
    --------
    >>> s = pd.Series(["2017-03-31", "2017-03-31 00:00:00.000", "31/03/2017", "42825",
    ...                "2017-02-30", "03/31/2017", None, " "])
    >>> dates, bad = parse_dates(s)
    >>> [d.date().isoformat() if pd.notna(d) else None for d in dates]
    ['2017-03-31', '2017-03-31', '2017-03-31', '2017-03-31', None, None, None, None]
    >>> bad.tolist()
    [False, False, False, False, True, True, False, False]
    >>> parse_dates(pd.Series(["9999-12-31 00:00:00", "3017-01-01"]))[1].tolist()
    [False, True]
    """
    dates, bad, out_of_range = parse_dates_checked(values)
    return dates, bad | out_of_range


def parse_dates_checked(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """:func:`parse_dates`, telling real dates outside the accepted range from text that is no
    date: ``(dates, bad, out_of_range)``.

    ``out_of_range`` is True where a value is a real day (in one of the accepted formats) before
    :data:`EARLIEST_DATE` or after :data:`LATEST_DATE` (``1066-10-14``, ``2999-01-01``: typing
    errors, and beyond what pandas stores past 2262); ``bad`` where it is no date at all
    (``2017-02-30``, ``03/31/2017``, an Excel serial below 61). Both give NaT.

    Examples
    --------
    >>> _, bad, out = parse_dates_checked(pd.Series(["1066-10-14", "01/01/2999", "2017-02-30",
    ...                                              "2017-01-01", "9999-12-31"]))
    >>> bad.tolist(), out.tolist()
    ([False, False, True, False, False], [True, True, False, False, False])
    """
    codes, uniques = distinct_codes(values)  # each distinct text is parsed once
    if len(uniques) == 0:
        none = pd.Series(False, index=values.index)
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]"), none, none.copy()
    parse = _parse_few if len(uniques) <= FEW_VALUES else _parse_distinct
    u_dates, u_bad, u_out = parse(uniques)
    dates = take_codes(u_dates.to_numpy(dtype="datetime64[ns]"), codes, np.datetime64("NaT"))
    flags = []
    for u in (u_bad, u_out):
        u = u.to_numpy(dtype=bool)
        flags.append(pd.Series(take_codes(u, codes, False) if u.any() else np.zeros(len(codes), dtype=bool),
                               index=values.index, dtype=bool))
    return pd.Series(dates, index=values.index, dtype="datetime64[ns]"), flags[0], flags[1]


def _parse_distinct(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """:func:`parse_dates_checked` on distinct values (each format over the column, explicit format)."""
    text = values.astype("string").str.strip()
    present = (text.notna() & (text != "")).fillna(False).to_numpy(dtype=bool)
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[us]")
    where = np.flatnonzero(present)
    t = text.iloc[where]

    # Fastest path, same result: zero-padded ISO dates in ASCII digits (times dropped), the
    # form of nearly every value in an SSD extract, read by integer arithmetic.
    plain = pac.match_substring_regex(arrow_text(t), _ISO_ASCII).to_numpy(zero_copy_only=False)
    if plain.any():
        out[where[plain]] = _padded_iso_dates(t[plain])
        where, t = where[~plain], t[~plain]

    if len(t):  # the other forms (rare): each format over the values left, explicit format
        rest = pd.Series(pd.NaT, index=t.index, dtype="datetime64[us]")
        padded = t.str.fullmatch(_ISO_PADDED).fillna(False).astype(bool)
        if padded.any():
            day = t[padded].str.slice(0, 10)
            parsed = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
            rest.loc[day.index] = parsed.astype("datetime64[us]")
        _parse_other_formats(t[~padded], rest)
        out[where] = rest.to_numpy(dtype="datetime64[us]")

    placeholder = out == _US_OPEN
    out_of_range = ~np.isnat(out) & ~placeholder & ((out < _US_EARLIEST) | (out > _US_LATEST))
    out[placeholder | out_of_range] = np.datetime64("NaT")
    bad = present & np.isnat(out) & ~placeholder & ~out_of_range
    return (pd.Series(out.astype("datetime64[ns]"), index=values.index),
            pd.Series(bad, index=values.index), pd.Series(out_of_range, index=values.index))


#: The limits in microseconds, the unit :func:`_parse_distinct` works in (years 0 to 9999).
_US_EARLIEST, _US_LATEST, _US_OPEN = (t.to_datetime64().astype("datetime64[us]")
                                      for t in (EARLIEST_DATE, LATEST_DATE, OPEN_PLACEHOLDER))


def _padded_iso_dates(text: pd.Series) -> np.ndarray:
    """Dates of text matching ``_ISO_ASCII`` (``YYYY-MM-DD``, a time after it ignored) as
    datetime64[us]; NaT where there is no such day (month 13, 30 February).

    Examples
    --------
    >>> d = _padded_iso_dates(pd.Series(["2016-02-29 10:00", "2017-02-29", "2017-13-01", "2017-04-31"]))
    >>> np.datetime_as_string(d, unit="D").tolist()
    ['2016-02-29', 'NaT', 'NaT', 'NaT']
    """
    arr = arrow_text(text)

    def number(start: int, stop: int) -> np.ndarray:
        digits = pac.utf8_slice_codeunits(arr, start, stop)
        return pac.cast(digits, pa.int64()).to_numpy(zero_copy_only=False)

    year, month, day = number(0, 4), number(5, 7), number(8, 10)
    first = ((year - 1970) * 12 + (month - 1)).astype("datetime64[M]")
    date = first.astype("datetime64[D]") + (day - 1)
    real = (month >= 1) & (month <= 12) & (day >= 1) & (date.astype("datetime64[M]") == first)
    return np.where(real, date, np.datetime64("NaT")).astype("datetime64[us]")


def _parse_other_formats(t: pd.Series, out: pd.Series) -> None:
    """Fill ``out`` (datetime64[us], NaT) at the index of ``t`` (stripped text, not padded ISO):
    ISO with one-digit parts, UK day-first, Excel serial (see :func:`parse_dates`)."""
    iso = t.str.extract(_ISO)[0]
    m = iso.notna()
    if m.any():
        out.loc[m[m].index] = pd.to_datetime(iso[m], format="%Y-%m-%d", errors="coerce").astype("datetime64[us]")

    uk = t.str.extract(_UK)
    m = uk[0].notna()
    if m.any():
        joined = uk.loc[m, 0] + "/" + uk.loc[m, 1] + "/" + uk.loc[m, 2]
        out.loc[m[m].index] = pd.to_datetime(joined, format="%d/%m/%Y", errors="coerce").astype("datetime64[us]")

    serial = t.str.extract(_SERIAL)[0]
    m = serial.notna()
    if m.any():
        n = pd.to_numeric(serial[m]).astype("int64")
        ok = (n >= EXCEL_SERIAL_MIN) & (n <= EXCEL_SERIAL_MAX)
        n = n[ok]
        if len(n):
            days = pd.to_timedelta(n.to_numpy(), unit="D")
            out.loc[n.index] = (EXCEL_EPOCH + days).astype("datetime64[us]")


_ISO_RE = re.compile(_ISO)
_UK_RE = re.compile(_UK)
_SERIAL_RE = re.compile(_SERIAL)
_EPOCH = EXCEL_EPOCH.to_pydatetime()
_EARLIEST, _LATEST, _OPEN = (t.to_pydatetime() for t in (EARLIEST_DATE, LATEST_DATE, OPEN_PLACEHOLDER))


def _parse_one(text) -> tuple[datetime | None, bool, bool]:
    """One value: ``(date or None, bad, out_of_range)``, with the rules of :func:`_parse_distinct`."""
    if text is None or pd.isna(text):
        return None, False, False
    t = str(text).strip()
    if not t:
        return None, False, False
    ymd = None
    try:
        m = _ISO_RE.match(t)
        if m:
            ymd = tuple(int(x) for x in m.group(1).split("-"))
            out = datetime(*ymd)
        elif (m := _UK_RE.match(t)):
            ymd = (int(m.group(3)), int(m.group(2)), int(m.group(1)))
            out = datetime(*ymd)
        elif (m := _SERIAL_RE.match(t)):
            n = int(m.group(1))
            if not EXCEL_SERIAL_MIN <= n <= EXCEL_SERIAL_MAX:
                return None, True, False
            out = _EPOCH + timedelta(days=n)
        else:
            return None, True, False
    except ValueError:  # no such day (31 February), or year 0 (a real day to NumPy: out of range)
        real = ymd is not None and ymd[0] == 0 and _numpy_day(ymd)
        return None, not real, real
    if out == _OPEN:
        return None, False, False
    if out < _EARLIEST or out > _LATEST:
        return None, False, True
    return out, False, False


def _numpy_day(ymd: tuple[int, int, int]) -> bool:
    """Whether year-month-day is a day to NumPy (which has a year 0, leap like 2000)."""
    try:
        np.datetime64(f"{ymd[0]:04d}-{ymd[1]:02d}-{ymd[2]:02d}", "D")
    except ValueError:
        return False
    return True


def _parse_few(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """:func:`_parse_distinct` for a few distinct values, one at a time.

    Examples
    --------
    >>> s = pd.Series(["2017-3-5", "05.03.2017 10:00", "42825.5", "60", "9999-12-31", "1899-12-31",
    ...                "2017-02-29", "0000-01-01", "0000-02-30", " ", None, "31/3/2017", "2999-1-1",
    ...                "14/10/1066", "2958465"], dtype="string")
    >>> a, b = _parse_few(s), _parse_distinct(s)
    >>> a[0].equals(b[0]) and a[1].tolist() == b[1].tolist() and a[2].tolist() == b[2].tolist()
    True
    >>> int(a[2].sum())  # 1899-12-31, 0000-01-01, 2999-1-1, 14/10/1066 (2958465 is 9999-12-31)
    4
    """
    parsed = [_parse_one(v) for v in values.tolist()]
    dates = pd.Series([p[0] for p in parsed], index=values.index, dtype="datetime64[ns]")
    bad = pd.Series([p[1] for p in parsed], index=values.index, dtype=bool)
    out = pd.Series([p[2] for p in parsed], index=values.index, dtype=bool)
    return dates, bad, out
