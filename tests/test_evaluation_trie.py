"""The walk of a sweep's prefix tree: what each variant reuses, caches and releases."""

from frankenmodels.evaluation.trie import layer_keys, schedule
from frankenmodels.surgery import Plan


def _steps(plans):
    return {step.name: step for step in schedule({n: layer_keys(p, n) for n, p in plans.items()})}


def test_duplication_sweep_runs_each_shared_prefix_once():
    plans = {"base": Plan.identity(6), **{f"dup{i}": Plan.duplicate(6, i) for i in range(6)}}
    steps = _steps(plans)
    # base runs 6 layers; dup_i shares layers 0..i with an earlier variant and runs 6 - i.
    assert sum(step.computed for step in steps.values()) == 6 + sum(6 - i for i in range(6))
    assert sum(len(plan) for plan in plans.values()) == 48
    assert steps["dup0"].resume == 0 and steps["dup5"].resume == 6


def test_every_read_prefix_is_stored_earlier_and_released_once():
    plans = {
        "base": Plan.identity(4),
        "dup1": Plan.duplicate(4, 1),
        "delete_window_2_4": Plan.delete_window(4, 2, 4),
        "reverse": Plan.reverse(4, 1, 4),
        "same_as_base": Plan.identity(4),
        "delete3": Plan.delete(4, [3]),
    }
    cached, released = set(), []
    for step in schedule({n: layer_keys(p, n) for n, p in plans.items()}):
        if step.resume:
            assert step.keys[: step.resume] in cached, step.name
        cached |= {step.keys[:n] for n in step.store}
        cached -= set(step.release)
        released += step.release
    assert not cached and len(released) == len(set(released))


def test_averaged_layers_are_never_shared():
    plans = {"merge_a": Plan.merge(4, 1, 2), "merge_b": Plan.merge(4, 1, 2)}
    steps = _steps(plans)
    # Layer 0 is shared; the averaged layers are each variant's own new weights.
    assert sorted(step.resume for step in steps.values()) == [0, 1]
