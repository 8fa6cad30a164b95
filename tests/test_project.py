"""Project-level checks: the one dependency list, the two commands, CI entry point."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


#: Extras installed on demand by a Makefile target, not by ``make env`` or environment.yml:
#: ``bench`` (duckdb, benchmark-only), installed by ``make bench`` when missing.
ON_DEMAND_EXTRAS = {"bench": "bench"}


def test_environment_yml_installs_the_package_from_pyproject():
    """environment.yml must not list dependencies of its own: pip reads them from pyproject."""
    env = (ROOT / "environment.yml").read_text()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extras = set(pyproject["project"]["optional-dependencies"]) - set(ON_DEMAND_EXTRAS)
    m = re.search(r"-e \.\[([^\]]+)\]", env)
    assert m, "environment.yml must install the package with pip -e .[extras]"
    assert set(m.group(1).split(",")) == extras, "environment.yml extras drifted from pyproject"
    # No conda package other than python and pip: everything else comes from pyproject.
    deps_block = env.split("dependencies:", 1)[1]
    conda_deps = re.findall(r"^  - ([A-Za-z0-9_.-]+)", deps_block, flags=re.M)
    assert {d.split(">")[0].split("=")[0] for d in conda_deps} <= {"python", "pip"}


def test_makefile_installs_every_extra():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extras = set(pyproject["project"]["optional-dependencies"])
    make = (ROOT / "Makefile").read_text()
    m = re.search(r'pip install --quiet -e "\.\[([^\]]+)\]"', make)
    assert m and set(m.group(1).split(",")) == extras - set(ON_DEMAND_EXTRAS)
    for extra, target in ON_DEMAND_EXTRAS.items():  # its own target installs it
        recipe = make.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
        assert f'pip install --quiet -e ".[{extra}]"' in recipe


def test_ci_calls_make_test_and_readme_shows_both_commands():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme


def test_entry_point_is_the_cli_main():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["neglect-analysis"] == "neglect_analysis.cli:main"
