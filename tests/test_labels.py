"""Code lists in words (codes.py decoders) and the labels practitioners read (labels.py).

Expected words are the DfE CIN census guidance texts, written out here by hand.
"""
from __future__ import annotations

import pandas as pd

from neglect_analysis.actions import LOOK_NOW_COLUMNS
from neglect_analysis.chronology import PRACTITIONER_COLUMNS
from neglect_analysis.codes import (
    REASONS_FOR_CLOSURE, closure_reason_words, contact_outcome_words, decode, factor_words,
)
from neglect_analysis.labels import (
    column_label, decode_event_codes, event_type_words, practitioner_age, yes_no,
)


def test_reasons_for_closure_rc1_to_rc9():
    assert list(REASONS_FOR_CLOSURE) == [f"RC{i}" for i in range(1, 10)]
    words = closure_reason_words(pd.Series(["RC5", "rc8", " RC9 "])).tolist()
    assert words == ["Transferred to services of another local authority",
                     "Case closed after assessment, no further action",
                     "Case closed after assessment, referred to early help"]


def test_lists_of_codes_and_unknown_codes():
    assert contact_outcome_words(pd.Series(["CP_ENQUIRY_FLAG;NEW_REFERRAL_FLAG"])).tolist() == [
        "Child protection enquiry; New referral"]
    assert factor_words(pd.Series(["3B,16A,99Z"])).tolist() == [
        "Domestic abuse: parent/carer; Neglect; 99Z (not a code of the DfE list)"]
    assert decode(pd.Series([None, ""]), REASONS_FOR_CLOSURE).isna().all()


def test_decode_event_codes_every_code_has_words():
    ev = pd.DataFrame({
        "event_type": ["contact", "referral", "cp_plan", "icpc", "early_help", "paper", "referral"],
        "category": ["3B", "N1", "NEG", None, None, None, "N99"],
        "outcome": ["NFA_FLAG", "RC8", "MUL", "CP_PLAN", "Family moved away", "school_report", None],
        "factors": ["", "3B,16A", "", "", "", "", ""],
    })
    d = decode_event_codes(ev)
    assert d["category_words"].tolist()[:3] == ["Health visitor", "Abuse or neglect", "Neglect"]
    assert d["outcome_words"].tolist()[:6] == [
        "No further action", "Case closed after assessment, no further action", "Multiple",
        "Child protection plan made", "Family moved away", "school report"]
    # text outcomes are words without a code
    assert d["outcome_code"].tolist()[4:6] == [pd.NA, pd.NA]
    assert d.loc[1, "factor_words"] == "Domestic abuse: parent/carer; Neglect"
    assert d.loc[6, "category_words"] == "N99 (not a code of the DfE list)"
    for code, words in (("category_code", "category_words"), ("outcome_code", "outcome_words"),
                        ("factor_codes", "factor_words")):
        assert d.loc[d[code].notna(), words].notna().all()


def test_plain_headers_yes_no_pre_birth():
    for col in list(PRACTITIONER_COLUMNS) + list(LOOK_NOW_COLUMNS):
        label = column_label(col)
        assert "_" not in label and label[0].isupper(), col
    assert event_type_words(pd.Series(["s47", "partner_end"])).tolist() == [
        "Section 47 enquiry", "Partnership of the index parent ended"]
    assert yes_no(pd.Series([True, False])).tolist() == ["Yes", "No"]
    assert practitioner_age(pd.Series(["-0y 0m", "0y 0m"]), pd.Series([-3, 0])).tolist() == ["pre-birth", "0y 0m"]


# ------------------------------------------------------------------ one label map, read by every output
# Change-proof: each output is made after changing an entry of labels.py, and must show the
# new words (a second copy of the words anywhere would keep the old ones).

def test_briefing_tables_read_the_label_map(monkeypatch):
    from neglect_analysis import labels
    from neglect_analysis.briefing import display_table

    monkeypatch.setitem(labels.COLUMN_LABELS, "n_groups", "Groups (n)")
    monkeypatch.setitem(labels.EVENT_TYPE_LABELS, "cla", "In care")
    monkeypatch.setitem(labels.TABLE_COLUMN_LABELS["group_sizes"], "n_children", "Size")
    monkeypatch.setitem(labels.FINDINGS_HEADERS, "share", "Per cent")
    assert display_table("group_sizes", pd.DataFrame(columns=["n_children", "n_groups"])).columns.tolist() == [
        "Size", "Groups (n)"]
    esc = pd.DataFrame(columns=["position", "cp_plan", "cla", "escalated", "not_escalated", "Total"])
    assert display_table("escalation_by_position", esc).columns.tolist() == [
        "Position in the sibling group", "Child protection plan", "In care", "Escalated", "Not escalated", "Total"]
    shares = pd.DataFrame(columns=["base", "label", "numerator", "denominator", "share", "national_share"])
    assert display_table("point6_shares", shares).columns.tolist() == [
        "Base", "Measure", "Number", "Out of", "Per cent", "England (%)"]
    found = pd.DataFrame(columns=["description", "numerator", "denominator", "share", "interval", "national_share",
                                  "national_year", "authority_share"])
    assert "Per cent" in display_table("point6_findings", found).columns


def test_briefing_legends_read_the_label_map(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neglect_analysis import labels
    from neglect_analysis.briefing import at_risk_row, human_legend

    monkeypatch.setitem(labels.GROUP_LABELS, "eldest", "First-born")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0], label="eldest")
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 1])
    assert [t.get_text() for t in human_legend(ax).get_legend().get_texts()] == ["First-born"]
    m = pd.DataFrame({"group": ["eldest"], "month": [0], "at_risk": [40]})
    assert "First-born" in [t.get_text() for t in at_risk_row(ax, m, ["eldest"])]
    plt.close(fig)


def test_chronology_view_reads_the_label_map(monkeypatch):
    from neglect_analysis import labels
    from neglect_analysis.chronology import family_chronology, practitioner_chronology
    from neglect_analysis.cohort import Cohort
    from neglect_analysis.siblings import members

    persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1980-01-01", "2005-03-01", "2008-06-15"]})
    links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    events = pd.DataFrame({"person_id": ["A", "B"], "event_type": ["cp_plan", "contact"],
                           "start_date": ["2012-03-01", "2012-04-01"]})
    c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    monkeypatch.setitem(labels.EVENT_TYPE_LABELS, "contact", "Call or contact")
    monkeypatch.setitem(labels.SERVICE_LABELS, "cp_plan", "Plan")
    monkeypatch.setitem(labels.SOURCE_LABELS, "ics", "Electronic record")
    v = practitioner_chronology(family_chronology(c, "M", members(c, ["M"])))
    row = v[v["event_type_code"] == "contact"].iloc[0]
    # B's contact on 2012-04-01, while A's plan (open, no end) is open: "A: Plan".
    assert (row["event_type"], row["open_services"], row["source"]) == ("Call or contact", "A: Plan",
                                                                        "Electronic record")


def test_look_now_reads_the_label_map(monkeypatch, tmp_path):
    import openpyxl

    from neglect_analysis import labels
    from neglect_analysis.cohort import Cohort
    from neglect_analysis.workbook import write_look_now_workbook

    monkeypatch.setitem(labels.EVENT_TYPE_LABELS, "cla", "In care")
    monkeypatch.setitem(labels.COLUMN_LABELS, "moved_away", "Gone")
    c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["B"], "dob": ["2010-06-15"]}),
                           audit_date="2018-07-31", synthetic=False)
    ln = pd.DataFrame({"child_id": ["B"], "signal_event_type": ["cp_plan; cla"], "moved_away": [0]})
    ws = openpyxl.load_workbook(write_look_now_workbook(c, ln, tmp_path / "l.xlsx"))["Look now"]
    assert [x.value for x in ws[3]] == ["Child", "Sibling's escalation", "Gone"]
    assert [x.value for x in ws[4]] == ["B", "Child protection plan; In care", "No"]


def test_event_type_lists_in_words_keep_order_missing_and_unknown():
    from neglect_analysis.labels import event_type_list_words

    # index repeated on purpose: the words follow positions, not labels
    s = pd.Series(["cla; cp_plan", None, "s47; other"], index=[3, 3, 1])
    out = event_type_list_words(s)
    assert out.index.tolist() == [3, 3, 1]
    assert out.tolist() == ["Looked after (CLA); Child protection plan", pd.NA, "Section 47 enquiry; other"]


def test_count_figures_read_the_label_map(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neglect_analysis import labels
    from neglect_analysis.plots import plot_counts

    # the briefing's lead-time figure: axis titles are the table's plain headers
    lead = pd.DataFrame({"lead_time_months": ["up to 6", "over 6"], "n_children": ["17", "9"]})
    fig, ax = plt.subplots()
    plot_counts(lead, "lead_time_months", "n_children", ax=ax)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Months earlier", "Number of children")
    plt.close(fig)
    monkeypatch.setitem(labels.COLUMN_LABELS, "lead_time_months", "Lead (months)")
    monkeypatch.setitem(labels.EVENT_TYPE_LABELS, "s47", "Enquiry (s47)")
    fig, ax = plt.subplots()
    plot_counts(lead, "lead_time_months", "n_children", ax=ax)
    assert ax.get_xlabel() == "Lead (months)"
    plot_counts(pd.DataFrame({"event_type": ["s47"], "n": [3]}), "event_type", "n", ax=ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Enquiry (s47)"]
    plt.close(fig)


def test_group_size_figure_and_table_share_their_words(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neglect_analysis import labels
    from neglect_analysis.briefing import display_table
    from neglect_analysis.plots import plot_group_sizes

    monkeypatch.setitem(labels.TABLE_COLUMN_LABELS["group_sizes"], "n_children", "Size of group")
    sizes = pd.DataFrame({"n_children": ["5", "6+"], "n_groups": ["14", "24"]})
    fig, ax = plt.subplots()
    plot_group_sizes(sizes, ax=ax)
    assert ax.get_xlabel() == display_table("group_sizes", sizes).columns[0] == "Size of group"
    assert ax.get_ylabel() == display_table("group_sizes", sizes).columns[1] == "Sibling groups"
    plt.close(fig)
