"""load_extract on small hand-made extracts: tables, events, links, fallbacks, formats."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from neglect_analysis.io import ExtractError, TABLE_COLUMNS, load_extract, read_table

PERSON = """pers_person_id,pers_sex,pers_dob,pers_expected_dob,pers_death_date
0001,F,1980-01-01,,
0012,M,31/03/2005,,
0013,F,,2018-09-01,
"""
RELATIONSHIPS = """person_id,related_person_id,relationship,start_date,end_date
0001,0012,mother_of,,
0001,0013,mother_of,,
0099,0012,father_of,,
0001,0099,partner_of,2003-01-01,2006-01-01
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(text, encoding=encoding)
    return path


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    write(tmp_path, "ssd_person.csv", PERSON)
    write(tmp_path, "relationships.csv", RELATIONSHIPS)
    return tmp_path


def dates(s: pd.Series) -> list:
    return [None if pd.isna(d) else d.strftime("%Y-%m-%d") for d in s]


def accounting_holds(report) -> bool:
    c = report.counts
    return bool((c["rows_read"] == c["rows_used"] + c["rows_reported"]).all())


# -- persons and links ----------------------------------------------------------------------------

def test_persons_links_partners(extract):
    cohort, report = load_extract(extract, audit_date="2018-07-31")
    p = cohort.persons.set_index("person_id")
    # ids keep leading zeros; 0013's dob is the expected dob; 0099 (father, not a client) added
    assert list(p.index) == ["0001", "0012", "0013", "0099"]
    assert dates(p["dob"]) == ["1980-01-01", "2005-03-31", "2018-09-01", None]
    assert p["in_extract"].tolist() == [True, True, True, False]
    assert cohort.links[["parent_id", "child_id", "relationship", "source"]].values.tolist() == [
        ["0001", "0012", "mother_of", "relationships"],
        ["0001", "0013", "mother_of", "relationships"],
        ["0099", "0012", "father_of", "relationships"],
    ]
    assert cohort.partners[["person_id", "partner_id"]].values.tolist() == [["0001", "0099"]]
    assert dates(cohort.partners["start_date"]) == ["2003-01-01"]
    assert dates(cohort.partners["end_date"]) == ["2006-01-01"]
    assert not report.has_errors
    notes = report.problems[report.problems["check"] == "parent_not_in_extract"]
    assert notes["problem"].tolist() == [
        "relationships.csv row 4: person_id 0099 (a parent) is not in ssd_person; kept with unknown date of birth"]
    assert notes["severity"].tolist() == ["note"]
    assert cohort.meta["link_source"] == "relationships"
    assert accounting_holds(report)


def test_ssd_mother_fallback(tmp_path):
    write(tmp_path, "ssd_person.csv", "pers_person_id,pers_dob\nM,1980-01-01\nA,2000-01-01\nB,\n")
    write(tmp_path, "ssd_mother.csv",
          "moth_table_id,moth_person_id,moth_childs_person_id,moth_childs_dob\n"
          "1,M,A,2000-01-01\n2,M,B,2010-06-15\n3,M2,A,\n")
    write(tmp_path, "ssd_family.csv", "fami_family_id,fami_person_id\nF,M\n")
    cohort, report = load_extract(tmp_path, audit_date="2018-07-31")
    assert cohort.links[["parent_id", "child_id", "relationship", "source"]].values.tolist() == [
        ["M", "A", "mother_of", "ssd_mother"], ["M", "B", "mother_of", "ssd_mother"],
        ["M2", "A", "mother_of", "ssd_mother"]]
    # B has no pers_dob: moth_childs_dob fills it; M2 is a mother absent from ssd_person
    p = cohort.persons.set_index("person_id")
    assert dates(p.loc[["B", "M2"], "dob"]) == ["2010-06-15", None]
    assert cohort.meta["link_source"] == "ssd_mother"
    # ssd_family is present but not read: a note, and it is not in the counts
    assert "ssd_family.csv: not read; links are taken from ssd_mother" in report.problems["problem"].tolist()
    assert report.counts["table"].tolist() == ["ssd_person", "ssd_mother"]


def test_ssd_family_fallback(tmp_path):
    # Family F1: grandmother G 1950, mother M 1975, father D 1973, children A 2000 and B 2005.
    # Sorted by dob: G 1950 | gap 23y | D 1973, M 1975 | gap 25y | A 2000, B 2005.
    # Youngest generation A, B; generation above D, M -> 4 parent_of links; G not linked.
    # Family F2: two adults 2 years apart, one generation: no links.
    write(tmp_path, "ssd_person.csv", "pers_person_id,pers_dob\nG,1950-01-01\nM,1975-01-01\nD,1973-06-01\n"
          "A,2000-01-01\nB,2005-06-01\nX,1990-01-01\nY,1992-01-01\nZ,\n")
    write(tmp_path, "ssd_family.csv", "fami_table_id,fami_family_id,fami_person_id\n"
          "1,F1,G\n2,F1,M\n3,F1,D\n4,F1,A\n5,F1,B\n6,F2,X\n7,F2,Y\n8,F2,Z\n9,F2,Q\n")
    cohort, report = load_extract(tmp_path, audit_date="2018-07-31")
    assert cohort.links[["parent_id", "child_id", "relationship", "source"]].values.tolist() == [
        ["D", "A", "parent_of", "ssd_family"], ["D", "B", "parent_of", "ssd_family"],
        ["M", "A", "parent_of", "ssd_family"], ["M", "B", "parent_of", "ssd_family"]]
    msgs = report.problems["problem"].tolist()
    assert ("ssd_family.csv row 9: fami_person_id Z has no date of birth, so cannot be placed as "
            "parent or child; not linked") in msgs
    assert "ssd_family.csv row 10: fami_person_id Q is not in ssd_person; row dropped" in msgs
    assert report.counts.set_index("table").loc["ssd_family", ["rows_read", "rows_used", "rows_reported"]].tolist() == [9, 8, 1]


# -- events ---------------------------------------------------------------------------------------

def full_extract(folder: Path) -> Path:
    write(folder, "ssd_person.csv", PERSON)
    write(folder, "relationships.csv", RELATIONSHIPS)
    write(folder, "ssd_contacts.csv",
          "cont_contact_id,cont_person_id,cont_contact_date,cont_contact_source_code,cont_contact_outcome_json\n"
          'K1,0012,2010-01-01 00:00:00.000,2a,"{""NFA_FLAG"":""Y"",""ADVICE_FLAG"":""Y"",""CP_ENQUIRY_FLAG"":""N""}"\n'
          "K2,0013,01/06/2018,3B,\n")
    write(folder, "ssd_early_help_episodes.csv",
          "earl_episode_id,earl_person_id,earl_episode_start_date,earl_episode_end_date,earl_episode_end_reason\n"
          "EH1,0012,2010-02-01,2010-05-01,Declined\nEH2,0012,2011-01-01,,\n")
    write(folder, "ssd_cin_episodes.csv",
          "cine_referral_id,cine_person_id,cine_referral_date,cine_cin_primary_need_code,cine_referral_nfa,"
          "cine_close_date,cine_close_reason\n"
          "R1,0012,2010-03-01,n1,N,2010-09-01,RC8\nR2,0013,2018-07-01,N4,Y,,\n")
    write(folder, "ssd_cin_assessments.csv",
          "cina_assessment_id,cina_person_id,cina_referral_id,cina_assessment_start_date,cina_assessment_auth_date\n"
          "A1,0012,R1,2010-03-02,2010-04-01\nA2,0012,R1,2010-05-02,\n")
    write(folder, "ssd_assessment_factors.csv",
          "cinf_table_id,cinf_assessment_id,cinf_assessment_factors_json\n"
          '1,A1,"[""16A"",""3B""]"\n2,A1,"1B, 3B"\n')
    write(folder, "ssd_s47_enquiry.csv",
          "s47e_s47_enquiry_id,s47e_person_id,s47e_referral_id,s47e_s47_start_date,s47e_s47_end_date,s47e_s47_nfa\n"
          "S1,0012,R1,2010-04-02,2010-04-20,N\n")
    write(folder, "ssd_initial_cp_conference.csv",
          "icpc_icpc_id,icpc_person_id,icpc_s47_enquiry_id,icpc_icpc_date,icpc_icpc_outcome_cp_flag,icpc_icpc_transfer_in\n"
          "I1,0012,S1,2010-04-25,Y,N\nI2,0012,,2012-01-01,N,Y\n")
    write(folder, "ssd_cp_plans.csv",
          "cppl_cp_plan_id,cppl_person_id,cppl_icpc_id,cppl_cp_plan_start_date,cppl_cp_plan_end_date,"
          "cppl_cp_plan_initial_category,cppl_cp_plan_latest_category,cppl_cp_plan_ola\n"
          "P1,0012,I1,2010-04-25,2011-04-01,Neglect,Emotional Abuse,N\nP2,0012,,2012-01-05,,NEG,,Y\n")
    write(folder, "ssd_cla_episodes.csv",
          "clae_cla_episode_id,clae_person_id,clae_cla_episode_start_date,clae_cla_episode_ceased_date\n"
          "L1,0012,2013-01-01,2014-01-01\n")
    write(folder, "ssd_pre_proceedings.csv",
          "prep_table_id,prep_person_id,prep_plo_family_id,prep_pre_pro_decision_date,prep_pre_pro_outcome,"
          "prep_agree_stepdown_issue_date,prep_care_pro_letter_date\n"
          "PP1,0012,F1,01/10/2012,Decision to Issue Care Proceedings,15/11/2012,01/11/2012\n"
          "PP2,0012,F1,01/06/2014,Decision to step down,,\n"
          "PP3,0013,F1,01/06/2018,Decision to issue care proceedings,,20/06/2018\n")
    write(folder, "paper_records.csv",
          "person_id,event_date,event_type,detail,document_ref\n"
          "0012,2004-05-05,referral,pre-birth referral,DOC-1\n"
          "0012,2006-01-01,School report,attendance 60%,DOC-2\n")
    write(folder, "case_review.csv",
          "person_id,item_id,question,answer,reviewer,review_date\n"
          "0012,Q1,Assessment refers to older siblings' history,no,AB,2018-07-01\n")
    write(folder, "iro_challenges.csv",
          "person_id,cp_plan_id,challenge_date,theme,resolved_date\n0012,P1,2010-10-01,drift,2010-12-01\n")
    write(folder, "extract.json", json.dumps({"audit_date": "2018-07-31", "ics_start_date": "2009-04-01",
                                              "authority": "Test LA", "synthetic": True}))
    return folder


def test_full_extract_events(tmp_path):
    cohort, report = load_extract(full_extract(tmp_path))
    assert not report.has_errors, report.format()
    assert accounting_holds(report)
    assert (report.counts["rows_reported"] == 0).all()
    e = cohort.events.set_index(["event_type", "event_id"])

    k1 = e.loc[("contact", "K1")]
    assert (k1["person_id"], k1["category"], k1["outcome"], bool(k1["nfa"])) == (
        "0012", "2A", "ADVICE_FLAG;NFA_FLAG", True)
    assert k1["start_date"] == pd.Timestamp("2010-01-01") and pd.isna(k1["end_date"])
    assert k1["source"] == "ics" and k1["source_ref"] == "ssd_contacts:2"
    k2 = e.loc[("contact", "K2")]
    assert k2["start_date"] == pd.Timestamp("2018-06-01") and pd.isna(k2["nfa"]) and pd.isna(k2["outcome"])

    assert e.loc[("early_help", "EH1"), "outcome"] == "Declined"
    assert pd.isna(e.loc[("early_help", "EH2"), "end_date"])          # open episode: no problem

    r1 = e.loc[("referral", "R1")]
    assert (r1["category"], bool(r1["nfa"]), r1["outcome"]) == ("N1", False, "RC8")
    assert r1["end_date"] == pd.Timestamp("2010-09-01")
    # pre-birth referral of 0013 (expected dob 2018-09-01): not an error
    assert e.loc[("referral", "R2"), "start_date"] == pd.Timestamp("2018-07-01")

    a1 = e.loc[("assessment", "A1")]
    # factors from two rows: 16A,3B + 1B,3B -> 1B,3B,16A (number order)
    assert (a1["factors"], a1["linked_event_id"]) == ("1B,3B,16A", "R1")
    assert e.loc[("assessment", "A2"), "factors"] == ""

    s1 = e.loc[("s47", "S1")]
    assert (s1["linked_event_id"], bool(s1["nfa"])) == ("R1", False)

    i1, i2 = e.loc[("icpc", "I1")], e.loc[("icpc", "I2")]
    assert (i1["linked_event_id"], i1["outcome"], i1["other_la"]) == ("S1", "CP_PLAN", False)
    assert pd.isna(i2["outcome"]) and i2["other_la"]

    p1, p2 = e.loc[("cp_plan", "P1")], e.loc[("cp_plan", "P2")]
    assert (p1["category"], p1["outcome"], p1["other_la"]) == ("NEG", "EMO", False)
    assert (p2["category"], p2["other_la"]) == ("NEG", True) and pd.isna(p2["end_date"])

    assert dates(e.loc[[("cla", "L1")], "end_date"]) == ["2014-01-01"]

    # pre-proceedings: PP1 issue -> care proceedings from the agreed issue date 15/11/2012;
    # PP2 step down -> none; PP3 issue without agreed date -> letter date 20/06/2018
    assert dates(e.loc[[("pre_proceedings", "PP1"), ("pre_proceedings", "PP2"), ("pre_proceedings", "PP3")],
                       "start_date"]) == ["2012-10-01", "2014-06-01", "2018-06-01"]
    care = cohort.events[cohort.events["event_type"] == "care_proceedings"]
    assert care["event_id"].tolist() == ["PP1", "PP3"]
    assert dates(care["start_date"]) == ["2012-11-15", "2018-06-20"]
    assert e.loc[("pre_proceedings", "PP2"), "outcome"] == "Decision to step down"

    paper = cohort.events[cohort.events["source"] == "paper"]
    assert paper[["event_id", "event_type", "outcome", "source_ref", "detail"]].values.tolist() == [
        ["paper_records:2", "referral", "referral", "DOC-1", "pre-birth referral"],
        ["paper_records:3", "paper", "School report", "DOC-2", "attendance 60%"]]

    assert cohort.case_review["answer"].tolist() == ["no"]
    assert dates(cohort.iro_challenges["resolved_date"]) == ["2010-12-01"]
    assert cohort.audit_date == pd.Timestamp("2018-07-31") and cohort.synthetic
    assert cohort.authority == "Test LA" and cohort.label() == "SYNTHETIC DATA - Test LA"
    # 2 contacts + 2 eh + 2 referrals + 2 assessments + 1 s47 + 2 icpc + 2 plans + 1 cla
    # + 3 pre-proceedings + 2 care proceedings + 2 paper = 21
    assert len(cohort.events) == 21


def test_absent_optional_tables_are_notes(extract):
    cohort, report = load_extract(extract, audit_date="2018-07-31")
    notes = report.problems[report.problems["check"] == "absent_table"]
    assert "ssd_cp_plans: table not in the extract; no cp_plan events" in notes["problem"].tolist()
    assert len(notes) == 10 and (notes["severity"] == "note").all()
    assert cohort.events.empty and list(cohort.events.columns)[:3] == ["event_id", "person_id", "event_type"]


# -- aliases, formats, encodings -------------------------------------------------------------------

def test_column_aliases_case_and_spaces(tmp_path):
    write(tmp_path, "ssd_person.csv", " PERS_LA_PERSON_ID , Pers_DOB ,pers_single_unique_id\n0001,1980-01-01,U1\n0012,2005-03-31,U2\n")
    write(tmp_path, "relationships.csv", "Person_ID,RELATED_PERSON_ID,Relationship\n0001,0012,Mother of\n")
    write(tmp_path, "ssd_contact.csv", "cont_contact_id,cont_la_person_id,cont_contact_start,cont_contact_source\nK1,0012,42825,6\n")
    write(tmp_path, "ssd_cp_plans.csv", "cppl_cp_plan_id,cppl_person_id,cppl_cp_plan_start,cppl_initial_cp_conference_id,"
          "cppl_cp_plan_initial_category\nP1,0012,2017-04-01,I9,neglect\n")
    cohort, report = load_extract(tmp_path, audit_date="2018-07-31")
    assert not report.has_errors, report.format()
    assert cohort.persons["person_id"].tolist() == ["0001", "0012"]
    assert cohort.links["relationship"].tolist() == ["mother_of"]
    k = cohort.events[cohort.events["event_type"] == "contact"].iloc[0]
    assert (k["event_id"], k["person_id"], k["category"]) == ("K1", "0012", "6")
    assert k["start_date"] == pd.Timestamp("2017-03-31")      # Excel serial 42825
    assert cohort.events[cohort.events["event_type"] == "cp_plan"]["category"].tolist() == ["NEG"]
    assert read_table(tmp_path / "ssd_cp_plans.csv")["cppl_icpc_id"].tolist() == ["I9"]


def test_every_alias_maps_to_a_known_column():
    for table, spec in TABLE_COLUMNS.items():
        known = set(spec["required"]) | set(spec["optional"])
        assert set(spec["aliases"].values()) <= known, table
        assert not set(spec["aliases"]) & known, table


def test_blank_and_whitespace_cells_are_missing(tmp_path):
    write(tmp_path, "ssd_person.csv", "pers_person_id,pers_dob,pers_expected_dob\n0001,1980-01-01,\n0012,   ,NULL\n")
    write(tmp_path, "relationships.csv", "person_id,related_person_id,relationship\n0001,0012,mother_of\n")
    cohort, report = load_extract(tmp_path, audit_date="2018-07-31")
    assert report.problems.loc[report.problems["check"] == "no_dob", "problem"].tolist() == [
        "ssd_person.csv row 3: has neither pers_dob nor pers_expected_dob; kept without a date of "
        "birth and left out of sibling groups"]
    assert not report.has_errors


def test_bom_and_windows_1252(tmp_path):
    write(tmp_path, "ssd_person.csv", PERSON, encoding="utf-8-sig")      # BOM
    write(tmp_path, "relationships.csv", RELATIONSHIPS)
    write(tmp_path, "paper_records.csv", "person_id,event_date,event_type,detail,document_ref\n"
          "0012,2004-05-05,file_note,seen by Zoë – café,D1\n", encoding="cp1252")
    cohort, report = load_extract(tmp_path, audit_date="2018-07-31")
    assert cohort.persons["person_id"].iloc[0] == "0001"                  # BOM not in the header
    assert cohort.events["detail"].tolist() == ["seen by Zoë – café"]
    assert report.problems.loc[report.problems["check"] == "encoding", "problem"].tolist() == [
        "paper_records.csv: not UTF-8; read as Windows-1252"]


def test_xlsx_and_parquet(tmp_path):
    persons = pd.DataFrame({"pers_person_id": ["0001", "0012"],
                            "pers_dob": [pd.Timestamp("1980-01-01"), pd.Timestamp("2005-03-31")]})
    with pd.ExcelWriter(tmp_path / "ssd_person.xlsx") as xw:     # real Excel date cells
        persons.to_excel(xw, index=False, sheet_name="first")
        pd.DataFrame({"x": [1]}).to_excel(xw, index=False, sheet_name="second")
    pd.DataFrame({"person_id": ["0001"], "related_person_id": ["0012"], "relationship": ["mother_of"]}
                 ).to_parquet(tmp_path / "relationships.parquet")
    plans = pd.DataFrame({"cppl_cp_plan_id": [7], "cppl_person_id": ["0012"],
                          "cppl_cp_plan_start_date": [42825], "cppl_cp_plan_end_date": ["31/12/2017"]})
    with pd.ExcelWriter(tmp_path / "ssd_cp_plans.xlsx") as xw:   # Excel serial number cell, int id
        plans.to_excel(xw, index=False)
    pd.DataFrame({"cont_contact_id": ["K1"], "cont_person_id": ["0012"],
                  "cont_contact_date": pd.to_datetime(["2017-03-31"])}).to_parquet(tmp_path / "ssd_contacts.parquet")
    cohort, report = load_extract(tmp_path, audit_date="2018-07-31")
    assert not report.has_errors, report.format()
    assert dates(cohort.persons["dob"]) == ["1980-01-01", "2005-03-31"]
    assert cohort.links[["parent_id", "child_id"]].values.tolist() == [["0001", "0012"]]
    plan = cohort.events[cohort.events["event_type"] == "cp_plan"].iloc[0]
    assert plan["event_id"] == "7"
    assert (plan["start_date"], plan["end_date"]) == (pd.Timestamp("2017-03-31"), pd.Timestamp("2017-12-31"))
    assert cohort.events[cohort.events["event_type"] == "contact"]["start_date"].tolist() == [pd.Timestamp("2017-03-31")]


def test_csv_preferred_when_a_table_has_two_files(extract):
    pd.DataFrame({"pers_person_id": ["X"]}).to_parquet(extract / "ssd_person.parquet")
    cohort, report = load_extract(extract, audit_date="2018-07-31")
    assert "X" not in cohort.persons["person_id"].tolist()
    assert "ssd_person.parquet: ssd_person is also in ssd_person.csv; ssd_person.parquet ignored" in \
        report.problems["problem"].tolist()


# -- extract.json ----------------------------------------------------------------------------------

def test_extract_json_and_overrides(extract):
    write(extract, "extract.json", '{"audit_date": "2018-07-31", "ics_start_date": "2008-01-01", '
          '"authority": "X", "synthetic": false}')
    c, _ = load_extract(extract)
    assert (c.audit_date, c.ics_start_date, c.authority, c.synthetic) == (
        pd.Timestamp("2018-07-31"), pd.Timestamp("2008-01-01"), "X", False)
    c, _ = load_extract(extract, audit_date="2019-01-01", ics_start_date=pd.Timestamp("2010-04-01"))
    assert (c.audit_date, c.ics_start_date) == (pd.Timestamp("2019-01-01"), pd.Timestamp("2010-04-01"))


def test_defaults_without_extract_json(extract):
    c, _ = load_extract(extract)
    assert c.audit_date == pd.Timestamp.today().normalize()
    assert c.ics_start_date == pd.Timestamp("2009-04-01") and not c.synthetic and c.authority is None
    assert c.source_path == str(extract)


def test_bad_extract_json_is_an_error(extract):
    write(extract, "extract.json", '{"audit_date": "31 Feb"')
    c, report = load_extract(extract, audit_date="2018-07-31")
    assert report.has_errors
    assert report.problems["problem"].iloc[0].startswith("extract.json: is not valid JSON")


def test_missing_folder_raises(tmp_path):
    with pytest.raises(ExtractError, match="no such folder"):
        load_extract(tmp_path / "nope")
