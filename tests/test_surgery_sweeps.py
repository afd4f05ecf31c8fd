"""Config `variants:` specs expand into named, ordered plans for the workflow."""

import pytest

from frankenmodels.surgery import Plan, PlanError, expand_variants, plan_from_spec, variant_family

SPECS = [
    {"sweep": "duplicate"},
    {"sweep": "delete"},
    {"sweep": "delete_window", "size": 2, "step": 1},
    {"sweep": "repeat", "layer": 3, "counts": [2, 3, 5]},
    {"name": "rev_mid", "op": "reverse", "start": 4, "end": 8},
    {"name": "keep_even", "op": "skip", "pattern": "even"},
    {"name": "every3", "op": "skip", "pattern": "every_n", "n": 3},
    {"name": "merge_ffn", "op": "merge", "start": 2, "n": 2, "scope": "ffn"},
    {"name": "comp2", "op": "compress", "start": 2, "n": 2, "scope": "block"},
    {"name": "mine", "op": "custom", "layers": [0, 1, 1, 2, 3]},
    {"name": "middle6", "op": "duplicate", "layer": 6},
    {"name": "keep", "op": "keep_only", "layers": [0, 11]},
]


def test_expansion_names_order_and_plans():
    plans = expand_variants(SPECS, 12)
    names = list(plans)
    assert names[0] == "base" and plans["base"] == Plan.identity(12)
    assert names[1:13] == [f"dup{i}" for i in range(12)]
    assert names[13:25] == [f"del{i}" for i in range(12)]
    assert names[25:36] == [f"delwin{i}_{i + 2}" for i in range(11)]
    assert names[36:39] == ["rep3x2", "rep3x3", "rep3x5"]
    assert names[39:] == [s["name"] for s in SPECS[4:]]
    assert plans["dup6"].layers_string() == "0 1 2 3 4 5 6 6 7 8 9 10 11"
    assert plans["delwin2_4"] == Plan.delete_window(12, 2, 4)
    assert plans["rep3x5"].depth == 16
    assert plans["rev_mid"].layers_string() == "0 1 2 3 7 6 5 4 8 9 10 11"
    assert plans["merge_ffn"] == Plan.merge(12, 2, 2, "ffn")
    assert plans["comp2"].depth == 11


def test_families_and_single_layers():
    families = variant_family(SPECS, 12)
    assert list(families) == list(expand_variants(SPECS, 12))
    assert families["base"] == ("base", None)
    assert families["dup6"] == ("duplicate", 6)
    assert families["del0"] == ("delete", 0)
    assert families["delwin2_4"] == ("delete_window", None)
    assert families["rep3x2"] == ("repeat", 3)
    assert families["rev_mid"] == ("named", None)
    assert families["middle6"] == ("named", 6)


def test_window_step_and_layer_subsets():
    plans = expand_variants(
        [{"sweep": "delete_window", "size": 4, "step": 2}, {"sweep": "duplicate", "layers": [1]}],
        8,
    )
    assert list(plans) == ["base", "delwin0_4", "delwin2_6", "delwin4_8", "dup1"]


def test_empty_specs_give_base_only():
    assert list(expand_variants([], 4)) == ["base"]


@pytest.mark.parametrize(
    "specs, message",
    [
        (
            [{"sweep": "duplicate"}, {"name": "dup2", "op": "duplicate", "layer": 2}],
            "duplicate variant name 'dup2'",
        ),
        ([{"name": "base", "op": "identity"}], "duplicate variant name 'base'"),
        (
            [{"name": "rev-mid", "op": "reverse", "start": 0, "end": 2}],
            r"must match \[A-Za-z0-9_\]\+",
        ),
        ([{"sweep": "dupe"}], "unknown sweep 'dupe'"),
        ([{"name": "x", "op": "flip"}], "unknown op 'flip'"),
        ([{"name": "x", "op": "reverse", "start": 0}], "missing key 'end'"),
        ([{"name": "x", "op": "merge", "start": 0, "n": 2, "scop": "ffn"}], "unknown key 'scop'"),
        ([{"name": "x", "op": "merge", "start": 0, "n": 2, "scope": "attn"}], "scope"),
        ([{"name": "x", "op": "duplicate", "layer": 12}], "out of range"),
        ([{"sweep": "delete_window", "size": 12}], "delete all"),
        ([{"sweep": "repeat", "layer": 3}], "missing key 'counts'"),
        ([{"op": "duplicate", "layer": 1}], "'sweep' or 'name'"),
        (["dup1"], "expected a mapping"),
    ],
)
def test_bad_specs_name_the_offender_in_one_line(specs, message):
    with pytest.raises(PlanError, match=message) as info:
        expand_variants(specs, 12)
    assert "\n" not in str(info.value)
    assert "variants[" in str(info.value)


def test_plan_from_spec_builds_single_operations():
    assert plan_from_spec({"op": "delete", "layers": 0}, 4) == Plan.delete(4, [0])
    splice = plan_from_spec(
        {
            "op": "splice",
            "segments": [
                {"model": "donor", "start": 0, "end": 2},
                {"model": "base", "start": 2, "end": 4},
            ],
        },
        4,
    )
    assert splice.layers_string() == "donor:0 donor:1 2 3"
