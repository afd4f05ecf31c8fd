"""The whole config/test.yaml DAG to both PDFs, then what an edit makes Snakemake rerun."""

import json
import os
import re
import shutil
import subprocess
import time
from collections import Counter

import pandas as pd
import pytest
import yaml
from workflow_helpers import PAPERS, planned_jobs, snakemake

pytestmark = pytest.mark.slow
CONFIG = ("--configfile", "config/test.yaml")


@pytest.fixture(scope="module")
def repo(built_repo):
    return built_repo


def _plan_with_config(repo, tmp_path, mutate):
    """Plan with config/test.yaml changed by `mutate` (written key-sorted, as safe_dump does)."""
    config = yaml.safe_load((repo / "config/test.yaml").read_text())
    mutate(config)
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(config))
    return planned_jobs(repo, *PAPERS, "--configfile", str(changed))


def _edit_and_plan(repo, relative, *extra):
    """Plan after a real edit of one file, then put the file back as it was.

    A real edit, not a touch: Snakemake 9 compares checksums of small inputs, so a file
    whose content is unchanged does not rerun anything, whatever its mtime.
    """
    path = repo / relative
    original, before = path.read_bytes(), path.stat()
    path.write_bytes(original + b"\n# an edit that changes nothing but the checksum\n")
    edited = time.time_ns() + 10**9  # newer than every output, which are minutes old
    os.utime(path, ns=(edited, edited))
    try:
        return planned_jobs(repo, *PAPERS, *CONFIG, *extra)
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_both_papers_are_built(repo):
    for pdf in PAPERS:
        assert (repo / pdf).read_bytes()[:5] == b"%PDF-"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing")
def test_generated_numbers_are_in_the_pdf(repo):
    numbers = json.loads((repo / "paper/generated/numbers.json").read_text())["macros"]
    metrics = pd.read_csv(repo / "results/aggregate/metrics.csv")
    for pdf in PAPERS:
        text = subprocess.run(
            ["pdftotext", str(repo / pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        text = " ".join(text.split())
        found = [
            key
            for key, entry in numbers.items()
            if len(str(entry["tex"])) >= 4
            and any(c.isdigit() for c in str(entry["tex"]))
            and str(entry["tex"]) in text
        ]
        assert len(found) >= 10, f"{pdf}: only {found} of the generated numbers appear"
    # The base accuracy printed in the paper is the mean of results/, not a typed number.
    base = metrics.query("split == 'validation' and variant == 'base' and metric == 'accuracy'")
    expected = f"{base['value'].mean():.4f}"
    assert any(str(entry["tex"]) == expected for entry in numbers.values()), expected


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing")
def test_chosen_plans_and_their_measured_changes_are_in_the_pdf(repo):
    tests = pd.read_csv(repo / "results/multilayer/tests.csv")
    feasible = tests[tests["status"] == "optimal"]
    assert len(feasible) >= 1, tests
    for pdf in PAPERS:
        text = subprocess.run(
            ["pdftotext", str(repo / pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        text = " ".join(text.split())
        assert "Several layers at once" in text
        for row in feasible.itertuples():
            assert row.plan in text, (pdf, row.plan)
            change = f"{abs(row.mean_diff) * 100:.2f}"
            measured = rf"{re.escape(row.plan)}.{{0,200}}?measured [\u2212+]?{change}\s?pp"
            assert re.search(measured, text), (pdf, row.plan, row.mean_diff)


def test_nothing_changed_plans_nothing(repo):
    assert planned_jobs(repo, *PAPERS, *CONFIG) == Counter()


def test_figure_edit_reruns_that_figure_and_the_papers(repo):
    jobs = _edit_and_plan(repo, "src/frankenmodels/figures/layer_impact.py")
    assert jobs == Counter({"figure_layer_impact": 1, "paper": 2})


def test_training_edit_reruns_finetuning_and_everything_after(repo):
    jobs = _edit_and_plan(repo, "src/frankenmodels/training/loop.py")
    assert jobs["finetune"] == 3
    assert jobs["evaluate"] == jobs["evaluate_selection"] == 3  # one per seed and split
    assert jobs["stats"] == jobs["paper"] / 2 == 1
    assert "efficiency" not in jobs and "download_model" not in jobs
    assert "download_data" not in jobs


REPORT_ONLY = {"numbers", "tables", "paper"}


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c["study"].update(title="Another title"),
        lambda c: c["model"].update(name="another model name"),
        lambda c: c["data"].update(name="another data name"),
        lambda c: c["data"].update(task="another task"),
    ],
    ids=["study.title", "model.name", "data.name", "data.task"],
)
def test_paper_only_config_edit_reruns_only_the_report(repo, tmp_path, mutate):
    jobs = _plan_with_config(repo, tmp_path, mutate)
    assert set(jobs) <= REPORT_ONLY and jobs["paper"] == 2, jobs
    assert jobs["numbers"] == 1, jobs


def test_alpha_edit_reruns_stats_and_everything_after(repo, tmp_path):
    jobs = _plan_with_config(repo, tmp_path, lambda c: c["stats"].update(alpha=0.1))
    assert jobs["stats"] == jobs["numbers"] == 1 and jobs["paper"] == 2, jobs
    upstream = {"finetune", "evaluate", "evaluate_selection", "efficiency", "aggregate"}
    assert not upstream & set(jobs), jobs


def test_ilp_edit_reruns_the_checkpoint_and_what_follows(repo):
    """The chosen plans are measured after the checkpoint reruns; nothing before it reruns."""
    jobs = _edit_and_plan(repo, "src/frankenmodels/multilayer/ilp.py")
    assert jobs["choose_plans"] == jobs["multilayer_stats"] == 1, jobs
    assert jobs["paper"] == 2, jobs
    before = {"finetune", "evaluate", "evaluate_selection", "layer_signals", "layer_gains"}
    assert not before & set(jobs), jobs
    assert "efficiency" not in jobs and "evaluate_chosen" not in jobs  # planned after it


def test_lora_rank_edit_retrains_only_what_uses_lora(repo, tmp_path):
    """test.yaml trains full (the paper's run), LoRA, and whole layers (no LoRA)."""
    jobs = _plan_with_config(
        repo, tmp_path, lambda c: c["training"].setdefault("lora", {}).update(r=4)
    )
    assert jobs["finetune_method"] == jobs["evaluate_method"] == 3, jobs  # LoRA, per seed
    assert jobs["heal"] == 3 and jobs["method_stats"] == jobs["healing_stats"] == 1, jobs
    assert not {"finetune", "evaluate", "stats", "choose_plans"} & set(jobs), jobs


def test_healing_budget_edit_reruns_only_healing(repo, tmp_path):
    jobs = _plan_with_config(
        repo, tmp_path, lambda c: c["finetuning"]["healing"].update(steps_fraction=0.2)
    )
    assert jobs["heal"] == 9 and jobs["healing_stats"] == 1, jobs  # 3 methods x 3 seeds
    # The heal jobs' time records are aggregated with every compute job's.
    assert set(jobs) <= {"heal", "healing_stats", "aggregate_benchmarks", *REPORT_ONLY}, jobs


def test_healing_compares_with_an_equally_trained_control(repo):
    runs = pd.read_csv(repo / "results/healing/runs.csv", dtype={"trained_layers": str})
    trained = runs[runs["role"] != "before"]
    # Every arm of a method trains the same number of steps, controls included.
    assert (trained.groupby("method")["steps"].nunique() == 1).all(), trained
    selective = trained[trained["method"] == "layer_selective"]
    for row in selective[selective["role"] == "healed"].itertuples():
        control = selective[(selective["arm"] == row.control) & (selective["seed"] == row.seed)]
        assert control["role"].item() == "control"
        assert row.control == "control_l" + control["trained_layers"].item().replace(" ", "-")
    tests = pd.read_csv(repo / "results/healing/tests.csv")
    plans = json.loads((repo / "results/multilayer/plans.json").read_text())
    chosen = {b["name"] for b in plans["budgets"] if b["status"] == "optimal"}
    full = set(tests.loc[tests["method"] == "full", "plan"])
    assert full == chosen | {"dup2"}, (full, chosen)  # the focus variant and the chosen plans


def test_methods_table_has_every_method_and_seed(repo):
    runs = pd.read_csv(repo / "results/methods/runs.csv")
    assert sorted(runs.groupby("method")["seed"].apply(list).items()) == [
        ("full", [1, 2, 3]),
        ("layer_selective", [1, 2, 3]),
        ("lora", [1, 2, 3]),
    ]
    by_method = runs.groupby("method")["trainable_percent"].mean()
    assert by_method["full"] == pytest.approx(100.0)
    assert by_method["lora"] < by_method["layer_selective"] < 100.0  # one whole layer of four
    # The full run of the comparison is the paper's own fine-tuning, not a second one.
    paper_run = json.loads((repo / "results/finetune/seed1/summary.json").read_text())
    assert runs.query("method == 'full' and seed == 1")["wall_seconds"].item() == pytest.approx(
        paper_run["wall_seconds"]
    )


def test_command_line_edit_reruns_no_evaluation(repo):
    """surgery/command.py is the CLI's: no rule's script reaches it."""
    assert _edit_and_plan(repo, "src/frankenmodels/surgery/command.py") == Counter()


def test_surgery_edit_reruns_evaluations_not_training(repo):
    jobs = _edit_and_plan(repo, "src/frankenmodels/surgery/apply.py")
    assert jobs["evaluate"] and jobs["efficiency"], jobs
    assert "finetune" not in jobs and "download_model" not in jobs, jobs


def test_new_seed_runs_only_its_own_jobs(repo, tmp_path):
    config = yaml.safe_load((repo / "config/test.yaml").read_text())
    config["training"]["seeds"].append(4)
    extended = tmp_path / "four_seeds.yaml"
    # safe_dump also sorts the keys: a reordered config must not rerun anything either.
    extended.write_text(yaml.safe_dump(config))
    jobs = planned_jobs(repo, *PAPERS, "--configfile", str(extended))
    assert jobs["finetune"] == 1
    assert jobs["evaluate"] == jobs["evaluate_selection"] == 1  # the new seed only
    assert jobs["layer_signals"] == 1 and jobs["choose_plans"] == 1
    assert "efficiency" not in jobs
    assert jobs["aggregate"] == jobs["aggregate_training"] == jobs["stats"] == 1


def test_same_seed_gives_the_same_metrics(repo):
    target = "results/evaluate/validation/seed1/dup1/metrics.json"
    first = json.loads((repo / target).read_text())["metrics"]
    result = snakemake(repo, target, "--cores", "2", *CONFIG, "--forcerun", "finetune")
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads((repo / target).read_text())["metrics"] == first
