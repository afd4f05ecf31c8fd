"""What the DAG plans for each configuration (dry runs only: seconds, no computation)."""

import pytest
from workflow_helpers import PAPERS, ROOT, planned_jobs


def test_published_study_plans_the_papers_jobs():
    jobs = planned_jobs(ROOT, *PAPERS, "--forceall", "--configfile", "config/config.yaml")
    assert jobs["finetune"] == 9
    assert jobs["evaluate"] == 9  # one per seed: all 13 variants in one pass
    assert "evaluate_selection" not in jobs  # the published protocol has no selection split
    assert jobs["efficiency"] == 13
    for rule in (
        "stats",
        "aggregate",
        "numbers",
        "tables",
        "figure_layer_impact",
        "figure_seed_pairs",
        "figure_tradeoff",
        "figure_layer_ci",
    ):
        assert jobs[rule] == 1, rule
    assert jobs["paper"] == 2


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
