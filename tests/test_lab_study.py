"""The decoder surgery lab end to end on config/lab-test.yaml (built once, see conftest)."""

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from workflow_helpers import LAB_CONFIG, LAB_PDF, planned_jobs, snakemake

FAMILIES = {
    "base",
    "delete",
    "duplicate",
    "delete_window",
    "block_delete",
    "block_double",
    "skip",
    "reverse",
    "repeat",
    "splice",
    "custom",
}


def test_lab_pdf_is_built(built_lab):
    assert (built_lab / LAB_PDF).read_bytes()[:5] == b"%PDF-"


def test_every_family_is_measured_with_every_table(built_lab):
    summary = pd.read_csv(built_lab / "results/lab/summary.csv")
    # Each stack is measured once, under its first name: on eight layers a deleted eighth is a
    # deleted layer, and a critical experiment may coincide with a stage-1 one.
    assert FAMILIES <= set(summary["family"]) <= FAMILIES | {"critical"}
    assert summary["experiment"].is_unique and summary["layers"].is_unique
    # Every layer deleted and doubled once.
    assert sorted(summary.query("family == 'delete'")["layer"]) == list(range(8))
    assert sorted(summary.query("family == 'duplicate'")["layer"]) == list(range(8))
    base = summary.set_index("experiment").loc["base"]
    assert base["ppl_ratio"] == pytest.approx(1.0)
    tables = built_lab / "results/lab/tables"
    for kind in ("probe_tokens", "probe_answers", "probe_top", "perplexity", "math"):
        table = pd.read_parquet(tables / f"{kind}.parquet")
        assert set(table["experiment"]) == set(summary["experiment"]), kind
    top = pd.read_parquet(tables / "probe_top.parquet")
    assert top.groupby(["experiment", "probe"]).size().eq(20).all()
    # Full mode: the informed probes and the generations are there.
    answers = pd.read_parquet(tables / "probe_answers.parquet")
    assert set(answers["group"]) == {"self_blind", "self_informed", "control"}
    assert (tables / "generations.parquet").is_file()


def test_critical_region_comes_from_the_deletion_sweep(built_lab):
    job = json.loads((built_lab / "results/lab/runs/stage2/job.json").read_text())
    critical = job["critical"]
    summary = pd.read_csv(built_lab / "results/lab/summary.csv").set_index("experiment")
    damage = [summary.loc[f"del{i}", "ppl_ratio"] for i in range(8)]
    assert critical["layer"] == max(range(8), key=lambda i: damage[i])
    assert critical["end"] - critical["start"] == 2  # a quarter of eight layers
    window = damage[critical["start"]] * damage[critical["start"] + 1]
    assert all(damage[i] * damage[i + 1] <= window * (1 + 1e-9) for i in range(7))
    names = {
        name: critical["aliases"].get(name, name)
        for name in ("critical_delete", "critical_reverse")
    }
    kept = summary.loc[names["critical_delete"], "layers"].split()
    assert str(critical["start"]) not in kept and str(critical["start"] + 1) not in kept
    assert summary.loc[names["critical_reverse"], "depth"] == 8


def test_splice_uses_the_donor(built_lab):
    summary = pd.read_csv(built_lab / "results/lab/summary.csv").set_index("experiment")
    assert "donor" in summary.loc["splice_early_late", "layers"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing")
def test_lab_numbers_are_in_the_pdf(built_lab):
    numbers = json.loads((built_lab / "paper/generated/lab/numbers.json").read_text())["macros"]
    text = subprocess.run(
        ["pdftotext", str(built_lab / LAB_PDF), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    summary = pd.read_csv(built_lab / "results/lab/summary.csv")
    assert f"measures each of the {len(summary)} resulting models" in text
    base = summary.set_index("experiment").loc["base"]
    assert f"perplexity of {base['perplexity']:.2f}" in text
    found = [
        key
        for key, entry in numbers.items()
        if len(str(entry["tex"])) >= 3
        and any(c.isdigit() for c in str(entry["tex"]))
        and str(entry["tex"]) in text
    ]
    assert len(found) >= 10, found
    assert "random initialisation (seed 0)" in text


def test_rerun_plans_nothing(built_lab):
    assert planned_jobs(built_lab, LAB_PDF, *LAB_CONFIG) == {}


def test_report_edit_reruns_only_the_report(built_lab):
    path = built_lab / "paper/lab/notice.tex"
    original = path.read_text()
    try:
        path.write_text(original + "\n% edited\n")
        assert planned_jobs(built_lab, LAB_PDF, *LAB_CONFIG) == {"lab_paper": 1}
    finally:
        path.write_text(original)


def test_probe_code_edit_reruns_the_measuring_jobs(built_lab):
    path = built_lab / "src/frankenmodels/evaluation/probes.py"
    original = path.read_text()
    try:
        path.write_text(original + "\n# edited\n")
        jobs = planned_jobs(built_lab, LAB_PDF, *LAB_CONFIG)
    finally:
        path.write_text(original)
    assert jobs["lab_stage1"] == 2 and jobs["lab_stage2"] == 1
    assert "lab_model" not in jobs and "lab_importance" not in jobs


def _config_with(tmp_path, built_lab, mutate):
    config = yaml.safe_load((built_lab / "config/lab-test.yaml").read_text())
    mutate(config["lab"])
    path = tmp_path / "lab.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda lab: lab["catalogue"].update(windows=[{"size": 8}]),
            "lab.catalogue.windows[0].size",
        ),
        (lambda lab: lab["donor"].update(num_layers=6), "lab.donor.num_layers"),
        (lambda lab: lab["model"].pop("architecture"), "lab.model.architecture"),
        (lambda lab: lab["perplexity"]["local"].update(path="missing.csv"), "missing.csv"),
        (lambda lab: lab["perplexity"].update(stride=64), "lab.perplexity.stride"),
        (lambda lab: lab.update(mode="thorough"), "lab.mode"),
    ],
)
def test_bad_config_fails_before_any_job(built_lab, tmp_path, mutate, message):
    config = _config_with(tmp_path, built_lab, mutate)
    result = snakemake(built_lab, "-n", "--configfile", str(config), timeout=300)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


def _lab_command(built_lab, *args):
    command = [
        *(sys.executable, "-m", "frankenmodels", "lab"),
        *("--model", str(built_lab / "resources/lab/model")),
        *("--corpus", str(built_lab / "tests/data/lab_corpus.csv")),
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=built_lab)


def test_command_line_lab_prints_a_table(built_lab):
    result = _lab_command(
        built_lab,
        *("--experiment", "del1", "--experiment", "reverse_all"),
        *(
            "--documents",
            "4",
            "--max-tokens",
            "32",
            "--math-items",
            "4",
            "--device",
            "cpu",
        ),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert [line.split("|")[1].strip() for line in lines[1:]] == ["base", "del1", "reverse_all"]


def test_command_line_lab_rejects_an_unknown_experiment(built_lab):
    result = _lab_command(built_lab, "--experiment", "del9")
    assert result.returncode == 2
    assert "del9" in result.stderr and "catalogue" in result.stderr
