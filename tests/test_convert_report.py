"""``report`` on converted CIN census extracts: without links (per-child tables, the three ways
to get links, exit 1) and with a links file (``children.csv`` equal to the one made from the
same data given directly as SSD tables)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from neglect_analysis.cli import main

from census_fixtures import (EXAMPLE_CHILDREN, EXAMPLE_EPISODES,
                             EXAMPLE_RELATIONSHIPS, write_census)


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


B = {"id": "B002", "dob": "2012-02-03", "sex": "M"}
B_2019 = {"referral": "2018-11-01", "source": "2A", "need": "N1",
          "s47": [{"start": "2018-12-01", "icpc": "2018-12-14"}],
          "cp_plans": [{"start": "2018-12-14"}]}
B_2021 = {**B_2019, "closure": "2020-03-06", "reason": "RC7",
          "cp_plans": [{"start": "2018-12-14", "end": "2019-10-01"}]}
A = {"id": "A001", "dob": "2015-07-20", "sex": "F",
     "episodes": [{"referral": "2020-05-05", "closure": "2020-05-20", "reason": "RC8",
                   "assessments": [{"start": "2020-05-06", "auth": "2020-05-19"}]}]}


def test_report_without_links_writes_per_child_tables_and_exits_1(tmp_path, capsys):
    f1 = write_census(tmp_path / "c" / "cin_2019.xml", [{**B, "episodes": [B_2019]}], year=2019)
    f2 = write_census(tmp_path / "c" / "cin_2021.xml", [A, {**B, "episodes": [
        B_2021, {"referral": "2020-10-01", "source": "6"}]}], year=2021)
    ext = tmp_path / "extract"
    assert main(["convert", "cin-census", str(f1), str(f2), "--out", str(ext), "--quiet"]) == 0
    capsys.readouterr()
    out = tmp_path / "report"
    code = main(["report", str(ext), "--out", str(out), "--quiet"])
    said = capsys.readouterr().out
    assert code == 1
    assert "Sibling groups need a relationships file" in said
    for way in ("relationships.csv", "ssd_mother", "ssd_family"):
        assert way in said
    assert "Some rows of the extract could not be used" not in said  # no row had a problem
    assert sorted(p.name for p in (out / "analyst").iterdir()) == [
        "children.csv", "validation_counts.csv", "validation_problems.csv"]
    c = read(out / "analyst" / "children.csv").set_index("child_id")
    cols = ["parent_id", "birth_order", "age_days", "n_referrals", "n_rereferrals_12m", "n_s47",
            "n_s47_no_icpc", "n_cp_plans", "first_involvement_date", "escalation_date",
            "escalation_type", "escalated", "days_to_escalation", "family_signal_date",
            "lead_time_days", "pre_ics_childhood"]
    # audit date 2021-03-31 (the latest ReferenceDate), ICS start 2018-04-01 (extract.json).
    # A001: born 2015-07-20: 1827 days to 2020-07-20 (leap days 2016, 2020) + 254 = 2081;
    #   one referral 2020-05-05, no escalation: censored at the audit date, 330 days later.
    # B002: born 2012-02-03: 3288 days to 2021-02-03 (3 leap days) + 56 = 3344; referrals
    #   2018-11-01 and 2020-10-01 (700 days apart: no re-referral); the S47 has its
    #   conference; the plan starts 2018-12-14, 43 days after the first referral.
    assert c.loc["A001", cols].tolist() == [
        "", "", "2081", "1", "0", "0", "0", "0", "2020-05-05", "", "", "0", "330", "", "", "1"]
    assert c.loc["B002", cols].tolist() == [
        "", "", "3344", "2", "0", "1", "0", "1", "2018-11-01", "2018-12-14", "cp_plan", "1", "43",
        "", "", "1"]


# -- the same family as census files + links, and as SSD tables -------------------------------

KIDS, EPISODES, RELATIONSHIPS = EXAMPLE_CHILDREN, EXAMPLE_EPISODES, EXAMPLE_RELATIONSHIPS

# The same records written by hand as SSD tables (ids of our own choosing).
SSD = {
    "ssd_person.csv": "pers_person_id,pers_sex,pers_dob\n" + "".join(f"{i},{s},{d}\n" for i, d, s in KIDS),
    "ssd_cin_episodes.csv": (
        "cine_referral_id,cine_person_id,cine_referral_date,cine_cin_primary_need_code,cine_referral_nfa,"
        "cine_close_date,cine_close_reason\n"
        "X1,C1,2017-06-01,N1,N,2017-08-01,RC8\nX2,C2,2017-09-01,N1,N,2019-01-10,RC7\n"
        "X3,C3,2018-10-10,,Y,2018-10-10,RC8\nX4,C3,2019-06-01,,N,2019-09-01,RC8\n"
        "X5,C4,2019-05-01,N1,N,,\nX6,C5,2019-11-11,,Y,2019-11-11,RC8\n"),
    "ssd_cin_assessments.csv": (
        "cina_assessment_id,cina_person_id,cina_referral_id,cina_assessment_start_date,cina_assessment_auth_date\n"
        "Y1,C1,X1,2017-06-02,2017-07-01\n"),
    "ssd_assessment_factors.csv": 'cinf_assessment_id,cinf_assessment_factors_json\nY1,"[""16A""]"\n',
    "ssd_s47_enquiry.csv": (
        "s47e_s47_enquiry_id,s47e_person_id,s47e_referral_id,s47e_s47_start_date,s47e_s47_nfa\n"
        "S1,C2,X2,2017-09-10,N\nS2,C3,X4,2019-06-05,Y\nS3,C4,X5,2019-05-10,N\n"),
    "ssd_initial_cp_conference.csv": (
        "icpc_icpc_id,icpc_person_id,icpc_s47_enquiry_id,icpc_icpc_date,icpc_icpc_outcome_cp_flag\n"
        "I1,C2,S1,2017-09-25,Y\nI2,C4,S3,2019-06-01,Y\n"),
    "ssd_cp_plans.csv": (
        "cppl_cp_plan_id,cppl_person_id,cppl_icpc_id,cppl_cp_plan_start_date,cppl_cp_plan_end_date,"
        "cppl_cp_plan_initial_category,cppl_cp_plan_latest_category\n"
        "P1,C2,I1,2017-09-25,2019-01-05,NEG,NEG\nP2,C4,I2,2019-06-01,,EMO,EMO\n"),
    "relationships.csv": RELATIONSHIPS,
}


def test_converted_extract_with_links_gives_the_same_children_csv_as_ssd_tables(tmp_path, capsys):
    files = []
    for year, eps in EPISODES.items():
        kids = [{"id": i, "dob": d, "sex": s, "episodes": eps[i]} for i, d, s in KIDS if i in eps]
        files.append(write_census(tmp_path / "census" / f"cin_{year}.xml", kids, year=year))
    links = tmp_path / "relationships.csv"
    links.write_text(RELATIONSHIPS)
    ext = tmp_path / "converted"
    assert main(["convert", "cin-census", *map(str, files), "--out", str(ext), "--links", str(links),
                 "--quiet"]) == 0
    ssd = tmp_path / "ssd"
    ssd.mkdir()
    for name, text in SSD.items():
        (ssd / name).write_text(text)
    opts = ["--audit-date", "2020-03-31", "--ics-start", "2017-04-01", "--tables-only", "--quiet"]
    assert main(["report", str(ext), "--out", str(tmp_path / "r_conv"), *opts]) == 0
    assert main(["report", str(ssd), "--out", str(tmp_path / "r_ssd"), *opts]) == 0
    conv = (tmp_path / "r_conv" / "analyst" / "children.csv").read_bytes()
    direct = (tmp_path / "r_ssd" / "analyst" / "children.csv").read_bytes()
    assert conv == direct
    c = read(tmp_path / "r_conv" / "analyst" / "children.csv")
    # M1's five children (span 2003 -> 2014: 11 years) form the one sibling group
    assert c["parent_id"].unique().tolist() == ["M1"]
    assert c["child_id"].tolist() == ["C1", "C2", "C3", "C4", "C5"]
    # C3: two referrals 2018-10-10 and 2019-06-01 (234 days apart): one re-referral; its S47
    # (ICPCnotRequired) has no conference and is over 60 days old at the audit date
    c3 = c.set_index("child_id").loc["C3"]
    assert (c3["n_referrals"], c3["n_rereferrals_12m"], c3["n_s47_no_icpc"]) == ("2", "1", "1")
    # C4's conference was given on its episode only (no S47 names it): linked to the episode's
    # S47 that started before it (2019-05-10)
    icpc = read(ext / "ssd_initial_cp_conference.csv").set_index("icpc_person_id")
    s47 = read(ext / "ssd_s47_enquiry.csv").set_index("s47e_person_id")
    assert icpc.loc["C4", "icpc_s47_enquiry_id"] == s47.loc["C4", "s47e_s47_enquiry_id"]
    assert s47.loc["C4", "s47e_s47_start_date"] == "2019-05-10"
    assert c.set_index("child_id").loc["C4", "n_s47_no_icpc"] == "0"
    g = read(tmp_path / "r_conv" / "analyst" / "sibling_groups.csv")
    assert g[["parent_id", "n_children", "n_children_escalated", "link_source"]].values.tolist() == [
        ["M1", "5", "2", "relationships"]]


def test_the_readme_worked_example_prints_what_the_readme_shows(tmp_path, capsys, monkeypatch):
    from census_fixtures import write_example

    ex = write_example(tmp_path / "example")
    monkeypatch.chdir(ex)
    census = sorted(str(p.relative_to(ex)) for p in (ex / "census").glob("*.xml"))
    assert main(["convert", "cin-census", *census, "--ssda903", "ssda903", "--links",
                 "relationships.csv", "--out", "extract", "--quiet"]) == 0
    said_convert = capsys.readouterr().out
    assert main(["report", "extract", "--out", "report", "--tables-only", "--quiet"]) == 0
    said_report = capsys.readouterr().out
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for line in (said_convert + said_report).strip().splitlines():
        assert line in readme, line
    c = read(ex / "report" / "analyst" / "children.csv").set_index("child_id")
    # C2: referral 2017-09-01, plan 2017-09-25 (24 days); C4: 2019-05-01 -> 2019-06-01 (31)
    assert c.loc[["C2", "C4"], "days_to_escalation"].tolist() == ["24", "31"]
    # the 903 episode of C2 (1 Feb - 1 Aug 2019) is there; C2's episode kept once
    assert read(ex / "extract" / "ssd_cla_episodes.csv")["clae_person_id"].tolist() == ["C2"]
    assert read(ex / "extract" / "ssd_cin_episodes.csv")["cine_person_id"].tolist().count("C2") == 1
