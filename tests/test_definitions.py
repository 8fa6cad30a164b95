"""The Definitions object (reading, checking, writing) and docs/definitions.md against the code."""
from __future__ import annotations

import re
import sys
from dataclasses import FrozenInstanceError, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from neglect_analysis.definitions import Definitions, DefinitionsError
from neglect_analysis.findings import LABELS
from neglect_analysis.report import ReportOptions, run_report

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "definitions.md"
EXAMPLE = ROOT / "docs" / "definitions.example.toml"
NAMES = [f.name for f in fields(Definitions)]


def write(tmp_path: Path, text: str, name: str = "d.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- defaults
def test_defaults_are_the_design_thresholds():
    # Read off DESIGN.md "Definitions" by hand: index parents 5 children / 10 years; 18th
    # birthday; re-referral 365; repeat plan 730; S47 60; series 3 in 365; advice 90;
    # not sustained 365 / 730; same event 7; lead time 90; themes 2 other parents;
    # bootstrap 2,000 draws with a fixed seed, 95% intervals; disclosure 1-5 and 10 at risk.
    d = Definitions()
    assert (d.min_children, d.min_span_years, d.adult_age_years) == (5, 10.0, 18)
    assert (d.rereferral_days, d.repeat_plan_days, d.s47_icpc_days) == (365, 730, 60)
    assert (d.series_length, d.series_days, d.advice_eh_days) == (3, 365, 90)
    assert d.advice_flag == "ADVICE_FLAG"
    assert d.eh_not_engaged_patterns == ("declin", "refus", "not engaged", "disengag")
    assert (d.not_sustained_rereferral_days, d.not_sustained_replan_days) == (365, 730)
    assert (d.same_event_days, d.min_lead_days, d.min_other_parents) == (7, 90, 2)
    assert d.moved_away_close_reasons == ("RC5",) and d.moved_away_eh_patterns == ("moved",)
    assert (d.confidence_level, d.bootstrap_draws, d.bootstrap_seed) == (0.95, 2000, 2018)
    assert (d.suppress_below, d.min_at_risk) == (5, 10)


def test_frozen_and_replace_checks_the_new_value():
    d = Definitions()
    with pytest.raises(FrozenInstanceError):
        d.min_children = 4
    assert replace(d, min_children=4).min_children == 4
    with pytest.raises(DefinitionsError) as err:
        replace(d, min_children="4")
    assert str(err.value) == ('Definitions: min_children = "4" is not a whole number; '
                              "expected a whole number of at least 1 (default 5)")


def test_constructor_stores_plain_python_values():
    # NumPy integers (a value taken from a DataFrame) are whole numbers; an int for a float
    # field is stored as float; a list of texts as a tuple (hashable, as the object is frozen).
    d = Definitions(min_children=np.int64(4), min_span_years=8,
                    eh_not_engaged_patterns=["declin"])
    assert type(d.min_children) is int and d.min_children == 4
    assert type(d.min_span_years) is float and d.min_span_years == 8.0
    assert d.eh_not_engaged_patterns == ("declin",)
    hash(d)


# ----------------------------------------------------------------------------- reading TOML
def test_from_toml_reads_a_subset_and_keeps_other_defaults(tmp_path):
    path = write(tmp_path, "min_lead_days = 60\nmin_span_years = 8\n")
    d = Definitions.from_toml(path)
    assert d == replace(Definitions(), min_lead_days=60, min_span_years=8.0)


def test_from_toml_round_trip_of_every_field(tmp_path):
    # Every field away from its default, written by hand as TOML, read back equal.
    text = """
min_children = 4
min_span_years = 12.5
adult_age_years = 16
rereferral_days = 300
repeat_plan_days = 700
s47_icpc_days = 45
series_length = 4
series_days = 180
advice_eh_days = 30
advice_flag = "ADVICE"
eh_not_engaged_patterns = ["déclin", "did not \\"attend\\""]
not_sustained_rereferral_days = 200
not_sustained_replan_days = 500
same_event_days = 3
min_lead_days = 60
moved_away_close_reasons = ["RC5", "RC6"]
moved_away_eh_patterns = ["moved", "relocated"]
large_gap_years = 4.5
disguised_compliance_patterns = ["disguised", "superficial"]
min_other_parents = 3
confidence_level = 0.9
bootstrap_draws = 500
bootstrap_seed = 7
suppress_below = 10
min_at_risk = 20
"""
    expected = Definitions(
        min_children=4, min_span_years=12.5, adult_age_years=16, rereferral_days=300,
        repeat_plan_days=700, s47_icpc_days=45, series_length=4, series_days=180,
        advice_eh_days=30, advice_flag="ADVICE", eh_not_engaged_patterns=("déclin", 'did not "attend"'),
        not_sustained_rereferral_days=200, not_sustained_replan_days=500, same_event_days=3,
        min_lead_days=60, moved_away_close_reasons=("RC5", "RC6"),
        moved_away_eh_patterns=("moved", "relocated"), large_gap_years=4.5,
        disguised_compliance_patterns=("disguised", "superficial"), min_other_parents=3, confidence_level=0.9,
        bootstrap_draws=500, bootstrap_seed=7, suppress_below=10, min_at_risk=20)
    read = Definitions.from_toml(write(tmp_path, text))
    assert read == expected
    assert all(getattr(read, n) != getattr(Definitions(), n) for n in NAMES)  # every field moved
    # ... and what to_toml writes reads back equal too.
    again = Definitions.from_toml(write(tmp_path, read.to_toml(), "again.toml"))
    assert again == expected


def test_to_toml_writes_every_field_once_after_its_comment():
    text = Definitions(min_lead_days=60).to_toml()
    keys = re.findall(r"^(\w+) = ", text, flags=re.M)
    assert keys == NAMES
    lines = text.splitlines()
    for name in NAMES:
        i = next(k for k, line in enumerate(lines) if line.startswith(f"{name} = "))
        assert lines[i - 1].startswith("# ")
    assert "min_lead_days = 60" in lines
    i = lines.index("min_lead_days = 60")
    assert lines[i - 1].endswith("Default: 90.")


def test_example_file_is_the_defaults_written_by_to_toml():
    assert EXAMPLE.read_text(encoding="utf-8") == Definitions().to_toml(), (
        "docs/definitions.example.toml drifted: rewrite it with "
        "Path('docs/definitions.example.toml').write_text(Definitions().to_toml())")
    assert Definitions.from_toml(EXAMPLE) == Definitions()


# ----------------------------------------------------------------------------- refusals
# (TOML line, message after "<file>: ")
REFUSALS = [
    ('min_children = "abc"',
     'min_children = "abc" is not a whole number; expected a whole number of at least 1 (default 5)'),
    ("min_children = 3.5",
     "min_children = 3.5 is not a whole number; expected a whole number of at least 1 (default 5)"),
    ("min_children = 5.0",
     "min_children = 5.0 is not a whole number; expected a whole number of at least 1 (default 5)"),
    ("min_children = true",
     "min_children = true is not a whole number; expected a whole number of at least 1 (default 5)"),
    ("min_children = 0",
     "min_children = 0 is less than 1; expected a whole number of at least 1 (default 5)"),
    ("series_length = 1",
     "series_length = 1 is less than 2; expected a whole number of at least 2 (default 3)"),
    ("rereferral_days = -1",
     "rereferral_days = -1 is negative; expected a whole number of days, 0 or more (default 365)"),
    ("min_span_years = nan",
     "min_span_years = nan is not a finite number; expected a number of years, 0 or more (default 10.0)"),
    ("min_span_years = inf",
     "min_span_years = inf is not a finite number; expected a number of years, 0 or more (default 10.0)"),
    ("min_span_years = -2.5",
     "min_span_years = -2.5 is negative; expected a number of years, 0 or more (default 10.0)"),
    ('min_span_years = "ten"',
     'min_span_years = "ten" is not a number; expected a number of years, 0 or more (default 10.0)'),
    ("confidence_level = 1.0",
     "confidence_level = 1.0 is out of range; expected a number between 0 and 1 (not 0 nor 1) (default 0.95)"),
    ("confidence_level = 95",
     "confidence_level = 95 is out of range; expected a number between 0 and 1 (not 0 nor 1) (default 0.95)"),
    ('eh_not_engaged_patterns = "declin"',
     'eh_not_engaged_patterns = "declin" is not a list of texts; expected a list of one or more '
     'non-empty texts, e.g. ["a", "b"] (default ["declin", "refus", "not engaged", "disengag"])'),
    ("eh_not_engaged_patterns = []",
     'eh_not_engaged_patterns = [] is an empty list; expected a list of one or more non-empty '
     'texts, e.g. ["a", "b"] (default ["declin", "refus", "not engaged", "disengag"])'),
    ('moved_away_close_reasons = ["RC5", 6]',
     'moved_away_close_reasons = ["RC5", 6] holds an empty text or a value that is not a text; '
     'expected a list of one or more non-empty texts, e.g. ["a", "b"] (default ["RC5"])'),
    ('moved_away_eh_patterns = [""]',
     'moved_away_eh_patterns = [""] holds an empty text or a value that is not a text; '
     'expected a list of one or more non-empty texts, e.g. ["a", "b"] (default ["moved"])'),
    ("advice_flag = 1",
     'advice_flag = 1 is not a text; expected a non-empty text in quotes (default "ADVICE_FLAG")'),
    ('advice_flag = "  "',
     'advice_flag = "  " is empty; expected a non-empty text in quotes (default "ADVICE_FLAG")'),
    ("min_child = 4",
     "unknown key min_child = 4 (did you mean min_children?); expected one of the Definitions "
     "fields listed in docs/definitions.md"),
    ("colour = 4",
     "unknown key colour = 4; expected one of the Definitions fields listed in docs/definitions.md"),
    ("[definitions]\nmin_children = 4",
     "[definitions] is a table; write the definitions as top-level key = value lines "
     "(no [table] header), e.g. min_lead_days = 60"),
]


@pytest.mark.parametrize("line, message", REFUSALS, ids=[r[0].split(" ")[0] + "-" + str(i)
                                                          for i, r in enumerate(REFUSALS)])
def test_each_refusal_is_one_line_naming_file_key_value_and_what_is_expected(tmp_path, line, message):
    path = write(tmp_path, line + "\n")
    with pytest.raises(DefinitionsError) as err:
        Definitions.from_toml(path)
    assert str(err.value) == f"{path}: {message}"
    assert err.value.problems == [f"{path}: {message}"]
    assert isinstance(err.value, ValueError)


def test_every_problem_of_a_file_is_listed_one_per_line(tmp_path):
    path = write(tmp_path, 'min_children = "x"\nmin_lead_days = 60\nseries_days = -3\nfoo = 1\n')
    with pytest.raises(DefinitionsError) as err:
        Definitions.from_toml(path)
    lines = str(err.value).splitlines()
    assert [line.split(": ", 1)[1].split(" ")[0] for line in lines] == [
        "min_children", "series_days", "unknown"]
    assert all(line.startswith(f"{path}: ") for line in lines)


def test_from_mapping_names_its_source():
    with pytest.raises(DefinitionsError) as err:
        Definitions.from_mapping({"min_lead_days": 3.5}, source="report options")
    assert str(err.value) == ("report options: min_lead_days = 3.5 is not a whole number; "
                              "expected a whole number of days, 0 or more (default 90)")
    assert Definitions.from_mapping({}) == Definitions()


def test_file_that_is_missing_not_toml_or_not_utf8(tmp_path):
    missing = tmp_path / "none.toml"
    with pytest.raises(DefinitionsError) as err:
        Definitions.from_toml(missing)
    assert str(err.value) == (f"{missing}: no such file; give a TOML file of definitions "
                              "(docs/definitions.example.toml is an example)")

    bad = write(tmp_path, "min_children = \n")
    with pytest.raises(DefinitionsError) as err:
        Definitions.from_toml(bad)
    msg = str(err.value)
    assert msg.startswith(f"{bad}: not a valid TOML file (") and "line 1" in msg
    assert msg.endswith("; write one key = value line per definition")
    assert len(msg.splitlines()) == 1

    latin = tmp_path / "latin.toml"
    latin.write_bytes('advice_flag = "é"\n'.encode("latin-1"))  # byte 15 is 0xE9
    with pytest.raises(DefinitionsError) as err:
        Definitions.from_toml(latin)
    assert str(err.value) == f"{latin}: not UTF-8 text (byte 15); save the definitions file as UTF-8"


# ----------------------------------------------------------------------------- describe
def test_describe_has_one_row_per_field_with_value_default_and_meaning():
    t = Definitions(min_lead_days=60).describe()
    assert list(t.columns) == ["name", "value", "default", "meaning"]
    assert t["name"].tolist() == NAMES
    row = t.set_index("name").loc["min_lead_days"]
    assert (row["value"], row["default"]) == (60, 90)
    row = t.set_index("name").loc["eh_not_engaged_patterns"]
    assert row["value"] == row["default"] == ("declin", "refus", "not engaged", "disengag")
    assert t["meaning"].str.len().gt(20).all()


def test_meaning_is_written_once_and_the_docstring_is_made_from_it():
    doc = Definitions.__doc__
    assert "Attributes\n    ----------" in doc
    for f in fields(Definitions):
        assert f"    {f.name} : " in doc
        first_words = " ".join(f.metadata["meaning"].split()[:4])
        assert first_words in " ".join(doc.split())


# ----------------------------------------------------------------------------- the document
@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory) -> dict[str, list[str]]:
    """The analyst CSV tables of the sample report: file name -> header columns."""
    out = tmp_path_factory.mktemp("report") / "out"
    result = run_report(ROOT / "data" / "sample", out, ReportOptions(tables_only=True))
    return {p.name: pd.read_csv(p, nrows=0).columns.tolist() for p in result.files if p.suffix == ".csv"}


def section(doc: str, heading: str) -> str:
    """The text under a ``### heading`` (or ``## heading``) up to the next heading of any level."""
    m = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^#+ |\Z)", doc, flags=re.M | re.S)
    assert m, f"docs/definitions.md has no section {heading!r}"
    return m.group(1)


def test_doc_table_lists_every_field_with_its_default(doc):
    table = section(doc, "Every threshold, with its default")
    rows = re.findall(r"^\| `(\w+)` \| `([^`]*)` \|", table, flags=re.M)
    assert [name for name, _ in rows] == NAMES
    for f in fields(Definitions):
        # the default as the doc writes it (a TOML value), read as TOML
        shown = tomllib.loads(f"x = {dict(rows)[f.name]}")["x"]
        shown = tuple(shown) if isinstance(shown, list) else shown
        assert shown == f.default and type(shown) is type(f.default), f.name


def test_doc_names_every_field_in_the_definitions_text(doc):
    text = doc.split("## Every threshold, with its default")[0]
    for f in fields(Definitions):
        assert f"`{f.name}`" in text, f"the definitions in words never name {f.name}"


def test_doc_describes_every_column_of_every_analyst_table(doc, sample_report):
    expected = {"children.csv", "sibling_groups.csv", "km_time_to_escalation.csv",
                "logrank_tests.csv", "findings.csv", "group_recurrence.csv",
                "plans_not_sustained.csv", "look_now.csv", "paper_file_requests.csv",
                "background_requests.csv", "validation_problems.csv", "validation_counts.csv",
                "escalation_age_km.csv", "escalation_intervals.csv", "escalation_cox.csv",
                "escalation_cif.csv", "signal_backtest.csv"}
    assert set(sample_report) == expected
    for name, columns in sample_report.items():
        text = section(doc, f"`{name}`")
        missing = [c for c in columns if f"`{c}`" not in text]
        assert not missing, f"docs/definitions.md, {name}: columns not described: {missing}"


def test_doc_describes_every_finding_measure(doc):
    text = section(doc, "The findings, measure by measure")
    rows = re.findall(r"^\| (\d) \| `(\w+)` \|", text, flags=re.M)
    assert [m for _, m in rows] == list(LABELS)


def test_doc_marks_as_not_yet_computed_what_the_report_does_not_write(doc, sample_report):
    # The record-aware tables and the bootstrap intervals are written and described in
    # "Statistics".
    text = section(doc, "Statistics")
    for name in ["escalation_age_km.csv", "escalation_intervals.csv", "escalation_cox.csv",
                 "escalation_cif.csv", "signal_backtest.csv"]:
        assert f"`{name}`" in text and name in sample_report
    for column in ("entry_age_days", "exit_age_days", "moved_out_date"):
        assert f"`{column}`" in text and column in sample_report["children.csv"]
    assert "ci_lower" in sample_report["findings.csv"]
    # Moving away is computed now (days_to_escalation is censored at it): nothing is marked
    # as planned only, and the escalation section says how the move censors.
    assert "**Not yet computed.**" not in doc
    moving = section(doc, "Escalation and earlier identification")
    assert "`days_to_escalation`" in moving and "`moved_out_date`" in moving
    assert "escalated_while_followed" in sample_report["children.csv"]


def test_readme_links_the_definitions_document():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "[docs/definitions.md](docs/definitions.md)" in readme
    assert "design notes" not in readme
    assert DOC.is_file()
