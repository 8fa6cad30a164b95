"""Synthetic families: index parents, their children, partners and the children's other parents.

All dates are integer day numbers (days since 1970-01-01; :data:`NO_DATE` = missing) so that
every step is a numpy operation over all families at once (no per-family loop).

Structure of one family (all drawn by :func:`draw_families`):

* an index parent (mostly mothers; ``round(n x index_father_share)`` fathers exactly);
* ``min_children`` or more children (negative-binomial extra children; the total calibrated to
  ``round(n x children_per_parent)``: 242 for 38 parents), born at gamma-distributed intervals
  with the occasional twin, the span stretched to at least ``min_span_years`` (the longest gap
  absorbs the difference: the "significant age gap" of the audit) and placed in calendar time so
  that the youngest child is at least ``youngest_age_days`` and the eldest at most
  ``eldest_age_days`` old at the audit date; one child is pinned at each end;
* runs of children by the same other parent (partner spells: a new partner more likely after a
  long gap); a run of 5+ children spanning ``min_span_years`` or more is split so that no other
  parent meets the index rule; some fathers unknown, most fathers absent from ``ssd_person``;
* dated partner rows for each known other parent and for a few partners with no children.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .params import SyntheticParams

#: Missing date in the integer day arrays.
NO_DATE = np.iinfo(np.int64).min
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Families:
    """The drawn families. Frames use integer day numbers for dates (:data:`NO_DATE` = none).

    ``parents``: one row per index parent: ``family``, ``person_id``, ``sex``, ``dob``,
    ``n_children``, ``first_child`` (row of its eldest in ``children``).
    ``children``: one row per child, by family then birth order: ``family``, ``person_id``,
    ``sex``, ``dob``, ``death_date``, ``birth_order`` (0 = eldest), ``gap_days`` (from the
    previous sibling), ``spell`` (global id of the run of children by one other parent).
    ``persons``: everyone in ``ssd_person`` (``person_id``, ``sex``, ``dob``, ``death_date``).
    ``relationships``: ``person_id``, ``related_person_id``, ``relationship``, ``start_date``,
    ``end_date``. ``n_ids``: person ids used (everyone above, also those only in relationships).
    """

    parents: pd.DataFrame
    children: pd.DataFrame
    persons: pd.DataFrame
    relationships: pd.DataFrame
    n_ids: int = 0


def share_of_block(share: float, first: int, n: int) -> int:
    """``round(share x count)`` made exact over consecutive blocks of a cohort.

    The block of ``n`` families starting at family ``first`` gets
    ``round((first + n) x share) - round(first x share)``: the blocks' counts add up to
    ``round(total x share)`` whatever the blocks, and a cohort of one block gets
    ``round(n x share)``.

    Examples
    --------
    >>> share_of_block(0.5, 0, 3), share_of_block(0.5, 3, 3), round(6 * 0.5)
    (2, 1, 3)
    """
    return int(round((first + n) * share)) - int(round(first * share))


def day_number(date: str | pd.Timestamp) -> int:
    """Days since 1970-01-01 of ``date``.

    Examples
    --------
    >>> day_number("1970-01-11")
    10
    """
    return int((pd.Timestamp(date).normalize() - pd.Timestamp("1970-01-01")).days)


def family_sizes(n: int, rng: np.random.Generator, p: SyntheticParams, first: int = 0) -> np.ndarray:
    """Children per index parent: ``min_children`` + negative binomial, calibrated total.

    With ``p.calibrate_total`` the sizes are adjusted by whole children (added to families
    drawn uniformly; removed from the pool of children above the minimum, drawn without
    replacement) so that they sum to ``round(n * p.children_per_parent)`` (for a block of
    families starting at family ``first``: its share, :func:`share_of_block`). Sizes are then
    capped at ``p.max_children`` where it is set (background families).

    Examples
    --------
    >>> s = family_sizes(38, np.random.default_rng(1), SyntheticParams())
    >>> int(s.sum()), int(s.min()) >= 5
    (242, True)
    """
    mean_extra = max(p.children_per_parent - p.min_children, 1e-9)
    r = p.extra_children_dispersion
    sizes = p.min_children + rng.negative_binomial(r, r / (r + mean_extra), size=n)
    if p.calibrate_total and n:
        diff = share_of_block(p.children_per_parent, first, n) - int(sizes.sum())
        if diff > 0:
            sizes = sizes + np.bincount(rng.integers(0, n, size=diff), minlength=n)
        elif diff < 0:
            pool = np.repeat(np.arange(n), sizes - p.min_children)
            take = rng.choice(len(pool), size=min(-diff, len(pool)), replace=False)
            sizes = sizes - np.bincount(pool[take], minlength=n)
    if p.max_children is not None:
        sizes = np.minimum(sizes, p.max_children)
    return sizes.astype(np.int64)


def _group_sum(values: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(group, weights=values, minlength=n)


def _birth_gaps(sizes, fam_c, pos, rng, p):
    """Intervals (float days) from the previous sibling; 0 for the eldest and for twins."""
    c = len(fam_c)
    scale = (p.mean_birth_gap_days - p.min_birth_gap_days) / p.birth_gap_shape
    gap = p.min_birth_gap_days + rng.gamma(p.birth_gap_shape, scale, size=c)
    twin = (rng.random(c) < p.twin_rate) & (pos > 0)
    twin &= ~np.concatenate([[False], twin[:-1]])  # no triplets
    gap[twin] = 0.0
    gap[pos == 0] = 0.0
    n = len(sizes)
    span = _group_sum(gap, fam_c, n)
    lo = p.min_span_years * DAYS_PER_YEAR + p.span_margin_days
    short = np.maximum(lo - span, 0.0)
    # the longest gap of each family absorbs the shortfall (the audit's "significant age gap")
    order = np.lexsort((gap, fam_c))
    ends = np.cumsum(sizes) - 1
    longest = order[ends]
    gap[longest] += short
    span = _group_sum(gap, fam_c, n)
    hi = p.max_span_years * DAYS_PER_YEAR
    shrink = np.where(span > hi, hi / np.maximum(span, 1.0), 1.0)
    gap = gap * shrink[fam_c]
    return gap, twin


def _split_spells(fam_c, pos, gap, dob, twin, rng, p):
    """Global id of each child's run by one other parent; no run meets the index rule."""
    long_gap = gap > p.long_gap_years * DAYS_PER_YEAR
    change = rng.random(len(pos)) < np.where(long_gap, p.partner_change_after_long_gap,
                                             p.partner_change_per_birth)
    change &= ~twin
    start = (pos == 0) | change
    span_lim = p.min_span_years * DAYS_PER_YEAR
    idx = np.arange(len(pos))
    if p.max_children is not None:  # capped (background) families: fewer children than the index rule
        return np.cumsum(start) - 1
    for _ in range(64):  # each pass splits every offending run once; a few passes suffice
        spell = np.cumsum(start) - 1
        first = np.flatnonzero(start)
        rank = idx - first[spell]
        count = np.bincount(spell)
        first_dob = dob[first]
        last_dob = np.full(len(first), np.iinfo(np.int64).min)
        np.maximum.at(last_dob, spell, dob)
        bad = (count >= p.min_children) & ((last_dob - first_dob) >= span_lim - 60)
        if not bad.any():
            return spell
        cut_rank = p.max_children_same_other_parent
        cut = bad[spell] & (rank == cut_rank)
        cut_twin = cut & twin  # twins stay with the same parent: cut one earlier
        start |= cut & ~twin
        start[np.flatnonzero(cut_twin) - 1] = True
    raise RuntimeError("could not split partner spells")  # pragma: no cover


def draw_families(n_parents: int, rng: np.random.Generator, p: SyntheticParams,
                  audit_date: str | pd.Timestamp, first: int = 0, id_start: int = 0,
                  id_width: int | None = None, pin: bool = True) -> Families:
    """Draw ``n_parents`` families (see the module docstring).

    A block of a larger cohort: ``first`` is the cohort-wide number of its first family (exact
    counts are shared with :func:`share_of_block`), person ids are numbered from
    ``id_start + 1`` and zero-padded to ``id_width`` digits (default: at least 6, enough for
    this block's ids). With ``pin`` (the first block) the youngest and eldest child's ages are
    pinned to ``youngest_age_days`` and ``eldest_age_days``; without it every child's age lies
    strictly between them, so the cohort's ends are the first block's.

    Examples
    --------
    >>> f = draw_families(38, np.random.default_rng(2018), SyntheticParams(), "2018-07-31")
    >>> len(f.parents), len(f.children), int((f.parents["sex"] == "F").sum())
    (38, 242, 35)
    """
    n = int(n_parents)
    audit = day_number(audit_date)
    fam = np.arange(n)
    index_male = np.zeros(n, dtype=bool)
    n_fathers = share_of_block(p.index_father_share, first, n)
    if n_fathers:
        index_male[rng.choice(n, size=n_fathers, replace=False)] = True

    sizes = family_sizes(n, rng, p, first)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    fam_c = np.repeat(fam, sizes)
    pos = np.arange(len(fam_c)) - starts[fam_c]
    gap, twin = _birth_gaps(sizes, fam_c, pos, rng, p)

    # offsets from the eldest, in whole days
    cum = np.cumsum(gap)
    cum = cum - np.repeat(cum[starts] - gap[starts], sizes)
    offset = np.rint(cum).astype(np.int64)
    span = offset[starts + sizes - 1]

    # the youngest child's age at the audit date, skewed young, within the feasible range
    y0 = p.youngest_age_days if p.youngest_age_days is not None else 0
    e_max = (p.eldest_age_days if p.eldest_age_days is not None
             else int(32 * DAYS_PER_YEAR) - 1)
    lo_a = y0 + 1
    hi_a = np.maximum(e_max - 1 - span, lo_a)
    age_y = lo_a + np.floor((hi_a - lo_a) * rng.beta(1.0, p.youngest_age_skew, size=n))
    age_y = age_y.astype(np.int64)
    if n and pin and p.youngest_age_days is not None:
        fy = int(np.argmin(age_y))
        age_y[fy] = y0
    else:
        fy = -1
    if n and pin and p.eldest_age_days is not None:
        if n == 1 and fy == 0:  # one family holds both ends: stretch its births
            offset = np.rint(offset * (p.eldest_age_days - y0) / max(int(span[0]), 1)).astype(np.int64)
            span = offset[starts + sizes - 1]
        else:
            oldest = age_y + span
            if fy >= 0:
                oldest[fy] = -1
            fe = int(np.argmax(oldest))
            age_y[fe] = p.eldest_age_days - span[fe]
    dob = audit - age_y[fam_c] - (span[fam_c] - offset)

    # index parents
    eldest_dob = dob[starts]
    base, mean = np.where(index_male, p.father_age_first_birth[0], p.mother_age_first_birth[0]), \
        np.where(index_male, p.father_age_first_birth[1], p.mother_age_first_birth[1])
    age_first = base + rng.gamma(2.0, mean / 2.0, size=n)
    age_first = np.minimum(age_first, np.maximum(p.max_parent_age_last_birth - span / DAYS_PER_YEAR, 14.0))
    parent_dob = eldest_dob - np.rint(age_first * DAYS_PER_YEAR).astype(np.int64)

    # children
    c = len(fam_c)
    child_sex = np.where(rng.random(c) < p.female_share, "F", "M")
    dies = rng.random(c) < p.child_death_rate
    death = np.full(c, NO_DATE, dtype=np.int64)
    life = np.maximum(audit - dob, 1)
    death[dies] = dob[dies] + 1 + np.floor(rng.random(int(dies.sum())) * life[dies]).astype(np.int64)
    death[dies] = np.minimum(death[dies], audit)

    spell = _split_spells(fam_c, pos, gap, dob, twin, rng, p)
    n_sp = int(spell.max()) + 1 if c else 0
    sp_first = np.full(n_sp, np.iinfo(np.int64).max)
    np.minimum.at(sp_first, spell, np.arange(c))
    sp_fam = fam_c[sp_first]
    sp_first_dob = dob[sp_first]
    sp_last_dob = np.full(n_sp, np.iinfo(np.int64).min)
    np.maximum.at(sp_last_dob, spell, dob)
    sp_last_of_family = np.r_[sp_fam[1:] != sp_fam[:-1], True] if n_sp else np.zeros(0, bool)
    other_male = ~index_male[sp_fam]
    known = rng.random(n_sp) >= np.where(other_male, p.father_unknown, p.mother_unknown)
    in_person_sp = rng.random(n_sp) < np.where(other_male, p.father_in_person_table,
                                                p.mother_in_person_table)
    shift = np.where(other_male, rng.normal(2.5, 4.0, n_sp), rng.normal(-3.0, 3.5, n_sp))
    sp_dob = parent_dob[sp_fam] + np.rint(shift * DAYS_PER_YEAR).astype(np.int64)
    sp_dob = np.maximum(sp_dob, sp_last_dob - int(50 * DAYS_PER_YEAR))
    sp_dob = np.minimum(sp_dob, sp_first_dob - int(16 * DAYS_PER_YEAR))

    # partners with no children
    n_extra = rng.poisson(p.childless_partners_mean, size=n)
    ex_fam = np.repeat(fam, n_extra)
    m = len(ex_fam)
    lo_start = eldest_dob[ex_fam]
    ex_start = lo_start + np.floor(rng.random(m) * np.maximum(audit - 60 - lo_start, 1)).astype(np.int64)
    ex_end = ex_start + 60 + np.rint(rng.exponential(2 * DAYS_PER_YEAR, m)).astype(np.int64)
    ex_end = np.where(ex_end > audit, NO_DATE, ex_end)
    ex_in_person = rng.random(m) < 0.2
    ex_male = ~index_male[ex_fam]
    ex_dob = parent_dob[ex_fam] + np.rint(rng.normal(1.0, 5.0, m) * DAYS_PER_YEAR).astype(np.int64)
    # at least 15 at the start of the relationship, like the other parents' partner rows
    ex_dob = np.minimum(ex_dob, ex_start - int(15 * DAYS_PER_YEAR))

    # person ids: a random permutation so that ids say nothing about families
    kp = int(known.sum())
    total = n + c + kp + m
    width = id_width if id_width is not None else max(6, len(str(id_start + total)))
    numbers = rng.permutation(total) + 1 + id_start
    ids = np.char.add("P", np.char.zfill(numbers.astype(str), width)).astype(object)
    parent_ids, child_ids = ids[:n], ids[n:n + c]
    sp_ids = np.full(n_sp, None, dtype=object)
    sp_ids[known] = ids[n + c:n + c + kp]
    ex_ids = ids[n + c + kp:]

    # partner rows for known other parents
    sp_start = sp_first_dob - 200 - np.floor(rng.random(n_sp) * 700).astype(np.int64)
    sp_start = np.maximum(sp_start, np.maximum(parent_dob[sp_fam], sp_dob) + int(15 * DAYS_PER_YEAR))
    sp_end = sp_last_dob + 60 + np.floor(rng.random(n_sp) * 1140).astype(np.int64)
    still = sp_last_of_family & (rng.random(n_sp) < 0.5)
    sp_end = np.where(still | (sp_end > audit), NO_DATE, sp_end)

    parents = pd.DataFrame({
        "family": fam, "person_id": parent_ids, "sex": np.where(index_male, "M", "F"),
        "dob": parent_dob, "n_children": sizes, "first_child": starts,
    })
    children = pd.DataFrame({
        "family": fam_c, "person_id": child_ids, "sex": child_sex, "dob": dob,
        "death_date": death, "birth_order": pos, "gap_days": np.rint(gap).astype(np.int64),
        "spell": spell, "other_parent_id": sp_ids[spell] if c else np.zeros(0, object),
    })
    persons = pd.concat([
        pd.DataFrame({"person_id": parent_ids, "sex": parents["sex"].to_numpy(),
                      "dob": parent_dob, "death_date": NO_DATE}),
        pd.DataFrame({"person_id": child_ids, "sex": child_sex, "dob": dob, "death_date": death}),
        pd.DataFrame({"person_id": sp_ids[known & in_person_sp],
                      "sex": np.where(other_male, "M", "F")[known & in_person_sp],
                      "dob": sp_dob[known & in_person_sp], "death_date": NO_DATE}),
        pd.DataFrame({"person_id": ex_ids[ex_in_person],
                      "sex": np.where(ex_male, "M", "F")[ex_in_person],
                      "dob": ex_dob[ex_in_person], "death_date": NO_DATE}),
    ], ignore_index=True)

    # relationships: birth links then partner rows
    idx_parent_of = parent_ids[fam_c]
    birth_rel = np.where(index_male[fam_c], "father_of", "mother_of")
    other_rel = np.where(index_male[fam_c], "mother_of", "father_of")
    has_other = known[spell] if c else np.zeros(0, bool)
    rel = [
        pd.DataFrame({"person_id": idx_parent_of, "related_person_id": child_ids,
                      "relationship": birth_rel, "start_date": NO_DATE, "end_date": NO_DATE}),
        pd.DataFrame({"person_id": sp_ids[spell][has_other], "related_person_id": child_ids[has_other],
                      "relationship": other_rel[has_other], "start_date": NO_DATE,
                      "end_date": NO_DATE}),
    ]
    sp_rev = rng.random(n_sp) < p.partner_row_reversed
    a_sp, b_sp = parent_ids[sp_fam], sp_ids
    rel.append(pd.DataFrame({
        "person_id": np.where(sp_rev, b_sp, a_sp)[known],
        "related_person_id": np.where(sp_rev, a_sp, b_sp)[known],
        "relationship": "partner_of", "start_date": sp_start[known], "end_date": sp_end[known]}))
    ex_rev = rng.random(m) < p.partner_row_reversed
    a_ex = parent_ids[ex_fam]
    rel.append(pd.DataFrame({
        "person_id": np.where(ex_rev, ex_ids, a_ex), "related_person_id": np.where(ex_rev, a_ex, ex_ids),
        "relationship": "partner_of", "start_date": ex_start, "end_date": ex_end}))
    relationships = pd.concat(rel, ignore_index=True)
    return Families(parents=parents, children=children, persons=persons,
                    relationships=relationships, n_ids=int(total))
