"""Whole-process measures for the benchmark scripts (standard library only, so importing it
adds nothing to the process it measures)."""
from __future__ import annotations

import os
import resource
import time
from pathlib import Path

_T0 = time.perf_counter()


def process_wall_seconds() -> float:
    """Seconds since this process started (``/proc/self/stat``); where ``/proc`` is missing,
    the seconds since this module was imported."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / ticks  # field 22 of stat: start time, ticks after boot
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - started)
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _T0


def process_measures() -> dict:
    """Wall, CPU (user + system, every thread) seconds and peak RSS (MiB) of this whole
    process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return {"wall_seconds": process_wall_seconds(), "cpu_seconds": r.ru_utime + r.ru_stime,
            "peak_rss_mib": r.ru_maxrss / 1024}
