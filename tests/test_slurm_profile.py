"""Every GPU rule has its SLURM resources in the real profile, and the CI profile (a node
without a GPU) turns the GPU off for each: a rule missing there would ask sbatch for a GPU
the test cluster does not have, and only the cluster test would notice."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RULE = re.compile(r"^(?:checkpoint|rule) (\w+):\n((?:[ \t]+.*\n|\n)*)", re.M)
USE = re.compile(r"^[ \t]*use rule (\w+) as (\w+) with:", re.M)


def gpu_rules() -> set[str]:
    text = "".join(path.read_text() for path in sorted((ROOT / "workflow/rules").glob("*.smk")))
    rules = {name for name, body in RULE.findall(text) if re.search(r"\bgpu=1\b", body)}
    # A rule made with `use rule ... with:` inherits the resources it does not override.
    rules |= {new for old, new in USE.findall(text) if old in rules}
    return rules


def set_resources(profile: str) -> dict:
    return yaml.safe_load((ROOT / profile / "config.yaml").read_text())["set-resources"]


def test_the_gpu_rules_are_found():
    assert {"finetune", "evaluate", "evaluate_selection", "evaluate_chosen"} <= gpu_rules()


def test_every_gpu_rule_has_slurm_resources():
    missing = gpu_rules() - set(set_resources("slurm"))
    assert not missing, f"slurm/config.yaml set-resources lacks {sorted(missing)}"


def test_the_ci_profile_turns_every_gpu_off():
    ci = set_resources("tests/cluster/ci-profile")
    wrong = sorted(rule for rule in gpu_rules() if ci.get(rule, {}).get("gpu") != 0)
    assert not wrong, f"tests/cluster/ci-profile must set gpu: 0 for {wrong}"
