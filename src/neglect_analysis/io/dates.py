"""Date parsing for SSD extracts: vectorised, one explicit format at a time.

DESIGN.md "Input": dates may come as ISO ``2017-03-31``, SQL Server datetimes
``2017-03-31 00:00:00.000``, UK ``31/03/2017`` (always day first, never month first) or Excel
serial numbers (1900 date system, e.g. ``42825`` = 2017-03-31). Excel cells that hold real dates
reach us as ISO datetimes (``2017-03-31 00:00:00``) and are parsed as such. Times are dropped:
every date is normalised to midnight. ``9999-12-31`` (the SQL Server placeholder for "no end
date") is read as missing; other dates outside 1900-01-01 .. 2199-12-31 are not accepted.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

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
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    parse = _parse_few if len(uniques) <= FEW_VALUES else _parse_distinct
    u_dates, u_bad = parse(pd.Series(uniques, dtype="string"))
    take = np.where(codes >= 0, codes, 0)
    missing = codes < 0
    if len(uniques) == 0:
        return (pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]"),
                pd.Series(False, index=values.index))
    dates = np.where(missing, np.datetime64("NaT"), u_dates.to_numpy()[take])
    bad = np.where(missing, False, u_bad.to_numpy()[take])
    return (pd.Series(dates, index=values.index, dtype="datetime64[ns]"),
            pd.Series(bad, index=values.index, dtype=bool))


def _parse_distinct(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`parse_dates` on distinct values (each format over the column, explicit format)."""
    text = values.astype("string").str.strip()
    present = text.notna() & (text != "")
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    if not present.any():
        return out, pd.Series(False, index=values.index)
    t = text[present]

    # Fast path, same result: zero-padded ISO dates (times dropped), the form of nearly every
    # value in an SSD extract, matched and sliced by Arrow kernels, parsed in one pass.
    plain = t.str.fullmatch(_ISO_PADDED).fillna(False).astype(bool)
    if plain.any():
        day = t[plain].str.slice(0, 10)
        out.loc[day.index] = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce").astype("datetime64[us]")
        t = t[~plain]

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

    placeholder = out == OPEN_PLACEHOLDER
    out_of_range = out.notna() & ~placeholder & ((out < EARLIEST_DATE) | (out > LATEST_DATE))
    out = out.where(~(placeholder | out_of_range))
    bad = present & out.isna() & ~placeholder
    return out.astype("datetime64[ns]"), bad


_ISO_RE = re.compile(_ISO)
_UK_RE = re.compile(_UK)
_SERIAL_RE = re.compile(_SERIAL)
_EPOCH = EXCEL_EPOCH.to_pydatetime()
_EARLIEST, _LATEST, _OPEN = (t.to_pydatetime() for t in (EARLIEST_DATE, LATEST_DATE, OPEN_PLACEHOLDER))


def _parse_one(text) -> tuple[datetime | None, bool]:
    """One value: ``(date or None, bad)``, with the rules of :func:`_parse_distinct`."""
    if text is None or pd.isna(text):
        return None, False
    t = str(text).strip()
    if not t:
        return None, False
    try:
        m = _ISO_RE.match(t)
        if m:
            y, mo, d = (int(x) for x in m.group(1).split("-"))
            out = datetime(y, mo, d)
        elif (m := _UK_RE.match(t)):
            out = datetime(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        elif (m := _SERIAL_RE.match(t)):
            n = int(m.group(1))
            if not EXCEL_SERIAL_MIN <= n <= EXCEL_SERIAL_MAX:
                return None, True
            out = _EPOCH + timedelta(days=n)
        else:
            return None, True
    except ValueError:  # no such day (31 February) or year 0
        return None, True
    if out == _OPEN:
        return None, False
    if out < _EARLIEST or out > _LATEST:
        return None, True
    return out, False


def _parse_few(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`_parse_distinct` for a few distinct values, one at a time.

    Examples
    --------
    >>> s = pd.Series(["2017-3-5", "05.03.2017 10:00", "42825.5", "60", "9999-12-31", "1899-12-31",
    ...                "2017-02-29", "0000-01-01", " ", None, "31/3/2017"], dtype="string")
    >>> a, b = _parse_few(s), _parse_distinct(s)
    >>> a[0].equals(b[0]) and a[1].tolist() == b[1].tolist()
    True
    """
    parsed = [_parse_one(v) for v in values.tolist()]
    dates = pd.Series([p[0] for p in parsed], index=values.index, dtype="datetime64[ns]")
    bad = pd.Series([p[1] for p in parsed], index=values.index, dtype=bool)
    return dates, bad
