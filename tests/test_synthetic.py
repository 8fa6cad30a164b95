"""Tests of the synthetic generator and of the committed sample (data/sample).

The published facts are those of the audit's 7-minute briefing (July 2018): 38 index parents,
mainly mothers, 242 children aged 4 days to 31 years. They are recomputed here from the files.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dataclasses import replace

from neglect_analysis.io import load_extract
from neglect_analysis.synthetic import SyntheticParams, generate, write_extract
from neglect_analysis.synthetic.checks import impossible_rows
from neglect_analysis.synthetic.families import NO_DATE, day_number, family_sizes, share_of_block
from neglect_analysis.synthetic.generator import (all_blocks, block_streams, cohort_blocks, generate_blocks,
                                                  n_background_families)
from neglect_analysis.synthetic.journeys import eighteenth_birthday
from neglect_analysis.synthetic.tables import contact_json, row_ids
from neglect_analysis.synthetic.writer import TABLE_ORDER, iso_dates, write_tables

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
AUDIT = pd.Timestamp("2018-07-31")


def merged_rows(report, counts):
    """Per table of ``counts``: rows merged as the same event as an ICS row (DESIGN.md "Same
    event once": the generator's paper files hold copies of some ICS referrals). Every other
    row of a synthetic extract is used."""
    merged = report.problems[report.problems["action"] == "merged"].groupby("table").size()
    return counts["table"].map(merged).fillna(0).astype("int64")


def read_sample(name: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])


def index_rule(persons: pd.DataFrame, rel: pd.DataFrame, min_children=5, min_span_years=10.0):
    """Plain-pandas index-parent rule: >= 5 linked children and span >= 10 years (days/365.25)."""
    links = rel[rel["relationship"].isin(["mother_of", "father_of"])]
    dob = persons.set_index("pers_person_id")["pers_dob"]
    pc = links.assign(dob=pd.to_datetime(links["related_person_id"].map(dob)))
    g = pc.groupby("person_id")["dob"].agg(["count", "min", "max"])
    span = (g["max"] - g["min"]).dt.days / 365.25
    return g[(g["count"] >= min_children) & (span >= min_span_years)], pc


# ---------------------------------------------------------------------------------------------
# the committed sample


def test_sample_regenerates_byte_identical(tmp_path):
    write_extract(tmp_path, n_parents=38, seed=2018)
    made = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in SAMPLE.iterdir() if p.name != "README.md")
    assert made == committed
    for name in made:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_sample_has_every_table_and_extract_json():
    for name in TABLE_ORDER:
        assert (SAMPLE / f"{name}.csv").exists(), name
    meta = json.loads((SAMPLE / "extract.json").read_text())
    assert meta["audit_date"] == "2018-07-31" and meta["ics_start_date"] == "2009-04-01"
    assert meta["synthetic"] is True and meta["seed"] == 2018
    assert meta["authority"] == "Synthetic sample authority"


def test_sample_published_facts_plain_pandas():
    persons, rel = read_sample("ssd_person"), read_sample("relationships")
    groups, pc = index_rule(persons, rel)
    # briefing: 38 individual parents, mainly mothers (35 mothers + 3 fathers by calibration)
    assert len(groups) == 38
    sex = persons.set_index("pers_person_id")["pers_sex"].reindex(groups.index)
    assert sex.value_counts().to_dict() == {"F": 35, "M": 3}
    kids = pc[pc["person_id"].isin(groups.index)]
    # 242 distinct children, none with two index parents
    assert kids["related_person_id"].nunique() == 242
    assert len(kids) == 242
    age = (AUDIT - kids["dob"]).dt.days
    # youngest 4 days old: born 2018-07-27 (2018-07-31 minus 4 days)
    assert age.min() == 4
    assert kids.loc[age.idxmin(), "dob"] == pd.Timestamp("2018-07-27")
    # eldest 31 years: age_days / 365.25 in [31, 32)
    assert 31 <= age.max() / 365.25 < 32
    # every group >= 5 children and span >= 10 years (the rule), checked directly
    assert (groups["count"] >= 5).all()
    assert (((groups["max"] - groups["min"]).dt.days / 365.25) >= 10).all()


def test_sample_no_other_parent_meets_the_rule():
    persons, rel = read_sample("ssd_person"), read_sample("relationships")
    groups, pc = index_rule(persons, rel)
    index = set(groups.index)
    # the index parents are exactly the ones the generator made (first-named on birth links of
    # all 242 children); other parents (e.g. fathers) have < 5 children or a span < 10 years
    others = pc[~pc["person_id"].isin(index)].groupby("person_id")["dob"].agg(["count", "min", "max"])
    span = (others["max"] - others["min"]).dt.days / 365.25
    assert not ((others["count"] >= 5) & (span >= 10)).any()
    assert len(others) > 38  # plenty of other parents, none qualifying


def test_sample_realism_features_present():
    persons = read_sample("ssd_person")
    rel = read_sample("relationships")
    plans = read_sample("ssd_cp_plans")
    icpc = read_sample("ssd_initial_cp_conference")
    refs = read_sample("ssd_cin_episodes")
    eh = read_sample("ssd_early_help_episodes")
    paper = read_sample("paper_records")
    contacts = read_sample("ssd_contacts")
    # parents named in relationships but absent from ssd_person (mostly fathers)
    fathers = rel.loc[rel["relationship"] == "father_of", "person_id"].unique()
    assert (~pd.Series(fathers).isin(persons["pers_person_id"])).sum() > 20
    # children by different fathers: some index mother has 2+ distinct fathers
    m = rel[rel["relationship"] == "father_of"].merge(
        rel[rel["relationship"] == "mother_of"], on="related_person_id")
    assert m.groupby("person_id_y")["person_id_x"].nunique().max() >= 2
    # dated partner rows
    partners = rel[rel["relationship"] == "partner_of"]
    assert partners["start_date"].notna().all() and partners["end_date"].isna().any()
    # pre-birth referrals (events before dob) and open episodes
    dob = persons.set_index("pers_person_id")["pers_dob"]
    assert (pd.to_datetime(refs["cine_referral_date"])
            < pd.to_datetime(refs["cine_person_id"].map(dob))).any()
    assert refs["cine_close_date"].isna().any()
    # moved in: transfer-in ICPC and other-LA plan
    assert (icpc["icpc_icpc_transfer_in"] == "Y").any() and (plans["cppl_cp_plan_ola"] == "Y").any()
    # early help not engaged, advice not taken up
    assert eh["earl_episode_end_reason"].str.contains("Declined|Disengaged|Not engaged").any()
    assert contacts["cont_contact_outcome_json"].str.contains('"ADVICE_FLAG":"Y"').any()
    # paper records of each kind, with a document reference
    assert {"referral", "cp_plan", "s47", "file_note", "school_report"} <= set(paper["event_type"])
    assert paper["document_ref"].notna().all()
    # history before the ICS start only on paper (or migrated open records)
    for name, col in (("ssd_contacts", "cont_contact_date"), ("ssd_s47_enquiry", "s47e_s47_start_date"),
                      ("ssd_cin_assessments", "cina_assessment_start_date")):
        assert (pd.to_datetime(read_sample(name)[col]) >= pd.Timestamp("2009-04-01")).all(), name
    assert (pd.to_datetime(paper["event_date"]) < AUDIT).all()


def test_sample_formats():
    persons = read_sample("ssd_person")
    assert list(persons.columns) == ["pers_person_id", "pers_sex", "pers_dob", "pers_expected_dob",
                                     "pers_death_date"]
    assert persons["pers_person_id"].str.fullmatch(r"P\d{6}").all()
    assert read_sample("ssd_contacts")["cont_contact_id"].str.fullmatch(r"C\d{7}").all()
    for name in TABLE_ORDER:
        df = read_sample(name)
        for col in df.columns:
            if col.endswith("date") or col.endswith("dob"):
                v = df[col].dropna()
                assert v.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), (name, col)
                assert (pd.to_datetime(v) <= AUDIT).all(), (name, col)  # nothing after the audit
            if col.endswith("_nfa") or col.endswith("_flag") or col.endswith("_ola") or col.endswith("transfer_in"):
                assert set(df[col].dropna()) <= {"Y", "N"}, (name, col)
    factors = read_sample("ssd_assessment_factors")["cinf_assessment_factors_json"].map(json.loads)
    assert factors.map(lambda f: isinstance(f, list) and len(f) > 0).all()
    outcome = read_sample("ssd_contacts")["cont_contact_outcome_json"].map(json.loads)
    assert outcome.map(lambda o: set(o) == {"NEW_REFERRAL_FLAG", "CP_ENQUIRY_FLAG", "NFA_FLAG",
                                            "ADVICE_FLAG"}).all()
    cats = set(read_sample("ssd_cp_plans")["cppl_cp_plan_initial_category"])
    assert cats <= {"Neglect", "Emotional Abuse", "Physical Abuse", "Sexual Abuse", "Multiple"}


def test_sample_through_the_loader():
    io = pytest.importorskip("neglect_analysis.io")
    from neglect_analysis.siblings import index_parents, members

    cohort, report = io.load_extract(SAMPLE)
    assert not report.has_errors
    assert set(report.problems["severity"]) <= {"note"}
    counts = report.counts
    assert (counts["rows_read"] == counts["rows_used"] + merged_rows(report, counts)).all()
    assert (counts["rows_merged"] == merged_rows(report, counts)).all() and (counts["rows_dropped"] == 0).all()
    assert cohort.synthetic and cohort.audit_date == AUDIT
    ip = index_parents(cohort)
    m = members(cohort, ip)
    assert len(ip) == 38 and m["child_id"].nunique() == 242 and len(m) == 242
    assert m["age_days"].min() == 4 and 31 <= m["age_days"].max() / 365.25 < 32
    assert (m["n_index_parents"] == 1).all()


# ---------------------------------------------------------------------------------------------
# the generator


def test_deterministic_and_seed_dependent():
    a, b, c = generate(8, seed=5), generate(8, seed=5), generate(8, seed=6)
    for name in TABLE_ORDER:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["ssd_person"].equals(c["ssd_person"])


def test_small_run_follows_the_same_rules():
    t = generate(5, seed=11)
    groups, pc = index_rule(t["ssd_person"], t["relationships"])
    # 5 parents; children round(5 x 242/38) = round(31.84) = 32; fathers round(5 x 3/38) = 0
    assert len(groups) == 5
    assert groups["count"].sum() == 32
    assert set(t["ssd_person"].set_index("pers_person_id").loc[groups.index, "pers_sex"]) == {"F"}
    age = (AUDIT - pc.loc[pc["person_id"].isin(groups.index), "dob"]).dt.days
    assert age.min() == 4 and age.max() == 11469  # pinned ends


def test_parquet_matches_csv_tables(tmp_path):
    write_extract(tmp_path, n_parents=4, seed=2, fmt="parquet")
    t = generate(4, seed=2)
    for name in TABLE_ORDER:
        back = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert back.astype(object).where(back.notna(), None).values.tolist() == \
            t[name].astype(object).where(t[name].notna(), None).values.tolist(), name
    with pytest.raises(ValueError, match="fmt must be"):
        write_extract(tmp_path, n_parents=2, fmt="xlsx")


@pytest.fixture(scope="module")
def big():
    """A 2,000-parent cohort: rates with little sampling noise (and a speed check, untimed)."""
    return generate(2000, seed=2018, background=False)  # the index families only


def test_large_cohort_structure(big):
    groups, pc = index_rule(big["ssd_person"], big["relationships"])
    assert len(groups) == 2000
    assert groups["count"].sum() == round(2000 * 242 / 38)
    kids = pc[pc["person_id"].isin(groups.index)]
    assert kids["related_person_id"].is_unique


def test_rates_sit_above_national(big):
    # National (DfE CIN, 2019-2025): re-referrals within 12 months 21.5-22.7% of referrals;
    # second or subsequent plans 20.8-24.7%; ICPC per S47 31-39% (no ICPC 61-69%);
    # ICPC -> plan about 86%; neglect about half of plans. This high-need cohort sits above.
    ref = big["ssd_cin_episodes"].assign(d=lambda x: pd.to_datetime(x["cine_referral_date"]))
    ref = ref.sort_values(["cine_person_id", "d"])
    reref = (ref.groupby("cine_person_id")["d"].diff().dt.days <= 365).mean()
    assert 0.25 < reref < 0.50
    cp = big["ssd_cp_plans"].assign(d=lambda x: pd.to_datetime(x["cppl_cp_plan_start_date"]))
    repeat = (cp.sort_values(["cppl_person_id", "d"]).groupby("cppl_person_id").cumcount() > 0).mean()
    assert 0.27 < repeat < 0.50
    s47, icpc = big["ssd_s47_enquiry"], big["ssd_initial_cp_conference"]
    due = (AUDIT - pd.to_datetime(s47["s47e_s47_start_date"])).dt.days >= 60
    no_icpc = (~s47["s47e_s47_enquiry_id"].isin(icpc["icpc_s47_enquiry_id"]))[due].mean()
    assert 0.69 < no_icpc < 0.85
    assert (icpc["icpc_icpc_outcome_cp_flag"] == "Y").mean() > 0.86
    assert 0.5 < (cp["cppl_cp_plan_initial_category"] == "Neglect").mean() < 0.75


# ---------------------------------------------------------------------------------------------
# small pieces, values worked out by hand


def test_family_sizes_calibrated_to_target():
    # 10 families x 7.0 children = 70 exactly, each at least 5
    s = family_sizes(10, np.random.default_rng(0), SyntheticParams(children_per_parent=7.0))
    assert s.sum() == 70 and s.min() >= 5
    # without calibration the total is left to the draw, but the minimum still holds
    s = family_sizes(10, np.random.default_rng(0), SyntheticParams(calibrate_total=False))
    assert s.min() >= 5


def test_eighteenth_birthday_calendar():
    # 2000-02-29 -> 2018-03-01 (no 29 Feb in 2018); 2000-07-31 -> 2018-07-31
    got = eighteenth_birthday(np.array([day_number("2000-02-29"), day_number("2000-07-31")]))
    assert iso_dates(got).tolist() == ["2018-03-01", "2018-07-31"]


def test_iso_dates_and_missing():
    # day 0 is 1970-01-01; day 365 is 1971-01-01; NO_DATE is blank
    assert iso_dates(np.array([0, 365, NO_DATE])).tolist() == ["1970-01-01", "1971-01-01", None]


def test_contact_outcome_json():
    y, n = np.array([True]), np.array([False])
    assert contact_json(n, n, y, y)[0] == (
        '{"NEW_REFERRAL_FLAG":"N","CP_ENQUIRY_FLAG":"N","NFA_FLAG":"Y","ADVICE_FLAG":"Y"}')
    assert json.loads(contact_json(y, y, n, n)[0]) == {
        "NEW_REFERRAL_FLAG": "Y", "CP_ENQUIRY_FLAG": "Y", "NFA_FLAG": "N", "ADVICE_FLAG": "N"}


# ---------------------------------------------------------------------------------------------
# no impossible rows, at any size and seed


def small_blocks(block_parents: int, **changes) -> SyntheticParams:
    return replace(SyntheticParams(), block_parents=block_parents, **changes)


@pytest.mark.parametrize("n_parents, seed, block_parents", [
    (200, 1, 2000),   # one block
    (300, 5, 2000),
    (300, 7, 100),    # three blocks
    (300, 7, 250),    # background families over three blocks of their own (600 = 250+250+100)
])
def test_extracts_validate_without_errors_or_warnings(tmp_path, n_parents, seed, block_parents):
    params = small_blocks(block_parents)
    write_extract(tmp_path, n_parents=n_parents, seed=seed, params=params)
    cohort, report = load_extract(tmp_path)
    problems = report.problems
    assert not report.has_errors, problems[problems["severity"] == "error"]["problem"].head().tolist()
    not_notes = problems[problems["severity"] != "note"]["problem"]
    assert not_notes.empty, not_notes.head().tolist()
    counts = report.counts
    assert (counts["rows_read"] == counts["rows_used"] + merged_rows(report, counts)).all()
    assert (counts["rows_merged"] == merged_rows(report, counts)).all() and (counts["rows_dropped"] == 0).all()
    assert impossible_rows(generate(n_parents, seed=seed, params=params)).empty


def test_no_event_after_death_nor_end_before_start():
    # a cohort where one child in five dies (the default is 0.4%), checked in plain pandas
    t = generate(120, seed=3, params=small_blocks(50, child_death_rate=0.2))
    persons = t["ssd_person"]
    death = pd.to_datetime(persons.set_index("pers_person_id")["pers_death_date"]).dropna()
    assert len(death) > 100
    person_col = {"ssd_contacts": "cont_person_id", "ssd_early_help_episodes": "earl_person_id",
                  "ssd_cin_episodes": "cine_person_id", "ssd_cin_assessments": "cina_person_id",
                  "ssd_s47_enquiry": "s47e_person_id", "ssd_initial_cp_conference": "icpc_person_id",
                  "ssd_cp_plans": "cppl_person_id", "ssd_cla_episodes": "clae_person_id",
                  "ssd_pre_proceedings": "prep_person_id", "paper_records": "person_id",
                  "iro_challenges": "person_id"}
    checked = 0
    for name, col in person_col.items():
        df = t[name]
        died = pd.to_datetime(df[col].map(death))
        for date_col in [c for c in df.columns if c.endswith("date")]:
            d = pd.to_datetime(df[date_col])
            both = d.notna() & died.notna()
            checked += int(both.sum())
            assert not (d[both] > died[both]).any(), (name, date_col)
    assert checked > 500
    # episodes cut short by a death close on the death date with reason RC2 (child died)
    ref = t["ssd_cin_episodes"]
    rc2 = ref[ref["cine_close_reason"] == "RC2"]
    assert len(rc2) > 0
    death_text = persons.set_index("pers_person_id")["pers_death_date"]
    assert (rc2["cine_close_date"] == rc2["cine_person_id"].map(death_text)).all()
    # every end on or after its start
    for name, start, end in (("ssd_cp_plans", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),
                             ("ssd_cla_episodes", "clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),
                             ("ssd_cin_episodes", "cine_referral_date", "cine_close_date"),
                             ("ssd_early_help_episodes", "earl_episode_start_date", "earl_episode_end_date"),
                             ("ssd_s47_enquiry", "s47e_s47_start_date", "s47e_s47_end_date")):
        df = t[name].dropna(subset=[end])
        assert (pd.to_datetime(df[end]) >= pd.to_datetime(df[start])).all(), name
    assert impossible_rows(t).empty
    # one referral, plan or care episode at a time per child: each starts after the previous
    # one (by start date) has closed
    for name, start, end in (("ssd_cin_episodes", "cine_referral_date", "cine_close_date"),
                             ("ssd_cp_plans", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),
                             ("ssd_cla_episodes", "clae_cla_episode_start_date", "clae_cla_episode_ceased_date")):
        df = t[name]
        person = df.columns[1]
        spans = pd.DataFrame({"p": df[person], "s": pd.to_datetime(df[start]),
                              "e": pd.to_datetime(df[end]).fillna(AUDIT)}).sort_values(["p", "s"])
        assert not (spans["s"] < spans.groupby("p")["e"].shift(1)).any(), name
    # partners in ssd_person are 15 or older at the start of a partner_of row: at least
    # int(15 x 365.25) = 5478 days
    rel = t["relationships"]
    partners = rel[rel["relationship"] == "partner_of"]
    dob = pd.to_datetime(persons.set_index("pers_person_id")["pers_dob"])
    for side in ("person_id", "related_person_id"):
        age = (pd.to_datetime(partners["start_date"]) - partners[side].map(dob)).dt.days
        assert (age.dropna() >= 5478).all(), side


def test_impossible_rows_by_hand():
    # P1 died 2012-05-01; audit 2018-07-31
    persons = pd.DataFrame({"pers_person_id": ["P1", "P2"], "pers_dob": ["2010-01-01", "2011-01-01"],
                            "pers_expected_dob": [None, "2018-08-10"],  # a forecast: allowed
                            "pers_death_date": ["2012-05-01", None]})
    contacts = pd.DataFrame({"cont_person_id": ["P1", "P1", "P2", "P9"],
                             "cont_contact_date": ["2012-05-01",   # on the death date: fine
                                                   "2012-05-02",   # after death
                                                   "2018-08-01",   # after the audit
                                                   "2030-01-01"]})  # unknown person, after audit
    cla = pd.DataFrame({"clae_person_id": ["P2"], "clae_cla_episode_start_date": ["2013-01-01"],
                        "clae_cla_episode_ceased_date": ["2012-12-31"]})  # ends the day before
    got = impossible_rows({"ssd_person": persons, "ssd_contacts": contacts, "ssd_cla_episodes": cla})
    assert got[["table", "row", "problem"]].values.tolist() == [
        ["ssd_cla_episodes", 0, "end before start"],
        ["ssd_contacts", 1, "after death"],
        ["ssd_contacts", 2, "after audit"],
        ["ssd_contacts", 3, "after audit"],
    ]


# ---------------------------------------------------------------------------------------------
# blocks


def test_cohort_blocks_and_shares_by_hand():
    assert [(b.index, b.first, b.n) for b in cohort_blocks(25, 10)] == [(0, 0, 10), (1, 10, 10), (2, 20, 5)]
    assert [(b.first, b.n) for b in cohort_blocks(38, 2000)] == [(0, 38)]
    # index fathers, share 3/38, blocks of 10 in 25: round(10 x 3/38 = 0.79) = 1;
    # round(20 x 3/38 = 1.58) - 1 = 1; round(25 x 3/38 = 1.97) - 2 = 0; total 2 = round(1.97)
    shares = [share_of_block(3 / 38, b.first, b.n) for b in cohort_blocks(25, 10)]
    assert shares == [1, 1, 0]
    with pytest.raises(ValueError, match="block_parents"):
        cohort_blocks(5, 0)


def test_block_streams_are_the_one_block_streams_for_block_zero():
    seqs = np.random.SeedSequence(2018).spawn(4)
    for got, seq in zip(block_streams(2018, 0), seqs):
        assert got.random() == np.random.default_rng(seq).random()
    # later blocks: other streams, the same for the same (seed, block)
    assert block_streams(2018, 1)[0].random() != block_streams(2018, 0)[0].random()
    assert block_streams(2018, 2)[3].random() == block_streams(2018, 2)[3].random()


def test_exact_counts_over_several_blocks():
    blocks = list(generate_blocks(25, seed=9, params=small_blocks(10)))
    t = {name: pd.concat([b[name] for b in blocks], ignore_index=True) for name in TABLE_ORDER}
    groups, pc = index_rule(t["ssd_person"], t["relationships"])
    # 25 parents; children round(25 x 242/38 = 159.2) = 159; fathers round(25 x 3/38) = 2
    assert len(groups) == 25 and groups["count"].sum() == 159
    sex = t["ssd_person"].set_index("pers_person_id").loc[groups.index, "pers_sex"]
    assert sex.value_counts().to_dict() == {"F": 23, "M": 2}
    # the ends are pinned in the first block (youngest 4 days, eldest 11469 days); the other
    # blocks' children lie strictly between them
    age = (AUDIT - pc.loc[pc["person_id"].isin(groups.index), "dob"]).dt.days
    assert age.min() == 4 and age.max() == 11469
    first_block = blocks[0]["ssd_person"]["pers_person_id"]
    later = ~pc.loc[pc["person_id"].isin(groups.index), "related_person_id"].isin(first_block)
    assert later.sum() > 0 and (age[later] > 4).all() and (age[later] < 11469).all()
    # ids unique and in order across the blocks
    for name in ("ssd_person", "ssd_contacts", "ssd_cin_episodes", "ssd_cp_plans"):
        ids = t[name].iloc[:, 0]
        assert ids.is_unique and ids.is_monotonic_increasing, name


def test_a_block_does_not_depend_on_the_blocks_after_it():
    # across a block boundary: the first block of 25 parents (blocks of 10) is the whole
    # extract of 10 parents, and its second block starts where the first one's ids stop
    params = small_blocks(10)
    alone = generate(10, seed=4, params=params)
    blocks = list(generate_blocks(25, seed=4, params=params))
    assert len(blocks) == 3
    for name in TABLE_ORDER:
        pd.testing.assert_frame_equal(blocks[0][name], alone[name], obj=name)
    last = int(alone["ssd_contacts"]["cont_contact_id"].iloc[-1][1:])
    assert blocks[1]["ssd_contacts"]["cont_contact_id"].iloc[0] == f"C{last + 1:07d}"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_writing_block_by_block_equals_writing_whole_tables(tmp_path, fmt):
    params = small_blocks(10)
    streamed, whole = tmp_path / "streamed", tmp_path / "whole"
    write_extract(streamed, n_parents=25, seed=4, params=params, fmt=fmt)
    write_tables(generate(25, seed=4, params=params), whole, fmt=fmt)
    for name in TABLE_ORDER:
        a, b = streamed / f"{name}.{fmt}", whole / f"{name}.{fmt}"
        if fmt == "csv":
            assert a.read_bytes() == b.read_bytes(), name
        else:
            pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b), obj=name)


def test_row_ids_by_hand():
    assert row_ids("C", 3).tolist() == ["C0000001", "C0000002", "C0000003"]
    # past 9,999,999 the block's ids take one more digit (all of them: one width per block)
    assert row_ids("CP", 2, start=9_999_998).tolist() == ["CP09999999", "CP10000000"]
    assert row_ids("CP", 1, start=41).tolist() == ["CP0000042"]
    assert row_ids("L", 0).tolist() == []


# ---------------------------------------------------------------------------------------------
# defects on purpose (synthesize --defects)


def test_defects_are_written_counted_and_reported(tmp_path):
    clean_dir, bad_dir = tmp_path / "clean", tmp_path / "bad"
    write_extract(clean_dir, n_parents=40, seed=3)
    write_extract(bad_dir, n_parents=40, seed=3, defects=True)
    assert "defects" not in json.loads((clean_dir / "extract.json").read_text())
    counts = json.loads((bad_dir / "extract.json").read_text())["defects"]
    assert counts == {"uk_dates": 3, "sql_datetimes": 3, "stripped_zeros": 3,
                      "parent_only_in_relationships": 1, "unknown_code": 3,
                      "duplicate_row": 3, "end_before_start": 3}

    def csv(folder, name):
        return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])

    clean_c, bad_c = csv(clean_dir, "ssd_contacts"), csv(bad_dir, "ssd_contacts")
    uk = bad_c["cont_contact_date"].str.fullmatch(r"\d{2}/\d{2}/\d{4}")
    assert uk.sum() == 3
    # 2017-03-31 written 31/03/2017: the same day, day first
    iso = clean_c.loc[uk, "cont_contact_date"]
    assert (bad_c.loc[uk, "cont_contact_date"] == iso.str[8:10] + "/" + iso.str[5:7] + "/" + iso.str[:4]).all()
    assert csv(bad_dir, "ssd_cin_episodes")["cine_referral_date"].str.endswith(" 00:00:00.000").sum() == 3
    assert len(csv(bad_dir, "ssd_s47_enquiry")) == len(csv(clean_dir, "ssd_s47_enquiry")) + 3
    assert len(csv(bad_dir, "ssd_person")) == len(csv(clean_dir, "ssd_person")) - 1

    _, report = load_extract(bad_dir)
    p = report.problems
    found = p.groupby(["table", "check", "severity"]).size().to_dict()
    assert found[("ssd_cp_plans", "end_before_start", "error")] == 3
    assert found[("ssd_cp_plans", "unknown_code", "error")] == 3
    assert found[("ssd_early_help_episodes", "unknown_person", "error")] == 3
    assert found[("ssd_s47_enquiry", "duplicate_row", "warning")] == 3
    assert report.n("error") == 9 and report.n("warning") == 3
    # the UK dates and SQL datetimes are read without a message: no problem on those tables
    assert not p["table"].isin(["ssd_contacts", "ssd_cin_episodes"]).any()
    _, clean_report = load_extract(clean_dir)
    assert not clean_report.has_errors and clean_report.n("warning") == 0


def test_cli_synthesize_defects_prints_the_counts(tmp_path, capsys):
    from neglect_analysis.cli import main

    assert main(["synthesize", str(tmp_path / "x"), "--parents", "6", "--seed", "2", "--defects"]) == 0
    out = capsys.readouterr().out
    assert "Defects written on purpose" in out
    assert "end_before_start: 3 in ssd_cp_plans.cppl_cp_plan_end_date" in out
    assert json.loads((tmp_path / "x" / "extract.json").read_text())["defects"]["duplicate_row"] == 3


# ---------------------------------------------------------------------------------------------
# background families: the rest of the authority (issue 12, item 4)


def test_background_families_rule_and_blocks_by_hand():
    p = SyntheticParams()
    # default: none under 100 index parents (the sample is the audit's selection only);
    # from 100 on, round(n x 2.0) families
    assert n_background_families(38, p) == 0 and n_background_families(99, p) == 0
    assert n_background_families(100, p) == 200 and n_background_families(1000, p) == 2000
    # turned on at any size / off at any size: round(38 x 2.0) = 76; none
    assert n_background_families(38, p, True) == 76 and n_background_families(1000, p, False) == 0
    # 3 index parents, background on: 6 families in blocks of 4 -> (0, 4), (4, 2), own streams
    blocks = all_blocks(3, replace(p, block_parents=4), True)
    assert [(b.first, b.n, b.background) for b in blocks] == [(0, 3, False), (0, 4, True), (4, 2, True)]
    assert len({b.index for b in blocks}) == 3


def test_background_families_leave_the_index_families_unchanged():
    # the index blocks do not depend on the background: same tables' first rows, same persons
    params = small_blocks(10)
    plain = generate(12, seed=5, params=params, background=False)
    with_bg = generate(12, seed=5, params=params, background=True)
    groups, pc = index_rule(with_bg["ssd_person"], with_bg["relationships"])
    groups0, _ = index_rule(plain["ssd_person"], plain["relationships"])
    assert len(groups) == 12 and sorted(groups.index) == sorted(groups0.index)
    assert set(plain["ssd_person"]["pers_person_id"]) < set(with_bg["ssd_person"]["pers_person_id"])
    # background parents: 1 to 4 children each (24 families: round(12 x 2.0))
    index_kids = pc.loc[pc["person_id"].isin(groups.index), "related_person_id"]
    bg_kids = pc[~pc["related_person_id"].isin(index_kids)]
    assert len(bg_kids) > 24 and bg_kids.groupby("person_id").size().max() <= 4
    # no case review for them: every reviewed child is an index parent's child
    reviewed = with_bg["case_review"]["person_id"]
    assert reviewed.isin(index_kids).all() and not reviewed.isin(bg_kids["related_person_id"]).any()


def test_background_gives_the_authority_baseline(tmp_path):
    # a small extract with background families: the DfE-comparable findings get the
    # authority's own baseline; without them the baseline is empty
    from neglect_analysis import findings
    from neglect_analysis.pipeline import AnalysisParams, build_tables

    for background in (True, False):
        folder = tmp_path / str(background)
        write_extract(folder, n_parents=30, seed=3, background=background)
        cohort, report = load_extract(folder)
        assert not report.has_errors
        tables = build_tables(cohort, AnalysisParams())
        f = findings.findings(cohort, tables.family).set_index("measure")
        comparable = f[f["national_share"].notna()]
        if background:
            meta = json.loads((folder / "extract.json").read_text())
            assert meta["n_background_families"] == 60  # round(30 x 2.0)
            row = comparable.loc["rereferrals_12m"]
            assert row["authority_denominator"] > 0
            # share = 100 x numerator / denominator, to one decimal
            assert row["authority_share"] == round(100 * row["authority_numerator"] / row["authority_denominator"], 1)
        else:
            assert comparable["authority_share"].isna().all()
            assert "n_background_families" not in json.loads((folder / "extract.json").read_text())


def test_cli_synthesize_background_option(tmp_path, capsys):
    from neglect_analysis.cli import main

    assert main(["synthesize", str(tmp_path / "on"), "--parents", "3", "--background", "on"]) == 0
    assert "3 index parents and 6 background families" in capsys.readouterr().out
    assert main(["synthesize", str(tmp_path / "off"), "--parents", "3", "--background", "off"]) == 0
    assert "index parents, seed" in capsys.readouterr().out  # no "and N background families"
