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

No row is impossible (:func:`impossible_rows` checks it): nobody takes a step (S47, conference,
plan, pre-proceedings, proceedings, care) on or after their 18th birthday or after their
death, an episode cut short by a death ends on the death date (CIN close reason RC2), and no
date but an expected date of birth is after the audit date; so every extract validates with no
error and no warning. Families are simulated and written in blocks of
``SyntheticParams.block_parents`` (:func:`generate_blocks`), each with its own random streams
spawned from the seed, so memory holds one block and the output depends only on
(n_parents, seed, params). ``write_extract(..., defects=True)`` (``synthesize --defects``)
writes realistic defects on purpose (:func:`inject_defects`).

>>> from neglect_analysis.synthetic import generate
>>> len(generate(3, seed=7)["ssd_person"]) > 15
True
"""
from .checks import impossible_rows
from .defects import inject_defects
from .generator import generate, generate_blocks, write_extract
from .params import SyntheticParams, describe_params

__all__ = ["SyntheticParams", "describe_params", "generate", "generate_blocks", "impossible_rows",
           "inject_defects", "write_extract"]
