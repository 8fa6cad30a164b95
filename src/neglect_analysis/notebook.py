"""One setup for every narrative notebook: load an extract, run the analysis, draw in house style.

Each notebook has one parameters cell (``DATA_DIR``, ``AUDIT_DATE``, ``ICS_START``, tagged
``parameters`` for papermill) and then calls :func:`open_audit`, which returns an
:class:`Audit` holding everything the notebook reads: the Cohort, the validation report, the
analyst tables and the children counted once each. Notebooks narrate and draw; the numbers
come from the package.

Examples
--------
>>> from neglect_analysis.io import load_extract
>>> audit = open_audit("data/sample")  # doctest: +SKIP
>>> print(audit.summary())  # doctest: +SKIP
SYNTHETIC DATA - Synthetic sample authority
...
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from .cohort import Cohort
from .definitions import DEFAULTS, Definitions
from .pipeline import AnalysisParams, AnalystTables, FamilyTables, build_tables


@dataclass
class Audit:
    """What a notebook works on: the Cohort, its validation report and the analyst tables.

    Attributes
    ----------
    cohort : Cohort
    validation : neglect_analysis.io.ValidationReport
    tables : AnalystTables
    definitions : Definitions
    """

    cohort: Cohort
    validation: object
    tables: AnalystTables
    definitions: Definitions = field(default=DEFAULTS)

    @property
    def family(self) -> FamilyTables:
        """The within-family tables (``members``, ``children``, ``sibling_groups``...)."""
        return self.tables.family

    @cached_property
    def kids(self) -> pd.DataFrame:
        """``children.csv`` with each child once, whichever sibling group it belongs to."""
        return self.family.children.drop_duplicates("child_id")

    def summary(self) -> str:
        """The lines every notebook opens with: provenance, dates, cohort size, problems.

        Examples
        --------
        >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["M"]}), audit_date="2018-07-31",
        ...                        synthetic=True, authority="test")
        >>> from neglect_analysis.pipeline import build_tables
        >>> class V:
        ...     def n(self, severity): return 0
        >>> print(Audit(c, V(), build_tables(c)).summary())
        SYNTHETIC DATA - test
        Audit date 2018-07-31; electronic case record (ICS) from 2009-04-01
        Index parents: 0, children: 0
        Problems found when loading: 0 errors, 0 warnings
        """
        c, v, f = self.cohort, self.validation, self.family
        return "\n".join([
            c.label(),
            f"Audit date {c.audit_date:%Y-%m-%d}; electronic case record (ICS) from {c.ics_start_date:%Y-%m-%d}",
            f"Index parents: {len(f.sibling_groups)}, children: {f.members['child_id'].nunique()}",
            f"Problems found when loading: {v.n('error')} errors, {v.n('warning')} warnings",
        ])

    def finish(self, ax, title: str) -> None:
        """Title a figure, stamp it when the data are synthetic, and show it."""
        import matplotlib.pyplot as plt

        from . import plots

        ax.set_title(title, pad=18)
        if self.cohort.synthetic:
            plots.synthetic_label(ax)
        plt.show()


def open_audit(data_dir: str | Path, *, audit_date=None, ics_start=None,
               definitions: Definitions | None = None, index_parents=None) -> Audit:
    """Load the extract in ``data_dir``, run every analysis, and set the house plot style.

    ``audit_date`` / ``ics_start`` override ``extract.json`` (as the command line's
    ``--audit-date`` / ``--ics-start``); ``definitions`` (default
    :class:`~neglect_analysis.definitions.Definitions`) holds every threshold.
    """
    from . import plots
    from .io import load_extract

    definitions = DEFAULTS if definitions is None else definitions
    cohort, validation = load_extract(data_dir, audit_date=audit_date, ics_start_date=ics_start)
    tables = build_tables(cohort, AnalysisParams(index_parents=index_parents, definitions=definitions))
    plots.apply_style()
    return Audit(cohort, validation, tables, definitions)
