"""``neglect-analysis convert cin-census``: census files written for the purpose, converted and
checked value by value against the XML (every expected value below is read off the fixture by
hand, not from the converter)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from neglect_analysis.cli import main
from neglect_analysis.convert import convert_cin_census
from neglect_analysis.io import load_extract

from census_fixtures import (census_xml, write_bulk_census, write_census,
                             write_ssda903_csv, write_ssda903_xml)


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def rows(path: Path) -> list[list[str]]:
    return read(path).values.tolist()


# -- a child present in three years, one closure date changed ---------------------------------

B_2019 = {"referral": "2018-11-01", "source": "2A", "need": "N1",
          "assessments": [{"start": "2018-11-02", "factors": ["16A", "3B"]}],
          "s47": [{"start": "2018-12-01", "target": "2018-12-15", "icpc": "2018-12-14"}],
          "cp_plans": [{"start": "2018-12-14", "initial": "NEG", "latest": "NEG", "previous": 0}]}
B_2020 = {**B_2019, "closure": "2020-02-28", "reason": "RC7",
          "assessments": [{"start": "2018-11-02", "auth": "2019-04-20", "factors": ["16A", "3B"]}],
          "cp_plans": [{"start": "2018-12-14", "end": "2019-10-01", "initial": "NEG", "latest": "NEG"}]}
B_2021 = {**B_2020, "closure": "2020-03-06"}
B = {"id": "B002", "upn": "A123456789012", "dob": "2012-02-03", "sex": "M"}
A = {"id": "A001", "dob": "2015-07-20", "sex": "F",
     "episodes": [{"referral": "2020-05-05", "source": "3A", "closure": "2020-05-20", "reason": "RC8",
                   "assessments": [{"start": "2020-05-06", "auth": "2020-05-19"}]}]}


@pytest.fixture
def three_years(tmp_path) -> dict:
    d = tmp_path / "census"
    files = {
        2019: write_census(d / "cin_2019.xml", [{**B, "episodes": [B_2019]}], year=2019),
        2020: write_census(d / "cin_2020.xml", [{**B, "episodes": [B_2020]}], year=2020),
        2021: write_census(d / "cin_2021.xml", [A, {**B, "episodes": [
            B_2021, {"referral": "2020-10-01", "source": "6", "need": "N5"}]}], year=2021),
    }
    return files


def test_three_years_value_by_value(three_years, tmp_path, capsys):
    out = tmp_path / "extract"
    # files given out of order: ranked by the header's collection year
    code = main(["convert", "cin-census", str(three_years[2021]), str(three_years[2019]),
                 str(three_years[2020]), "--out", str(out), "--jobs", "2", "--quiet"])
    assert code == 0, capsys.readouterr()
    # persons: A001 (2021 only), B002 (all three years, GenderCurrent 1 = M)
    assert rows(out / "ssd_person.csv") == [["A001", "F", "2015-07-20", "", ""],
                                            ["B002", "M", "2012-02-03", "", ""]]
    # episodes in child, referral date order: B002's first episode is kept once, its closure
    # date from 2021 (2020-03-06), not 2020 (2020-02-28)
    assert rows(out / "ssd_cin_episodes.csv") == [
        ["R0000001", "A001", "2020-05-05", "", "N", "2020-05-20", "RC8", "3A"],
        ["R0000002", "B002", "2018-11-01", "N1", "N", "2020-03-06", "RC7", "2A"],
        ["R0000003", "B002", "2020-10-01", "N5", "N", "", "", "6"],
    ]
    # the assessment repeated in three years is kept once; authorised in 2020's file
    assert rows(out / "ssd_cin_assessments.csv") == [
        ["A0000001", "A001", "R0000001", "2020-05-06", "2020-05-19"],
        ["A0000002", "B002", "R0000002", "2018-11-02", "2019-04-20"],
    ]
    assert rows(out / "ssd_assessment_factors.csv") == [["F0000001", "A0000002", '["3B","16A"]']]
    assert rows(out / "ssd_s47_enquiry.csv") == [
        ["S0000001", "B002", "R0000002", "2018-12-01", "", "N", "2018-12-15"]]
    # the S47's DateOfInitialCPC: one conference, linked to the S47; a plan starts that day
    assert rows(out / "ssd_initial_cp_conference.csv") == [
        ["I0000001", "B002", "S0000001", "2018-12-14", "Y", "", "R0000002"]]
    assert rows(out / "ssd_cp_plans.csv") == [
        ["P0000001", "B002", "I0000001", "R0000002", "2018-12-14", "2019-10-01", "NEG", "NEG", "", "0"]]
    notes = read(out / "conversion_notes.csv")
    conflicts = notes[notes["check"] == "year_conflict"]
    # one disagreement only: the closure date (the plan end, the authorisation date and the
    # 2021 closure appearing are progress, not conflicts)
    assert conflicts["problem"].tolist() == [
        "child B002 referral 2018-11-01: CINclosureDate 2020-02-28 in cin_2020.xml but 2020-03-06 "
        "in cin_2021.xml; the later (cin_2021.xml) is used"]
    assert conflicts["file"].tolist() == ["cin_2020.xml / cin_2021.xml"]
    assert conflicts["severity"].tolist() == ["note"]
    meta = json.loads((out / "extract.json").read_text())
    assert meta["collection_years"] == [2019, 2020, 2021]
    assert [f["file"] for f in meta["converted_from"]["cin_census"]] == [
        "cin_2019.xml", "cin_2020.xml", "cin_2021.xml"]
    assert meta["la_code"] == "201" and meta["audit_date"] == "2021-03-31"
    assert meta["ics_start_date"] == "2018-04-01"
    # the UPN is never written out
    for f in out.iterdir():
        assert "A123456789012" not in f.read_text()
    # validate reads it unchanged: no row problem, the one error is the missing link table
    cohort, report = load_extract(out)
    errors = report.problems[report.problems["severity"] == "error"]
    assert errors["check"].tolist() == ["missing_table"]
    assert report.counts["rows_reported"].sum() == 0
    assert sorted(cohort.events["event_type"].astype(str)) == sorted(
        ["referral"] * 3 + ["assessment"] * 2 + ["s47", "icpc", "cp_plan"])


# -- every schema year -----------------------------------------------------------------------

S1 = {"id": "S1", "dob": "2011-09-09", "sex": "F", "episodes": [{
    "referral": "2016-06-01", "source": "5A", "need": "N4", "nfa": True, "closure": "2016-06-01",
    "reason": "RC8", "cin_plans": [{"start": "2016-06-02"}],
    "pre_proceedings": {"start": "2016-06-01", "outcome": "Decision to issue care proceedings",
                        "issue": "2016-06-20", "fgdm": "2016-05-30"},
    "s47": [{"start": "2016-06-01", "not_required": True}]}]}


@pytest.mark.parametrize("year", range(2017, 2027))
def test_every_schema_year_reads_the_same(year, tmp_path):
    style = "truefalse" if year in (2018, 2024) else "01"
    text = census_xml([S1], year=year, yes_no=style)
    # the fixture really differs by year: GenderCurrent to 2024, Sex from 2025, ...
    assert ("<Sex>F</Sex>" in text) == (year >= 2025)
    assert ("<GenderCurrent>2</GenderCurrent>" in text) == (year < 2025)
    assert ("<CINPlanDates>" in text) == (year >= 2022)
    assert ("<PreProceedingsandFGDM>" in text) == (year == 2026)
    assert ("<ReferralNFA>true</ReferralNFA>" in text) == (style == "truefalse")
    p = tmp_path / f"cin_{year}.xml"
    p.write_text(text)
    out = tmp_path / "x"
    r = convert_cin_census([p], out, jobs=1)
    assert not r.has_errors, r.report.problems["problem"].tolist()
    assert rows(out / "ssd_person.csv") == [["S1", "F", "2011-09-09", "", ""]]
    assert rows(out / "ssd_cin_episodes.csv") == [
        ["R0000001", "S1", "2016-06-01", "N4", "Y", "2016-06-01", "RC8", "5A"]]
    # ICPCnotRequired 1 / true -> s47e_s47_nfa Y; no conference date: no conference
    assert rows(out / "ssd_s47_enquiry.csv") == [["S0000001", "S1", "R0000001", "2016-06-01", "", "Y", ""]]
    assert rows(out / "ssd_initial_cp_conference.csv") == []
    if year == 2026:
        assert rows(out / "ssd_pre_proceedings.csv") == [[
            "PP0000001", "S1", "", "2016-06-01", "Decision to issue care proceedings", "2016-06-20",
            "", "", "R0000001"]]
    else:
        assert not (out / "ssd_pre_proceedings.csv").exists()
    assert r.report.problems.empty  # the FGDM item is known: not reported as unmapped


# -- namespaces ------------------------------------------------------------------------------

def test_namespaced_files_convert_to_the_same_bytes(tmp_path):
    children = [{**B, "episodes": [B_2020]}, A]
    outs = []
    for name, kw in (("plain", {}), ("default", {"namespace": "http://www.example.org/cin"}),
                     ("prefixed", {"namespace": "urn:dfe:cin", "prefix": "cin"})):
        p = write_census(tmp_path / name / "cin.xml", children, year=2021, **kw)
        convert_cin_census([p], tmp_path / f"out_{name}", jobs=1)
        outs.append(tmp_path / f"out_{name}")
    assert 'xmlns:cin="urn:dfe:cin"' in (tmp_path / "prefixed" / "cin.xml").read_text()
    names = sorted(f.name for f in outs[0].iterdir() if f.name != "extract.json")
    assert "ssd_cp_plans.csv" in names
    for other in outs[1:]:
        for n in names:
            assert (other / n).read_bytes() == (outs[0] / n).read_bytes(), n


# -- bad files -------------------------------------------------------------------------------

def test_a_malformed_file_stops_with_one_line_and_writes_nothing(tmp_path, capsys):
    good = write_census(tmp_path / "cin_2020.xml", [A], year=2020)
    bad = tmp_path / "cin_2021.xml"
    bad.write_text(census_xml([A, B], year=2021)[:-40])  # cut off before the end
    code = main(["convert", "cin-census", str(good), str(bad), "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and err[0].startswith("neglect-analysis: cin_2021.xml: not well-formed XML (line ")
    assert not (tmp_path / "o").exists()


def test_a_file_that_is_not_a_census_says_so_in_one_line(tmp_path, capsys):
    x = write_ssda903_xml(tmp_path / "la.xml", [{"header": {"CHILDID": "1"}}])
    code = main(["convert", "cin-census", str(x), "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err == ["neglect-analysis: la.xml: not a CIN census file (its first element is <EXPSSDA903>; "
                   "a CIN census XML file starts with <Message>)"]
    csv = tmp_path / "header.csv"
    csv.write_text("CHILD,SEX\n1,2\n")
    assert main(["convert", "cin-census", str(csv), "--out", str(tmp_path / "o"), "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("neglect-analysis: header.csv: not XML (line 1, column 0")


def test_row_errors_name_the_file_child_element_and_value(tmp_path, capsys):
    bad = {**B, "episodes": [{**B_2020, "cp_plans": [{"start": "2018-12-14", "end": "2019-02-30"}]}]}
    p = write_census(tmp_path / "cin_2019.xml", [A, bad], year=2019)
    code = main(["convert", "cin-census", str(p), "--out", str(tmp_path / "o"), "--quiet"])
    assert code == 1
    notes = read(tmp_path / "o" / "conversion_notes.csv")
    assert notes[["file", "row", "column", "value", "severity"]].values.tolist() == [
        ["cin_2019.xml", "2", "ChildProtectionPlans/CPPendDate", "2019-02-30", "error"]]
    assert notes["problem"].tolist() == [
        "cin_2019.xml: child B002 (Child 2), ChildProtectionPlans/CPPendDate 2019-02-30 is not a "
        "date; left empty (open)"]
    # the plan is kept, open
    assert read(tmp_path / "o" / "ssd_cp_plans.csv")["cppl_cp_plan_end_date"].tolist() == [""]


def test_refuses_a_folder_it_did_not_write(tmp_path, capsys):
    p = write_census(tmp_path / "cin.xml", [A], year=2021)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["convert", "cin-census", str(p), "--out", str(out), "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["convert", "cin-census", str(p), "--out", str(out), "--quiet"]) == 2
    # an earlier conversion is replaced without --force
    out2 = tmp_path / "conv"
    assert main(["convert", "cin-census", str(p), "--out", str(out2), "--quiet"]) == 0
    assert main(["convert", "cin-census", str(p), "--out", str(out2), "--quiet"]) == 0


# -- SSDA903: CLA episodes and the mother link -----------------------------------------------

L901 = {"id": "L901", "dob": "2008-04-04", "sex": "M",
        "episodes": [{"referral": "2019-09-01", "source": "6", "need": "N1"}]}


def _check_903(out: Path) -> None:
    # M900 is in no census file: a person from the 903 header (SEX 2 = F, DOB 1 Feb 2003)
    persons = read(out / "ssd_person.csv")
    assert persons.values.tolist() == [
        ["L901", "M", "2008-04-04", "", "", ""],
        ["M900", "F", "2003-02-01", "", "", ""],
        ["M900_MCDOB_20190615", "", "2019-06-15", "", "", "Y"],
    ]
    assert rows(out / "ssd_mother.csv") == [["M0000001", "M900", "M900_MCDOB_20190615", "2019-06-15", "Y"]]
    # id, person, DECOM, DEC, RNE, LS, CIN, REC (sorted by child: L901 before M900)
    assert rows(out / "ssd_cla_episodes.csv") == [
        ["L0000001", "L901", "2019-10-10", "", "S", "C2", "N1", ""],
        ["L0000002", "M900", "2019-04-01", "2019-09-30", "S", "V2", "N4", "E8"],
    ]
    cohort, report = load_extract(out)
    assert cohort.meta["link_source"] == "ssd_mother"
    links = cohort.links.astype(str)[["parent_id", "child_id", "source"]].values.tolist()
    assert links == [["M900", "M900_MCDOB_20190615", "ssd_mother"]]
    assert not report.has_errors


def test_ssda903_csv_with_uk_dates_gives_the_mother_link(tmp_path):
    census = write_census(tmp_path / "cin_2020.xml", [L901], year=2020)
    d903 = tmp_path / "903"
    write_ssda903_csv(d903, 2020, header=[
        {"CHILD": "M900", "SEX": "2", "DOB": "01/02/2003", "MOTHER": "1", "MC_DOB": "15/06/2019"},
        {"CHILD": "L901", "SEX": "1", "DOB": "04/04/2008", "MOTHER": ""}],
        episodes=[{"CHILD": "M900", "DECOM": "01/04/2019", "RNE": "S", "LS": "V2", "CIN": "N4",
                   "DEC": "30/09/2019", "REC": "E8"},
                  {"CHILD": "L901", "DECOM": "10/10/2019", "RNE": "S", "LS": "C2", "CIN": "N1"}])
    (d903 / "uasc_2020.csv").write_text("CHILD,SEX,DOB,DUC\n")
    r = convert_cin_census([census], tmp_path / "o", ssda903=d903, jobs=1)
    _check_903(tmp_path / "o")
    notes = r.report.problems
    assert notes["problem"].tolist() == ["uasc_2020.csv: not an SSDA903 header (CHILD, SEX, DOB, "
                                         "MOTHER ...) or episodes (CHILD, DECOM) table; skipped"]


def test_ssda903_xml_with_iso_dates(tmp_path):
    census = write_census(tmp_path / "cin_2020.xml", [L901], year=2020)
    write_ssda903_xml(tmp_path / "903" / "2020" / "ssda903.xml", [
        {"header": {"CHILDID": "M900", "SEX": "2", "DOB": "2003-02-01", "MOTHER": "1", "MC_DOB": "2019-06-15"},
         "episodes": [{"DECOM": "2019-04-01", "RNE": "S", "LS": "V2", "CIN": "N4", "PL": "U1",
                       "DEC": "2019-09-30", "REC": "E8"}]},
        {"header": {"CHILDID": "L901", "SEX": "1", "DOB": "2008-04-04", "MOTHER": "0"},
         "episodes": [{"DECOM": "2019-10-10", "RNE": "S", "LS": "C2", "CIN": "N1"}]}])
    r = convert_cin_census([census], tmp_path / "o", ssda903=tmp_path / "903", jobs=1)
    _check_903(tmp_path / "o")
    assert json.loads((tmp_path / "o" / "extract.json").read_text())["converted_from"]["ssda903"] == [
        "2020/ssda903.xml"]
    assert r.report.problems.empty


# -- UPN matching ----------------------------------------------------------------------------

def test_upn_matches_children_only_when_asked_and_is_never_written(tmp_path):
    old = {**B, "id": "OLD7", "episodes": [B_2019]}
    new = {**B, "id": "B002", "episodes": [B_2020]}
    f1 = write_census(tmp_path / "a.xml", [old], year=2019)
    f2 = write_census(tmp_path / "b.xml", [new], year=2020)
    convert_cin_census([f1, f2], tmp_path / "plain", jobs=1)
    assert read(tmp_path / "plain" / "ssd_person.csv")["pers_person_id"].tolist() == ["B002", "OLD7"]
    r = convert_cin_census([f1, f2], tmp_path / "upn", jobs=1, match_upn=True)
    out = tmp_path / "upn"
    assert read(out / "ssd_person.csv")["pers_person_id"].tolist() == ["B002"]
    # the 2018-11-01 episode of OLD7 (2019) and of B002 (2020) is one episode, under B002
    assert rows(out / "ssd_cin_episodes.csv") == [
        ["R0000001", "B002", "2018-11-01", "N1", "N", "2020-02-28", "RC7", "2A"]]
    assert "child OLD7 has the same UPN as child B002" in " ".join(r.report.problems["problem"])
    for f in out.iterdir():
        assert "A123456789012" not in f.read_text()
    # a links file naming the replaced id is copied unchanged, with a warning
    links = tmp_path / "rel.csv"
    links.write_text("person_id,related_person_id,relationship\nM1,OLD7,mother_of\n")
    r = convert_cin_census([f1, f2], tmp_path / "upn2", jobs=1, match_upn=True, links=links)
    assert (tmp_path / "upn2" / "relationships.csv").read_text() == links.read_text()
    warn = r.report.problems[r.report.problems["severity"] == "warning"]["problem"].tolist()
    assert warn == ["rel.csv names 1 id(s) that --match-upn replaced (OLD7 -> B002); the file is "
                    "copied unchanged, so those links will not find their person: use the kept ids "
                    "in the links file"]


# -- the generated bulk files (the benchmark's) ----------------------------------------------

def test_bulk_files_of_three_years_convert_with_two_processes(tmp_path):
    files = [write_bulk_census(tmp_path / f"cin_{y}.xml", y, 300, year_index=i, step=100)
             for i, y in enumerate((2019, 2020, 2021))]
    r = convert_cin_census(files, tmp_path / "o", jobs=2)
    # children 0..299, 100..399, 200..499: 500 distinct ids; one episode per child and year
    # (900) + none repeated twice: the carried ones are the same episode, kept once
    assert r.rows["ssd_person"] == 500
    assert r.rows["ssd_cin_episodes"] == 900
    # a child is the same in every year and a carried episode only gains its closure: no
    # disagreement at all
    assert r.report.problems.empty
    cohort, report = load_extract(tmp_path / "o")
    assert report.counts["rows_reported"].sum() == 0


# -- unborn children, deaths, codes, missing ids ---------------------------------------------

def test_an_unborn_child_then_born_and_the_codes_of_sex(tmp_path):
    unborn = {"id": "U1", "expected_dob": "2019-06-10", "sex": "U",
              "episodes": [{"referral": "2019-02-01", "source": "3B"}]}
    born = {"id": "U1", "dob": "2019-06-08", "sex": "F", "death": "2019-12-01",
            "episodes": [{"referral": "2019-02-01", "source": "3B", "closure": "2019-12-01", "reason": "RC2"}]}
    f1 = write_census(tmp_path / "cin_2019.xml", [unborn], year=2019)
    f2 = write_census(tmp_path / "cin_2020.xml", [born], year=2020)
    assert "<GenderCurrent>0</GenderCurrent>" in f1.read_text()
    r = convert_cin_census([f1, f2], tmp_path / "o", jobs=1)
    # 2020 wins: born 8 June 2019 (dob), no expected dob any more, F, died 1 December 2019
    assert rows(tmp_path / "o" / "ssd_person.csv") == [["U1", "F", "2019-06-08", "", "2019-12-01"]]
    notes = r.report.problems
    # the expected dob and the sex changed between the years: both noted, naming both files
    assert sorted(notes["problem"]) == [
        "child U1: ExpectedPersonBirthDate 2019-06-10 in cin_2019.xml but empty in cin_2020.xml; "
        "the later (cin_2020.xml) is used",
        "child U1: sex (GenderCurrent/Sex) U in cin_2019.xml but F in cin_2020.xml; the later "
        "(cin_2020.xml) is used"]
    # GenderCurrent 9 is I (indeterminate); an unknown code is an error, left empty
    g = census_xml([{**born, "sex": "9"}, {**born, "id": "U2", "sex": "7"}], year=2020)
    (tmp_path / "g.xml").write_text(g)
    r = convert_cin_census([tmp_path / "g.xml"], tmp_path / "g", jobs=1)
    assert read(tmp_path / "g" / "ssd_person.csv")["pers_sex"].tolist() == ["I", ""]
    assert r.report.problems["problem"].tolist() == [
        "g.xml: child U2 (Child 2), ChildIdentifiers/GenderCurrent 7 is not a GenderCurrent code "
        "(1, 2, 0, 9); left empty"]


def test_a_child_without_id_or_an_episode_without_referral_date_is_reported(tmp_path):
    no_id = {"dob": "2010-01-01", "episodes": [{"referral": "2019-01-01"}]}
    no_ref = {"id": "K1", "dob": "2010-01-01", "episodes": [{"source": "2A"}, {"referral": "2019-03-03"}]}
    p = write_census(tmp_path / "c.xml", [no_id, no_ref], year=2019)
    r = convert_cin_census([p], tmp_path / "o", jobs=1)
    assert r.has_errors
    assert r.report.problems[["row", "column", "problem"]].astype(str).values.tolist() == [
        ["1", "ChildIdentifiers/LAchildID", "c.xml: Child 1, a Child without LAchildID; the child "
         "and its episodes are left out"],
        ["2", "CINdetails/CINreferralDate", "c.xml: child K1 (Child 2), a CINdetails without "
         "CINreferralDate; the episode and what it holds are left out"]]
    # the episode without a referral date (source 2A) is left out; the other (source 1A, the
    # fixture's default) is kept
    assert rows(tmp_path / "o" / "ssd_cin_episodes.csv") == [
        ["R0000001", "K1", "2019-03-03", "", "N", "", "", "1A"]]


def test_census_and_903_disagreeing_on_a_dob_keep_the_census_and_say_so(tmp_path):
    census = write_census(tmp_path / "cin_2020.xml", [L901], year=2020)
    write_ssda903_csv(tmp_path / "903", 2020,
                      header=[{"CHILD": "L901", "SEX": "1", "DOB": "05/04/2008", "MOTHER": "0"}],
                      episodes=[{"CHILD": "L901", "DECOM": "10/10/2019"}])
    r = convert_cin_census([census], tmp_path / "o", ssda903=tmp_path / "903", jobs=1)
    assert rows(tmp_path / "o" / "ssd_person.csv") == [["L901", "M", "2008-04-04", "", ""]]
    assert r.report.problems["problem"].tolist() == [
        "child L901: SSDA903 DOB 2008-04-05 in header_2020.csv but 2008-04-04 in the CIN census; "
        "the census is used"]


def test_bad_903_dates_name_the_file_row_column_and_value(tmp_path):
    census = write_census(tmp_path / "cin_2019.xml", [L901], year=2019)
    write_ssda903_csv(tmp_path / "903", 2019,
                      header=[{"CHILD": "L901", "SEX": "1", "DOB": "31/02/2008", "MOTHER": "0"}],
                      episodes=[{"CHILD": "L901", "DECOM": "2019-13-01"}, {"CHILD": "L901", "DECOM": "02/03/2019"}])
    r = convert_cin_census([census], tmp_path / "o", ssda903=tmp_path / "903", jobs=1)
    p = r.report.problems
    assert p[["file", "row", "column", "value", "severity"]].astype(str).values.tolist() == [
        ["header_2019.csv", "2", "SSDA903 header DOB", "31/02/2008", "error"],
        ["episodes_2019.csv", "2", "SSDA903 episodes DECOM", "2019-13-01", "error"]]
    assert p["problem"].tolist() == [
        "header_2019.csv: child L901 (row 2), SSDA903 header DOB 31/02/2008 is not a date; left empty",
        "episodes_2019.csv: child L901 (row 2), SSDA903 episodes DECOM 2019-13-01 is not a date; the "
        "episode is left out"]
    # the other episode (2 March 2019, UK date) is kept
    assert rows(tmp_path / "o" / "ssd_cla_episodes.csv") == [
        ["L0000001", "L901", "2019-03-02", "", "", "", "", ""]]
