"""Run Snakemake on a copy of the repository and read what it planned."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAPERS = ["paper/frankenmodels_article.pdf", "paper/frankenmodels_article_simple.pdf"]
LAB_CONFIG = ("--configfile", "config/lab-test.yaml")
LAB_PDF = "paper/frankenmodels_lab.pdf"
COMPRESS_CONFIG = ("--configfile", "config/compress-test.yaml")


def copy_repository(destination: Path) -> Path:
    """Tracked and untracked-but-not-ignored files: what a clean clone plus edits holds."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def snakemake(workdir: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def planned_jobs(workdir: Path, *args: str) -> Counter:
    """Rule -> number of jobs a dry run plans (empty when there is nothing to do)."""
    result = snakemake(workdir, "-n", *args, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    if "Nothing to be done" in output:
        return Counter()
    table = output.split("Job stats:", 1)[1]
    counts = Counter()
    for line in table.splitlines()[3:]:
        match = re.fullmatch(r"(\w+)\s+(\d+)", line.strip())
        if not match:
            break
        if match.group(1) != "total":
            counts[match.group(1)] = int(match.group(2))
    return counts
