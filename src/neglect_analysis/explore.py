"""An interactive family explorer for JupyterLab, one family at a time (ipywidgets).

``FamilyExplorer(cohort)`` shows, for the index parent chosen in a searchable box:

- the family's lane chart (:func:`neglect_analysis.plots.chronology.plot_family_chronology`);
- its whole-family chronology (:func:`neglect_analysis.chronology.family_chronology`),
  filterable by child and by event type;
- the children's flags and the signals the analysis found
  (:func:`neglect_analysis.auditforms.audit_children`,
  :func:`neglect_analysis.auditforms.family_signals`);
- the children to look at now (family signal, no escalation yet);
- a button that writes the family's chronology workbook and audit form into a folder.

Everything is computed by the package's functions; the explorer only selects and shows. It
shows one family at a time and nothing of any other family: every table is the chosen
family's rows, paper free text is not shown, and the choice lists index parents only. With
``key`` (the report's ``--pseudonymise``), ids are pseudonymised before anything is shown.

The explorer can be driven without a browser: :meth:`FamilyExplorer.select`,
:meth:`FamilyExplorer.filter`, :meth:`FamilyExplorer.write_files`, and the attributes
``parent_id``, ``chronology``, ``table``, ``figure``, ``flags``, ``signals``, ``look_now``.
"""
from __future__ import annotations

import contextlib
import html
import io
from pathlib import Path
from typing import Iterable

import pandas as pd
from matplotlib.figure import Figure

# Package imports in one place (names the lead may move at merge).
from .auditforms import audit_children, family_signals, form_file_name, write_audit_forms
from .chronology import family_chronology
from .cohort import Cohort
from .plots.chronology import chronology_figsize, plot_family_chronology
from .plots.style import style_context, synthetic_label
from .outputs import is_own_workbook
from .pipeline import AnalysisParams, build_tables
from .workbook import write_chronology_workbook

#: Chronology columns shown in the explorer's table (free text is never shown).
TABLE_COLUMNS: tuple[str, ...] = (
    "date", "end_date", "child_id", "birth_order", "age_text", "event_type", "category", "factors",
    "outcome", "source", "other_la", "before_ics", "open_services", "related_person_id", "event_id",
)
#: Most chronology rows shown at once in the table (all rows stay in ``table``).
MAX_TABLE_ROWS = 500


def _widgets():
    """ipywidgets, imported when an explorer is made (an optional dependency: ``[notebooks]``)."""
    try:
        import ipywidgets
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("The family explorer needs ipywidgets: pip install 'neglect-analysis[notebooks]'") from e
    return ipywidgets


def _html_table(df: pd.DataFrame, empty: str) -> str:
    if df.empty:
        return f"<p><i>{html.escape(empty)}</i></p>"
    shown = df.copy()
    for col in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[col]):
            shown[col] = shown[col].dt.strftime("%Y-%m-%d")
    return shown.to_html(index=False, na_rep="", escape=True, border=0)


def chronology_chooser_labels(chron: pd.DataFrame) -> list[tuple[str, str]]:
    """(label, child id) of each child of a chronology, eldest first: ``"A (1)"``.

    Examples
    --------
    >>> chron = pd.DataFrame({"child_id": ["B", "A", None, "B"], "birth_order": [2, 1, None, 2]})
    >>> chronology_chooser_labels(chron)
    [('A (1)', 'A'), ('B (2)', 'B')]
    """
    kids = chron.loc[chron["child_id"].notna(), ["child_id", "birth_order"]].drop_duplicates("child_id")
    kids = kids.sort_values(["birth_order", "child_id"], na_position="last")
    return [(f"{c} ({'?' if pd.isna(o) else int(o)})", str(c)) for c, o in zip(kids["child_id"], kids["birth_order"])]


class FamilyExplorer:
    """One family at a time: chart, chronology, flags and signals, look-now children.

    Parameters
    ----------
    cohort
        The cohort, as loaded (:func:`neglect_analysis.io.load_extract`).
    tables
        :func:`neglect_analysis.pipeline.build_tables` of ``cohort`` (computed when not given,
        with ``params``).
    params
        Index-parent selection when ``tables`` is not given (the report's cohort options).
    key
        A pseudonymisation key (:func:`neglect_analysis.privacy.key_from_env`): ids are
        replaced by their keyed hash before anything is computed or shown, as the report's
        ``--pseudonymise`` does (``params.index_parents`` and ``parent_id`` are given as raw
        ids and pseudonymised with the same key).
    parent_id
        The family shown first (default: the first index parent).
    out_dir
        Where the button writes the workbook and the form (default ``explorer_output``).

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B", "N", "C"],
    ...     "dob": ["1980-01-01", "2005-03-01", "2012-06-15", "1981-01-01", "2006-01-01"]})
    >>> links = pd.DataFrame({"parent_id": ["M", "M", "N"], "child_id": ["A", "B", "C"], "relationship": "mother_of"})
    >>> events = pd.DataFrame({"person_id": ["A", "C"], "event_type": ["cp_plan", "referral"],
    ...                        "start_date": ["2012-01-10", "2013-01-01"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    >>> ex = FamilyExplorer(c, params=AnalysisParams(index_parents=["M", "N"]))
    >>> ex.parent_id, sorted(ex.table["child_id"].unique())
    ('M', ['A', 'B'])
    >>> ex.select("N").parent_id, sorted(ex.table["child_id"].unique())
    ('N', ['C'])
    >>> ex.close()
    """

    def __init__(
        self,
        cohort: Cohort,
        tables=None,
        *,
        params: AnalysisParams | None = None,
        key: bytes | None = None,
        parent_id: str | None = None,
        out_dir: str | Path = "explorer_output",
    ) -> None:
        w = _widgets()
        if key is not None:
            from dataclasses import replace

            from .privacy import pseudonymise_cohort, pseudonymise_ids

            if tables is not None:
                raise ValueError("give either tables or key: tables computed before pseudonymising would show raw ids")
            cohort = pseudonymise_cohort(cohort, key)
            if params is not None and params.index_parents is not None:  # the ids a user gives, as the report does
                params = replace(params, index_parents=pseudonymise_ids(list(params.index_parents), key))
            if parent_id is not None:
                parent_id = pseudonymise_ids([str(parent_id)], key)[0]
        self.cohort = cohort
        self.tables = tables if tables is not None else build_tables(cohort, params)
        self.family = getattr(self.tables, "family", self.tables)
        self.parents: list[str] = [str(p) for p in self.family.sibling_groups["parent_id"]]
        if not self.parents:
            raise ValueError("no index parents in this cohort: nothing to explore")

        self.chooser = w.Combobox(options=self.parents, placeholder="type an index parent id", ensure_option=True,
                                  description="Index parent", style={"description_width": "initial"})
        self.child_filter = w.SelectMultiple(options=[], description="Children", rows=6)
        self.type_filter = w.SelectMultiple(options=[], description="Event types", rows=6)
        self.chart = w.Image(format="png")
        self.table_view = w.HTML()
        self.flags_view = w.HTML()
        self.look_now_view = w.HTML()
        self.folder = w.Text(value=str(out_dir), description="Folder")
        self.write_button = w.Button(description="Write chronology workbook and audit form",
                                     layout=w.Layout(width="auto"))
        self.status = w.HTML()
        box = w.Layout(max_height="480px", overflow="auto")
        tabs = w.Tab(children=[
            self.chart,
            w.VBox([w.HBox([self.child_filter, self.type_filter]), w.Box([self.table_view], layout=box)]),
            w.Box([self.flags_view], layout=box),
            self.look_now_view,
        ])
        for i, title in enumerate(("Chart", "Chronology", "Flags and signals", "Look now")):
            tabs.set_title(i, title)
        self.widget = w.VBox([self.chooser, tabs, w.HBox([self.folder, self.write_button]), self.status])

        self.parent_id: str = ""
        self.chronology = pd.DataFrame()
        self.table = pd.DataFrame()
        self.flags = pd.DataFrame()
        self.signals = pd.DataFrame()
        self.look_now = pd.DataFrame()
        self.figure: Figure | None = None

        self.chooser.observe(self._on_choose, names="value")
        self.child_filter.observe(self._on_filter, names="value")
        self.type_filter.observe(self._on_filter, names="value")
        self.write_button.on_click(self._on_write)
        self.select(parent_id if parent_id is not None else self.parents[0])

    # ---------------------------------------------------------------------------- actions
    def select(self, parent_id: str) -> "FamilyExplorer":
        """Show the family of ``parent_id`` (an index parent); returns the explorer."""
        pid = str(parent_id)
        if pid not in self.parents:
            raise ValueError(f"{pid} is not an index parent of this cohort")
        if pid == self.parent_id:
            return self
        self.parent_id = pid
        self.chronology = family_chronology(self.cohort, pid, self.family.members)
        self.flags = audit_children(self.cohort, pid, self.family)
        self.signals = family_signals(self.cohort, pid, self.family)
        look = self.family.look_now
        look = look[look["child_id"].astype("string").isin(self.flags["child_id"])]
        self.look_now = self.flags[["child_id", "birth_order"]].merge(
            look.assign(child_id=look["child_id"].astype("string")), on="child_id", how="inner")
        self._draw()
        with self._quiet():
            self.chooser.value = pid
            self.child_filter.options = chronology_chooser_labels(self.chronology)
            self.child_filter.value = ()
            types = [t for t in pd.unique(self.chronology["event_type"].dropna().astype(str))]
            self.type_filter.options = sorted(types)
            self.type_filter.value = ()
        self._update_table()
        self.flags_view.value = (
            "<h4>Children (eldest first)</h4>" + _html_table(self.flags, "no children")
            + "<h4>Signals the analysis found</h4>" + _html_table(self.signals, "no signals")
        )
        self.look_now_view.value = _html_table(self.look_now, "no child to look at now in this family")
        self.status.value = ""
        return self

    def filter(self, children: Iterable[str] | None = None, event_types: Iterable[str] | None = None) -> "FamilyExplorer":
        """Show only the chronology rows of ``children`` and ``event_types`` (None or empty: all)."""
        with self._quiet():
            self.child_filter.value = tuple(str(c) for c in (children or ()))
            self.type_filter.value = tuple(str(t) for t in (event_types or ()))
        self._update_table()
        return self

    def write_files(self, folder: str | Path | None = None, *, force: bool = False) -> list[Path]:
        """Write the family's chronology workbook and audit form into ``folder`` (default: the
        folder box); returns the paths. A file there that is not an output of the package (or a
        form with answers) is not replaced unless ``force``; the status line says so."""
        folder = Path(folder if folder is not None else self.folder.value)
        chron_path = folder / form_file_name(self.parent_id).replace("audit_form_", "chronology_", 1)
        try:
            if chron_path.exists() and not force and not is_own_workbook(chron_path):
                raise FileExistsError(f"{chron_path} exists and is not a chronology workbook of neglect-analysis: "
                                      "not replaced")
            form = write_audit_forms(self.cohort, self.tables, folder, parents=[self.parent_id], force=force)
            written = [write_chronology_workbook(self.cohort, self.parent_id, self.family.members, chron_path)] + form
        except (FileExistsError, PermissionError) as e:
            self.status.value = f"<span style='color:#B2182B'>{html.escape(str(e))}</span>"
            raise
        self.status.value = "Wrote " + ", ".join(html.escape(p.name) for p in written) + " to " + html.escape(str(folder))
        return written

    def close(self) -> None:
        """Close the explorer's widgets (frees them in the kernel; other widgets are untouched)."""

        def close_tree(widget) -> None:
            for child in getattr(widget, "children", ()):
                close_tree(child)
            widget.close()

        close_tree(self.widget)

    # ---------------------------------------------------------------------------- display
    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)  # not the widgets' long repr (the chart's bytes)
        return bundle

    def __repr__(self) -> str:
        return f"FamilyExplorer({len(self.parents)} index parents; showing {self.parent_id})"

    # ---------------------------------------------------------------------------- internals
    def _on_choose(self, change) -> None:
        if self._muted or change["new"] not in self.parents:
            return
        self.select(change["new"])

    def _on_filter(self, change) -> None:
        if not self._muted:
            self._update_table()

    def _on_write(self, button) -> None:
        try:
            self.write_files()
        except (FileExistsError, PermissionError):
            pass  # the status line says what was not written and why

    _muted = False

    @contextlib.contextmanager
    def _quiet(self):
        """Set widget values without their observers recomputing the family."""
        self._muted = True
        try:
            yield
        finally:
            self._muted = False

    def _update_table(self) -> None:
        chron = self.chronology
        keep = pd.Series(True, index=chron.index)
        if self.child_filter.value:
            keep &= chron["child_id"].astype("string").isin(list(self.child_filter.value)).fillna(False)
        if self.type_filter.value:
            keep &= chron["event_type"].astype("string").isin(list(self.type_filter.value)).fillna(False)
        self.table = chron.loc[keep, [c for c in TABLE_COLUMNS if c in chron.columns]].reset_index(drop=True)
        note = ""
        if len(self.table) > MAX_TABLE_ROWS:
            note = f"<p><i>First {MAX_TABLE_ROWS} of {len(self.table)} rows: filter to see the others.</i></p>"
        self.table_view.value = note + _html_table(self.table.head(MAX_TABLE_ROWS), "no rows")

    def _draw(self) -> None:
        chron = self.chronology
        n = int(chron["child_id"].nunique())
        with style_context():
            fig = Figure(figsize=chronology_figsize(max(n, 1)))
            ax = fig.subplots()
            plot_family_chronology(chron, ax=ax, ics_start=self.cohort.ics_start_date,
                                   open_until=self.cohort.audit_date)
            ax.set_xlabel("Date")
            ax.set_title(f"Whole-family chronology: family {self.parent_id}", pad=18)
            if self.cohort.synthetic:
                synthetic_label(ax)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=80, bbox_inches="tight", metadata={"Software": None})
        self.figure = fig
        self.chart.value = buf.getvalue()


