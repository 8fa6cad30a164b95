"""Read and validate an SSD extract: ``load_extract(path) -> (Cohort, ValidationReport)``.

Modules: :mod:`.spec` (tables, columns, aliases: :data:`TABLE_COLUMNS`), :mod:`.readers`
(CSV/Excel/Parquet as text), :mod:`.dates` (date formats), :mod:`.values` (flags, codes, JSON),
:mod:`.checks` (row checks), :mod:`.persons`, :mod:`.links`, :mod:`.events` (canonical tables),
:mod:`.metadata` (``extract.json``), :mod:`.validation` (the report), :mod:`.load`.

Choices (DESIGN.md leaves them open; an auditor's reading):

- Required: ``ssd_person`` and one link table; all else optional (absent: a note).
- Dropped rows (error): no id / repeated id; event person or child not in ``ssd_person``; no or
  bad start date; unknown relationship; a parent under 12 at the child's birth; a required
  column missing (the whole table).
- Kept with an error (``action="used"``): bad or out-of-order end date (left empty: open);
  unknown CP category / primary need (left empty) or factor code (left out); unreadable JSON;
  a child with more than two birth parents (all its links kept, to be corrected).
- Kept with a warning: a person without any dob; bad Y/N flags (read as unknown, or N for
  other-LA flags); repeated links (dropped); pre-proceedings "issue" with no date.
- Notes: absent optional tables, a parent absent from ``ssd_person`` (kept, unknown dob),
  Windows-1252 CSV.
"""
from .load import load_extract
from .readers import read_table
from .spec import TABLE_COLUMNS
from .validation import ExtractError, ValidationReport

__all__ = ["load_extract", "read_table", "TABLE_COLUMNS", "ExtractError", "ValidationReport"]
