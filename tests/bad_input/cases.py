"""The corpus: one :class:`Case` per defect real extracts contain.

Each case damages a copy of the clean synthetic extract (``write_extract(n_parents=3,
seed=11)``) and lists what ``load_extract`` must report about the damage, beyond what it
reports for the clean extract (5 notes: fathers absent from ``ssd_person``):

- ``problems``: every new problem as ``(severity, action, message)``, the message exact. In
  messages, ``{last:TABLE}`` is the Excel row of the clean table's last row (so an appended
  row is ``{last:TABLE+1}``) and ``{n:TABLE}`` its number of rows.
- ``exit_code``: of ``neglect-analysis validate`` (0 no errors, 1 errors).
- ``counts``: changes of ``(rows_read, rows_used)`` per table against the clean extract,
  ``"all dropped"`` (read as clean, none used), key ``"+TABLE"``: a table the clean extract
  lacks, with its absolute ``(rows_read, rows_used)``, ``"empty"`` (no rows) or ``None`` (the table is not read at all; key
  ``"*"``: every table not named); every other table reads and uses exactly the clean rows.
- ``check``: optional further assertions on the loaded Cohort.

The damage functions set every value a message quotes, so the cases do not depend on the
synthetic data beyond the table layout.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from . import damage as d

AUDIT = "2018-07-31"


@dataclass(frozen=True)
class Case:
    name: str
    damage: Callable[[Path], None]
    problems: list[tuple[str, str, str]]
    exit_code: int
    counts: dict[str, tuple[int, int] | str | None] = field(default_factory=dict)
    check: Callable | None = None
    baseline_kept: bool = True

    def __str__(self) -> str:  # pytest id
        return self.name


def E(message: str, action: str = "dropped") -> tuple[str, str, str]:
    return ("error", action, message)


def W(message: str, action: str = "dropped") -> tuple[str, str, str]:
    return ("warning", action, message)


def N(message: str, action: str = "used") -> tuple[str, str, str]:
    return ("note", action, message)


def events(cohort, event_type: str) -> pd.DataFrame:
    return cohort.events[cohort.events["event_type"] == event_type].set_index("event_id")


def iso(ts) -> str | None:
    return None if pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d")


# -- schema: columns and tables ---------------------------------------------------------------

def wrong_column_name(f):
    d.rename_column(f, "ssd_cp_plans", "cppl_cp_plan_start_date", "cppl_plan_start_date")


def missing_required_column(f):
    d.drop_column(f, "ssd_contacts", "cont_person_id")


def missing_person_table(f):
    d.delete(f, "ssd_person")


def missing_link_table(f):
    d.delete(f, "relationships")


def missing_optional_table(f):
    d.delete(f, "ssd_cla_episodes")


def reordered_and_extra_columns(f):
    df = d.read(f, "ssd_contacts")
    df = df[list(reversed(df.columns))].assign(cont_worker_team="Team A", **{"Unnamed: 7": ""})
    d.write(f, "ssd_contacts", df)


def shifted_header_csv(f):
    d.set_cells(f, "ssd_contacts", {(2, "cont_contact_id"): "K-FIRST"})
    d.prepend_lines(f, "ssd_contacts", ["Contacts extract,run 31/07/2018"])


def check_shifted_header(cohort, clean):
    # the first data row is row 3 of the file now (title row 1, header row 2)
    assert events(cohort, "contact").loc["K-FIRST", "source_ref"] == "ssd_contacts:3"


def excel_extra_sheets(f):
    d.to_xlsx(f, "ssd_cp_plans", data_sheet="Plans", typed={"cppl_cp_plan_start_date": "date"},
              sheets={"Read me": [["CP plans, extracted 31/07/2018"], ["One row per plan"]],
                      "~Pivot": [["category", "n"], ["Neglect", 5]]})


def check_same_plan_dates(cohort, clean):
    got = events(cohort, "cp_plan")["start_date"].sort_index()
    want = events(clean, "cp_plan")["start_date"].sort_index()
    assert got.tolist() == want.tolist()


def excel_header_rows(f):
    d.set_cells(f, "ssd_cin_episodes", {(2, "cine_cin_primary_need_code"): "N10"})
    d.to_xlsx(f, "ssd_cin_episodes", title_rows=[["Referrals"], ["Run on 31/07/2018 by MI team"]],
              typed={"cine_referral_date": "date"})


def duplicate_column_same(f):
    df = d.read(f, "ssd_contacts")
    df["CONT_CONTACT_DATE"] = df["cont_contact_date"]
    d.write(f, "ssd_contacts", df)


def duplicate_column_differs(f):
    df = d.read(f, "ssd_early_help_episodes")
    df["Earl_Episode_End_Date"] = "2018-01-01"
    d.write(f, "ssd_early_help_episodes", df)


def two_files_one_table(f):
    d.read(f, "ssd_cla_episodes").to_excel(d.path(f, "ssd_cla_episodes", ".xlsx"), index=False)


# -- files ------------------------------------------------------------------------------------

def empty_file(f):
    d.path(f, "ssd_cp_plans").write_bytes(b"")


def empty_person_file(f):
    d.path(f, "ssd_person").write_bytes(b"")


def header_only_events(f):
    d.write(f, "ssd_cp_plans", d.read(f, "ssd_cp_plans").iloc[0:0])


def header_only_person(f):
    d.write(f, "ssd_person", d.read(f, "ssd_person").iloc[0:0])


def unreadable_xlsx(f):
    d.path(f, "ssd_cla_episodes").unlink()
    d.path(f, "ssd_cla_episodes", ".xlsx").write_bytes(b"this is not a workbook")


def windows_1252(f):
    df = d.read(f, "paper_records")
    df.loc[0, "detail"] = "Paid £50 towards Renée's nursery fees"
    d.write(f, "paper_records", df, encoding="cp1252")


def check_windows_1252(cohort, clean):
    p = cohort.events[cohort.events["source_ref"].notna() & (cohort.events["source"] == "paper")]
    assert "Paid £50 towards Renée's nursery fees" in p["detail"].tolist()


def utf8_bom(f):
    d.write(f, "ssd_person", d.read(f, "ssd_person"), encoding="utf-8-sig")


def check_same_persons(cohort, clean):
    assert cohort.persons["person_id"].tolist() == clean.persons["person_id"].tolist()
    assert cohort.persons["dob"].tolist() == clean.persons["dob"].tolist()


def very_long_text(f):
    d.set_cells(f, "paper_records", {(3, "detail"): "x" * 100_000})


def check_long_text(cohort, clean):
    assert cohort.events["detail"].str.len().max() == 100_000


def blank_rows(f):
    d.set_cells(f, "ssd_contacts", {(4, "cont_contact_id"): "K-AFTER-BLANKS"})
    # after file line 2 (data row 2): the blank line is row 3, the commas-only line row 4
    d.insert_lines(f, "ssd_contacts", 2, ["", ",,,,"])


def check_blank_rows(cohort, clean):
    # the contact that was on row 4 is on row 6 once two blank rows sit above it
    assert events(cohort, "contact").loc["K-AFTER-BLANKS", "source_ref"] == "ssd_contacts:6"


def ragged_row(f):
    # an unquoted comma in free text: row 3 gets one value too many
    p = d.path(f, "ssd_contacts")
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2] + ",School said: tired, hungry"  # 5 values + 2 = 7
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")


def formula_cells_xlsx(f):
    d.to_xlsx(f, "ssd_contacts", formulas={(2, "cont_contact_date"): "=A1+1",
                                           (3, "cont_contact_source_code"): '=UPPER("2a")'})


def extract_json_malformed(f):
    # a trailing comma: the "}" is the 29th character of line 1, where a key was expected
    d.write_json_text(f, '{"audit_date": "2018-07-31",}')


def extract_json_uk_date(f):
    d.set_json(f, audit_date="31/07/2018")


def check_audit_date(cohort, clean):
    assert cohort.audit_date == pd.Timestamp("2018-07-31")


# -- dates ------------------------------------------------------------------------------------

def mixed_date_formats(f):
    df = d.read(f, "ssd_contacts")
    iso_dates = pd.to_datetime(df["cont_contact_date"], format="%Y-%m-%d")
    serial = (iso_dates - pd.Timestamp("1899-12-30")).dt.days.astype(str)
    styles = [df["cont_contact_date"], iso_dates.dt.strftime("%d/%m/%Y"),
              iso_dates.dt.strftime("%Y-%m-%d 00:00:00.000"), serial]
    df["cont_contact_date"] = [styles[i % 4].iloc[i] for i in range(len(df))]
    d.write(f, "ssd_contacts", df)


def check_same_contact_dates(cohort, clean):
    got = events(cohort, "contact")["start_date"].sort_index()
    assert got.tolist() == events(clean, "contact")["start_date"].sort_index().tolist()


def ambiguous_date(f):
    d.set_cells(f, "ssd_contacts", {(2, "cont_contact_id"): "K-AMBIG", (2, "cont_contact_date"): "03/04/2017"})


def check_ambiguous(cohort, clean):
    assert iso(events(cohort, "contact").loc["K-AMBIG", "start_date"]) == "2017-04-03"  # 3 April


def excel_serial_dates(f):
    df = d.read(f, "ssd_cin_episodes")
    for col in ("cine_referral_date", "cine_close_date"):
        dt = pd.to_datetime(df[col].replace("", None), format="%Y-%m-%d")
        df[col] = (dt - pd.Timestamp("1899-12-30")).dt.days.astype("Int64").astype("string").fillna("")
    d.write(f, "ssd_cin_episodes", df)


def check_same_referral_dates(cohort, clean):
    for col in ("start_date", "end_date"):
        got = events(cohort, "referral")[col].sort_index()
        assert got.tolist() == events(clean, "referral")[col].sort_index().tolist()


def date_after_audit(f):
    d.set_cells(f, "ssd_contacts", {(3, "cont_contact_date"): "2019-03-01"})


def impossible_end_date(f):
    d.set_cells(f, "ssd_cp_plans", {(2, "cppl_cp_plan_start_date"): "2016-05-01",
                                    (2, "cppl_cp_plan_end_date"): "31/02/2017"})


def impossible_start_date(f):
    d.set_cells(f, "ssd_cin_episodes", {(2, "cine_referral_date"): "2017-02-30"})


def end_before_start(f):
    d.set_cells(f, "ssd_cp_plans", {(3, "cppl_cp_plan_start_date"): "2015-01-10",
                                    (3, "cppl_cp_plan_end_date"): "2014-12-01"})


# -- keys -------------------------------------------------------------------------------------

def missing_id(f):
    d.set_cells(f, "ssd_contacts", {(2, "cont_contact_id"): ""})


def duplicate_id(f):
    df = d.read(f, "ssd_contacts")
    df.loc[0, "cont_contact_id"] = "K-DUP"
    copy = df.iloc[[0]].assign(cont_contact_date="2017-01-05")
    d.write(f, "ssd_contacts", pd.concat([df, copy], ignore_index=True))


def duplicate_row(f):
    df = d.read(f, "ssd_contacts")
    df.loc[0, "cont_contact_id"] = "K-COPY"
    d.write(f, "ssd_contacts", pd.concat([df, df.iloc[[0]]], ignore_index=True))


def orphan_event(f):
    d.set_cells(f, "ssd_contacts", {(4, "cont_person_id"): "X999"})


def orphan_link_child(f):
    d.add_links(f, ("X997", "X998", "mother_of"))


def orphan_link_parent(f):
    d.add_person(f, "C900", "2015-01-01")
    d.add_links(f, ("X996", "C900", "father_of"))


def own_parent(f):
    d.add_person(f, "C901", "2015-01-01")
    d.add_links(f, ("C901", "C901", "mother_of"))


def cycle_dob_known(f):
    for pid, dob in (("G1", "1950-01-01"), ("G2", "1975-01-01"), ("G3", "2000-01-01")):
        d.add_person(f, pid, dob)
    # G3 entered as the mother of her own grandmother G1
    d.add_links(f, ("G1", "G2", "mother_of"), ("G2", "G3", "mother_of"), ("G3", "G1", "mother_of"))


def cycle_no_dob(f):
    d.add_person(f, "H1", "", sex="M")
    d.add_person(f, "H2", "", sex="M")
    d.add_links(f, ("H1", "H2", "father_of"), ("H2", "H1", "father_of"))


def three_birth_parents(f):
    for pid, dob, sex in (("M9", "1980-01-01", "F"), ("F9", "1978-01-01", "M"), ("F8", "1979-01-01", "M"),
                          ("K9", "2010-01-01", "F")):
        d.add_person(f, pid, dob, sex=sex)
    d.add_links(f, ("M9", "K9", "mother_of"), ("F9", "K9", "father_of"), ("F8", "K9", "father_of"))


def young_parent(f):
    d.add_person(f, "Y1", "2000-03-02")
    d.add_person(f, "Y2", "2012-03-01")
    d.add_links(f, ("Y1", "Y2", "mother_of"))


def unknown_relationship(f):
    d.add_links(f, ("X1", "X2", "aunt_of"))


PERSON_TABLES = ["ssd_person", "relationships", "ssd_contacts", "ssd_early_help_episodes",
                 "ssd_cin_episodes", "ssd_cin_assessments", "ssd_s47_enquiry",
                 "ssd_initial_cp_conference", "ssd_cp_plans", "ssd_cla_episodes", "paper_records",
                 "case_review", "iro_challenges"]
PERSON_COLUMNS = ["pers_person_id", "person_id", "related_person_id", "cont_person_id",
                  "earl_person_id", "cine_person_id", "cina_person_id", "s47e_person_id",
                  "icpc_person_id", "cppl_person_id", "clae_person_id"]


def leading_zero_ids(f):
    ids = d.read(f, "ssd_person")["pers_person_id"]
    mapping = {p: "00" + p[-2:] for p in ids}  # P000006 -> 0006
    d.rename_ids(f, mapping, PERSON_TABLES, PERSON_COLUMNS)
    d.to_xlsx(f, "ssd_person")      # text cells
    d.to_parquet(f, "ssd_contacts")  # string column


def check_leading_zeros(cohort, clean):
    ids = cohort.persons.loc[cohort.persons["in_extract"], "person_id"]
    assert ids.tolist() == ["00" + p[-2:] for p in clean.persons.loc[clean.persons["in_extract"], "person_id"]]
    assert cohort.events["person_id"].str.startswith("00").all()


def float_ids_excel(f):
    ids = d.read(f, "ssd_person")["pers_person_id"]
    # P000006 -> 6; the first person, P000001, becomes the example 1 of the warning
    mapping = {p: str(int(p[1:])) for p in ids}
    d.rename_ids(f, mapping, PERSON_TABLES, PERSON_COLUMNS)
    d.to_xlsx(f, "ssd_person", typed={"pers_person_id": "number", "pers_dob": "date"})


def check_float_ids(cohort, clean):
    # 6.0 in Excel is read as 6, so it matches the 6 of the CSV tables
    ids = cohort.persons.loc[cohort.persons["in_extract"], "person_id"]
    assert ids.tolist() == [str(int(p[1:])) for p in clean.persons.loc[clean.persons["in_extract"], "person_id"]]


# -- codes and values -------------------------------------------------------------------------

def unknown_cp_category(f):
    d.set_cells(f, "ssd_cp_plans", {(2, "cppl_cp_plan_initial_category"): "Poverty"})


def unknown_primary_need(f):
    d.set_cells(f, "ssd_cin_episodes", {(2, "cine_cin_primary_need_code"): "N10"})


def unknown_factor(f):
    d.set_cells(f, "ssd_assessment_factors", {(2, "cinf_assessment_factors_json"): '["3B","99Z"]'})


def code_variants(f):
    d.set_cells(f, "ssd_cp_plans", {(2, "cppl_cp_plan_id"): "CP-VAR",
                                    (2, "cppl_cp_plan_initial_category"): " neglect ",
                                    (2, "cppl_cp_plan_latest_category"): "NEGLECT"})
    d.set_cells(f, "ssd_cin_episodes", {(2, "cine_referral_id"): "R-VAR", (2, "cine_cin_primary_need_code"): "n1"})
    d.set_cells(f, "ssd_cin_assessments", {(2, "cina_assessment_id"): "A-VAR"})
    d.set_cells(f, "ssd_assessment_factors", {(2, "cinf_assessment_id"): "A-VAR",
                                              (2, "cinf_assessment_factors_json"): '["3b"," 16a "]'})
    d.set_cells(f, "relationships", {(2, "relationship"): "Mother Of"})


def check_code_variants(cohort, clean):
    assert events(cohort, "cp_plan").loc["CP-VAR", ["category", "outcome"]].tolist() == ["NEG", "NEG"]
    assert events(cohort, "referral").loc["R-VAR", "category"] == "N1"
    assert events(cohort, "assessment").loc["A-VAR", "factors"] == "3B,16A"
    assert len(cohort.links) == len(clean.links)


def bad_outcome_json(f):
    d.set_cells(f, "ssd_contacts", {(2, "cont_contact_outcome_json"): '{"NFA_FLAG":"Y"'})


def missing_text_tokens(f):
    d.set_cells(f, "ssd_cin_episodes", {(2, "cine_referral_id"): "R-NULL", (2, "cine_close_date"): "NULL",
                                        (2, "cine_cin_primary_need_code"): "N/A",
                                        (3, "cine_referral_id"): "R-NAN", (3, "cine_close_date"): "NaN",
                                        (3, "cine_referral_nfa"): "#N/A"})
    d.set_cells(f, "case_review", {(2, "answer"): "N/A"})


def check_missing_tokens(cohort, clean):
    r = events(cohort, "referral")
    assert pd.isna(r.loc["R-NULL", "end_date"]) and pd.isna(r.loc["R-NULL", "category"])
    assert pd.isna(r.loc["R-NAN", "end_date"]) and pd.isna(r.loc["R-NAN", "nfa"])
    assert cohort.case_review.loc[0, "answer"] == "N/A"  # an answer, not a missing value


def flag_variants(f):
    d.set_cells(f, "ssd_cp_plans", {(2, "cppl_cp_plan_id"): "CP-Y", (2, "cppl_cp_plan_ola"): "Yes",
                                    (3, "cppl_cp_plan_id"): "CP-1", (3, "cppl_cp_plan_ola"): "1",
                                    (4, "cppl_cp_plan_id"): "CP-T", (4, "cppl_cp_plan_ola"): " true ",
                                    (5, "cppl_cp_plan_id"): "CP-N", (5, "cppl_cp_plan_ola"): "no",
                                    (6, "cppl_cp_plan_id"): "CP-F", (6, "cppl_cp_plan_ola"): "FALSE"})


def check_flags(cohort, clean):
    ola = events(cohort, "cp_plan")["other_la"]
    assert [bool(ola[k]) for k in ("CP-Y", "CP-1", "CP-T", "CP-N", "CP-F")] == [True, True, True, False, False]


def bad_flag(f):
    d.set_cells(f, "ssd_cp_plans", {(2, "cppl_cp_plan_ola"): "maybe"})


# -- issue 14: input hardening ----------------------------------------------------------------

def stale_xlsx_dimension(f):
    # the sheet says A1:E10 (9 data rows) but holds every contact: all must be read
    d.to_xlsx(f, "ssd_contacts")
    d.stale_dimension(f, "ssd_contacts", "A1:E10")


def header_only_relationships_and_ssd_mother(f):
    rel = d.read(f, "relationships")
    d.write(f, "relationships", rel.iloc[0:0])
    # three mother-child links, in ssd_mother only
    for pid, dob, sex in (("M7", "1980-01-01", "F"), ("K7", "2005-01-01", "M"), ("K8", "2008-01-01", "F"),
                          ("K9", "2011-01-01", "M")):
        d.add_person(f, pid, dob, sex=sex)
    (f / "ssd_mother.csv").write_text("moth_person_id,moth_childs_person_id,moth_childs_dob\n"
                                      "M7,K7,\nM7,K8,\nM7,K9,\n", encoding="utf-8")


def check_links_from_ssd_mother(cohort, clean):
    assert cohort.meta["link_source"] == "ssd_mother"
    assert cohort.links[["parent_id", "child_id", "source"]].values.tolist() == [
        ["M7", "K7", "ssd_mother"], ["M7", "K8", "ssd_mother"], ["M7", "K9", "ssd_mother"]]


def header_only_relationships(f):
    d.write(f, "relationships", d.read(f, "relationships").iloc[0:0])


def event_after_death(f):
    d.append(f, "ssd_person", [{"pers_person_id": "D1", "pers_sex": "F", "pers_dob": "2005-01-01",
                                "pers_death_date": "2016-01-31"}])
    d.set_cells(f, "ssd_contacts", {(3, "cont_person_id"): "D1", (3, "cont_contact_date"): "01/02/2016",
                                    (4, "cont_person_id"): "D1", (4, "cont_contact_date"): "2016-01-31"})


def check_event_after_death_kept(cohort, clean):
    assert sorted(map(iso, cohort.events.loc[cohort.events["person_id"] == "D1", "start_date"])) == [
        "2016-01-31", "2016-02-01"]


def partner_of_own_child(f):
    d.add_person(f, "M5", "1980-01-01")
    d.add_person(f, "K5", "2010-01-01")
    d.add_links(f, ("M5", "K5", "mother_of"), ("K5", "M5", "partner_of"))


def check_partner_dropped(cohort, clean):
    assert not cohort.partners["person_id"].isin(["K5", "M5"]).any()
    assert cohort.links[cohort.links["child_id"] == "K5"]["parent_id"].tolist() == ["M5"]


def mother_of_male(f):
    d.add_person(f, "M6", "1980-01-01", sex="M")
    d.add_person(f, "K6", "2010-01-01")
    d.add_person(f, "F6", "1979-01-01", sex="F")
    d.add_links(f, ("M6", "K6", "mother_of"), ("F6", "K6", "father_of"))


def dates_out_of_range(f):
    d.set_cells(f, "ssd_contacts", {(2, "cont_contact_date"): "1066-10-14"})
    d.set_cells(f, "ssd_cp_plans", {(2, "cppl_cp_plan_end_date"): "01/01/2999"})


def field_over_128kb(f):
    # in the first ten lines, where the header is looked for: Python's csv module stopped at 128 KB
    d.set_cells(f, "paper_records", {(2, "detail"): "y" * 200_000})


def check_field_over_128kb(cohort, clean):
    assert cohort.events["detail"].str.len().max() == 200_000


def huge_id(f):
    d.set_cells(f, "ssd_contacts", {(4, "cont_person_id"): "Z" * 300_000})


def utf16_csv(f):
    df = d.read(f, "paper_records")
    df.loc[0, "detail"] = "Renée's nursery: £50"
    d.write(f, "paper_records", df, encoding="utf-16")


def check_utf16(cohort, clean):
    assert "Renée's nursery: £50" in cohort.events["detail"].dropna().tolist()


def binary_parquet_ids(f):
    d.to_binary_parquet(f, "ssd_contacts", ["cont_contact_id", "cont_person_id"])


def check_same_contacts(cohort, clean):
    got = events(cohort, "contact")[["person_id", "start_date"]].sort_index()
    want = events(clean, "contact")[["person_id", "start_date"]].sort_index()
    assert got.index.tolist() == want.index.tolist() and got.values.tolist() == want.values.tolist()


def xlsx_bomb(f):
    # 40 MB of one byte zips to about 40 KB: refused before it is unzipped
    d.zip_bomb(f, "ssd_cla_episodes", 40_000_000)


CP = "ssd_cp_plans.csv"
JSON_IGNORED = ("; the whole file is ignored, so the audit date is today unless --audit-date is given. "
                'Correct the file (e.g. {"audit_date": "2018-07-31"})')
NOT_CHILD_OF_SELF = "(a person linked to themselves)"

CASES: list[Case] = [
    # -- schema ----------------------------------------------------------------------------
    Case("wrong_column_name", wrong_column_name, [E(
        f"{CP}: required column(s) cppl_cp_plan_start_date missing; cppl_plan_start_date looks like "
        "cppl_cp_plan_start_date: rename it; all {n:ssd_cp_plans} rows dropped")], 1,
        counts={"ssd_cp_plans": "all dropped"}),
    Case("missing_required_column", missing_required_column, [E(
        "ssd_contacts.csv: required column(s) cont_person_id missing; all {n:ssd_contacts} rows dropped")], 1,
        counts={"ssd_contacts": "all dropped"}),
    Case("missing_person_table", missing_person_table, [E(
        "ssd_person: table not found in the extract; nothing else can be read (add ssd_person.csv, "
        ".xlsx or .parquet)", "used")], 1, counts={"*": None}, baseline_kept=False),
    Case("missing_link_table", missing_link_table, [E(
        "no link table found (relationships, ssd_mother or ssd_family): no sibling groups can be formed",
        "used")], 1, counts={"relationships": None}, baseline_kept=False),
    Case("missing_optional_table", missing_optional_table, [N(
        "ssd_cla_episodes: table not in the extract; no cla events")], 0, counts={"ssd_cla_episodes": None}),
    Case("reordered_and_extra_columns", reordered_and_extra_columns, [], 0),
    Case("shifted_header_csv", shifted_header_csv, [N(
        "ssd_contacts.csv: the column names are on row 2; row(s) above them (titles or notes) ignored")], 0,
        check=check_shifted_header),
    Case("excel_extra_sheets", excel_extra_sheets, [N(
        "ssd_cp_plans.xlsx: read sheet 'Plans'; other sheet(s) 'Read me', 'Pivot' ignored")], 0,
        check=check_same_plan_dates),
    Case("excel_header_rows", excel_header_rows, [
        N("ssd_cin_episodes.xlsx: the column names are on row 3; row(s) above them (titles or notes) ignored"),
        E("ssd_cin_episodes.xlsx row 4: cine_cin_primary_need_code N10 is not a primary need code "
          "(N0 to N9); left empty", "used")], 1, check=check_same_referral_dates),
    Case("duplicate_column_same", duplicate_column_same, [W(
        "ssd_contacts.csv: column cont_contact_date appears twice (columns C and F, names compared "
        "ignoring case) with the same values; column F ignored", "used")], 0),
    Case("duplicate_column_differs", duplicate_column_differs, [E(
        "ssd_early_help_episodes.csv: column earl_episode_end_date appears twice (columns D and F, "
        "names compared ignoring case) with different values; column D used, column F ignored", "used")], 1),
    Case("two_files_one_table", two_files_one_table, [W(
        "ssd_cla_episodes.xlsx: ssd_cla_episodes is also in ssd_cla_episodes.csv; ssd_cla_episodes.xlsx "
        "ignored", "used")], 0),
    # -- files -----------------------------------------------------------------------------
    Case("empty_file", empty_file, [E(
        f"{CP}: the file is empty (no column names, no rows); no ssd_cp_plans rows read. Export the "
        "table again (a table with no records still has its header row)")], 1, counts={"ssd_cp_plans": "empty"}),
    Case("empty_person_file", empty_person_file, [E(
        "ssd_person.csv: the file is empty (no column names, no rows); no ssd_person rows read. Export "
        "the table again (a table with no records still has its header row)")], 1,
        counts={"*": None, "ssd_person": "empty"}, baseline_kept=False),
    Case("header_only_events", header_only_events, [], 0, counts={"ssd_cp_plans": "empty"}),
    Case("header_only_person", header_only_person, [E(
        "ssd_person.csv: has column names but no rows; nothing can be analysed. Export ssd_person "
        "again with its rows", "used")], 1, counts={"*": None, "ssd_person": "empty"}, baseline_kept=False),
    Case("unreadable_xlsx", unreadable_xlsx, [E(
        "ssd_cla_episodes.xlsx: cannot be read (File is not a zip file); table not used. Save it again "
        "as CSV (UTF-8) or Excel (.xlsx) and rerun"),
        N("ssd_cla_episodes: table not in the extract; no cla events")], 1, counts={"ssd_cla_episodes": None}),
    Case("windows_1252", windows_1252, [N("paper_records.csv: not UTF-8; read as Windows-1252")], 0,
         check=check_windows_1252),
    Case("utf8_bom", utf8_bom, [], 0, check=check_same_persons),
    Case("very_long_text", very_long_text, [], 0, check=check_long_text),
    Case("blank_rows", blank_rows, [
        N("ssd_contacts.csv row 3: the row is empty; skipped", "dropped"),
        N("ssd_contacts.csv row 4: the row is empty; skipped", "dropped")], 0,
        counts={"ssd_contacts": (2, 0)}, check=check_blank_rows),
    Case("ragged_row", ragged_row, [E(
        "ssd_contacts.csv row 3: has 7 values but the header has 5 columns (a comma inside text that "
        "is not in quotes?); row dropped")], 1, counts={"ssd_contacts": (0, -1)}),
    Case("formula_cells_xlsx", formula_cells_xlsx, [
        E("ssd_contacts.xlsx row 2: cont_contact_date holds the formula =A1+1; formulas are not "
          "evaluated, so the cell is read as empty", "used"),
        E('ssd_contacts.xlsx row 3: cont_contact_source_code holds the formula =UPPER("2a"); formulas '
          "are not evaluated, so the cell is read as empty", "used"),
        E("ssd_contacts.xlsx row 2: cont_contact_date is empty; row dropped")], 1,
        counts={"ssd_contacts": (0, -1)}),
    Case("extract_json_malformed", extract_json_malformed, [E(
        "extract.json: is not valid JSON (line 1, column 29: Expecting property name enclosed in "
        "double quotes)" + JSON_IGNORED, "used")], 1),
    Case("extract_json_uk_date", extract_json_uk_date, [], 0, check=check_audit_date),
    # -- dates -----------------------------------------------------------------------------
    Case("mixed_date_formats", mixed_date_formats, [], 0, check=check_same_contact_dates),
    Case("ambiguous_date", ambiguous_date, [], 0, check=check_ambiguous),
    Case("excel_serial_dates", excel_serial_dates, [], 0, check=check_same_referral_dates),
    Case("date_after_audit", date_after_audit, [W(
        "ssd_contacts.csv row 3: cont_contact_date 2019-03-01 is after the audit date 2018-07-31; row not used")],
        0, counts={"ssd_contacts": (0, -1)}),
    Case("impossible_end_date", impossible_end_date, [E(
        f"{CP} row 2: cppl_cp_plan_end_date 31/02/2017 is not a date; end date left empty (open)", "used")], 1),
    Case("impossible_start_date", impossible_start_date, [E(
        "ssd_cin_episodes.csv row 2: cine_referral_date 2017-02-30 is not a date; row dropped")], 1,
        counts={"ssd_cin_episodes": (0, -1)}),
    Case("end_before_start", end_before_start, [E(
        f"{CP} row 3: cppl_cp_plan_end_date 2014-12-01 is before cppl_cp_plan_start_date 2015-01-10; "
        "end date ignored (open)", "used")], 1),
    # -- keys ------------------------------------------------------------------------------
    Case("missing_id", missing_id, [E("ssd_contacts.csv row 2: cont_contact_id is empty; row dropped")], 1,
         counts={"ssd_contacts": (0, -1)}),
    Case("duplicate_id", duplicate_id, [E(
        "ssd_contacts.csv row {last:ssd_contacts+1}: cont_contact_id K-DUP repeats the id on row 2 "
        "with other values; row dropped, row 2 used")], 1, counts={"ssd_contacts": (1, 0)}),
    Case("duplicate_row", duplicate_row, [W(
        "ssd_contacts.csv row {last:ssd_contacts+1}: cont_contact_id K-COPY repeats row 2 exactly "
        "(every column); row dropped as a copy")], 0, counts={"ssd_contacts": (1, 0)}),
    Case("orphan_event", orphan_event, [E(
        "ssd_contacts.csv row 4: cont_person_id X999 is not in ssd_person; row dropped")], 1,
        counts={"ssd_contacts": (0, -1)}),
    Case("orphan_link_child", orphan_link_child, [E(
        "relationships.csv row {last:relationships+1}: related_person_id X998 (the child) is not in "
        "ssd_person; row dropped")], 1, counts={"relationships": (1, 0)}),
    Case("orphan_link_parent", orphan_link_parent, [N(
        "relationships.csv row {last:relationships+1}: person_id X996 (a parent) is not in ssd_person; "
        "kept with unknown date of birth")], 0, counts={"relationships": (1, 1), "ssd_person": (1, 1)}),
    Case("own_parent", own_parent, [E(
        "relationships.csv row {last:relationships+1}: person_id and related_person_id are both C901 "
        f"{NOT_CHILD_OF_SELF}; row dropped")], 1, counts={"relationships": (1, 0), "ssd_person": (1, 1)}),
    Case("cycle_dob_known", cycle_dob_known, [E(
        "relationships.csv row {last:relationships+3}: parent G3 (born 2000-01-01) is not older than "
        "their child G1 (born 1950-01-01); the link is reversed or a date of birth is wrong; row dropped")],
        1, counts={"relationships": (3, 2), "ssd_person": (3, 3)}),
    Case("cycle_no_dob", cycle_no_dob, [
        W("ssd_person.csv row {last:ssd_person+1}: has neither pers_dob nor pers_expected_dob; kept "
          "without a date of birth and left out of sibling groups", "used"),
        W("ssd_person.csv row {last:ssd_person+2}: has neither pers_dob nor pers_expected_dob; kept "
          "without a date of birth and left out of sibling groups", "used"),
        E("relationships.csv row {last:relationships+1}: parent H1 is also a descendant of their child "
          "H2 (a loop in the family tree); row dropped, correct the relationships"),
        E("relationships.csv row {last:relationships+2}: parent H2 is also a descendant of their child "
          "H1 (a loop in the family tree); row dropped, correct the relationships")], 1,
        counts={"relationships": (2, 0), "ssd_person": (2, 2)}),
    Case("three_birth_parents", three_birth_parents, [E(
        "relationships.csv row {last:relationships+%d}: child K9 has 3 birth parents (F8, F9, M9; at "
        "most 2); link kept until the extract is corrected" % k, "used") for k in (1, 2, 3)], 1,
        counts={"relationships": (3, 3), "ssd_person": (4, 4)}),
    Case("young_parent", young_parent, [E(
        "relationships.csv row {last:relationships+1}: parent Y1 (born 2000-03-02) was 11 at the birth "
        "of Y2 (born 2012-03-01); row dropped")], 1, counts={"relationships": (1, 0), "ssd_person": (2, 2)}),
    Case("unknown_relationship", unknown_relationship, [E(
        "relationships.csv row {last:relationships+1}: relationship aunt_of is not mother_of, father_of "
        "or partner_of; row dropped")], 1, counts={"relationships": (1, 0)}),
    Case("leading_zero_ids", leading_zero_ids, [], 0, check=check_leading_zeros),
    Case("float_ids_excel", float_ids_excel, [W(
        "ssd_person.xlsx: pers_person_id holds numbers, not text (e.g. 1); read as whole numbers, so "
        "leading zeros (0012) cannot be recovered", "used")], 0, check=check_float_ids),
    # -- codes and values ------------------------------------------------------------------
    Case("unknown_cp_category", unknown_cp_category, [E(
        f"{CP} row 2: cppl_cp_plan_initial_category Poverty is not a CP category (Neglect, Physical Abuse, "
        "Sexual Abuse, Emotional Abuse, Multiple or NEG/PHY/SAB/EMO/MUL); left empty", "used")], 1),
    Case("unknown_primary_need", unknown_primary_need, [E(
        "ssd_cin_episodes.csv row 2: cine_cin_primary_need_code N10 is not a primary need code (N0 to N9); "
        "left empty", "used")], 1),
    Case("unknown_factor", unknown_factor, [E(
        'ssd_assessment_factors.csv row 2: cinf_assessment_factors_json ["3B","99Z"] has unknown factor '
        "code(s) 99Z; other codes used", "used")], 1),
    Case("code_variants", code_variants, [], 0, check=check_code_variants),
    Case("bad_outcome_json", bad_outcome_json, [E(
        'ssd_contacts.csv row 2: cont_contact_outcome_json {"NFA_FLAG":"Y" is not a JSON object of Y/N '
        "flags; outcome left unknown", "used")], 1),
    Case("missing_text_tokens", missing_text_tokens, [], 0, check=check_missing_tokens),
    Case("flag_variants", flag_variants, [], 0, check=check_flags),
    Case("bad_flag", bad_flag, [E(f"{CP} row 2: cppl_cp_plan_ola maybe is not a Y/N flag; read as N", "used")], 1),
    # -- issue 14: input hardening -----------------------------------------------------------
    Case("stale_xlsx_dimension", stale_xlsx_dimension, [], 0, check=check_same_contacts),
    Case("header_only_relationships_and_ssd_mother", header_only_relationships_and_ssd_mother, [W(
        "relationships.csv: has column names but no rows; links are taken from ssd_mother.csv instead",
        "used")], 0, counts={"relationships": "empty", "ssd_person": (4, 4), "+ssd_mother": (3, 3)},
        check=check_links_from_ssd_mother, baseline_kept=False),
    Case("header_only_relationships", header_only_relationships, [E(
        "relationships.csv: has column names but no rows; no sibling groups can be formed. Export "
        "relationships again with its rows", "used")], 1, counts={"relationships": "empty"},
        baseline_kept=False),
    Case("event_after_death", event_after_death, [W(
        "ssd_contacts.csv row 3: cont_contact_date 01/02/2016 is after the death of cont_person_id D1 "
        "on 2016-01-31; row kept, check both dates", "used")], 0, counts={"ssd_person": (1, 1)},
        check=check_event_after_death_kept),
    Case("partner_of_own_child", partner_of_own_child, [E(
        "relationships.csv row {last:relationships+2}: relationship partner_of of K5 and M5, but row "
        "{last:relationships+1} makes one the birth parent of the other; row dropped")], 1,
        counts={"relationships": (2, 1), "ssd_person": (2, 2)}, check=check_partner_dropped),
    Case("mother_of_male", mother_of_male, [
        E("relationships.csv row {last:relationships+1}: M6 is recorded as male (M) in ssd_person but "
          "is the mother (mother_of) of K6; link kept until the extract is corrected", "used"),
        E("relationships.csv row {last:relationships+2}: F6 is recorded as female (F) in ssd_person but "
          "is the father (father_of) of K6; link kept until the extract is corrected", "used")], 1,
        counts={"relationships": (2, 2), "ssd_person": (3, 3)}),
    Case("dates_out_of_range", dates_out_of_range, [
        E("ssd_contacts.csv row 2: cont_contact_date 1066-10-14 is out of range (dates from 1900-01-01 "
          "to 2199-12-31 are read); row dropped"),
        E(f"{CP} row 2: cppl_cp_plan_end_date 01/01/2999 is out of range (dates from 1900-01-01 to "
          "2199-12-31 are read); end date left empty (open)", "used")], 1, counts={"ssd_contacts": (0, -1)}),
    Case("field_over_128kb", field_over_128kb, [], 0, check=check_field_over_128kb),
    Case("huge_id", huge_id, [E(
        "ssd_contacts.csv row 4: cont_person_id " + "Z" * 80 + "… (300000 characters) is not in "
        "ssd_person; row dropped")], 1, counts={"ssd_contacts": (0, -1)}),
    Case("utf16_csv", utf16_csv, [N("paper_records.csv: UTF-16 text, not UTF-8; read as UTF-16")], 0,
         check=check_utf16),
    Case("binary_parquet_ids", binary_parquet_ids, [], 0, check=check_same_contacts),
    Case("xlsx_bomb", xlsx_bomb, [
        E("ssd_cla_episodes.xlsx: cannot be read (it expands to 40.0 MB, more than 100 times its size: "
          "a damaged workbook or a decompression bomb; not opened); table not used. Save it again as "
          "CSV (UTF-8) or Excel (.xlsx) and rerun"),
        N("ssd_cla_episodes: table not in the extract; no cla events")], 1, counts={"ssd_cla_episodes": None}),
]
