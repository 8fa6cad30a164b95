"""Read and validate an SSD extract: ``load_extract(path) -> (Cohort, ValidationReport)``.

Modules: :mod:`.spec` (tables, columns, aliases: :data:`TABLE_COLUMNS`), :mod:`.readers`
(CSV/Excel/Parquet as text), :mod:`.dates` (date formats), :mod:`.values` (flags, codes, JSON),
:mod:`.checks` (row checks), :mod:`.persons`, :mod:`.links`, :mod:`.events` (canonical tables),
:mod:`.metadata` (``extract.json``), :mod:`.validation` (the report), :mod:`.load`;
:mod:`.arrowtext` (Arrow helpers on text columns: distinct values, repeats); :mod:`.memory`
(Arrow's allocator for a run of the command).

Choices (DESIGN.md leaves them open; an auditor's reading). Every problem has a severity
(``error``: fix the extract, exit 1; ``warning``/``note``: exit 0), an action (``dropped`` or
``used``) and ``advice`` (what to do). The bad-input corpus (tests/bad_input) shows each one.

- Required: ``ssd_person`` (absent, empty or header-only: error, nothing else read) and one
  link table; all else optional (absent: a note). A 0-byte file is an error (a failed export).
  A link table with no usable row (header only, empty, unreadable) gives way to the next one
  present (``relationships`` -> ``ssd_mother`` -> ``ssd_family``) with a warning; alone and
  header-only it is an error.
- Dropped rows (error): no id; an id repeating an earlier row with other values (the first
  is used); event person or child not in ``ssd_person``; no or bad start date, or one out of
  range (a real day before 1900 or after 2199: named "out of range", not "not a date");
  unknown relationship; a person linked as their own parent, a parent not older than the
  child or under 12 at the birth, a link on a loop in the family tree; a ``partner_of`` row
  between a parent and their own child (the birth link is kept); a required column missing
  (the whole table; a close unknown name is suggested).
- Dropped rows (warning): an exact copy of an earlier row; an event starting after the audit
  date (outside the audit; give ``--audit-date`` if the date is wrong). End dates after the
  audit date are kept (an episode open at the audit date).
- Dropped rows (note): completely empty rows (row numbers still match the file).
- Merged rows (note, ``action="merged"``, check ``same_event``): a paper record of this
  authority (``other_la`` not ``Y``, type not ``other_la_record``) of an event type, for the
  same person and type as an extract event dated within ``same_event_days`` (7) days of it, is
  that event (DESIGN.md "Same event once"): the message names the paper row, its
  ``document_ref`` and the extract's table:row and id; the row counts as reported and as
  merged (``rows_merged`` of ``validation_counts.csv``), not as dropped.
- Kept with an error (``action="used"``): bad or out-of-order end date (left empty: open);
  unknown CP category / primary need (left empty) or factor code (left out); unreadable JSON;
  bad Y/N flags (read as unknown, or N for other-LA flags); a child with more than two birth
  parents (all its links kept, to be corrected); ``mother_of`` from a person recorded as male
  or ``father_of`` from one recorded as female (link kept: the sex or the relationship is
  wrong); Excel formulas (never evaluated: the cell is
  read as empty); a column repeated (names compared ignoring case) with different values (the
  first used); an unreadable ``extract.json`` (ignored).
- Kept with a warning: an event starting after its person's death (which date is wrong is
  unknown, and a record after a death is possible); a person without any dob; repeated links (dropped); pre-proceedings
  "issue" with no date; a repeated column with the same values; Excel/Parquet id columns
  holding numbers (``12.0`` is read ``12``; leading zeros cannot be recovered).
- Notes: absent optional tables, a parent absent from ``ssd_person`` (kept, unknown dob),
  Windows-1252 or UTF-16 CSV (detected by its byte order mark or zero bytes), column names below title rows (found in the first 10 rows), the Excel
  sheet read when a workbook has several (the sheet named as the table, else the first with
  its columns).
- Files: an .xlsx is read whatever its ``<dimension>`` record says (it can be stale); one
  expanding past 100 times its size (from 32 MiB) or 2 GiB is refused unopened (error:
  table not used). CSV fields of any length are read; values quoted in messages are cut
  after 80 characters with their length. Binary Parquet columns are decoded as UTF-8.
- Accepted without a message: UTF-8 BOM; columns in any order, extra columns; codes and
  flags in any case and spacing (`` neglect ``, ``n1``, ``3b``, ``Yes``/``1``/``true``);
  ``NULL``/``NaN``/``N/A``/``NA``/``None``/``#N/A`` as missing (except free-text answers);
  ISO, SQL Server, UK day-first (``03/04/2017`` is 3 April) and Excel-serial dates mixed in
  one column; header-only event tables (no events).
"""
from .load import load_extract
from .readers import read_table
from .spec import TABLE_COLUMNS
from .validation import ExtractError, ValidationReport

__all__ = ["load_extract", "read_table", "TABLE_COLUMNS", "ExtractError", "ValidationReport"]
