"""Macros of the provenance paragraph (provenance.tex): which code and software made the
results, on what hardware, and how long each rule's jobs took.

From provenance.json (git commit, versions, hardware of each compute rule) and
benchmarks.csv (Snakemake's per-job benchmark records). `block` is the same information for
numbers.json, where a reviewer finds it whole.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from frankenmodels.report.inputs import require
from frankenmodels.report.latex import escape, fmt_fixed, fmt_int, jsonable
from frankenmodels.report.macros import DURATION, FLAG, INT, TEX, TEXT, Row

if TYPE_CHECKING:
    from frankenmodels.report.results import Results
    from frankenmodels.report.settings import Settings

SETTINGS = ("study.title",)
COLUMNS = ("rule", "job", "seconds", "cpu_seconds", "max_rss_mb")
# (package in provenance.json, macro): the versions the paper names.
PACKAGES = (
    ("torch", "TorchVersion"),
    ("transformers", "TransformersVersion"),
    ("snakemake", "SnakemakeVersion"),
)
SHORT_COMMIT = 7
FULL_COMMIT = re.compile(r"[0-9a-f]{40}")


def rule_times(r: Results) -> list[dict[str, Any]]:
    """One entry per rule, in the order of benchmarks.csv: jobs, summed times, peak memory."""
    b = r.inp.benchmarks
    require(b, COLUMNS, "benchmarks.csv")
    hardware = r.inp.provenance.get("hardware") or {}
    out = []
    for rule, jobs in b.groupby("rule", sort=False):
        out.append(
            {
                "rule": str(rule),
                "jobs": len(jobs),
                "seconds": float(jobs["seconds"].sum()),
                "cpu_seconds": float(jobs["cpu_seconds"].sum()),
                "max_rss_mb": jsonable(jobs["max_rss_mb"].max()),
                "hardware": list(hardware.get(rule, [])),
            }
        )
    return out


def block(r: Results) -> dict[str, Any]:
    """provenance.json plus the per-rule times, for numbers.json."""
    rules = rule_times(r)
    return {
        **r.inp.provenance,
        "rules": rules,
        "jobs": sum(x["jobs"] for x in rules),
        "seconds": sum(x["seconds"] for x in rules),
    }


def _table_rows(rules: list[dict[str, Any]]) -> str:
    """Rows of the compute table: rule, jobs, job-minutes, hardware."""
    return " ".join(
        rf"\texttt{{{escape(x['rule'])}}} & {fmt_int(x['jobs'])} & "
        rf"{fmt_fixed(x['seconds'] / 60, 1)} & {escape('; '.join(x['hardware'])) or '--'} \\"
        for x in rules
    )


def rows(r: Results, c: Settings) -> list[Row]:
    prov, rules = r.inp.provenance, rule_times(r)
    git, packages = prov.get("git") or {}, prov.get("packages") or {}
    commit = str(git.get("commit") or "unknown")
    short = commit[:SHORT_COMMIT] if FULL_COMMIT.fullmatch(commit) else commit  # or why not
    total = sum(x["seconds"] for x in rules)
    return [
        Row.setting("StudyTitle", c, "study.title", TEXT),
        Row("GitCommit", short, TEXT, "git rev-parse HEAD when numbers ran, short"),
        Row("GitDirty", bool(git.get("dirty")), FLAG, "git status when numbers ran"),
        Row("PythonVersion", prov.get("python", "n/a"), TEXT, "provenance.json: python"),
        *[
            Row(macro, packages.get(name, "n/a"), TEXT, f"provenance.json: packages.{name}")
            for name, macro in PACKAGES
        ],
        Row("ComputeJobs", sum(x["jobs"] for x in rules), INT, "benchmarks.csv: rows"),
        Row("ComputeTotal", total, DURATION, "benchmarks.csv: sum of seconds (job wall time)"),
        Row("ComputeRows", _table_rows(rules), TEX, "benchmarks.csv by rule; hardware by rule"),
    ]
