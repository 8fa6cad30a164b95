"""National reference figures (DfE "Children in need", England) for comparison.

The figures live in ``data/reference/dfe_children_in_need.csv`` with their sources; ratios
derived from published counts (ICPCs per S47 enquiry, CP plans started per ICPC) are computed
here, never stored.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

REFERENCE_FILE = "dfe_children_in_need.csv"


def default_reference_dir() -> Path:
    """The repository's ``data/reference`` folder (next to ``src/`` in a checkout)."""
    return Path(__file__).resolve().parents[2] / "data" / "reference"


def national_figures(path: str | Path | None = None) -> pd.DataFrame:
    """Published national figures plus derived ratios, one row per measure and year.

    Columns: ``measure``, ``year``, ``value``, ``unit``, ``source``. Derived measures:
    ``icpc_per_s47_pct`` = ICPCs / S47 enquiries x 100 and ``plans_per_icpc_pct`` = CP plans
    started / ICPCs x 100, for years where both counts are published, rounded to 1 decimal.

    Parameters
    ----------
    path : folder or CSV file; default the repository's ``data/reference``.

    Examples
    --------
    >>> nf = national_figures()
    >>> nf.query("measure == 'icpc_per_s47_pct' and year == 2019")["value"].item()
    38.5
    >>> nf.query("measure == 'rereferrals_12m_pct' and year == 2025")["value"].item()
    22.6
    """
    p = Path(path) if path is not None else default_reference_dir()
    if p.is_dir():
        p = p / REFERENCE_FILE
    if not p.exists():
        raise FileNotFoundError(
            f"National reference figures not found at {p}. Pass the folder holding "
            f"{REFERENCE_FILE} (the project's data/reference)."
        )
    raw = pd.read_csv(p, dtype={"measure": str, "unit": str, "source": str})
    raw["year"] = raw["year"].astype("int64")
    raw["value"] = raw["value"].astype(float)
    wide = raw.pivot(index="year", columns="measure", values="value")
    derived = []
    for name, num, den, unit in (
        ("icpc_per_s47_pct", "icpcs", "s47_enquiries", "percent of S47 enquiries"),
        ("plans_per_icpc_pct", "cp_plans_started", "icpcs", "percent of ICPCs"),
    ):
        if num in wide and den in wide:
            r = (wide[num] / wide[den] * 100).round(1).dropna()
            derived.append(
                pd.DataFrame(
                    {
                        "measure": name,
                        "year": r.index.astype("int64"),
                        "value": r.to_numpy(),
                        "unit": unit,
                        "source": f"derived: {num} / {den} of the same year (table C4"
                                  + (", D3" if num == "cp_plans_started" else "") + ")",
                    }
                )
            )
    out = pd.concat([raw, *derived], ignore_index=True)
    return out.sort_values(["measure", "year"], kind="stable").reset_index(drop=True)


def latest(figures: pd.DataFrame, measure: str) -> pd.Series:
    """The most recent year's row of ``measure`` (``year``, ``value``, ``source``...).

    Examples
    --------
    >>> row = latest(national_figures(), "repeat_cp_plans_pct")
    >>> int(row["year"]), float(row["value"])
    (2025, 24.5)
    """
    rows = figures[figures["measure"] == measure]
    if rows.empty:
        raise KeyError(f"no national figure named {measure!r}")
    return rows.sort_values("year").iloc[-1]


def collection_year(audit_date) -> int:
    """The DfE collection year (ending 31 March) nearest the audit date, as its end year.

    DESIGN.md "National comparison by period": a finding is compared with the figure for the
    year ending on the 31 March nearest the audit date (a tie goes to the earlier year).

    Examples
    --------
    >>> collection_year("2018-07-31"), collection_year("2019-01-31"), collection_year("2018-03-31")
    (2018, 2019, 2018)
    """
    d = pd.Timestamp(audit_date).normalize()
    before = pd.Timestamp(year=d.year if d >= pd.Timestamp(year=d.year, month=3, day=31) else d.year - 1,
                          month=3, day=31)
    after = pd.Timestamp(year=before.year + 1, month=3, day=31)
    return int(before.year if (d - before) <= (after - d) else after.year)


def period_label(year: int) -> str:
    """A collection year ending 31 March ``year`` in words: ``"2017-18"``.

    Examples
    --------
    >>> period_label(2018), period_label(2000)
    ('2017-18', '1999-00')
    """
    return f"{int(year) - 1}-{int(year) % 100:02d}"


def for_period(figures: pd.DataFrame, measure: str, year: int) -> pd.Series:
    """The row of ``measure`` for collection year ``year``; where that year is not published,
    the nearest published year (the earlier on a tie): the caller names the year it got.

    Raises
    ------
    KeyError
        No figure of that measure at all.

    Examples
    --------
    >>> nf = national_figures()
    >>> float(for_period(nf, "rereferrals_12m_pct", 2018)["value"])
    21.9
    >>> int(for_period(nf, "neglect_initial_category_pct", 2025)["year"])
    2020
    """
    rows = figures[figures["measure"] == measure]
    if rows.empty:
        raise KeyError(f"no national figure named {measure!r}")
    dist = (rows["year"].astype("int64") - int(year)).abs()
    order = pd.DataFrame({"d": dist.to_numpy(), "y": rows["year"].to_numpy()}).sort_values(["d", "y"])
    return rows.iloc[int(order.index[0])]
