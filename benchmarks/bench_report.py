"""Time and peak memory of the report's analysis tables at 1,000 / 10,000 / 100,000 parents.

For each size a synthetic extract is generated (Parquet) with the command users run,
``neglect-analysis synthesize OUT --parents N --format parquet``, then each stage runs in a
fresh Python process so that its peak resident memory (RSS) is its own:

- ``synth``: ``neglect-analysis synthesize`` (generating the extract, writing Parquet);
- ``floor``: read the same files into DataFrames and sort the events by family and date: the
  least any analysis of these files must do;
- ``report``: ``neglect-analysis report DATA --out OUT --tables-only`` end to end, split into
  ``load`` (reading + validation + canonical tables), ``analysis`` (every analyst table:
  sibling groups, recurrence, escalation, Kaplan-Meier, findings) and ``write`` (the CSVs).

Library imports (pandas, pyarrow, scipy, the package) are done before each stage's clock starts
and reported apart (``import s``): they are a constant a few seconds long, not a cost of the data.
Each stage reports wall seconds, CPU seconds (user + system; steadier than wall time on a
shared machine) and peak RSS. The 1-minute load average is printed beside each size: the
machine may be shared.

Usage::

    python benchmarks/bench_report.py                       # 1000 10000 100000
    python benchmarks/bench_report.py 1000 10000            # chosen sizes
    python benchmarks/bench_report.py 10000 --profile prof  # also write prof/report_10000.pstats
    python benchmarks/bench_report.py --workdir /tmp/bench  # keep (and reuse) the extracts
    python benchmarks/bench_report.py --partitions 8        # also time the partitioned engine
    python benchmarks/bench_report.py 1000 10000 --repeat 3 # best of 3 alternating runs each

Prints a Markdown table per size and, for two or more sizes, how time grows with the number
of events (the exponent ``k`` in ``time ~ events**k``: 1 is linear).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Imports done before a stage's clock starts (fixed cost, reported apart).
PRELUDE = {
    "synth": "import pandas, numpy, pyarrow, scipy.stats\nfrom neglect_analysis import cli",
    "floor": "import pandas as pd, numpy, pyarrow, pyarrow.parquet, glob, os",
    "report": "import pandas, numpy, pyarrow, scipy.stats\n"
              "from neglect_analysis import cli, report, pipeline, bootstrap, io, export",
    "partitioned": "import pandas, numpy, pyarrow, scipy.stats\n"
                   "from neglect_analysis import io, partition",
}

STAGES = {
    "synth": r"""
# --background off: the index families only, as every figure in RESULTS.md (comparable sizes)
rc = cli.main(['synthesize', ARGS[1], '--parents', ARGS[3], '--seed', ARGS[4], '--format', 'parquet',
               '--background', 'off'])
assert rc == 0, rc
n = int(ARGS[3])
""",
    "floor": r"""
d = ARGS[1]
tables = {os.path.basename(p).rsplit('.', 1)[0]: pd.read_parquet(p) for p in sorted(glob.glob(d + '/*.parquet'))}
rel = tables['relationships']
mother = rel[rel['relationship'] == 'mother_of'][['person_id', 'related_person_id']]
fam = mother.rename(columns={'person_id': 'family', 'related_person_id': 'person'})
frames = []
for name, df in tables.items():
    pid = [c for c in df.columns if c.endswith('_person_id')]
    date = [c for c in df.columns if 'date' in c and 'end' not in c]
    if name.startswith('ssd_') and pid and date and name != 'ssd_person':
        frames.append(pd.DataFrame({'person': df[pid[0]], 'date': pd.to_datetime(df[date[0]], errors='coerce')}))
ev = pd.concat(frames, ignore_index=True).merge(fam, on='person', how='left')
ev = ev.sort_values(['family', 'date'])
n = len(ev)
""",
    # The report end to end, as the command line runs it, with its three phases timed by
    # wrapping the functions run_report calls (behaviour unchanged).
    "report": r"""
phases = {}
def timed(name, fn):
    def wrapper(*a, **k):
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(*a, **k)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - t
            phases[name + '_cpu'] = phases.get(name + '_cpu', 0.0) + time.process_time() - c
    return wrapper
io.load_extract = timed('load', io.load_extract)
# run_report imports findings_with_intervals and with_signal when it calls them: wrapped in
# their modules (the family tables, then the findings with their intervals, then the backtest)
report.build_tables = timed('analysis', report.build_tables)
bootstrap.findings_with_intervals = timed('analysis', bootstrap.findings_with_intervals)
pipeline.with_signal = timed('analysis', pipeline.with_signal)
report.write_analyst_tables = timed('write', report.write_analyst_tables)
events = []
_load = io.load_extract
def counting(*a, **k):
    c, r = _load(*a, **k)
    events.append(len(c.events))
    return c, r
io.load_extract = counting
prof = None
if ARGS[5]:
    import cProfile
    prof = cProfile.Profile(time.process_time)  # CPU time: steadier on a shared machine
    prof.enable()
rc = cli.main(['report', ARGS[1], '--out', ARGS[2], '--tables-only', '--quiet'])
if prof is not None:
    prof.disable()
    prof.dump_stats(ARGS[5])
assert rc in (0, 1), rc
n = events[0]
""",
    "partitioned": r"""
cohort, rep = io.load_extract(ARGS[1])
t = partition.run_partitioned(cohort, n_partitions=int(ARGS[6]))
n = len(t.children)
phases = {}
""",
}

RUNNER = r"""
import sys, time, resource, json, os
ARGS = sys.argv
t_import = time.perf_counter()
{prelude}
t_import = time.perf_counter() - t_import
phases = {{}}
r0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter()
{body}
dt = time.perf_counter() - t0
r1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(json.dumps({{"seconds": dt, "cpu_seconds": cpu, "import_seconds": t_import,
                  "peak_rss_mib": r1.ru_maxrss / 1024, "rows": n, "phases": phases}}))
"""


def run_stage(stage: str, data: Path, out: Path, *, n: int, seed: int, profile: str = "",
              partitions: int = 0) -> dict:
    """Run one stage in a fresh interpreter; return its measurements."""
    code = RUNNER.format(prelude=PRELUDE[stage], body=STAGES[stage])
    argv = [sys.executable, "-c", code, str(data), str(out), str(n), str(seed), profile, str(partitions)]
    load = os.getloadavg()[0]
    res = subprocess.run(argv, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"stage {stage} failed:\n{res.stderr[-3000:]}")
    out_ = json.loads(res.stdout.strip().splitlines()[-1])
    out_["load_avg"] = load
    return out_


def machine() -> str:
    """One line describing the machine and the load on it."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    # Versions from the metadata: importing pandas here would inflate every stage's peak RSS
    # (Linux carries the parent's peak RSS into a forked child's ru_maxrss, even across exec).
    from importlib.metadata import version
    return (f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}, "
            f"pandas {version('pandas')}, pyarrow {version('pyarrow')}; "
            f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, help="keep the extracts here and reuse them on later runs")
    ap.add_argument("--profile", type=Path, help="write a cProfile of each report run into this folder")
    ap.add_argument("--partitions", type=int, default=0, help="also time run_partitioned with N partitions")
    ap.add_argument("--json", type=Path, help="append one JSON line per size to this file")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the floor and the report R times each, alternating, and keep the "
                         "run with the fewest CPU seconds of each (the spread is printed below "
                         "the table); 3 makes the 1,000 and 10,000 figures steady on a shared machine")
    args = ap.parse_args()

    print(f"machine: {machine()}", flush=True)
    head = ("| parents | events | synth s | synth MiB | floor s (cpu) | floor MiB | report s (cpu) | "
            "load s (cpu) | analysis s (cpu) | write s (cpu) | report MiB | report / floor (cpu) | import s | load avg |")
    cols = head.count("|") - 1
    if args.partitions:
        head += " partitioned s | partitioned MiB |"
        cols += 2
    print(head)
    print("|" + "---:|" * cols, flush=True)
    results = []
    spreads = []
    tmp = None if args.workdir else tempfile.mkdtemp(prefix="neglect-bench-")
    root = args.workdir or Path(tmp)
    try:
        for n in args.sizes:
            data, out = root / f"extract_{n}_seed{args.seed}", root / f"out_{n}"
            if data.is_dir() and (data / "extract.json").is_file() and args.workdir:
                synth = None
            else:
                shutil.rmtree(data, ignore_errors=True)
                synth = run_stage("synth", data, out, n=n, seed=args.seed)
            prof = ""
            if args.profile:
                args.profile.mkdir(parents=True, exist_ok=True)
                prof = str(args.profile / f"report_{n}.pstats")
            runs = {"floor": [], "report": []}
            for _ in range(max(1, args.repeat)):
                runs["floor"].append(run_stage("floor", data, out, n=n, seed=args.seed))
                runs["report"].append(run_stage("report", data, out, n=n, seed=args.seed, profile=prof))
            r = {k: min(v, key=lambda x: x["cpu_seconds"]) for k, v in runs.items()}
            spreads.append((n, {k: sorted(x["cpu_seconds"] for x in v) for k, v in runs.items()}))
            if args.partitions:
                r["partitioned"] = run_stage("partitioned", data, out, n=n, seed=args.seed,
                                             partitions=args.partitions)
            shutil.rmtree(out, ignore_errors=True)
            f, rep = r["floor"], r["report"]
            ph = rep["phases"]
            s_synth = (f"{synth['seconds']:.1f} | {synth['peak_rss_mib']:.0f}" if synth else "(reused) | ")
            line = (f"| {n:,} | {rep['rows']:,} | {s_synth} | "
                    f"{f['seconds']:.1f} ({f['cpu_seconds']:.1f}) | {f['peak_rss_mib']:.0f} | "
                    f"{rep['seconds']:.1f} ({rep['cpu_seconds']:.1f}) | "
                    + " | ".join(f"{ph.get(x, 0):.1f} ({ph.get(x + '_cpu', 0):.1f})"
                                 for x in ("load", "analysis", "write"))
                    + f" | {rep['peak_rss_mib']:.0f} | "
                    f"{rep['seconds'] / f['seconds']:.1f} ({rep['cpu_seconds'] / f['cpu_seconds']:.1f}) | "
                    f"{rep['import_seconds']:.1f} | "
                    f"{f['load_avg']:.1f} / {rep['load_avg']:.1f} |")
            if args.partitions:
                p = r["partitioned"]
                line += f" {p['seconds']:.1f} | {p['peak_rss_mib']:.0f} |"
            print(line, flush=True)
            rec = {"parents": n, "events": rep["rows"], "synth": synth, **r}
            results.append(rec)
            if args.json:
                with args.json.open("a") as fh:
                    fh.write(json.dumps(rec) + "\n")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    if args.repeat > 1:
        print(f"\nCPU seconds of each of the {args.repeat} runs (the table shows the fewest):")
        for n, sp in spreads:
            print(f"- {n:,} parents: " + "; ".join(
                f"{k} " + ", ".join(f"{x:.2f}" for x in v) for k, v in sp.items()))

    if len(results) >= 2:
        print("\nGrowth with the number of events (time ~ events^k; k = 1 is linear):")
        for a, b in zip(results, results[1:]):
            ratio = math.log(b["events"] / a["events"])
            parts = []
            for stage in ("floor", "report"):
                for key in ("seconds", "cpu_seconds"):
                    k = math.log(b[stage][key] / a[stage][key]) / ratio
                    parts.append(f"{stage} {key.replace('_seconds', '').replace('seconds', 'wall')} k={k:.2f}")
            for ph in ("load", "analysis"):
                x, y = a["report"]["phases"].get(ph), b["report"]["phases"].get(ph)
                if x and y:
                    parts.append(f"{ph} wall k={math.log(y / x) / ratio:.2f}")
            print(f"- {a['parents']:,} -> {b['parents']:,} parents ({a['events']:,} -> {b['events']:,} events): "
                  + ", ".join(parts))


if __name__ == "__main__":
    main()
