"""What a reviewer needs to know about how the results were made: versions, hardware, commit.

Each compute job records `environment(device)` in the JSON it writes; `collect` gathers those
records per rule with the commit of the working tree. The commit is never a declared input:
a new commit alone reruns nothing. The numbers job reads it again when it runs, and the paper
job stamps the commit it was built at, so `--forcerun paper` picks up a new one.
"""

from __future__ import annotations

import platform
import subprocess
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from frankenmodels.io import read_json

PACKAGES = ("torch", "transformers", "snakemake")


def package_versions(names: Sequence[str] = PACKAGES) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def environment(device_name: str) -> dict[str, Any]:
    """The software and hardware one job ran on, recorded in its output."""
    return {
        "python": platform.python_version(),
        "packages": package_versions(),
        "hardware": device_name,
    }


def git_state(root: str | Path) -> dict[str, Any]:
    """The commit of the working tree at `root` and whether it had uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=60
        ).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown (not a git checkout)", "dirty": None}
    return {"commit": commit, "dirty": dirty}


def collect(records: Mapping[str, Sequence[str | Path]], root: str | Path) -> dict[str, Any]:
    """The provenance block from the JSON records of each compute rule (rule -> files)."""
    environments = {
        rule: [read_json(path)["environment"] for path in paths] for rule, paths in records.items()
    }
    seen = [env for envs in environments.values() for env in envs]
    return {
        "python": _joined(env["python"] for env in seen),
        "packages": {
            name: _joined(env["packages"].get(name, "not recorded") for env in seen)
            for name in PACKAGES
        },
        "hardware": {
            rule: sorted({env["hardware"] for env in envs}) for rule, envs in environments.items()
        },
        "git": git_state(root),
    }


def _joined(values) -> str:
    """One value, or every distinct one (jobs that ran in different environments)."""
    return " / ".join(sorted(set(values))) or "not recorded"
