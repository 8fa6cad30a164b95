"""neglect-analysis: whole-family chronologies and sibling-group statistics from SSD extracts.

Rerun the audit "Learning from sibling groups & earlier identification of neglect" on a local
authority's Standard Safeguarding Dataset extract. Data flows one way::

    io (read + validate) -> Cohort -> siblings, chronology, recurrence, escalation, findings
       -> disclosure -> plots / report / cli
"""
from .cohort import Cohort

__version__ = "0.1.0"
__all__ = ["Cohort", "__version__"]
