"""Excel workbooks for practitioners: one family's whole-family chronology, and lists for action.

A chronology workbook has three sheets: ``Family`` (who is in the family, ages, fathers,
counts by event type, partners), ``Chronology`` (the practitioner view of
:func:`neglect_analysis.chronology.family_chronology`: family events on one row, codes with
their words, plain headers, Yes/No, real Excel dates shown ``dd/mm/yyyy``, one fill colour per
event type: the colours of the figures, :data:`neglect_analysis.plots.style.EVENT_COLOURS`)
and ``Timeline`` (the lane figure). :func:`write_table_workbook` writes a list (e.g. the
look-now list) with the same care. Every sheet has frozen panes and a print setup.

The same input gives the same bytes: the document properties and every zip entry carry a fixed
time derived from the audit date, not the time of writing.
"""
from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .chronology import age_text, family_chronology, practitioner_chronology
from .flags import child_flags
from .codes import EVENT_TYPES
from .cohort import Cohort
from .labels import PARTNER_SOURCE_LABELS, column_label, event_type_list_words, yes_no
from .outputs import WORKBOOK_CREATOR, write_bytes_atomic
from .plots.style import EVENT_COLOURS
from .siblings import other_birth_parents, partner_timeline

#: Excel number format of every date cell.
DATE_FORMAT = "dd/mm/yyyy"
#: Column widths (characters) are the longest value, kept within these bounds.
MIN_WIDTH, MAX_WIDTH = 8, 60
#: How much of the event colour tints a chronology row (0 = white, 1 = full colour).
ROW_TINT = 0.25
#: Frozen panes of the Chronology sheet: the header row and the date, end date and event.
CHRONOLOGY_FREEZE = "D2"
#: Resolution of the Timeline figure embedded in a workbook (dots per inch).
TIMELINE_DPI = 100

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


def cell_value(v: object) -> object:
    """A value openpyxl writes as the right Excel type: dates as dates, missing as empty
    (the one conversion of every workbook of the package).

    Examples
    --------
    >>> cell_value(pd.NaT) is None, cell_value(pd.Timestamp("2018-07-31")), cell_value(float("nan"))
    (True, datetime.date(2018, 7, 31), None)
    """
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
    characters) shown as U+FFFD; other values as :func:`cell_value` gives them.
    """
    if isinstance(value, str):
        cell = ws.cell(row=row, column=column, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        cell.data_type = "s"
        return cell
    return ws.cell(row=row, column=column, value=value)


def _write_table(ws: Worksheet, df: pd.DataFrame, first_row: int, *, plain: bool = True) -> None:
    """Write ``df`` with a bold header at ``first_row`` (plain words: :func:`column_label`,
    wrapped); date columns as ``dd/mm/yyyy``."""
    for j, col in enumerate(df.columns, start=1):
        cell = _put(ws, first_row, j, column_label(str(col)) if plain else str(col))
        cell.font = _BOLD
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    date_cols = {j for j, col in enumerate(df.columns, start=1) if pd.api.types.is_datetime64_any_dtype(df[col])}
    for i, row in enumerate(df.itertuples(index=False), start=first_row + 1):
        for j, v in enumerate(row, start=1):
            cell = _put(ws, i, j, cell_value(v))
            if j in date_cols:
                cell.number_format = DATE_FORMAT


def _fit_widths(ws: Worksheet, *, skip_rows: tuple[int, ...] = (), header_row: int | None = None) -> None:
    """Column widths from the longest shown value (dates count as 10 characters), within
    :data:`MIN_WIDTH` .. :data:`MAX_WIDTH`; longer text wraps. ``skip_rows`` (titles that may
    run across columns) do not count; a header counts by its longest word (it wraps)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or cell.row in skip_rows:
                continue
            if isinstance(cell.value, (dt.date, dt.datetime)):
                n = 10
            elif cell.row == header_row:
                n = max(len(w) for w in str(cell.value).split()) if str(cell.value).split() else 0
            else:
                n = len(str(cell.value))
            widths[cell.column] = max(widths.get(cell.column, 0), n)
    for col, n in sorted(widths.items()):
        ws.column_dimensions[get_column_letter(col)].width = min(max(n + 2, MIN_WIDTH), MAX_WIDTH)
        if n + 2 > MAX_WIDTH:
            for (cell,) in ws.iter_rows(min_col=col, max_col=col):
                if cell.row not in skip_rows and isinstance(cell.value, str):
                    cell.alignment = Alignment(vertical="top", wrap_text=True)


def _print_setup(ws: Worksheet, *, header_rows: str | None, label: str | None = None) -> None:
    """Landscape A4, fit to one page wide (as many pages tall as needed), ``header_rows``
    (e.g. ``"1:1"``) repeated on every page, the synthetic label in the page header."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows:
        ws.print_title_rows = header_rows
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    if label:
        ws.oddHeader.center.text = label
    ws.oddFooter.right.text = "Page &P of &N"


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
            "pre_ics_childhood": yes_no(kids["child_id"].map(flags["pre_ics_childhood"])).array,
            "other_la": yes_no(kids["child_id"].map(flags["other_la"])).array,
        }
    )
    counts = counts.reset_index(drop=True).rename(columns=lambda t: f"n_{t}")
    out = pd.concat([out, counts], axis=1)
    out["n_events"] = counts.sum(axis=1).astype("int64")
    return out


def _family_sheet(ws: Worksheet, cohort: Cohort, parent_id: str, members: pd.DataFrame, chron: pd.DataFrame) -> None:
    row = 1
    titles = []
    if cohort.synthetic:
        _put(ws, row, 1, cohort.label()).font = _LABEL_FONT
        titles.append(row)
        row += 1
    _put(ws, row, 1, f"Whole-family chronology: index parent {parent_id}").font = Font(
        bold=True, size=13
    )
    titles.append(row)
    row += 1
    facts = [
        ("Source", cohort.label()),
        ("Audit date", cohort.audit_date.date()),
        ("Case system start", cohort.ics_start_date.date()),
    ]
    for name, value in facts:
        _put(ws, row, 1, name).font = _BOLD
        cell = _put(ws, row, 2, value)
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
        titles.append(row)  # facts run across columns: they do not set widths
        row += 1
    row += 1
    _put(ws, row, 1, "Children (eldest first)").font = Font(bold=True, size=12)
    titles.append(row)
    row += 1
    table = _family_table(cohort, parent_id, members, chron)
    header = row
    _write_table(ws, table, row)
    row += len(table) + 2

    _put(ws, row, 1, "Partners of the index parent").font = Font(bold=True, size=12)
    titles.append(row)
    row += 1
    partners = partner_timeline(cohort, [parent_id]).drop(columns="person_id")
    known = partners.pop("source")
    partners["known_as"] = known.map(PARTNER_SOURCE_LABELS).fillna(known).astype("string")
    if partners.empty:
        _put(ws, row, 1, "none on record")
    else:
        _write_table(ws, partners, row)
    ws.row_dimensions[header].height = 45
    ws.freeze_panes = f"B{header + 1}"
    _print_setup(ws, header_rows=f"{header}:{header}", label=cohort.label() if cohort.synthetic else None)
    _fit_widths(ws, skip_rows=tuple(titles), header_row=header)


def _chronology_sheet(ws: Worksheet, view: pd.DataFrame, cohort: Cohort) -> None:
    """The practitioner view (:func:`practitioner_chronology`), one row per family event."""
    _write_table(ws, view, 1)
    n_cols = view.shape[1]
    type_col = list(view.columns).index("event_type") + 1
    for i, event_type in enumerate(view["event_type_code"], start=2):
        colour = EVENT_COLOURS.get(_COLOUR_KEY.get(str(event_type), ""), None)
        if colour is None:
            continue
        tint = PatternFill("solid", fgColor=_tint(colour, ROW_TINT))
        for j in range(1, n_cols + 1):
            ws.cell(row=i, column=j).fill = tint
        cell = ws.cell(row=i, column=type_col)
        cell.fill = PatternFill("solid", fgColor=colour.lstrip("#").upper())
        cell.font = Font(bold=True, color=_text_colour(colour))
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = CHRONOLOGY_FREEZE
    ws.auto_filter.ref = f"A1:{get_column_letter(n_cols)}{len(view) + 1}"
    _print_setup(ws, header_rows="1:1", label=cohort.label() if cohort.synthetic else None)
    _fit_widths(ws, header_row=1)


def timeline_png(cohort: Cohort, chron: pd.DataFrame, parent_id: str) -> bytes:
    """The lane figure of a family chronology as PNG bytes (same data, same bytes).

    :func:`neglect_analysis.plots.chronology.chronology_figure` with the ICS start shaded,
    open episodes running to the audit date and the synthetic-data stamp outside the axes.
    """
    buf = io.BytesIO()
    _with_family_figure(cohort, chron, parent_id,
                        lambda fig: fig.savefig(buf, format="png", dpi=TIMELINE_DPI, metadata={"Software": None}))
    return buf.getvalue()


def _with_family_figure(cohort: Cohort, chron: pd.DataFrame, parent_id: str, use):
    """Draw the family's lane figure in house style, pass it to ``use``, close it; returns
    what ``use`` returns (the one drawing of the figure for the workbook and the files)."""
    import matplotlib.pyplot as plt

    from .plots.chronology import chronology_figure
    from .plots.style import style_context

    with style_context(), warnings.catch_warnings():
        # very long ids or many lanes can leave no room for constrained layout: the figure is
        # still drawn (less tidily); the warning would only be noise on a practitioner's screen
        warnings.filterwarnings("ignore", message="constrained_layout not applied", category=UserWarning)
        fig = chronology_figure(
            chron,
            ics_start=cohort.ics_start_date,
            open_until=cohort.audit_date,
            title=f"Whole-family chronology: index parent {parent_id}",
            stamp=cohort.label() if cohort.synthetic else None,
        )
        try:
            return use(fig)
        finally:
            plt.close(fig)


def _timeline_sheet(ws: Worksheet, png: bytes, cohort: Cohort, parent_id: str) -> None:
    from openpyxl.drawing.image import Image

    _put(ws, 1, 1, f"Timeline of the family of index parent {parent_id}: one lane per child, eldest at "
                   "the top; the key at the right explains every mark, line and shading.").font = _BOLD
    img = Image(io.BytesIO(png))
    ws.add_image(img, "A3")
    ws.freeze_panes = "A2"
    _print_setup(ws, header_rows="1:1", label=cohort.label() if cohort.synthetic else None)


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
    timeline: bool = True,
) -> Path:
    """Write the whole-family chronology of ``parent_id`` as an Excel workbook; return the path.

    Implements DESIGN.md "Outputs" (``analyst/chronologies/``: one whole-family chronology per
    index parent, Excel), written for practitioners: plain headers, codes with their words,
    Yes/No, "pre-birth", a family event on one row. Sheets:

    ``Family``
        the synthetic-data label at the top when ``cohort.synthetic``; index parent, source,
        audit and case-system start dates; one row per child (eldest first): child, birth
        order, date of birth, age at audit date (e.g. ``"12y 3m"``), age in days, other birth
        parents (``;``-joined; empty = unknown), childhood before the case system and
        another-authority history (Yes/No), the number of events of each type and in all; then
        the partner timeline (:func:`neglect_analysis.siblings.partner_timeline`).
    ``Chronology``
        :func:`neglect_analysis.chronology.practitioner_chronology` (the paper ``detail`` only
        with ``include_detail=True``): header in row 1, autofilter, real Excel dates shown
        ``dd/mm/yyyy``, each row tinted with its event type's colour and the event cell in the
        full colour (the colours of the figures).
    ``Timeline``
        the lane figure (:func:`timeline_png`), when ``timeline`` is true.

    Every sheet has frozen panes (headers stay in view) and a print setup: landscape A4, fit
    to one page wide, the header row repeated on every page.

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
    ...     p = write_chronology_workbook(c, "M", members(c, ["M"]), Path(d) / "M.xlsx", timeline=False)
    ...     wb = openpyxl.load_workbook(p)
    ...     wb.sheetnames, wb["Chronology"].max_row, wb["Chronology"]["A2"].number_format, wb["Chronology"]["C3"].value
    (['Family', 'Chronology'], 3, 'dd/mm/yyyy', 'Referral (child in need)')
    """
    parent_id = str(parent_id)
    chron = family_chronology(cohort, parent_id, members, include_detail=include_detail)
    wb = Workbook()
    family = wb.active
    family.title = "Family"
    _family_sheet(family, cohort, parent_id, members, chron)
    _chronology_sheet(wb.create_sheet("Chronology"), practitioner_chronology(chron), cohort)
    if timeline:
        _timeline_sheet(wb.create_sheet("Timeline"), timeline_png(cohort, chron, parent_id), cohort, parent_id)
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


def write_chronology_figure(
    cohort: Cohort, parent_id: str, members: pd.DataFrame, path_without_suffix: str | Path
) -> list[Path]:
    """Write the lane figure of ``parent_id``'s chronology as PNG and SVG
    (``path_without_suffix`` + ``.png`` / ``.svg``, fixed metadata: same data, same bytes).

    Examples
    --------
    >>> import tempfile
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A"], "dob": ["1980-01-01", "2005-03-01"]})
    >>> links = pd.DataFrame({"parent_id": ["M"], "child_id": ["A"], "relationship": ["mother_of"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in write_chronology_figure(c, "M", members(c, ["M"]), Path(d) / "M")]
    ['M.png', 'M.svg']
    """
    from .plots.style import save_figure

    parent_id = str(parent_id)
    chron = family_chronology(cohort, parent_id, members)
    return _with_family_figure(cohort, chron, parent_id, lambda fig: save_figure(fig, path_without_suffix))


def write_table_workbook(
    table: pd.DataFrame,
    path: str | Path,
    *,
    cohort: Cohort,
    sheet: str,
    title: str,
    notes: tuple[str, ...] = (),
    freeze_columns: int = 1,
) -> Path:
    """Write one table as a workbook with the care of the chronologies; return the path.

    One sheet named ``sheet``: the synthetic-data label (when ``cohort.synthetic``), ``title``
    and ``notes`` as lines above the table; plain headers (:func:`column_label`), wrapped;
    dates as ``dd/mm/yyyy``; an autofilter; panes frozen below the header and right of the
    first ``freeze_columns`` columns; landscape A4 fit to one page wide with the header
    repeated on every page. Text is written as string cells, never as formulas; same input,
    same bytes (times are the audit date).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A"], "dob": ["2005-03-01"]}),
    ...                        audit_date="2018-07-31")
    >>> t = pd.DataFrame({"child_id": ["A"], "moved_away": ["No"]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     ws = openpyxl.load_workbook(write_table_workbook(t, Path(d) / "t.xlsx", cohort=c, sheet="List",
    ...                                                      title="A list"))["List"]
    ...     ws.freeze_panes, [x.value for x in ws[2]]
    ('B3', ['Child', 'Moved away'])
    """
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    lines = ([cohort.label()] if cohort.synthetic else []) + [title] + list(notes)
    for i, text in enumerate(lines, start=1):
        cell = _put(ws, i, 1, text)
        cell.font = _LABEL_FONT if (cohort.synthetic and i == 1) else (_BOLD if text == title else Font(italic=True))
    header = len(lines) + 1
    _write_table(ws, table, header)
    ws.row_dimensions[header].height = 45
    ws.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{header + 1}"
    if table.shape[1]:
        ws.auto_filter.ref = f"A{header}:{get_column_letter(table.shape[1])}{header + len(table)}"
    _print_setup(ws, header_rows=f"{header}:{header}", label=cohort.label() if cohort.synthetic else None)
    _fit_widths(ws, skip_rows=tuple(range(1, header)), header_row=header)
    return write_bytes_atomic(path, _deterministic_bytes(wb, _fixed_time(cohort)))


def write_look_now_workbook(cohort: Cohort, look_now: pd.DataFrame, path: str | Path) -> Path:
    """Write the look-now list (:func:`neglect_analysis.actions.look_now_list`) as a workbook
    for a team, with the care of the chronologies (:func:`write_table_workbook`): plain
    headers, the sibling's escalation and the backtested rule in words, "Yes"/"No" for moved
    away, dates as dates, rows in the list's order (the ranked list of
    :func:`neglect_analysis.backtest.rank_look_now`: highest PPV, then the most recent signal).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["B"], "dob": ["2010-06-15"]}),
    ...                        audit_date="2018-07-31", synthetic=False)
    >>> ln = pd.DataFrame({"child_id": ["B"], "signal_event_type": ["cp_plan"], "moved_away": [0]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     ws = openpyxl.load_workbook(write_look_now_workbook(c, ln, Path(d) / "l.xlsx"))["Look now"]
    ...     [x.value for x in ws[3]], [x.value for x in ws[4]]
    (['Child', "Sibling's escalation", 'Moved away'], ['B', 'Child protection plan', 'No'])
    """
    t = look_now.copy()
    if "signal_event_type" in t:
        t["signal_event_type"] = event_type_list_words(t["signal_event_type"])
    if "moved_away" in t:
        t["moved_away"] = yes_no(t["moved_away"])
    if "rule" in t:
        from .backtest import RULE_WORDS

        t["rule"] = t["rule"].astype("string").map(lambda r: RULE_WORDS.get(r, r), na_action="ignore").astype("string")
    order = ("Highest backtested PPV of the rule that flags the child first, then the most recent signal. "
             if "ppv" in t else "Most recent signal first. ")
    return write_table_workbook(
        t, path, cohort=cohort, sheet="Look now",
        title="Children to look at now: an older sibling escalated, this child has not (yet)",
        notes=(order + "Open to services now: on the audit date. "
               "Moved away: a CIN case closed as transferred (RC5) or early help ended as moved, "
               "with nothing here since.",),
    )
