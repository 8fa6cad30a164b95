"""Case-file audit forms: one Excel form per index parent, pre-filled from the extract.

The audit behind the briefing read the case files of each family and answered questions per
child (the ``case_review`` table). :func:`write_audit_forms` gives auditors a form to record
those answers in, one workbook per index parent:

``Family`` (protected: pre-filled, read only)
    the synthetic-data label when the data are synthetic; index parent, source, audit and ICS
    start dates; the children eldest first with ages and the analysis' counts and flags
    (:func:`audit_children`); the chronology highlights (:func:`chronology_highlights`: first
    involvement, S47s, conferences, plans, care, proceedings, other-authority records,
    pre-ICS childhoods); the signals the analysis found (:func:`family_signals`).
``Audit`` (protected except the cells to fill in)
    reviewer (``B4``) and review date (``B5``); one row per child and question of
    :data:`AUDIT_QUESTIONS` with a drop-down answer (:data:`ANSWERS`) and a free-text note
    beside it.
``Checksum`` (very hidden)
    the form version, index parent, a checksum of the extract (:func:`extract_checksum`) and
    one of the family's rows (:func:`family_checksum`), so that
    :func:`neglect_analysis.auditimport.import_forms` can tell forms of another extract and
    changed forms apart.

Text from the extract is always written as text, never as a formula. The same input gives the
same bytes (times are the audit date).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
from pathlib import Path
from typing import Iterable

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.workbook.protection import WorkbookProtection
from tqdm import tqdm

# Package imports in one place (names the lead may move at merge).
from .chronology import age_text, family_chronology
from .codes import EVENT_TYPES
from .cohort import Cohort
from .labels import event_type_words
from .workbook import BOLD_FONT, DATE_FORMAT, LABEL_FONT, cell_value, fit_column_widths, workbook_bytes

#: The audit's questions, one row each: ``item_id``, ``question`` (the texts of the sample's
#: ``case_review`` where they overlap: the report's findings match questions by text, e.g.
#: "older sibling").
AUDIT_QUESTIONS: pd.DataFrame = pd.DataFrame(
    {
        "item_id": ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"],
        "question": [
            "Assessment refers to older siblings' history",
            "Chronology complete",
            "Paper file requested",
            "Assessment analyses effectiveness of previous interventions",
            "Other authority's history sought",
            "IRO challenge recorded",
            "Disguised compliance noted",
        ],
    }
)
#: The answers of the drop-down, in its order.
ANSWERS: tuple[str, ...] = ("Yes", "No", "Partly", "Not applicable")
#: Version of the form layout, in the Checksum sheet.
FORM_VERSION = "1"
#: What the Checksum sheet's ``form`` cell says.
FORM_MARK = "neglect-analysis case-file audit form"

FAMILY_SHEET, AUDIT_SHEET, CHECK_SHEET = "Family", "Audit", "Checksum"
#: Cells the reviewer fills in on the Audit sheet.
REVIEWER_CELL, REVIEW_DATE_CELL = "B4", "B5"
#: Header row and first question row of the Audit sheet.
HEADER_ROW, FIRST_ROW = 8, 9
#: Columns of the Audit sheet's question table (A, B, ...): pre-filled, then answer and note.
AUDIT_COLUMNS: tuple[str, ...] = ("child_id", "birth_order", "age_at_audit", "item_id", "question", "answer", "note")
ANSWER_COLUMN, NOTE_COLUMN = "F", "G"

#: Event types shown as chronology highlights; each is named in the words of the one label
#: map (:data:`neglect_analysis.labels.EVENT_TYPE_LABELS`).
HIGHLIGHT_TYPES: tuple[str, ...] = ("s47", "icpc", "cp_plan", "cla", "pre_proceedings", "care_proceedings")
#: Columns of :func:`chronology_highlights`.
HIGHLIGHT_COLUMNS: tuple[str, ...] = (
    "date", "end_date", "child_id", "birth_order", "age_text", "highlight", "event_type",
    "category", "source", "other_la", "before_ics",
)
#: Columns of :func:`family_signals`.
SIGNAL_COLUMNS: tuple[str, ...] = ("child_id", "birth_order", "signal", "date", "detail")

_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_UNLOCKED = Protection(locked=False)


# ------------------------------------------------------------------------ tables of a form
def _family_of(tables):
    """The within-family tables (``FamilyTables``) of an ``AnalystTables`` or themselves."""
    return getattr(tables, "family", tables)


def _rows_of(df: pd.DataFrame, col: str, ids: Iterable[str]) -> pd.DataFrame:
    return df[df[col].astype("string").isin(pd.Index(list(ids), dtype="string"))]


def audit_children(cohort: Cohort, parent_id: str, family) -> pd.DataFrame:
    """The children of one index parent, eldest first, with the analysis' counts and flags.

    Parameters
    ----------
    cohort
        The cohort (for the audit date).
    parent_id
        The index parent.
    family
        The within-family tables of :func:`neglect_analysis.pipeline.build_tables` (its
        ``family``, or the ``AnalystTables`` itself): ``children`` and ``look_now`` are read.

    Returns
    -------
    DataFrame
        One row per child: ``child_id``, ``birth_order``, ``dob``, ``age_at_audit`` (text, see
        :func:`neglect_analysis.chronology.age_text`), ``first_involvement_date``,
        ``n_contacts``, ``n_referrals``, ``n_s47``, ``n_cp_plans``, ``escalation_type``,
        ``escalation_date``, ``other_la``, ``pre_ics_childhood``, ``family_signal_date``,
        ``lead_time_days``, ``look_now`` (1 for a child of :func:`escalation.look_now
        <neglect_analysis.escalation.look_now>`).

    Examples
    --------
    >>> from neglect_analysis.pipeline import build_tables, AnalysisParams
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1980-01-01", "2005-03-01", "2012-06-15"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    >>> t = build_tables(c, AnalysisParams(index_parents=["M"]))
    >>> audit_children(c, "M", t)[["child_id", "birth_order", "age_at_audit"]].values.tolist()
    [['A', 1, '13y 4m'], ['B', 2, '6y 1m']]
    """
    family = _family_of(family)
    kids = family.children[family.children["parent_id"].astype("string") == str(parent_id)]
    kids = kids.sort_values(["birth_order", "child_id"], kind="stable").reset_index(drop=True)
    ids = kids["child_id"].astype("string")
    look = family.look_now["child_id"].astype("string")
    audit = pd.Series(cohort.audit_date, index=kids.index)
    return pd.DataFrame(
        {
            "child_id": ids,
            "birth_order": kids["birth_order"],
            "dob": kids["dob"],
            "age_at_audit": pd.Series(age_text(kids["dob"], audit).array, index=kids.index),
            "first_involvement_date": kids["first_involvement_date"],
            "n_contacts": kids["n_contacts"],
            "n_referrals": kids["n_referrals"],
            "n_s47": kids["n_s47"],
            "n_cp_plans": kids["n_cp_plans"],
            "escalation_type": kids["escalation_type"].astype("string"),
            "escalation_date": kids["escalation_date"],
            "other_la": kids["other_la"],
            "pre_ics_childhood": kids["pre_ics_childhood"],
            "family_signal_date": kids["family_signal_date"],
            "lead_time_days": kids["lead_time_days"],
            "look_now": ids.isin(look).astype("int64"),
        }
    )


def chronology_highlights(cohort: Cohort, parent_id: str, members: pd.DataFrame) -> pd.DataFrame:
    """The rows of a family's chronology an auditor reads first, in date order.

    From :func:`neglect_analysis.chronology.family_chronology`: each child's first involvement
    (its earliest dated event), every event of :data:`HIGHLIGHT_TYPES` (S47 enquiries,
    conferences, CP plans, care, pre-proceedings, care proceedings), every event recorded by
    another authority, and the birth of each child born before ``cohort.ics_start_date``
    (pre-ICS childhood: its early history is on paper). ``highlight`` names why a row is there
    (``;``-joined when several apply); an event type in the words of
    :data:`neglect_analysis.labels.EVENT_TYPE_LABELS`.

    Returns
    -------
    DataFrame
        :data:`HIGHLIGHT_COLUMNS`.

    Examples
    --------
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A"], "dob": ["1980-01-01", "2005-03-01"]})
    >>> links = pd.DataFrame({"parent_id": ["M"], "child_id": ["A"], "relationship": ["mother_of"]})
    >>> events = pd.DataFrame({"person_id": "A", "event_type": ["referral", "s47", "contact"],
    ...                        "start_date": ["2010-01-10", "2010-02-01", "2011-05-05"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    >>> chronology_highlights(c, "M", members(c, ["M"]))[["child_id", "event_type", "highlight"]].values.tolist()
    [['A', 'birth', 'pre-ICS childhood: born before the electronic record'], ['A', 'referral', 'first involvement'], ['A', 's47', 'Section 47 enquiry']]
    """
    chron = family_chronology(cohort, str(parent_id), members)
    etype = chron["event_type"].astype("string")
    is_event = etype.isin(list(EVENT_TYPES)).fillna(False) & chron["child_id"].notna()
    dated = is_event & chron["date"].notna()
    first = dated & ~chron["child_id"].where(dated).duplicated(keep="first")  # rows are in date order
    born_before = (etype == "birth").fillna(False) & (chron["date"] < cohort.ics_start_date).fillna(False)
    reasons = [
        (born_before, "pre-ICS childhood: born before the electronic record"),
        (first, "first involvement"),
    ]
    reasons += [((etype == t).fillna(False) & is_event, words)
                for t, words in zip(HIGHLIGHT_TYPES, event_type_words(pd.Series(HIGHLIGHT_TYPES)))]
    reasons.append((chron["other_la"].astype(bool) & is_event, "other authority's record"))
    text = pd.Series("", index=chron.index, dtype="string")
    for mask, label in reasons:  # a handful of kinds, each vectorised over the rows
        joined = text.where(text == "", text + "; ") + label
        text = text.where(~mask, joined)
    keep = text != ""
    out = chron.loc[keep].assign(highlight=text[keep])
    return out[list(HIGHLIGHT_COLUMNS)].reset_index(drop=True)


def family_signals(cohort: Cohort, parent_id: str, family) -> pd.DataFrame:
    """What the analysis found in one family, one row per signal and child.

    Signals (from the report's tables, :func:`neglect_analysis.pipeline.build_tables`): the family
    signal day (an older sibling had escalated: DESIGN.md "Earlier identification"; with the
    lead time where there is one); look now (a family signal, no escalation yet); the child's escalation;
    re-referrals within 12 months; S47 enquiries not progressing to a conference; repeat CP
    plans; a contact series; early help not engaged; CP plans whose change was not sustained;
    a paper file to request; another authority's history to request; IRO challenges logged
    for the child (``cohort.iro_challenges``); recurrent themes across the group (a family row,
    no child).

    Returns
    -------
    DataFrame
        :data:`SIGNAL_COLUMNS`: ``child_id`` (empty for a family row), ``birth_order``,
        ``signal``, ``date`` (empty where the signal has none), ``detail``; in birth order
        (family rows last), then in the order of the list above, then date.

    Examples
    --------
    >>> from neglect_analysis.pipeline import build_tables, AnalysisParams
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1980-01-01", "2005-03-01", "2010-06-15"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> events = pd.DataFrame({"person_id": ["A", "B"], "event_type": ["cp_plan", "referral"],
    ...                        "start_date": ["2012-01-10", "2013-03-01"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    >>> t = build_tables(c, AnalysisParams(index_parents=["M"]))
    >>> family_signals(c, "M", t)[["child_id", "signal"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['A', 'escalated: Child protection plan'], ['A', 'paper file to request'],
     ['B', 'family signal day: an older sibling had escalated'], ['B', 'look now: family signal, no escalation yet']]
    """
    family = _family_of(family)
    pid = str(parent_id)
    kids = family.children[family.children["parent_id"].astype("string") == pid]
    order = dict(zip(kids["child_id"].astype(str), kids["birth_order"]))
    ids = kids["child_id"].astype("string")
    parts: list[pd.DataFrame] = []

    def add(rows: pd.DataFrame, child, signal: str, date, detail) -> None:
        if len(rows):
            parts.append(pd.DataFrame({
                "child_id": pd.Series(child, index=rows.index, dtype="string"),
                "signal": signal,
                "date": pd.Series(date, index=rows.index).astype("datetime64[ns]"),
                "detail": pd.Series(detail, index=rows.index, dtype="string"),
                "rank": len(parts),
            }))

    sig = kids[kids["family_signal_date"].notna()]
    lead = sig["lead_time_days"].astype("string")
    add(sig, sig["child_id"], "family signal day: an older sibling had escalated", sig["family_signal_date"],
        ("lead time " + lead + " days").fillna(""))
    look = _rows_of(family.look_now, "child_id", ids)
    add(look, look["child_id"], "look now: family signal, no escalation yet", look["family_signal_date"],
        look["days_since_signal"].astype("string") + " days since the signal")
    esc = kids[kids["escalated"] == 1]
    add(esc, esc["child_id"], "escalated: " + event_type_words(esc["escalation_type"]), esc["escalation_date"], "")
    for col, label in (("n_rereferrals_12m", "re-referral within 12 months"),
                       ("n_s47_no_icpc", "S47 not progressing to a conference"),
                       ("n_repeat_cp_plans", "repeat CP plan")):
        rows = kids[kids[col] > 0]
        add(rows, rows["child_id"], label, pd.NaT, rows[col].astype("string"))
    for col, label in (("contact_series", "contact series: 3 contacts within 12 months, no referral"),
                       ("eh_not_engaged", "early help not engaged")):
        rows = kids[kids[col] == 1]
        add(rows, rows["child_id"], label, pd.NaT, "")
    pns = _rows_of(family.plans_not_sustained, "child_id", ids)
    pns = pns[pns["not_sustained"].astype(bool)]
    add(pns, pns["child_id"], "CP plan: change not sustained", pns["end_date"],
        "plan " + pns["event_id"].astype("string") + " ended")
    paper = family.paper_file_requests[family.paper_file_requests["parent_id"].astype("string") == pid]
    add(paper, paper["child_id"], "paper file to request", pd.NaT,
        "born " + paper["years_before_ics"].round(1).astype("string") + " years before the electronic record")
    bg = family.background_requests[family.background_requests["parent_id"].astype("string") == pid]
    add(bg, bg["child_id"], "other authority's history to request", bg["first_other_la_date"],
        bg["evidence"].astype("string"))
    iro = _rows_of(cohort.iro_challenges, "person_id", ids)
    add(iro, iro["person_id"], "IRO challenge", iro["challenge_date"], iro["theme"].astype("string"))
    rec = family.group_recurrence[family.group_recurrence["parent_id"].astype("string") == pid]
    rec = rec[rec["recurrent_themes"].fillna("").astype(str) != ""]
    add(rec, pd.NA, "recurrent themes across the other birth parents", pd.NaT, rec["recurrent_themes"].astype("string"))

    if not parts:
        return pd.DataFrame({"child_id": pd.Series(dtype="string"), "birth_order": pd.Series(dtype="Int64"),
                             "signal": pd.Series(dtype="string"), "date": pd.Series(dtype="datetime64[ns]"),
                             "detail": pd.Series(dtype="string")})
    out = pd.concat(parts, ignore_index=True)
    out["signal"] = out["signal"].astype("string")
    out["birth_order"] = out["child_id"].map(order).astype("Int64")
    out = out.sort_values(["birth_order", "child_id", "rank", "date"], na_position="last", kind="stable")
    return out[list(SIGNAL_COLUMNS)].reset_index(drop=True)


def audit_rows(children: pd.DataFrame, questions: pd.DataFrame = AUDIT_QUESTIONS) -> pd.DataFrame:
    """One row per child and question, children in the order given: the Audit sheet's rows.

    Examples
    --------
    >>> kids = pd.DataFrame({"child_id": ["A", "B"], "birth_order": [1, 2], "age_at_audit": ["9y 0m", "5y 2m"]})
    >>> audit_rows(kids, AUDIT_QUESTIONS.head(2))[["child_id", "item_id"]].values.tolist()
    [['A', 'Q1'], ['A', 'Q2'], ['B', 'Q1'], ['B', 'Q2']]
    """
    kids = children[["child_id", "birth_order", "age_at_audit"]].reset_index(drop=True)
    rows = kids.merge(questions[["item_id", "question"]], how="cross")
    return rows[["child_id", "birth_order", "age_at_audit", "item_id", "question"]]


# ------------------------------------------------------------------------------ checksums
def _digest(parts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def extract_checksum(cohort: Cohort) -> str:
    """A checksum of the extract's content: persons, parent-child links and events.

    Computed on the canonical tables (ids, dates, types, categories, sources), sorted, so the
    same extract gives the same checksum whatever its file format or row order; the audit date
    and options are not part of it. 16 hexadecimal digits (SHA-256).

    Examples
    --------
    >>> def cohort(ids, dobs, audit="2018-07-31"):
    ...     return Cohort.from_frames(persons=pd.DataFrame({"person_id": ids, "dob": dobs}), audit_date=audit)
    >>> a = cohort(["A", "B"], ["2001-01-01", None])
    >>> b = cohort(["B", "A"], [None, "2001-01-01"], audit="2019-01-01")
    >>> c = cohort(["A", "B"], ["2001-01-02", None])
    >>> extract_checksum(a) == extract_checksum(b), extract_checksum(a) == extract_checksum(c)
    (True, False)
    """
    spec = {
        "persons": ["person_id", "dob", "death_date"],
        "links": ["parent_id", "child_id", "relationship"],
        "events": ["event_id", "person_id", "event_type", "start_date", "end_date", "category", "source"],
    }
    parts = []
    for name, cols in spec.items():
        df = getattr(cohort, name)
        cols = [c for c in cols if c in df.columns]
        text = df[cols].astype("string").fillna("")
        text = text.sort_values(cols, kind="stable")
        parts.append(name)
        parts.append(text.to_csv(index=False, lineterminator="\n"))
    return _digest(parts)[:16]


def family_checksum(extract: str, parent_id: str, child_ids: Iterable[str], item_ids: Iterable[str]) -> str:
    """Checksum of one form: the extract's checksum, the index parent and the question rows.

    Examples
    --------
    >>> family_checksum("abc", "M", ["A", "A"], ["Q1", "Q2"]) == family_checksum("abc", "M", ["A", "A"], ["Q1", "Q2"])
    True
    >>> family_checksum("abc", "M", ["A"], ["Q1"]) == family_checksum("abd", "M", ["A"], ["Q1"])
    False
    """
    rows = [f"{c}\t{i}" for c, i in zip(child_ids, item_ids)]
    return _digest([extract, str(parent_id), *rows])[:16]


# ------------------------------------------------------------------------------ writing
def form_file_name(parent_id: str) -> str:
    """File name of a parent's form: ``audit_form_<id>.xlsx``; an id with characters unsafe in
    file names has them replaced by ``_`` and a short hash of the id added (no two ids clash).

    Examples
    --------
    >>> form_file_name("P000123"), form_file_name("=P/1")
    ('audit_form_P000123.xlsx', 'audit_form__P_1-abfe435a.xlsx')
    """
    pid = str(parent_id)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", pid)
    if safe != pid:
        safe += "-" + hashlib.sha256(pid.encode("utf-8")).hexdigest()[:8]
    return f"audit_form_{safe}.xlsx"


def write_cell(ws: Worksheet, row: int, column: int, value: object):
    """Write one cell: dates as dates shown ``dd/mm/yyyy``, text always as text (never a formula).

    Examples
    --------
    >>> ws = Workbook().active
    >>> write_cell(ws, 1, 1, "=HYPERLINK(1)").data_type, write_cell(ws, 1, 2, pd.Timestamp("2018-07-31")).number_format
    ('s', 'dd/mm/yyyy')
    """
    v = cell_value(value)
    cell = ws.cell(row=row, column=column)
    if isinstance(v, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", v)
        cell.data_type = "s"
    else:
        cell.value = v
        if isinstance(v, (dt.date, dt.datetime)):
            cell.number_format = DATE_FORMAT
    return cell


def _table(ws: Worksheet, df: pd.DataFrame, first_row: int, *, empty: str = "none") -> int:
    """Write ``df`` with a bold header at ``first_row``; return the row after it."""
    for j, col in enumerate(df.columns, start=1):
        write_cell(ws, first_row, j, str(col)).font = BOLD_FONT
    if df.empty:
        write_cell(ws, first_row + 1, 1, empty)
        return first_row + 2
    for i, row in enumerate(df.itertuples(index=False), start=first_row + 1):
        for j, v in enumerate(row, start=1):
            write_cell(ws, i, j, v)
    return first_row + 1 + len(df)


def _heading(ws: Worksheet, row: int, text: str, size: int = 12) -> int:
    write_cell(ws, row, 1, text).font = Font(bold=True, size=size)
    return row + 1


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # auditors may widen columns and rows
    ws.protection.formatRows = False


def _family_sheet(ws: Worksheet, cohort: Cohort, parent_id: str, children, highlights, signals) -> None:
    row = 1
    if cohort.synthetic:
        write_cell(ws, row, 1, cohort.label()).font = LABEL_FONT
        row += 1
    row = _heading(ws, row, f"Case-file audit: family of index parent {parent_id}", 13)
    for name, value in (("Index parent", parent_id), ("Source", cohort.label()),
                        ("Audit date", cohort.audit_date), ("ICS start date", cohort.ics_start_date)):
        write_cell(ws, row, 1, name).font = BOLD_FONT
        write_cell(ws, row, 2, value)
        row += 1
    row = _heading(ws, row + 1, "Children (eldest first)")
    row = _table(ws, children, row)
    row = _heading(ws, row + 1, "Chronology highlights")
    row = _table(ws, highlights, row)
    row = _heading(ws, row + 1, "Signals the analysis found")
    _table(ws, signals, row)
    fit_column_widths(ws)
    _protect(ws)


def _audit_sheet(ws: Worksheet, cohort: Cohort, parent_id: str, rows: pd.DataFrame) -> None:
    write_cell(ws, 1, 1, f"Case-file audit: family of index parent {parent_id}").font = Font(bold=True, size=13)
    write_cell(ws, 2, 1, cohort.label()).font = LABEL_FONT if cohort.synthetic else BOLD_FONT
    write_cell(ws, 4, 1, "Reviewer").font = BOLD_FONT
    write_cell(ws, 5, 1, "Review date").font = BOLD_FONT
    for ref in (REVIEWER_CELL, REVIEW_DATE_CELL):
        ws[ref].protection = _UNLOCKED
        ws[ref].fill = _INPUT_FILL
    ws[REVIEW_DATE_CELL].number_format = DATE_FORMAT
    write_cell(ws, 6, 1, "Answer each question from the case file: " + " / ".join(ANSWERS)
        + "; add a note where it helps. The shaded cells are the ones to fill in.")
    for j, col in enumerate(AUDIT_COLUMNS, start=1):
        write_cell(ws, HEADER_ROW, j, col).font = BOLD_FONT
    for i, r in enumerate(rows.itertuples(index=False), start=FIRST_ROW):
        for j, v in enumerate(r, start=1):
            write_cell(ws, i, j, v)
        for ref in (f"{ANSWER_COLUMN}{i}", f"{NOTE_COLUMN}{i}"):
            ws[ref].protection = _UNLOCKED
            ws[ref].fill = _INPUT_FILL
        ws[f"{NOTE_COLUMN}{i}"].alignment = Alignment(wrap_text=True, vertical="top")
    last = FIRST_ROW + len(rows) - 1
    answers = DataValidation(type="list", formula1='"' + ",".join(ANSWERS) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="Answer",
                             error="Choose " + ", ".join(ANSWERS[:-1]) + " or " + ANSWERS[-1] + ".")
    ws.add_data_validation(answers)
    if len(rows):
        answers.add(f"{ANSWER_COLUMN}{FIRST_ROW}:{ANSWER_COLUMN}{last}")
    date = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                          showErrorMessage=True, errorTitle="Review date", error="Enter a date.")
    ws.add_data_validation(date)
    date.add(REVIEW_DATE_CELL)
    ws.freeze_panes = f"A{FIRST_ROW}"
    fit_column_widths(ws)
    ws.column_dimensions["B"].width = max(ws.column_dimensions["B"].width or 0, 20)
    ws.column_dimensions[ANSWER_COLUMN].width = 16
    ws.column_dimensions[NOTE_COLUMN].width = 60
    _protect(ws)


def _check_sheet(ws: Worksheet, parent_id: str, extract: str, family: str, n_rows: int) -> None:
    for i, (k, v) in enumerate((("form", FORM_MARK), ("form_version", FORM_VERSION), ("parent_id", parent_id),
                                ("extract_checksum", extract), ("family_checksum", family),
                                ("n_rows", str(n_rows))), start=1):
        write_cell(ws, i, 1, k)
        write_cell(ws, i, 2, v)
    ws.sheet_state = "veryHidden"
    _protect(ws)


def write_audit_form(
    cohort: Cohort,
    parent_id: str,
    tables,
    path: str | Path,
    *,
    extract: str | None = None,
) -> Path:
    """Write the case-file audit form of ``parent_id`` to ``path`` (see the module docstring).

    Parameters
    ----------
    cohort
        The cohort the tables were computed from.
    parent_id
        An index parent of ``tables``.
    tables
        :func:`neglect_analysis.pipeline.build_tables` (or its ``family``).
    path
        The ``.xlsx`` file to write (parent folders are created; an existing file is replaced:
        :func:`write_audit_forms` decides what may be).
    extract
        :func:`extract_checksum` of ``cohort``, when already computed.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from neglect_analysis.pipeline import build_tables, AnalysisParams
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1980-01-01", "2005-03-01", "2012-06-15"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    >>> t = build_tables(c, AnalysisParams(index_parents=["M"]))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     wb = openpyxl.load_workbook(write_audit_form(c, "M", t, Path(d) / "M.xlsx"))
    ...     ws = wb["Audit"]
    ...     wb.sheetnames, wb["Checksum"].sheet_state, ws.max_row, ws["A9"].value, ws["D9"].value
    (['Family', 'Audit', 'Checksum'], 'veryHidden', 22, 'A', 'Q1')
    """
    pid = str(parent_id)
    family = _family_of(tables)
    if not (family.children["parent_id"].astype("string") == pid).any():
        raise ValueError(f"{pid} is not an index parent of these tables: no audit form can be written")
    extract = extract or extract_checksum(cohort)
    children = audit_children(cohort, pid, family)
    rows = audit_rows(children)
    wb = Workbook()
    fam = wb.active
    fam.title = FAMILY_SHEET
    _family_sheet(fam, cohort, pid, children, chronology_highlights(cohort, pid, family.members),
                  family_signals(cohort, pid, family))
    _audit_sheet(wb.create_sheet(AUDIT_SHEET), cohort, pid, rows)
    check = family_checksum(extract, pid, rows["child_id"].astype(str), rows["item_id"])
    _check_sheet(wb.create_sheet(CHECK_SHEET), pid, extract, check, len(rows))
    wb.active = 1  # open on the Audit sheet
    wb.security = WorkbookProtection(lockStructure=True)
    data = workbook_bytes(wb, cohort)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def form_state(path: str | Path) -> str:
    """What an existing file is: ``"blank form"`` (an audit form of this package with nothing
    filled in), ``"filled form"`` (reviewer, date, an answer or a note filled in) or
    ``"other"`` (anything else, e.g. a workbook of the user's).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "x.xlsx"
    ...     _ = p.write_text("not a workbook")
    ...     form_state(p)
    'other'
    """
    try:
        wb = load_workbook(path, read_only=False)
    except Exception:
        return "other"
    if CHECK_SHEET not in wb.sheetnames or AUDIT_SHEET not in wb.sheetnames:
        return "other"
    if wb[CHECK_SHEET]["B1"].value != FORM_MARK:
        return "other"
    ws = wb[AUDIT_SHEET]
    filled = [ws[REVIEWER_CELL].value, ws[REVIEW_DATE_CELL].value]
    for col in (ANSWER_COLUMN, NOTE_COLUMN):
        filled += [c.value for c in ws[col][FIRST_ROW - 1:]]
    return "filled form" if any(v not in (None, "") for v in filled) else "blank form"


def write_audit_forms(
    cohort: Cohort,
    tables,
    folder: str | Path,
    *,
    parents: Iterable[str] | None = None,
    force: bool = False,
    progress: bool = False,
) -> list[Path]:
    """Write one audit form per index parent into ``folder``; return the paths, in parent order.

    A file of that name that is not a blank form of this package (:func:`form_state`: a
    workbook of the user's, or a form someone has started to fill in) is never replaced unless
    ``force``: a ``FileExistsError`` names it and nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> from neglect_analysis.pipeline import build_tables, AnalysisParams
    >>> persons = pd.DataFrame({"person_id": ["M", "A"], "dob": ["1980-01-01", "2005-03-01"]})
    >>> links = pd.DataFrame({"parent_id": ["M"], "child_id": ["A"], "relationship": ["mother_of"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    >>> t = build_tables(c, AnalysisParams(index_parents=["M"]))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in write_audit_forms(c, t, d)]
    ['audit_form_M.xlsx']
    """
    family = _family_of(tables)
    folder = Path(folder)
    ids = [str(p) for p in (parents if parents is not None else family.sibling_groups["parent_id"])]
    paths = [folder / form_file_name(p) for p in ids]
    if not force:
        for p in paths:
            if p.exists():
                state = form_state(p)
                if state != "blank form":
                    what = "an audit form with answers" if state == "filled form" else "not an audit form of neglect-analysis"
                    raise FileExistsError(f"{p} exists and is {what}: not replaced. Use --force to replace it, "
                                          "or choose another --out.")
    extract = extract_checksum(cohort)
    it = tqdm(list(zip(ids, paths)), desc="audit forms", disable=not progress, file=sys.stderr)
    return [write_audit_form(cohort, pid, family, path, extract=extract) for pid, path in it]
