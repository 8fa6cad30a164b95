"""Partitioned execution: run the within-family analysis partition by partition.

Every statistic of :func:`neglect_analysis.pipeline.family_tables` is computed within sibling
groups, and a child's older siblings come from every group it belongs to. Index parents who
share a child are therefore kept in one *family component* (connected components of the
parent-child graph), and components are assigned to partitions by a stable hash of their
smallest parent id. Each partition is a small :class:`~neglect_analysis.cohort.Cohort` holding
only its families' people, links and events; the concatenated results equal the in-memory run.

Engines: ``"memory"`` (one partition after another, bounding peak memory by the partition
size) and ``"dask"`` (the same partitions as tasks on a ``dask.distributed`` cluster: a local
cluster by default, or the scheduler at ``scheduler_address``).
"""
from __future__ import annotations

import logging
from functools import partial
import sys
import zlib
from typing import Iterable

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .cohort import Cohort
from .idsets import isin, used_codes
from .pipeline import AnalysisParams, AnalystTables, FamilyTables, cohort_tables, family_tables, select_parents
from . import siblings


def family_components(members: pd.DataFrame) -> pd.DataFrame:
    """Connected components of index parents that share children.

    Returns one row per index parent: ``parent_id``, ``component`` (the smallest parent id of
    its component), sorted by parent id.

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": ["M1", "F1", "M1", "M2"], "child_id": ["A", "A", "B", "C"]})
    >>> family_components(m).values.tolist()
    [['F1', 'F1'], ['M1', 'F1'], ['M2', 'M2']]
    """
    m = members[(members["parent_id"].notna() & members["child_id"].notna()).to_numpy()]
    # Integer codes, sorted as the ids are (siblings.member_codes): parents by their rank among
    # the parents present, children by first appearance; no text is sorted or hashed twice.
    p_codes, p_dtype = siblings.member_codes(m["parent_id"])
    used = used_codes(p_codes, len(p_dtype.categories))  # the parents present, sorted
    p = np.searchsorted(used, p_codes)
    c, children = pd.factorize(m["child_id"])
    n = len(used) + len(children)
    graph = coo_matrix((np.ones(len(p)), (p, c + len(used))), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    labels = labels[: len(used)]
    # Smallest parent id per component: the smallest rank of its parents.
    smallest = np.full(labels.max() + 1 if len(labels) else 0, len(used))
    np.minimum.at(smallest, labels, np.arange(len(used)))
    parents = p_dtype.categories.take(used)
    return pd.DataFrame({"parent_id": parents.astype(str), "component": parents.take(smallest[labels]).astype(str)})


def stable_partition(keys: pd.Series, n_partitions: int) -> np.ndarray:
    """Partition number of each key: CRC-32 of its UTF-8 text modulo ``n_partitions``.

    Stable across runs, machines and Python versions (unlike ``hash``).

    Examples
    --------
    >>> stable_partition(pd.Series(["P001", "P002", "P001"]), 4).tolist()
    [3, 1, 3]
    """
    return np.array([zlib.crc32(str(k).encode("utf-8")) % n_partitions for k in keys], dtype="int64")


def subset_cohort(cohort: Cohort, parents: Iterable[str], members: pd.DataFrame) -> Cohort:
    """The part of ``cohort`` that the sibling groups of ``parents`` need.

    Keeps the groups' children, the index parents, every other parent of those children and
    the index parents' partners (people and links), the partner rows of the index parents,
    and the events, case reviews and IRO challenges of the children.
    """
    parents = pd.Index(list(parents))
    kids = pd.Index(members.loc[isin(members["parent_id"], parents), "child_id"].unique())
    links = cohort.links[isin(cohort.links["child_id"], kids) | isin(cohort.links["parent_id"], parents)]
    partners = cohort.partners[
        isin(cohort.partners["person_id"], parents) | isin(cohort.partners["partner_id"], parents)
    ]
    people = pd.Index(
        pd.concat([links["parent_id"], links["child_id"], partners["person_id"], partners["partner_id"]]).unique()
    ).union(kids).union(parents)
    persons = cohort.persons[isin(cohort.persons["person_id"], people)]
    return cohort.with_tables(
        persons=persons,
        links=links,
        partners=partners,
        events=cohort.events[isin(cohort.events["person_id"], kids)],
        case_review=cohort.case_review[isin(cohort.case_review["person_id"], kids)],
        iro_challenges=cohort.iro_challenges[isin(cohort.iro_challenges["person_id"], kids)],
    )


def plan_partitions(cohort: Cohort, parents: pd.Index, n_partitions: int) -> list[list[str]]:
    """Index parents of each non-empty partition, components kept whole, in partition order."""
    members = siblings.members(cohort, parents)
    comp = family_components(members)
    comp["partition"] = stable_partition(comp["component"], n_partitions)
    return [list(g["parent_id"]) for _, g in comp.groupby("partition", sort=True)]


def run_partitioned(
    cohort: Cohort,
    params: AnalysisParams | None = None,
    *,
    n_partitions: int = 8,
    engine: str = "memory",
    scheduler_address: str | None = None,
    progress: bool = False,
) -> AnalystTables:
    """Run :func:`~neglect_analysis.pipeline.family_tables` per family partition and combine.

    The result equals :func:`~neglect_analysis.pipeline.build_tables` on the whole cohort.

    Parameters
    ----------
    n_partitions : number of hash partitions of family components.
    engine : ``"memory"`` (sequential) or ``"dask"`` (``dask.distributed``).
    scheduler_address : a running Dask scheduler to use; default a local cluster.
    """
    params = params or AnalysisParams()
    parents = select_parents(cohort, params)
    plan = plan_partitions(cohort, parents, n_partitions)
    members = siblings.members(cohort, parents)
    if engine == "memory":
        from tqdm import tqdm

        parts = [
            family_tables(subset_cohort(cohort, ids, members), ids, definitions=params.definitions)
            for ids in tqdm(plan, desc="family partitions", disable=not progress, file=sys.stderr)
        ]
    elif engine == "dask":
        parts = _run_dask(cohort, plan, members, params.definitions, scheduler_address, progress)
    else:
        raise ValueError(f"engine must be 'memory' or 'dask', not {engine!r}")
    family = FamilyTables.concat(parts) if parts else family_tables(cohort, [], definitions=params.definitions)
    return AnalystTables(family=family, **cohort_tables(family, definitions=params.definitions))


def _run_dask(cohort, plan, members, definitions, scheduler_address, progress) -> list[FamilyTables]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as e:  # pragma: no cover - dask is in the "scale" extra
        raise ImportError("--engine dask needs the 'scale' extra: pip install 'neglect-analysis[scale]'") from e

    subsets = [subset_cohort(cohort, ids, members) for ids in plan]
    if scheduler_address:
        client = Client(scheduler_address)
        cluster = None
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        futures = client.map(partial(family_tables, definitions=definitions), subsets, plan, pure=False)
        if progress:
            from dask.distributed import progress as dask_progress

            dask_progress(futures, file=sys.stderr)
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
