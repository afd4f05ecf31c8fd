"""`python -m frankenmodels surgery`: dry run, saving, plan formats, donors, errors."""

import subprocess
import sys

import pytest
import torch
from surgery_fixtures import output, tiny_model
from transformers import AutoModelForCausalLM

from frankenmodels.cli import main

IDS = torch.tensor([[5, 17, 3, 42, 8, 11, 30]])


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A tiny Llama base and a donor of the same shape, saved as ordinary checkpoints."""
    root = tmp_path_factory.mktemp("models")
    for name, seed in (("base", 0), ("donor", 1)):
        tiny_model("llama", seed=seed).save_pretrained(root / name)
    return root


def test_dry_run_prints_layers_and_counts(folders, tmp_path, capsys):
    plan = tmp_path / "plan.yaml"
    plan.write_text("op: duplicate\nlayer: 2\n")
    assert (
        main(["surgery", "--model", str(folders / "base"), "--plan", str(plan), "--dry-run"]) == 0
    )
    text = capsys.readouterr().out
    assert "layers:     0 1 2 2 3" in text
    assert "depth:      4 -> 5" in text
    assert "unique 35,104  effective 42,848" in text


def test_saved_checkpoint_loads_and_matches_the_library(folders, tmp_path):
    from frankenmodels.surgery import Plan, apply_plan

    plan = tmp_path / "plan.yaml"
    plan.write_text("layers: [0, 1, 1, 3, 2]\n")
    out = tmp_path / "out"
    assert (
        main(["surgery", "--model", str(folders / "base"), "--plan", str(plan), "--out", str(out)])
        == 0
    )
    assert (out / "surgery_plan.yaml").exists()
    saved = AutoModelForCausalLM.from_pretrained(out).eval()
    base = AutoModelForCausalLM.from_pretrained(folders / "base").eval()
    expected = apply_plan(base, Plan.custom([0, 1, 1, 3, 2]))
    assert torch.equal(output(saved, IDS), output(expected, IDS))


def test_mergekit_cross_model_recipe_with_donor(folders, tmp_path, capsys):
    base, donor = folders / "base", folders / "donor"
    plan = tmp_path / "recipe.yaml"
    plan.write_text(
        "slices:\n"
        f"  - sources: [{{model: {donor}, layer_range: [0, 2]}}]\n"
        f"  - sources: [{{model: {base}, layer_range: [2, 4]}}]\n"
        "merge_method: passthrough\n"
    )
    out = tmp_path / "out"
    args = ["surgery", "--model", str(base), "--plan", str(plan), "--donor", str(donor)]
    assert main([*args, "--out", str(out)]) == 0
    assert "layers:     donor:0 donor:1 2 3" in capsys.readouterr().out
    saved = AutoModelForCausalLM.from_pretrained(out)
    donor_model = AutoModelForCausalLM.from_pretrained(donor)
    assert torch.equal(
        saved.model.layers[0].mlp.up_proj.weight, donor_model.model.layers[0].mlp.up_proj.weight
    )


def test_errors_are_one_line_with_exit_status_2(folders, tmp_path, capsys):
    plan = tmp_path / "plan.yaml"
    plan.write_text("layers: [0, 7]\n")
    assert (
        main(["surgery", "--model", str(folders / "base"), "--plan", str(plan), "--dry-run"]) == 2
    )
    last = capsys.readouterr().err.splitlines()[-1]  # earlier lines: transformers' progress bars
    assert last.startswith("error: ") and "index 7 out of range" in last
    plan.write_text("slices: [{sources: [{model: x, layer_range: [0, 2]}]}]\nmerge_method: slerp\n")
    assert (
        main(["surgery", "--model", str(folders / "base"), "--plan", str(plan), "--dry-run"]) == 2
    )
    assert "slerp" in capsys.readouterr().err
    assert main(["surgery", "--model", str(folders / "base"), "--plan", str(plan)]) == 2


def test_module_entry_point_lists_the_surgery_command():
    result = subprocess.run(
        [sys.executable, "-m", "frankenmodels", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "surgery" in result.stdout
