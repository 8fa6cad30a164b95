"""Every threshold of the audit's definitions, in one frozen object (DESIGN.md "Definitions").

A :class:`Definitions` holds each named parameter of DESIGN.md with its default. The analysis
functions read their thresholds from it, the report takes one in its options, notebooks make
their own with :func:`dataclasses.replace`, and the command line reads one from a TOML file
(``--definitions FILE``, :meth:`Definitions.from_toml`). ``docs/definitions.md`` states every
definition in words with the name of the field that holds its threshold.

The meaning of each field is written once, in the field's ``metadata["meaning"]``: the class
docstring's Attributes section, :meth:`Definitions.describe` and the comments of
:meth:`Definitions.to_toml` (and so ``docs/definitions.example.toml``) are all made from it.

A TOML file of definitions holds top-level keys only (no ``[definitions]`` table), any subset
of the fields; the others keep their defaults::

    # my-definitions.toml
    min_lead_days = 60
    eh_not_engaged_patterns = ["declin", "refus", "not engaged", "disengag", "did not attend"]

Examples
--------
>>> d = Definitions()
>>> d.min_children, d.rereferral_days, d.min_lead_days
(5, 365, 90)
>>> from dataclasses import replace
>>> replace(d, min_children=4).min_children
4
>>> Definitions.from_mapping({"min_lead_days": 60}).min_lead_days
60
>>> Definitions.from_mapping({"min_lead_days": "soon"})
Traceback (most recent call last):
...
neglect_analysis.definitions.DefinitionsError: definitions: min_lead_days = "soon" is not a whole number; expected a whole number of days, 0 or more (default 90)
"""
from __future__ import annotations

import difflib
import json
import math
import numbers
import sys
import textwrap
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Days in a year, for years shown as ``days / 365.25`` (a unit, not a threshold).
DAYS_PER_YEAR = 365.25


class DefinitionsError(ValueError):
    """Definitions that cannot be used: an unknown key, a wrong type or a meaningless value.

    The message has one line per problem, each naming the source (file), the key, the value
    and what is expected; :attr:`problems` holds those lines.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# Kinds of value a field takes (field metadata "kind"), with what a message says is expected.
#   count: whole number, at least ``minimum``      days: whole number of days, 0 or more
#   years: a finite number, 0 or more              level: a number strictly between 0 and 1
#   text:  a non-empty text                        texts: a list of one or more non-empty texts
def _f(default: Any, kind: str, meaning: str, minimum: int = 0):
    """A field with its default, kind of value, least value (``count``) and meaning."""
    return field(default=default, metadata={"kind": kind, "meaning": meaning, "minimum": minimum})


@dataclass(frozen=True)
class Definitions:
    """The thresholds of every definition (DESIGN.md "Definitions"), with their defaults.

    Frozen: make a changed copy with :func:`dataclasses.replace`. Every value is checked when
    the object is made (a whole number where one is expected, no negative windows, ...): a
    value that cannot be used raises :class:`DefinitionsError`. The Attributes below are
    generated from each field's ``metadata["meaning"]``, the one place each meaning is written.
    """

    min_children: int = _f(5, "count", minimum=1, meaning=(
        "Index-parent rule: a parent is an index parent with at least this many linked children "
        "with a date of birth."))
    min_span_years: float = _f(10.0, "years", meaning=(
        "Index-parent rule: ... and an age span (eldest minus youngest, days / 365.25) of at "
        "least this many years."))
    adult_age_years: int = _f(18, "count", minimum=1, meaning=(
        "Age of adulthood: the calendar birthday ends childhood. Censors time to escalation "
        "and defines \"adult at audit\"."))
    rereferral_days: int = _f(365, "days", meaning=(
        "Re-referral (DfE): a referral within this many days after the child's previous "
        "referral."))
    repeat_plan_days: int = _f(730, "days", meaning=(
        "n_repeat_cp_plans_2y: a CP plan starting within this many days after the end of the "
        "child's previous plan."))
    s47_icpc_days: int = _f(60, "days", meaning=(
        "S47 not progressing: no ICPC or CP plan within this many days after the enquiry's "
        "start, judged only once this many days have passed by the audit date."))
    series_length: int = _f(3, "count", minimum=2, meaning=(
        "Contact series: this many consecutive contacts of the child ..."))
    series_days: int = _f(365, "days", meaning=(
        "... spanning at most this many days, with no referral of the child in between."))
    advice_eh_days: int = _f(90, "days", meaning=(
        "Advice not taken up: no early-help episode starting within this many days after a "
        "contact whose outcome has advice_flag."))
    advice_flag: str = _f("ADVICE_FLAG", "text", meaning=(
        "The contact outcome flag that records advice given."))
    eh_not_engaged_patterns: tuple[str, ...] = _f(
        ("declin", "refus", "not engaged", "disengag"), "texts", meaning=(
            "Early help not engaged: an early-help end reason containing any of these texts "
            "(case-insensitive)."))
    not_sustained_rereferral_days: int = _f(365, "days", meaning=(
        "Changes not sustained: a new referral (child or sibling) within this many days after "
        "a CP plan's end."))
    not_sustained_replan_days: int = _f(730, "days", meaning=(
        "Changes not sustained: a new CP plan (child or sibling) within this many days after a "
        "CP plan's end; also the follow-up a plan needs before it can be judged (mature "
        "follow-up)."))
    same_event_days: int = _f(7, "days", meaning=(
        "Same event once: a paper record of this authority within this many days of an ICS "
        "event of the same person and type is that event."))
    min_lead_days: int = _f(90, "days", meaning=(
        "Lead time that matters: a lead time counts as \"could have been flagged earlier\" "
        "when it is at least this many days."))
    moved_away_close_reasons: tuple[str, ...] = _f(("RC5",), "texts", meaning=(
        "Moving away: a CIN episode closing with one of these reason codes (RC5: transferred "
        "to another authority) censors the child, unless it has later events here."))
    moved_away_eh_patterns: tuple[str, ...] = _f(("moved",), "texts", meaning=(
        "Moving away: an early-help episode ending with a reason containing any of these "
        "texts (case-insensitive) censors the child, unless it has later events here."))
    large_gap_years: float = _f(5.0, "years", meaning=(
        "Big age gap (finding of point 2): a sibling group whose largest gap between "
        "consecutive children (days / 365.25) is at least this many years."))
    disguised_compliance_patterns: tuple[str, ...] = _f(("disguised compliance",), "texts", meaning=(
        "Disguised compliance (findings of points 3 and 7): an IRO challenge whose theme "
        "contains any of these texts (case-insensitive)."))
    min_other_parents: int = _f(2, "count", minimum=1, meaning=(
        "Recurrent themes: a factor family recorded for children of at least this many "
        "different other birth parents in one sibling group."))
    confidence_level: float = _f(0.95, "level", meaning=(
        "Confidence level of every interval: Kaplan-Meier log-log intervals and the family "
        "bootstrap's percentile interval."))
    bootstrap_draws: int = _f(2000, "count", minimum=1, meaning=(
        "Family bootstrap: resamples of index parents' groups, drawn with replacement."))
    bootstrap_seed: int = _f(2018, "count", minimum=0, meaning=(
        "Family bootstrap: the fixed seed, so that a rerun gives the same interval."))
    suppress_below: int = _f(5, "count", minimum=0, meaning=(
        "Disclosure: published counts from 1 to this are shown as c (0: none suppressed)."))
    min_at_risk: int = _f(10, "count", minimum=1, meaning=(
        "Disclosure: survival curves are drawn only while at least this many children are at "
        "risk."))

    def __post_init__(self) -> None:
        problems = []
        for f in fields(self):
            value, problem = _checked(f, getattr(self, f.name))
            if problem:
                problems.append(f"Definitions: {f.name} = {_toml_value(getattr(self, f.name))} {problem}")
            else:
                object.__setattr__(self, f.name, value)
        if problems:
            raise DefinitionsError(problems)

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, source: str = "definitions") -> "Definitions":
        """Definitions from a mapping of field names to values; missing fields keep their defaults.

        Parameters
        ----------
        values : mapping
            Any subset of the field names. Whole-number fields take integers (not ``true``,
            not ``3.5``); ``min_span_years`` and ``confidence_level`` take numbers; the text
            lists take a list of texts.
        source : str
            Where the values came from, named at the start of every message (a file name, or
            e.g. ``"report options"``).

        Raises
        ------
        DefinitionsError
            One line per problem: an unknown key (with the nearest field name), a value of the
            wrong type, a non-finite number, or a value out of range; each line names the
            source, the key, the value and what is expected.

        Examples
        --------
        >>> Definitions.from_mapping({"series_length": 4, "min_span_years": 8}).min_span_years
        8.0
        >>> Definitions.from_mapping({"min_child": 4}, source="my.toml")
        Traceback (most recent call last):
        ...
        neglect_analysis.definitions.DefinitionsError: my.toml: unknown key min_child = 4 (did you mean min_children?); expected one of the Definitions fields listed in docs/definitions.md
        """
        by_name = {f.name: f for f in fields(cls)}
        problems, kept = [], {}
        for key, value in values.items():
            f = by_name.get(key)
            if f is None:
                problems.append(f"{source}: {_unknown(key, value, by_name)}")
                continue
            checked, problem = _checked(f, value)
            if problem:
                problems.append(f"{source}: {key} = {_toml_value(value)} {problem}")
            else:
                kept[key] = checked
        if problems:
            raise DefinitionsError(problems)
        return cls(**kept)

    @classmethod
    def from_toml(cls, path: str | Path) -> "Definitions":
        """Definitions from a TOML file of top-level keys; fields not in it keep their defaults.

        The file holds any subset of the fields as top-level ``key = value`` lines (see
        ``docs/definitions.example.toml``); a ``[table]`` is refused. Every message names the
        file.

        Raises
        ------
        DefinitionsError
            The file cannot be read, is not TOML, or holds a value that cannot be used (see
            :meth:`from_mapping`).

        Examples
        --------
        >>> import tempfile, os
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = os.path.join(tmp, "d.toml")
        ...     with open(path, "w") as fh:
        ...         _ = fh.write("min_lead_days = 60\\n")
        ...     Definitions.from_toml(path).min_lead_days
        60
        """
        path = Path(path)
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise DefinitionsError([f"{path}: no such file; give a TOML file of definitions "
                                    "(docs/definitions.example.toml is an example)"]) from None
        except UnicodeDecodeError as err:
            raise DefinitionsError([f"{path}: not UTF-8 text (byte {err.start}); save the "
                                    "definitions file as UTF-8"]) from None
        except OSError as err:
            raise DefinitionsError([f"{path}: cannot be read ({err.strerror})"]) from None
        try:
            values = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise DefinitionsError([f"{path}: not a valid TOML file ({err}); write one "
                                    "key = value line per definition"]) from None
        return cls.from_mapping(values, source=str(path))

    # ------------------------------------------------------------------ writing
    def to_toml(self) -> str:
        """Every field as a TOML ``key = value`` line, each after a comment with its meaning.

        :meth:`from_toml` reads the text back to an equal object. The comment ends with the
        default, so a changed value shows. ``docs/definitions.example.toml`` is
        ``Definitions().to_toml()``.

        Examples
        --------
        >>> text = Definitions(min_lead_days=60).to_toml()
        >>> [line for line in text.splitlines() if line.startswith("min_lead_days")]
        ['min_lead_days = 60']
        >>> Definitions.from_mapping(tomllib.loads(text)) == Definitions(min_lead_days=60)
        True
        """
        lines = [
            "# Definitions of neglect-analysis: every threshold, with its meaning and default.",
            "# Read with `neglect-analysis ... --definitions FILE` or Definitions.from_toml(FILE);",
            "# a file may set any subset of these keys, the others keep their defaults.",
            "# Each definition in words: docs/definitions.md.",
        ]
        for f in fields(self):
            comment = f"{f.metadata['meaning']} Default: {_toml_value(f.default)}."
            lines.append("")
            lines.extend(textwrap.wrap(comment, width=92, initial_indent="# ", subsequent_indent="# ",
                                       break_on_hyphens=False))
            lines.append(f"{f.name} = {_toml_value(getattr(self, f.name))}")
        return "\n".join(lines) + "\n"

    def terms(self) -> dict[str, str]:
        """The thresholds as words, for the texts that name them (a measure's description,
        label and sentence, the notebooks' conclusions), so that a changed definition changes
        the words with the numbers.

        One entry per whole-number field under its own name (``min_lead_days`` -> ``"90"``),
        per years field under its own name (``large_gap_years`` -> ``"5"``), and one more per
        period field, named with ``_period`` for ``_days`` / ``_years``, in the words of
        :func:`period_words` / :func:`years_words` (``min_lead_period`` -> ``"90 days"``,
        ``rereferral_period`` -> ``"12 months"``, ``large_gap_period`` -> ``"5 years"``).

        Examples
        --------
        >>> t = Definitions(min_lead_days=60, not_sustained_replan_days=365).terms()
        >>> t["min_lead_days"], t["min_lead_period"], t["not_sustained_replan_period"], t["large_gap_period"]
        ('60', '60 days', '12 months', '5 years')
        """
        out: dict[str, str] = {}
        for f in fields(self):
            kind, value = f.metadata["kind"], getattr(self, f.name)
            if kind in ("count", "days"):
                out[f.name] = str(value)
            if kind == "days":
                out[f.name.removesuffix("_days") + "_period"] = period_words(value)
            if kind == "years":
                out[f.name] = f"{value:g}"
                out[f.name.removesuffix("_years") + "_period"] = years_words(value)
        return out

    def describe(self) -> pd.DataFrame:
        """One row per field: ``name``, ``value``, ``default``, ``meaning``.

        Examples
        --------
        >>> t = Definitions(min_lead_days=60).describe()
        >>> t.loc[t["name"] == "min_lead_days", ["value", "default"]].values.tolist()
        [[60, 90]]
        """
        return pd.DataFrame(
            [(f.name, getattr(self, f.name), f.default, f.metadata["meaning"]) for f in fields(self)],
            columns=["name", "value", "default", "meaning"],
        )


def period_words(days: int) -> str:
    """A period of ``days`` in the words the audit uses: whole years of 365 days as years
    (365 days as "12 months", the DfE's re-referral words), any other period in days.

    Examples
    --------
    >>> period_words(365), period_words(730), period_words(90), period_words(1), period_words(400)
    ('12 months', '2 years', '90 days', '1 day', '400 days')
    """
    if days > 0 and days % 365 == 0:
        years = days // 365
        return "12 months" if years == 1 else f"{years} years"
    return "1 day" if days == 1 else f"{days} days"


def years_words(years: float) -> str:
    """A number of years in words.

    Examples
    --------
    >>> years_words(5.0), years_words(1), years_words(2.5)
    ('5 years', '1 year', '2.5 years')
    """
    return "1 year" if years == 1 else f"{years:g} years"


def _expected(f) -> str:
    """What a field expects, in words, with its default."""
    kind, minimum = f.metadata["kind"], f.metadata["minimum"]
    what = {
        "count": f"a whole number of at least {minimum}",
        "days": "a whole number of days, 0 or more",
        "years": "a number of years, 0 or more",
        "level": "a number between 0 and 1 (not 0 nor 1)",
        "text": "a non-empty text in quotes",
        "texts": 'a list of one or more non-empty texts, e.g. ["a", "b"]',
    }[kind]
    return f"expected {what} (default {_toml_value(f.default)})"


def _checked(f, value: Any) -> tuple[Any, str | None]:
    """``(value as stored, None)``, or ``(None, "what is wrong; expected ...")``."""
    kind, minimum = f.metadata["kind"], f.metadata["minimum"]
    expected = _expected(f)
    if kind in ("count", "days"):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            return None, f"is not a whole number; {expected}"
        if kind == "days" and value < 0:
            return None, f"is negative; {expected}"
        if kind == "count" and value < minimum:
            return None, f"is less than {minimum}; {expected}"
        return int(value), None
    if kind in ("years", "level"):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return None, f"is not a number; {expected}"
        if not math.isfinite(value):
            return None, f"is not a finite number; {expected}"
        if kind == "years" and value < 0:
            return None, f"is negative; {expected}"
        if kind == "level" and not 0 < value < 1:
            return None, f"is out of range; {expected}"
        return float(value), None
    if kind == "text":
        if not isinstance(value, str):
            return None, f"is not a text; {expected}"
        if not value.strip():
            return None, f"is empty; {expected}"
        return value, None
    # texts
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        return None, f"is not a list of texts; {expected}"
    if not value:
        return None, f"is an empty list; {expected}"
    if not all(isinstance(v, str) and v.strip() for v in value):
        return None, f"holds an empty text or a value that is not a text; {expected}"
    return tuple(value), None


def _unknown(key: str, value: Any, by_name: dict) -> str:
    """The message for a key that is not a field (a ``[table]`` is named as such)."""
    if isinstance(value, dict):
        return (f"[{key}] is a table; write the definitions as top-level key = value lines "
                "(no [table] header), e.g. min_lead_days = 60")
    near = difflib.get_close_matches(str(key), list(by_name), n=1)
    hint = f" (did you mean {near[0]}?)" if near else ""
    return (f"unknown key {key} = {_toml_value(value)}{hint}; expected one of the Definitions "
            "fields listed in docs/definitions.md")


def _toml_value(value: Any) -> str:
    """A value as TOML writes it (texts quoted), for files and messages.

    Examples
    --------
    >>> _toml_value(("a", 'b"c')), _toml_value(10.0), _toml_value(float("nan")), _toml_value(True)
    ('["a", "b\\\\"c"]', '10.0', 'nan', 'true')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _attributes_section() -> str:
    """The numpydoc Attributes section of :class:`Definitions`, from the fields' metadata."""
    out = ["", "    Attributes", "    ----------"]
    for f in fields(Definitions):
        kind = {"count": "int", "days": "int", "years": "float", "level": "float", "text": "str",
                "texts": "tuple of str"}[f.metadata["kind"]]
        out.append(f"    {f.name} : {kind}")
        text = f"{f.metadata['meaning']} Default: {_toml_value(f.default)}."
        out.extend(textwrap.wrap(text, width=92, initial_indent="        ", subsequent_indent="        "))
    return "\n".join(out) + "\n"


Definitions.__doc__ = (Definitions.__doc__ or "").rstrip() + "\n" + _attributes_section()

#: The defaults, for modules that need one shared instance.
DEFAULTS = Definitions()
