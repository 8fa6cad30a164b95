"""Completed case-file audit forms back into the ``case_review`` table.

:func:`import_forms` reads the forms of :mod:`neglect_analysis.auditforms` from one or more
folders and returns the auditors' answers in the ``case_review`` layout (DESIGN.md "extension
tables"): ``person_id``, ``item_id``, ``question``, ``answer``, ``reviewer``, ``review_date``,
then the auditor's ``note`` and the index parent's form it came from (``parent_id``).

Every problem is listed with file, sheet and cell, and nothing is dropped silently:

- a file that is not an audit form of this package, or cannot be read;
- a form of another extract (its extract checksum differs from the reference: the extract
  given, else the one most forms carry), or whose question rows were changed (its family
  checksum does not match its rows): none of its answers are used;
- a missing reviewer or review date, or a date that is not a date: none of the form's
  answers are used until it is filled in;
- an answer that is not one of :data:`~neglect_analysis.auditforms.ANSWERS` (letter case and
  surrounding spaces are forgiven), and an unanswered question: that row is not used;
- duplicates: the same family reviewed twice by the same reviewer (the later form in file
  order is not used), or the same child and question answered in two families' forms (a child
  with two index parents; the later answer is not used).

A family reviewed by two reviewers is a second review: the first review (earliest review date,
then reviewer, then file) goes into ``case_review``, each other review is compared with it
(one pair of ratings per child and question answered in both), and
:func:`neglect_analysis.agreement.cohen_kappa` gives the agreement per question.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd
from openpyxl import load_workbook

# Package imports in one place (names the lead may move at merge).
from .agreement import cohen_kappa
from .auditforms import (
    ANSWER_COLUMN,
    ANSWERS,
    AUDIT_SHEET,
    CHECK_SHEET,
    FIRST_ROW,
    FORM_MARK,
    REVIEW_DATE_CELL,
    REVIEWER_CELL,
    family_checksum,
)

#: Columns of the imported ``case_review`` table: the DESIGN.md layout, then the note and the
#: index parent whose form held the answer.
CASE_REVIEW_COLUMNS: tuple[str, ...] = (
    "person_id", "item_id", "question", "answer", "reviewer", "review_date", "note", "parent_id",
)
#: Columns of the problems table.
PROBLEM_COLUMNS: tuple[str, ...] = ("file", "sheet", "cell", "problem", "value")

_ANSWER_OF = {a.casefold(): a for a in ANSWERS}


@dataclass
class AuditImport:
    """What :func:`import_forms` read.

    Attributes
    ----------
    case_review
        :data:`CASE_REVIEW_COLUMNS`, the first review of each family, sorted by person,
        question and parent.
    second_reviews
        The same columns for the other reviewers' answers to families already reviewed.
    agreement
        :func:`neglect_analysis.agreement.cohen_kappa` of first against second reviews (empty
        without second reviews).
    problems
        :data:`PROBLEM_COLUMNS`, in file order.
    n_forms
        Forms read (every ``.xlsx`` file found).
    """

    case_review: pd.DataFrame
    second_reviews: pd.DataFrame
    agreement: pd.DataFrame
    problems: pd.DataFrame
    n_forms: int

    @property
    def has_problems(self) -> bool:
        return not self.problems.empty

    def format_problems(self, max_lines: int | None = None) -> str:
        """One line per problem: ``file sheet!cell: problem (value)``."""
        lines = []
        for r in self.problems.itertuples(index=False):
            where = f"{r.file}" + (f" {r.sheet}!{r.cell}" if r.sheet else "")
            lines.append(f"{where}: {r.problem}" + (f" ({r.value!r})" if r.value else ""))
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines] + [f"... and {len(lines) - max_lines} more"]
        return "\n".join(lines)


def find_forms(locations: Iterable[str | Path]) -> list[Path]:
    """The ``.xlsx`` files in ``locations`` (folders, searched recursively, or files), sorted
    within each location; Excel's lock files (``~$...``) are left out.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     for name in ("b.xlsx", "a.xlsx", "~$a.xlsx", "notes.txt"):
    ...         _ = (Path(d) / name).write_text("")
    ...     [p.name for p in find_forms([d])]
    ['a.xlsx', 'b.xlsx']
    """
    out: list[Path] = []
    for loc in locations:
        loc = Path(loc)
        if loc.is_file():
            out.append(loc)
        elif loc.is_dir():
            out += sorted(p for p in loc.rglob("*.xlsx") if not p.name.startswith("~$"))
        else:
            raise FileNotFoundError(f"{loc} does not exist: give the folders holding the completed audit forms")
    return out


def _text(v: object) -> str:
    return "" if v is None else str(v).strip()


def parse_review_date(v: object) -> dt.date | None:
    """A review date from a cell: an Excel date, or text ``2018-05-21`` / ``21/05/2018``; None
    if it is none of these.

    Examples
    --------
    >>> parse_review_date(dt.datetime(2018, 5, 21)), parse_review_date("21/05/2018"), parse_review_date("soon")
    (datetime.date(2018, 5, 21), datetime.date(2018, 5, 21), None)
    """
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = _text(v)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@dataclass
class _Form:
    file: str
    parent_id: str
    extract: str
    reviewer: str
    review_date: dt.date | None
    rows: pd.DataFrame  # cell, person_id, item_id, question, answer (raw), note
    usable: bool  # of this extract, rows unchanged
    complete: bool  # reviewer and review date filled in


def _read_form(path: Path, name: str, problems: list[tuple]) -> _Form | None:
    def problem(sheet, cell, text, value=""):
        problems.append((name, sheet, cell, text, "" if value is None else str(value)))

    try:
        wb = load_workbook(path, read_only=False, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged or foreign file
        problem("", "", f"cannot be read as an Excel workbook ({type(e).__name__}); not imported")
        return None
    if CHECK_SHEET not in wb.sheetnames or AUDIT_SHEET not in wb.sheetnames \
            or wb[CHECK_SHEET]["B1"].value != FORM_MARK:
        problem("", "", "not an audit form of neglect-analysis (no Checksum sheet); not imported")
        return None
    info = {_text(r[0]): _text(r[1]) for r in wb[CHECK_SHEET].iter_rows(min_row=1, max_col=2, values_only=True)}
    ws = wb[AUDIT_SHEET]
    try:
        n = int(info.get("n_rows", ""))
    except ValueError:
        problem(CHECK_SHEET, "B6", "the form's checksum sheet was changed; not imported", info.get("n_rows"))
        return None
    last = FIRST_ROW + n - 1
    cells = list(ws.iter_rows(min_row=FIRST_ROW, max_row=max(last, FIRST_ROW - 1), max_col=7, values_only=True))
    rows = pd.DataFrame(
        [[f"{ANSWER_COLUMN}{FIRST_ROW + i}", _text(r[0]), _text(r[3]), _text(r[4]), _text(r[5]), _text(r[6])]
         for i, r in enumerate(cells)],
        columns=["cell", "person_id", "item_id", "question", "answer", "note"],
    )
    parent = info.get("parent_id", "")
    extract = info.get("extract_checksum", "")
    usable = True
    if family_checksum(extract, parent, rows["person_id"], rows["item_id"]) != info.get("family_checksum"):
        problem(AUDIT_SHEET, f"A{FIRST_ROW}:E{max(last, FIRST_ROW)}",
                "the form's children or questions do not match its checksum (rows changed or copied "
                "from another form); not imported")
        usable = False
    complete = True
    reviewer = _text(ws[REVIEWER_CELL].value)
    if not reviewer:
        problem(AUDIT_SHEET, REVIEWER_CELL, "no reviewer: fill in the reviewer's name; form not imported")
        complete = False
    raw_date = ws[REVIEW_DATE_CELL].value
    review_date = parse_review_date(raw_date)
    if raw_date is None or _text(raw_date) == "":
        problem(AUDIT_SHEET, REVIEW_DATE_CELL, "no review date: fill in the date of the review; form not imported")
        complete = False
    elif review_date is None:
        problem(AUDIT_SHEET, REVIEW_DATE_CELL, "review date is not a date (use dd/mm/yyyy); form not imported",
                raw_date)
        complete = False
    return _Form(name, parent, extract, reviewer, review_date, rows, usable, complete)


def import_forms(locations: Iterable[str | Path], *, extract: str | None = None) -> AuditImport:
    """Read completed audit forms into ``case_review`` (see the module docstring).

    Parameters
    ----------
    locations
        Folders of forms (searched recursively for ``.xlsx``) or form files.
    extract
        The checksum of the extract the forms must come from
        (:func:`neglect_analysis.auditforms.extract_checksum`); default: the one most forms
        carry (ties: the first form's).

    Returns
    -------
    AuditImport

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "x.xlsx").write_text("not a workbook")
    ...     res = import_forms([d])
    >>> res.case_review.shape[0], res.problems["problem"].tolist()
    (0, ['cannot be read as an Excel workbook (BadZipFile); not imported'])
    """
    paths = find_forms([Path(p) for p in locations])
    problems: list[tuple] = []
    forms: list[_Form] = []
    for p in paths:
        f = _read_form(p, p.as_posix(), problems)
        if f is not None:
            forms.append(f)

    # forms of another extract
    if forms and extract is None:
        counts = pd.Series([f.extract for f in forms]).value_counts(sort=False)
        extract = counts.index[counts.to_numpy().argmax()]  # first most common, in file order
    for f in forms:
        if f.extract != extract:
            problems.append((f.file, CHECK_SHEET, "B4",
                             f"form from another extract (extract checksum {f.extract}, expected {extract}); "
                             "not imported", ""))
            f.usable = False
    checked = [f for f in forms if f.usable]

    # answers, one table; unknown and unanswered rows reported (also on forms not complete)
    parts = [f.rows.assign(file=f.file, parent_id=f.parent_id, reviewer=f.reviewer,
                           review_date=f.review_date.isoformat() if f.review_date else "", form=i)
             for i, f in enumerate(checked)]
    cols = ["cell", "person_id", "item_id", "question", "answer", "note", "file", "parent_id", "reviewer",
            "review_date", "form"]
    answers = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    answers["answer"] = answers["answer"].astype("string")
    canon = answers["answer"].str.casefold().map(_ANSWER_OF)
    blank = answers["answer"].fillna("") == ""
    unknown = ~blank & canon.isna()
    for r in answers[blank | unknown].itertuples(index=False):
        text = ("unanswered question " + r.item_id + f" for child {r.person_id}" if r.answer == "" else
                "unknown answer: choose " + ", ".join(ANSWERS[:-1]) + " or " + ANSWERS[-1])
        problems.append((r.file, AUDIT_SHEET, r.cell, text + "; row not imported", r.answer))
    answers = answers[~blank & ~unknown].assign(answer=canon[~blank & ~unknown])
    complete = [i for i, f in enumerate(checked) if f.complete]  # reviewer and date filled in
    answers = answers[answers["form"].isin(complete)]

    # reviews: a family reviewed twice by one reviewer, then first and second reviewers
    reviews = pd.DataFrame([(i, f.parent_id, f.reviewer.casefold(), f.review_date, f.file)
                            for i, f in enumerate(checked)],
                           columns=["form", "parent_id", "who", "review_date", "file"])
    reviews = reviews[reviews["form"].isin(complete)]
    reviews = reviews.sort_values(["parent_id", "review_date", "who", "form"], kind="stable")
    twice = reviews.duplicated(["parent_id", "who"], keep="first")
    for r in reviews[twice].itertuples(index=False):
        earlier = reviews[(reviews["parent_id"] == r.parent_id) & (reviews["who"] == r.who) & ~twice]
        problems.append((r.file, AUDIT_SHEET, REVIEWER_CELL,
                         f"duplicate: family {r.parent_id} already reviewed by this reviewer in "
                         f"{earlier['file'].iloc[0]}; not imported", checked[r.form].reviewer))
    kept = reviews[~twice]
    primary_forms = set(kept.groupby("parent_id", sort=False)["form"].first())
    second_forms = set(kept["form"]) - primary_forms

    first = answers[answers["form"].isin(primary_forms)].sort_values(["form", "cell"], kind="stable")
    first = first.iloc[_row_order(first)]
    dup = first.duplicated(["person_id", "item_id"], keep="first")
    if dup.any():
        kept = first[~dup].set_index(["person_id", "item_id"])[["file", "cell"]]
        for r in first[dup].itertuples(index=False):
            k = kept.loc[(r.person_id, r.item_id)]
            problems.append((r.file, AUDIT_SHEET, r.cell,
                             f"duplicate: child {r.person_id} question {r.item_id} already answered in "
                             f"{k['file']} {AUDIT_SHEET}!{k['cell']}; not imported", r.answer))
    first = first[~dup]
    second = answers[answers["form"].isin(second_forms)]
    second = second.iloc[_row_order(second)]

    pairs = first.merge(second, on=["parent_id", "person_id", "item_id"], suffixes=("_a", "_b"))
    pairs = pairs.rename(columns={"question_a": "question"})
    agreement = cohen_kappa(pairs) if len(pairs) else pd.DataFrame(
        columns=["item_id", "question", "n_pairs", "n_agree", "n_disagree", "observed_agreement",
                 "expected_agreement", "kappa"])
    order = {p.as_posix(): i for i, p in enumerate(paths)}
    prob = pd.DataFrame(problems, columns=list(PROBLEM_COLUMNS))
    prob = prob.iloc[pd.Series(prob["file"].map(order)).sort_values(kind="stable").index]
    return AuditImport(
        case_review=_case_review(first),
        second_reviews=_case_review(second),
        agreement=agreement.reset_index(drop=True),
        problems=prob.reset_index(drop=True),
        n_forms=len(paths),
    )


def _row_order(df: pd.DataFrame) -> list[int]:
    """Positions of ``df`` in form order, then by the cell's row number."""
    rownum = df["cell"].str.slice(1).astype("int64")
    return list(pd.DataFrame({"f": df["form"].to_numpy(), "r": rownum.to_numpy()})
                .sort_values(["f", "r"], kind="stable").index)


def _case_review(df: pd.DataFrame) -> pd.DataFrame:
    out = df[list(CASE_REVIEW_COLUMNS)].astype("string")
    return out.sort_values(["person_id", "item_id", "parent_id", "reviewer"], kind="stable").reset_index(drop=True)
