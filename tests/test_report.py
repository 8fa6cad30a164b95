"""End-to-end report on the synthetic sample: contents, disclosure, determinism, safe writing."""
from __future__ import annotations

import filecmp
import re
from pathlib import Path

import pandas as pd
import pytest

from neglect_analysis import disclosure
from neglect_analysis.cli import main
from neglect_analysis.report import ReportOptions, run_report

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "sample"
    assert main(["report", str(SAMPLE), "--out", str(out), "--quiet"]) == 0
    return out


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_analyst_tables_have_the_design_columns(report_dir):
    children = _read(report_dir / "analyst" / "children.csv")
    assert list(children.columns[:24]) == [
        "child_id", "parent_id", "birth_order", "dob", "age_days", "n_contacts", "n_referrals",
        "n_rereferrals_12m", "n_s47", "n_s47_no_icpc", "n_cp_plans", "n_repeat_cp_plans",
        "n_repeat_cp_plans_2y", "contact_series", "eh_not_engaged", "first_involvement_date",
        "escalation_date", "escalation_type", "escalated", "days_to_escalation",
        "family_signal_date", "lead_time_days", "other_la", "pre_ics_childhood",
    ]
    groups = _read(report_dir / "analyst" / "sibling_groups.csv")
    assert list(groups.columns[:11]) == [
        "parent_id", "n_children", "youngest_age_days", "eldest_age_days", "age_span_years",
        "max_gap_years", "median_gap_years", "n_other_parents", "n_partner_changes",
        "n_children_escalated", "link_source",
    ]
    km = _read(report_dir / "analyst" / "km_time_to_escalation.csv")
    assert list(km.columns[:7]) == ["group", "days", "survival", "ci_lower", "ci_upper", "at_risk", "events"]
    assert {"all", "eldest", "younger"} <= set(km["group"])
    # Dates ISO, years to 2 decimals, 0/1 flags.
    assert children["dob"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert groups["age_span_years"].str.fullmatch(r"\d+\.\d{2}").all()
    assert set(children["escalated"]) <= {"0", "1"}


def test_sample_reproduces_the_published_facts(report_dir):
    """38 index parents, 242 children, youngest 4 days, eldest 31 years (computed by the report)."""
    groups = _read(report_dir / "analyst" / "sibling_groups.csv")
    children = _read(report_dir / "analyst" / "children.csv")
    assert len(groups) == 38
    assert children["child_id"].nunique() == 242
    ages = children["age_days"].astype(int)
    assert ages.min() == 4
    assert int(ages.max() / 365.25) == 31
    assert (groups["n_children"].astype(int) >= 5).all()
    assert (groups["age_span_years"].astype(float) >= 10).all()


def test_every_chronology_workbook_is_written(report_dir):
    groups = _read(report_dir / "analyst" / "sibling_groups.csv")
    books = sorted(p.name for p in (report_dir / "analyst" / "chronologies").glob("*.xlsx"))
    assert books == sorted(f"chronology_{p}.xlsx" for p in groups["parent_id"])


def test_look_now_names_parent_age_and_reason(report_dir):
    look = _read(report_dir / "analyst" / "look_now.csv")
    assert list(look.columns[:4]) == ["child_id", "family_signal_date", "censor_date", "days_since_signal"]
    assert {"parent_id", "age_years", "signal_sibling_id", "signal_event_type", "reason",
            "open_services_now", "moved_away"} <= set(look.columns)
    assert (look["parent_id"] != "").all() and (look["age_years"] != "").all()
    assert look["reason"].str.startswith("older sibling ").all()
    # ranked by the backtested PPV of the child's rule, then the most recent signal first
    key = list(zip(-pd.to_numeric(look["ppv"], errors="coerce").fillna(-1.0), look["days_since_signal"].astype(int)))
    assert key == sorted(key)
    assert {"rule", "ppv", "ppv_lower", "ppv_upper", "rule_date", "signal_age_days"} <= set(look.columns)
    # every child on the list is one of the index parents' children, with that parent
    children = _read(report_dir / "analyst" / "children.csv")
    pairs = set(zip(children["child_id"], children["parent_id"]))
    for child, parents in zip(look["child_id"], look["parent_id"]):
        assert all((child, p) in pairs for p in parents.split(";"))
    import openpyxl

    ws = openpyxl.load_workbook(report_dir / "analyst" / "look_now.xlsx")["Look now"]
    assert ws.max_row == 4 + len(look)  # label, title, note, header, then one row per child


def test_briefing_shows_no_count_between_1_and_5(report_dir):
    csvs = sorted((report_dir / "briefing").glob("*.csv"))
    assert csvs, "the briefing has tables"
    label_columns = {"position", "lead_time_months", "measure", "description", "share",
                     "national_share", "national_year", "point", "label", "interval"}
    km = {"group", "age_months", "survival", "ci_lower", "ci_upper"}  # figure data beside counts
    label_columns_of = {"group_sizes.csv": {"n_children"},  # the size band, not a count
                        "km_age.csv": km}
    for path in csvs:
        if path.name == "disclosure_audit.csv":  # ranges of suppressed cells, not counts
            continue
        if path.name == "key_messages.csv":  # sentences quoting published cells (tests/test_messages.py)
            continue
        df = _read(path)
        labels = label_columns | label_columns_of.get(path.name, set())
        counts = [c for c in df.columns if c not in labels]
        assert counts, path.name
        problems = disclosure.check_no_small_counts(df, threshold=5, columns=counts)
        assert problems == [], (path.name, problems)


def test_secondary_suppression_holds_on_the_reports_own_crosstab(report_dir):
    """No suppressed cell of the escalation-by-position table can be recovered from totals,
    and the table shows how many children escalated (categories merged, not blanked)."""
    from neglect_analysis.briefing import escalation_table
    from neglect_analysis.io import load_extract
    from neglect_analysis.pipeline import build_tables

    cohort, _ = load_extract(SAMPLE)
    children = build_tables(cohort).children
    true, level = escalation_table(children, 5)
    shown = _read(report_dir / "briefing" / "escalation_by_position.csv").set_index("position")
    assert list(shown.columns) == list(true.columns) and level == ()
    assert not disclosure.is_recoverable(shown, true.drop(index="Total", columns="Total"))
    escalated = int(children.drop_duplicates("child_id")["escalated"].sum())
    assert shown.loc["Total", "escalated"] == str(escalated)
    assert shown.isin(["1", "2", "3", "4", "5"]).sum().sum() == 0


def test_briefing_quotes_family_intervals_and_no_naive_p_value(report_dir):
    """Issue 13: every share in the key messages carries its family-bootstrap interval, and the
    briefing shows no p-value that treats the children as independent (log-rank)."""
    import re

    from pptx import Presentation

    b = report_dir / "briefing"
    slides = Presentation(str(b / "briefing.pptx")).slides
    texts = {
        "briefing.md": (b / "briefing.md").read_text(encoding="utf-8"),
        "briefing.html": (b / "briefing.html").read_text(encoding="utf-8"),
        "briefing.pptx": " ".join(sh.text_frame.text for sl in slides for sh in sl.shapes if sh.has_text_frame),
        "key_messages.csv": (b / "key_messages.csv").read_text(encoding="utf-8"),
    }
    for name, text in texts.items():
        assert "family-bootstrap 95% interval" in text, name
        assert not re.search(r"\bp\s*[=<]\s*0?\.\d|p-value|log-rank|logrank", text, flags=re.I), name


def test_briefing_is_labelled_synthetic_and_self_contained(report_dir):
    page = (report_dir / "briefing" / "briefing.html").read_text()
    assert "SYNTHETIC DATA" in page
    assert "data:image/png;base64," in page
    assert not re.search(r'(src|href)="(https?:|file:|/)', page), "no external resources"
    md = (report_dir / "briefing" / "briefing.md").read_text()
    assert "SYNTHETIC DATA" in md
    for p in range(1, 8):
        assert f"## {p}." in md


def test_briefing_has_no_row_level_ids(report_dir):
    children = _read(report_dir / "analyst" / "children.csv")
    ids = set(children["child_id"]) | set(children["parent_id"])
    for path in (report_dir / "briefing").iterdir():
        if path.suffix in {".csv", ".md", ".html", ".svg"}:
            text = path.read_text()
            leaked = [i for i in ids if i in text]
            assert not leaked, (path.name, leaked[:3])


def test_two_runs_give_byte_identical_outputs(report_dir, tmp_path):
    again = tmp_path / "again"
    assert main(["report", str(SAMPLE), "--out", str(again), "--quiet"]) == 0
    first = sorted(p.relative_to(report_dir) for p in report_dir.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    different = [str(p) for p in first if not filecmp.cmp(report_dir / p, again / p, shallow=False)]
    assert different == []


def test_refuses_to_write_into_the_input_or_data_folder(tmp_path):
    with pytest.raises(ValueError, match="Refusing to write"):
        run_report(SAMPLE, SAMPLE / "out", ReportOptions(tables_only=True))
    with pytest.raises(ValueError, match="Refusing to write"):
        run_report(SAMPLE, ROOT / "data" / "report", ReportOptions(tables_only=True))
    assert main(["report", str(SAMPLE), "--out", str(SAMPLE / "x"), "--tables-only", "--quiet"]) == 2
    assert not (SAMPLE / "x").exists() and not (SAMPLE / "out").exists()


def test_an_interrupted_run_leaves_no_half_report(tmp_path, monkeypatch):
    import neglect_analysis.report as report

    out = tmp_path / "out"

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "_write_workbooks", boom)
    with pytest.raises(KeyboardInterrupt):
        run_report(SAMPLE, out, ReportOptions())
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_tables_only_writes_the_analyst_tables_alone(tmp_path):
    out = tmp_path / "t"
    assert main(["report", str(SAMPLE), "--out", str(out), "--tables-only", "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".neglect-analysis-report", "analyst"]  # + marker
    assert not (out / "analyst" / "chronologies").exists()
    assert (out / "analyst" / "findings.csv").exists()


def test_shares_figure_data_carry_the_registrys_base_grouped(report_dir):
    from neglect_analysis.findings import LABELS, MEASURES, BRIEFING_POINTS

    base = {LABELS[m.name]: m.base for m in MEASURES}
    for p in BRIEFING_POINTS:
        t = _read(report_dir / "briefing" / f"point{p}_shares.csv")
        assert list(t.columns[:2]) == ["base", "label"]
        assert t["base"].tolist() == t["label"].map(base).tolist()
        blocks = t["base"].tolist()
        # grouped: a base never comes back after another one
        assert blocks == sorted(blocks, key=list(dict.fromkeys(blocks)).index)
