"""mergekit passthrough configs <-> plans, and the plan file formats."""

import pytest
import yaml
from hypothesis import given, settings
from surgery_fixtures import plan_strategy

from frankenmodels.surgery import (
    Plan,
    PlanError,
    dump_plan,
    from_mergekit,
    load_plan,
    to_mergekit,
)

# A typical frankenmerge recipe, as people publish them (half-open layer_range).
RECIPE = """
slices:
  - sources:
      - model: org/base-7b
        layer_range: [0, 4]
  - sources:
      - model: org/base-7b
        layer_range: [2, 6]
merge_method: passthrough
dtype: bfloat16
"""


def test_recipe_reads_as_overlapping_stack():
    plan, roles = from_mergekit(yaml.safe_load(RECIPE))
    assert plan.layers_string() == "0 1 2 3 2 3 4 5"
    assert roles == {"base": "org/base-7b"}


def test_runs_of_consecutive_layers_become_slices():
    config = to_mergekit(Plan.duplicate(6, 2), "m")
    ranges = [s["sources"][0]["layer_range"] for s in config["slices"]]
    assert ranges == [[0, 3], [2, 6]]
    assert config["merge_method"] == "passthrough"


def test_cross_model_round_trip_and_role_choice():
    plan = Plan.splice([("donor", 0, 3), ("base", 3, 6)])
    config = to_mergekit(plan, "base-path", "instruct-path")
    assert config["slices"][0]["sources"][0]["model"] == "instruct-path"
    back, roles = from_mergekit(config, base="base-path")
    assert back == plan and roles == {"base": "base-path", "donor": "instruct-path"}
    # Without a hint the first model named becomes the base.
    _, roles = from_mergekit(config)
    assert roles["base"] == "instruct-path"


@settings(max_examples=25, deadline=None)
@given(plan_strategy(depth=6, max_len=8, averages=False))
def test_plain_plans_round_trip_through_mergekit(plan):
    back, _ = from_mergekit(to_mergekit(plan, "m"))
    assert back == plan


def test_averaged_groups_have_no_passthrough_equivalent():
    with pytest.raises(PlanError, match="passthrough method only stacks layers"):
        to_mergekit(Plan.merge(6, 1, 2), "m")


@pytest.mark.parametrize(
    "config, message",
    [
        ({"slices": [], "merge_method": "passthrough"}, "non-empty"),
        (
            {
                "slices": [{"sources": [{"model": "m", "layer_range": [0, 2]}]}],
                "merge_method": "slerp",
            },
            "slerp",
        ),
        (
            {
                "slices": [
                    {
                        "sources": [
                            {"model": "a", "layer_range": [0, 2]},
                            {"model": "b", "layer_range": [0, 2]},
                        ]
                    }
                ]
            },
            "exactly one source",
        ),
        ({"slices": [{"sources": [{"model": "m", "layer_range": [3, 3]}]}]}, "layer_range"),
        (
            {
                "slices": [
                    {
                        "sources": [
                            {"model": "m", "layer_range": [0, 2], "parameters": {"scale": 0.5}}
                        ]
                    }
                ]
            },
            "unsupported source key",
        ),
        (
            {"slices": [{"sources": [{"model": m, "layer_range": [0, 1]}]} for m in "abc"]},
            "at most 2",
        ),
    ],
)
def test_unsupported_mergekit_configs_are_refused(config, message):
    with pytest.raises(PlanError, match=message):
        from_mergekit(config)


def test_plan_files_in_every_format(tmp_path):
    ours, spec, merge = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"
    dump_plan(Plan.custom([0, 1, 1, 3]), ours)
    spec.write_text("op: reverse\nstart: 1\nend: 4\n")
    merge.write_text(RECIPE)
    assert load_plan(ours, 4)[0].layers_string() == "0 1 1 3"
    assert load_plan(spec, 4)[0] == Plan.reverse(4, 1, 4)
    assert load_plan(merge, 6)[0].depth == 8
    dump_plan(Plan.duplicate(4, 0), merge, mergekit_models=("m", None))
    assert load_plan(merge, 4)[0] == Plan.duplicate(4, 0)
    with pytest.raises(PlanError, match="c.yaml: base layer index 3 out of range"):
        load_plan(merge, 3)
