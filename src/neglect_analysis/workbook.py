"""Excel workbook of one family's whole-family chronology, for practitioners.

Two sheets: ``Family`` (who is in the family, ages, fathers, counts by event type, partners)
and ``Chronology`` (the output of :func:`neglect_analysis.chronology.family_chronology`, with
a frozen header, filters, real Excel dates shown ``dd/mm/yyyy`` and one fill colour per event
type: the colours of the figures, :data:`neglect_analysis.plots.style.EVENT_COLOURS`).

The same input gives the same bytes: the document properties and every zip entry carry a fixed
time derived from the audit date, not the time of writing.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .chronology import age_text, family_chronology
from .flags import child_flags
from .codes import EVENT_TYPES
from .cohort import Cohort
from .outputs import WORKBOOK_CREATOR, write_bytes_atomic
from .plots.style import EVENT_COLOURS
from .siblings import other_birth_parents, partner_timeline

#: Excel number format of every date cell.
DATE_FORMAT = "dd/mm/yyyy"
#: Column widths (characters) are the longest value, kept within these bounds.
MIN_WIDTH, MAX_WIDTH = 8, 60
#: How much of the event colour tints a chronology row (0 = white, 1 = full colour).
ROW_TINT = 0.25

#: Colour key of each chronology row type (events by type; births; partner changes).
_COLOUR_KEY = {**{t: t for t in EVENT_TYPES}, "birth": "birth", "partner_start": "partner", "partner_end": "partner"}

_BOLD = Font(bold=True)
_LABEL_FONT = Font(bold=True, color="B2182B", size=14)


def _fixed_time(cohort: Cohort) -> dt.datetime:
    """The timestamp written into the file: midnight of the audit date (1980 at the earliest)."""
    return max(cohort.audit_date.to_pydatetime().replace(tzinfo=None), dt.datetime(1980, 1, 1))


def _tint(hex_colour: str, share: float) -> str:
    """``hex_colour`` mixed with white: ``share`` of the colour, the rest white (RRGGBB)."""
    h = hex_colour.lstrip("#")
    rgb = [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(255 - share * (255 - c)):02X}" for c in rgb)


def _text_colour(hex_colour: str) -> str:
    """Black or white text, whichever reads better on ``hex_colour`` (relative luminance)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return "000000" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 else "FFFFFF"


def _cell_value(v: object) -> object:
    """A value openpyxl writes as the right Excel type: dates as dates, missing as empty."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime().date()
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def _put(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write one cell. Text is always a string cell, never a formula (openpyxl would store text
    starting with ``=`` as a formula), with characters a worksheet cannot hold (control
    characters) shown as U+FFFD; other values as :func:`_cell_value` gives them.
    """
    if isinstance(value, str):
        cell = ws.cell(row=row, column=column, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        cell.data_type = "s"
        return cell
    return ws.cell(row=row, column=column, value=value)


def _write_table(ws: Worksheet, df: pd.DataFrame, first_row: int) -> None:
    """Write ``df`` with a bold header at ``first_row``; date columns as ``dd/mm/yyyy``."""
    for j, col in enumerate(df.columns, start=1):
        _put(ws, first_row, j, str(col)).font = _BOLD
    date_cols = {j for j, col in enumerate(df.columns, start=1) if pd.api.types.is_datetime64_any_dtype(df[col])}
    for i, row in enumerate(df.itertuples(index=False), start=first_row + 1):
        for j, v in enumerate(row, start=1):
            cell = _put(ws, i, j, _cell_value(v))
            if j in date_cols:
                cell.number_format = DATE_FORMAT


def _fit_widths(ws: Worksheet) -> None:
    """Column widths from the longest shown value (dates count as 10 characters)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            n = 10 if isinstance(cell.value, (dt.date, dt.datetime)) else len(str(cell.value))
            widths[cell.column] = max(widths.get(cell.column, 0), n)
    for col, n in sorted(widths.items()):
        ws.column_dimensions[get_column_letter(col)].width = min(max(n + 2, MIN_WIDTH), MAX_WIDTH)


def _family_table(cohort: Cohort, parent_id: str, members: pd.DataFrame, chron: pd.DataFrame) -> pd.DataFrame:
    """The children of the family with ages, other birth parents, flags and counts by type."""
    kids = (
        members.loc[members["parent_id"] == parent_id, ["child_id", "birth_order", "dob", "age_days"]]
        .drop_duplicates("child_id")
        .sort_values("birth_order")
        .reset_index(drop=True)
    )
    others = other_birth_parents(cohort, members[members["parent_id"] == parent_id])
    other_ids = others.sort_values(["child_id", "other_id"]).groupby("child_id")["other_id"].agg(";".join)
    flags = child_flags(cohort, kids["child_id"]).set_index("child_id")
    ev = chron[chron["event_type"].isin(EVENT_TYPES) & chron["child_id"].notna()]
    counts = pd.crosstab(ev["child_id"], ev["event_type"]).reindex(
        index=kids["child_id"], columns=list(EVENT_TYPES), fill_value=0
    )
    out = pd.DataFrame(
        {
            "child_id": kids["child_id"],
            "birth_order": kids["birth_order"],
            "dob": kids["dob"],
            "age_at_audit": age_text(kids["dob"], pd.Series(cohort.audit_date, index=kids.index)).array,
            "age_days": kids["age_days"],
            "other_birth_parents": kids["child_id"].map(other_ids).array,
            "pre_ics_childhood": kids["child_id"].map(flags["pre_ics_childhood"]).array,
            "other_la": kids["child_id"].map(flags["other_la"]).array,
        }
    )
    counts = counts.reset_index(drop=True).rename(columns=lambda t: f"n_{t}")
    out = pd.concat([out, counts], axis=1)
    out["n_events"] = counts.sum(axis=1).astype("int64")
    return out


def _family_sheet(ws: Worksheet, cohort: Cohort, parent_id: str, members: pd.DataFrame, chron: pd.DataFrame) -> None:
    row = 1
    if cohort.synthetic:
        _put(ws, row, 1, cohort.label()).font = _LABEL_FONT
        row += 1
    _put(ws, row, 1, f"Whole-family chronology: index parent {parent_id}").font = Font(
        bold=True, size=13
    )
    row += 1
    facts = [
        ("Source", cohort.label()),
        ("Audit date", cohort.audit_date.date()),
        ("ICS start date", cohort.ics_start_date.date()),
    ]
    for name, value in facts:
        _put(ws, row, 1, name).font = _BOLD
        cell = _put(ws, row, 2, value)
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
        row += 1
    row += 1
    _put(ws, row, 1, "Children (eldest first)").font = Font(bold=True, size=12)
    row += 1
    table = _family_table(cohort, parent_id, members, chron)
    _write_table(ws, table, row)
    row += len(table) + 2

    _put(ws, row, 1, "Partners of the index parent").font = Font(bold=True, size=12)
    row += 1
    partners = partner_timeline(cohort, [parent_id]).drop(columns="person_id")
    if partners.empty:
        _put(ws, row, 1, "none on record")
    else:
        _write_table(ws, partners, row)
    _fit_widths(ws)


def _chronology_sheet(ws: Worksheet, chron: pd.DataFrame, cohort: Cohort) -> None:
    _write_table(ws, chron, 1)
    n_cols = chron.shape[1]
    type_col = list(chron.columns).index("event_type") + 1
    for i, event_type in enumerate(chron["event_type"], start=2):
        colour = EVENT_COLOURS.get(_COLOUR_KEY.get(str(event_type), ""), None)
        if colour is None:
            continue
        tint = PatternFill("solid", fgColor=_tint(colour, ROW_TINT))
        for j in range(1, n_cols + 1):
            ws.cell(row=i, column=j).fill = tint
        cell = ws.cell(row=i, column=type_col)
        cell.fill = PatternFill("solid", fgColor=colour.lstrip("#").upper())
        cell.font = Font(bold=True, color=_text_colour(colour))
    for cell in ws[1]:
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(n_cols)}{len(chron) + 1}"
    if cohort.synthetic:
        ws.oddHeader.center.text = cohort.label()
    _fit_widths(ws)


def _deterministic_bytes(wb: Workbook, when: dt.datetime) -> bytes:
    """Serialise ``wb`` with ``when`` as document and zip-entry time, so bytes are reproducible."""
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = WORKBOOK_CREATOR
    wb.properties.lastModifiedBy = None
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()  # unlike openpyxl.save_workbook, keeps `modified`
    fixed = io.BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return fixed.getvalue()


def write_chronology_workbook(
    cohort: Cohort,
    parent_id: str,
    members: pd.DataFrame,
    path: str | Path,
    *,
    include_detail: bool = False,
) -> Path:
    """Write the whole-family chronology of ``parent_id`` as an Excel workbook; return the path.

    Implements DESIGN.md "Outputs" (``analyst/chronologies/``: one whole-family chronology per
    index parent, Excel). Sheets:

    ``Family``
        the synthetic-data label at the top when ``cohort.synthetic``; index parent, source,
        audit and ICS start dates; one row per child (eldest first): ``child_id``,
        ``birth_order``, ``dob``, ``age_at_audit`` (e.g. ``"12y 3m"``), ``age_days``,
        ``other_birth_parents`` (fathers/mothers on record, ``;``-joined; empty = unknown),
        ``pre_ics_childhood``, ``other_la``, ``n_<event type>`` for every event type and
        ``n_events``; then the partner timeline
        (:func:`neglect_analysis.siblings.partner_timeline`).
    ``Chronology``
        :func:`neglect_analysis.chronology.family_chronology` (``detail`` only with
        ``include_detail=True``): header in row 1, frozen below it, autofilter, real Excel dates
        shown ``dd/mm/yyyy``, each row tinted with its event type's colour and the
        ``event_type`` cell in the full colour (the colours of the figures).

    The same input gives byte-identical files: document times and zip-entry times are the
    audit date. Text from the extract is written as string cells, never as formulas. The file
    is written through a temporary file renamed into place (an interrupted run leaves any
    previous file as it was); parent folders are created.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A"], "dob": ["1980-01-01", "2005-03-01"]})
    >>> links = pd.DataFrame({"parent_id": ["M"], "child_id": ["A"], "relationship": ["mother_of"]})
    >>> events = pd.DataFrame({"person_id": ["A"], "event_type": ["referral"], "start_date": ["2012-01-10"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_chronology_workbook(c, "M", members(c, ["M"]), Path(d) / "M.xlsx")
    ...     wb = openpyxl.load_workbook(p)
    ...     wb.sheetnames, wb["Chronology"].max_row, wb["Chronology"]["A2"].number_format
    (['Family', 'Chronology'], 3, 'dd/mm/yyyy')
    """
    parent_id = str(parent_id)
    chron = family_chronology(cohort, parent_id, members, include_detail=include_detail)
    wb = Workbook()
    family = wb.active
    family.title = "Family"
    _family_sheet(family, cohort, parent_id, members, chron)
    _chronology_sheet(wb.create_sheet("Chronology"), chron, cohort)
    data = _deterministic_bytes(wb, _fixed_time(cohort))
    return write_bytes_atomic(path, data)


# ---------------------------------------------------------------- shared with other workbooks
#: Bold font of headers and labels (the same in every workbook of the package).
BOLD_FONT = _BOLD
#: Font of the synthetic-data label at the top of a sheet.
LABEL_FONT = _LABEL_FONT


def fit_column_widths(ws: Worksheet) -> None:
    """Set column widths from the longest shown value (dates count as 10 characters).

    Examples
    --------
    >>> wb = Workbook()
    >>> wb.active["A1"] = "a rather long heading"
    >>> fit_column_widths(wb.active)
    >>> wb.active.column_dimensions["A"].width
    23.0
    """
    _fit_widths(ws)


def workbook_bytes(wb: Workbook, cohort: Cohort) -> bytes:
    """``wb`` as the bytes of an ``.xlsx`` file whose times are the audit date (reproducible).

    Examples
    --------
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A"]}), audit_date="2018-07-31")
    >>> wb = Workbook()
    >>> wb.active["A1"] = "x"
    >>> workbook_bytes(wb, c) == workbook_bytes(wb, c)
    True
    """
    return _deterministic_bytes(wb, _fixed_time(cohort))
