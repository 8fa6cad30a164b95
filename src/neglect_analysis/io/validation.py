"""The validation report: every problem found on load, and the row accounting per table.

DESIGN.md "Validation and bad input": nothing is dropped silently. Each problem names the
table, file, row (as in the file: header = row 1), column and value, says what is wrong and what
the loader did (``advice`` says what to do; ``action``: ``dropped`` = the row was not used; ``used`` = the row was used, with
the consequence given in the message). ``severity`` says whether the auditor must act:
``error`` (the data are wrong: fix the extract), ``warning`` (suspicious, used with care) or
``note`` (expected oddities worth knowing, e.g. a parent absent from ``ssd_person``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .arrowtext import repeat_text

#: Columns of :attr:`ValidationReport.problems` (``check`` is the short problem kind used to
#: group the readable report).
PROBLEM_COLUMNS: tuple[str, ...] = (
    "table", "file", "row", "column", "value", "problem", "severity", "action", "check", "advice",
)
#: Columns of :attr:`ValidationReport.counts`.
COUNT_COLUMNS: tuple[str, ...] = ("table", "file", "rows_read", "rows_used", "rows_reported")

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
    "other": "See the message.",
    "metadata": "Correct extract.json (a JSON object such as {\"audit_date\": \"2018-07-31\"}).",
}


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

    def frame(self) -> pd.DataFrame:
        """All problems as one DataFrame (columns :data:`PROBLEM_COLUMNS`)."""
        if not self.frames:
            return empty_problems()
        df = pd.concat(self.frames, ignore_index=True)
        for c in ("table", "file", "column", "severity", "action", "check", "advice"):
            df[c] = df[c].astype("string")
        return df[list(PROBLEM_COLUMNS)]


def empty_problems() -> pd.DataFrame:
    """An empty problems table with the right columns and types."""
    df = pd.DataFrame({c: pd.Series(dtype="string") for c in PROBLEM_COLUMNS})
    df["row"] = df["row"].astype("Int64")
    return df


@dataclass(frozen=True)
class ValidationReport:
    """What the loader found: ``problems`` (one row per problem) and ``counts`` (per table).

    ``counts`` has ``rows_read == rows_used + rows_reported`` for every table: a row read is
    either used or reported as dropped. Rows used with a warning appear in ``problems`` with
    ``action == "used"`` and are counted in ``rows_used``.

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
    """

    problems: pd.DataFrame
    counts: pd.DataFrame

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
            lines.append("Rows per table (read = used + dropped):")
            for r in self.counts.itertuples(index=False):
                lines.append(f"  {r.file or r.table}: {r.rows_read} read, {r.rows_used} used, "
                             f"{r.rows_reported} dropped")
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
