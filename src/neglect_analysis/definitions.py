"""Every threshold of the audit's definitions, in one frozen object (DESIGN.md "Definitions").

A :class:`Definitions` holds each named parameter of DESIGN.md with its default. The analysis
functions read their thresholds from it, the report takes one in its options, notebooks make
their own with :func:`dataclasses.replace`, and the command line reads one from a TOML file
(``--definitions FILE``). ``docs/definitions.md`` states every definition in words with the
name of the field that holds its threshold.

Examples
--------
>>> d = Definitions()
>>> d.min_children, d.rereferral_days, d.min_lead_days
(5, 365, 90)
>>> from dataclasses import replace
>>> replace(d, min_children=4).min_children
4
"""
from __future__ import annotations

from dataclasses import dataclass

#: Days in a year, for years shown as ``days / 365.25`` (a unit, not a threshold).
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Definitions:
    """The thresholds of every definition (DESIGN.md "Definitions"), with their defaults.

    Attributes
    ----------
    min_children : int
        Index-parent rule: at least this many linked children with a date of birth (5).
    min_span_years : float
        Index-parent rule: an age span (eldest minus youngest, days / 365.25) of at least this
        many years (10).
    adult_age_years : int
        Age of adulthood: the calendar birthday ends childhood (18). Censors time to escalation
        and defines "adult at audit".
    rereferral_days : int
        Re-referral (DfE): a referral within this many days after the child's previous one (365).
    repeat_plan_days : int
        ``n_repeat_cp_plans_2y``: a plan starting within this many days after the previous
        plan's end (730).
    s47_icpc_days : int
        S47 not progressing: no ICPC or CP plan within this many days after its start, judged
        once this many days have passed (60).
    series_length : int
        Contact series: this many consecutive contacts (3) ...
    series_days : int
        ... spanning at most this many days, with no referral in between (365).
    advice_eh_days : int
        Advice not taken up: no early-help episode starting within this many days after a
        contact with ``advice_flag`` (90).
    advice_flag : str
        The contact outcome flag that records advice given (``ADVICE_FLAG``).
    eh_not_engaged_patterns : tuple of str
        Early help not engaged: end reasons containing any of these, case-insensitive.
    not_sustained_rereferral_days : int
        Changes not sustained: a new referral within this many days of a plan's end (365).
    not_sustained_replan_days : int
        Changes not sustained: a new CP plan within this many days of a plan's end (730); also
        the follow-up a plan needs before it can be judged sustained (mature follow-up).
    same_event_days : int
        Same event once: a paper record of this authority within this many days of an ICS
        event of the same person and type is that event (7).
    min_lead_days : int
        Lead time that matters: at least this many days (90).
    min_other_parents : int
        Recurrent themes: a factor family recorded for children of at least this many different
        other birth parents (2).
    bootstrap_draws : int
        Family bootstrap: resamples of index parents' groups (2,000).
    bootstrap_seed : int
        Family bootstrap: the fixed seed (2018).
    suppress_below : int
        Disclosure: published counts from 1 to this are shown as ``c`` (5).
    min_at_risk : int
        Disclosure: survival curves are drawn only while at least this many children are at
        risk (10).
    """

    min_children: int = 5
    min_span_years: float = 10.0
    adult_age_years: int = 18
    rereferral_days: int = 365
    repeat_plan_days: int = 730
    s47_icpc_days: int = 60
    series_length: int = 3
    series_days: int = 365
    advice_eh_days: int = 90
    advice_flag: str = "ADVICE_FLAG"
    eh_not_engaged_patterns: tuple[str, ...] = ("declin", "refus", "not engaged", "disengag")
    not_sustained_rereferral_days: int = 365
    not_sustained_replan_days: int = 730
    same_event_days: int = 7
    min_lead_days: int = 90
    min_other_parents: int = 2
    bootstrap_draws: int = 2000
    bootstrap_seed: int = 2018
    suppress_below: int = 5
    min_at_risk: int = 10


#: The defaults, for modules that need one shared instance.
DEFAULTS = Definitions()
