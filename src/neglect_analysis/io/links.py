"""Parent-child links and partners from ``relationships``, ``ssd_mother`` or ``ssd_family``.

DESIGN.md: links come from ``relationships`` where the extract has it, else ``ssd_mother``,
else ``ssd_family``; each link records its source. A parent absent from ``ssd_person`` is kept
(``in_extract`` False, unknown dob, a note); a child absent from ``ssd_person`` is an error and
the link is dropped.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import codes
from ..idsets import IdSet, id_set, positions
from .arrowtext import has_repeats, map_distinct, take_codes
from .checks import TableRows
from .readers import ROW
from .validation import quote

#: A parent must be at least this old (whole years) at the child's birth (DESIGN.md validation).
MIN_PARENT_AGE_YEARS = 12
#: Most birth parents a child can have.
MAX_BIRTH_PARENTS = 2
#: Generations followed when looking for loops in the family tree.
MAX_GENERATIONS = 20

LINK_COLUMNS = ["parent_id", "child_id", "relationship", "source", ROW]


def _norm_relationship(s: pd.Series) -> pd.Series:
    # normalised once per distinct text (a handful), not once per row
    return map_distinct(s, lambda u: u.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True))


def from_relationships(t: TableRows, person_ids: IdSet | pd.Index) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``relationships`` rows -> ``(links, partners)``.

    ``mother_of`` / ``father_of`` rows: ``person_id`` is the parent, ``related_person_id`` the
    child. ``partner_of`` rows go to partners with their dates (bad dates: error, left empty;
    end before start: error, end ignored). Relationship text is matched ignoring case, spaces
    and hyphens (``Mother of`` = ``mother_of``); other relationships are errors (row dropped).
    Repeated birth links are dropped with a warning. Returned links keep ``_row`` for later
    checks.

    Examples
    --------
    >>> from neglect_analysis.io.validation import ProblemLog
    >>> df = pd.DataFrame({"person_id": ["M", "M", "M"], "related_person_id": ["C", "F", "C"],
    ...                    "relationship": ["Mother of", "partner_of", "aunt_of"],
    ...                    "start_date": [None, "2001-01-01", None], "end_date": None, "_row": [2, 3, 4]})
    >>> links, partners = from_relationships(TableRows("relationships", "relationships.csv", df, ProblemLog()),
    ...                                      pd.Index(["M", "C"]))
    >>> links[["parent_id", "child_id", "relationship"]].values.tolist(), partners["partner_id"].tolist()
    ([['M', 'C', 'mother_of']], ['F'])
    """
    t.require_value("person_id")
    t.require_value("related_person_id")
    t.require_value("relationship")
    rel = _norm_relationship(t.col("relationship"))
    unknown = ~rel.isin(list(codes.RELATIONSHIPS))
    if t.hits(unknown):  # messages are built only when there is a row to report
        t.report(unknown, "relationship", "relationship " + quote(t.col("relationship"))
                 + " is not mother_of, father_of or partner_of; row dropped", check="unknown_code")
    birth = rel.isin(list(codes.BIRTH_RELATIONSHIPS))
    child = t.col("related_person_id")
    self_link = t.col("person_id") == child
    if t.hits(self_link):
        t.report(self_link, "related_person_id", "person_id and related_person_id are both " + quote(child, "person")
                 + " (a person linked to themselves); row dropped", check="link_cycle")
    absent_child = birth & ~id_set(person_ids).contains(child)
    if t.hits(absent_child):
        t.report(absent_child, "related_person_id",
                 "related_person_id " + quote(child, "person") + " (the child) is not in ssd_person; row dropped",
                 check="unknown_person")
    pair = t.col("person_id") + "\x1f" + child
    kept_pair = pair.where(birth & t.keep)
    if has_repeats(kept_pair):  # usually not: found without hashing every pair
        dup = kept_pair.duplicated(keep="first") & kept_pair.notna()
        first = t.df.loc[kept_pair.notna() & ~dup, ROW]
        first_by_pair = pd.Series(first.to_numpy(), index=kept_pair[kept_pair.notna() & ~dup].to_numpy())
        t.report(dup, "related_person_id",
                 "link of " + quote(t.col("person_id"), "person") + " to " + quote(child, "person") + " repeats row "
                 + pair.map(first_by_pair).astype("Int64").astype("string") + "; row dropped",
                 check="duplicate_id", severity="warning")
    partner = rel == "partner_of"
    _partner_of_child(t, partner, birth, child)
    start = t.date("start_date", required=False)
    end = t.date("end_date", required=False)
    end = t.date_order(start, end, "start_date", "end_date")
    keep = t.keep
    links = pd.DataFrame({
        "parent_id": t.col("person_id"), "child_id": child, "relationship": rel,
        "source": "relationships", ROW: t.df[ROW],
    })[keep & birth]
    partners = pd.DataFrame({
        "person_id": t.col("person_id"), "partner_id": child, "start_date": start, "end_date": end,
    })[keep & partner]
    return links.reset_index(drop=True), partners.reset_index(drop=True)


def _partner_of_child(t: TableRows, partner: pd.Series, birth: pd.Series, child: pd.Series) -> None:
    """Drop (error) a ``partner_of`` row between a parent and their own child (a birth link,
    either way round, on a kept row of the table): the partner row is the impossible one
    and is dropped; the birth link is kept, as the family's structure rests on it."""
    parent = t.col("person_id")
    kept_birth = (birth & t.keep).to_numpy(dtype=bool)
    if not kept_birth.any() or not t.hits(partner):
        return
    pair = parent + "\x1f" + child
    births = pd.Series(t.df[ROW].to_numpy()[kept_birth], index=pair[kept_birth].to_numpy())
    births = births[~births.index.duplicated()]
    forward = pair.map(births)
    backward = (child + "\x1f" + parent).map(births)
    link_row = forward.fillna(backward)
    bad = partner & link_row.notna()
    if t.hits(bad):
        t.report(bad, "relationship",
                 "relationship " + quote(t.col("relationship")) + " of " + quote(parent, "person")
                 + " and " + quote(child, "person") + ", but row "
                 + link_row.astype("Int64").astype("string")
                 + " makes one the birth parent of the other; row dropped", check="partner_of_child")


def from_ssd_mother(t: TableRows, person_ids: IdSet | pd.Index) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``ssd_mother`` rows -> ``(links, child_dobs)``: ``mother_of`` links, source ``ssd_mother``.

    ``moth_person_id`` is the mother, ``moth_childs_person_id`` the child (must be in
    ``ssd_person``). ``child_dobs`` (``person_id``, ``dob``) holds ``moth_childs_dob`` where
    given, used only for children whose ``ssd_person`` row has no dob.

    Examples
    --------
    >>> from neglect_analysis.io.validation import ProblemLog
    >>> df = pd.DataFrame({"moth_person_id": ["M", "M"], "moth_childs_person_id": ["C", "X"],
    ...                    "moth_childs_dob": ["2010-01-01", None], "_row": [2, 3]})
    >>> log = ProblemLog()
    >>> links, dobs = from_ssd_mother(TableRows("ssd_mother", "ssd_mother.csv", df, log), pd.Index(["M", "C"]))
    >>> links[["parent_id", "child_id", "relationship", "source"]].values.tolist()
    [['M', 'C', 'mother_of', 'ssd_mother']]
    >>> log.frame()["problem"].tolist()
    ['ssd_mother.csv row 3: moth_childs_person_id X (the child) is not in ssd_person; row dropped']
    """
    t.require_value("moth_person_id")
    t.known_person("moth_childs_person_id", person_ids, role="the child")
    dob = t.date("moth_childs_dob", required=False)
    pair = t.col("moth_person_id") + "\x1f" + t.col("moth_childs_person_id")
    if has_repeats(pair.where(t.keep)):  # usually not: found without hashing every pair
        dup = pair.where(t.keep).duplicated() & t.keep
        t.report(dup, "moth_childs_person_id", "repeats an earlier link of the same mother and child; "
                 "row dropped", check="duplicate_id", severity="warning")
    links = pd.DataFrame({
        "parent_id": t.col("moth_person_id"), "child_id": t.col("moth_childs_person_id"),
        "relationship": "mother_of", "source": "ssd_mother", ROW: t.df[ROW],
    })[t.keep]
    dobs = pd.DataFrame({"person_id": t.col("moth_childs_person_id"), "dob": dob})[t.keep & dob.notna()]
    return links.reset_index(drop=True), dobs.drop_duplicates("person_id").reset_index(drop=True)


def from_ssd_family(t: TableRows, persons: pd.DataFrame, *,
                    min_parent_age_years: float = MIN_PARENT_AGE_YEARS) -> pd.DataFrame:
    """Infer ``parent_of`` links from ``ssd_family`` family ids (source ``ssd_family``).

    SSD's family id says who lives together, not who is whose parent. The rule chosen (an
    auditor's reading, documented so it can be checked): within each family, sort the members
    with a known dob; a gap of at least ``min_parent_age_years`` (12) years between consecutive
    members starts a new generation. The youngest generation are the children; the generation
    just above them are their parents (so a grandparent two generations up is not linked). A
    family with one generation gives no links. Members without dob cannot be placed: kept
    unlinked, with a warning. Members must be in ``ssd_person`` (else error, row dropped).

    Examples
    --------
    >>> from neglect_analysis.io.validation import ProblemLog
    >>> df = pd.DataFrame({"fami_family_id": ["F1"] * 4, "fami_person_id": ["G", "M", "A", "B"],
    ...                    "_row": [2, 3, 4, 5]})
    >>> persons = pd.DataFrame({"person_id": ["G", "M", "A", "B"],
    ...     "dob": pd.to_datetime(["1950-01-01", "1975-01-01", "2000-01-01", "2005-06-01"])})
    >>> links = from_ssd_family(TableRows("ssd_family", "ssd_family.csv", df, ProblemLog()), persons)
    >>> links[["parent_id", "child_id", "relationship"]].values.tolist()
    [['M', 'A', 'parent_of'], ['M', 'B', 'parent_of']]
    """
    t.require_value("fami_family_id")
    t.known_person("fami_person_id", pd.Index(persons["person_id"]))
    fam = pd.DataFrame({"family_id": t.col("fami_family_id"), "person_id": t.col("fami_person_id"),
                        ROW: t.df[ROW]})
    dob = fam["person_id"].map(persons.drop_duplicates("person_id").set_index("person_id")["dob"])
    if t.hits(dob.isna()):
        t.report(dob.isna(), "fami_person_id",
                 "fami_person_id " + quote(t.col("fami_person_id"), "person")
                 + " has no date of birth, so cannot be placed as parent or child; not linked",
                 check="no_dob", severity="warning", drop=False)
    fam = fam.assign(dob=dob)[t.keep & dob.notna()]
    fam = fam.drop_duplicates(["family_id", "person_id"]).sort_values(["family_id", "dob", "person_id"])
    gap_years = fam.groupby("family_id")["dob"].diff().dt.days / 365.25
    fam["generation"] = (gap_years >= min_parent_age_years).astype(int).groupby(fam["family_id"]).cumsum()
    last = fam.groupby("family_id")["generation"].transform("max")
    children = fam[(fam["generation"] == last) & (last >= 1)]
    parents = fam[fam["generation"] == last - 1]
    links = parents[["family_id", "person_id", ROW]].rename(columns={"person_id": "parent_id"}).merge(
        children[["family_id", "person_id"]].rename(columns={"person_id": "child_id"}), on="family_id")
    links = links.assign(relationship="parent_of", source="ssd_family")
    return links[LINK_COLUMNS].sort_values(["parent_id", "child_id"]).reset_index(drop=True)


def _on_table(t: TableRows, mask: pd.Series, series: pd.Series, where: pd.Series):
    """Move a per-link mask and text onto the link table's rows (``where``: link -> table index)."""
    m = pd.Series(False, index=t.df.index)
    txt = pd.Series(pd.NA, index=t.df.index, dtype="string")
    sel = where[mask.to_numpy()]
    m.loc[sel.to_numpy()] = True
    txt.loc[sel.to_numpy()] = series[mask].to_numpy()
    return m, txt


def ancestor_pairs(links: pd.DataFrame, *, max_generations: int = MAX_GENERATIONS) -> pd.DataFrame:
    """Every (ancestor, descendant) pair reachable through parent links, vectorised.

    Repeated self-joins, one generation at a time, stopping when no new pair appears (or after
    ``max_generations``, far more than any real family).

    Examples
    --------
    >>> links = pd.DataFrame({"parent_id": ["A", "B", "C"], "child_id": ["B", "C", "A"]})
    >>> sorted(map(tuple, ancestor_pairs(links).values.tolist()))[:4]
    [('A', 'A'), ('A', 'B'), ('A', 'C'), ('B', 'A')]
    """
    edges = links[["parent_id", "child_id"]].drop_duplicates().rename(
        columns={"parent_id": "anc", "child_id": "desc"})
    pairs = edges
    frontier = edges
    for _ in range(max_generations):
        step = frontier.merge(edges.rename(columns={"anc": "desc", "desc": "next"}), on="desc")
        step = step[["anc", "next"]].rename(columns={"next": "desc"}).drop_duplicates()
        new = step.merge(pairs, on=["anc", "desc"], how="left", indicator=True)
        new = new.loc[new["_merge"] == "left_only", ["anc", "desc"]]
        if new.empty:
            break
        pairs = pd.concat([pairs, new], ignore_index=True)
        frontier = new
    return pairs.reset_index(drop=True)


def _maybe_on_cycle(parent: np.ndarray, child: np.ndarray) -> np.ndarray:
    """Links (integer person codes ``parent -> child``) that may lie on a loop.

    A link whose parent has no parent, or whose child has no child, among the links left is on
    no loop; removing such links until none is left keeps every link of every loop (each
    person on a loop has a parent and a child on it). One pass per generation of the family
    tree. What is left is usually nothing; :func:`_drop_cycles` checks it exactly.

    Examples
    --------
    >>> # 0 -> 1 -> 2 -> 1 (a loop 1 <-> 2), 3 -> 4
    >>> _maybe_on_cycle(np.array([0, 1, 2, 3]), np.array([1, 2, 1, 4])).tolist()
    [False, True, True, False]
    """
    left = np.ones(len(parent), dtype=bool)
    n = int(max(parent.max(), child.max())) + 1 if len(parent) else 0
    while True:
        has_parent = np.bincount(child[left], minlength=n) > 0
        has_child = np.bincount(parent[left], minlength=n) > 0
        still = left & has_parent[parent] & has_child[child]
        if still.sum() == left.sum():
            return still
        left = still


def _drop_cycles(links: pd.DataFrame, t: TableRows, *, parent: np.ndarray,
                 child: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop (error) birth links on a cycle: a child who is also its parent's ancestor.

    With both dates of birth known a cycle is already broken by the age check (someone is not
    older than their child); this catches cycles among people without a date of birth.
    ``parent``/``child``: integer codes of the links' people (see :func:`_person_codes`); only
    the links :func:`_maybe_on_cycle` leaves are searched with :func:`ancestor_pairs` (every
    path between people on a loop runs through such links, so the result is the same as
    searching all links). Returns the links kept and the mask of those kept.
    """
    on_cycle = pd.Series(False, index=links.index)
    candidates = _maybe_on_cycle(parent, child)
    if candidates.any():
        sub = links[candidates]
        pairs = ancestor_pairs(sub)
        key = pd.MultiIndex.from_frame(pairs[["anc", "desc"]])
        back = pd.MultiIndex.from_arrays([sub["child_id"], sub["parent_id"]])
        on_cycle[candidates] = back.isin(key)
    if on_cycle.any():
        text = ("parent " + quote(links["parent_id"], "person") + " is also a descendant of their child "
                + quote(links["child_id"], "person") + " (a loop in the family tree); row dropped, correct the "
                "relationships")
        m, txt = _on_table(t, on_cycle, text, _table_index(t, links[ROW]))
        t.report(m, None, txt, check="link_cycle", values=None)
    kept = ~on_cycle.to_numpy()
    return links[kept].reset_index(drop=True), kept


def _table_index(t: TableRows, rows: pd.Series) -> pd.Series:
    """Index in ``t.df`` of each file row number in ``rows`` (links keep their ``_row``)."""
    return rows.map(pd.Series(t.df.index, index=t.df[ROW].to_numpy()))


def _person_codes(links: pd.DataFrame, persons: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of each link's parent and child: the person's first row in ``persons``
    (one hash pass per column, then every later step works on integers); an id absent from
    ``persons`` gets a code after theirs (-1 never appears).

    Examples
    --------
    >>> links = pd.DataFrame({"parent_id": ["M", "X"], "child_id": ["C", "M"]})
    >>> [a.tolist() for a in _person_codes(links, pd.DataFrame({"person_id": ["C", "M"]}))]
    [[1, 2], [0, 1]]
    """
    ids = persons["person_id"]
    both = pd.concat([links["parent_id"], links["child_id"]], ignore_index=True)
    codes = positions(both, ids)  # one hash of the persons for both columns
    absent = codes < 0
    if absent.any():  # only when called with persons lacking some ids (load adds them all)
        codes[absent] = len(ids) + pd.factorize(both[absent])[0]
    return codes[:len(links)], codes[len(links):]


def _parents_per_child(parent: np.ndarray, child: np.ndarray) -> np.ndarray:
    """For each link (integer codes), the number of distinct parents its child has.

    Examples
    --------
    >>> _parents_per_child(np.array([5, 6, 5, 7]), np.array([1, 1, 1, 2])).tolist()
    [2, 2, 2, 1]
    """
    if len(parent) == 0:
        return np.zeros(0, dtype=np.int64)
    width = int(parent.max()) + 1
    pairs = np.sort(child.astype(np.int64) * width + parent)  # sorted: no hash (np.unique's is slow)
    distinct = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    per_child = np.bincount(distinct // width, minlength=int(child.max()) + 1)
    return per_child[child]


def check_links(links: pd.DataFrame, persons: pd.DataFrame, t: TableRows, *,
                min_parent_age_years: int = MIN_PARENT_AGE_YEARS,
                max_birth_parents: int = MAX_BIRTH_PARENTS,
                person_codes: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """Plausibility of links: parent at least ``min_parent_age_years`` at the birth, and at most
    ``max_birth_parents`` parents per child.

    A parent younger than 12 (whole calendar years) at the child's birth, or not older than the
    child (a reversed link, which also breaks a loop such as a child entered as its own
    parent's parent): error, link dropped (the link or a dob is wrong; the link cannot be
    trusted). Links on a loop among people without dates of birth: error, dropped (see
    :func:`ancestor_pairs`). A child with more than two distinct birth parents: error on each
    of its links, links kept (the loader cannot tell which one is wrong; the auditor must
    correct the extract).
    Returns the links still kept. ``person_codes``: the links' ``(parent, child)`` person codes as
    :func:`_person_codes` gives them, when the caller has them already (the loader does).

    Examples
    --------
    >>> from neglect_analysis.io.validation import ProblemLog
    >>> persons = pd.DataFrame({"person_id": ["M", "C"], "dob": pd.to_datetime(["2000-03-02", "2012-03-01"])})
    >>> df = pd.DataFrame({"_row": [2]})
    >>> links = pd.DataFrame({"parent_id": ["M"], "child_id": ["C"], "relationship": ["mother_of"],
    ...                       "source": ["relationships"], "_row": [2]})
    >>> log = ProblemLog()
    >>> len(check_links(links, persons, TableRows("relationships", "relationships.csv", df, log)))
    0
    >>> log.frame()["problem"].tolist()
    ['relationships.csv row 2: parent M (born 2000-03-02) was 11 at the birth of C (born 2012-03-01); row dropped']
    """
    if links.empty:
        return links
    parent, child = _person_codes(links, persons) if person_codes is None else person_codes
    dobs = persons["dob"].to_numpy(dtype="datetime64[ns]")
    pdob = pd.Series(_dob_at(dobs, parent), index=links.index)
    cdob = pd.Series(_dob_at(dobs, child), index=links.index)
    known = pdob.notna() & cdob.notna()
    p = pd.DatetimeIndex(pdob)
    c = pd.DatetimeIndex(cdob)
    age = pd.Series(c.year - p.year - ((c.month * 100 + c.day) < (p.month * 100 + p.day)).astype(int),
                    index=links.index)
    young = known & (age < min_parent_age_years)
    iso = lambda s: s.dt.strftime("%Y-%m-%d").astype("string")  # noqa: E731
    # messages only for the links reported (formatting every link's dates costs seconds)
    if young.any():
        after = known & (pdob >= cdob)
        text = pd.Series(pd.NA, index=links.index, dtype="string")
        y = young.to_numpy()
        yl, yp, yc, ya, yaft = links[y], pdob[y], cdob[y], age[y], after[y]
        msg = ("parent " + quote(yl["parent_id"], "person") + " (born " + iso(yp) + ") was "
               + ya.astype("Int64").astype("string") + " at the birth of " + quote(yl["child_id"], "person")
               + " (born " + iso(yc) + "); row dropped")
        msg = msg.where(~yaft, "parent " + quote(yl["parent_id"], "person") + " (born " + iso(yp)
                        + ") is not older than their child " + quote(yl["child_id"], "person") + " (born "
                        + iso(yc) + "); the link is reversed or a date of birth is wrong; row dropped")
        text[y] = msg.astype("string").to_numpy()
        m, txt = _on_table(t, young, text, _table_index(t, links[ROW]))
        t.report(m, None, txt, check="young_parent", values=None)
    kept = ~young.to_numpy()
    links, parent, child = links[kept].reset_index(drop=True), parent[kept], child[kept]
    links, kept = _drop_cycles(links, t, parent=parent, child=child)
    parent, child = parent[kept], child[kept]
    birth = links["relationship"].isin(list(codes.BIRTH_RELATIONSHIPS) + ["parent_of"]).to_numpy()
    many = pd.Series(False, index=links.index)
    many[birth] = _parents_per_child(parent[birth], child[birth]) > max_birth_parents
    if many.any():
        births = links[birth]
        names = births.drop_duplicates(["child_id", "parent_id"]).sort_values("parent_id").assign(
            parent_id=lambda b: quote(b["parent_id"], "person")).groupby("child_id")["parent_id"].agg(", ".join)
        count = births.groupby("child_id")["parent_id"].nunique()
        text = ("child " + quote(links["child_id"], "person") + " has " + links["child_id"].map(count).astype("string")
                + " birth parents (" + links["child_id"].map(names) + "; at most "
                + str(max_birth_parents) + "); link kept until the extract is corrected")
        m, txt = _on_table(t, many, text, _table_index(t, links[ROW]))
        t.report(m, None, txt, check="too_many_parents", drop=False, values=None)
    check_parent_sex(links, persons, t, parent=parent)
    return links


#: Sex (one letter, as ``persons.sex``) a birth parent cannot have, per relationship.
IMPOSSIBLE_PARENT_SEX: dict[str, str] = {"mother_of": "M", "father_of": "F"}


def check_parent_sex(links: pd.DataFrame, persons: pd.DataFrame, t: TableRows, *,
                     parent: np.ndarray | None = None) -> None:
    """Report (error) a ``mother_of`` link from a person recorded as male, or a ``father_of``
    link from one recorded as female; the link is kept.

    Either the sex in ``ssd_person`` or the relationship is wrong, and the loader cannot tell
    which; the link itself (who is whose parent) still stands, so sibling groups keep it until
    the extract is corrected (an error: exit 1). ``parent``: the links' parent codes
    (:func:`_person_codes`) when the caller has them. ``parent_of`` links (from ``ssd_family``)
    carry no sex.

    Examples
    --------
    >>> from neglect_analysis.io.validation import ProblemLog
    >>> persons = pd.DataFrame({"person_id": ["F1", "C"], "sex": ["M", "F"]})
    >>> links = pd.DataFrame({"parent_id": ["F1"], "child_id": ["C"], "relationship": ["mother_of"],
    ...                       "_row": [2]})
    >>> log = ProblemLog()
    >>> check_parent_sex(links, persons, TableRows("relationships", "relationships.csv", links, log))
    >>> log.frame()["problem"].tolist()
    ['relationships.csv row 2: F1 is recorded as male (M) in ssd_person but is the mother (mother_of) of C; link kept until the extract is corrected']
    """
    if links.empty or "sex" not in persons.columns:
        return
    rel = links["relationship"]
    wrong = rel.map(IMPOSSIBLE_PARENT_SEX)
    if not wrong.notna().any():
        return
    if parent is None:
        parent, _ = _person_codes(links, persons)
    sex = persons["sex"].astype("string").to_numpy(dtype=object, na_value=None)
    inside = parent < len(sex)
    parent_sex = pd.Series(np.where(inside, sex[np.where(inside, parent, 0)], None),
                           index=links.index, dtype="string")
    bad = (parent_sex == wrong).fillna(False).astype(bool)
    if not bad.any():
        return
    b = links[bad]
    word = b["relationship"].map({"mother_of": "the mother", "father_of": "the father"})
    recorded = parent_sex[bad].map({"M": "male", "F": "female"})
    text = pd.Series(pd.NA, index=links.index, dtype="string")
    text[bad] = (quote(b["parent_id"], "person") + " is recorded as " + recorded + " ("
                 + parent_sex[bad] + ") in ssd_person but is " + word + " (" + b["relationship"]
                 + ") of " + quote(b["child_id"], "person")
                 + "; link kept until the extract is corrected").to_numpy()
    m, txt = _on_table(t, bad, text, _table_index(t, links[ROW]))
    t.report(m, None, txt, check="parent_sex", drop=False, values=None)


def _dob_at(dobs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``dobs[codes]``, NaT for codes past the end (people not in ``persons``)."""
    inside = codes < len(dobs)
    return take_codes(dobs, np.where(inside, codes, -1), np.datetime64("NaT"))
