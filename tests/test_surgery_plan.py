"""The plan as data: named constructors, text and dict forms, validation."""

import pytest
from hypothesis import given, settings
from surgery_fixtures import plan_strategy

from frankenmodels.surgery import LayerSource, Plan, PlanError


def seq(plan: Plan) -> list[int]:
    return [int(t) for t in plan.layers_string().split()]


def test_constructors_give_the_documented_sequences():
    assert seq(Plan.identity(5)) == [0, 1, 2, 3, 4]
    assert seq(Plan.duplicate(5, 2)) == [0, 1, 2, 2, 3, 4]
    assert seq(Plan.repeat(5, 4, 3)) == [0, 1, 2, 3, 4, 4, 4]
    assert seq(Plan.delete(5, [0, 3])) == [1, 2, 4]
    assert seq(Plan.delete_window(6, 2, 4)) == [0, 1, 4, 5]
    assert seq(Plan.keep_only(6, [5, 0, 0])) == [5, 0, 0]
    assert seq(Plan.reverse(6, 1, 4)) == [0, 3, 2, 1, 4, 5]
    assert seq(Plan.custom([0, 1, 1, 2, 3])) == [0, 1, 1, 2, 3]


@pytest.mark.parametrize(
    "pattern, kwargs, expected",
    [
        ("every_n", {"n": 3}, [0, 3, 6]),
        ("every_n", {"n": 3, "offset": 2}, [2, 5]),
        ("even", {}, [0, 2, 4, 6]),
        ("odd", {}, [1, 3, 5]),
        ("first_half", {}, [0, 1, 2]),
        ("second_half", {}, [3, 4, 5, 6]),
    ],
)
def test_skip_patterns(pattern, kwargs, expected):
    assert seq(Plan.skip(7, pattern, **kwargs)) == expected


def test_merge_keeps_depth_and_compress_reduces_it():
    merged = Plan.merge(6, 2, 3, scope="ffn")
    assert merged.depth == 6
    assert merged.layers_string() == "0 1 2+ffn(2,3,4) 3+ffn(2,3,4) 4+ffn(2,3,4) 5"
    assert Plan.merge(6, 2, 2, scope="block").layers_string() == "0 1 avg(2,3) avg(2,3) 4 5"
    compressed = Plan.compress(6, 2, 3, scope="block")
    assert compressed.depth == 4
    assert compressed.layers_string() == "0 1 avg(2,3,4) 5"
    assert Plan.compress(6, 0, 2).layers_string() == "0+ffn(0,1) 2 3 4 5"


def test_splice_takes_half_open_segments_from_two_models():
    plan = Plan.splice([("donor", 0, 2), ("base", 2, 4)])
    assert plan.layers_string() == "donor:0 donor:1 2 3"
    assert plan.uses_donor and plan.referenced("donor") == {0, 1}


@settings(max_examples=25, deadline=None)
@given(plan_strategy(depth=6, max_len=8))
def test_text_and_dict_forms_round_trip(plan):
    assert Plan.from_string(plan.layers_string()) == plan
    assert Plan.from_dict(plan.to_dict()) == plan


def test_dict_form_is_plain_yaml_data():
    plan = Plan((LayerSource(0), LayerSource(3, model="donor"), LayerSource(1, average=(1, 2))))
    assert plan.to_dict() == {
        "layers": [
            0,
            {"layer": 3, "model": "donor"},
            {"layer": 1, "average": [1, 2], "scope": "block"},
        ]
    }
    assert Plan.from_dict({"layers": "0 1 1 2"}) == Plan.custom([0, 1, 1, 2])


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Plan.duplicate(4, 4), "out of range"),
        (lambda: Plan.delete(3, [0, 1, 2]), "empty plan"),
        (lambda: Plan.reverse(6, 4, 2), "end is exclusive"),
        (lambda: Plan.delete_window(6, 2, 7), "invalid for 6 layers"),
        (lambda: Plan.repeat(6, 1, 0), "count"),
        (lambda: Plan.skip(6, "thirds"), "unknown skip pattern"),
        (lambda: Plan.merge(6, 5, 2), "invalid for 6 layers"),
        (lambda: Plan.merge(6, 1, 1), "n >= 2"),
        (lambda: Plan.custom([]), "empty plan"),
        (lambda: Plan.custom([0, 9], num_layers=4), "out of range"),
        (lambda: Plan.from_dict({"layers": [0, {"layer": 1, "model": "third"}]}), "model"),
        (lambda: Plan.from_dict({"layers": [{"layer": 1, "colour": 2}]}), "unknown key"),
        (lambda: Plan.from_string("0 1 x"), "cannot read"),
    ],
)
def test_invalid_plans_raise_one_line_errors(build, message):
    with pytest.raises(PlanError, match=message) as info:
        build()
    assert "\n" not in str(info.value)


def test_validate_checks_indices_and_donor_presence():
    Plan.custom([0, 3]).validate(4)
    with pytest.raises(PlanError, match="base layer index 4 out of range"):
        Plan.custom([0, 4]).validate(4)
    donor_plan = Plan.splice([("donor", 0, 2)])
    with pytest.raises(PlanError, match="no donor"):
        donor_plan.validate(4)
    with pytest.raises(PlanError, match="donor layer index 1"):
        donor_plan.validate(4, donor_layers=1)
