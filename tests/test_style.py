"""The repository stays as clean as the brief asks: snakemake --lint, snakefmt and ruff."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKFLOW_FILES = ["Snakefile", "workflow/rules"]


def _run(*command: str) -> subprocess.CompletedProcess:
    # The venv's bin first: snakefmt calls shfmt (from shfmt-py) to format shell: directives.
    env = {**os.environ, "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")])}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.skip(
            f"{name} is not installed next to this Python: pip install -r requirements-dev.txt"
        )
    return str(path)


def test_snakemake_lint_is_clean():
    result = _run(sys.executable, "-m", "snakemake", "--lint", "--configfile", "config/test.yaml")
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "Lints for" not in output, output[-4000:]


def test_workflow_is_snakefmt_formatted():
    result = _run(_tool("snakefmt"), "--check", *WORKFLOW_FILES)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_python_is_ruff_clean(command):
    result = _run(_tool("ruff"), *command, "src", "tests", "workflow/scripts")
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
