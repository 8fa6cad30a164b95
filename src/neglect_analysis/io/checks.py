"""Row checks shared by every table: ids, persons, dates, date order.

A :class:`TableRows` wraps one table as read (text, with ``_row``) and a ``keep`` mask. Each
check reports the rows it finds to the :class:`~neglect_analysis.io.validation.ProblemLog` with
a message naming file, row, column and value, and either drops them (``action="dropped"``) or
keeps them with the consequence said in the message (``action="used"``). Checks skip rows that
are already dropped, so each dropped row is reported once with the first reason found.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac

from ..idsets import IdSet, PersonCodes, members, person_codes
from .arrowtext import has_repeats, text_series
from .dates import EARLIEST_DATE, LATEST_DATE, parse_dates_checked
from .readers import ROW
from .validation import ProblemLog, id_kind, quote


#: How the accepted range of dates is named in messages.
DATE_RANGE = f"(dates from {EARLIEST_DATE:%Y-%m-%d} to {LATEST_DATE:%Y-%m-%d} are read)"


@dataclass
class TableRows:
    """One table as read, the rows still kept, and where to report problems."""

    table: str
    file: str
    df: pd.DataFrame
    log: ProblemLog
    keep: pd.Series | None = None
    #: Rows not kept because they are another table's event (``action="merged"``): counted
    #: apart from the dropped ones (:meth:`counts`).
    merged: pd.Series | None = None
    #: Position of each row's person among the persons (-1: none), per person-id column, as
    #: :meth:`known_person` found it: :meth:`person_column` codes the column from it.
    person_at: dict | None = None

    def __post_init__(self) -> None:
        if self.keep is None:
            self.keep = pd.Series(True, index=self.df.index)
        if self.merged is None:
            self.merged = pd.Series(False, index=self.df.index)
        if self.person_at is None:
            self.person_at = {}

    def release(self) -> None:
        """Let the table's cells go once its rows are built (no column is kept, only the rows'
        index, so :meth:`counts` still adds up): at 100,000 parents the text tables as read
        are a third of the load's memory. No check may be run on the table after this."""
        self.df = self.df.iloc[:, :0]
        self.person_at = {}

    # -- reporting -------------------------------------------------------------------------
    def report(self, mask: pd.Series, column: str | None, text, *, check: str,
               severity: str = "error", drop: bool = True, values=None) -> pd.Series:
        """Report rows in ``mask`` (among kept rows); drop them if ``drop``. Returns the mask used.

        ``text`` (str or Series) follows ``"{file} row {row}: "`` in the message. A Series
        needs only the rows reported (see :meth:`reported`): messages can be built for them
        alone.
        """
        m = self.reported(mask)
        if not m.any():
            return m
        rows = self.df.loc[m, ROW]
        prefix = self.file + " row " + rows.astype("string") + ": "
        body = text.loc[rows.index] if isinstance(text, pd.Series) else text
        if values is None:
            vals = self.df.loc[m, column] if column in self.df.columns else None
        else:
            vals = values[m] if isinstance(values, pd.Series) else values
        if vals is None:
            vals = [None] * int(m.sum())
        self.log.add(table=self.table, file=self.file, rows=rows, column=column,
                     values=vals, message=prefix + body, severity=severity,
                     action="dropped" if drop else "used", check=check)
        if drop:
            self.keep = self.keep & ~m
        return m

    def hits(self, mask: pd.Series) -> bool:
        """Whether ``mask`` marks any kept row (what :meth:`report` would report)."""
        if not mask.index.equals(self.keep.index):
            return bool(self.reported(mask).any())
        return bool(self._marked(mask).any())

    def reported(self, mask: pd.Series) -> pd.Series:
        """The rows :meth:`report` would report for ``mask``: those marked and still kept."""
        if not mask.index.equals(self.keep.index):  # not row for row: pandas aligns by label
            return mask.fillna(False).astype(bool) & self.keep
        return pd.Series(self._marked(mask), index=self.keep.index)

    def _marked(self, mask: pd.Series) -> np.ndarray:
        """:meth:`reported` for a mask row for row with the table, as a NumPy array: called
        for every check, so NumPy rather than pandas' operators (missing: not marked)."""
        return mask.to_numpy(dtype=bool, na_value=False) & self.keep.to_numpy(dtype=bool)

    def kept(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` (row for row with the table) still kept, index reset.

        Usually no row was dropped: then ``frame`` is returned as it is (index reset), with
        no copy of its columns.
        """
        if self.keep.all():
            return frame.reset_index(drop=True)
        return frame[self.keep].reset_index(drop=True)

    def col(self, name: str) -> pd.Series:
        """A column as text (all missing where the file lacks it)."""
        if name in self.df.columns:
            return self.df[name]
        return pd.Series(pd.NA, index=self.df.index, dtype="string")

    # -- checks ----------------------------------------------------------------------------
    def require_value(self, column: str, *, what: str = "") -> None:
        """Drop rows where ``column`` is empty."""
        extra = f" ({what})" if what else ""
        self.report(self.col(column).isna(), column, f"{column}{extra} is empty; row dropped",
                    check="missing_value")

    def unique_id(self, column: str) -> None:
        """Drop rows whose id repeats an earlier kept row's id.

        A row repeating the earlier row exactly (every column) is a warning (a copy, nothing
        lost); a row with the same id but other values is an error (which one is right is
        unknown; the first is used).
        """
        ids = self.col(column)
        if not has_repeats(ids):  # the usual case: no id repeats in the whole table
            return
        kept = ids.where(self.keep)
        dup = kept.duplicated(keep="first") & kept.notna()
        if not dup.any():
            return
        first_row = self.df.loc[kept.notna() & ~dup].set_index(column)[ROW]
        first_row = first_row[~first_row.index.duplicated()]
        first = ids.map(first_row).astype("Int64").astype("string")
        data = [c for c in self.df.columns if c != ROW]
        whole = self.df[data].astype("string").fillna("\x00").agg("\x1f".join, axis=1)
        first_whole = whole[kept.notna() & ~dup]
        first_whole.index = ids[kept.notna() & ~dup]
        first_whole = first_whole[~first_whole.index.duplicated()]
        same = dup & (ids.map(first_whole) == whole).fillna(False).astype(bool)
        shown = quote(ids, id_kind(column))
        self.report(same, column, column + " " + shown + " repeats row " + first
                    + " exactly (every column); row dropped as a copy", check="duplicate_row",
                    severity="warning")
        self.report(dup & ~same, column, column + " " + shown + " repeats the id on row " + first
                    + " with other values; row dropped, row " + first + " used",
                    check="duplicate_id")

    def known_person(self, column: str, person_ids: PersonCodes | IdSet | pd.Index, *,
                     role: str = "") -> np.ndarray:
        """Drop rows whose person id is empty or not in ``ssd_person`` (``person_ids``: the
        load's :class:`~neglect_analysis.idsets.PersonCodes` or
        :class:`~neglect_analysis.idsets.IdSet`, or an Index of ids).

        Returns each row's position among the persons (-1: empty or unknown), also kept in
        :attr:`person_at` for :meth:`person_column`: the one hash of the column's ids."""
        self.require_value(column)
        ids = self.col(column)
        at = members(person_ids).positions(ids)[0]
        self.person_at[column] = at
        unknown = pd.Series(at < 0, index=self.df.index) & ids.notna()
        role_txt = f" ({role})" if role else ""
        if self.hits(unknown):  # messages are built only when there is a row to report
            self.report(unknown, column, column + " " + quote(ids, "person") + role_txt
                        + " is not in ssd_person; row dropped",
                        check="unknown_person")
        return at

    def person_column(self, column: str, person_ids: PersonCodes | IdSet | pd.Index) -> pd.Series:
        """The person-id ``column`` coded with the persons' dtype (categorical, row for row
        with the table), from the positions :meth:`known_person` found: no second hash.

        Examples
        --------
        >>> from neglect_analysis.idsets import IdSet, PersonCodes
        >>> from neglect_analysis.io.validation import ProblemLog
        >>> persons = PersonCodes(IdSet(pd.Index(["P2", "P1"])), others=pd.Index(["M"]))
        >>> t = TableRows("case_review", "case_review.csv",
        ...               pd.DataFrame({"person_id": ["P1", "Q", "P2"], "_row": [2, 3, 4]}), ProblemLog())
        >>> t.known_person("person_id", persons).tolist()  # Q: not a person (reported, dropped)
        [1, -1, 0]
        >>> col = t.person_column("person_id", persons)
        >>> col.tolist(), col.cat.codes.tolist(), col.dtype is persons.dtype  # categories M, P1, P2
        (['P1', <NA>, 'P2'], [1, -1, 2], True)
        """
        if column not in self.person_at:
            self.known_person(column, person_ids)
        return pd.Series(person_codes(person_ids).coded(self.person_at[column]), index=self.df.index)

    def date(self, column: str, *, required: bool, consequence: str = "left empty") -> pd.Series:
        """Parse a date column. Required: empty or bad -> row dropped. Else bad -> error, NaT.

        A real day outside the accepted range (see :data:`~neglect_analysis.io.dates.EARLIEST_DATE`)
        is reported as out of range, text that is no date as not a date.
        """
        raw = self.col(column)
        dates, bad, out = parse_dates_checked(raw)
        if required:
            self.report(raw.isna(), column, f"{column} is empty; row dropped", check="missing_value")
        after = "row dropped" if required else consequence
        if self.hits(bad):
            self.report(bad, column, column + " " + quote(raw) + f" is not a date; {after}",
                        check="bad_date", drop=required)
        if self.hits(out):
            self.report(out, column, column + " " + quote(raw) + f" is out of range {DATE_RANGE}; {after}",
                        check="date_out_of_range", drop=required)
        return dates  # NaT where bad or out of range (parse_dates_checked)

    def not_after(self, dates: pd.Series, column: str, audit_date) -> None:
        """Drop rows dated after the audit date (warning): the audit reads history up to it.

        An event after the audit date cannot be part of an audit "as at" that date; it is either
        a typing error or the extract was taken later than the audit date (then the row is
        rightly left out). Only start dates are checked: an end date after the audit date is
        an episode still open at the audit date.
        """
        if audit_date is None:
            return
        audit = pd.Timestamp(audit_date)
        after = dates.notna() & (dates > audit)
        if self.hits(after):
            self.report(after, column, column + " " + quote(self.col(column)) + " is after the audit date "
                        + audit.strftime("%Y-%m-%d") + "; row not used", check="after_audit_date",
                        severity="warning")

    def date_order(self, start: pd.Series, end: pd.Series, start_col: str, end_col: str,
                   *, consequence: str = "end date ignored") -> pd.Series:
        """Report end before start (kept, end set empty); return the cleaned end dates."""
        before = end.notna() & start.notna() & (end < start)
        if not self.hits(before):  # nothing to report: skip formatting every date as text
            return end.where(~(before & self.keep))
        rows = self.reported(before)  # dates formatted for the rows reported only
        iso_end = end[rows].dt.strftime("%Y-%m-%d").astype("string")
        iso_start = start[rows].dt.strftime("%Y-%m-%d").astype("string")
        self.report(before, end_col,
                    end_col + " " + iso_end + " is before " + start_col + " " + iso_start + "; " + consequence,
                    check="end_before_start", drop=False, values=self.col(end_col))
        return end.where(~(before & self.keep))

    def ref(self) -> pd.Series:
        """``table:row`` for each row (events.source_ref); the numbers formatted by Arrow."""
        rows = pa.array(self.df[ROW].to_numpy(), type=pa.int64()).cast(pa.string())
        return text_series(pac.utf8_replace_slice(rows, 0, 0, self.table + ":"), self.df.index)

    def counts(self) -> dict:
        """Row accounting for this table: read = used + reported; reported = merged + dropped."""
        n = len(self.df)
        used = int(self.keep.sum())
        merged = int((self.merged & ~self.keep).sum())
        return {"table": self.table, "file": self.file, "rows_read": n, "rows_used": used,
                "rows_reported": n - used, "rows_merged": merged, "rows_dropped": n - used - merged}
