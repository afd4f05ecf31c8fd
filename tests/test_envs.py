"""Every rule runs in a pinned conda environment that has what its code imports.

The rules are read from the workflow itself (Snakemake's API, in a subprocess so that the
Snakefile's side effects stay out of this process). For each rule that runs a script, the
imports of the script and, transitively, of the `frankenmodels` modules it imports are read
with `ast`, mapped to distribution names and looked up in the rule's environment. Version pins
in envs/*.yaml must agree with requirements.txt, the pip set-up of the same study.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml

from frankenmodels.importgraph import ImportGraph

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
ENVS = ROOT / "envs"
FIRST_PARTY = "frankenmodels"
CHANNELS = ["conda-forge", "nodefaults"]

# Import name -> distribution name, where they differ beyond `_` vs `-`.
DISTRIBUTION_OF_IMPORT = {
    "sklearn": "scikit-learn",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "google": "protobuf",
    "huggingface_hub": "huggingface-hub",
}
# conda-forge package name -> PyPI distribution name, where they differ.
DISTRIBUTION_OF_CONDA_PACKAGE = {"pytorch": "torch", "pytorch-cpu": "torch", "pytorch-gpu": "torch"}
# Imports that an environment gets through a package it lists (hard dependencies of that
# package on conda-forge and PyPI alike); the pip set-up in requirements.txt relies on the
# same dependencies, so they carry no pin of their own.
PROVIDED_BY = {
    "numpy": {"pandas", "scipy", "torch", "scikit-learn", "matplotlib", "statsmodels"},
    "scipy": {"scikit-learn", "statsmodels"},
    "pyarrow": {"datasets"},
    "huggingface-hub": {"transformers", "datasets", "peft", "accelerate"},
    "tokenizers": {"transformers"},
    "safetensors": {"transformers", "accelerate", "peft"},
    "packaging": {"transformers", "matplotlib", "statsmodels", "accelerate", "peft"},
    "tqdm": {"transformers", "datasets", "peft"},
}
# Modules a job gets from Snakemake itself (the script preamble puts it on sys.path).
PROVIDED_BY_SNAKEMAKE = {"snakemake"}
# Packages whose version is not a study result: allowed without a pin.
UNPINNED_OK = {"pip"}
# Programs a shell: command may call -> the package of the environment that provides them.
SHELL_TOOLS = {"latexmk": "latexmk", "pdflatex": "texlive-core", "bibtex": "texlive-core"}

PROBE = r"""
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

root = Path(sys.argv[1])
configfiles = [root / "config" / name for name in sys.argv[2:] if (root / "config" / name).exists()]
with SnakemakeApi(OutputSettings(quiet={"all"})) as api:
    workflow = api.workflow(
        resource_settings=ResourceSettings(),
        config_settings=ConfigSettings(configfiles=configfiles),
        snakefile=root / "Snakefile",
        workdir=root,
    )._workflow
    rules = []
    for rule in workflow.rules:
        conda = rule.conda_env
        rules.append(
            {
                "name": rule.name,
                "ruledir": str(Path(rule.snakefile).parent),
                "conda": conda if isinstance(conda, (str, type(None))) else repr(conda),
                "conda_is_path": isinstance(conda, str),
                "script": rule.script,
                "shell": rule.shellcmd,
                "run": bool(rule.is_run),
                "norun": bool(rule.norun),
                "wrapper": rule.wrapper,
                "notebook": rule.notebook,
                "envmodules": list(rule.env_modules or []),
            }
        )
print("RULES-JSON:" + json.dumps(rules))
"""


def normalize(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


# A config decides which rule files are included: the paper's, the lab's, the merge/compress
# study's; together they include every rule.
RULE_CONFIGS = ("test.yaml", "lab-test.yaml", "compress-test.yaml")


@cache
def workflow_rules() -> tuple[dict, ...]:
    """The rules of the workflow, as Snakemake itself parses them, under each config."""
    rules: dict[str, dict] = {}
    for config in RULE_CONFIGS:
        result = subprocess.run(
            [sys.executable, "-c", PROBE, str(ROOT), config],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith("RULES-JSON:")]
        if not lines:
            pytest.fail(f"could not load the rules ({config}):\n{result.stdout}\n{result.stderr}")
        for rule in json.loads(lines[0].removeprefix("RULES-JSON:")):
            rules.setdefault(rule["name"], rule)
    return tuple(rules.values())


def rules_running_code() -> list[dict]:
    return [rule for rule in workflow_rules() if not rule["norun"]]


def env_path(rule: dict) -> Path:
    return (Path(rule["ruledir"]) / rule["conda"]).resolve()


def env_files() -> list[Path]:
    return sorted(ENVS.glob("*.yaml"))


@cache
def load_env(path: Path) -> dict:
    with path.open() as handle:
        return yaml.safe_load(handle)


def split_dependencies(env: dict) -> tuple[list[str], list[str]]:
    """(conda dependencies, pip dependencies) of an environment file."""
    conda, pip = [], []
    for dep in env.get("dependencies") or []:
        if isinstance(dep, dict):
            pip += [str(item) for item in dep.get("pip") or []]
        else:
            conda.append(str(dep))
    return conda, pip


CONDA_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9_.\-]+)\s*(?P<op>==|=)\s*(?P<version>[0-9][^\s*,|<>=!]*)$"
)
PIP_PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)\s*==\s*(?P<version>[0-9][^\s*,;<>=!]*)$")
BARE_NAME = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)")


def env_packages(path: Path) -> dict[str, str | None]:
    """Distribution name (normalised, PyPI spelling) -> pinned version or None."""
    conda, pip = split_dependencies(load_env(path))
    packages: dict[str, str | None] = {}
    for dep in conda:
        match = CONDA_PIN.match(dep) or BARE_NAME.match(dep)
        name = normalize(match["name"])
        name = DISTRIBUTION_OF_CONDA_PACKAGE.get(name, name)
        packages[name] = match.groupdict().get("version")
    for dep in pip:
        match = PIP_PIN.match(dep) or BARE_NAME.match(dep)
        packages[normalize(match["name"])] = match.groupdict().get("version")
    return packages


@cache
def requirement_pins() -> dict[str, str | None]:
    """requirements.txt: distribution -> exact version, or None where it is left open."""
    pins: dict[str, str | None] = {}
    for raw in (ROOT / "requirements.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(?:==\s*([^\s;]+))?", line)
        if match:
            pins[normalize(match[1])] = match[2]
    return pins


# --- reading the imports of a rule's code -------------------------------------------------

GRAPH = ImportGraph(SRC)


def first_party_file(module: str) -> Path | None:
    return GRAPH.module_file(module)


def third_party_imports(entry: Path) -> dict[str, set[str]]:
    """Top-level third-party import names of a file and of all `frankenmodels` modules it
    reaches, each with the files that import it."""
    return {
        name: {str(path.relative_to(ROOT)) for path in importers}
        for name, importers in GRAPH.external_imports(entry, FIRST_PARTY).items()
        if name not in PROVIDED_BY_SNAKEMAKE
    }


def distribution_of(import_name: str) -> str:
    return normalize(DISTRIBUTION_OF_IMPORT.get(import_name, import_name))


def code_entry_points(rule: dict) -> list[Path]:
    """The Python files a rule runs: its script, or a `python -m module` in its shell."""
    entries = []
    if rule["script"] and rule["script"].endswith(".py"):
        entries.append((Path(rule["ruledir"]) / rule["script"]).resolve())
    for module in re.findall(r"python3?\s+-m\s+([A-Za-z_][\w.]*)", rule["shell"] or ""):
        file = first_party_file(module)
        if file is not None:
            entries.append(file)
    return entries


# --- the tests ----------------------------------------------------------------------------


def test_environment_files_exist():
    assert env_files(), f"no environment files in {ENVS.relative_to(ROOT)}/"


def test_every_rule_that_runs_code_has_a_conda_env():
    problems = []
    for rule in rules_running_code():
        if rule["run"]:
            problems.append(
                f"rule {rule['name']}: a run: block cannot use a conda environment; "
                "move the code into workflow/scripts/ and use script:"
            )
        elif rule["conda"] is None:
            problems.append(f"rule {rule['name']}: no conda: directive")
        elif not rule["conda_is_path"]:
            problems.append(f"rule {rule['name']}: conda: is not a path ({rule['conda']})")
        elif not env_path(rule).is_file():
            problems.append(f"rule {rule['name']}: conda: {rule['conda']} does not exist")
        elif env_path(rule).parent != ENVS:
            problems.append(f"rule {rule['name']}: conda: {rule['conda']} is not in envs/")
    assert not problems, "\n".join(problems)


def test_no_rule_uses_envmodules():
    """tests/cluster/ci-profile sets software-deployment-method: env-modules to switch conda
    off (a later profile cannot unset it); that is a no-op only while no rule uses envmodules:."""
    users = [rule["name"] for rule in workflow_rules() if rule["envmodules"]]
    assert not users, f"rules with envmodules: {users}; update tests/cluster/ci-profile"


@pytest.mark.parametrize("path", env_files(), ids=lambda path: path.name)
def test_environment_is_pinned(path):
    env = load_env(path)
    assert isinstance(env, dict), f"{path.name} is not a YAML mapping"
    assert env.get("channels") == CHANNELS, f"{path.name}: channels must be {CHANNELS}"
    conda, pip = split_dependencies(env)
    assert conda, f"{path.name}: no dependencies"
    problems = []
    for dep in conda:
        name = BARE_NAME.match(dep)["name"]
        if not CONDA_PIN.match(dep) and name not in UNPINNED_OK:
            problems.append(f"conda dependency not pinned (name=version): {dep!r}")
    if pip and not any(BARE_NAME.match(dep)["name"] == "pip" for dep in conda):
        problems.append("a pip: section needs pip among the conda dependencies")
    for dep in pip:
        if not PIP_PIN.match(dep):
            problems.append(f"pip dependency not pinned (name==version): {dep!r}")
    assert any(BARE_NAME.match(dep)["name"] == "python" for dep in conda) or path.stem == "paper", (
        f"{path.name}: no python"
    )
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", env_files(), ids=lambda path: path.name)
def test_pins_agree_with_requirements(path):
    pins = requirement_pins()
    problems = [
        f"{name}: {version} in {path.name}, {pins[name]} in requirements.txt"
        for name, version in env_packages(path).items()
        if pins.get(name) and version and version != pins[name]
    ]
    assert not problems, "\n".join(problems)


def test_environments_have_what_the_rules_import():
    problems = []
    checked = 0
    for rule in rules_running_code():
        if rule["run"] or not rule["conda_is_path"] or not env_path(rule).is_file():
            continue  # reported by test_every_rule_that_runs_code_has_a_conda_env
        packages = set(env_packages(env_path(rule)))
        for entry in code_entry_points(rule):
            if not entry.is_file():
                problems.append(f"rule {rule['name']}: script {entry.relative_to(ROOT)} is missing")
                continue
            checked += 1
            for import_name, importers in sorted(third_party_imports(entry).items()):
                dist = distribution_of(import_name)
                if dist in packages or PROVIDED_BY.get(dist, set()) & packages:
                    continue
                problems.append(
                    f"rule {rule['name']} ({env_path(rule).relative_to(ROOT)}): needs {dist} "
                    f"(import {import_name} in {', '.join(sorted(importers))})"
                )
        for tool, package in SHELL_TOOLS.items():
            if re.search(rf"(^|[\s;&|(]){tool}\b", rule["shell"] or "") and package not in packages:
                problems.append(
                    f"rule {rule['name']} ({env_path(rule).relative_to(ROOT)}): its shell runs "
                    f"{tool}, which needs {package}"
                )
    assert checked, "no rule runs a Python script: is the workflow there?"
    assert not problems, "\n".join(problems)


def test_import_scan_sees_through_the_library(tmp_path):
    """The scanner itself: relative imports, submodules, optional imports."""
    script = ROOT / "workflow" / "scripts" / "evaluate.py"
    if not script.exists():
        pytest.skip("workflow/scripts/evaluate.py not there yet")
    found = third_party_imports(script)
    assert "torch" in found, f"the evaluate script reaches torch through the library: {found}"
    optional = tmp_path / "optional.py"
    optional.write_text(
        "import os\n"
        "try:\n    import notinstalled\nexcept ImportError:\n    notinstalled = None\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import typeonly\n"
        "import numpy as np\n"
    )
    assert set(third_party_imports_outside(optional)) == {"numpy"}


def third_party_imports_outside(path: Path) -> set[str]:
    """third_party_imports for a file outside the repository (the self-test above)."""
    return {name.split(".")[0] for name in GRAPH.imports_of(path)} - set(sys.stdlib_module_names)
