"""Synthetic CIN census XML and SSDA903 returns for the converter's tests and benchmark.

Everything here is made up. :func:`census_xml` writes the children given (dicts, below) in the
layout of a chosen schema year: ``GenderCurrent`` (1/2/0) to 2024, ``Sex`` (M/F/U) from 2025;
``CINPlanDates`` from 2022; the ``PreProceedingsandFGDM`` block in 2026 (the element names the
converter assumes, :data:`neglect_analysis.convert.cin_census.PRE_PROCEEDINGS_FIELDS`); yes/no
items as ``0``/``1`` or, with ``yes_no="truefalse"``, ``true``/``false`` (accepted by the 2018
and 2024 schemas). ``namespace`` puts every element in a default namespace, or with ``prefix``
a prefixed one.

A child: ``{"id", "upn", "dob", "expected_dob", "sex" ("M"/"F"/"U"), "death",
"episodes": [episode, ...]}``; an episode: ``{"referral", "source", "need", "closure",
"reason", "nfa" (bool), "icpc" (the episode's DateOfInitialCPC), "assessments": [{"start",
"auth", "factors": [...]}], "s47": [{"start", "target", "icpc", "not_required" (bool)}],
"cp_plans": [{"start", "end", "initial", "latest", "previous"}], "cin_plans": [{"start",
"end"}], "pre_proceedings": {"start", "end", "outcome", "issue", "letter", "fgdm"}}``. Keys
may be left out.
"""
from __future__ import annotations

import random
from pathlib import Path
from xml.sax.saxutils import escape

GENDER_CURRENT = {"M": "1", "F": "2", "U": "0"}


def _yn(value: bool, style: str) -> str:
    if style == "truefalse":
        return "true" if value else "false"
    return "1" if value else "0"


def census_xml(children: list[dict], *, year: int, la: str = "201", namespace: str | None = None,
               prefix: str | None = None, yes_no: str = "01", reference_date: str | None = None,
               collection: str = "CIN") -> str:
    """The text of a CIN census XML file holding ``children`` in the ``year`` schema."""
    p = f"{prefix}:" if (namespace and prefix) else ""
    parts: list[str] = []

    def el(name: str, value) -> None:
        if value is not None and value != "":
            parts.append(f"<{p}{name}>{escape(str(value))}</{p}{name}>")

    def open_(name: str) -> None:
        parts.append(f"<{p}{name}>")

    def close(name: str) -> None:
        parts.append(f"</{p}{name}>")

    ns = ""
    if namespace:
        ns = f' xmlns:{prefix}="{namespace}"' if prefix else f' xmlns="{namespace}"'
    parts.append('<?xml version="1.0" encoding="UTF-8"?>\n')
    parts.append(f"<{p}Message{ns}>")
    open_("Header")
    open_("CollectionDetails")
    el("Collection", collection)
    el("Year", year)
    el("ReferenceDate", reference_date or f"{year}-03-31")
    close("CollectionDetails")
    open_("Source")
    el("SourceLevel", "L")
    el("LEA", la)
    el("SoftwareCode", "neglect-analysis test fixture (synthetic)")
    close("Source")
    close("Header")
    open_("Children")
    for c in children:
        open_("Child")
        open_("ChildIdentifiers")
        el("LAchildID", c.get("id"))
        el("UPN", c.get("upn"))
        el("PersonBirthDate", c.get("dob"))
        el("ExpectedPersonBirthDate", c.get("expected_dob"))
        sex = c.get("sex", "U")
        if year >= 2025:
            el("Sex", sex)
        else:
            el("GenderCurrent", GENDER_CURRENT.get(sex, sex))
        el("PersonDeathDate", c.get("death"))
        close("ChildIdentifiers")
        open_("ChildCharacteristics")
        el("Ethnicity", c.get("ethnicity", "WBRI"))
        close("ChildCharacteristics")
        for e in c.get("episodes", []):
            open_("CINdetails")
            el("CINreferralDate", e.get("referral"))
            el("ReferralSource", e.get("source", "1A"))
            el("PrimaryNeedCode", e.get("need"))
            el("CINclosureDate", e.get("closure"))
            el("ReasonForClosure", e.get("reason"))
            el("DateOfInitialCPC", e.get("icpc"))
            for a in e.get("assessments", []):
                open_("Assessments")
                el("AssessmentActualStartDate", a.get("start"))
                el("AssessmentAuthorisationDate", a.get("auth"))
                if a.get("factors"):
                    open_("FactorsIdentifiedAtAssessment")
                    for f in a["factors"]:
                        el("AssessmentFactors", f)
                    close("FactorsIdentifiedAtAssessment")
                close("Assessments")
            if year >= 2022:
                for cp in e.get("cin_plans", []):
                    open_("CINPlanDates")
                    el("CINPlanStartDate", cp.get("start"))
                    el("CINPlanEndDate", cp.get("end"))
                    close("CINPlanDates")
            for s in e.get("s47", []):
                open_("Section47")
                el("S47ActualStartDate", s.get("start"))
                el("InitialCPCtarget", s.get("target"))
                el("DateOfInitialCPC", s.get("icpc"))
                el("ICPCnotRequired", _yn(s.get("not_required", False), yes_no))
                close("Section47")
            el("ReferralNFA", _yn(e.get("nfa", False), yes_no))
            for cp in e.get("cp_plans", []):
                open_("ChildProtectionPlans")
                el("CPPstartDate", cp.get("start"))
                el("CPPendDate", cp.get("end"))
                el("InitialCategoryOfAbuse", cp.get("initial", "NEG"))
                el("LatestCategoryOfAbuse", cp.get("latest", cp.get("initial", "NEG")))
                el("NumberOfPreviousCPP", cp.get("previous", 0))
                for r in cp.get("reviews", []):
                    open_("Reviews")
                    el("CPPreviewDate", r)
                    close("Reviews")
                close("ChildProtectionPlans")
            pp = e.get("pre_proceedings")
            if pp and year >= 2026:
                open_("PreProceedingsandFGDM")
                el("PreProceedingsStartDate", pp.get("start"))
                el("PreProceedingsEndDate", pp.get("end"))
                el("PreProceedingsOutcome", pp.get("outcome"))
                el("CareProceedingsIssueDate", pp.get("issue"))
                el("LetterBeforeProceedingsDate", pp.get("letter"))
                el("FGDMOfferedDate", pp.get("fgdm"))
                close("PreProceedingsandFGDM")
            close("CINdetails")
        close("Child")
    close("Children")
    parts.append(f"</{p}Message>\n")
    return "".join(parts)


def write_census(path: str | Path, children: list[dict], **kwargs) -> Path:
    """Write :func:`census_xml` to ``path``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(census_xml(children, **kwargs), encoding="utf-8")
    return path


def write_ssda903_csv(folder: str | Path, year: int, header: list[dict], episodes: list[dict]) -> None:
    """``header_<year>.csv`` and ``episodes_<year>.csv`` (values written as given)."""
    import csv

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows, cols in (("header", header, ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]),
                             ("episodes", episodes, ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE",
                                                     "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
                                                     "HOME_POST", "PL_POST", "URN"])):
        with open(folder / f"{name}_{year}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            for r in rows:
                w.writerow({c: r.get(c, "") for c in cols})


def write_ssda903_xml(path: str | Path, children: list[dict]) -> Path:
    """An ``<EXPSSDA903>`` file: each child ``{"header": {...}, "episodes": [{...}]}``."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<EXPSSDA903>']
    for c in children:
        out.append("<CHILD><HEADER>")
        for k, v in c["header"].items():
            out.append(f"<{k}>{escape(str(v))}</{k}>")
        out.append("</HEADER>")
        for e in c.get("episodes", []):
            out.append("<EPISODE>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in e.items())
                       + "</EPISODE>")
        out.append("</CHILD>")
    out.append("</EXPSSDA903>\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(out), encoding="utf-8")
    return path


def _bulk_episode(cid: int, year: int) -> tuple[str, bool, random.Random]:
    """Child ``cid``'s episode referred in collection year ``year``: referral date, whether it
    is still open at 31 March (and carried into the next year's file), and its random stream."""
    r = random.Random(cid * 7919 + year)
    ref = f"{year - 1}-{r.randint(4, 12):02d}-{r.randint(1, 28):02d}"
    return ref, r.random() < 0.4, r


def write_bulk_census(path: str | Path, year: int, n_children: int, *, year_index: int = 0,
                      step: int | None = None, la: str = "201") -> Path:
    """A large synthetic census file, quickly: ``n_children`` children of one collection year.

    The files of consecutive years overlap: the file of ``year_index`` i holds children
    ``C<i * step>`` to ``C<i * step + n_children - 1>`` (``step`` default: 35% of
    ``n_children`` new each year). A child looks the same in every year (date of birth, sex,
    UPN). Each year a child has an episode referred that year with an assessment (factors 3B,
    16A) and, for a third of children, an S47, a conference and a CP plan; 40% of episodes are
    open at 31 March when the child is in next year's file, and then appear again there, closed.
    Every child is made up.
    """
    step = int(0.35 * n_children) if step is None else step
    path = Path(path)
    ns = year % 2 == 0  # every other year namespaced, as real exports differ
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<Message' + (' xmlns="http://www.example.org/cin"' if ns else "")
            + f"><Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>"
            f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails><Source>"
            f"<SourceLevel>L</SourceLevel><LEA>{la}</LEA></Source></Header><Children>\n")
    sex_el = "Sex" if year >= 2025 else "GenderCurrent"
    lo = year_index * step

    def in_file(cid: int, i: int) -> bool:
        return i >= 0 and i * step <= cid < i * step + n_children

    def episode(cid: int, ep_year: int, close: str, with_cp: bool, plan_end: bool) -> str:
        ref = _bulk_episode(cid, ep_year)[0]
        r = random.Random(cid * 7919 + ep_year + 1_000_003)  # the same values in every file
        ref_y = int(ref[:4])
        s47 = cpp = ""
        if with_cp:
            icpc = f"{ref_y}-12-{r.randint(10, 28)}" if ref[5:7] < "11" else f"{ref_y + 1}-02-{r.randint(1, 9):02d}"
            s47 = (f"<Section47><S47ActualStartDate>{ref}</S47ActualStartDate>"
                   f"<DateOfInitialCPC>{icpc}</DateOfInitialCPC><ICPCnotRequired>0</ICPCnotRequired></Section47>")
            cpp = (f"<ChildProtectionPlans><CPPstartDate>{icpc}</CPPstartDate>"
                   + (f"<CPPendDate>{close}</CPPendDate>" if plan_end else "")
                   + "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG"
                   "</LatestCategoryOfAbuse><NumberOfPreviousCPP>0</NumberOfPreviousCPP></ChildProtectionPlans>")
        closing = f"<CINclosureDate>{close}</CINclosureDate><ReasonForClosure>RC7</ReasonForClosure>" if close else ""
        return (f"<CINdetails><CINreferralDate>{ref}</CINreferralDate><ReferralSource>2A</ReferralSource>"
                f"<PrimaryNeedCode>N{r.randint(1, 9)}</PrimaryNeedCode>{closing}"
                f"<Assessments><AssessmentActualStartDate>{ref}</AssessmentActualStartDate>"
                "<FactorsIdentifiedAtAssessment><AssessmentFactors>3B</AssessmentFactors>"
                "<AssessmentFactors>16A</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>"
                f"{s47}<ReferralNFA>0</ReferralNFA>{cpp}</CINdetails>")

    with open(path, "w", encoding="utf-8") as f:
        f.write(head)
        buf = []
        for cid in range(lo, lo + n_children):
            r0 = random.Random(cid)  # the child's own facts, the same every year
            dob = f"{2000 + r0.randint(0, 16)}-{r0.randint(1, 12):02d}-{r0.randint(1, 28):02d}"
            sx = ("M", "F")[cid % 2]
            sx = sx if year >= 2025 else GENDER_CURRENT[sx]
            eps = []
            if in_file(cid, year_index - 1):
                _, carried, r = _bulk_episode(cid, year - 1)
                if carried:  # last year's open episode, closed this year
                    eps.append(episode(cid, year - 1, f"{year - 1}-09-{r.randint(10, 28)}", cid % 3 == 0, True))
            _, carried, r = _bulk_episode(cid, year)
            open_now = carried and in_file(cid, year_index + 1)
            close = "" if open_now else f"{year}-0{r.randint(1, 3)}-{r.randint(10, 28)}"
            eps.append(episode(cid, year, close, cid % 3 == 0, not open_now))
            buf.append(
                f"<Child><ChildIdentifiers><LAchildID>C{cid:07d}</LAchildID><UPN>A{cid:012d}</UPN>"
                f"<PersonBirthDate>{dob}</PersonBirthDate><{sex_el}>{sx}</{sex_el}></ChildIdentifiers>"
                "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>"
                + "".join(eps) + "</Child>\n")
            if len(buf) >= 2000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))
        f.write("</Children></Message>\n")
    return path


# -- the worked example of the README (also the family of tests/test_convert_report.py) ------

#: Five children of one mother M1 (fathers F1 and F2), born 2003 to 2014: (id, dob, sex).
EXAMPLE_CHILDREN = [("C1", "2003-01-10", "F"), ("C2", "2006-05-05", "M"), ("C3", "2009-09-09", "F"),
        ("C4", "2012-12-12", "M"), ("C5", "2014-02-02", "F")]
EXAMPLE_EPISODES = {
    2018: {"C1": [{"referral": "2017-06-01", "closure": "2017-08-01", "reason": "RC8", "need": "N1",
                   "assessments": [{"start": "2017-06-02", "auth": "2017-07-01", "factors": ["16A"]}]}],
           "C2": [{"referral": "2017-09-01", "need": "N1", "s47": [{"start": "2017-09-10", "icpc": "2017-09-25"}],
                   "cp_plans": [{"start": "2017-09-25", "initial": "NEG"}]}]},
    2019: {"C2": [{"referral": "2017-09-01", "need": "N1", "closure": "2019-01-10", "reason": "RC7",
                   "s47": [{"start": "2017-09-10", "icpc": "2017-09-25"}],
                   "cp_plans": [{"start": "2017-09-25", "end": "2019-01-05", "initial": "NEG"}]}],
           "C3": [{"referral": "2018-10-10", "nfa": True, "closure": "2018-10-10", "reason": "RC8"}]},
    2020: {"C3": [{"referral": "2019-06-01", "closure": "2019-09-01", "reason": "RC8",
                   "s47": [{"start": "2019-06-05", "not_required": True}]}],
           "C4": [{"referral": "2019-05-01", "need": "N1", "icpc": "2019-06-01",
                   "s47": [{"start": "2019-05-10"}], "cp_plans": [{"start": "2019-06-01", "initial": "EMO"}]}],
           "C5": [{"referral": "2019-11-11", "nfa": True, "closure": "2019-11-11", "reason": "RC8"}]},
}
EXAMPLE_RELATIONSHIPS = ("person_id,related_person_id,relationship,start_date,end_date\n"
                 "M1,C1,mother_of,,\nM1,C2,mother_of,,\nM1,C3,mother_of,,\nM1,C4,mother_of,,\n"
                 "M1,C5,mother_of,,\nF1,C1,father_of,,\nF1,C2,father_of,,\nF2,C3,father_of,,\n"
                 "F2,C4,father_of,,\nF2,C5,father_of,,\nM1,F2,partner_of,2008-01-01,\n")



def write_example(folder: str | Path) -> Path:
    """The README's worked example: three census years, an SSDA903 return, a links file.

    Writes ``census/cin_2018.xml`` .. ``cin_2020.xml`` (the 2020 one namespaced),
    ``ssda903/header_2020.csv`` and ``episodes_2020.csv`` (C2 looked after from 1 February
    2019 to 1 August 2019) and ``relationships.csv`` into ``folder``.
    """
    folder = Path(folder)
    for year, eps in EXAMPLE_EPISODES.items():
        kids = [{"id": i, "dob": d, "sex": s, "episodes": eps[i]} for i, d, s in EXAMPLE_CHILDREN if i in eps]
        write_census(folder / "census" / f"cin_{year}.xml", kids, year=year,
                     namespace="http://www.example.org/cin" if year == 2020 else None)
    write_ssda903_csv(folder / "ssda903", 2020,
                      header=[{"CHILD": "C2", "SEX": "1", "DOB": "05/05/2006", "MOTHER": "0"}],
                      episodes=[{"CHILD": "C2", "DECOM": "01/02/2019", "RNE": "S", "LS": "C2",
                                 "CIN": "N1", "DEC": "01/08/2019", "REC": "E13"}])
    (folder / "relationships.csv").write_text(EXAMPLE_RELATIONSHIPS, encoding="utf-8")
    return folder


if __name__ == "__main__":  # python tests/census_fixtures.py FOLDER: the README example
    import sys

    print(f"Wrote the synthetic example to {write_example(sys.argv[1] if len(sys.argv) > 1 else 'example')}")
