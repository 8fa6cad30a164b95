"""Which allocator Arrow uses in a run of the command, and memory handed back between phases.

pyarrow's default pool (mimalloc in the wheels) hands freed pages back to the system eagerly;
the loader and the analysis make and drop many column-sized buffers, so those pages are
faulted in again and again. At 10,000 parents that is about 1 s of system time, a tenth of
the run (benchmarks/RESULTS.md, "Issue 11, session 4"); with the C library's allocator
(Arrow's ``system`` pool) freed memory is reused. Outputs do not depend on the allocator.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os

import pyarrow as pa

#: The environment variable by which a user names Arrow's pool (Arrow's own; respected).
POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def use_system_memory_pool() -> str:
    """Make Arrow allocate from the C library's ``malloc`` (its ``system`` pool) for the rest
    of this process, unless ``ARROW_DEFAULT_MEMORY_POOL`` names a pool; returns the backend
    name of the pool then in use.

    Buffers made before keep the pool they came from (each is freed to its own pool), so
    this may be called at any time; the command line calls it once at start.

    Examples
    --------
    >>> use_system_memory_pool() in ("system", os.environ.get(POOL_VARIABLE))
    True
    """
    if not os.environ.get(POOL_VARIABLE):
        pa.set_memory_pool(pa.system_memory_pool())
    return pa.default_memory_pool().backend_name


def release_free_memory() -> bool:
    """Hand the memory the C library's allocator holds free back to the system (glibc's
    ``malloc_trim(0)``); True where some was. Elsewhere (no glibc) nothing is done: False.

    Freed column buffers stay resident in ``malloc``'s heap, in holes that later large
    buffers (allocated apart, by ``mmap``) cannot reuse: at 100,000 parents the loader leaves
    about 2.8 GiB resident and free, and the sort of the events then adds its copy on top
    (peak 5.4 GiB; 4.0 GiB when the free memory is released first; benchmarks/RESULTS.md).
    :func:`~neglect_analysis.io.load_extract` calls this between reading and coding the
    tables, and once more at its end.

    Examples
    --------
    >>> release_free_memory() in (True, False)
    True
    """
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError, TypeError):
        return False
    return bool(trim(0))
