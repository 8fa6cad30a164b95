"""One disclosure audit over the whole briefing pack (DESIGN.md "Outputs", disclosure control).

Every count the briefing publishes (table cells and their totals, the data behind each figure,
headline numbers in the page, denominators and their complements) is a cell of one
:class:`Pack`. The pack also holds the linear relations an outsider can use: a total is the sum
of its parts, the same quantity published twice is one number, a denominator is its numerator
plus the complement, the children of the group-size bands add up to the children in the groups.

:func:`audit` then asks, for every suppressed cell (and every count a reader could derive, such
as a complement), the smallest and the largest value it can take given everything shown:
two integer programs per cell (``scipy.optimize.milp``, exact integer bounds; every variable
is a whole number, a suppressed cell at least 1 because zeros are shown, a hidden quantity at
least its lower bound). A cell fails when

- it is suppressed and its range is a single value, or
- its range lies inside ``1..threshold`` and is narrower than ``1..threshold`` (``{1, 2}``).

:func:`protect` suppresses further until the audit passes, one cell at a time: among the
shown cells that share a relation with a failing cell (or, failing that, with the suppressed
cells linked to it), the smallest non-zero one that is not protected (a headline total such as
"children escalated" is protected). :func:`require_pass` raises :class:`DisclosureAuditError`
when a cell still fails; the briefing is then not written.

Choices: the outsider is assumed to know every relation registered here exactly, and hidden
quantities marked ``known`` (e.g. the number of child-group memberships): the conservative
reading. Shares are not cells: a share is shown only when its numerator and denominator are
both shown (:func:`neglect_analysis.disclosure.share_table`), so it adds nothing to them.

Examples
--------
Three bands published beside their total: the lone ``c`` is the total minus the others.

>>> pack = Pack(threshold=5)
>>> a = pack.add_cell("t", "a", "n", 20)
>>> b = pack.add_cell("t", "b", "n", 3, suppressed=True)
>>> t = pack.add_cell("t", "Total", "n", 23)
>>> pack.add_sum(t, [a, b])
>>> audit(pack)[["row", "min_possible", "max_possible", "passes"]].values.tolist()
[['b', 3, 3, False]]
>>> protect(pack)[["row", "min_possible", "max_possible", "passes"]].values.tolist()
[['a', 1, 22, True], ['b', 1, 22, True]]
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from .disclosure import DEFAULT_THRESHOLD, SUPPRESSED

#: A cell's key: (table, row, column).
Key = tuple[str, str, str]
#: Upper bound given to every free variable; a maximum at this bound means "no limit".
CAP = 10**6
#: Columns of :func:`audit` (and ``briefing/disclosure_audit.csv``).
AUDIT_COLUMNS = ("table", "row", "column", "published", "min_possible", "max_possible", "passes")
#: What ``published`` says of a count that is not printed but can be derived (a complement).
DERIVED = "derived"


class DisclosureAuditError(ValueError):
    """A briefing pack in which a suppressed cell can still be narrowed (the pack is not written)."""


@dataclass
class PackCell:
    """One count of the pack (see :meth:`Pack.add_cell`)."""

    key: Key
    value: int
    suppressed: bool = False
    published: bool = True
    known: bool = False
    audited: bool = False
    protected: bool = False
    lower: int = 0


@dataclass
class Pack:
    """Every published count of a briefing pack and the linear relations between them.

    ``equations`` hold ``({key: coefficient}, rhs)`` meaning sum(coefficient * cell) = rhs;
    ``inequalities`` the same with ``<=``.
    """

    threshold: int = DEFAULT_THRESHOLD
    cells: dict[Key, PackCell] = field(default_factory=dict)
    equations: list[tuple[dict[Key, int], int]] = field(default_factory=list)
    inequalities: list[tuple[dict[Key, int], int]] = field(default_factory=list)

    # -- registering ------------------------------------------------------------------------
    def add_cell(self, table: str, row, column, value: int, *, suppressed: bool = False,
                 published: bool = True, known: bool = False, audited: bool = False,
                 protected: bool = False, lower: int = 0) -> Key:
        """Register one count and return its key ``(table, row, column)`` (text).

        ``published``: printed in the pack (as the number, or ``c`` when ``suppressed``).
        A cell that is not published is a hidden quantity: ``known`` ones are fixed (assumed
        known to a reader), others free from ``lower``; ``audited`` hidden cells (e.g. a
        complement) are checked like suppressed ones. ``protected`` cells are never chosen for
        further suppression. A published count of 1 to ``threshold`` is always suppressed.
        """
        key = (str(table), str(row), str(column))
        if key in self.cells:
            raise ValueError(f"disclosure audit: cell {key} registered twice")
        value = int(value)
        if value < 0:
            raise ValueError(f"disclosure audit: cell {key} has a negative count {value}")
        if published and 1 <= value <= self.threshold:
            suppressed = True
        if suppressed and value == 0:
            raise ValueError(f"disclosure audit: cell {key} is 0 and zeros are shown, not suppressed")
        self.cells[key] = PackCell(key, value, bool(suppressed) and published, bool(published),
                                   bool(known), bool(audited), bool(protected), int(lower))
        return key

    def add_equation(self, coefs: dict[Key, int], rhs: int = 0) -> None:
        """Register sum(coef * cell) = rhs; it must hold for the true values."""
        self._check(coefs, rhs, equal=True)
        self.equations.append((dict(coefs), int(rhs)))

    def add_inequality(self, coefs: dict[Key, int], rhs: int = 0) -> None:
        """Register sum(coef * cell) <= rhs; it must hold for the true values."""
        self._check(coefs, rhs, equal=False)
        self.inequalities.append((dict(coefs), int(rhs)))

    def add_sum(self, total: Key, parts: Iterable[Key]) -> None:
        """``total`` is the sum of ``parts``."""
        coefs: dict[Key, int] = {}
        for p in parts:
            coefs[p] = coefs.get(p, 0) + 1
        coefs[total] = coefs.get(total, 0) - 1
        self.add_equation(coefs, 0)

    def add_same(self, a: Key, b: Key) -> bool:
        """``a`` and ``b`` are the same quantity published twice, when their values agree.

        Returns whether the link was made (two different values are two quantities).
        """
        if self.cells[a].value != self.cells[b].value:
            return False
        self.add_equation({a: 1, b: -1}, 0)
        return True

    def add_table(self, name: str, counts: pd.DataFrame, suppressed: pd.DataFrame | None = None, *,
                  row_total=None, col_total=None, protected: Iterable[tuple] = ()) -> dict[tuple, Key]:
        """Register a table of counts (totals included as rows / columns) and its additive structure.

        ``counts`` holds the true values; ``suppressed`` (same shape, bool) marks the cells shown
        as ``c``; ``row_total`` names the row of column totals, ``col_total`` the column of row
        totals (each a line adds up to its total). ``protected``: (row, column) pairs never
        suppressed further. Returns ``{(row, column): key}``.
        """
        keys: dict[tuple, Key] = {}
        prot = {(str(r), str(c)) for r, c in protected}
        for r in counts.index:
            for c in counts.columns:
                hide = bool(suppressed.at[r, c]) if suppressed is not None else False
                keys[(r, c)] = self.add_cell(name, r, c, int(counts.at[r, c]), suppressed=hide,
                                             protected=(str(r), str(c)) in prot)
        rows = [r for r in counts.index if r != row_total]
        cols = [c for c in counts.columns if c != col_total]
        if col_total is not None:
            for r in counts.index:
                self.add_sum(keys[(r, col_total)], [keys[(r, c)] for c in cols])
        if row_total is not None:
            for c in counts.columns:
                if col_total is not None and c == col_total:
                    continue
                self.add_sum(keys[(row_total, c)], [keys[(r, c)] for r in rows])
        return keys

    def add_complement(self, numerator: Key, denominator: Key, table: str, row) -> Key:
        """The count ``denominator - numerator`` (e.g. "35 of 38" tells of 3), an audited hidden cell."""
        value = self.cells[denominator].value - self.cells[numerator].value
        key = self.add_cell(table, row, "complement", value, published=False, audited=True)
        self.add_equation({numerator: 1, key: 1, denominator: -1}, 0)
        return key

    def add_rounded_share(self, numerator: Key, denominator: Key, share, decimals: int = 1) -> None:
        """A share ``100 * numerator / denominator`` printed as ``share`` to ``decimals`` places
        while its counts are not: two inequalities, the true ratio lying within half a unit of
        the last decimal of ``share`` (ends included).

        With ``k = share * 10**decimals`` and ``F = 2 * 100 * 10**decimals``:
        ``(2k - 1) * denominator <= F * numerator <= (2k + 1) * denominator``. Withdrawn by
        :meth:`drop_rounded_share`.

        Examples
        --------
        1.5% of a denominator known to be 200 pins the hidden numerator: 2000 n lies in
        [29 x 200, 31 x 200], i.e. n in [2.9, 3.1], so n = 3.

        >>> pack = Pack()
        >>> n = pack.add_cell("t", "rest", "n", 3, published=False, audited=True)
        >>> d = pack.add_cell("t", "rest", "d", 200, published=False, known=True)
        >>> pack.add_rounded_share(n, d, "1.5")
        >>> audit(pack)[["row", "column", "min_possible", "max_possible"]].values.tolist()
        [['rest', 'n', 3, 3]]
        >>> pack.drop_rounded_share(n, d)
        >>> audit(pack)[["min_possible", "max_possible"]].values.tolist()
        [[0, <NA>]]
        """
        k = int(round(float(share) * 10**decimals))
        f = 2 * 100 * 10**decimals
        self.add_inequality({numerator: -f, denominator: 2 * k - 1}, 0)
        self.add_inequality({numerator: f, denominator: -(2 * k + 1)}, 0)

    def drop_rounded_share(self, numerator: Key, denominator: Key) -> None:
        """Withdraw the inequalities of :meth:`add_rounded_share` (the share is no longer printed)."""
        pair = {numerator, denominator}
        self.inequalities = [(c, r) for c, r in self.inequalities if set(c) != pair]

    def suppress(self, key: Key) -> None:
        """Show ``key`` as ``c`` from now on."""
        cell = self.cells[key]
        if not cell.published:
            raise ValueError(f"disclosure audit: {key} is not published")
        if cell.value == 0:
            raise ValueError(f"disclosure audit: {key} is 0; zeros are shown")
        cell.suppressed = True

    def is_suppressed(self, key: Key) -> bool:
        """Whether ``key`` is shown as ``c``."""
        return self.cells[key].suppressed

    def shown(self, key: Key) -> str:
        """The text printed for ``key``: its value or ``c``."""
        cell = self.cells[key]
        return SUPPRESSED if cell.suppressed else str(cell.value)

    def render(self, name: str, shown: pd.DataFrame) -> pd.DataFrame:
        """``shown`` (text) with every cell of table ``name`` that the pack suppresses set to ``c``."""
        out = shown.copy()
        for (t, r, c), cell in self.cells.items():
            if t != name or not cell.suppressed:
                continue
            rows = [i for i in out.index if str(i) == r]
            cols = [j for j in out.columns if str(j) == c]
            for i in rows:
                for j in cols:
                    out.at[i, j] = SUPPRESSED
        return out

    def _check(self, coefs: dict[Key, int], rhs: int, *, equal: bool) -> None:
        missing = [k for k in coefs if k not in self.cells]
        if missing:
            raise KeyError(f"disclosure audit: relation names unknown cells {missing}")
        lhs = sum(int(c) * self.cells[k].value for k, c in coefs.items())
        if (lhs != rhs) if equal else (lhs > rhs):
            sign = "=" if equal else "<="
            raise ValueError(f"disclosure audit: relation {coefs} {sign} {rhs} does not hold "
                             f"for the true values ({lhs})")

    # -- solving ---------------------------------------------------------------------------
    def _system(self):
        keys = list(self.cells)
        pos = {k: i for i, k in enumerate(keys)}
        lb = np.zeros(len(keys))
        ub = np.full(len(keys), float(CAP))
        for i, k in enumerate(keys):
            cell = self.cells[k]
            if (cell.published and not cell.suppressed) or (not cell.published and cell.known):
                lb[i] = ub[i] = cell.value
            elif cell.published:
                lb[i] = 1  # zeros are shown, so a c is at least 1
            else:
                lb[i] = cell.lower
        constraints = []
        for rows, equal in ((self.equations, True), (self.inequalities, False)):
            if not rows:
                continue
            A = np.zeros((len(rows), len(keys)))
            b = np.zeros(len(rows))
            for m, (coefs, rhs) in enumerate(rows):
                for k, c in coefs.items():
                    A[m, pos[k]] += c
                b[m] = rhs
            constraints.append(LinearConstraint(A, b if equal else -np.inf, b))
        return keys, pos, Bounds(lb, ub), constraints

    def related(self, key: Key) -> list[Key]:
        """Cells sharing an equation or inequality with ``key`` (registration order)."""
        out: dict[Key, None] = {}
        for coefs, _ in self.equations + self.inequalities:
            if key in coefs:
                out.update(dict.fromkeys(k for k in coefs if k != key))
        return list(out)


def _range(keys, pos, bounds, constraints, key) -> tuple[int, int | None]:
    n = len(keys)
    c = np.zeros(n)
    c[pos[key]] = 1.0
    out = []
    for sign in (1.0, -1.0):
        res = milp(sign * c, integrality=np.ones(n), bounds=bounds, constraints=constraints)
        if res.status != 0 or res.x is None:
            raise RuntimeError(f"disclosure audit: the pack's relations have no solution ({res.message})")
        out.append(int(round(res.x[pos[key]])))
    lo, hi = out
    return lo, (None if hi >= CAP else hi)


def cell_fails(lo: int, hi: int | None, threshold: int, *, suppressed: bool) -> bool:
    """Whether a feasible range ``lo..hi`` (``hi`` None: no limit) discloses the cell.

    Examples
    --------
    >>> [cell_fails(*r, 5, suppressed=True) for r in [(1, 5), (1, 2), (3, 3), (40, 40), (1, None), (2, 9)]]
    [False, True, True, True, False, False]
    >>> cell_fails(40, 40, 5, suppressed=False), cell_fails(0, 3, 5, suppressed=False)
    (False, False)
    """
    if suppressed and hi is not None and lo == hi:
        return True
    return lo >= 1 and hi is not None and hi <= threshold and (lo, hi) != (1, threshold)


def audit(pack: Pack) -> pd.DataFrame:
    """The range every suppressed (or derived) cell of ``pack`` can be narrowed to.

    One row per suppressed published cell and per audited hidden cell of 1 to ``threshold``
    (the others cannot fail), in registration order:
    columns :data:`AUDIT_COLUMNS`; ``published`` is ``c`` or ``derived``; ``max_possible`` is
    empty (``pd.NA``) where the pack puts no upper limit.
    """
    # A derived count can only fail with a value of 1..threshold (its range holds its value).
    targets = [k for k, c in pack.cells.items()
               if c.suppressed or (c.audited and 1 <= c.value <= pack.threshold)]
    rows = []
    if targets:
        keys, pos, bounds, constraints = pack._system()
        for k in targets:
            cell = pack.cells[k]
            if not pack.related(k):
                lo, hi = int(bounds.lb[pos[k]]), None
            else:
                lo, hi = _range(keys, pos, bounds, constraints, k)
            rows.append({"table": k[0], "row": k[1], "column": k[2],
                         "published": SUPPRESSED if cell.published else DERIVED,
                         "min_possible": lo, "max_possible": hi,
                         "passes": not cell_fails(lo, hi, pack.threshold, suppressed=cell.published)})
    out = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
    out["min_possible"] = out["min_possible"].astype("Int64")
    out["max_possible"] = pd.array(out["max_possible"].tolist(), dtype="Int64")
    out["passes"] = out["passes"].astype(bool)
    return out


def _candidate(pack: Pack, failing: Key) -> Key | None:
    """The shown cell to suppress next for ``failing``: smallest non-zero, unprotected, nearest."""
    seen = {failing}
    frontier = [failing]
    while frontier:
        near: dict[Key, None] = {}
        for k in frontier:
            near.update(dict.fromkeys(q for q in pack.related(k) if q not in seen))
        options = [q for q in near if pack.cells[q].published and not pack.cells[q].suppressed
                   and not pack.cells[q].protected and pack.cells[q].value > 0]
        if options:
            order = {q: i for i, q in enumerate(pack.cells)}
            return min(options, key=lambda q: (pack.cells[q].value, order[q]))
        seen.update(near)
        # go on through the cells a reader cannot see (suppressed or hidden free quantities)
        frontier = [q for q in near if pack.cells[q].suppressed
                    or (not pack.cells[q].published and not pack.cells[q].known)]
    return None


def protect(pack: Pack, *, max_rounds: int = 1000) -> pd.DataFrame:
    """Suppress further (in place) until :func:`audit` passes or nothing more can be suppressed.

    Each round audits the pack and suppresses one cell for the first failing cell (see the
    module docstring for the choice). Returns the final audit.
    """
    for _ in range(max_rounds):
        result = audit(pack)
        failing = result.loc[~result["passes"]]
        if failing.empty:
            return result
        picked = None
        for t, r, c in failing[["table", "row", "column"]].itertuples(index=False):
            picked = _candidate(pack, (t, r, c))
            if picked is not None:
                break
        if picked is None:
            return result
        pack.suppress(picked)
    return audit(pack)


def require_pass(result: pd.DataFrame) -> None:
    """Raise :class:`DisclosureAuditError` naming every cell of ``result`` that fails.

    Examples
    --------
    >>> ok = pd.DataFrame({"table": ["t"], "row": ["a"], "column": ["n"], "published": ["c"],
    ...                    "min_possible": [1], "max_possible": [9], "passes": [True]})
    >>> require_pass(ok)
    >>> require_pass(ok.assign(max_possible=2, passes=False))
    Traceback (most recent call last):
    ...
    neglect_analysis.disclosure_audit.DisclosureAuditError: The briefing was not written: ...
    """
    bad = result.loc[~result["passes"].astype(bool)]
    if bad.empty:
        return
    where = "; ".join(
        f"{t} row {r!r} column {c!r} ({p}) can be narrowed to {lo}..{'' if pd.isna(hi) else hi}"
        for t, r, c, p, lo, hi in bad[["table", "row", "column", "published", "min_possible",
                                       "max_possible"]].itertuples(index=False)
    )
    raise DisclosureAuditError(
        "The briefing was not written: its suppressed counts can be worked out from what it "
        f"shows ({where}). The pack is too small to share: keep the analyst tables inside the "
        "authority, or include more index parents.")


# -- combining categories ------------------------------------------------------------------

def merge_ordered_bands(counts: Sequence[int], threshold: int = DEFAULT_THRESHOLD) -> list[tuple[int, int]]:
    """Adjacent bands of an ordered table merged so that as few as possible need suppressing.

    Returns the merged bands as ``(first, last)`` positions (inclusive). Among every way of
    merging neighbouring bands, the chosen one has, in order: the fewest bands of 1 to
    ``threshold``; the most bands; the largest smallest non-zero band; the earliest cuts.

    Examples
    --------
    Group sizes 5, 6, 7, 8, 9, 10+ with 14, 7, 10, 4, 2, 1 groups: 8, 9 and 10+ become one band.

    >>> merge_ordered_bands([14, 7, 10, 4, 2, 1])
    [(0, 0), (1, 1), (2, 2), (3, 5)]
    >>> merge_ordered_bands([17, 1, 2, 5, 1])
    [(0, 0), (1, 4)]
    """
    n = len(counts)
    if n == 0:
        return []
    values = [int(v) for v in counts]
    best, best_key = None, None
    for mask in range(2 ** (n - 1)):
        cuts = [i + 1 for i in range(n - 1) if mask >> (n - 2 - i) & 1]
        bounds = list(zip([0] + cuts, [c - 1 for c in cuts] + [n - 1]))
        sums = [sum(values[a:b + 1]) for a, b in bounds]
        small = sum(1 <= s <= threshold for s in sums)
        nonzero = [s for s in sums if s > 0]
        key = (small, -len(bounds), -(min(nonzero) if nonzero else 0), cuts)
        if best_key is None or key < best_key:
            best, best_key = bounds, key
    return best


def merge_columns(table: pd.DataFrame, groups: Sequence[tuple[str, Sequence[str]]]) -> pd.DataFrame:
    """Columns of ``table`` summed into named groups, in the order given.

    Examples
    --------
    >>> t = pd.DataFrame({"cla": [0, 1], "care": [2, 3], "none": [5, 6]})
    >>> merge_columns(t, [("cla_or_care", ["cla", "care"]), ("none", ["none"])]).values.tolist()
    [[2, 5], [4, 6]]
    """
    return pd.DataFrame({name: table[list(cols)].sum(axis=1) for name, cols in groups},
                        index=table.index)
