"""Whole-family chronologies and per-child history flags.

A whole-family chronology puts every event of every child of one index parent (extract and
paper records), the children's births and the index parent's partner changes on one time line,
and shows, on each date, which other children were open to which service: the "whole family
approach" of the audit's briefing (points 3, 4 and 6).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .codes import CHRONOLOGY_ROW_TYPES, EVENT_TYPES, OPEN_SERVICES
from .labels import (
    SERVICE_LABELS, SOURCE_LABELS, decode_event_codes, event_type_words, practitioner_age, yes_no,
)
from .cohort import Cohort
from .family import events_of
from .siblings import other_birth_parents, partner_timeline

#: Columns of :func:`family_chronology`, in order (``detail`` follows when asked for).
CHRONOLOGY_COLUMNS: tuple[str, ...] = (
    "date",
    "end_date",
    "child_id",
    "birth_order",
    "age_at_event_days",
    "age_text",
    "event_type",
    "category",
    "factors",
    "outcome",
    "source",
    "other_la",
    "before_ics",
    "open_services",
    "related_person_id",
    "event_id",
    "source_ref",
)

#: Tie order on one date: births, then partner changes, then events (by child and journey).
_ROW_RANK = {t: i for i, t in enumerate(CHRONOLOGY_ROW_TYPES + EVENT_TYPES)}


def age_text(dob: pd.Series, date: pd.Series) -> pd.Series:
    """Age at ``date`` as text ``"<years>y <months>m"`` in completed calendar months.

    Before birth the text is the time to birth with a minus sign (``"-0y 3m"``: an unborn
    child three months before birth). Months are completed by day of month (a child born on
    31 January is ``0y 0m`` on 28 February). Missing where either date is missing.

    Examples
    --------
    >>> dob = pd.Series(pd.to_datetime(["2010-06-15", "2010-06-15", "2010-06-15"]))
    >>> age_text(dob, pd.Series(pd.to_datetime(["2014-08-15", "2010-03-10", "2010-06-15"]))).tolist()
    ['4y 2m', '-0y 3m', '0y 0m']
    """
    dob = pd.Series(dob).reset_index(drop=True)
    date = pd.Series(date).reset_index(drop=True)
    before = date < dob
    later = date.where(~before, dob)
    earlier = dob.where(~before, date)
    months = (
        (later.dt.year - earlier.dt.year) * 12
        + (later.dt.month - earlier.dt.month)
        - (later.dt.day < earlier.dt.day).astype("int64")
    )
    missing = dob.isna() | date.isna()
    months = months.where(~missing, 0).astype("int64")
    sign = pd.Series(np.where(before, "-", ""), dtype="string")
    text = sign + (months // 12).astype("string") + "y " + (months % 12).astype("string") + "m"
    return text.where(~missing, pd.NA).astype("string")


def _open_services(rows: pd.DataFrame, episodes: pd.DataFrame) -> pd.Series:
    """For each row (``date``, ``child_id``): which OTHER children were open to which service.

    An interval join within one family: every row against every service episode of the
    family, kept where ``start <= date <= end``. Text such as ``"B: CP plan, CIN; C: CLA"``
    (children in birth order, services in :data:`~neglect_analysis.codes.OPEN_SERVICES`
    order); ``""`` where none was open.
    """
    r = rows[["date", "child_id"]].reset_index(names="_row")
    r = r[r["date"].notna()]
    j = r.merge(episodes, how="cross", suffixes=("", "_ep"))
    same_child = j["child_id"].notna() & (j["child_id"] == j["child_id_ep"]).fillna(False)
    j = j[(j["start"] <= j["date"]) & (j["date"] <= j["stop"]) & ~same_child]
    if j.empty:
        return pd.Series("", index=rows.index, dtype="string")
    j = j.drop_duplicates(["_row", "child_id_ep", "service_rank"])
    j = j.sort_values(["_row", "birth_order_ep", "child_id_ep", "service_rank"], kind="stable")
    per_child = j.groupby(["_row", "birth_order_ep", "child_id_ep"], sort=False)["label"].agg(", ".join)
    per_child = per_child.reset_index()
    per_child["text"] = per_child["child_id_ep"] + ": " + per_child["label"]
    text = per_child.groupby("_row", sort=False)["text"].agg("; ".join)
    return text.reindex(rows.index).fillna("").astype("string")


def family_chronology(
    cohort: Cohort,
    parent_id: str,
    members: pd.DataFrame,
    *,
    include_detail: bool = False,
) -> pd.DataFrame:
    """The whole-family chronology of one index parent, one row per dated item, in date order.

    Implements DESIGN.md "Outputs" (``chronologies/``), with "Involvement" (extract and paper
    events, pre-birth ones included), "Other LA" and "Pre-ICS history". Rows:

    - every event of every child in the parent's sibling group (``cohort.events``, extract and
      paper), dated by its start;
    - each child's birth (``event_type`` ``birth``; ``related_person_id`` = the child's other
      birth parents, joined by ``;``, empty if unknown);
    - the parent's ``partner_of`` partnerships (read in both directions): a ``partner_start``
      row on the start date and a ``partner_end`` row on the end date when there is one
      (``related_person_id`` = the partner). A partnership with no start date has its
      ``partner_start`` row undated, at the end.

    Columns (:data:`CHRONOLOGY_COLUMNS`): ``date``, ``end_date``, ``child_id``, ``birth_order``,
    ``age_at_event_days`` (date - dob; negative before birth), ``age_text`` (see
    :func:`age_text`: ``"-0y 3m"``, ``"4y 2m"``), ``event_type``, ``category``, ``factors``,
    ``outcome``, ``source`` (``ics``/``paper``), ``other_la``, ``before_ics`` (date before
    ``cohort.ics_start_date``), ``open_services``, ``related_person_id``, ``event_id``,
    ``source_ref``; and ``detail`` (paper free text) only with ``include_detail=True``.

    ``open_services`` lists, for the row's date, the OTHER children of the family open to a
    service (:data:`~neglect_analysis.codes.OPEN_SERVICES`: CLA, CP plan, CIN = a referral
    from its date to its close date, early help), e.g. ``"B: CP plan, CIN; C: early help"``;
    ``""`` when none. Intervals include both ends; an extract episode with no end date is open
    (DESIGN.md "a missing end date is an open episode"), except that a paper record has no end
    date, so a paper episode counts as open on its own date only (nothing is assumed about its
    length), and a referral marked NFA with no close date is open on its own date only.

    Order: date (undated last), then births, partner changes, events; events on one date by
    birth order, then journey order of the type (contact ... care proceedings, paper), then
    event id: deterministic whatever the input order.

    Examples
    --------
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1980-01-01", "2005-03-01", "2012-06-15"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> events = pd.DataFrame({"person_id": ["A", "B"], "event_type": ["cp_plan", "referral"],
    ...                        "start_date": ["2012-01-10", "2012-03-01"], "end_date": ["2013-01-10", None]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    >>> ch = family_chronology(c, "M", members(c, ["M"]))
    >>> ch[["child_id", "event_type", "age_text", "open_services"]].values.tolist()
    [['A', 'birth', '0y 0m', ''], ['A', 'cp_plan', '6y 10m', ''], ['B', 'referral', '-0y 3m', 'A: CP plan'], ['B', 'birth', '0y 0m', 'A: CP plan']]
    """
    parent_id = str(parent_id)
    kids = (
        members.loc[members["parent_id"] == parent_id, ["parent_id", "child_id", "birth_order", "dob"]]
        .drop_duplicates("child_id")
        .reset_index(drop=True)
    )
    ev = events_of(cohort, kids)

    events = pd.DataFrame(
        {
            "date": ev["start_date"],
            "end_date": ev["end_date"],
            "child_id": ev["person_id"],
            "event_type": ev["event_type"],
            "category": ev["category"],
            "factors": ev["factors"],
            "outcome": ev["outcome"],
            "source": ev["source"],
            "other_la": ev["other_la"],
            "related_person_id": pd.Series(pd.NA, index=ev.index, dtype="string"),
            "event_id": ev["event_id"],
            "source_ref": ev["source_ref"],
            "detail": ev["detail"],
        }
    )

    others = other_birth_parents(cohort, kids).sort_values(["child_id", "other_id"])
    other_ids = others.groupby("child_id")["other_id"].agg(";".join)
    births = pd.DataFrame(
        {
            "date": kids["dob"],
            "child_id": kids["child_id"],
            "event_type": "birth",
            "source": "ics",
            "other_la": False,
            "related_person_id": kids["child_id"].map(other_ids),
            "source_ref": "ssd_person",
        }
    )

    pt = partner_timeline(cohort, [parent_id])
    pt = pt[pt["source"] == "partner_of"]
    starts = pd.DataFrame(
        {
            "date": pt["start_date"],
            "end_date": pt["end_date"],
            "event_type": "partner_start",
            "source": "ics",
            "other_la": False,
            "related_person_id": pt["partner_id"],
            "source_ref": "relationships",
        }
    )
    ended = pt[pt["end_date"].notna()]
    ends = pd.DataFrame(
        {
            "date": ended["end_date"],
            "event_type": "partner_end",
            "source": "ics",
            "other_la": False,
            "related_person_id": ended["partner_id"],
            "source_ref": "relationships",
        }
    )

    parts = [p for p in (events, births, starts, ends) if len(p)]
    chron = pd.concat(parts, ignore_index=True) if parts else events.iloc[0:0].copy()
    for col in ("end_date", "category", "factors", "outcome", "event_id", "detail", "child_id"):
        if col not in chron:
            chron[col] = pd.NA
    chron["date"] = chron["date"].astype("datetime64[ns]")
    chron["end_date"] = chron["end_date"].astype("datetime64[ns]")
    for col in ("child_id", "event_type", "category", "factors", "outcome", "source",
                "related_person_id", "event_id", "source_ref", "detail"):
        chron[col] = chron[col].astype("string")
    chron["factors"] = chron["factors"].fillna("")
    chron["other_la"] = chron["other_la"].fillna(False).astype(bool)

    chron = chron.merge(kids[["child_id", "birth_order", "dob"]], on="child_id", how="left")
    chron["birth_order"] = chron["birth_order"].astype("Int64")
    chron["age_at_event_days"] = (chron["date"] - chron["dob"]).dt.days.astype("Int64")
    chron["age_text"] = pd.Series(age_text(chron["dob"], chron["date"]).array, index=chron.index)
    chron["before_ics"] = (chron["date"] < cohort.ics_start_date).fillna(False).astype(bool)
    chron["_rank"] = chron["event_type"].map(_ROW_RANK).fillna(len(_ROW_RANK)).astype("int64")
    chron = _sort(chron)

    latest = max(cohort.audit_date, chron["date"].max()) if chron["date"].notna().any() else cohort.audit_date
    episodes = service_episodes(ev, latest).rename(columns={"child_id": "child_id_ep"})
    ep_order = kids[["child_id", "birth_order"]].rename(
        columns={"child_id": "child_id_ep", "birth_order": "birth_order_ep"}
    )
    episodes = episodes.merge(ep_order, on="child_id_ep")
    chron["open_services"] = _open_services(chron, episodes)

    cols = list(CHRONOLOGY_COLUMNS) + (["detail"] if include_detail else [])
    return chron[cols]


#: Columns of :func:`practitioner_chronology`, in order (``detail`` follows when present).
PRACTITIONER_COLUMNS: tuple[str, ...] = (
    "date",
    "end_date",
    "event_type",
    "children",
    "n_children",
    "ages",
    "category_code",
    "category_words",
    "factor_codes",
    "factor_words",
    "outcome_code",
    "outcome_words",
    "source",
    "other_la",
    "before_ics",
    "open_services",
    "related_person_id",
    "event_type_code",
    "event_id",
    "source_ref",
)

#: What two rows of one family must share to be one family event (besides being events of
#: children, not births or partner changes): see :func:`practitioner_chronology`.
FAMILY_EVENT_KEY: tuple[str, ...] = (
    "event_type", "date", "end_date", "category", "factors", "outcome", "source", "other_la",
)


def practitioner_chronology(chron: pd.DataFrame) -> pd.DataFrame:
    """A whole-family chronology as a practitioner reads it: family events on one row, codes
    with their words, Yes/No, "pre-birth".

    ``chron`` is the output of :func:`family_chronology` (one row per child per event), which
    stays the analysis table; this is the view of the workbooks. Rules:

    - Family event: rows of children (not births or partner changes) with the same
      :data:`FAMILY_EVENT_KEY` (event type, start and end date, category, assessment
      factors, outcome, where recorded, other-authority flag) and, for paper records, the
      same document reference are one event recorded once per child (an SSD extract holds a
      contact about a family as one contact per child). They become one row: ``children``
      lists the children in birth order (``;``-joined), ``n_children`` counts them, ``ages``
      gives each child's age (``"A: 4y 2m; B: pre-birth"``; the age alone for one child),
      ``event_id`` and ``source_ref`` join the children's record ids.
    - ``open_services``: the other children open to a service on that date, children of the
      row left out (as in :func:`family_chronology`).
    - Codes beside words (:func:`neglect_analysis.labels.decode_event_codes`): category,
      assessment factors, outcome; ``event_type`` in words, its code in ``event_type_code``.
    - ``source`` in words ("Case system", "Paper file"); ``other_la`` and ``before_ics`` as
      "Yes"/"No"; an age before birth as "pre-birth".

    Row order: the order of ``chron`` (each row where its first child's row was).

    Examples
    --------
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1980-01-01", "2005-03-01", "2012-06-15"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> events = pd.DataFrame({"person_id": ["A", "B"], "event_type": "contact", "category": "3B",
    ...                        "start_date": "2012-03-01", "outcome": "NFA_FLAG"})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    >>> v = practitioner_chronology(family_chronology(c, "M", members(c, ["M"])))
    >>> v[["event_type", "children", "ages", "category_words", "outcome_words"]].values.tolist()[1]
    ['Contact', 'A; B', 'A: 7y 0m; B: pre-birth', 'Health visitor', 'No further action']
    """
    ch = chron.reset_index(drop=True)
    is_event = ch["event_type"].isin(list(EVENT_TYPES)).fillna(False) & ch["child_id"].notna()
    paper_ref = ch["source_ref"].where(ch["source"] == "paper", "").fillna("")
    key = ch[list(FAMILY_EVENT_KEY)].astype("string").fillna("\x00")
    key["paper_ref"] = paper_ref
    key["single"] = np.where(is_event, -1, np.arange(len(ch)))  # other rows: never merged
    group = key.groupby(list(key.columns), sort=False, dropna=False).ngroup().to_numpy()
    ch["_group"] = group

    age = practitioner_age(ch["age_text"], ch["age_at_event_days"])
    g = ch.groupby("_group", sort=False)
    first = g.head(1).set_index("_group")
    n = g["child_id"].count().reindex(first.index).fillna(0).astype("int64")
    children = ch[ch["child_id"].notna()].groupby("_group", sort=False)["child_id"].agg("; ".join)
    named = ch["child_id"].astype(object).fillna("").astype("string")  # all-missing: no null type
    labelled = (named + ": " + age.astype(object).fillna("").astype("string")).where(ch["child_id"].notna())
    ages = labelled.dropna().groupby(ch["_group"]).agg("; ".join)
    ages = ages.reindex(first.index)
    ages = ages.where(n > 1, age.groupby(ch["_group"]).first().reindex(first.index))

    def joined(col: str) -> pd.Series:
        v = ch[col].dropna()
        return v.groupby(ch.loc[v.index, "_group"], sort=False).agg(lambda s: "; ".join(dict.fromkeys(s)))

    out = first.reset_index(drop=False)
    idx = out["_group"]
    decoded = decode_event_codes(out)
    view = pd.DataFrame(
        {
            "date": out["date"],
            "end_date": out["end_date"],
            "event_type": event_type_words(out["event_type"]),
            "children": idx.map(children).astype("string"),
            "n_children": idx.map(n).astype("int64"),
            "ages": idx.map(ages).astype("string"),
        }
    )
    view = pd.concat([view, decoded], axis=1)
    view["source"] = out["source"].map(SOURCE_LABELS).fillna(out["source"]).astype("string")
    view["other_la"] = yes_no(out["other_la"])
    view["before_ics"] = yes_no(out["before_ics"])
    view["open_services"] = _family_open_services(ch).reindex(idx).fillna("").astype("string").array
    view["related_person_id"] = out["related_person_id"]
    view["event_type_code"] = out["event_type"]
    view["event_id"] = idx.map(joined("event_id")).astype("string")
    view["source_ref"] = idx.map(joined("source_ref")).astype("string")
    cols = list(PRACTITIONER_COLUMNS)
    if "detail" in ch.columns:
        view["detail"] = idx.map(joined("detail")).astype("string")
        cols.append("detail")
    return view[cols]


def _family_open_services(ch: pd.DataFrame) -> pd.Series:
    """Per row group (``_group``): the union of its rows' ``open_services`` entries, without
    the group's own children, in birth order of the children named."""
    s = ch[["_group", "open_services"]]
    s = s[s["open_services"].fillna("") != ""]
    if s.empty:
        return pd.Series(dtype="string")
    e = s.assign(entry=s["open_services"].str.split("; ")).explode("entry")
    e["who"] = e["entry"].str.split(": ", n=1).str[0]
    members = ch.loc[ch["child_id"].notna(), ["_group", "child_id"]].drop_duplicates()
    e = e.merge(members, left_on=["_group", "who"], right_on=["_group", "child_id"], how="left", indicator=True)
    e = e[e["_merge"] == "left_only"]
    order = ch.dropna(subset=["child_id"]).drop_duplicates("child_id").set_index("child_id")["birth_order"]
    e = e.assign(bo=e["who"].map(order)).sort_values(["_group", "bo", "who"], kind="stable")
    e = e.drop_duplicates(["_group", "entry"])
    return e.groupby("_group", sort=False)["entry"].agg("; ".join).astype("string")


def service_episodes(events: pd.DataFrame, open_until: str | pd.Timestamp) -> pd.DataFrame:
    """The service episodes of ``events`` (CLA, CP plan, CIN, early help), each with the day
    it stops being open: the one rule of "open to a service" for chronologies and lists.

    Implements the rule of :func:`family_chronology` (``open_services``): an extract episode
    with no end date is open until ``open_until``; a paper record has no end date, so a paper
    episode is open on its own date only; a referral marked NFA with no close date likewise.
    A CIN episode is a referral from its date to its close date.

    Returns one row per episode, in the order of ``events``: ``child_id`` (the event's
    ``person_id``), ``start``, ``stop`` (both days open), ``service_rank`` (order of
    :data:`~neglect_analysis.codes.OPEN_SERVICES`: CLA first) and ``label`` (its words,
    :data:`~neglect_analysis.labels.SERVICE_LABELS`: "CLA", "CP plan", "CIN", "early help").

    Examples
    --------
    >>> ev = pd.DataFrame({"person_id": ["A", "A"], "event_type": ["cp_plan", "contact"],
    ...                    "start_date": pd.to_datetime(["2017-01-01", "2017-02-01"]), "end_date": pd.NaT,
    ...                    "source": "ics", "nfa": pd.NA})
    >>> e = service_episodes(ev, "2018-07-31")
    >>> e[["child_id", "label"]].values.tolist(), str(e.loc[0, "stop"].date())
    ([['A', 'CP plan']], '2018-07-31')
    """
    ep = events[events["event_type"].isin(list(OPEN_SERVICES))]
    until = pd.Timestamp(open_until)
    nfa = ep["nfa"].astype("boolean").fillna(False).astype(bool)
    one_day = (ep["source"] == "paper") | ((ep["event_type"] == "referral") & nfa)
    open_end = ep["end_date"].where(ep["end_date"].notna(), ep["start_date"].where(one_day, until))
    service_rank = {t: i for i, t in enumerate(OPEN_SERVICES)}
    types = ep["event_type"].astype("string")
    return pd.DataFrame(
        {
            "child_id": ep["person_id"].to_numpy(),
            "start": ep["start_date"].to_numpy(),
            "stop": open_end.astype("datetime64[ns]").to_numpy(),
            "service_rank": types.map(service_rank).to_numpy(),
            "label": types.map(SERVICE_LABELS).to_numpy(),
        }
    )


def _sort(chron: pd.DataFrame) -> pd.DataFrame:
    """Deterministic chronology order: date (undated last), births, partner rows, events."""
    kind = chron["event_type"].map({"birth": 0, "partner_start": 1, "partner_end": 1}).fillna(2)
    keyed = chron.assign(_kind=kind.astype("int64"))
    keyed = keyed.sort_values(
        ["date", "_kind", "birth_order", "_rank", "event_id", "related_person_id", "end_date"],
        na_position="last",
        kind="stable",
    )
    return keyed.drop(columns=["_kind", "_rank"]).reset_index(drop=True)
