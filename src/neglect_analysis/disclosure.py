"""Disclosure control for shareable aggregates (DESIGN.md "Outputs", DOMAIN.md "Disclosure
control in England").

DfE children-in-need practice by default:

- counts 1 to ``threshold`` (default 5) are shown as ``c`` (primary suppression); zeros are shown;
- secondary suppression, so that no suppressed cell can be recovered from the row and column
  totals: a line (row or column) whose total is shown and that holds exactly one suppressed
  entry gets a second entry suppressed, the smallest non-zero one (ties: an interior cell before
  a total, then the cell whose crossing line also needs one, then the first by position); this
  is repeated over both dimensions until stable;
- totals are TRUE totals (never sums of the shown cells) and are suppressed themselves when
  1 to ``threshold``; the margins take part in secondary suppression like any other line (the
  row of column totals adds up to the grand total);
- percentages to 1 decimal place, rounded half up, shown as ``c`` where the numerator (or the
  denominator) is suppressed;
- ``z`` not applicable (e.g. a share of zero children), ``:`` not available.

Beyond the DfE line rule, :func:`suppress_counts` also audits the whole table as a linear system
(every shown total is an equation) and adds suppressions until no suppressed entry is fixed by
any combination of rows and columns (``linear_audit=True``). With two cycles of suppressed
cells joined by one cell, for example, each line has two suppressed entries but the joining cell
is still the difference of two sums of totals. ``protect_small_sums=True`` (off by default, not
DfE practice) also requires the suppressed cells of a line whose total is shown to add up to
more than ``threshold``, so that ``1 + 1`` shown as ``c, c`` beside a known total cannot be read off.
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .definitions import DEFAULTS

#: Counts from 1 to this are suppressed by default (DfE children-in-need practice; the
#: ``suppress_below`` field of :class:`~neglect_analysis.definitions.Definitions`).
DEFAULT_THRESHOLD = DEFAULTS.suppress_below
#: Symbol for a suppressed value (DfE).
SUPPRESSED = "c"
#: Symbol for "not applicable" (DfE), e.g. a share of an empty denominator.
NOT_APPLICABLE = "z"
#: Symbol for "not available" (DfE), e.g. a missing count.
NOT_AVAILABLE = ":"
#: Label of added total rows and columns.
TOTAL_LABEL = "Total"


@dataclass(frozen=True)
class _Grid:
    """A counts table with its margins, as one array, and the additive relations between entries.

    ``values`` is (r + total_row) x (c + total_col). Each relation is (entries, total): the
    sum of ``values`` at ``entries`` equals ``values`` at ``total``. ``is_total`` marks margins.
    """

    values: np.ndarray
    is_total: np.ndarray
    relations: tuple[tuple[tuple[tuple[int, int], ...], tuple[int, int]], ...]

    def lines_of(self, p: tuple[int, int]) -> list[int]:
        """Indices of the relations that entry ``p`` takes part in (its row and/or column)."""
        return self._lines.get(p, [])

    @property
    def _lines(self) -> dict[tuple[int, int], list[int]]:
        cache = self.__dict__.get("_lines_cache")
        if cache is None:
            cache = {}
            for k, (entries, total) in enumerate(self.relations):
                for q in entries + (total,):
                    cache.setdefault(q, []).append(k)
            object.__setattr__(self, "_lines_cache", cache)
        return cache


def _as_counts(table: pd.DataFrame) -> np.ndarray:
    """Validate ``table`` as non-negative whole numbers; return an int64 array."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected a DataFrame of counts, got {type(table).__name__}")
    problems = []
    out = np.zeros(table.shape, dtype=np.int64)
    for j, col in enumerate(table.columns):
        s = pd.to_numeric(table[col], errors="coerce")
        bad = s.isna() | (s < 0) | (s.astype("float64") % 1 != 0)
        for label in table.index[bad.to_numpy()]:
            problems.append(f"row {label!r}, column {col!r}: {table.at[label, col]}")
        out[:, j] = s.where(~bad, 0).astype("int64").to_numpy()
    if problems:
        raise ValueError(
            "disclosure control needs non-negative whole-number counts; fix or fill these cells: "
            + "; ".join(problems)
        )
    return out


def _grid(counts: np.ndarray, total_row: bool, total_col: bool) -> _Grid:
    r, c = counts.shape
    R, C = r + int(total_row), c + int(total_col)
    values = np.zeros((R, C), dtype=np.int64)
    values[:r, :c] = counts
    is_total = np.zeros((R, C), dtype=bool)
    rows: list = []  # relations along rows (row totals), interior rows then the total row
    cols: list = []  # relations along columns (column totals)
    if total_col:
        values[:r, c] = counts.sum(axis=1)
        is_total[:, c] = True
        rows += [(tuple((i, j) for j in range(c)), (i, c)) for i in range(r)]
    if total_row:
        values[r, :c] = counts.sum(axis=0)
        is_total[r, :] = True
        cols += [(tuple((i, j) for i in range(r)), (r, j)) for j in range(c)]
    if total_row and total_col:
        values[r, c] = counts.sum()
        rows.append((tuple((r, j) for j in range(c)), (r, c)))
        cols.append((tuple((i, c) for i in range(r)), (r, c)))
    return _Grid(values, is_total, tuple(rows + cols))


def _line_needs(grid: _Grid, supp: np.ndarray, threshold: int, protect_small_sums: bool) -> list[int]:
    """Indices of relations whose suppression would let a suppressed entry be recovered."""
    out = []
    for k, (entries, total) in enumerate(grid.relations):
        members = entries + (total,)
        n = sum(bool(supp[p]) for p in members)
        if n == 1:
            out.append(k)
        elif protect_small_sums and n >= 2 and not supp[total]:
            hidden = sum(int(grid.values[p]) for p in entries if supp[p])
            if 1 <= hidden <= threshold:
                out.append(k)
    return out


def _determined(grid: _Grid, supp: np.ndarray) -> list[tuple[int, int]]:
    """Suppressed entries fixed by the linear system of shown totals (position order)."""
    positions = [tuple(p) for p in np.argwhere(supp)]
    if not positions or not grid.relations:
        return []
    col = {p: k for k, p in enumerate(positions)}
    A = np.zeros((len(grid.relations), len(positions)))
    for m, (entries, total) in enumerate(grid.relations):
        for p in entries:
            if p in col:
                A[m, col[p]] = 1.0
        if total in col:
            A[m, col[total]] = -1.0
    _, s, vt = np.linalg.svd(A, full_matrices=True)
    rank = int((s > 1e-9).sum())
    null = vt[rank:]
    fixed = np.all(np.abs(null) < 1e-9, axis=0) if len(null) else np.ones(len(positions), bool)
    return [p for p, f in zip(positions, fixed) if f]


def _pick(grid: _Grid, supp: np.ndarray, lines: list[int], needy: set[int]) -> tuple[int, int] | None:
    """The entry to suppress next: smallest non-zero unsuppressed entry of ``lines``."""
    best, best_key = None, None
    for k in lines:
        entries, total = grid.relations[k]
        for p in entries + (total,):
            v = int(grid.values[p])
            if supp[p] or v == 0:
                continue
            crossing = any(m in needy for m in grid.lines_of(p) if m != k)
            key = (v, bool(grid.is_total[p]), not crossing, p)
            if best_key is None or key < best_key:
                best, best_key = p, key
    return best


def _suppression_mask(
    grid: _Grid, threshold: int, *, linear_audit: bool, protect_small_sums: bool
) -> np.ndarray:
    supp = (grid.values >= 1) & (grid.values <= threshold)
    while True:
        needy = _line_needs(grid, supp, threshold, protect_small_sums)
        if needy:
            p = _pick(grid, supp, needy[:1], set(needy))
            if p is None:
                # Nothing left to suppress in that line: try the next one that can be helped.
                for k in needy[1:]:
                    p = _pick(grid, supp, [k], set(needy))
                    if p is not None:
                        break
            if p is not None:
                supp[p] = True
                continue
        if linear_audit:
            fixed = _determined(grid, supp)
            p = None
            for q in fixed:
                p = _pick(grid, supp, grid.lines_of(q), set())
                if p is not None:
                    break
            if p is None and fixed:
                # Every line through the fixed cells is suppressed already: the cell is pinned by
                # a combination of other lines (e.g. the grand total less other rows). Suppress
                # the smallest shown non-zero count anywhere and audit again.
                shown = np.argwhere(~supp & (grid.values > 0))
                if len(shown):
                    i, j = min(shown.tolist(), key=lambda ij: (grid.values[ij[0], ij[1]], ij[0], ij[1]))
                    p = (i, j)
            if p is not None:
                supp[p] = True
                continue
        return supp


def suppress_counts(
    table: pd.DataFrame,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    total_row: bool = True,
    total_col: bool = True,
    total_label: str = TOTAL_LABEL,
    linear_audit: bool = True,
    protect_small_sums: bool = False,
) -> pd.DataFrame:
    """Suppress small counts in a rows x categories table, DfE practice (see module docstring).

    Implements DESIGN.md "Outputs" (disclosure control for ``briefing/``): counts 1 to
    ``threshold`` shown as ``c``, zeros shown, secondary suppression over rows, columns and
    margins until no suppressed entry can be recovered from the shown totals, totals true
    and suppressed when 1 to ``threshold``.

    Parameters
    ----------
    table
        Non-negative whole-number counts (rows x categories). Not modified.
    threshold
        Largest count suppressed (DfE: 5).
    total_row, total_col
        Add a row of column totals / a column of row totals (labelled ``total_label``). Only a
        shown total lets a cell be recovered, so only lines with a total are protected.
    linear_audit
        Also suppress until no entry is fixed by combining several rows and columns.
    protect_small_sums
        Also require the suppressed cells of a line with a shown total to sum to more than
        ``threshold`` (stricter than DfE practice).

    Returns
    -------
    DataFrame of str, same labels plus the totals: the count, or ``c``.

    Examples
    --------
    >>> t = pd.DataFrame({"a": [3, 10], "b": [12, 20]}, index=["x", "y"])
    >>> suppress_counts(t)
            a   b Total
    x       c   c    15
    y       c   c    30
    Total  13  32    45
    """
    counts = _as_counts(table)
    grid = _grid(counts, total_row, total_col)
    supp = _suppression_mask(
        grid, threshold, linear_audit=linear_audit, protect_small_sums=protect_small_sums
    )
    shown = np.where(supp, SUPPRESSED, grid.values.astype(str)).astype(object)
    index = list(table.index) + ([total_label] if total_row else [])
    columns = list(table.columns) + ([total_label] if total_col else [])
    out = pd.DataFrame(shown, index=pd.Index(index, name=table.index.name, dtype=object),
                       columns=pd.Index(columns, name=table.columns.name, dtype=object))
    return out.astype("str")


def suppress_series(
    counts: pd.Series, *, threshold: int = DEFAULT_THRESHOLD, total: bool = True, total_label: str = TOTAL_LABEL
) -> pd.Series:
    """Suppress one column of counts with its total (DfE practice; see :func:`suppress_counts`).

    With a total shown, a single suppressed count would be the total minus the others, so the
    next smallest non-zero count is suppressed too; a total of 1 to ``threshold`` is suppressed.

    Examples
    --------
    >>> suppress_series(pd.Series({"eldest": 4, "middle": 9, "youngest": 30}, name="n"))
    eldest       c
    middle       c
    youngest    30
    Total       43
    Name: n, dtype: str
    """
    frame = counts.to_frame(name=counts.name if counts.name is not None else 0)
    out = suppress_counts(
        frame, threshold=threshold, total_row=total, total_col=False, total_label=total_label
    )
    s = out.iloc[:, 0]
    s.name = counts.name
    return s


def format_share(numerator, denominator) -> pd.Series:
    """Share ``numerator / denominator`` in per cent to 1 decimal place, rounded half up, as text.

    Exact integer arithmetic (``12.25`` -> ``12.3``), ``z`` where the denominator is 0, ``:``
    where either is missing. No suppression (see :func:`share_table`).

    Examples
    --------
    >>> format_share(pd.Series([1, 1, 2, 3]), pd.Series([8, 0, 3, None])).tolist()
    ['12.5', 'z', '66.7', ':']
    """
    num = pd.Series(numerator, dtype="Float64")
    den = pd.Series(denominator, dtype="Float64").set_axis(num.index)
    missing = (num.isna() | den.isna()).to_numpy(dtype=bool)
    n = num.fillna(0).astype("int64").to_numpy()
    d = den.fillna(0).astype("int64").to_numpy()
    safe = np.where(d == 0, 1, d)
    tenths = (2000 * n + safe) // (2 * safe)  # round half up of 1000 * n / d
    text = np.array([f"{t // 10}.{t % 10}" for t in tenths], dtype=object)
    text = np.where(d == 0, NOT_APPLICABLE, text)
    text = np.where(missing, NOT_AVAILABLE, text)
    return pd.Series(text, index=num.index, dtype="str")


def share_table(
    num: pd.Series, den: pd.Series, *, threshold: int = DEFAULT_THRESHOLD, total: bool = False,
    total_label: str = TOTAL_LABEL,
) -> pd.DataFrame:
    """Numerator, denominator and share (%) per row, each suppressed (DESIGN.md "Outputs").

    Numerators and denominators of 1 to ``threshold`` are ``c``; the share is ``c`` where its
    numerator or its denominator is suppressed (a shown share and numerator would give the
    denominator back), ``z`` where the denominator is 0, ``:`` where a value is missing.
    With ``total=True`` a total row is added and each column gets secondary suppression as in
    :func:`suppress_series` (use it when the rows are parts of one whole).

    Examples
    --------
    >>> num = pd.Series({"eldest": 3, "younger": 40})
    >>> den = pd.Series({"eldest": 38, "younger": 204})
    >>> share_table(num, den)
            numerator denominator share
    eldest          c          38     c
    younger        40         204  19.6
    """
    den = den.reindex(num.index)
    frame = pd.DataFrame({"numerator": num, "denominator": den})
    if total:
        if frame.isna().any().any():
            raise ValueError("share_table(total=True) needs every numerator and denominator")
        frame = pd.concat([frame, frame.sum().to_frame(total_label).T])
        shown = pd.DataFrame(
            {c: suppress_series(frame[c].iloc[:-1], threshold=threshold, total_label=total_label)
             for c in ("numerator", "denominator")}
        )
    else:
        shown = pd.DataFrame(index=frame.index)
        for c in ("numerator", "denominator"):
            v = frame[c]
            small = (v >= 1) & (v <= threshold)
            text = v.astype("Float64").astype("Int64").astype("str")
            text = text.where(~small.fillna(False), SUPPRESSED).where(v.notna(), NOT_AVAILABLE)
            shown[c] = text.astype("str")
    share = format_share(frame["numerator"], frame["denominator"])
    hidden = (shown["numerator"] == SUPPRESSED) | (shown["denominator"] == SUPPRESSED)
    shown["share"] = share.where(~hidden, SUPPRESSED)
    return shown.astype("str")


def check_no_small_counts(
    df: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD, *, columns: list[Hashable] | None = None
) -> list[str]:
    """Problems where a table about to be shared shows a count of 1 to ``threshold``.

    Checks every integer column and every text cell that is a whole number (``"3"``, not
    ``"3.0"``: shares have a decimal point), or, with ``columns``, every whole-number value of
    those columns whatever their type. An empty list means the table passes.

    Examples
    --------
    >>> check_no_small_counts(pd.DataFrame({"n": ["c", "12", "3"], "share": ["c", "4.0", "2.0"]}))
    ["row 2, column 'n': count 3 is between 1 and 5 and must be shown as 'c'"]
    """
    problems = []
    cols = list(df.columns) if columns is None else list(columns)
    for col in cols:
        s = df[col]
        if columns is not None or pd.api.types.is_integer_dtype(s.dtype):
            v = pd.to_numeric(s, errors="coerce")
            whole = v.notna() & (v % 1 == 0)
        elif pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
            text = s.astype("str").str.strip()
            whole = text.str.fullmatch(r"\d+").fillna(False)
            v = pd.to_numeric(text.where(whole), errors="coerce")
        else:
            continue
        small = (whole & (v >= 1) & (v <= threshold)).fillna(False).to_numpy(dtype=bool)
        for label, value in zip(df.index[small], v[small]):
            problems.append(
                f"row {label!r}, column {col!r}: count {int(value)} is between 1 and {threshold}"
                f" and must be shown as '{SUPPRESSED}'"
            )
    return problems


def recoverable_cells(
    shown: pd.DataFrame, true_counts: pd.DataFrame, *, method: str = "linear"
) -> list[tuple[Hashable, Hashable]]:
    """Suppressed entries of ``shown`` that can be worked out from the entries it shows.

    ``shown`` is the output of :func:`suppress_counts` for ``true_counts`` (the table without
    totals); a total row/column is detected by ``shown`` having one more row/column.
    ``method="lines"``: a suppressed entry is recoverable if it is the only one suppressed in a
    row or column whose total is shown (the brief's definition, subtraction from one total).
    ``method="linear"`` (stricter, the default): also by combining several rows and columns.

    Examples
    --------
    >>> t = pd.DataFrame({"a": [3, 10], "b": [12, 20]})
    >>> shown = suppress_counts(t).astype(object)
    >>> shown.iloc[0, 1] = "12"  # undo the secondary suppression
    >>> recoverable_cells(shown, t)
    [(0, 'a'), (1, 'a'), (1, 'b')]
    """
    if method not in ("lines", "linear"):
        raise ValueError(f"method must be 'lines' or 'linear', not {method!r}")
    counts = _as_counts(true_counts)
    extra_r = shown.shape[0] - counts.shape[0]
    extra_c = shown.shape[1] - counts.shape[1]
    if extra_r not in (0, 1) or extra_c not in (0, 1):
        raise ValueError(
            f"shown table is {shown.shape}, true counts {counts.shape}: expected at most one "
            "total row and one total column more"
        )
    grid = _grid(counts, bool(extra_r), bool(extra_c))
    supp = (shown.astype("str").to_numpy() == SUPPRESSED)
    found: set[tuple[int, int]] = set()
    for entries, total in grid.relations:
        members = entries + (total,)
        hidden = [p for p in members if supp[p]]
        if len(hidden) == 1:
            found.add(hidden[0])
    if method == "linear":
        found.update(_determined(grid, supp))
    return [(shown.index[i], shown.columns[j]) for i, j in sorted(found)]


def is_recoverable(shown: pd.DataFrame, true_counts: pd.DataFrame, *, method: str = "linear") -> bool:
    """True if any suppressed entry of ``shown`` can be recovered (see :func:`recoverable_cells`).

    Examples
    --------
    >>> t = pd.DataFrame({"a": [3, 10], "b": [12, 20]})
    >>> is_recoverable(suppress_counts(t), t)
    False
    """
    return bool(recoverable_cells(shown, true_counts, method=method))
