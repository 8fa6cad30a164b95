"""The validation report: every problem found on load, and the row accounting per table.

DESIGN.md "Validation and bad input": nothing is dropped silently. Each problem names the
table, file, row (as in the file: header = row 1), column and value, says what is wrong and what
the loader did (``advice`` says what to do; ``action``: ``dropped`` = the row was not used; ``used`` = the row was used, with
the consequence given in the message). ``severity`` says whether the auditor must act:
``error`` (the data are wrong: fix the extract), ``warning`` (suspicious, used with care) or
``note`` (expected oddities worth knowing, e.g. a parent absent from ``ssd_person``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow.compute as pac

from .arrowtext import arrow_text, repeat_text, text_series

#: Columns of :attr:`ValidationReport.problems` (``check`` is the short problem kind used to
#: group the readable report).
PROBLEM_COLUMNS: tuple[str, ...] = (
    "table", "file", "row", "column", "value", "problem", "severity", "action", "check", "advice",
)
#: Columns of :attr:`ValidationReport.counts`: ``rows_reported`` (not used, each in the problems)
#: is ``rows_merged`` (paper records that are an extract event, counted once as that event:
#: a note, nothing lost) plus ``rows_dropped`` (rows not used).
COUNT_COLUMNS: tuple[str, ...] = ("table", "file", "rows_read", "rows_used", "rows_reported",
                                  "rows_merged", "rows_dropped")

#: What the auditor should do, per kind of problem (printed once per group by ``format``).
ADVICE: dict[str, str] = {
    # each entry says what to do, for an analyst who does not program
    "missing_table": "Add the table to the extract folder, named as the table (e.g. ssd_person.csv).",
    "absent_table": "Nothing to do if the authority does not hold this table; otherwise add it.",
    "missing_column": "Add the column to the file (names are matched ignoring case; see "
                      "neglect_analysis.io.TABLE_COLUMNS for accepted names and aliases).",
    "bad_date": "Correct the date in the case system or the file: use YYYY-MM-DD, DD/MM/YYYY "
                "or an Excel date.",
    "missing_value": "Fill the value in the extract, or remove the row if it is not a real record.",
    "end_before_start": "Check both dates in the case system; the end date was ignored.",
    "duplicate_id": "Ids must be unique within a table: check both rows in the case system, then "
                    "remove the wrong one or give it its own id.",
    "duplicate_row": "Nothing lost: the row is an exact copy. Remove the copy from the extract "
                     "(often a join in the extract query).",
    "unknown_person": "Every event's person and every child must be in ssd_person: extract the "
                      "person, or check the id.",
    "unknown_code": "Use the DfE CIN census codes (see neglect_analysis.codes).",
    "bad_flag": "Use Y or N (yes/no, 1/0 and true/false are also read).",
    "bad_json": "Write the value as JSON, e.g. {\"NFA_FLAG\":\"Y\"} or [\"3B\",\"16A\"].",
    "too_many_parents": "A child has at most two birth parents: remove the wrong mother_of / "
                        "father_of row from relationships.",
    "young_parent": "Check the parent's and the child's dates of birth and the direction of the "
                    "link (person_id is the parent, related_person_id the child).",
    "link_cycle": "Correct the relationships: person_id must be the parent and related_person_id "
                  "the child, and nobody can be their own ancestor.",
    "after_audit_date": "If the audit date is right, nothing to do (later events are outside "
                        "the audit); otherwise give --audit-date or correct extract.json, or "
                        "correct the date.",
    "empty_file": "Export the table again; a table with no records still needs its header row.",
    "unreadable_file": "Open the file and save it again as CSV (UTF-8) or Excel (.xlsx).",
    "excel_layout": "Nothing to do; to avoid this note keep one table per file with the column "
                    "names on row 1.",
    "duplicate_column": "Delete one of the two columns (names are compared ignoring case).",
    "formula": "Replace formulas by their values (Copy, then Paste Special > Values) and save.",
    "numeric_id": "Format id columns as Text before typing or pasting ids, or export as CSV.",
    "ragged_row": "Put text holding commas in double quotes (Excel's Save As CSV does this), "
                  "or export again.",
    "blank_row": "Nothing to do; delete empty rows to avoid this note.",
    "no_dob": "Record pers_dob (or pers_expected_dob for an unborn child).",
    "parent_not_in_extract": "Nothing to do: SSD keeps only people who were clients.",
    "encoding": "Nothing to do; save the file as UTF-8 to avoid this note.",
    "date_out_of_range": "Correct the date: a date before 1900 or after 2199 is a typing error "
                         "(leave an unknown date empty; 9999-12-31 is read as no end date).",
    "after_death": "Check the person's death date and the event's date in the case system.",
    "partner_of_child": "Correct the relationships: a person cannot be the partner of their "
                        "own child (check both ids and the relationship).",
    "parent_sex": "Correct the person's sex in ssd_person or the relationship (mother_of / "
                  "father_of) in the link table.",
    "link_fallback": "Export the link table again with its rows, or remove the empty file.",
    "too_large": "Save the workbook again from Excel (or export the table as CSV); a workbook "
                 "that expands this much is damaged or not a real export.",
    "same_event": "Nothing to do: the paper record and the ICS row are one event, counted once (the ICS row).",
    "other": "See the message.",
    "metadata": "Correct extract.json (a JSON object such as {\"audit_date\": \"2018-07-31\"}).",
}


#: Values longer than this (characters) are shown cut, with their length, in problem texts and
#: in the report's ``value`` column (a 20 MB id would otherwise be printed in full).
MAX_SHOWN_CHARS = 80
#: Marks around a value quoted in a problem text (see :func:`quote`): start + kind letter, end.
QUOTE_START, QUOTE_END = "\x02", "\x03"
#: Kinds of quoted values and their letters: ids are pseudonymised by kind, text never.
QUOTE_KINDS: dict[str, str] = {"text": "t", "person": "p", "event": "e"}
_QUOTED = re.compile("\x02([tpe])([^\x02\x03]*)\x03")
_MARKS = "\x02[tpe]|\x03"


def id_kind(column: str | None) -> str:
    """Kind of an id column's values (see :func:`quote`): ``person`` for person ids (names
    ending ``person_id``, and ``related_person_id``), ``event`` for other ``_id`` columns,
    else ``text``.

    Examples
    --------
    >>> id_kind("cont_person_id"), id_kind("cppl_cp_plan_id"), id_kind("pers_dob")
    ('person', 'event', 'text')
    """
    column = column or ""
    if column.endswith("person_id") or column in ("parent_id", "child_id", "partner_id"):
        return "person"
    return "event" if column.endswith("_id") else "text"


def quote(values, kind: str = "text"):
    """Mark ``values`` (a str, or a Series of text) as quoted in a problem text.

    Every value echoed in a problem goes through this. The marks are removed when the report
    is made (:func:`render_problems`): a long value is cut there (:func:`shorten`), and a
    person or event id is replaced by its pseudonym when the report is pseudonymised (the
    text is built again from the pseudonymised values; nothing is looked for in the words).
    Mark characters inside a value are replaced by ``?``.

    Examples
    --------
    >>> render_problems(pd.Series(["person_id " + quote("P 1, 2", "person") + " is unknown"])).tolist()
    ['person_id P 1, 2 is unknown']
    """
    letter = QUOTE_START + QUOTE_KINDS[kind]
    if isinstance(values, pd.Series):
        text = values.astype("string")
        arr = arrow_text(text)
        if pac.any(pac.match_substring_regex(arr, "[\x02\x03]")).as_py():
            text = text_series(pac.replace_substring_regex(arr, "[\x02\x03]", "?"), text.index)
        return letter + text + QUOTE_END
    return letter + str(values).replace(QUOTE_START, "?").replace(QUOTE_END, "?") + QUOTE_END


def shorten(value: str, *, limit: int = MAX_SHOWN_CHARS) -> str:
    """``value`` as shown in the report: cut after ``limit`` characters, with its length.

    Examples
    --------
    >>> shorten("x" * 100, limit=5)
    'xxxxx… (100 characters)'
    >>> shorten("P001")
    'P001'
    """
    return value if len(value) <= limit else f"{value[:limit]}… ({len(value)} characters)"


def shorten_values(values: pd.Series, *, limit: int = MAX_SHOWN_CHARS) -> pd.Series:
    """:func:`shorten` over a Series of text (only the long values are touched)."""
    values = values.astype("string")
    long = (values.str.len() > limit).fillna(False).to_numpy(dtype=bool)
    if not long.any():
        return values
    out = values.copy()
    out[long] = [shorten(v, limit=limit) for v in values[long]]
    return out


def render_problems(text: pd.Series, *, ids: Callable[[str, str], str] | None = None,
                    limit: int = MAX_SHOWN_CHARS) -> pd.Series:
    """Problem texts with their quoted values (:func:`quote`) shown: marks removed, long
    values cut (:func:`shorten`), and, when ``ids`` is given, each person or event id replaced
    by ``ids(kind, value)`` (the pseudonym).

    Examples
    --------
    >>> t = pd.Series(["row 2: id " + quote("K 1", "event") + " " + quote("y" * 9)])
    >>> render_problems(t, limit=4).tolist()
    ['row 2: id K 1 yyyy… (9 characters)']
    >>> render_problems(t, ids=lambda kind, v: kind[0].upper() + "#").tolist()
    ['row 2: id E# yyyyyyyyy']
    """
    text = text.astype("string")
    arr = arrow_text(text)
    if not pac.any(pac.match_substring(arr, QUOTE_START)).as_py():
        return text
    if ids is None and not pac.any(pac.match_substring_regex(
            arr, "\x02[tpe][^\x02\x03]{%d,}\x03" % (limit + 1))).as_py():
        return text_series(pac.replace_substring_regex(arr, _MARKS, ""), text.index)
    letters = {v: k for k, v in QUOTE_KINDS.items()}

    def one(m: re.Match) -> str:
        kind, value = letters[m.group(1)], m.group(2)
        if ids is not None and kind != "text":
            return ids(kind, value)
        return shorten(value, limit=limit)

    marked = text.str.contains(QUOTE_START, regex=False).fillna(False).to_numpy(dtype=bool)
    out = text.copy()
    out[marked] = [_QUOTED.sub(one, t) for t in text[marked]]
    return out


class ExtractError(ValueError):
    """The extract cannot be used as it is (raised by ``load_extract(..., strict=True)``)."""


def _is_text(x) -> bool:
    """Whether ``x`` is a Series of pandas text (``str``/``string``): taken as a whole by
    :meth:`ProblemLog.add`, without a Python object per problem."""
    return isinstance(x, pd.Series) and isinstance(x.dtype, pd.StringDtype)


def _is_whole(x) -> bool:
    """Whether ``x`` is a Series of whole numbers (row numbers), taken as a whole."""
    return isinstance(x, pd.Series) and pd.api.types.is_integer_dtype(x.dtype)


@dataclass
class ProblemLog:
    """Collects problems while loading; vectorised: one call adds many rows."""

    frames: list[pd.DataFrame] = field(default_factory=list)

    def add(self, *, table: str, file: str | None, rows, column: str | None, values, message,
            severity: str, action: str, check: str) -> None:
        """Add problems. ``rows``/``values``/``message`` may be scalars or equal-length arrays."""
        arrays = [x for x in (rows, values, message)
                  if isinstance(x, (list, tuple, pd.Series, pd.Index, np.ndarray))]
        n = len(arrays[0]) if arrays else 1
        if n == 0:
            return

        def col(x):
            if isinstance(x, (list, tuple, pd.Series, pd.Index, np.ndarray)):
                return list(pd.Series(list(x), dtype=object).where(pd.notna(list(x)), None))
            return [x] * n

        rows_index = pd.RangeIndex(n)
        same = {name: repeat_text(value, rows_index) for name, value in (  # one value per call
            ("table", table), ("file", file), ("column", column), ("severity", severity),
            ("action", action), ("check", check), ("advice", ADVICE.get(check, ADVICE["other"])))}
        if _is_text(values):  # text as it is (the per-value path below gives the same)
            value = values.astype("string").array
        else:
            value = pd.array([None if v is None else str(v) for v in col(values)], dtype="string")
        self.frames.append(pd.DataFrame({
            **same,
            "row": (rows.astype("Int64").array if _is_whole(rows)
                    else pd.array(col(rows), dtype="Int64")),
            "value": value,
            "problem": message.astype("string").array if _is_text(message)
            else pd.array(col(message), dtype="string"),
        }, index=rows_index))

    def frame(self, *, marked: bool = False) -> pd.DataFrame:
        """All problems as one DataFrame (columns :data:`PROBLEM_COLUMNS`).

        ``marked``: the texts as built, quoted values marked (:func:`quote`), and values in
        full (what :func:`~neglect_analysis.privacy.pseudonymise_problems` works from); else
        as shown (:func:`render_problems`, long values cut).
        """
        if not self.frames:
            return empty_problems()
        df = pd.concat(self.frames, ignore_index=True)
        for c in ("table", "file", "column", "severity", "action", "check", "advice"):
            df[c] = df[c].astype("string")
        if not marked:
            df["problem"] = render_problems(df["problem"])
            df["value"] = shorten_values(df["value"])
        return df[list(PROBLEM_COLUMNS)]

    def report(self, counts: pd.DataFrame) -> "ValidationReport":
        """The :class:`ValidationReport` of these problems and the row ``counts``."""
        return ValidationReport(problems=self.frame(), counts=counts, marked=self.frame(marked=True))


def empty_problems() -> pd.DataFrame:
    """An empty problems table with the right columns and types."""
    df = pd.DataFrame({c: pd.Series(dtype="string") for c in PROBLEM_COLUMNS})
    df["row"] = df["row"].astype("Int64")
    return df


@dataclass(frozen=True)
class ValidationReport:
    """What the loader found: ``problems`` (one row per problem) and ``counts`` (per table).

    ``counts`` has ``rows_read == rows_used + rows_reported`` for every table: a row read is
    either used or reported. A reported row is merged (``rows_merged``: a paper record that is
    an extract event, DESIGN.md "Same event once", counted once as that event; ``action ==
    "merged"``) or dropped (``rows_dropped``: not used, ``action == "dropped"``), so
    ``rows_reported == rows_merged + rows_dropped``. Rows used with a warning appear in
    ``problems`` with ``action == "used"`` and are counted in ``rows_used``.

    ``marked``: the problems with their quoted values marked and in full (see
    :meth:`ProblemLog.frame`), row for row with ``problems``; used to pseudonymise them.

    Examples
    --------
    >>> log = ProblemLog()
    >>> log.add(table="ssd_cp_plans", file="ssd_cp_plans.csv", rows=[14], column="cppl_cp_plan_end_date",
    ...         values=["2011-02-30"], message=["ssd_cp_plans.csv row 14: cppl_cp_plan_end_date "
    ...         "2011-02-30 is not a date; the end date is left empty (open)"],
    ...         severity="error", action="used", check="bad_date")
    >>> counts = pd.DataFrame({"table": ["ssd_cp_plans"], "file": ["ssd_cp_plans.csv"],
    ...                        "rows_read": [20], "rows_used": [20], "rows_reported": [0]})
    >>> r = ValidationReport(problems=log.frame(), counts=counts)
    >>> r.has_errors
    True
    >>> print(r.format().splitlines()[0])
    Validation report: 1 error, 0 warnings, 0 notes

    Merged paper records are said apart from dropped rows (an older counts table without
    ``rows_merged`` reads as none merged):

    >>> counts = pd.DataFrame({"table": ["paper_records"], "file": ["paper_records.csv"], "rows_read": [9],
    ...     "rows_used": [6], "rows_reported": [3], "rows_merged": [2], "rows_dropped": [1]})
    >>> print(ValidationReport(problems=empty_problems(), counts=counts).format().splitlines()[3])
      paper_records.csv: 9 read, 6 used, 2 merged (the same event as an extract row), 1 dropped
    """

    problems: pd.DataFrame
    counts: pd.DataFrame
    marked: pd.DataFrame | None = None

    @property
    def has_errors(self) -> bool:
        """True when any problem has severity ``error``."""
        return bool((self.problems["severity"] == "error").any())

    def n(self, severity: str) -> int:
        """Number of problems of one severity."""
        return int((self.problems["severity"] == severity).sum())

    def format(self, max_examples: int = 5) -> str:
        """Readable text: totals, rows per table, then problems grouped by table and kind.

        Each group shows its count, what to do, and its first ``max_examples`` messages.
        """
        def plural(k: int, word: str) -> str:
            return f"{k} {word}{'' if k == 1 else 's'}"

        lines = [
            "Validation report: " + ", ".join(
                [plural(self.n("error"), "error"), plural(self.n("warning"), "warning"),
                 plural(self.n("note"), "note")])
        ]
        if len(self.counts):
            lines.append("")
            lines.append("Rows per table (read = used + merged + dropped):")
            for r in self.counts.to_dict("records"):
                merged = int(r.get("rows_merged", 0) or 0)
                dropped = r.get("rows_dropped", int(r["rows_reported"]) - merged)
                same = f"{merged} merged (the same event as an extract row), " if merged else ""
                lines.append(f"  {r['file'] or r['table']}: {r['rows_read']} read, {r['rows_used']} used, "
                             f"{same}{dropped} dropped")
        if len(self.problems):
            order = {"error": 0, "warning": 1, "note": 2}
            p = self.problems.assign(_sev=self.problems["severity"].map(order).astype("int64"))
            keys = p.groupby(["table", "check", "severity"], sort=False, dropna=False)
            groups = sorted(keys.groups.keys(), key=lambda k: (str(k[0]), order.get(k[2], 3), str(k[1])))
            current = None
            for table, check, severity in groups:
                g = keys.get_group((table, check, severity))
                if table != current:
                    lines.append("")
                    lines.append(f"{table}:")
                    current = table
                lines.append(f"  {severity.upper()} x{len(g)} [{check}] "
                             f"{ADVICE.get(str(check), ADVICE['other'])}")
                for msg in g["problem"].head(max_examples):
                    lines.append(f"    - {msg}")
                if len(g) > max_examples:
                    lines.append(f"    ... and {len(g) - max_examples} more")
        return "\n".join(lines)

    def raise_if_errors(self) -> None:
        """Raise :class:`ExtractError` listing every error (for ``strict=True``)."""
        if self.has_errors:
            errors = self.problems.loc[self.problems["severity"] == "error", "problem"]
            raise ExtractError(
                f"The extract has {len(errors)} error(s):\n" + "\n".join(f"- {m}" for m in errors))
