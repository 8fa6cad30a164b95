"""``extract.json``: the audit parameters recorded with an extract (DESIGN.md "Input")."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..cohort import DEFAULT_ICS_START
from .dates import EARLIEST_DATE, LATEST_DATE, parse_dates_checked

#: File name of the optional metadata file in the extract folder.
METADATA_FILE = "extract.json"


def read_metadata(folder: str | Path) -> tuple[dict, list[str]]:
    """Read ``extract.json`` if present; return ``(metadata, problems)``.

    Keys used: ``audit_date``, ``ics_start_date`` (dates in the extract formats, day first:
    ``03/04/2017`` is 3 April; returned as Timestamps),
    ``authority`` (str), ``synthetic`` (bool); other keys are kept as given. ``problems`` lists
    messages for an unreadable file or bad values (those values are left out).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "extract.json").write_text('{"audit_date": "2018-07-31", "synthetic": true}')
    >>> meta, problems = read_metadata(d)
    >>> meta["audit_date"].date().isoformat(), meta["synthetic"], problems
    ('2018-07-31', True, [])
    """
    path = Path(folder) / METADATA_FILE
    if not path.exists():
        return {}, []
    ignored = ("; the whole file is ignored, so the audit date is today unless --audit-date is "
               "given. Correct the file (e.g. {\"audit_date\": \"2018-07-31\"})")
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        return {}, [f"{METADATA_FILE}: is not UTF-8 text{ignored}"]
    except json.JSONDecodeError as exc:
        return {}, [f"{METADATA_FILE}: is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                    f"{exc.msg}){ignored}"]
    if not isinstance(raw, dict):
        return {}, [f"{METADATA_FILE}: must hold a JSON object {{...}}{ignored}"]
    meta = dict(raw)
    problems = []
    for key in ("audit_date", "ics_start_date"):
        if key in meta and meta[key] is not None:
            parsed, bad, out = parse_dates_checked(pd.Series([str(meta[key])], dtype="string"))
            if out.iloc[0]:
                problems.append(f"{METADATA_FILE}: {key} {meta[key]} is out of range (dates from "
                                f"{EARLIEST_DATE:%Y-%m-%d} to {LATEST_DATE:%Y-%m-%d} are read); "
                                "ignored. Correct the date")
                del meta[key]
            elif bad.iloc[0] or pd.isna(parsed.iloc[0]):
                problems.append(f"{METADATA_FILE}: {key} {meta[key]} is not a date; ignored. "
                                f"Write it as YYYY-MM-DD")
                del meta[key]
            else:
                meta[key] = parsed.iloc[0]
    if "synthetic" in meta and not isinstance(meta["synthetic"], bool):
        text = str(meta["synthetic"]).strip().lower()
        if text in ("y", "yes", "true", "1"):
            meta["synthetic"] = True
        elif text in ("n", "no", "false", "0"):
            meta["synthetic"] = False
        else:
            problems.append(f"{METADATA_FILE}: synthetic {meta['synthetic']} is not true/false; ignored")
            del meta["synthetic"]
    return meta, problems


def resolve_parameters(meta: dict, *, audit_date=None, ics_start_date=None,
                       today: pd.Timestamp | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Audit date and ICS start: argument, else ``extract.json``, else today / 2009-04-01.

    Examples
    --------
    >>> resolve_parameters({"audit_date": pd.Timestamp("2018-07-31")}, ics_start_date="2010-01-01")
    (Timestamp('2018-07-31 00:00:00'), Timestamp('2010-01-01 00:00:00'))
    """
    today = pd.Timestamp.today().normalize() if today is None else today
    audit = audit_date if audit_date is not None else meta.get("audit_date", today)
    ics = ics_start_date if ics_start_date is not None else meta.get("ics_start_date", DEFAULT_ICS_START)
    return pd.Timestamp(audit).normalize(), pd.Timestamp(ics).normalize()
