"""Synthetic SSD extracts: whole families simulated over calendar time.

The generator simulates families, not rows (see :mod:`.families` and :mod:`.journeys`):
index parents (mostly mothers) with five or more children by one or more partners, a
persistent family level of parental difficulty that produces contacts from schools, health
and police over the years, early help offered and not taken up, referrals, assessments with
recurring factors (domestic abuse, substance misuse, mental health, neglect), S47 enquiries
(many not progressing to a conference), CP plans (mostly neglect) that end and are followed
by re-referral, repeat plans, pre-proceedings, care proceedings and care; babies born during
or after an older sibling's proceedings; families that moved in from another authority; and
history before the ICS start date that is absent from the SSD tables and partly recovered
from paper files. Every rate is a field of :class:`SyntheticParams` with its rationale.

>>> from neglect_analysis.synthetic import generate
>>> len(generate(3, seed=7)["ssd_person"]) > 15
True
"""
from .generator import generate, write_extract
from .params import SyntheticParams, describe_params

__all__ = ["SyntheticParams", "describe_params", "generate", "write_extract"]
