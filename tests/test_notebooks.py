"""The narrative notebooks: structure, parameters, privacy of committed outputs, nbval checks.

nbval itself runs every notebook in ``make test`` (``--nbval-lax``: only cells starting with
``# NBVAL_CHECK_OUTPUT`` are compared). These tests check what nbval does not: the parameters
cell papermill needs, that the notebooks run on another extract and print other numbers, that
committed outputs show nothing beyond the synthetic sample, and that nbval does catch a changed
key number.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
NB_DIR = REPO / "notebooks"
SAMPLE = REPO / "data" / "sample"
NOTEBOOKS = sorted(NB_DIR.glob("[0-9][0-9]-*.ipynb"))
EXPECTED = [
    "01-cohort", "02-whole-family-chronologies", "03-contacts-and-early-help",
    "04-s47-and-previous-involvement", "05-cp-plans-sustained-change-other-la",
    "06-time-to-escalation", "07-iro-challenge", "08-findings", "09-family-explorer",
    "10-family-signal-backtest",
]
PARAMETERS = ['DATA_DIR = "../data/sample"', "AUDIT_DATE = None", "ICS_START = None"]
CHECK = "# NBVAL_CHECK_OUTPUT"
#: Ids of the synthetic sample look like P000123.
PERSON_ID = re.compile(r"\bP\d{6}\b")
#: Absolute paths that must never be committed in outputs.
FORBIDDEN_PATHS = ("/home/", "/Users/", "C:\\", "/tmp/", "/root/", "/var/folders/", str(REPO))


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _output_texts(nb) -> list[str]:
    """Every text output of every code cell (streams, text/plain, text/html, errors)."""
    texts = []
    for cell in _code_cells(nb):
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                texts.append(out.text)
            elif out.output_type == "error":
                texts.append("\n".join(out.traceback))
            else:
                for mime, value in out.get("data", {}).items():
                    if mime.startswith("text/") or mime.endswith("json"):
                        texts.append(value if isinstance(value, str) else str(value))
    return texts


def _checked_outputs(nb) -> list[str]:
    return ["".join(o.get("text", "") for o in c.get("outputs", []))
            for c in _code_cells(nb) if c.source.startswith(CHECK)]


def _sample_ids() -> set[str]:
    ids = set(pd.read_csv(SAMPLE / "ssd_person.csv", dtype=str)["pers_person_id"])
    rel = pd.read_csv(SAMPLE / "relationships.csv", dtype=str)
    return ids | set(rel["person_id"]) | set(rel["related_person_id"])


def test_the_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_and_kernel(path):
    nb = _read(path)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert tagged[0] is _code_cells(nb)[0], "the parameters cell is the first code cell"
    assert tagged[0].source.strip().splitlines() == PARAMETERS
    assert nb.metadata["kernelspec"] == {"name": "python3", "display_name": "Python 3", "language": "python"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_narrative_structure_and_committed_outputs(path):
    nb = _read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "Briefing point" in first.source and "synthetic" in first.source.lower()
    code = _code_cells(nb)
    assert all(c.execution_count is not None for c in code), "commit the notebook executed"
    assert not any(o.output_type == "error" for c in code for o in c.get("outputs", []))
    assert not any("sys.path" in c.source for c in code), "import the installed package"
    checked = _checked_outputs(nb)
    assert len(checked) >= 2 and all(checked), "key results printed in checked cells"
    assert checked[0].startswith("SYNTHETIC DATA"), "cohort.label() printed first"
    # figures carry the synthetic stamp: drawn by plots.synthetic_label, directly or through
    # the setup's Audit.finish (tests/test_notebook_helpers.py checks that it stamps)
    assert any("synthetic_label" in c.source or "audit.finish" in c.source for c in code), \
        "figures carry the synthetic stamp"
    assert not any("execution" in c.metadata for c in nb.cells), "strip execution timings"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_show_only_sample_ids_and_no_paths(path):
    nb = _read(path)
    text = "\n".join(_output_texts(nb))
    unknown = set(PERSON_ID.findall(text)) - _sample_ids()
    assert not unknown, f"ids not in the synthetic sample: {sorted(unknown)[:5]}"
    for bad in FORBIDDEN_PATHS:
        assert bad not in text, f"absolute path {bad!r} in the outputs of {path.name}"
    details = pd.read_csv(SAMPLE / "paper_records.csv", dtype=str)["detail"].dropna()
    leaked = [d for d in details.unique() if len(d) > 15 and d in text]
    assert not leaked, f"free-text paper detail in outputs: {leaked[:2]}"


@pytest.mark.slow
def test_papermill_runs_on_another_extract(tmp_path):
    papermill = pytest.importorskip("papermill")
    from neglect_analysis.synthetic import write_extract

    data = tmp_path / "extract"
    write_extract(data, n_parents=12, seed=7)
    name = "06-time-to-escalation.ipynb"
    out = tmp_path / name
    papermill.execute_notebook(
        str(NB_DIR / name), str(out), parameters={"DATA_DIR": str(data)}, cwd=str(NB_DIR),
        kernel_name="python3", progress_bar=False,
    )
    ran, committed = _read(out), _read(NB_DIR / name)
    new, old = _checked_outputs(ran), _checked_outputs(committed)
    assert all(new) and len(new) == len(old)
    assert new[0].startswith("SYNTHETIC DATA")
    assert new != old, "another extract must give other key numbers"
    assert "Index parents: 12," in new[0]


@pytest.mark.slow
def test_nbval_fails_when_a_key_number_changes(tmp_path):
    nb = _read(NB_DIR / "01-cohort.ipynb")
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace('"../data/sample"', repr(str(SAMPLE)))
    cell = next(c for c in _code_cells(nb) if c.source.startswith(CHECK) and "Index parents:" in
                "".join(o.get("text", "") for o in c.outputs))
    stream = next(o for o in cell.outputs if o.output_type == "stream")
    n = int(re.search(r"Index parents: (\d+)", stream.text).group(1))
    stream.text = stream.text.replace(f"Index parents: {n}", f"Index parents: {n + 1}", 1)
    work = tmp_path / "notebooks"
    work.mkdir()
    nbformat.write(nb, work / "01-cohort.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-sanitize-with", str(NB_DIR / "sanitize.cfg"), "01-cohort.ipynb"],
        cwd=work, capture_output=True, text=True, timeout=600,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    report = result.stdout + result.stderr
    assert result.returncode != 0, report[-2000:]
    # nbval reports an output mismatch of that cell (the diff shows the altered number).
    assert "mismatch 'stdout'" in report and f"parents: {n + 1}" in report, report[-2000:]
    assert "1 failed" in report, report[-2000:]


#: The briefing points whose key messages each notebook prints (its subject, notebooks/README.md).
KEY_MESSAGE_POINTS = {
    "01-cohort": "2, 3", "02-whole-family-chronologies": "1, 3, 6", "03-contacts-and-early-help": "4",
    "04-s47-and-previous-involvement": "5", "05-cp-plans-sustained-change-other-la": "6, 4",
    "07-iro-challenge": "7", "08-findings": "", "09-family-explorer": "1, 3, 6",
}
#: Notebooks whose closing text is generated by neglect_analysis.conclusions.
GENERATED_CONCLUSIONS = ("01-cohort", "02-whole-family-chronologies", "03-contacts-and-early-help",
                         "04-s47-and-previous-involvement", "05-cp-plans-sustained-change-other-la",
                         "07-iro-challenge")


@pytest.mark.parametrize("name", sorted(KEY_MESSAGE_POINTS))
def test_notebook_prints_its_key_messages_and_generates_its_conclusion(name):
    nb = _read(NB_DIR / f"{name}.ipynb")
    checked = [c.source for c in _code_cells(nb) if c.source.startswith("# NBVAL_CHECK_OUTPUT")]
    call = f"audit.key_messages({KEY_MESSAGE_POINTS[name]})"
    assert any(call in s for s in checked), f"{name} prints {call} in a checked cell"
    if name in GENERATED_CONCLUSIONS:
        last = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## What this means")]
        assert len(last) == 1, "one closing section"
        after = nb.cells[nb.cells.index(last[0]) + 1]
        assert after.cell_type == "code" and "conclusions." in after.source and \
            after.source.startswith("# NBVAL_CHECK_OUTPUT"), "the closing sentences are generated and checked"
        printed = "".join(o.get("text", "") for o in after.outputs)
        assert printed.count("\n- ") + printed.startswith("- ") >= 2, "at least two generated sentences"
