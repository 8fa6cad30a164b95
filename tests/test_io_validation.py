"""Validation problems: each with its exact message, the row accounting and strict mode."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from neglect_analysis.io import ExtractError, ValidationReport, load_extract

PERSON = "pers_person_id,pers_dob\nM,1980-01-01\nC,2005-03-31\nD,2007-01-01\n"
REL = "person_id,related_person_id,relationship\nM,C,mother_of\nM,D,mother_of\n"


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def load(folder: Path, **files: str):
    files.setdefault("ssd_person", PERSON)
    files.setdefault("relationships", REL)
    for name, text in files.items():
        write(folder, f"{name}.csv", text)
    cohort, report = load_extract(folder, audit_date="2018-07-31")
    c = report.counts
    assert (c["rows_read"] == c["rows_used"] + c["rows_reported"]).all()
    assert (c["rows_reported"] == c["rows_merged"] + c["rows_dropped"]).all()
    return cohort, report


def problems(report: ValidationReport, check: str | None = None) -> list[str]:
    p = report.problems
    if check is not None:
        p = p[p["check"] == check]
    return p["problem"].tolist()


def counts(report: ValidationReport, table: str) -> list[int]:
    return report.counts.set_index("table").loc[table, ["rows_read", "rows_used", "rows_reported"]].tolist()


PLANS_HEAD = ("cppl_cp_plan_id,cppl_person_id,cppl_cp_plan_start_date,cppl_cp_plan_end_date,"
              "cppl_cp_plan_initial_category\n")


def test_missing_person_table(tmp_path):
    write(tmp_path, "relationships.csv", REL)
    cohort, report = load_extract(tmp_path, audit_date="2018-07-31")
    assert report.has_errors
    assert problems(report) == ["ssd_person: table not found in the extract; nothing else can be read "
                                "(add ssd_person.csv, .xlsx or .parquet)"]
    assert cohort.persons.empty and cohort.links.empty
    assert report.counts.empty


def test_missing_link_table(tmp_path):
    write(tmp_path, "ssd_person.csv", PERSON)
    _, report = load_extract(tmp_path, audit_date="2018-07-31")
    assert "no link table found (relationships, ssd_mother or ssd_family): no sibling groups can be formed" \
        in problems(report, "missing_table")
    assert report.has_errors


def test_missing_required_column_drops_the_table(tmp_path):
    cohort, report = load(tmp_path, ssd_cp_plans="cppl_cp_plan_id,cppl_person_id\nP1,C\nP2,C\n")
    assert problems(report, "missing_column") == [
        "ssd_cp_plans.csv: required column(s) cppl_cp_plan_start_date missing; all 2 rows dropped"]
    p = report.problems[report.problems["check"] == "missing_column"].iloc[0]
    assert (p["severity"], p["action"], p["column"]) == ("error", "dropped", "cppl_cp_plan_start_date")
    assert pd.isna(p["row"])
    assert counts(report, "ssd_cp_plans") == [2, 0, 2]
    assert cohort.events.empty


def test_dates_in_plans(tmp_path):
    # 13 data rows: the bad end date is on file row 14 (header = row 1)
    good = "".join(f"P{i},C,2011-01-{i:02d},,Neglect\n" for i in range(1, 13))
    rows = (good + "P13,C,2011-01-20,2011-02-30,Neglect\n"     # row 14: impossible end date: kept, open
            "P14,C,31/02/2011,,Neglect\n"                       # row 15: impossible start: dropped
            "P15,C,,,Neglect\n"                                 # row 16: no start: dropped
            "P16,C,2012-05-01,2012-04-30,Neglect\n"             # row 17: end before start: kept, open
            "P17,C,2012-05-01,2012-05-01,Neglect\n")            # row 18: same day: fine
    cohort, report = load(tmp_path, ssd_cp_plans=PLANS_HEAD + rows)
    assert problems(report, "bad_date") == [
        "ssd_cp_plans.csv row 15: cppl_cp_plan_start_date 31/02/2011 is not a date; row dropped",
        "ssd_cp_plans.csv row 14: cppl_cp_plan_end_date 2011-02-30 is not a date; end date left empty (open)",
    ]
    assert problems(report, "missing_value") == [
        "ssd_cp_plans.csv row 16: cppl_cp_plan_start_date is empty; row dropped"]
    assert problems(report, "end_before_start") == [
        "ssd_cp_plans.csv row 17: cppl_cp_plan_end_date 2012-04-30 is before cppl_cp_plan_start_date "
        "2012-05-01; end date ignored (open)"]
    bad_end = report.problems[report.problems["row"] == 14].iloc[0]
    assert (bad_end["table"], bad_end["file"], bad_end["column"], bad_end["value"], bad_end["severity"],
            bad_end["action"]) == ("ssd_cp_plans", "ssd_cp_plans.csv", "cppl_cp_plan_end_date", "2011-02-30",
                                   "error", "used")
    assert counts(report, "ssd_cp_plans") == [17, 15, 2]
    plans = cohort.events.set_index("event_id")
    assert pd.isna(plans.loc["P13", "end_date"]) and pd.isna(plans.loc["P16", "end_date"])
    assert plans.loc["P17", "end_date"] == pd.Timestamp("2012-05-01")


def test_duplicate_ids(tmp_path):
    cohort, report = load(tmp_path, ssd_person=PERSON + "C,2006-01-01\n",
                          ssd_cp_plans=PLANS_HEAD + "P1,C,2011-01-01,,NEG\nP1,D,2012-01-01,,NEG\n")
    assert problems(report, "duplicate_id") == [
        "ssd_person.csv row 5: pers_person_id C repeats the id on row 3 with other values; row dropped, "
        "row 3 used",
        "ssd_cp_plans.csv row 3: cppl_cp_plan_id P1 repeats the id on row 2 with other values; row dropped, "
        "row 2 used"]
    # the first row wins
    assert cohort.persons.set_index("person_id").loc["C", "dob"] == pd.Timestamp("2005-03-31")
    assert cohort.events["person_id"].tolist() == ["C"]
    assert counts(report, "ssd_person") == [4, 3, 1]


def test_events_naming_unknown_people(tmp_path):
    cohort, report = load(tmp_path, ssd_cp_plans=PLANS_HEAD + "P1,X,2011-01-01,,NEG\nP2,,2011-01-01,,NEG\n")
    assert problems(report, "unknown_person") == [
        "ssd_cp_plans.csv row 2: cppl_person_id X is not in ssd_person; row dropped"]
    assert problems(report, "missing_value") == ["ssd_cp_plans.csv row 3: cppl_person_id is empty; row dropped"]
    assert cohort.events.empty and counts(report, "ssd_cp_plans") == [2, 0, 2]


def test_links_naming_unknown_child_and_relationship(tmp_path):
    cohort, report = load(tmp_path, relationships=REL + "M,Z,mother_of\nM,C,aunt_of\nM,C,Mother-of\n")
    assert problems(report, "unknown_person") == [
        "relationships.csv row 4: related_person_id Z (the child) is not in ssd_person; row dropped"]
    assert problems(report, "unknown_code") == [
        "relationships.csv row 5: relationship aunt_of is not mother_of, father_of or partner_of; row dropped"]
    assert problems(report, "duplicate_id") == [
        "relationships.csv row 6: link of M to C repeats row 2; row dropped"]
    assert len(cohort.links) == 2 and counts(report, "relationships") == [5, 2, 3]


def test_unknown_codes(tmp_path):
    cohort, report = load(
        tmp_path,
        ssd_cp_plans=PLANS_HEAD + "P1,C,2011-01-01,,Poverty\n",
        ssd_cin_episodes="cine_referral_id,cine_person_id,cine_referral_date,cine_cin_primary_need_code\n"
                         "R1,C,2010-01-01,N11\n",
        ssd_cin_assessments="cina_assessment_id,cina_person_id,cina_assessment_start_date\nA1,C,2010-01-02\n",
        ssd_assessment_factors="cinf_assessment_id,cinf_assessment_factors_json\n"
                               'A1,"[""3B"",""99X""]"\nA9,"[""3B""]"\n')
    assert problems(report, "unknown_code") == [
        "ssd_cin_episodes.csv row 2: cine_cin_primary_need_code N11 is not a primary need code (N0 to N9); left empty",
        'ssd_assessment_factors.csv row 2: cinf_assessment_factors_json ["3B","99X"] has unknown factor code(s) '
        "99X; other codes used",
        "ssd_cp_plans.csv row 2: cppl_cp_plan_initial_category Poverty is not a CP category (Neglect, Physical "
        "Abuse, Sexual Abuse, Emotional Abuse, Multiple or NEG/PHY/SAB/EMO/MUL); left empty",
    ]
    assert problems(report, "unknown_person") == [
        "ssd_assessment_factors.csv row 3: cinf_assessment_id A9 is not in ssd_cin_assessments; row dropped"]
    e = cohort.events.set_index("event_id")
    assert pd.isna(e.loc["R1", "category"]) and pd.isna(e.loc["P1", "category"])
    assert e.loc["A1", "factors"] == "3B"
    assert counts(report, "ssd_assessment_factors") == [2, 1, 1]


def test_more_than_two_birth_parents(tmp_path):
    persons = PERSON + "F1,1978-01-01\nF2,1979-01-01\n"
    rel = REL + "F1,C,father_of\nF2,C,father_of\n"
    cohort, report = load(tmp_path, ssd_person=persons, relationships=rel)
    msg = "child C has 3 birth parents (F1, F2, M; at most 2); link kept until the extract is corrected"
    assert problems(report, "too_many_parents") == [
        f"relationships.csv row 2: {msg}", f"relationships.csv row 4: {msg}", f"relationships.csv row 5: {msg}"]
    assert report.has_errors and len(cohort.links) == 4


@pytest.mark.parametrize("child_dob, age, kept", [
    ("2012-03-01", 12, True),    # 12th birthday exactly: fine
    ("2012-02-29", 11, False),   # a day before the 12th birthday: error, link dropped
    ("1999-01-01", -2, False),   # child born before the parent: a reversed link, said so
])
def test_parent_younger_than_12(tmp_path, child_dob, age, kept):
    cohort, report = load(tmp_path, ssd_person=f"pers_person_id,pers_dob\nM,2000-03-01\nC,{child_dob}\n",
                          relationships="person_id,related_person_id,relationship\nM,C,mother_of\n")
    if kept:
        assert problems(report, "young_parent") == [] and len(cohort.links) == 1
    elif age < 0:
        assert problems(report, "young_parent") == [
            f"relationships.csv row 2: parent M (born 2000-03-01) is not older than their child C "
            f"(born {child_dob}); the link is reversed or a date of birth is wrong; row dropped"]
    else:
        assert problems(report, "young_parent") == [
            f"relationships.csv row 2: parent M (born 2000-03-01) was {age} at the birth of C "
            f"(born {child_dob}); row dropped"]
    if not kept:
        assert cohort.links.empty and counts(report, "relationships") == [1, 0, 1]


def test_not_errors_prebirth_and_open(tmp_path):
    # D born 2007-01-01: referral 2006-10-01 (unborn child) and an open CLA episode
    _, report = load(tmp_path,
                     ssd_cin_episodes="cine_referral_id,cine_person_id,cine_referral_date,cine_close_date\n"
                                      "R1,D,2006-10-01,\n",
                     ssd_cla_episodes="clae_cla_episode_id,clae_person_id,clae_cla_episode_start_date,"
                                      "clae_cla_episode_ceased_date\nL1,D,2010-01-01,\n")
    assert not report.has_errors
    assert report.problems[report.problems["severity"] != "note"].empty


def test_flags_json_and_death_date(tmp_path):
    _, report = load(
        tmp_path,
        ssd_person="pers_person_id,pers_dob,pers_death_date\nM,1980-01-01,\nC,2005-03-31,2004-01-01\nD,2007-01-01,\n",
        ssd_cp_plans="cppl_cp_plan_id,cppl_person_id,cppl_cp_plan_start_date,cppl_cp_plan_ola\nP1,C,2011-01-01,maybe\n",
        ssd_contacts="cont_contact_id,cont_person_id,cont_contact_date,cont_contact_outcome_json\nK1,C,2011-01-01,NFA\n")
    assert problems(report, "bad_flag") == [
        "ssd_cp_plans.csv row 2: cppl_cp_plan_ola maybe is not a Y/N flag; read as N"]
    assert problems(report, "bad_json") == [
        "ssd_contacts.csv row 2: cont_contact_outcome_json NFA is not a JSON object of Y/N flags; outcome left unknown"]
    assert problems(report, "end_before_start") == [
        "ssd_person.csv row 3: pers_death_date 2004-01-01 is before date of birth 2005-03-31; death date ignored"]


def test_strict_mode(tmp_path):
    load(tmp_path, ssd_cp_plans=PLANS_HEAD + "P1,X,2011-01-01,,NEG\nP2,C,2011-02-30,,NEG\n")
    with pytest.raises(ExtractError) as err:
        load_extract(tmp_path, audit_date="2018-07-31", strict=True)
    assert isinstance(err.value, ValueError)
    assert str(err.value) == (
        "The extract has 2 error(s):\n"
        "- ssd_cp_plans.csv row 2: cppl_person_id X is not in ssd_person; row dropped\n"
        "- ssd_cp_plans.csv row 3: cppl_cp_plan_start_date 2011-02-30 is not a date; row dropped")


def test_strict_mode_passes_clean_extract(tmp_path):
    load(tmp_path)
    cohort, report = load_extract(tmp_path, audit_date="2018-07-31", strict=True)
    assert not report.has_errors and len(cohort.links) == 2


def test_format_groups_by_table_and_problem(tmp_path):
    bad = "".join(f"P{i},X{i},2011-01-01,,NEG\n" for i in range(1, 8))
    _, report = load(tmp_path, ssd_cp_plans=PLANS_HEAD + bad)
    text = report.format(max_examples=2)
    assert text.splitlines()[0] == "Validation report: 7 errors, 0 warnings, 9 notes"
    assert "  ssd_cp_plans.csv: 7 read, 0 used, 7 dropped" in text  # none merged: not said
    cp = report.counts.set_index("table").loc["ssd_cp_plans"]
    assert (cp["rows_merged"], cp["rows_dropped"]) == (0, 7)
    block = text[text.index("ssd_cp_plans:\n"):]
    assert block.splitlines()[1].startswith("  ERROR x7 [unknown_person] Every event's person")
    assert block.splitlines()[2] == "    - ssd_cp_plans.csv row 2: cppl_person_id X1 is not in ssd_person; row dropped"
    assert block.splitlines()[4] == "    ... and 5 more"


def test_problem_columns(tmp_path):
    _, report = load(tmp_path)
    assert list(report.problems.columns) == ["table", "file", "row", "column", "value", "problem",
                                             "severity", "action", "check", "advice"]
    assert list(report.counts.columns) == ["table", "file", "rows_read", "rows_used", "rows_reported",
                                           "rows_merged", "rows_dropped"]
    assert set(report.problems["severity"]) <= {"error", "warning", "note"}
    assert set(report.problems["action"]) <= {"dropped", "used"}
