"""The tables and columns the loader accepts (DESIGN.md "Input: an SSD extract").

:data:`TABLE_COLUMNS` is the one list of file names, required and optional columns and accepted
column aliases; the synthetic generator and the documentation read it from here. Column names
are matched ignoring case and surrounding spaces. Aliases are names used by other SSD releases
and case systems (Data to Insight SSD specification and its published extract scripts):
for example ``cont_contact_start`` for ``cont_contact_date`` and ``cppl_initial_cp_conference_id``
for ``cppl_icpc_id``. Where a file has both the canonical column and an alias, the canonical
column is used.

Required tables: ``ssd_person`` and at least one link source (``relationships``, else
``ssd_mother``, else ``ssd_family``). Every other table is optional: absent means no events of
that type, and the report notes it.
"""
from __future__ import annotations

from types import MappingProxyType

#: Link sources in order of preference (DESIGN.md: relationships, then ssd_mother, then ssd_family).
LINK_TABLES: tuple[str, ...] = ("relationships", "ssd_mother", "ssd_family")

#: Table -> {"required": [...], "optional": [...], "aliases": {alias: canonical}}.
TABLE_COLUMNS: dict[str, dict] = {
    "ssd_person": {
        "required": ["pers_person_id"],
        "optional": ["pers_sex", "pers_dob", "pers_expected_dob", "pers_death_date",
                     "pers_common_child_id"],
        "aliases": {"pers_la_person_id": "pers_person_id",
                    "pers_single_unique_id": "pers_common_child_id"},
    },
    "ssd_contacts": {
        "required": ["cont_contact_id", "cont_person_id", "cont_contact_date"],
        "optional": ["cont_contact_source_code", "cont_contact_outcome_json"],
        "aliases": {"cont_contact_start": "cont_contact_date",
                    "cont_contact_start_date": "cont_contact_date",
                    "cont_contact_source": "cont_contact_source_code",
                    "cont_la_person_id": "cont_person_id"},
    },
    "ssd_early_help_episodes": {
        "required": ["earl_episode_id", "earl_person_id", "earl_episode_start_date"],
        "optional": ["earl_episode_end_date", "earl_episode_end_reason"],
        "aliases": {"earl_episode_start": "earl_episode_start_date",
                    "earl_episode_end": "earl_episode_end_date",
                    "earl_la_person_id": "earl_person_id"},
    },
    "ssd_cin_episodes": {
        "required": ["cine_referral_id", "cine_person_id", "cine_referral_date"],
        "optional": ["cine_cin_primary_need_code", "cine_referral_nfa", "cine_close_date",
                     "cine_close_reason"],
        "aliases": {"cine_cin_primary_need": "cine_cin_primary_need_code",
                    "cine_referral_start_date": "cine_referral_date",
                    "cine_la_person_id": "cine_person_id"},
    },
    "ssd_cin_assessments": {
        "required": ["cina_assessment_id", "cina_person_id", "cina_assessment_start_date"],
        "optional": ["cina_referral_id", "cina_assessment_auth_date"],
        "aliases": {"cina_assessment_start": "cina_assessment_start_date",
                    "cina_assessment_auth": "cina_assessment_auth_date",
                    "cina_la_person_id": "cina_person_id"},
    },
    "ssd_assessment_factors": {
        "required": ["cinf_assessment_id", "cinf_assessment_factors_json"],
        "optional": ["cinf_table_id"],
        "aliases": {"cinf_assessment_factors": "cinf_assessment_factors_json"},
    },
    "ssd_s47_enquiry": {
        "required": ["s47e_s47_enquiry_id", "s47e_person_id", "s47e_s47_start_date"],
        "optional": ["s47e_referral_id", "s47e_s47_end_date", "s47e_s47_nfa"],
        "aliases": {"s47e_s47_start": "s47e_s47_start_date",
                    "s47e_s47_end": "s47e_s47_end_date",
                    "s47e_la_person_id": "s47e_person_id"},
    },
    "ssd_initial_cp_conference": {
        "required": ["icpc_icpc_id", "icpc_person_id", "icpc_icpc_date"],
        "optional": ["icpc_s47_enquiry_id", "icpc_icpc_outcome_cp_flag", "icpc_icpc_transfer_in"],
        "aliases": {"icpc_date": "icpc_icpc_date",
                    "icpc_transfer_in": "icpc_icpc_transfer_in",
                    "icpc_outcome_cp_flag": "icpc_icpc_outcome_cp_flag",
                    "icpc_la_person_id": "icpc_person_id"},
    },
    "ssd_cp_plans": {
        "required": ["cppl_cp_plan_id", "cppl_person_id", "cppl_cp_plan_start_date"],
        "optional": ["cppl_cp_plan_end_date", "cppl_cp_plan_initial_category",
                     "cppl_cp_plan_latest_category", "cppl_cp_plan_ola", "cppl_icpc_id",
                     "cppl_referral_id"],
        "aliases": {"cppl_initial_cp_conference_id": "cppl_icpc_id",
                    "cppl_cp_plan_start": "cppl_cp_plan_start_date",
                    "cppl_cp_plan_end": "cppl_cp_plan_end_date",
                    "cppl_la_person_id": "cppl_person_id"},
    },
    "ssd_cla_episodes": {
        "required": ["clae_cla_episode_id", "clae_person_id", "clae_cla_episode_start_date"],
        "optional": ["clae_cla_episode_ceased_date"],
        "aliases": {"clae_cla_episode_start": "clae_cla_episode_start_date",
                    "clae_cla_episode_ceased": "clae_cla_episode_ceased_date",
                    "clae_cla_episode_end_date": "clae_cla_episode_ceased_date",
                    "clae_la_person_id": "clae_person_id"},
    },
    "ssd_pre_proceedings": {
        "required": ["prep_person_id", "prep_pre_pro_decision_date"],
        "optional": ["prep_table_id", "prep_plo_family_id", "prep_pre_pro_outcome",
                     "prep_agree_stepdown_issue_date", "prep_care_pro_letter_date"],
        "aliases": {"prep_la_person_id": "prep_person_id"},
    },
    "relationships": {
        "required": ["person_id", "related_person_id", "relationship"],
        "optional": ["start_date", "end_date"],
        "aliases": {},
    },
    "ssd_mother": {
        "required": ["moth_person_id", "moth_childs_person_id"],
        "optional": ["moth_childs_dob", "moth_table_id"],
        "aliases": {"moth_la_person_id": "moth_person_id"},
    },
    "ssd_family": {
        "required": ["fami_family_id", "fami_person_id"],
        "optional": ["fami_table_id"],
        "aliases": {"fami_la_person_id": "fami_person_id"},
    },
    "paper_records": {
        "required": ["person_id", "event_date", "event_type"],
        "optional": ["detail", "document_ref", "other_la"],
        "aliases": {},
    },
    "case_review": {
        "required": ["person_id", "question", "answer"],
        "optional": ["item_id", "reviewer", "review_date"],
        "aliases": {},
    },
    "iro_challenges": {
        "required": ["person_id", "challenge_date"],
        "optional": ["cp_plan_id", "theme", "resolved_date"],
        "aliases": {},
    },
}

#: File names of older SSD releases, read as the current table.
TABLE_ALIASES: dict[str, str] = {"ssd_contact": "ssd_contacts", "ssd_s47_enquiries": "ssd_s47_enquiry"}

#: File formats, in order of preference when one table comes in several files.
FILE_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".parquet")

#: Tables without which there is no cohort.
REQUIRED_TABLES: tuple[str, ...] = ("ssd_person",)

#: Text read as missing besides empty and whitespace-only cells, ignoring case (SQL Server
#: exports write NULL, pandas/R NaN or NA, Excel #N/A, people N/A).
MISSING_TEXT: tuple[str, ...] = ("null", "nan", "na", "n/a", "#n/a", "none")

#: Free-text columns where those words are an answer, not a missing value (a case-review
#: answer ``N/A`` means "not applicable").
LITERAL_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "case_review": ("answer", "question"),
    "paper_records": ("detail",),
    "iro_challenges": ("theme",),
}

TABLE_COLUMNS = MappingProxyType(TABLE_COLUMNS)  # type: ignore[assignment]


def canonical_columns(table: str) -> list[str]:
    """Required then optional column names of ``table``.

    Examples
    --------
    >>> canonical_columns("ssd_mother")
    ['moth_person_id', 'moth_childs_person_id', 'moth_childs_dob', 'moth_table_id']
    """
    spec = TABLE_COLUMNS[table]
    return list(spec["required"]) + list(spec["optional"])
