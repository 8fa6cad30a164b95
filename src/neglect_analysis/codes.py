"""Code lists used across the package: event types, DfE CIN census codes, factor families.

One place for every code list, so a change in DfE guidance is a change here only.
Sources: DfE children in need census guidance; Data to Insight Standard Safeguarding
Dataset (SSD) specification. See ``shared/DOMAIN.md`` in the project for the full lists.
"""
from __future__ import annotations

import pandas as pd

#: Event types of ``Cohort.events`` in the order of the care journey.
EVENT_TYPES: tuple[str, ...] = (
    "contact",
    "early_help",
    "referral",
    "assessment",
    "s47",
    "icpc",
    "cp_plan",
    "cla",
    "pre_proceedings",
    "care_proceedings",
    "paper",
)

#: Event types that count as escalation (DESIGN.md: first CP plan, CLA or care proceedings).
ESCALATION_TYPES: tuple[str, ...] = ("cp_plan", "cla", "care_proceedings")

#: Event sources.
SOURCES: tuple[str, ...] = ("ics", "paper")

#: Relationship kinds in the ``relationships`` extension table.
BIRTH_RELATIONSHIPS: tuple[str, ...] = ("mother_of", "father_of")
RELATIONSHIPS: tuple[str, ...] = BIRTH_RELATIONSHIPS + ("partner_of",)

#: Where parent-child links came from, in order of preference.
LINK_SOURCES: tuple[str, ...] = ("relationships", "ssd_mother", "ssd_family")

#: CP plan category of abuse (DfE CIN census).
CP_CATEGORIES: dict[str, str] = {
    "NEG": "Neglect",
    "PHY": "Physical abuse",
    "SAB": "Sexual abuse",
    "EMO": "Emotional abuse",
    "MUL": "Multiple",
}

#: SSD / case-system text for CP categories, lower-cased, mapped to the DfE code.
CP_CATEGORY_TEXT: dict[str, str] = {
    "neglect": "NEG",
    "physical abuse": "PHY",
    "physical": "PHY",
    "sexual abuse": "SAB",
    "sexual": "SAB",
    "emotional abuse": "EMO",
    "emotional": "EMO",
    "multiple": "MUL",
    "multiple/not recommended": "MUL",
    "mixed": "MUL",
}

#: Primary need codes (DfE CIN census).
PRIMARY_NEED: dict[str, str] = {
    "N0": "Not stated",
    "N1": "Abuse or neglect",
    "N2": "Child's disability",
    "N3": "Parental disability or illness",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
    "N9": "Cases other than children in need",
}

#: Assessment factor codes (DfE CIN census, suffix A child, B parent/carer, C other person).
ASSESSMENT_FACTORS: dict[str, str] = {
    "1A": "Alcohol misuse: child", "1B": "Alcohol misuse: parent/carer", "1C": "Alcohol misuse: other person",
    "2A": "Drug misuse: child", "2B": "Drug misuse: parent/carer", "2C": "Drug misuse: other person",
    "3A": "Domestic abuse: child", "3B": "Domestic abuse: parent/carer", "3C": "Domestic abuse: other person",
    "4A": "Mental health: child", "4B": "Mental health: parent/carer", "4C": "Mental health: other person",
    "5A": "Learning disability: child", "5B": "Learning disability: parent/carer", "5C": "Learning disability: other person",
    "6A": "Physical disability or illness: child", "6B": "Physical disability or illness: parent/carer",
    "6C": "Physical disability or illness: other person",
    "7A": "Young carer",
    "8B": "Privately fostered: overseas", "8C": "Privately fostered: UK", "8D": "Privately fostered: other",
    "8E": "Privately fostered: UK, education", "8F": "Privately fostered: other reasons",
    "9A": "Unaccompanied asylum-seeking child",
    "10A": "Missing", "11A": "Child sexual exploitation", "12A": "Trafficking", "13A": "Gangs",
    "14A": "Socially unacceptable behaviour", "15A": "Self-harm", "16A": "Neglect",
    "17A": "Emotional abuse", "18A": "Physical abuse (legacy)", "18B": "Physical abuse: parent/carer",
    "18C": "Physical abuse: other person", "19A": "Sexual abuse (legacy)", "19B": "Sexual abuse: parent/carer",
    "19C": "Sexual abuse: other person", "20": "Other", "21": "No factors identified",
    "22A": "Female genital mutilation", "23A": "Abuse linked to faith or belief",
    "24A": "Child criminal exploitation",
}

#: Factor families for "recurrent themes" (DESIGN.md). Legacy codes map to the same family.
FACTOR_FAMILIES: dict[str, tuple[str, ...]] = {
    "domestic_abuse": ("3A", "3B", "3C"),
    "parental_substance_misuse": ("1B", "2B"),
    "parental_mental_health": ("4B",),
    "neglect": ("16A",),
}

#: Contact / referral source codes (DfE CIN census).
CONTACT_SOURCES: dict[str, str] = {
    "1A": "Family", "1B": "Acquaintance", "1C": "Self", "1D": "Other individual",
    "2A": "Schools", "2B": "Education services",
    "3A": "GP", "3B": "Health visitor", "3C": "School nurse", "3D": "Other primary health",
    "3E": "A&E", "3F": "Other health",
    "4": "Housing", "5A": "LA social care", "5B": "LA other department", "5C": "LA other", "5D": "LA other",
    "6": "Police", "7": "Other legal agency", "8": "Other", "9": "Anonymous", "10": "Unknown",
}

#: Early-help end reasons that mean the family did not engage (case-insensitive substrings).
EH_NOT_ENGAGED_PATTERNS: tuple[str, ...] = ("declin", "refus", "not engaged", "disengag")

#: Rows of a whole-family chronology that are not events (DESIGN.md "Outputs", chronologies):
#: a child's birth, and the start and end of one of the index parent's partnerships.
CHRONOLOGY_ROW_TYPES: tuple[str, ...] = ("birth", "partner_start", "partner_end")

#: Services a child can be "open to" over an interval (a chronology's ``open_services``
#: column): their event types, in order of escalation (most intense first); their words are
#: :data:`neglect_analysis.labels.SERVICE_LABELS`. A referral is open (child in need) from
#: its date to its close date.
OPEN_SERVICES: tuple[str, ...] = ("cla", "cp_plan", "referral", "early_help")

#: Events whose ``other_la`` flag is other-authority history (DESIGN.md "Other LA"): event type
#: -> the evidence label used in lists for action (ICPC transfer-in, CP plan other-LA flag).
OTHER_LA_EVIDENCE: dict[str, str] = {
    "icpc": "icpc_transfer_in",
    "cp_plan": "cp_plan_other_la",
}

#: Label of a value that was not recorded (a contact with no source code, a plan with no
#: recorded category, a challenge with no theme).
NOT_RECORDED = "not recorded"

#: Reason for closure of a CIN episode (DfE CIN census, ``cine_close_reason``).
REASONS_FOR_CLOSURE: dict[str, str] = {
    "RC1": "Adopted",
    "RC2": "Died",
    "RC3": "Child arrangements order",
    "RC4": "Special guardianship order",
    "RC5": "Transferred to services of another local authority",
    "RC6": "Transferred to adult social care services",
    "RC7": "Services ceased for any other reason, including child no longer in need",
    "RC8": "Case closed after assessment, no further action",
    "RC9": "Case closed after assessment, referred to early help",
}

#: Contact outcome flags (SSD ``cont_contact_outcome_json``), as the words of a chronology.
CONTACT_OUTCOME_FLAGS: dict[str, str] = {
    "NEW_REFERRAL_FLAG": "New referral",
    "CP_ENQUIRY_FLAG": "Child protection enquiry",
    "NFA_FLAG": "No further action",
    "ADVICE_FLAG": "Advice and information",
}

#: ICPC outcome as the Cohort stores it (``CP_PLAN``: a CP plan followed the conference).
ICPC_OUTCOMES: dict[str, str] = {"CP_PLAN": "Child protection plan made"}

#: Words shown for a code that is not in its DfE list (the code stays in its own column).
UNKNOWN_CODE_WORDS = "not a code of the DfE list"


def decode(codes: pd.Series, mapping: dict[str, str], *, sep: str | None = None,
           joiner: str = "; ") -> pd.Series:
    """Words for codes: each distinct value looked up once in ``mapping`` (vectorised).

    ``sep`` splits a value holding several codes (e.g. ``"3B,16A"`` with ``sep=","``); their
    words are joined by ``joiner`` in the order written. Codes are matched after stripping
    spaces and upper-casing. A code missing from ``mapping`` reads as the code followed by
    :data:`UNKNOWN_CODE_WORDS` in brackets (``"Z (not a code of the DfE list)"``), so every
    code has words; missing or empty values stay missing.

    Examples
    --------
    >>> decode(pd.Series(["N1", "n4", None, "Z"]), PRIMARY_NEED).tolist()
    ['Abuse or neglect', 'Family in acute stress', <NA>, 'Z (not a code of the DfE list)']
    >>> decode(pd.Series(["3B,16A"]), ASSESSMENT_FACTORS, sep=",").tolist()
    ['Domestic abuse: parent/carer; Neglect']
    """
    values = pd.Series(codes, dtype="string")
    distinct = pd.Series(values.dropna().unique(), dtype="string")
    distinct = distinct[distinct.str.strip() != ""]
    table = {k.upper(): v for k, v in mapping.items()}

    def words_of(one: str) -> str:
        parts = [p.strip() for p in (one.split(sep) if sep else [one])]
        return joiner.join(
            table.get(p.upper(), f"{p} ({UNKNOWN_CODE_WORDS})") for p in parts if p
        )

    # One lookup per distinct value (a handful of codes), then a vectorised map.
    words = dict(zip(distinct.tolist(), (words_of(v) for v in distinct.tolist())))
    return values.map(words).astype("string")


def primary_need_words(codes: pd.Series) -> pd.Series:
    """Words of primary need codes (:data:`PRIMARY_NEED`), e.g. ``N1`` -> "Abuse or neglect".

    Examples
    --------
    >>> primary_need_words(pd.Series(["N1"])).tolist()
    ['Abuse or neglect']
    """
    return decode(codes, PRIMARY_NEED)


def cp_category_words(codes: pd.Series) -> pd.Series:
    """Words of CP categories of abuse (:data:`CP_CATEGORIES`), e.g. ``NEG`` -> "Neglect".

    Examples
    --------
    >>> cp_category_words(pd.Series(["NEG", "MUL"])).tolist()
    ['Neglect', 'Multiple']
    """
    return decode(codes, CP_CATEGORIES)


def contact_source_words(codes: pd.Series) -> pd.Series:
    """Words of contact / referral source codes (:data:`CONTACT_SOURCES`).

    Examples
    --------
    >>> contact_source_words(pd.Series(["3B", "6"])).tolist()
    ['Health visitor', 'Police']
    """
    return decode(codes, CONTACT_SOURCES)


def closure_reason_words(codes: pd.Series) -> pd.Series:
    """Words of CIN reasons for closure (:data:`REASONS_FOR_CLOSURE`).

    Examples
    --------
    >>> closure_reason_words(pd.Series(["RC8"])).tolist()
    ['Case closed after assessment, no further action']
    """
    return decode(codes, REASONS_FOR_CLOSURE)


def factor_words(codes: pd.Series) -> pd.Series:
    """Words of assessment factor lists (``"3B,16A"``; :data:`ASSESSMENT_FACTORS`).

    Examples
    --------
    >>> factor_words(pd.Series(["3B,16A", ""])).tolist()
    ['Domestic abuse: parent/carer; Neglect', <NA>]
    """
    return decode(codes, ASSESSMENT_FACTORS, sep=",")


def contact_outcome_words(codes: pd.Series) -> pd.Series:
    """Words of contact outcome flags joined by ``;`` (:data:`CONTACT_OUTCOME_FLAGS`).

    Examples
    --------
    >>> contact_outcome_words(pd.Series(["CP_ENQUIRY_FLAG;NEW_REFERRAL_FLAG"])).tolist()
    ['Child protection enquiry; New referral']
    """
    return decode(codes, CONTACT_OUTCOME_FLAGS, sep=";")


def icpc_outcome_words(codes: pd.Series) -> pd.Series:
    """Words of ICPC outcomes (:data:`ICPC_OUTCOMES`).

    Examples
    --------
    >>> icpc_outcome_words(pd.Series(["CP_PLAN"])).tolist()
    ['Child protection plan made']
    """
    return decode(codes, ICPC_OUTCOMES)

#: Standard IRO challenge themes: category labels of an IRO challenge log, not free text. A
#: theme written exactly as one of these (ignoring case and outer spaces) survives
#: pseudonymisation (:func:`neglect_analysis.privacy.pseudonymise_cohort`); any other theme is
#: free text and is emptied, so findings on themes are the same on a pseudonymised extract
#: where the log uses these labels.
STANDARD_IRO_THEMES: tuple[str, ...] = (
    "Plan not specific about neglect",
    "No evidence of sustained change",
    "Drift: core group not meeting",
    "Older siblings' history not considered",
    "Disguised compliance",
    "Other authority's records not sought",
)
