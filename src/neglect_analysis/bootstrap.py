"""Family bootstrap intervals for shares (DESIGN.md "Family-clustered uncertainty").

Children of one family are not independent, so an interval on a share resamples families:
draw the families (index parents' groups, joined where they share children) with
replacement, ``definitions.bootstrap_draws`` times from one
``numpy.random.default_rng(definitions.bootstrap_seed)``, and take the percentile interval of
the share over the draws.

Vectorised: each share is a ratio of per-family sums, so a draw is a vector of how often
each family was drawn (a row of ``bincount``s), and every draw's numerators and denominators
are one matrix product (``draws x families`` times ``families x measures``), made a block of
draws at a time to bound memory. No loop over draws or families.

- :func:`draw_index` / :func:`draw_counts`: the draws.
- :func:`resampled_totals`: every draw's totals of per-family values;
  :func:`percentile_shares` / :func:`percentile_sums`: their percentile intervals.
- :func:`bootstrap_shares` / :func:`bootstrap_sums`: both steps at once.
- :func:`family_codes`: the families of a run (connected index parents).
- :func:`findings_per_family`: the findings registry's numerators and denominators per family,
  summed from each measure's per-row :class:`~neglect_analysis.findings.Counts`.
- :func:`findings_with_intervals`: the run's findings table with its intervals, as the report
  writes it and the notebooks read it (one evaluation of the measures).
- :func:`findings_intervals` / :func:`with_intervals`: ``ci_lower``, ``ci_upper`` for
  ``findings.csv``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .cohort import Cohort
from .definitions import DEFAULTS, Definitions
from .idsets import positions


#: Most (draw, family) cells of the count matrix made at once: the draws are made, turned into
#: counts and multiplied by the per-family values a block of draws at a time
#: (:func:`draw_blocks`), so memory stays bounded (about 20 bytes x this: the block's draws,
#: their counts and the counts as floats for the matrix product) whatever the number of
#: families (about 80 MB a block). The product is a float BLAS one: 4 M to 12 M cells cost the
#: same (100,000 families, 64 columns, 2000 draws: 6.1 to 6.6 s CPU, benchmarks/RESULTS.md).
BLOCK_CELLS = 4_000_000


def draw_index(n_families: int, draws: int, seed: int) -> np.ndarray:
    """The families drawn: ``(draws, n_families)`` int32, row ``r`` the positions of the
    families of draw ``r``.

    One ``numpy.random.default_rng(seed).integers(0, n, size=(draws, n))`` call (int32: the
    same numbers as the default int64, half the memory).

    Examples
    --------
    >>> draw_index(3, 2, seed=1).shape
    (2, 3)
    """
    if n_families == 0:
        return np.zeros((draws, 0), dtype=np.int32)
    return np.random.default_rng(seed).integers(0, n_families, size=(draws, n_families), dtype=np.int32)


def draw_blocks(n_families: int, draws: int, seed: int, rows: int):
    """The rows of :func:`draw_index` ``(n_families, draws, seed)``, ``rows`` at a time: yields
    ``(first_row, block)`` with ``block`` of shape ``(k, n_families)``, ``k <= rows``.

    One generator drawn in order, so the blocks stacked are exactly :func:`draw_index` (the
    bit generator keeps any unused half of a 64-bit word between calls), without holding
    every draw at once.

    Examples
    --------
    >>> blocks = [b for _, b in draw_blocks(5, 7, seed=3, rows=3)]
    >>> [b.shape[0] for b in blocks]
    [3, 3, 1]
    >>> bool((np.vstack(blocks) == draw_index(5, 7, seed=3)).all())
    True
    """
    rows = max(1, int(rows))
    rng = np.random.default_rng(seed)
    for a in range(0, draws, rows):
        k = min(rows, draws - a)
        if n_families == 0:
            yield a, np.zeros((k, 0), dtype=np.int32)
        else:
            yield a, rng.integers(0, n_families, size=(k, n_families), dtype=np.int32)


def draw_counts(n_families: int, draws: int, seed: int) -> np.ndarray:
    """How often each family is drawn in each bootstrap draw: ``(draws, n_families)`` int64.

    The rows of :func:`draw_index`, counted row by row with one ``bincount`` (offsets by
    row). Each row sums to ``n_families``. For many families use :func:`resampled_totals`,
    which never holds this whole matrix.

    Examples
    --------
    >>> w = draw_counts(3, 4, seed=1)
    >>> w.shape, w.sum(axis=1).tolist()
    ((4, 3), [3, 3, 3, 3])
    >>> bool((draw_counts(3, 4, seed=1) == w).all())
    True
    """
    return _counts_of(draw_index(n_families, draws, seed), n_families)


def _counts_of(idx: np.ndarray, n_families: int) -> np.ndarray:
    """Rows of family positions -> rows of counts per family (one offset ``bincount``)."""
    k = idx.shape[0]
    if n_families == 0:
        return np.zeros((k, 0), dtype=np.int64)
    flat = idx.astype(np.int64)
    flat += (np.arange(k, dtype=np.int64) * n_families)[:, None]
    return np.bincount(flat.ravel(), minlength=k * n_families).reshape(k, n_families)


def resampled_totals(values: np.ndarray, *, draws: int = 2000, seed: int = 2018) -> np.ndarray:
    """Every draw's totals of per-family ``values``: ``(draws, n_measures)`` float64.

    Draw ``r``'s total of measure ``j`` is ``sum_f counts[r, f] * values[f, j]`` with
    ``counts`` = :func:`draw_counts` ``(n_families, draws, seed)``: one matrix product for all
    measures, made a block of draws at a time (:data:`BLOCK_CELLS`, :func:`draw_blocks`), so
    neither the draws nor the count matrix are ever held whole; equal columns are totalled
    once. Integer values give exact totals (float64 holds integers to 2**53),
    so the result does not depend on the blocks.

    Examples
    --------
    Two families, (1, 2) and (3, 4): a draw holds each family 0, 1 or 2 times in all.

    >>> t = resampled_totals(np.array([[1.0, 2.0], [3.0, 4.0]]), draws=3, seed=0)
    >>> w = draw_counts(2, 3, seed=0)
    >>> bool((t == w @ np.array([[1.0, 2.0], [3.0, 4.0]])).all())
    True
    """
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    nf = v.shape[0]
    if nf == 0:
        return np.zeros((draws, v.shape[1]))
    # Equal columns (e.g. one denominator shared by several measures) are totalled once.
    kept, back = distinct_columns(v)
    distinct = np.ascontiguousarray(v if len(kept) == v.shape[1] else v[:, kept])  # all distinct: no copy
    out = np.empty((draws, distinct.shape[1]))
    for a, idx in draw_blocks(nf, draws, seed, BLOCK_CELLS // nf):  # one matrix product a block
        counts = _counts_of(idx, nf)
        del idx
        out[a:a + len(counts)] = counts.astype(np.float64) @ distinct  # BLAS (float @ float)
        del counts
    return out[:, np.asarray(back).reshape(-1)]


def distinct_columns(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first of each set of equal columns of ``v`` and, for every column, which of those
    it equals: ``v[:, kept][:, back]`` is ``v``.

    Columns are compared whole (``np.array_equal``) only where their sums agree, so no copy of
    ``v`` is made (``np.unique(v, axis=1)`` sorts a transposed copy: several times ``v`` at a
    whole authority's size).

    Examples
    --------
    >>> kept, back = distinct_columns(np.array([[1.0, 2.0, 1.0, 3.0], [4.0, 3.0, 4.0, 2.0]]))
    >>> kept.tolist(), back.tolist()
    ([0, 1, 3], [0, 1, 0, 2])
    """
    sums = v.sum(axis=0)  # equal columns have equal sums (each summed the same way)
    kept: list[int] = []
    back = np.empty(v.shape[1], dtype=np.intp)
    by_sum: dict[float, list[int]] = {}
    for j in range(v.shape[1]):  # columns (a few hundred measures or keys), not families
        same = [i for i in by_sum.get(sums[j], []) if np.array_equal(v[:, kept[i]], v[:, j])]
        if same:
            back[j] = same[0]
        else:
            back[j] = len(kept)
            by_sum.setdefault(sums[j], []).append(len(kept))
            kept.append(j)
    return np.asarray(kept, dtype=np.intp), back


def percentile_shares(num_totals: np.ndarray, den_totals: np.ndarray, *, confidence_level: float = 0.95,
                      scale: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of ``scale * num / den`` over draws (rows) for each measure
    (column); a draw with ``den`` 0 is left out; NaN where no draw has a share.

    Examples
    --------
    Shares 50% and 75% (the third draw has no denominator); quartiles 56.25 and 68.75.

    >>> lo, hi = percentile_shares(np.array([[1.0], [3.0], [0.0]]), np.array([[2.0], [4.0], [0.0]]), confidence_level=0.5)
    >>> lo.tolist(), hi.tolist()
    ([56.25], [68.75])
    """
    n, d = np.asarray(num_totals, dtype=float), np.asarray(den_totals, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(d > 0, scale * n / d, np.nan)
    alpha = (1 - confidence_level) / 2
    lo = np.full(share.shape[1], np.nan)
    hi = np.full(share.shape[1], np.nan)
    has = (~np.isnan(share)).any(axis=0)
    if has.any():
        q = np.nanquantile(share[:, has], [alpha, 1 - alpha], axis=0)
        lo[has], hi[has] = q[0], q[1]
    return lo, hi


def percentile_sums(totals: np.ndarray, *, confidence_level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of each column of ``totals`` (draws x measures); NaN without draws.

    Examples
    --------
    >>> lo, hi = percentile_sums(np.array([[1.0], [2.0], [3.0]]), confidence_level=0.5)
    >>> lo.tolist(), hi.tolist()
    ([1.5], [2.5])
    """
    t = np.asarray(totals, dtype=float)
    if not len(t):
        return np.full(t.shape[1], np.nan), np.full(t.shape[1], np.nan)
    alpha = (1 - confidence_level) / 2
    q = np.quantile(t, [alpha, 1 - alpha], axis=0)
    return q[0], q[1]


def canonical_order(*per_family: np.ndarray) -> np.ndarray:
    """An order of the families that depends on their values only, not on their ids.

    The draws of :func:`draw_counts` are given to families by position; sorting the families
    by their own per-family values first (lexicographically, over every column of every
    matrix given) makes an interval a function of the families' values alone, so that, e.g.,
    pseudonymised ids give the same intervals. Families with equal values are
    interchangeable, so their order among themselves does not matter.

    Examples
    --------
    >>> canonical_order(np.array([[3], [1], [2]]), np.array([[1], [1], [1]])).tolist()
    [1, 2, 0]
    >>> canonical_order(np.array([[3, 1], [1, 1], [2, 1]], dtype=np.int32)).tolist()  # one matrix: the same
    [1, 2, 0]
    """
    mats = [np.asarray(m).reshape(len(m), -1) for m in per_family]
    # Integers are sorted as they are (the same order as their float values), and one matrix
    # is not copied: no float copy of a whole authority's counts.
    cols = mats[0] if len(mats) == 1 else np.column_stack(mats)
    if cols.dtype.kind not in "biuf":
        cols = cols.astype(float)
    if not cols.size:
        return np.arange(len(per_family[0]) if per_family else 0)
    return np.lexsort(cols.T[::-1])


def bootstrap_shares(num: np.ndarray, den: np.ndarray, *, draws: int = 2000, seed: int = 2018,
                     confidence_level: float = 0.95, scale: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """Percentile family-bootstrap intervals of ``scale * sum(num) / sum(den)`` per measure.

    Parameters
    ----------
    num, den : ``(n_families, n_measures)`` per-family numerators and denominators.
    draws, seed : the bootstrap draws and the seed of :func:`draw_counts`.
    confidence_level : the interval is the ``(1 - level) / 2`` and ``(1 + level) / 2``
        quantiles (``numpy.nanquantile``, linear) of the draws' shares.
    scale : 100 for percentages.

    Returns
    -------
    (lower, upper) : arrays ``(n_measures,)``. A draw whose denominator is 0 has no share
    and is left out; NaN where no draw has one.

    Examples
    --------
    Every family has the same share, so every draw does: the interval is that share.

    >>> num = np.array([[1.0], [2.0], [3.0]]); den = 2 * num
    >>> lo, hi = bootstrap_shares(num, den, draws=50, seed=3)
    >>> lo.tolist(), hi.tolist()
    ([50.0], [50.0])
    """
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    if num.ndim == 1:
        num, den = num[:, None], den[:, None]
    t = resampled_totals(np.hstack([num, den], dtype=np.float64), draws=draws, seed=seed)
    m = num.shape[1]
    return percentile_shares(t[:, :m], t[:, m:], confidence_level=confidence_level, scale=scale)


def bootstrap_sums(values: np.ndarray, *, draws: int = 2000, seed: int = 2018,
                   confidence_level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile family-bootstrap interval of column sums of per-family ``values``
    ``(n_families, n_measures)`` (the same draws as :func:`bootstrap_shares`).

    Examples
    --------
    >>> lo, hi = bootstrap_sums(np.array([[1.0], [1.0]]), draws=20, seed=1)  # every draw: 2
    >>> lo.tolist(), hi.tolist()
    ([2.0], [2.0])
    """
    return percentile_sums(resampled_totals(values, draws=draws, seed=seed), confidence_level=confidence_level)


def family_codes(members: pd.DataFrame) -> tuple[pd.Index, pd.Series, pd.Series]:
    """The families of a run and the family of each index parent and each child.

    A family is a connected component of index parents who share children
    (:func:`neglect_analysis.partition.family_components`, the one definition; named by its
    smallest parent id), so every child is in exactly one family.

    Returns
    -------
    (names, of_parent, of_child) : the family names, sorted; the position in ``names`` of each
    index parent's family and of each child's family (Series of int64 indexed by the text ids).

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": ["M1", "F1", "M1", "M2"], "child_id": ["A", "A", "B", "C"]})
    >>> names, of_parent, of_child = family_codes(m)
    >>> list(names), of_parent.to_dict(), of_child.to_dict()
    (['F1', 'M2'], {'F1': 0, 'M1': 0, 'M2': 1}, {'A': 0, 'B': 0, 'C': 1})
    """
    from .partition import family_components  # partition imports the pipeline

    comp = family_components(members)
    # A family is named by its smallest parent, who is its own component: ``comp`` is sorted by
    # parent, so these names are sorted (no sort of text).
    names = pd.Index(comp.loc[(comp["parent_id"] == comp["component"]).to_numpy(), "component"])
    of_parent = pd.Series(positions(comp["component"], names),
                          index=pd.Index(comp["parent_id"].astype("string")))
    m = members[["parent_id", "child_id"]].astype("string").drop_duplicates("child_id")
    of_child = pd.Series(of_parent.to_numpy()[positions(m["parent_id"], of_parent.index)],
                         index=pd.Index(m["child_id"]))
    return names, of_parent, of_child.sort_index()


def findings_per_family(cohort: Cohort, family, *, definitions: Definitions = DEFAULTS,
                        measures=None, data=None) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Numerator and denominator of each findings measure, per family.

    A family is a connected component of index parents that share children
    (:func:`family_codes`), so every child, its events and its groups belong to one family
    and a child in two groups is counted once, in its family. Each measure of the registry
    (:data:`neglect_analysis.findings.MEASURES`) is evaluated once on the whole run; its
    :class:`~neglect_analysis.findings.Counts` say which child or index parent every counted
    row belongs to, and the rows are summed by family with ``np.bincount`` (no loop over
    families). The per-family values add up to the whole-run values by construction.
    ``data``: the run's :class:`~neglect_analysis.findings.FindingsInput` when one is made
    already (the counts :func:`neglect_analysis.findings.findings` computed are reused).

    Returns
    -------
    (families, num, den) : family names (the smallest index parent id of each), and
    ``(n_families, n_measures)`` int64 arrays.

    Raises
    ------
    ValueError
        A measure whose result is not a :class:`~neglect_analysis.findings.Counts`, or one
        that counts a child or parent outside the run's sibling groups.
    """
    from .findings import MEASURES, Counts, FindingsInput

    measures = MEASURES if measures is None else measures
    names, of_parent, of_child = family_codes(family.members)
    num = np.zeros((len(names), len(measures)), dtype=np.int64)
    den = np.zeros_like(num)
    data = FindingsInput(cohort, family, definitions) if data is None else data
    cats = cohort.person_dtype.categories
    by_code = {"parent": _family_by_code(of_parent, cats), "child": _family_by_code(of_child, cats)}
    for j, m in enumerate(measures):  # the registry's measures (a few dozen), not families
        c = data.counts(m)
        if not isinstance(c, Counts):
            raise ValueError(f"findings measure {m.name}: gives no rows per child or group (Counts), "
                             "so it cannot be resampled by family")
        if isinstance(c.ids.dtype, pd.CategoricalDtype) and (
                c.ids.cat.categories is cats or c.ids.cat.categories.equals(cats)):
            code = by_code[c.unit][c.ids.cat.codes.to_numpy()]  # coded ids: integers only
        else:  # text ids: one lookup
            lookup = of_parent if c.unit == "parent" else of_child
            at = positions(c.ids, lookup.index)
            code = np.where(at >= 0, lookup.to_numpy()[np.maximum(at, 0)], -1)
        if (code < 0).any():
            bad = c.ids.iloc[int(np.flatnonzero(code < 0)[0])]
            raise ValueError(f"findings measure {m.name}: counts {c.unit} {bad}, who is not in the "
                             "run's sibling groups")
        num[:, j] = np.bincount(code, weights=c.num, minlength=len(names)).round().astype(np.int64)
        den[:, j] = np.bincount(code, weights=c.den, minlength=len(names)).round().astype(np.int64)
    return names, num, den


def _family_by_code(of_person: pd.Series, categories: pd.Index) -> np.ndarray:
    """Person code -> family position (-1: not in the run's groups), one entry more for
    code -1 (a missing id): ``of_person`` (by text id) looked up once per run."""
    lut = np.full(len(categories) + 1, -1, dtype=np.int64)
    at = positions(pd.Series(of_person.index), categories)
    lut[at[at >= 0]] = of_person.to_numpy()[at >= 0]
    return lut


def findings_intervals(cohort: Cohort, family, *, definitions: Definitions = DEFAULTS,
                       measures=None, data=None) -> pd.DataFrame:
    """Family-bootstrap percentile interval of every findings share (``data``: as
    :func:`findings_per_family`).

    Returns
    -------
    DataFrame
        ``measure``, ``ci_lower``, ``ci_upper`` (percent, one decimal, as ``share``).
    """
    from .findings import MEASURES

    measures = MEASURES if measures is None else measures
    _, num, den = findings_per_family(cohort, family, definitions=definitions, measures=measures, data=data)
    order = canonical_order(num, den)  # intervals independent of the ids
    num, den = num[order], den[order]
    lo, hi = bootstrap_shares(num, den, draws=definitions.bootstrap_draws, seed=definitions.bootstrap_seed,
                              confidence_level=definitions.confidence_level)
    return pd.DataFrame({"measure": [m.name for m in measures], "ci_lower": np.round(lo, 1),
                         "ci_upper": np.round(hi, 1)})


def with_intervals(found: pd.DataFrame, cohort: Cohort, family, *,
                   definitions: Definitions = DEFAULTS, data=None) -> pd.DataFrame:
    """``found`` (the findings table) with ``ci_lower`` and ``ci_upper`` after its columns
    (the registry's measures; a measure not in it gets empty values). ``data``: the
    :class:`~neglect_analysis.findings.FindingsInput` ``found`` was made from, to reuse its
    counts (the report passes it)."""
    ci = findings_intervals(cohort, family, definitions=definitions, data=data)
    out = found.drop(columns=["ci_lower", "ci_upper"], errors="ignore")
    return out.merge(ci, on="measure", how="left", validate="one_to_one")


def findings_with_intervals(cohort: Cohort, family, *, definitions: Definitions = DEFAULTS,
                            groups=None) -> pd.DataFrame:
    """The findings table of a run with its family-bootstrap intervals: ``findings.csv`` as the
    report writes it, and what the notebooks' :class:`~neglect_analysis.notebook.Audit` reads,
    so that the key messages quote the same intervals everywhere. The measures are evaluated
    once (:class:`~neglect_analysis.findings.FindingsInput`) for the table and its draws.
    ``groups``: the run's :class:`~neglect_analysis.family.Family` (``AnalystTables.groups``),
    when one was made, so that its children's events and older-sibling pairs are reused.

    Examples
    --------
    >>> from neglect_analysis.io import load_extract
    >>> from neglect_analysis.pipeline import build_tables
    >>> cohort, _ = load_extract("data/sample")  # doctest: +SKIP
    >>> found = findings_with_intervals(cohort, build_tables(cohort).family)  # doctest: +SKIP
    >>> found.columns[-2:].tolist()  # doctest: +SKIP
    ['ci_lower', 'ci_upper']
    """
    from .findings import FindingsInput, findings

    measured = FindingsInput(cohort, family, definitions, groups)
    return with_intervals(findings(cohort, family, definitions=definitions, data=measured),
                          cohort, family, definitions=definitions, data=measured)
