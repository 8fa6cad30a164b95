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

    @cached_property
    def findings(self) -> pd.DataFrame:
        """The findings table of the run with its family-bootstrap intervals (``findings.csv``,
        unsuppressed: the analyst's view; :func:`~neglect_analysis.bootstrap.findings_with_intervals`)."""
        from .bootstrap import findings_with_intervals

        found = self.tables.extra.get("findings")
        if found is not None and "ci_lower" in found:
            return found
        groups = self.tables.groups  # the run's Family, when it was made from this Cohort
        groups = groups if groups is not None and groups.cohort is self.cohort else None
        return findings_with_intervals(self.cohort, self.family, definitions=self.definitions, groups=groups)

    @cached_property
    def published(self) -> pd.DataFrame | None:
        """The findings as the briefing publishes them: every count through the briefing's
        disclosure audit (:class:`~neglect_analysis.briefing.BriefingPack`), as
        :func:`~neglect_analysis.briefing.message_input` gives them to the key messages.
        None when the pack cannot be published (the report writes no briefing then)."""
        import matplotlib

        backend = matplotlib.get_backend()
        from .briefing import BriefingPack, message_input  # sets the Agg backend when imported
        from .disclosure_audit import DisclosureAuditError

        matplotlib.use(backend)  # keep the notebook's (inline) figures

        pack = BriefingPack(self.cohort, self.tables, self.findings, threshold=self.definitions.suppress_below,
                            min_at_risk=self.definitions.min_at_risk,
                            confidence_level=self.definitions.confidence_level)
        try:
            pack.protect()
        except DisclosureAuditError:
            return None
        return message_input(self.findings, pack.shown_findings())

    def key_messages(self, *points: int) -> str:
        """The briefing's key messages of ``points`` (all seven when none is given), each
        point's title then its sentences: the same sentences as ``briefing.html``, ``.md``
        and ``.pptx`` (:func:`neglect_analysis.messages.key_messages` of :attr:`published`).

        Examples
        --------
        >>> print(open_audit("data/sample").key_messages(7))  # doctest: +SKIP
        7. IRO challenge in large sibling groups
           13 of the 73 child protection plans ...
        """
        from . import messages
        from .findings import BRIEFING_POINTS

        points = points or tuple(BRIEFING_POINTS)
        if self.published is None:
            return "No briefing can be published for this extract: its counts are too small to share."
        said = messages.point_messages(messages.key_messages(self.published, definitions=self.definitions))
        lines = []
        for p in points:
            lines.append(f"{p}. {BRIEFING_POINTS[p]}")
            lines += [f"   {s}" for s in said.get(p, [])]
        return "\n".join(lines)

    def finding_lines(self, *points: int) -> str:
        """Every finding of ``points`` with its base, share, England's figure and the rest of
        the authority (:func:`neglect_analysis.conclusions.finding_lines`), one per line."""
        from .conclusions import finding_lines

        return "\n".join(finding_lines(self.findings, points))

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
