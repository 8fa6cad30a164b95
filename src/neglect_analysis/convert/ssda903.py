"""Read SSDA903 returns (looked-after children): ``header`` and ``episodes``, CSV or XML.

:func:`read_ssda903` reads every return in a folder (and its sub-folders):

- CSV: a file is a ``header`` table when it has the columns ``CHILD``, ``SEX``, ``DOB`` and
  one of ``ETHNIC``, ``UPN``, ``MOTHER``, ``MC_DOB`` (the UASC table also has CHILD, SEX,
  DOB), an ``episodes`` table when it has
  ``CHILD`` and ``DECOM`` (also ``RNE``, ``LS``, ``CIN``, ``PLACE``, ``PLACE_PROVIDER``, ``DEC``,
  ``REC``, ``REASON_PLACE_CHANGE``, ``HOME_POST``, ``PL_POST``, ``URN``), whatever its name;
  other CSV files (``uasc``, ``reviews``, ``oc2`` ...) are skipped and listed. Column names are
  matched ignoring case.
- XML: the expanded return ``<EXPSSDA903>``: each ``<CHILD>`` holds a ``<HEADER>`` (child id in
  ``CHILDID``, or ``CHILD``) and ``<EPISODE>`` elements with the episode columns (``PL`` is
  read as ``PLACE``). Other XML files are skipped and listed.

Dates may be UK (``31/03/2019``) or ISO (``2019-03-31``), as everywhere in the package
(:func:`neglect_analysis.io.dates.parse_dates`). The collection year of a file is the last
four-digit number from 2000 to 2099 in its path below the folder (``2019/header.csv``,
``episodes_2019.csv``); a file without one is taken as older than every dated file.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..io.readers import read_table

HEADER_COLUMNS: tuple[str, ...] = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS: tuple[str, ...] = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE",
                                    "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
                                    "HOME_POST", "PL_POST", "URN")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


@dataclass
class Return903:
    """One SSDA903 file read: ``kind`` is ``header`` or ``episodes``; ``table`` is text with
    the columns of that kind plus ``row`` (the row in the file, header = 1; for XML the
    position of the ``<CHILD>``)."""

    path: Path
    label: str
    kind: str
    year: int | None
    table: pd.DataFrame


def file_year(relative: str | Path) -> int | None:
    """The collection year named in a path: the last 4-digit number 2000-2099 in it.

    Examples
    --------
    >>> file_year("2019/header.csv"), file_year("episodes_2020_final.csv"), file_year("header.csv")
    (2019, 2020, None)
    """
    found = _YEAR.findall(str(relative))
    return int(found[-1]) if found else None


def read_ssda903(folder: str | Path) -> tuple[list[Return903], list[str]]:
    """Every header and episodes table under ``folder``; also the files skipped (one line
    each, naming the file and why).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "header_2019.csv").write_text("CHILD,SEX,DOB,MOTHER,MC_DOB\\n7,2,01/02/2001,1,03/04/2018\\n")
    >>> _ = (d / "episodes_2019.csv").write_text("CHILD,DECOM,DEC\\n7,2018-05-01,\\n")
    >>> returns, skipped = read_ssda903(d)
    >>> [(r.kind, r.year, len(r.table)) for r in returns], skipped
    ([('episodes', 2019, 1), ('header', 2019, 1)], [])
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder (give the folder holding the SSDA903 "
                                "header and episodes files)")
    out, skipped = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        label = rel.as_posix()
        suffix = path.suffix.lower()
        if suffix == ".csv":
            df = read_table(path, None)
            df.columns = [str(c).upper() if c != "_row" else c for c in df.columns]
            cols = set(df.columns)
            if {"CHILD", "DECOM"} <= cols:
                kind, wanted = "episodes", EPISODE_COLUMNS
            elif {"CHILD", "SEX", "DOB"} <= cols and cols & {"ETHNIC", "UPN", "MOTHER", "MC_DOB"}:
                kind, wanted = "header", HEADER_COLUMNS
            else:
                skipped.append(f"{label}: not an SSDA903 header (CHILD, SEX, DOB, MOTHER ...) or "
                               "episodes (CHILD, DECOM) table; skipped")
                continue
            table = pd.DataFrame({c: (df[c] if c in cols else pd.Series(pd.NA, index=df.index))
                                  .astype("string") for c in wanted})
            table["row"] = df["_row"].astype("Int64").to_numpy()
            out.append(Return903(path, label, kind, file_year(rel), table))
        elif suffix == ".xml":
            tables = _read_xml(path, label, skipped)
            for kind, table in tables:
                out.append(Return903(path, label, kind, file_year(rel), table))
        else:
            skipped.append(f"{label}: not a CSV or XML file; skipped")
    return out, skipped


def _read_xml(path: Path, label: str, skipped: list[str]) -> list[tuple[str, pd.DataFrame]]:
    """Header and episodes rows of an ``<EXPSSDA903>`` file (streamed, one ``<CHILD>`` at a time)."""
    from .cin_census import CensusFileError, root_tag

    try:
        root = root_tag(path)
    except CensusFileError as exc:
        skipped.append(f"{label}: {str(exc).split(': ', 1)[1]}; skipped")
        return []
    if root.upper() != "EXPSSDA903":
        skipped.append(f"{label}: not an SSDA903 return (its first element is <{root}>, not "
                       "<EXPSSDA903>); skipped")
        return []
    head, eps = [], []
    pos = 0
    try:
        for _, el in ET.iterparse(path, events=("end",)):
            if el.tag.rpartition("}")[2].upper() != "CHILD" or len(el) == 0:
                continue
            pos += 1
            child, first = None, len(eps)
            for part in el:
                name = part.tag.rpartition("}")[2].upper()
                f = {c.tag.rpartition("}")[2].upper(): ((c.text or "").strip() or None) for c in part}
                if name == "HEADER":
                    child = f.get("CHILDID", f.get("CHILD"))
                    head.append([child] + [f.get(c) for c in HEADER_COLUMNS[1:]] + [pos])
                elif name == "EPISODE":
                    f.setdefault("PLACE", f.get("PL"))
                    eps.append([None] + [f.get(c) for c in EPISODE_COLUMNS[1:]] + [pos])
            for e in eps[first:]:
                e[0] = child
            el.clear()
    except ET.ParseError as exc:
        line, col = exc.position
        raise ValueError(f"{label}: not well-formed XML (line {line}, column {col}); nothing "
                         "converted. Export the return again") from None
    out = []
    for kind, cols, rows in (("header", HEADER_COLUMNS, head), ("episodes", EPISODE_COLUMNS, eps)):
        df = pd.DataFrame(rows, columns=list(cols) + ["row"], dtype=object)
        for c in cols:
            df[c] = df[c].astype("string")
        df["row"] = df["row"].astype("Int64")
        out.append((kind, df))
    return out
