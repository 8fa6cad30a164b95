"""``generate`` and ``write_extract``: the public entry points of the synthetic cohort.

A cohort is simulated in blocks of ``SyntheticParams.block_parents`` families
(:func:`cohort_blocks`), each with random streams of its own spawned from the seed
(:func:`block_streams`); :func:`generate_blocks` yields each block's tables in turn, ids running
on from block to block, and :func:`write_extract` appends them to the files one at a time.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .defects import inject_defects
from .families import DAYS_PER_YEAR, NO_DATE, day_number, draw_families, share_of_block
from .journeys import child_rows, draw_episodes
from .params import SyntheticParams
from .tables import ID_PREFIXES, build_tables
from .writer import TABLE_ORDER, ExtractWriter, as_text

GENERATOR = "neglect_analysis.synthetic 1"
DEFAULT_AUTHORITY = "Synthetic sample authority"


def _family_attributes(fams, rng, p, audit, ics, first=0):
    """Persistent difficulty, traits and move-in date of each family."""
    n = len(fams.parents)
    # stratified (one draw per 1/n quantile band, in random order) so that even a small cohort
    # spans the whole distribution of difficulty: less seed-to-seed noise in its rates
    u = (rng.permutation(n) + rng.random(n)) / max(n, 1)
    d = stats.gamma.ppf(u, p.difficulty_shape, scale=1.0 / p.difficulty_shape)
    traits = {
        "domestic_abuse": rng.random(n) < p.trait_domestic_abuse,
        "alcohol": rng.random(n) < p.trait_alcohol,
        "drugs": rng.random(n) < p.trait_drugs,
        "mental_health": rng.random(n) < p.trait_mental_health,
        "learning_disability": rng.random(n) < p.trait_learning_disability,
    }
    # exactly round(n x moved_in) families moved in, on a date within the extract window
    eldest = fams.children["dob"].to_numpy()[fams.parents["first_child"].to_numpy()]
    lo = np.maximum(eldest + int(DAYS_PER_YEAR), ics + 180)
    hi = audit - 180
    n_moved = share_of_block(p.moved_in, first, n)
    movers = np.zeros(n, bool)
    movers[rng.permutation(n)[:n_moved]] = True
    movers &= hi > lo
    moved = np.where(movers, lo + np.floor(rng.random(n) * np.maximum(hi - lo, 1)).astype(np.int64),
                     NO_DATE)
    # exactly round(n_moved x moved_in_with_plan) of them arrive with a child on a plan
    with_plan = np.zeros(n, bool)
    idx = np.flatnonzero(movers)
    with_plan[rng.permutation(idx)[:int(round(len(idx) * p.moved_in_with_plan))]] = True
    return d, traits | {"moved": moved, "moved_with_plan": with_plan}


@dataclass(frozen=True)
class Block:
    """One block of a cohort: families ``first .. first + n - 1``, simulated with the random
    streams of block number ``index`` (:func:`block_streams`)."""

    index: int
    first: int
    n: int
    background: bool = False


def cohort_blocks(n_parents: int, block_parents: int) -> list[Block]:
    """The blocks of a cohort of ``n_parents``: ``block_parents`` families each, the last
    one shorter (one empty block for an empty cohort).

    Examples
    --------
    >>> [(b.first, b.n) for b in cohort_blocks(5, 2)]
    [(0, 2), (2, 2), (4, 1)]
    """
    if block_parents < 1:
        raise ValueError(f"block_parents must be at least 1, not {block_parents}")
    n = max(int(n_parents), 0)
    starts = range(0, n, block_parents) if n else [0]
    return [Block(k, s, min(block_parents, n - s)) for k, s in enumerate(starts)]


#: Stream number of the first background block (:func:`block_streams`): far above any index
#: block's, so the index families never depend on whether background families are written.
BACKGROUND_STREAMS = 1_000_000


def background_params(p: SyntheticParams) -> SyntheticParams:
    """The parameters of the background families: ``p`` with 1 to
    ``background_max_children`` children (mean ``background_children_per_family``), no
    minimum span, no pinned ages and no exact total.

    Examples
    --------
    >>> b = background_params(SyntheticParams())
    >>> b.min_children, b.max_children, b.min_span_years, b.calibrate_total
    (1, 4, 0.0, False)
    """
    return replace(p, min_children=1, max_children=p.background_max_children,
                   children_per_parent=p.background_children_per_family, calibrate_total=False,
                   min_span_years=0.0, span_margin_days=0)


def n_background_families(n_parents: int, p: SyntheticParams, background: bool | None = None) -> int:
    """How many background families an extract of ``n_parents`` index parents holds.

    ``background`` None (the default): ``round(n_parents x background_families_per_parent)``
    at whole-authority sizes (``n_parents >= background_min_parents``), else none; True: that
    many at any size; False: none.

    Examples
    --------
    >>> p = SyntheticParams()
    >>> n_background_families(38, p), n_background_families(100, p), n_background_families(100, p, False)
    (0, 200, 0)
    >>> n_background_families(38, p, True)
    76
    """
    if background is None:
        background = n_parents >= p.background_min_parents
    if not background:
        return 0
    return int(round(max(int(n_parents), 0) * p.background_families_per_parent))


def all_blocks(n_parents: int, p: SyntheticParams, background: bool | None = None) -> list[Block]:
    """The index blocks of :func:`cohort_blocks`, then the background families' blocks
    (:func:`n_background_families`, ``block_parents`` each, streams from
    :data:`BACKGROUND_STREAMS` on).

    Examples
    --------
    >>> from dataclasses import replace
    >>> p = replace(SyntheticParams(), block_parents=150)
    >>> [(b.first, b.n, b.background) for b in all_blocks(100, p)]
    [(0, 100, False), (0, 150, True), (150, 50, True)]
    """
    blocks = cohort_blocks(n_parents, p.block_parents)
    n_bg = n_background_families(n_parents, p, background)
    if n_bg:
        blocks += [Block(BACKGROUND_STREAMS + b.index, b.first, b.n, True)
                   for b in cohort_blocks(n_bg, p.block_parents)]
    return blocks


def block_streams(seed: int, index: int) -> list[np.random.Generator]:
    """The four random streams of block ``index``, spawned from ``seed``.

    Block 0 uses the seed's first four children (``SeedSequence(seed).spawn(4)``: what the
    one-block generator always used, so a cohort of one block is unchanged); block ``k >= 1``
    uses the four children of the seed's child number ``3 + k``. Every block's streams are
    independent of every other block's, and of the number of blocks.

    Examples
    --------
    >>> a, b = block_streams(7, 0)[0].random(), block_streams(7, 1)[0].random()
    >>> a == np.random.default_rng(np.random.SeedSequence(7).spawn(1)[0]).random(), a == b
    (True, False)
    """
    if index == 0:
        seqs = np.random.SeedSequence(seed).spawn(4)
    else:
        seqs = np.random.SeedSequence(seed, spawn_key=(3 + index,)).spawn(4)
    return [np.random.default_rng(s) for s in seqs]


def _person_id_width(blocks, seed, p, audit_date) -> int:
    """Digits of person ids for the whole cohort: at least 6, enough for every id drawn
    (each block's families are drawn once more here, only to count their ids)."""
    total = sum(draw_families(b.n, block_streams(seed, b.index)[0], background_params(p) if b.background else p,
                              audit_date, b.first, pin=b.index == 0).n_ids for b in blocks)
    return max(6, len(str(total)))


def _simulate_block(block, seed, p, audit_date, ics_start_date, id_start, person_width):
    """Numeric tables of one block (dates as integer days), sorted as written."""
    audit, ics = day_number(audit_date), day_number(ics_start_date)
    streams = block_streams(seed, block.index)
    if block.background:
        p = background_params(p)
    fams = draw_families(block.n, streams[0], p, audit_date, block.first, id_start["person"],
                         person_width, pin=block.index == 0)
    d, family = _family_attributes(fams, streams[1], p, audit, ics, block.first)
    if block.background:
        d = d * p.background_difficulty
    eps = draw_episodes(fams, d, family["moved"], family["moved_with_plan"], streams[1], p, audit)
    rows = child_rows(eps, fams, p, audit, streams[2])
    tables = build_tables(rows, fams, family, p, streams[3], audit, ics, id_start, block.first)
    del eps, rows  # the per-child rows are the largest frames: free them before the text copies
    if block.background:  # the case review audits the selected sibling groups only
        tables["case_review"] = tables["case_review"].iloc[:0]

    # persons: an expected dob where the child was referred before birth
    first = tables.pop("_first_ics_event")
    ch = fams.children
    prebirth = np.zeros(len(ch), bool)
    fc = first["child"].to_numpy()
    prebirth[fc[first["t"].to_numpy() < ch["dob"].to_numpy()[fc]]] = True
    persons = fams.persons.copy()
    expected = np.full(len(persons), NO_DATE)
    child_rows_in_persons = persons["person_id"].isin(ch["person_id"][prebirth]).to_numpy()
    dob_p = persons["dob"].to_numpy()
    jitter = streams[3].integers(-14, 15, size=len(persons))
    expected[child_rows_in_persons] = (dob_p + jitter)[child_rows_in_persons]
    persons = pd.DataFrame({
        "pers_person_id": persons["person_id"].to_numpy(), "pers_sex": persons["sex"].to_numpy(),
        "pers_dob": dob_p, "pers_expected_dob": expected,
        "pers_death_date": persons["death_date"].to_numpy(),
    }).sort_values("pers_person_id").reset_index(drop=True)
    tables["ssd_person"] = persons
    rel = fams.relationships.sort_values(["person_id", "relationship", "related_person_id"],
                                         kind="stable").reset_index(drop=True)
    tables["relationships"] = rel
    for name in ("ssd_contacts", "ssd_early_help_episodes", "ssd_cin_episodes",
                 "ssd_cin_assessments", "ssd_s47_enquiry", "ssd_initial_cp_conference",
                 "ssd_cp_plans", "ssd_cla_episodes", "ssd_pre_proceedings"):
        tables[name] = tables[name].sort_values(tables[name].columns[0]).reset_index(drop=True)
    tables["ssd_assessment_factors"] = tables["ssd_assessment_factors"].sort_values(
        "cinf_assessment_id").reset_index(drop=True)
    return tables, fams.n_ids


def generate_blocks(
    n_parents: int = 38,
    seed: int = 2018,
    params: SyntheticParams | None = None,
    audit_date: str = "2018-07-31",
    ics_start_date: str = "2009-04-01",
    background: bool | None = None,
) -> Iterator[dict[str, pd.DataFrame]]:
    """The extract of :func:`generate`, one block of ``params.block_parents`` families at a time.

    Yields, for each block in turn, a dict of SSD table name -> DataFrame (all text, ISO
    dates) holding that block's rows: the tables of :func:`generate` are these blocks' rows
    one after another. Ids run on across blocks (person ids of one width for the cohort; row
    ids ``C0000001``... numbered on from the previous block), so blocks can be written one
    after the other (see :func:`write_extract`) with only one block in memory.

    After the index parents' blocks come the background families' (:func:`all_blocks`: the
    rest of the authority, families with fewer than ``min_children`` children; by default at
    whole-authority sizes only, see :func:`n_background_families`; ``background`` False: none,
    True: at any size). They have no case review.

    Examples
    --------
    >>> from dataclasses import replace
    >>> blocks = list(generate_blocks(5, seed=1, params=replace(SyntheticParams(), block_parents=2)))
    >>> [len(b["ssd_person"]) > 0 for b in blocks]
    [True, True, True]
    >>> ids = [b["ssd_contacts"]["cont_contact_id"] for b in blocks]
    >>> ids[0].iloc[-1] < ids[1].iloc[0]
    True
    """
    p = params or SyntheticParams()
    blocks = all_blocks(n_parents, p, background)
    person_width = _person_id_width(blocks, seed, p, audit_date)
    id_start = {key: 0 for key in ID_PREFIXES} | {"person": 0}
    for block in blocks:
        tables, n_ids = _simulate_block(block, seed, p, audit_date, ics_start_date, id_start,
                                        person_width)
        id_start["person"] += n_ids
        for name in ID_PREFIXES:
            if name in tables:
                id_start[name] += len(tables[name])
        id_start["plo"] += int(tables["ssd_pre_proceedings"]["prep_plo_family_id"].nunique())
        # one table at a time, dropping each numeric table once its text copy exists
        yield {name: as_text(tables.pop(name)) for name in TABLE_ORDER}


def generate(
    n_parents: int = 38,
    seed: int = 2018,
    params: SyntheticParams | None = None,
    audit_date: str = "2018-07-31",
    ics_start_date: str = "2009-04-01",
    background: bool | None = None,
) -> dict[str, pd.DataFrame]:
    """A synthetic SSD extract: dict of SSD table name -> DataFrame (all text, ISO dates).

    Simulates families, not rows: index parents with five or more children by one or more
    partners over a span of ten years or more, a persistent family level of difficulty that
    produces contacts, referrals, assessments, S47 enquiries, conferences, CP plans,
    pre-proceedings, care proceedings and care episodes over calendar time (see
    :mod:`neglect_analysis.synthetic`). Every rate is a field of ``params``. The result
    depends only on the arguments: families are simulated in blocks of
    ``params.block_parents`` (:func:`generate_blocks`), each with numpy ``Generator`` streams
    spawned from ``seed`` (:func:`block_streams`).

    With the defaults (38 parents, seed 2018, audit 2018-07-31) the extract matches the
    audit's published facts exactly: 38 index parents (35 mothers), 242 children, the youngest
    4 days and the eldest 31 years old at the audit date, and no other parent meeting the
    index rule (DESIGN.md: >= 5 children, span >= 10 years).

    At whole-authority sizes (``n_parents >= params.background_min_parents``, 100) the extract
    also holds background families with fewer than ``min_children`` children (``background``:
    see :func:`generate_blocks`), so the authority's own baseline can be computed.

    No row is impossible (:func:`~neglect_analysis.synthetic.checks.impossible_rows`): no
    episode ends before it starts, nobody has an event after their death, and no date is
    after the audit date (but an expected date of birth).

    Examples
    --------
    >>> t = generate(5, seed=1)
    >>> sorted(t)[:3]
    ['case_review', 'iro_challenges', 'paper_records']
    >>> t["ssd_person"].columns.tolist()
    ['pers_person_id', 'pers_sex', 'pers_dob', 'pers_expected_dob', 'pers_death_date']
    >>> int((t["relationships"]["relationship"] == "mother_of").sum() >= 25)
    1
    """
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLE_ORDER}
    for block in generate_blocks(n_parents, seed, params, audit_date, ics_start_date, background):
        for name in TABLE_ORDER:
            parts[name].append(block.pop(name))
    return {name: frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
            for name, frames in parts.items()}


def write_extract(
    out_dir: str | Path,
    n_parents: int = 38,
    seed: int = 2018,
    fmt: str = "csv",
    params: SyntheticParams | None = None,
    audit_date: str = "2018-07-31",
    ics_start_date: str = "2009-04-01",
    authority: str = DEFAULT_AUTHORITY,
    defects: bool = False,
    background: bool | None = None,
) -> list[Path]:
    """Generate an extract and write it to ``out_dir`` (one file per table + ``extract.json``).

    ``fmt`` is ``"csv"`` or ``"parquet"``. Same arguments, same bytes. Returns the paths written.
    The committed sample is ``write_extract("data/sample", n_parents=38, seed=2018)``.
    Blocks of families (:func:`generate_blocks`) are appended to the files one at a time, so
    memory holds one block: the files are those of :func:`generate`'s tables written whole.

    With ``defects`` the first block gets the realistic defects of
    :func:`~neglect_analysis.synthetic.defects.inject_defects` (UK dates, SQL datetimes, ids
    that lost their zeros, a parent only in relationships, an unknown code, a repeated row, an
    end before a start), and ``extract.json`` counts them: ``"defects": {name: rows}``. Off
    by default: a normal extract validates with no error and no warning.

    ``background``: background families (the rest of the authority, :func:`generate_blocks`);
    None (default) writes them at whole-authority sizes only, and ``extract.json`` then
    counts them (``"n_background_families"``).

    Examples
    --------
    >>> import tempfile, json, pathlib
    >>> d = tempfile.mkdtemp()
    >>> paths = write_extract(d, n_parents=5, seed=3)
    >>> json.loads((pathlib.Path(d) / "extract.json").read_text())["synthetic"]
    True
    >>> len(paths)
    16
    """
    meta = {
        "audit_date": str(pd.Timestamp(audit_date).date()),
        "ics_start_date": str(pd.Timestamp(ics_start_date).date()),
        "authority": authority,
        "synthetic": True,
        "generator": GENERATOR,
        "seed": int(seed),
        "n_parents": int(n_parents),
    }
    p = params or SyntheticParams()
    n_bg = n_background_families(n_parents, p, background)
    if n_bg:  # only where there are some: the sample's extract.json is unchanged
        meta["n_background_families"] = n_bg
    with ExtractWriter(out_dir, fmt=fmt) as writer:
        for k, block in enumerate(generate_blocks(n_parents, seed, params, audit_date, ics_start_date,
                                                     background)):
            if defects and k == 0:
                block, summary = inject_defects(block, seed)
                meta["defects"] = dict(zip(summary["defect"], summary["rows"].astype(int).tolist()))
            writer.append(block)
        return writer.close(meta)
