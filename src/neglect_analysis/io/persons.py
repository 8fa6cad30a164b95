"""``ssd_person`` -> the canonical ``persons`` table (DESIGN.md "Definitions": date of birth)."""
from __future__ import annotations

import pandas as pd

from .arrowtext import map_distinct
from .checks import TableRows

#: Sex values mapped to one letter (case-insensitive); other values are kept as given.
SEX_TEXT: dict[str, str] = {"m": "M", "male": "M", "f": "F", "female": "F", "u": "U",
                            "unknown": "U", "not known": "U", "i": "I", "indeterminate": "I"}


def _sex_letter(sex: pd.Series) -> pd.Series:
    """Sex text to one letter (:data:`SEX_TEXT`, ignoring case); other text kept as given."""
    return sex.str.lower().map(SEX_TEXT).astype("string").fillna(sex)


def build_persons(t: TableRows) -> pd.DataFrame:
    """Persons from ``ssd_person`` rows, reporting problems to ``t``.

    dob = ``pers_dob``, else ``pers_expected_dob`` (DESIGN.md). Rows without ``pers_person_id``
    and repeated ids are dropped (error). A bad ``pers_dob`` / ``pers_expected_dob`` /
    ``pers_death_date`` is an error but the person is kept with that date empty. A person with
    neither date of birth is kept with an empty dob (warning: left out of sibling groups). A
    death date before the dob is an error; the death date is ignored.

    Examples
    --------
    >>> from neglect_analysis.io.validation import ProblemLog
    >>> df = pd.DataFrame({"pers_person_id": ["0012", "B"], "pers_sex": ["female", None],
    ...                    "pers_dob": [None, "01/02/2003"], "pers_expected_dob": ["2018-09-01", None],
    ...                    "_row": [2, 3]})
    >>> p = build_persons(TableRows("ssd_person", "ssd_person.csv", df, ProblemLog()))
    >>> p["person_id"].tolist(), p["sex"].tolist(), p["dob"].dt.strftime("%Y-%m-%d").tolist()
    (['0012', 'B'], ['F', <NA>], ['2018-09-01', '2003-02-01'])
    """
    t.require_value("pers_person_id")
    t.unique_id("pers_person_id")
    dob = t.date("pers_dob", required=False, consequence="pers_expected_dob used if given")
    expected = t.date("pers_expected_dob", required=False)
    dob = dob.fillna(expected)
    t.report(dob.isna(), "pers_dob",
             "has neither pers_dob nor pers_expected_dob; kept without a date of birth and left "
             "out of sibling groups", check="no_dob", severity="warning", drop=False)
    death = t.date("pers_death_date", required=False)
    death = t.date_order(dob, death, "date of birth", "pers_death_date", consequence="death date ignored")
    sex = map_distinct(t.col("pers_sex"), _sex_letter)
    out = pd.DataFrame({
        "person_id": t.col("pers_person_id"),
        "sex": sex,
        "dob": dob,
        "death_date": death,
        "in_extract": True,
    })
    return t.kept(out)
