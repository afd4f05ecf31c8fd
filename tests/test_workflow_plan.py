"""What the DAG plans for each configuration (dry runs only: seconds, no computation)."""

import pytest
from workflow_helpers import PAPERS, ROOT, planned_jobs, snakemake


def test_published_study_plans_the_papers_jobs():
    jobs = planned_jobs(ROOT, *PAPERS, "--forceall", "--configfile", "config/config.yaml")
    assert jobs["finetune"] == 9
    assert jobs["evaluate"] == 9  # one per seed: all 13 variants in one pass
    # The selection split holds the multi-layer study's single-layer estimates only (the
    # published protocol reads its layer off validation).
    assert jobs["evaluate_selection"] == jobs["layer_signals"] == 9
    assert jobs["efficiency"] == 13  # the chosen plans' are planned after the checkpoint
    for rule in (
        "stats",
        "aggregate",
        "numbers",
        "tables",
        "figure_layer_impact",
        "figure_seed_pairs",
        "figure_tradeoff",
        "figure_layer_ci",
        "layer_gains",
        "signal_agreement",
        "choose_plans",
        "multilayer_stats",
    ):
        assert jobs[rule] == 1, rule
    assert jobs["paper"] == 2
    assert "evaluate_chosen" not in jobs  # known only once the checkpoint has run


def test_dry_run_before_the_checkpoint_says_what_is_pending():
    result = snakemake(ROOT, "-n", *PAPERS, "--forceall", "--configfile", "config/config.yaml")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "checkpoint choose_plans:" in output
    assert "DAG of jobs will be updated after completion" in output
    assert "input: <TBD>" in output  # multilayer_stats waits for the checkpoint's plans


def test_default_config_is_the_published_one():
    assert planned_jobs(ROOT, *PAPERS, "--forceall") == planned_jobs(
        ROOT, *PAPERS, "--forceall", "--configfile", "config/config.yaml"
    )


@pytest.mark.skipif(not (ROOT.parent / "shared/data/sst2").is_dir(), reason="no local SST-2")
def test_cpu_config_plans_selection_and_validation_evaluations():
    jobs = planned_jobs(
        ROOT, *PAPERS, "--forceall", "--configfile", "config/cpu.yaml", "config/local-sst2.yaml"
    )
    # One job per seed on validation and one on the selection split, 7 variants each.
    assert jobs["finetune"] == 5
    assert jobs["evaluate"] == jobs["evaluate_selection"] == 5
    assert jobs["efficiency"] == 7
