"""environment.yml (the conda set-up) must not drift from pyproject.toml (the pip set-up).

Both list the Python dependencies; only pyproject.toml is exercised by the
test machine, so this test is what keeps the conda path honest.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@pytest.fixture(scope="module")
def conda_env() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def _conda_specs(env: dict) -> dict[str, str]:
    """{conda package name: version spec} of the non-pip dependencies."""
    specs = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, _, version = re.match(r"([\w.-]+)\s*(=*)\s*(.*)", dep).groups()
            specs[name] = version
    return specs


def _pip_lines(env: dict) -> list[str]:
    lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(lists) == 1, "environment.yml needs exactly one `pip:` list"
    return lists[0]


def _requirements(lines) -> dict[str, SpecifierSet]:
    reqs = {}
    for line in lines:
        if line.startswith("-"):  # pip options such as `-e .`
            continue
        req = Requirement(line)
        reqs[canonicalize_name(req.name)] = req.specifier
    return reqs


def test_uses_conda_forge_for_the_beam(conda_env):
    assert "conda-forge" in conda_env["channels"]
    assert {"python", "erlang", "elixir", "pip"} <= set(_conda_specs(conda_env))


def test_python_version_satisfies_requires_python(conda_env, pyproject):
    version = _conda_specs(conda_env)["python"]
    assert version, "pin the Python version in environment.yml"
    assert SpecifierSet(pyproject["requires-python"]).contains(version), (
        f"environment.yml python={version} is outside requires-python {pyproject['requires-python']}"
    )


def test_pip_list_matches_pyproject_dependencies_and_test_extra(conda_env, pyproject):
    wanted = _requirements(pyproject["dependencies"] + pyproject["optional-dependencies"]["test"])
    listed = _requirements(_pip_lines(conda_env))
    assert sorted(set(wanted) - set(listed)) == [], "in pyproject.toml, missing from environment.yml"
    assert sorted(set(listed) - set(wanted)) == [], "in environment.yml, not in pyproject.toml"
    differing = {name: (str(wanted[name]), str(listed[name]))
                 for name in wanted if wanted[name] != listed[name]}
    assert differing == {}, "version specifiers differ (pyproject, environment.yml)"


def test_installs_the_project_itself(conda_env):
    assert "-e ." in _pip_lines(conda_env), "the pip list must install this repository (`-e .`)"
