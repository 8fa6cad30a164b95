"""Adapters at the edge: statutory returns -> an SSD-layout extract (``convert cin-census``).

Most English authorities hold years of Children in Need census files (XML) and SSDA903 returns
(looked-after children) long before they deploy the Standard Safeguarding Dataset.
:func:`convert_cin_census` turns them into a folder of SSD tables, with the table and column
names of DESIGN.md, that ``validate`` and ``report`` read unchanged: the Cohort, the analyses
and the contract do not know where the tables came from.

Modules: :mod:`.cin_census` (stream parser, one file -> tidy tables of text), :mod:`.ssda903`
(header / episodes, CSV or XML), :mod:`.merge` (several years: each record once, the later
year winning, disagreements listed), :mod:`.pipeline` (the SSD tables, ``extract.json``,
``conversion_notes.csv``).

Mapping (census element -> SSD column)
--------------------------------------
- ``ChildIdentifiers`` -> ``ssd_person``: ``LAchildID`` -> ``pers_person_id``;
  ``PersonBirthDate`` -> ``pers_dob``; ``ExpectedPersonBirthDate`` -> ``pers_expected_dob``;
  ``GenderCurrent`` (1 M, 2 F, 0 U "not recorded or unborn", 9 I "indeterminate") or ``Sex``
  (M/F/U) -> ``pers_sex``; ``PersonDeathDate`` -> ``pers_death_date``.
- ``CINdetails`` -> ``ssd_cin_episodes``: ``CINreferralDate``, ``ReferralSource``
  (``cine_referral_source_code``), ``PrimaryNeedCode``, ``CINclosureDate``,
  ``ReasonForClosure``, ``ReferralNFA`` (0/1, true/false -> N/Y).
- ``Assessments`` -> ``ssd_cin_assessments`` (start = ``AssessmentActualStartDate``, auth =
  ``AssessmentAuthorisationDate``, linked to its episode) and ``ssd_assessment_factors``
  (``AssessmentFactors`` codes as a JSON array, de-duplicated, in code order).
- ``Section47`` -> ``ssd_s47_enquiry``: start = ``S47ActualStartDate``; ``s47e_s47_nfa`` =
  ``ICPCnotRequired``; ``InitialCPCtarget`` kept as ``s47e_icpc_target_date``. The census has no
  S47 end date: ``s47e_s47_end_date`` is empty.
- ``DateOfInitialCPC`` of a ``Section47`` and of a ``CINdetails`` -> ``ssd_initial_cp_conference``:
  one conference per child and date; linked to the S47 that names it, else (a date given only
  on the episode) to the episode's latest S47 starting on or before it.
  ``icpc_icpc_outcome_cp_flag`` is Y where a CP plan of the child starts on the conference
  date, else empty (unknown: the census records no outcome); ``icpc_icpc_transfer_in`` is
  empty (not in the census).
- ``ChildProtectionPlans`` -> ``ssd_cp_plans``: start, end, ``InitialCategoryOfAbuse``,
  ``LatestCategoryOfAbuse``; ``NumberOfPreviousCPP`` kept as ``cppl_number_of_previous_cpp``;
  ``cppl_icpc_id`` = the conference of the child on the plan's start date;
  ``cppl_cp_plan_ola`` empty (not in the census).
- ``PreProceedingsandFGDM`` (2026) -> ``ssd_pre_proceedings``. No published schema with this
  block was found when this was written, so its element names are an assumption
  (:data:`.cin_census.PRE_PROCEEDINGS_FIELDS`): decision date, end date, outcome, care
  proceedings issue date and letter-before-proceedings date; family group decision-making items
  are not mapped; any other element is reported as not mapped. A block with an issue date and
  no outcome gets the outcome "Decision to issue care proceedings" (so that the report starts
  care proceedings on the issue date, DESIGN.md).
- SSDA903 ``episodes`` -> ``ssd_cla_episodes`` (``DECOM`` start, ``DEC`` ceased; ``RNE``,
  ``LS``, ``CIN``, ``REC`` kept). SSDA903 ``header`` ``MOTHER`` = 1 with ``MC_DOB`` ->
  ``ssd_mother``: the looked-after young woman is the mother of a child person made from
  ``MC_DOB``, whose id is ``<mother id>_MCDOB_<YYYYMMDD>`` and is marked ``Y`` in
  ``pers_id_derived`` (``ssd_person``) and ``moth_childs_id_derived`` (``ssd_mother``). A header
  child absent from every census file becomes a person too; where the census and the 903
  disagree on a date of birth or sex, the census is kept and the disagreement noted.
- ``--links`` (the ``relationships`` layout) is copied into the extract unchanged.
- Not mapped (no SSD table of DESIGN.md holds them): ``UPN`` / ``FormerUPN`` /
  ``UPNunknown`` (never written out), ``ChildCharacteristics`` (ethnicity, disabilities),
  ``CINPlanDates`` (2022 on), ``Reviews``, ``AssessmentInternalReviewDate``, the 903's other
  tables (UASC, reviews, OC2/OC3, missing, adoption).

Ids: episodes and events get sequential ids in child and date order (``R0000001``,
``A...``, ``S...``, ``I...``, ``P...``, ``L...``, ``PP...``), so the same input gives the same
extract, and ids do not carry the child's id.

Schema years (what changed, from the DfE XSDs kept in SocialFinanceDigitalLabs/liia-tools and
liia-tools-pipeline): 2017-2024 identify sex by ``GenderCurrent`` (1/2/0/9); 2025 and 2026 by
``Sex`` (M/F/U). ``CINPlanDates`` appear from 2022. Some schemas accept ``true``/``false``
besides ``0``/``1`` for yes/no items (e.g. 2018, 2024); both are read. Referral source ``5D``
(early help) appears from about 2023; the factor codes 18B/18C/19B/19C, 24A and others were
added over the years. Codes are carried through as given (the loader checks them). The 2026
``PreProceedingsandFGDM`` block: see above. Namespaced files (a default namespace or a prefix)
read the same as plain ones.

Several years
-------------
Files are ranked by ``Header/CollectionDetails/Year`` (else the ``ReferenceDate``'s year; a
file with neither ranks first), ties by the order given. A child is the same child in every
file by ``LAchildID`` (SSDA903: ``CHILD``); with ``match_upn`` also by ``UPN`` (the id of the
latest file is kept, each merge noted). An episode is the same episode when the child and
``CINreferralDate`` are the same; an assessment, S47 or CP plan when the child and its start
date are; a CLA episode when the child and ``DECOM`` are. The latest file wins; every value of
an earlier file that differs from the kept one is a note naming both files
(:mod:`.merge`; a value that only appears later, such as a closure date, is not a conflict).

``extract.json``: the source files with their collection years and reference dates, the LA
code(s) from the headers (``la_code``), ``audit_date`` = the latest ``ReferenceDate`` (the
returns hold nothing after it; ``--audit-date`` overrides), ``ics_start_date`` = 1 April
before the earliest collection year (history before the first return is not in the files,
so children born before it are flagged for a paper-file request), ``synthetic`` false.

Problems (bad dates, unknown codes, a child without ``LAchildID``, a 903 episode of a child in
no census file and no header ...) are written to ``conversion_notes.csv`` in the layout of the
validation report (table, file, row = the child's position in the file or the CSV row, column =
the element, value, problem, severity); the command prints them and exits 1 when any is an
error. A file that is not a CIN census, or not well-formed XML, stops the conversion with one
line per file, and nothing is written.
"""
from .cin_census import CensusFileError, read_census
from .pipeline import NO_LINKS_HINT, ConversionError, ConversionResult, convert_cin_census
from .ssda903 import read_ssda903

__all__ = ["convert_cin_census", "ConversionResult", "ConversionError", "CensusFileError",
           "read_census", "read_ssda903", "NO_LINKS_HINT"]
