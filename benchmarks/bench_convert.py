"""Benchmark ``neglect-analysis convert cin-census`` on a whole authority's ten census years.

Generates ten synthetic CIN census files (``tests/census_fixtures.write_bulk_census``), 50,000
children a year by default, with children carried over from one year to the next (each year
35% new ids) and every other year namespaced; then runs the command once in a fresh process and
records wall time, CPU seconds (the process and its worker processes) and peak memory: the
largest single process (``ru_maxrss``) and the whole process tree (its summed RSS, sampled
every 0.1 s from ``/proc``).

    .venv/bin/python benchmarks/bench_convert.py --workdir /tmp/bench_convert [--children 50000]
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from census_fixtures import write_bulk_census  # noqa: E402


def tree_rss_kib(pid: int) -> int:
    """Summed VmRSS (KiB) of ``pid`` and its descendants, from /proc (0 where gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/bench_convert"))
    ap.add_argument("--children", type=int, default=50_000, help="children per census year")
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--first-year", type=int, default=2017)
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    census = args.workdir / "census"
    census.mkdir(parents=True, exist_ok=True)
    files = []
    t0 = time.perf_counter()
    for i in range(args.years):
        year = args.first_year + i
        path = census / f"cin_{year}.xml"
        if not path.exists():
            write_bulk_census(path, year, args.children, year_index=i)
        files.append(path)
    size = sum(f.stat().st_size for f in files)
    print(f"census files: {len(files)} x {args.children:,} children, {size / 2**20:,.0f} MiB "
          f"(ready in {time.perf_counter() - t0:.1f} s)")
    out = args.workdir / "extract"
    cmd = [str(ROOT / ".venv" / "bin" / "neglect-analysis"), "convert", "cin-census",
           *map(str, files), "--out", str(out), "--force", "--quiet"]
    if args.jobs:
        cmd += ["--jobs", str(args.jobs)]
    load_before = os.getloadavg()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss_kib(proc.pid))
            time.sleep(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    th.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(stdout.strip())
    if proc.returncode not in (0, 1):
        print(stderr, file=sys.stderr)
        raise SystemExit(f"convert failed with exit status {proc.returncode}")
    print(f"exit status {proc.returncode}; wall {wall:.1f} s; CPU {cpu:.1f} s (process + workers); "
          f"largest process {after.ru_maxrss / 1024:,.0f} MiB; process tree peak {peak[0] / 1024:,.0f} MiB; "
          f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
