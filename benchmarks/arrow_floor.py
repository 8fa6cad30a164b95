"""The Arrow floor of issue 11: read every table of an extract, sort the events once.

A standalone script, timed as its own process (imports included) by ``bench_targets.py``::

    python benchmarks/arrow_floor.py EXTRACT_DIR [--json]

What it does, and nothing more (the least any analysis of a CSV extract must do):

1. read every ``*.csv`` file of ``EXTRACT_DIR`` with ``pyarrow.csv``, every column as text
   (``pa.string()``, as the package reads ids as text: ``0012`` stays ``0012``), empty cells
   as null; Arrow's reader uses its thread pool (2 cores here);
2. take the (person id, start date) of every event row: contacts, referrals
   (``ssd_cin_episodes``), assessments, S47 enquiries, ICPCs, CP plans, CLA episodes, early
   help, pre-proceedings and paper records (``EVENT_COLUMNS``), concatenated into one table;
3. sort it once by person, then date (``pyarrow.compute.sort_indices`` + ``take``).

Dates stay text: zero-padded ISO dates (``2017-03-31``, what ``synthesize`` writes) sort as
dates, so the sort is by person and date without parsing. The floor does not validate, parse
dates, type events or compute anything.

Prints one line ``floor: N events from T tables (X rows); wall W s, cpu C s, peak RSS M MiB``
(or one JSON object with ``--json``). Wall seconds run from the start of the process (read
from ``/proc``), CPU seconds are the process's user + system time, peak RSS its ``ru_maxrss``:
all three cover the whole process, imports included.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parent))
from process_measures import process_measures  # noqa: E402  (stdlib only)

#: (person id column, start date column) of each event table (DESIGN.md "Input").
EVENT_COLUMNS: dict[str, tuple[str, str]] = {
    "ssd_contacts": ("cont_person_id", "cont_contact_date"),
    "ssd_early_help_episodes": ("earl_person_id", "earl_episode_start_date"),
    "ssd_cin_episodes": ("cine_person_id", "cine_referral_date"),
    "ssd_cin_assessments": ("cina_person_id", "cina_assessment_start_date"),
    "ssd_s47_enquiry": ("s47e_person_id", "s47e_s47_start_date"),
    "ssd_initial_cp_conference": ("icpc_person_id", "icpc_icpc_date"),
    "ssd_cp_plans": ("cppl_person_id", "cppl_cp_plan_start_date"),
    "ssd_cla_episodes": ("clae_person_id", "clae_cla_episode_start_date"),
    "ssd_pre_proceedings": ("prep_person_id", "prep_pre_pro_decision_date"),
    "paper_records": ("person_id", "event_date"),
}


def read_text_table(path: Path) -> pa.Table:
    """A CSV file as an Arrow table, every column text (empty cells null)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), [])
    convert = pacsv.ConvertOptions(column_types={name: pa.string() for name in header},
                                   strings_can_be_null=True)
    return pacsv.read_csv(path, convert_options=convert)


def floor(folder: Path) -> dict:
    """Read every CSV table of ``folder`` as text and sort its events by person and date."""
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise SystemExit(f"arrow_floor: {folder}: no CSV tables")
    tables = {p.stem: read_text_table(p) for p in files}
    parts = []
    for name, (person, date) in EVENT_COLUMNS.items():
        t = tables.get(name)
        if t is None:
            continue
        parts.append(pa.table({"person_id": t.column(person), "date": t.column(date)}))
    events = pa.concat_tables(parts).combine_chunks()
    order = pc.sort_indices(events, sort_keys=[("person_id", "ascending"), ("date", "ascending")])
    events = events.take(order)
    return {"tables": len(tables), "rows": sum(t.num_rows for t in tables.values()),
            "events": events.num_rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("extract", type=Path, help="folder of the extract's CSV tables")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    res = floor(args.extract)
    res.update(process_measures())
    if args.json:
        print(json.dumps(res))
    else:
        print(f"floor: {res['events']:,} events from {res['tables']} tables ({res['rows']:,} rows); "
              f"wall {res['wall_seconds']:.2f} s, cpu {res['cpu_seconds']:.2f} s, "
              f"peak RSS {res['peak_rss_mib']:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
