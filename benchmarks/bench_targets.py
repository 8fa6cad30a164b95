"""The speed targets of issue 11 item 7: the report against two yardsticks, as whole processes.

For each extract three commands run as whole processes (interpreter start, imports, work,
exit), ``--repeat`` R times each, alternating (floor, DuckDB, report; floor, DuckDB, report; ...):

- ``report``: ``neglect-analysis report DIR --out TMP --tables-only --quiet``;
- ``floor``: ``python benchmarks/arrow_floor.py DIR`` (``pyarrow.csv`` reads every table as
  text, plus one sort of the events by person and date);
- ``duckdb``: ``python benchmarks/duckdb_rewrite.py DIR`` (the per-child counts, first
  involvement and escalation rewritten in DuckDB SQL, ``import duckdb`` included).

Each run is measured from outside: wall seconds from the start of the process to its exit
(``time.perf_counter`` around it), CPU seconds (user + system) and peak RSS from the kernel's
accounting of that child (``os.wait4``). **Best run** of a command: the one with the fewest
wall + CPU seconds (one number that a busy machine inflates either way). The ratios use wall
seconds (what a user waits for, on the machine's cores: DuckDB and Arrow use both), with the
CPU-seconds ratio beside them.

Targets (issue 11): at 10,000 parents report / floor <= 2 and report / DuckDB <= 1.2 (wall);
at 100,000 parents the report's peak RSS < 3 GiB and the analysis phase growing no faster than
the events. For the last one, with ``--phases`` (on by default when two or more sizes are
given), the report also runs once more per size under ``bench_report.py``'s phase timer (load /
analysis / write inside one process) and the exponent ``k`` of ``analysis seconds ~ events^k``
is printed between consecutive sizes (k <= 1: no faster than the events).

Usage::

    python benchmarks/bench_targets.py /work/baseline/ext1k /work/baseline/ext10k --repeat 3
    python benchmarks/bench_targets.py --parents 1000 10000 100000 --workdir /tmp/bench --repeat 3
    python benchmarks/bench_targets.py DIR --check   # also: duckdb_rewrite --compare on the
                                                     # report's children.csv (0 mismatches?)

``--parents N`` makes (or reuses) ``WORKDIR/ext_N_seed7``: ``neglect-analysis synthesize DIR
--parents N --seed 7`` (CSV, as the extracts of ``RESULTS.md``). The benchmark process itself
never imports pandas, pyarrow or duckdb (Linux carries a parent's peak RSS into its children).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_report import machine, run_stage  # noqa: E402  (stdlib only: no pandas here)

COMMANDS = ("floor", "duckdb", "report")
#: Issue 11 targets.
MAX_FLOOR_RATIO = 2.0
MAX_DUCKDB_RATIO = 1.2
MAX_PEAK_GIB = 3.0
#: Growth exponent accepted as "no faster than the events" (1 plus measurement noise).
MAX_GROWTH_K = 1.05


def script(name: str) -> str:
    """An executable next to the running Python (the venv's ``neglect-analysis``)."""
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def command(kind: str, extract: Path, out: Path) -> list[str]:
    """The command line of ``kind`` on ``extract`` (``out``: the report's output folder)."""
    if kind == "floor":
        return [sys.executable, str(HERE / "arrow_floor.py"), str(extract)]
    if kind == "duckdb":
        return [sys.executable, str(HERE / "duckdb_rewrite.py"), str(extract)]
    return [script("neglect-analysis"), "report", str(extract), "--out", str(out),
            "--tables-only", "--quiet"]


def run_process(argv: list[str]) -> dict:
    """Run ``argv`` to its end; wall seconds, CPU seconds and peak RSS (MiB) of that process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):  # the report exits 1 when the extract has data errors
            err.seek(0)
            raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n"
                               + err.read().decode(errors="replace")[-3000:])
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "peak_rss_mib": usage.ru_maxrss / 1024, "load_avg": load, "rc": proc.returncode}


def best(runs: list[dict]) -> dict:
    """The run with the fewest wall + CPU seconds."""
    return min(runs, key=lambda r: r["wall"] + r["cpu"])


def synthesize(parents: int, workdir: Path, seed: int) -> Path:
    """``WORKDIR/ext_N_seedS``, made with ``neglect-analysis synthesize`` unless it exists
    (``--background off``: the index families only, as every extract of RESULTS.md)."""
    folder = workdir / f"ext_{parents}_seed{seed}"
    if not (folder / "extract.json").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"synthesizing {parents:,} parents into {folder} ...", flush=True)
        subprocess.run([script("neglect-analysis"), "synthesize", str(folder), "--parents",
                        str(parents), "--seed", str(seed), "--background", "off"],
                       check=True, stdout=subprocess.DEVNULL)
    return folder


def measure(extract: Path, repeat: int, scratch: Path) -> dict:
    """The three commands on ``extract``, ``repeat`` times alternating; every run kept."""
    out = scratch / "report_out"
    runs = {k: [] for k in COMMANDS}
    for _ in range(max(1, repeat)):
        for kind in COMMANDS:
            shutil.rmtree(out, ignore_errors=True)
            runs[kind].append(run_process(command(kind, extract, out)))
    shutil.rmtree(out, ignore_errors=True)
    return runs


def check(extract: Path, scratch: Path) -> str:
    """Run the report once more and compare its children.csv with the DuckDB rewrite."""
    out = scratch / "check_out"
    shutil.rmtree(out, ignore_errors=True)
    run_process(command("report", extract, out))
    res = subprocess.run([sys.executable, str(HERE / "duckdb_rewrite.py"), str(extract), "--json",
                          "--compare", str(out / "analyst" / "children.csv")],
                         capture_output=True, text=True, check=False)
    shutil.rmtree(out, ignore_errors=True)
    if res.returncode not in (0, 1):
        return f"check failed: {res.stderr[-500:]}"
    c = json.loads(res.stdout.strip().splitlines()[-1])["compare"]
    cells = {k: v for k, v in c.items() if not k.startswith("rows")}
    bad = {k: v for k, v in cells.items() if v}
    return (f"DuckDB rewrite vs report children.csv: {c['rows_both']:,} rows on both sides, "
            f"{c['rows_only_rewrite']} only in the rewrite, {c['rows_only_package']} only in the "
            f"report; mismatching cells: " + (", ".join(f"{k} {v}" for k, v in bad.items()) or "none"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("extracts", nargs="*", type=Path, help="extract folders (CSV tables)")
    ap.add_argument("--parents", nargs="*", type=int, default=[],
                    help="also synthesize (or reuse) extracts of these sizes in --workdir")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, help="where --parents extracts are kept (default: a "
                    "temporary folder, removed at the end)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each command, alternating (3)")
    ap.add_argument("--phases", action=argparse.BooleanOptionalAction, default=None,
                    help="one more report run per size with the load/analysis/write phases timed "
                         "(default: on when there are two or more sizes)")
    ap.add_argument("--check", action="store_true",
                    help="also compare the DuckDB rewrite with the report's children.csv")
    ap.add_argument("--json", type=Path, help="append one JSON line per extract to this file")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="neglect-targets-"))
    workdir = args.workdir or tmp
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        extracts = list(args.extracts) + [synthesize(n, workdir, args.seed) for n in args.parents]
        if not extracts:
            ap.error("give extract folders or --parents N")
        phases = args.phases if args.phases is not None else len(extracts) >= 2
        print(f"machine: {machine()}")
        print(f"best of {args.repeat} alternating runs per command (best = fewest wall + CPU "
              f"seconds); whole processes, imports included\n")
        print("| extract | floor s (cpu) | floor MiB | duckdb s (cpu) | duckdb MiB | report s (cpu) "
              "| report MiB | report / floor (cpu) | report / duckdb (cpu) | load avg |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)
        results = []
        for extract in extracts:
            runs = measure(extract, args.repeat, tmp)
            b = {k: best(v) for k, v in runs.items()}
            f, d, r = b["floor"], b["duckdb"], b["report"]
            loads = [x["load_avg"] for v in runs.values() for x in v]
            print(f"| {extract.name} | {f['wall']:.2f} ({f['cpu']:.2f}) | {f['peak_rss_mib']:.0f} | "
                  f"{d['wall']:.2f} ({d['cpu']:.2f}) | {d['peak_rss_mib']:.0f} | "
                  f"{r['wall']:.2f} ({r['cpu']:.2f}) | {r['peak_rss_mib']:.0f} | "
                  f"{r['wall'] / f['wall']:.2f} ({r['cpu'] / f['cpu']:.2f}) | "
                  f"{r['wall'] / d['wall']:.2f} ({r['cpu'] / d['cpu']:.2f}) | "
                  f"{min(loads):.1f} to {max(loads):.1f} |", flush=True)
            rec = {"extract": str(extract), "repeat": args.repeat, "runs": runs, "best": b}
            if phases:
                rec["phases"] = run_stage("report", extract, tmp / "phases_out", n=0, seed=0)
                shutil.rmtree(tmp / "phases_out", ignore_errors=True)
            if args.check:
                rec["check"] = check(extract, tmp)
            results.append(rec)
            if args.json:
                with args.json.open("a") as fh:
                    fh.write(json.dumps(rec) + "\n")

        print("\nWall seconds of every run (CPU in brackets):")
        for rec in results:
            print(f"- {Path(rec['extract']).name}: " + "; ".join(
                f"{k} " + ", ".join(f"{x['wall']:.2f} ({x['cpu']:.2f})" for x in rec["runs"][k])
                for k in COMMANDS))
        for rec in results:
            if "check" in rec:
                print(f"- {Path(rec['extract']).name}: {rec['check']}")
        if phases:
            print("\nReport phases (one more run, bench_report.py's timer; seconds, CPU in brackets):")
            for rec in results:
                ph, ev = rec["phases"]["phases"], rec["phases"]["rows"]
                print(f"- {Path(rec['extract']).name}: {ev:,} events; " + ", ".join(
                    f"{p} {ph.get(p, 0):.2f} ({ph.get(p + '_cpu', 0):.2f})"
                    for p in ("load", "analysis", "write")))
            for a, b_ in zip(results, results[1:]):
                ea, eb = a["phases"]["rows"], b_["phases"]["rows"]
                if eb == ea:
                    continue
                parts = []
                for p, label in (("analysis", "analysis wall"), ("analysis_cpu", "analysis cpu")):
                    x, y = a["phases"]["phases"].get(p), b_["phases"]["phases"].get(p)
                    if x and y:
                        parts.append(f"{label} k = {math.log(y / x) / math.log(eb / ea):.2f}")
                print(f"- {Path(a['extract']).name} -> {Path(b_['extract']).name}: " + ", ".join(parts)
                      + f" (k <= {MAX_GROWTH_K}: no faster than the events)")

        print("\nTargets (issue 11; wall-time ratios of the best runs):")
        for rec in results:
            b = rec["best"]
            name = Path(rec["extract"]).name
            rf = b["report"]["wall"] / b["floor"]["wall"]
            rd = b["report"]["wall"] / b["duckdb"]["wall"]
            gib = b["report"]["peak_rss_mib"] / 1024
            print(f"- {name}: report / floor {rf:.2f} (target at 10,000 parents <= {MAX_FLOOR_RATIO}: "
                  f"{'met' if rf <= MAX_FLOOR_RATIO else 'not met'}); report / duckdb {rd:.2f} "
                  f"(target at 10,000 parents <= {MAX_DUCKDB_RATIO}: "
                  f"{'met' if rd <= MAX_DUCKDB_RATIO else 'not met'}); report peak {gib:.2f} GiB "
                  f"(target at 100,000 parents < {MAX_PEAK_GIB}: "
                  f"{'met' if gib < MAX_PEAK_GIB else 'not met'})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
