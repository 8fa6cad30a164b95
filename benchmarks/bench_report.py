"""Time and peak memory of the report's analysis tables at 1,000 / 10,000 / 100,000 parents.

For each size, a synthetic extract is generated once (Parquet, in a temporary folder), then
each stage runs in a fresh Python process so that its peak resident memory (RSS) is its own:

- ``floor``: read the same files into DataFrames and sort the events by family and date: the
  least any analysis of these files must do;
- ``load``: ``load_extract`` (reading, validation, canonical tables);
- ``tables``: ``neglect-analysis report --tables-only`` end to end (load + every analyst table
  + writing the CSVs).

Usage::

    python benchmarks/bench_report.py                 # 1000 10000 100000
    python benchmarks/bench_report.py 1000 10000      # chosen sizes
    python benchmarks/bench_report.py --partitions 8  # also time the partitioned engine

Prints a Markdown table of seconds and peak RSS (MiB) per stage and the ratio tables / floor.
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = {
    "floor": r"""
import glob, os, pandas as pd
d = sys.argv[1]
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
    "load": r"""
from neglect_analysis.io import load_extract
cohort, report = load_extract(sys.argv[1])
n = len(cohort.events)
""",
    "tables": r"""
from neglect_analysis.cli import main
rc = main(['report', sys.argv[1], '--out', sys.argv[2], '--tables-only', '--quiet'])
assert rc in (0, 1), rc
n = 0
""",
    "partitioned": r"""
from neglect_analysis.io import load_extract
from neglect_analysis.partition import run_partitioned
cohort, report = load_extract(sys.argv[1])
t = run_partitioned(cohort, n_partitions=int(sys.argv[3]))
n = len(t.children)
""",
}

RUNNER = r"""
import sys, time, resource, json
t0 = time.perf_counter()
{body}
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": dt, "peak_rss_mib": rss, "rows": n}}))
"""


def run_stage(stage: str, data: Path, out: Path, partitions: int) -> dict:
    code = RUNNER.format(body=STAGES[stage])
    res = subprocess.run([sys.executable, "-c", code, str(data), str(out), str(partitions)],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"stage {stage} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    ap.add_argument("--partitions", type=int, default=0, help="also time run_partitioned with N partitions")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    from neglect_analysis.synthetic import write_extract

    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}, "
          f"{__import__('os').cpu_count()} cores")
    print("| parents | events | synth s | floor s | floor MiB | load s | load MiB | tables s | tables MiB | tables/floor |"
          + (" partitioned s | partitioned MiB |" if args.partitions else ""))
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if args.partitions else ""))
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            data, out = Path(tmp) / "extract", Path(tmp) / "out"
            t0 = time.perf_counter()
            write_extract(data, n_parents=n, seed=args.seed, fmt="parquet")
            synth = time.perf_counter() - t0
            r = {s: run_stage(s, data, out, args.partitions) for s in ("floor", "load", "tables")}
            if args.partitions:
                r["partitioned"] = run_stage("partitioned", data, out, args.partitions)
            line = (f"| {n:,} | {r['load']['rows']:,} | {synth:.1f} | {r['floor']['seconds']:.1f} | "
                    f"{r['floor']['peak_rss_mib']:.0f} | {r['load']['seconds']:.1f} | {r['load']['peak_rss_mib']:.0f} | "
                    f"{r['tables']['seconds']:.1f} | {r['tables']['peak_rss_mib']:.0f} | "
                    f"{r['tables']['seconds'] / r['floor']['seconds']:.1f} |")
            if args.partitions:
                line += f" {r['partitioned']['seconds']:.1f} | {r['partitioned']['peak_rss_mib']:.0f} |"
            print(line, flush=True)


if __name__ == "__main__":
    main()
