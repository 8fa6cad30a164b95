"""Family bootstrap intervals for shares (DESIGN.md "Family-clustered uncertainty").

Children of one family are not independent, so an interval on a share resamples families:
draw the families (index parents' groups, joined where they share children) with
replacement, ``definitions.bootstrap_draws`` times from one
``numpy.random.default_rng(definitions.bootstrap_seed)``, and take the percentile interval of
the share over the draws.

Vectorised: each share is a ratio of per-family sums, so a draw is a vector of how often
each family was drawn (a row of ``bincount``s), and every draw's numerators and denominators
are one matrix product (``draws x families`` times ``families x measures``). No loop over
draws.

- :func:`draw_counts`: the draw matrix.
- :func:`bootstrap_shares`: percentile intervals from per-family numerators/denominators.
- :func:`findings_per_family`: the findings registry's numerators and denominators per family.
- :func:`findings_intervals` / :func:`with_intervals`: ``ci_lower``, ``ci_upper`` for
  ``findings.csv``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .cohort import Cohort
from .definitions import DEFAULTS, Definitions


def draw_counts(n_families: int, draws: int, seed: int) -> np.ndarray:
    """How often each family is drawn in each bootstrap draw: ``(draws, n_families)`` int64.

    One ``numpy.random.default_rng(seed).integers(0, n, size=(draws, n))`` matrix, counted
    row by row with one ``bincount`` (offsets by row). Each row sums to ``n_families``.

    Examples
    --------
    >>> w = draw_counts(3, 4, seed=1)
    >>> w.shape, w.sum(axis=1).tolist()
    ((4, 3), [3, 3, 3, 3])
    >>> bool((draw_counts(3, 4, seed=1) == w).all())
    True
    """
    if n_families == 0:
        return np.zeros((draws, 0), dtype=np.int64)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n_families, size=(draws, n_families))
    flat = idx + (np.arange(draws) * n_families)[:, None]
    return np.bincount(flat.ravel(), minlength=draws * n_families).reshape(draws, n_families)


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
    """
    cols = np.column_stack([np.asarray(m, dtype=float).reshape(len(m), -1) for m in per_family])
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
    w = draw_counts(num.shape[0], draws, seed).astype(float)
    n, d = w @ num, w @ den
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(d > 0, scale * n / d, np.nan)
    alpha = (1 - confidence_level) / 2
    lo = np.full(num.shape[1], np.nan)
    hi = np.full(num.shape[1], np.nan)
    has = (~np.isnan(share)).any(axis=0)
    if has.any():
        q = np.nanquantile(share[:, has], [alpha, 1 - alpha], axis=0)
        lo[has], hi[has] = q[0], q[1]
    return lo, hi


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
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    sums = draw_counts(v.shape[0], draws, seed).astype(float) @ v
    alpha = (1 - confidence_level) / 2
    if not len(sums):
        return np.full(v.shape[1], np.nan), np.full(v.shape[1], np.nan)
    q = np.quantile(sums, [alpha, 1 - alpha], axis=0)
    return q[0], q[1]


def split_by_family(family, components: pd.DataFrame, names: pd.Index) -> list:
    """The :class:`~neglect_analysis.pipeline.FamilyTables` of each family of ``names``.

    ``components``: ``parent_id``, ``component`` (:func:`neglect_analysis.partition.family_components`).
    A table's row goes to its ``parent_id``'s family, or (tables without one) its
    ``child_id``'s family. Each table is sorted by family code once and sliced (no search per
    family).
    """
    from dataclasses import fields

    comp = components.astype("string")
    fam_of_parent = pd.Series(names.get_indexer(pd.Index(comp["component"])), index=pd.Index(comp["parent_id"]))
    m = family.members
    child_fam = pd.Series(fam_of_parent.reindex(pd.Index(m["parent_id"].astype("string"))).to_numpy(),
                          index=pd.Index(m["child_id"].astype("string")))
    child_fam = child_fam[~child_fam.index.duplicated()]
    parts: list[dict] = [{} for _ in range(len(names))]
    for f in fields(family):
        df = getattr(family, f.name)
        if "parent_id" in df.columns:
            code = fam_of_parent.reindex(pd.Index(df["parent_id"].astype("string"))).to_numpy()
        elif "child_id" in df.columns:
            code = child_fam.reindex(pd.Index(df["child_id"].astype("string"))).to_numpy()
        else:
            code = np.full(len(df), np.nan)
        code = np.where(pd.isna(code), -1, code).astype(np.int64)
        order = np.argsort(code, kind="stable")
        bounds = np.searchsorted(code[order], np.arange(len(names) + 1))
        for i in range(len(names)):
            parts[i][f.name] = df.take(order[bounds[i]:bounds[i + 1]]).reset_index(drop=True)
    return [type(family)(**p) for p in parts]


def findings_per_family(cohort: Cohort, family, *, definitions: Definitions = DEFAULTS,
                        measures=None) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Numerator and denominator of each findings measure, per family.

    A family is a connected component of index parents that share children
    (:func:`neglect_analysis.pipeline.family_clusters`), so every child, its events and its
    groups belong to one family and a child in two groups is counted once, in its family.
    Each measure of the registry (:data:`neglect_analysis.findings.MEASURES`) is evaluated
    on the tables of each family alone (:func:`split_by_family`); the per-family values add up to
    the whole-run values (checked: a ``ValueError`` names a measure that does not).

    Cost: one evaluation of the registry per family (the measures are pure functions of a
    family's tables; the bootstrap over these sums is then vectorised).

    Returns
    -------
    (families, num, den) : family names (the smallest index parent id of each), and
    ``(n_families, n_measures)`` int64 arrays.
    """
    from .findings import MEASURES, FindingsInput
    from .partition import family_components

    measures = MEASURES if measures is None else measures
    comp = family_components(family.members)
    names = pd.Index(sorted(comp["component"].unique()))
    num = np.zeros((len(names), len(measures)), dtype=np.int64)
    den = np.zeros_like(num)
    for i, part in enumerate(split_by_family(family, comp, names)):
        data = FindingsInput(cohort, part, definitions)
        for j, m in enumerate(measures):
            num[i, j], den[i, j] = m.compute(data)
    whole = FindingsInput(cohort, family, definitions)
    for j, m in enumerate(measures):
        n, d = m.compute(whole)
        if (int(n), int(d)) != (int(num[:, j].sum()), int(den[:, j].sum())):
            raise ValueError(f"findings measure {m.name}: per-family counts ({num[:, j].sum()}, "
                             f"{den[:, j].sum()}) do not add up to the whole ({n}, {d})")
    return names, num, den


def findings_intervals(cohort: Cohort, family, *, definitions: Definitions = DEFAULTS,
                       measures=None) -> pd.DataFrame:
    """Family-bootstrap percentile interval of every findings share.

    Returns
    -------
    DataFrame
        ``measure``, ``ci_lower``, ``ci_upper`` (percent, one decimal, as ``share``).
    """
    from .findings import MEASURES

    measures = MEASURES if measures is None else measures
    _, num, den = findings_per_family(cohort, family, definitions=definitions, measures=measures)
    order = canonical_order(num, den)  # intervals independent of the ids
    num, den = num[order], den[order]
    lo, hi = bootstrap_shares(num, den, draws=definitions.bootstrap_draws, seed=definitions.bootstrap_seed,
                              confidence_level=definitions.confidence_level)
    return pd.DataFrame({"measure": [m.name for m in measures], "ci_lower": np.round(lo, 1),
                         "ci_upper": np.round(hi, 1)})


def with_intervals(found: pd.DataFrame, cohort: Cohort, family, *,
                   definitions: Definitions = DEFAULTS) -> pd.DataFrame:
    """``found`` (the findings table) with ``ci_lower`` and ``ci_upper`` after its columns
    (the registry's measures; a measure not in it gets empty values)."""
    ci = findings_intervals(cohort, family, definitions=definitions)
    out = found.drop(columns=["ci_lower", "ci_upper"], errors="ignore")
    return out.merge(ci, on="measure", how="left", validate="one_to_one")
