"""Words for people: column headers, event-type names, Yes/No, ages and decoded codes.

The one label map: every label a practitioner or a board reads comes from here, so the
chronology workbooks, the look-now list, the audit forms, the briefing's tables and the
figure legends say the same thing the same way. Each output looks its words up when it is
written (never a copy made at import), so a change here is a change everywhere. The code
lists themselves are in :mod:`neglect_analysis.codes`; this module decides which list
decodes which column.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .codes import (
    closure_reason_words,
    contact_outcome_words,
    contact_source_words,
    cp_category_words,
    factor_words,
    icpc_outcome_words,
    primary_need_words,
)

#: Event and chronology row types in words (``Cohort.events.event_type`` and the rows a
#: chronology adds: births and the index parent's partner changes).
EVENT_TYPE_LABELS: dict[str, str] = {
    "contact": "Contact",
    "early_help": "Early help",
    "referral": "Referral (child in need)",
    "assessment": "Assessment",
    "s47": "Section 47 enquiry",
    "icpc": "Initial child protection conference",
    "cp_plan": "Child protection plan",
    "cla": "Looked after (CLA)",
    "pre_proceedings": "Pre-proceedings (PLO)",
    "care_proceedings": "Care proceedings",
    "paper": "Paper record",
    "birth": "Birth",
    "partner_start": "New partner of the index parent",
    "partner_end": "Partnership of the index parent ended",
}

#: Plain column headers for the internal column names of the analysis tables.
COLUMN_LABELS: dict[str, str] = {
    "date": "Date",
    "end_date": "End date",
    "child_id": "Child",
    "children": "Children",
    "n_children": "Number of children",
    "birth_order": "Birth order",
    "age_at_event_days": "Age (days)",
    "age_text": "Age",
    "ages": "Age",
    "event_type": "Event",
    "event_type_code": "Event code",
    "category_code": "Category code",
    "category_words": "Category",
    "factor_codes": "Assessment factor codes",
    "factor_words": "Assessment factors",
    "outcome_code": "Outcome code",
    "outcome_words": "Outcome",
    "source": "Recorded in",
    "other_la": "Another local authority",
    "before_ics": "Before the case system",
    "open_services": "Other children open to services on this date",
    "related_person_id": "Related person",
    "event_id": "Event id",
    "source_ref": "Source record",
    "detail": "Paper record detail",
    "dob": "Date of birth",
    "age_at_audit": "Age at audit date",
    "age_days": "Age (days)",
    "age_years": "Age (years)",
    "other_birth_parents": "Other birth parents",
    "pre_ics_childhood": "Childhood began before the case system",
    "n_events": "Events in all",
    "parent_id": "Index parent",
    "partner_id": "Partner",
    "known_as": "Known as",
    "start_date": "Start date",
    "family_signal_date": "Family signal date",
    "censor_date": "Followed until",
    "days_since_signal": "Days since the signal",
    "signal_sibling_id": "Sibling whose escalation gave the signal",
    "signal_event_type": "Sibling's escalation",
    "reason": "Why this child is on the list",
    "signal_event_date": "Date of the sibling's escalation",
    "open_services_now": "Open to services now",
    "moved_away": "Moved away",
    "moved_away_date": "Moved away on",
    "rule": "Backtested rule that flags the child",
    "ppv": "Backtested PPV, 12 months (%)",
    "ppv_lower": "PPV 95% interval from (%)",
    "ppv_upper": "PPV 95% interval to (%)",
    "rule_date": "Flagged by the rule since",
    "signal_age_days": "Age of the signal (days)",
    # the briefing's tables (aggregates)
    "position": "Position in the sibling group",
    "cla_or_care_proceedings": "Looked after or care proceedings",
    "escalated": "Escalated",
    "not_escalated": "Not escalated",
    "lead_time_months": "Months earlier",
    "n_groups": "Sibling groups",
    "group": "Group",
    "month": "Month",
    "age_months": "Age (months)",
    "survival": "Not yet escalated",
    "ci_lower": "95% CI lower",
    "ci_upper": "95% CI upper",
    "at_risk": "Children at risk",
    "events": "Escalations",
    "label": "Measure",
    "base": "Base",
}

#: Headers of one table that differ from :data:`COLUMN_LABELS` (by table name; see
#: :func:`column_label`).
TABLE_COLUMN_LABELS: dict[str, dict[str, str]] = {
    "group_sizes": {"n_children": "Children in the sibling group"},
    "km_age": {"at_risk": "Children followed through the month"},
}

#: Headers of the briefing's findings tables (``findings``, ``point<p>_findings``): the
#: measure in words, its counts and England's figure.
FINDINGS_HEADERS: dict[str, str] = {
    "description": "Measure", "numerator": "Number", "denominator": "Out of", "share": "Share (%)",
    "interval": "95% interval (families resampled)",
    "national_share": "England (%)", "national_year": "England, year to 31 March",
}
#: Header of the authority's own baseline in the findings tables (shown only where there is one).
AUTHORITY_HEADERS: dict[str, str] = {"authority_share": "Rest of authority (%)"}

#: Kaplan-Meier and comparison groups in words, for legends and numbers-at-risk rows (the
#: data keep the ids).
GROUP_LABELS: dict[str, str] = {
    "all": "All children", "eldest": "Eldest child", "younger": "Younger children",
}

#: The services a child can be open to (``codes.OPEN_SERVICES``, by event type), in the short
#: words of a chronology's "open to services" list.
SERVICE_LABELS: dict[str, str] = {
    "cla": "CLA",
    "cp_plan": "CP plan",
    "referral": "CIN",
    "early_help": "early help",
}

#: Where a row was recorded (``source``), in words.
SOURCE_LABELS: dict[str, str] = {"ics": "Case system", "paper": "Paper file"}

#: How a partner of the index parent is known (``partner_timeline`` ``source``), in words.
PARTNER_SOURCE_LABELS: dict[str, str] = {
    "birth_parent": "Other birth parent of a child (dated by the child's birth)",
    "partner_of": "Recorded as a partner",
}

#: The age shown for a date before the child's birth.
PRE_BIRTH = "pre-birth"

#: Older-sibling history kinds (:func:`neglect_analysis.older_siblings.older_sibling_history`),
#: in the words of its summary: kind -> words. Every kind but ``paper`` is an event type;
#: ``paper`` is any event recorded in a paper file.
HISTORY_KIND_LABELS: dict[str, str] = {
    "referral": "a referral",
    "s47": "an S47 enquiry",
    "cp_plan": "a CP plan",
    "care_proceedings": "care proceedings",
    "paper": "paper records",
}
#: The summary row of :data:`HISTORY_KIND_LABELS` (any kind of older-sibling history).
HISTORY_ANY_LABEL = "any of these"

#: Legend words of the family chronology figure (:mod:`neglect_analysis.plots.chronology`):
#: its vertical lines (by line key), the grey pre-ICS shading and the paper-episode marker.
CHRONOLOGY_LINE_LABELS: dict[str, str] = {
    "birth": "Birth of a child (dotted line)",
    "partner": "Index parent's partner came or left (dashed line)",
}
#: Legend words of the chronology figure's grey shading (before the electronic record).
PRE_ICS_LABEL = "Before the case system: history on paper (grey)"
#: Legend words of the chronology figure's marker of a CP plan or CLA episode from a paper file.
PAPER_EPISODE_LABEL = "CP plan or CLA from a paper file (start; length unknown)"



def column_label(name: str, table: str | None = None) -> str:
    """The plain header of a column: the ``table``'s own header (:data:`TABLE_COLUMN_LABELS`),
    else :data:`COLUMN_LABELS`, else an event type's words (:data:`EVENT_TYPE_LABELS`: a
    column counting children by escalation type), else ``n_<type>`` as "<Event type words>
    (number)", else the name with underscores as spaces, capitalised.

    Examples
    --------
    >>> column_label("child_id"), column_label("n_cp_plan"), column_label("link_source")
    ('Child', 'Child protection plan (number)', 'Link source')
    >>> column_label("n_children"), column_label("n_children", "group_sizes"), column_label("cla")
    ('Number of children', 'Children in the sibling group', 'Looked after (CLA)')
    """
    own = TABLE_COLUMN_LABELS.get(table or "", {})
    if name in own:
        return own[name]
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    if name in EVENT_TYPE_LABELS:
        return EVENT_TYPE_LABELS[name]
    if name.startswith("n_") and name[2:] in EVENT_TYPE_LABELS:
        return f"{EVENT_TYPE_LABELS[name[2:]]} (number)"
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def event_type_words(types: pd.Series) -> pd.Series:
    """Event / row types in words (:data:`EVENT_TYPE_LABELS`); an unknown type as written.

    Examples
    --------
    >>> event_type_words(pd.Series(["cp_plan", "birth", "other"])).tolist()
    ['Child protection plan', 'Birth', 'other']
    """
    t = pd.Series(types, dtype="string")
    return t.map(EVENT_TYPE_LABELS).fillna(t).astype("string")


def event_type_list_words(types: pd.Series, sep: str = "; ") -> pd.Series:
    """Lists of event types (``sep``-joined, as ``"cp_plan; cla"``) in words, item by item
    (:data:`EVENT_TYPE_LABELS`; an unknown type as written); missing stays missing.

    Examples
    --------
    >>> event_type_list_words(pd.Series(["cp_plan; cla", "s47", None, "other"])).tolist()
    ['Child protection plan; Looked after (CLA)', 'Section 47 enquiry', <NA>, 'other']
    """
    t = pd.Series(types, dtype="string")
    # A few distinct lists over many rows: each distinct list is put in words once.
    codes, lists = pd.factorize(t, use_na_sentinel=True)
    words = [sep.join(str(w) for w in event_type_words(pd.Series(item.split(sep), dtype="string")))
             for item in lists]  # distinct values only (a few dozen), not rows
    out = pd.array(words + [pd.NA], dtype="string").take(codes)  # code -1 (missing): the last entry
    return pd.Series(out, index=t.index, dtype="string")


def yes_no(flags: pd.Series) -> pd.Series:
    """``True``/1 -> "Yes", ``False``/0 -> "No", missing stays missing.

    Examples
    --------
    >>> yes_no(pd.Series([True, False, None], dtype="boolean")).tolist()
    ['Yes', 'No', <NA>]
    >>> yes_no(pd.Series([1, 0])).tolist()
    ['Yes', 'No']
    """
    f = pd.Series(flags).astype("boolean")
    return pd.Series(np.where(f.fillna(False), "Yes", "No"), index=f.index, dtype="string").where(f.notna())


def practitioner_age(age_text: pd.Series, age_days: pd.Series) -> pd.Series:
    """Age as a practitioner reads it: :data:`PRE_BIRTH` before birth (negative days), else
    the ``"<years>y <months>m"`` text.

    Examples
    --------
    >>> practitioner_age(pd.Series(["-0y 3m", "4y 2m"]), pd.Series([-90, 1522])).tolist()
    ['pre-birth', '4y 2m']
    """
    text = pd.Series(age_text, dtype="string")
    days = pd.Series(age_days, index=text.index).astype("Int64")
    return text.mask((days < 0).fillna(False), PRE_BIRTH).astype("string")


#: Which code list decodes the ``category`` column, by event type.
CATEGORY_DECODERS = {
    "contact": contact_source_words,
    "referral": primary_need_words,
    "cp_plan": cp_category_words,
}
#: Which code list decodes the ``outcome`` column, by event type. The outcome of any other
#: event type is text as written (early-help end reason, pre-proceedings outcome, the type of
#: a paper record), shown as words with no code.
OUTCOME_DECODERS = {
    "contact": contact_outcome_words,
    "referral": closure_reason_words,
    "icpc": icpc_outcome_words,
    "cp_plan": cp_category_words,
}


def decode_event_codes(events: pd.DataFrame) -> pd.DataFrame:
    """The codes of events beside their words, one decoder per code list.

    ``events`` has ``event_type``, ``category``, ``outcome`` and ``factors`` (as
    ``Cohort.events`` or a chronology). Returns, on the same index: ``category_code`` /
    ``category_words`` (contact source, primary need, CP category by event type),
    ``factor_codes`` / ``factor_words`` (assessment factors), ``outcome_code`` /
    ``outcome_words`` (contact outcome flags, reason for closure, ICPC outcome, latest CP
    category). Where a column holds text rather than a code (an early-help end reason, a
    pre-proceedings outcome, the type of a paper record), the code column is empty and the
    words column holds the text (underscores as spaces). Every non-empty code has words.

    Examples
    --------
    >>> ev = pd.DataFrame({"event_type": ["contact", "referral", "early_help"],
    ...                    "category": ["3B", "N1", None], "outcome": ["NFA_FLAG", "RC8", "Moved away"],
    ...                    "factors": ["", "3B", ""]})
    >>> d = decode_event_codes(ev)
    >>> d[["category_words", "outcome_code", "outcome_words"]].values.tolist()
    [['Health visitor', 'NFA_FLAG', 'No further action'], ['Abuse or neglect', 'RC8', 'Case closed after assessment, no further action'], [<NA>, <NA>, 'Moved away']]
    >>> d["factor_words"].tolist()
    [<NA>, 'Domestic abuse: parent/carer', <NA>]
    """
    t = events["event_type"].astype("string")
    out = pd.DataFrame(index=events.index)
    for col, decoders in (("category", CATEGORY_DECODERS), ("outcome", OUTCOME_DECODERS)):
        raw = events[col].astype("string").str.strip()
        raw = raw.where(raw != "")
        coded = t.isin(list(decoders)).fillna(False)
        words = pd.Series(pd.NA, index=events.index, dtype="string")
        for event_type, decoder in decoders.items():
            sel = (t == event_type).fillna(False)
            if sel.any():
                words[sel] = decoder(raw[sel])
        text = raw.where(~coded).str.replace("_", " ", regex=False)
        out[f"{col}_code"] = raw.where(coded).astype("string")
        out[f"{col}_words"] = words.where(coded, text).astype("string")
    factors = events["factors"].astype("string").fillna("").str.strip()
    factors = factors.where(factors != "")
    out["factor_codes"] = factors.astype("string")
    out["factor_words"] = factor_words(factors)
    return out[["category_code", "category_words", "factor_codes", "factor_words", "outcome_code", "outcome_words"]]
