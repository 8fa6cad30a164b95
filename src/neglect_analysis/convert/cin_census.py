"""Stream-parse one CIN census XML file into tidy tables of text (one row per record).

:func:`read_census` reads a file with :func:`xml.etree.ElementTree.iterparse` and keeps
nothing of the tree: each ``<Child>`` is read when its end tag is parsed and then cleared, so
memory holds the rows collected so far, never the document. The rows of each kind are
collected in Python lists of tuples and turned into DataFrames once per file. Values stay text
here (dates are parsed later, over whole columns, by :mod:`neglect_analysis.convert.merge`).

Elements are matched by their local name, so a file with a default namespace
(``<Message xmlns="...">``), a prefixed one or none reads the same. Only direct children of the
containers below are read; element order inside a container does not matter.

What is read (every schema from 2017 to 2026; see the package docstring for the mapping):

- ``Header/CollectionDetails``: ``Collection`` (must be ``CIN`` when given), ``Year``,
  ``ReferenceDate``; ``Header/Source/LEA``.
- ``ChildIdentifiers``: ``LAchildID``, ``UPN``, ``PersonBirthDate``,
  ``ExpectedPersonBirthDate``, ``GenderCurrent`` (to 2024) or ``Sex`` (2025 on),
  ``PersonDeathDate``.
- ``CINdetails``: ``CINreferralDate``, ``ReferralSource``, ``PrimaryNeedCode``,
  ``CINclosureDate``, ``ReasonForClosure``, ``DateOfInitialCPC``, ``ReferralNFA``; inside it
  ``Assessments`` (``AssessmentActualStartDate``, ``AssessmentAuthorisationDate``,
  ``FactorsIdentifiedAtAssessment/AssessmentFactors``), ``Section47``
  (``S47ActualStartDate``, ``InitialCPCtarget``, ``DateOfInitialCPC``, ``ICPCnotRequired``),
  ``ChildProtectionPlans`` (``CPPstartDate``, ``CPPendDate``, ``InitialCategoryOfAbuse``,
  ``LatestCategoryOfAbuse``, ``NumberOfPreviousCPP``) and, from 2026,
  ``PreProceedingsandFGDM`` (element names in :data:`PRE_PROCEEDINGS_FIELDS`).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: Columns of each table :func:`read_census` returns (all text; ``child_pos`` is the child's
#: position in the file, 1 = first ``<Child>``, used in messages).
CENSUS_COLUMNS: dict[str, tuple[str, ...]] = {
    "children": ("child_pos", "child", "upn", "dob", "expected_dob", "gender_current", "sex",
                 "death_date"),
    "referrals": ("child_pos", "child", "referral_date", "source", "need", "close_date",
                  "close_reason", "nfa", "icpc_date"),
    "assessments": ("child_pos", "child", "referral_date", "start", "auth", "factors"),  # factors: "3B,16A"
    "s47": ("child_pos", "child", "referral_date", "start", "icpc_target", "icpc_date",
            "icpc_not_required"),
    "cp_plans": ("child_pos", "child", "referral_date", "start", "end", "initial", "latest",
                 "n_previous"),
    "pre_proceedings": ("child_pos", "child", "referral_date", "decision_date", "end_date",
                        "outcome", "issue_date", "letter_date", "unmapped"),
}

#: Children of the 2026 ``PreProceedingsandFGDM`` block, by lower-case local name -> column.
#: No public schema with this block was found (the 2026 XSD in
#: SocialFinanceDigitalLabs/liia-tools-pipeline has none), so these names are an assumption;
#: a child element not listed is reported (``unmapped``), never dropped silently.
PRE_PROCEEDINGS_FIELDS: dict[str, str] = {
    "preproceedingsstartdate": "decision_date",
    "preproceedingsdecisiondate": "decision_date",
    "dateofpreproceedingsdecision": "decision_date",
    "preproceedingsenddate": "end_date",
    "preproceedingsoutcome": "outcome",
    "careproceedingsissuedate": "issue_date",
    "datecareproceedingsissued": "issue_date",
    "letterbeforeproceedingsdate": "letter_date",
    "preproceedingsletterdate": "letter_date",
}
#: Local-name prefixes (lower case) of family group decision-making items: known, not mapped
#: (the SSD layout read here has no column for them).
FGDM_PREFIXES: tuple[str, ...] = ("fgdm", "familygroup")


class CensusFileError(ValueError):
    """A file that cannot be read as a CIN census (one line, naming the file)."""


@dataclass
class CensusFile:
    """One CIN census file read: header facts and its tables of text."""

    path: Path
    year: int | None
    reference_date: str | None
    la: str | None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Problems found while reading: (child_pos, child, element, value, message, severity).
    problems: list[tuple] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


#: Local names of the tags seen (``{ns}Child`` -> ``Child``), filled as tags are met.
_LOCAL: dict[str, str] = {}


def _local(tag: str) -> str:
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = tag.rpartition("}")[2]
    return name


def root_tag(path: str | Path, *, peek_bytes: int = 65536) -> str:
    """Local name of the document element of an XML file, from its first bytes.

    Raises :class:`CensusFileError` (one line) when the start of the file is not XML.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "c.xml")
    >>> _ = open(p, "w").write('<?xml version="1.0"?><Message xmlns="urn:x"><Header/>')
    >>> root_tag(p)
    'Message'
    """
    path = Path(path)
    parser = ET.XMLPullParser(events=("start",))
    with open(path, "rb") as f:
        head = f.read(peek_bytes)
    try:
        parser.feed(head)
        for _, el in parser.read_events():
            return _local(el.tag)
    except ET.ParseError as exc:
        line, col = exc.position
        raise CensusFileError(f"{path.name}: not XML (line {line}, column {col}: {_reason(exc)}); "
                              "give the CIN census XML file as sent to DfE") from None
    raise CensusFileError(f"{path.name}: no XML element in its first {peek_bytes} bytes; "
                          "give the CIN census XML file as sent to DfE")


def _reason(exc: ET.ParseError) -> str:
    return str(exc).split(":")[0]


def _fields(el) -> dict[str, str]:
    """Direct children of ``el`` as {local name: stripped text} (empty text: absent)."""
    out = {}
    local = _LOCAL
    for c in el:
        text = c.text
        if text:
            text = text.strip()
            if text:
                tag = c.tag
                out[local[tag] if tag in local else _local(tag)] = text
    return out


def read_census(path: str | Path) -> CensusFile:
    """Read one CIN census XML file into tidy tables of text (see the module docstring).

    Raises :class:`CensusFileError` with one line naming the file when the file is not XML,
    not well-formed, or not a CIN census (its root is not ``<Message>``, its ``Collection`` is
    not ``CIN``, or it has no ``<Child>``). A ``<Child>`` without ``LAchildID`` and a
    ``CINdetails`` without ``CINreferralDate`` are reported in :attr:`CensusFile.problems`
    (naming the child's position) and left out.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "cin.xml")
    >>> _ = open(p, "w").write(
    ...     '<Message xmlns="http://www.example.org/cin"><Header><CollectionDetails>'
    ...     '<Collection>CIN</Collection><Year>2019</Year><ReferenceDate>2019-03-31</ReferenceDate>'
    ...     '</CollectionDetails><Source><LEA>123</LEA></Source></Header><Children><Child>'
    ...     '<ChildIdentifiers><LAchildID>C1</LAchildID><PersonBirthDate>2010-05-01</PersonBirthDate>'
    ...     '<GenderCurrent>2</GenderCurrent></ChildIdentifiers><CINdetails>'
    ...     '<CINreferralDate>2018-06-01</CINreferralDate><ReferralSource>2A</ReferralSource>'
    ...     '<ReferralNFA>0</ReferralNFA></CINdetails></Child></Children></Message>')
    >>> c = read_census(p)
    >>> c.year, c.la, c.tables["children"][["child", "dob", "gender_current"]].values.tolist()
    (2019, '123', [['C1', '2010-05-01', '2']])
    >>> c.tables["referrals"][["child", "referral_date", "source", "nfa"]].values.tolist()
    [['C1', '2018-06-01', '2A', '0']]
    """
    path = Path(path)
    name = path.name
    root = root_tag(path)
    if root != "Message":
        raise CensusFileError(f"{name}: not a CIN census file (its first element is <{root}>; a CIN "
                              "census XML file starts with <Message>)")
    rows: dict[str, list] = {k: [] for k in CENSUS_COLUMNS}
    problems: list[tuple] = []
    header: dict[str, str] = {}
    kinds: dict[str, str | None] = {}
    known = {"Child", "ChildIdentifiers", "CINdetails", "Assessments", "Section47",
             "ChildProtectionPlans", "PreProceedingsandFGDM", "CollectionDetails", "Source"}
    pos = 0
    child = None
    ident: dict[str, str] = {}
    pending: dict[str, list] = {"assessments": [], "s47": [], "cp_plans": [], "pre_proceedings": []}
    rows_children, rows_ref = rows["children"], rows["referrals"]
    try:
        for _, el in ET.iterparse(path, events=("end",)):
            tag = el.tag
            kind = kinds.get(tag, "?")
            if kind == "?":
                local = _local(tag)
                kind = kinds[tag] = local if local in known else None
            if kind is None:
                continue
            if kind == "ChildIdentifiers":
                ident = _fields(el)
                child = ident.get("LAchildID")
            elif kind == "Assessments":
                f = _fields(el)
                factors = None
                for c in el:
                    if _local(c.tag) == "FactorsIdentifiedAtAssessment":
                        factors = ",".join(t for t in ((x.text or "").strip() for x in c) if t) or None
                pending["assessments"].append((f.get("AssessmentActualStartDate"),
                                               f.get("AssessmentAuthorisationDate"), factors))
            elif kind == "Section47":
                f = _fields(el)
                pending["s47"].append((f.get("S47ActualStartDate"), f.get("InitialCPCtarget"),
                                       f.get("DateOfInitialCPC"), f.get("ICPCnotRequired")))
            elif kind == "ChildProtectionPlans":
                f = _fields(el)
                pending["cp_plans"].append((f.get("CPPstartDate"), f.get("CPPendDate"),
                                            f.get("InitialCategoryOfAbuse"),
                                            f.get("LatestCategoryOfAbuse"),
                                            f.get("NumberOfPreviousCPP")))
            elif kind == "PreProceedingsandFGDM":
                pending["pre_proceedings"].append(_pre_proceedings(el))
            elif kind == "CINdetails":
                pos_ = pos + 1
                f = _fields(el)
                ref = f.get("CINreferralDate")
                if ref is None and child is not None:
                    problems.append((pos_, child, "CINdetails/CINreferralDate", None,
                                     "a CINdetails without CINreferralDate; the episode and what it "
                                     "holds are left out", "error"))
                elif child is not None:
                    rows_ref.append((pos_, child, ref, f.get("ReferralSource"), f.get("PrimaryNeedCode"),
                                     f.get("CINclosureDate"), f.get("ReasonForClosure"),
                                     f.get("ReferralNFA"), f.get("DateOfInitialCPC")))
                    for a in pending["assessments"]:
                        rows["assessments"].append((pos_, child, ref) + a)
                    for s in pending["s47"]:
                        rows["s47"].append((pos_, child, ref) + s)
                    for p in pending["cp_plans"]:
                        rows["cp_plans"].append((pos_, child, ref) + p)
                    for p in pending["pre_proceedings"]:
                        rows["pre_proceedings"].append((pos_, child, ref) + p)
                for v in pending.values():
                    v.clear()
            elif kind == "Child":
                pos += 1
                if child is None:
                    problems.append((pos, None, "ChildIdentifiers/LAchildID", None,
                                     "a Child without LAchildID; the child and its episodes are "
                                     "left out", "error"))
                else:
                    rows_children.append((pos, child, ident.get("UPN"), ident.get("PersonBirthDate"),
                                          ident.get("ExpectedPersonBirthDate"),
                                          ident.get("GenderCurrent"), ident.get("Sex"),
                                          ident.get("PersonDeathDate")))
                    for p in pending["pre_proceedings"]:  # a block directly under Child
                        rows["pre_proceedings"].append((pos, child, None) + p)
                for v in pending.values():
                    v.clear()
                child, ident = None, {}
                el.clear()
            elif kind == "CollectionDetails":
                header.update(_fields(el))
            elif kind == "Source":
                header.update({k: v for k, v in _fields(el).items() if k == "LEA"})
    except ET.ParseError as exc:
        line, col = exc.position
        raise CensusFileError(f"{name}: not well-formed XML (line {line}, column {col}: "
                              f"{_reason(exc)}); nothing converted. Export the file again") from None
    collection = header.get("Collection")
    if collection is not None and collection.upper() != "CIN":
        raise CensusFileError(f"{name}: not a CIN census file (its Collection is {collection}, not CIN)")
    if pos == 0:
        raise CensusFileError(f"{name}: not a CIN census file (a <Message> with no <Child>)")
    year = header.get("Year")
    try:
        year = int(year) if year is not None else None
    except ValueError:
        problems.append((None, None, "Header/CollectionDetails/Year", year,
                         "Year is not a year; the ReferenceDate's year is used", "warning"))
        year = None
    ref_date = header.get("ReferenceDate")
    if year is None and ref_date is not None and ref_date[:4].isdigit():
        year = int(ref_date[:4])
    tables = {k: pd.DataFrame(v, columns=list(CENSUS_COLUMNS[k]), dtype=object)
              for k, v in rows.items()}
    for k, df in tables.items():
        for c in df.columns:
            if c == "child_pos":
                df[c] = df[c].astype("Int64")
            elif c != "unmapped":
                df[c] = df[c].astype("string")
    return CensusFile(path=path, year=year, reference_date=ref_date, la=header.get("LEA"),
                      tables=tables, problems=problems)


def _pre_proceedings(el) -> tuple:
    """The mapped values of one ``PreProceedingsandFGDM`` block and its unmapped element names."""
    out = dict.fromkeys(("decision_date", "end_date", "outcome", "issue_date", "letter_date"))
    unmapped = []
    for c in el:
        local = _local(c.tag)
        key = local.lower()
        text = (c.text or "").strip() or None
        col = PRE_PROCEEDINGS_FIELDS.get(key)
        if col is not None:
            out[col] = text
        elif not key.startswith(FGDM_PREFIXES):
            unmapped.append(local)
    return (out["decision_date"], out["end_date"], out["outcome"], out["issue_date"],
            out["letter_date"], ";".join(unmapped) or None)
