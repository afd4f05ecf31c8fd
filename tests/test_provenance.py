"""The provenance block and the benchmark table that the paper's reproducibility notes print."""

import json
import subprocess

import pandas as pd

from frankenmodels.aggregate import benchmark_table
from frankenmodels.provenance import collect, environment, git_state

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def test_benchmark_files_become_one_row_per_job(tmp_path):
    root = tmp_path / "results" / "benchmarks"
    (root / "finetune").mkdir(parents=True)
    (root / "evaluate" / "validation").mkdir(parents=True)
    (root / "finetune" / "seed42.tsv").write_text(
        HEADER + "120.5\t0:02:00\t1400.2\t2000\t1300\t1350\t1\t2\t180.0\t230.1\n"
    )
    # A job too short for Snakemake to sample its memory writes NA.
    (root / "evaluate" / "validation" / "seed42.tsv").write_text(
        HEADER + "0.4\t0:00:00\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n"
    )
    files = sorted(str(path) for path in root.rglob("*.tsv"))
    table = benchmark_table(files, root=str(root))
    assert list(table["rule"]) == ["evaluate", "finetune"]
    assert list(table["job"]) == ["validation/seed42", "seed42"]
    assert table.loc[1, "seconds"] == 120.5 and table.loc[1, "max_rss_mb"] == 1400.2
    assert pd.isna(table.loc[0, "max_rss_mb"]) and table.loc[0, "seconds"] == 0.4


def test_provenance_gathers_each_rules_environment(tmp_path):
    records = {}
    for rule, hardware in [("finetune", "GPU A"), ("evaluate", "CPU B")]:
        path = tmp_path / f"{rule}.json"
        path.write_text(json.dumps({"seed": 1, "environment": environment(hardware)}))
        records[rule] = [path]
    block = collect(records, root=tmp_path)
    assert block["hardware"] == {"finetune": ["GPU A"], "evaluate": ["CPU B"]}
    assert block["packages"]["torch"] and "/" not in block["python"]
    assert block["git"]["dirty"] is None  # tmp_path is not a git checkout


def test_git_state_sees_uncommitted_changes(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "a.txt").write_text("1")
    git("add", "a.txt")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    clean = git_state(tmp_path)
    assert len(clean["commit"]) == 40 and clean["dirty"] is False
    (tmp_path / "a.txt").write_text("2")
    assert git_state(tmp_path) == {"commit": clean["commit"], "dirty": True}
