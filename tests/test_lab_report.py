"""The lab's summary statistics and the report's claims, on tables built for the test."""

import numpy as np
import pandas as pd
import pytest

from frankenmodels.lab.summary import (
    deletion_damage,
    importance_agreement,
    summarise,
    token_shifts,
)
from frankenmodels.report.lab import SECTIONS, LabResults, weights_note
from frankenmodels.report.lab_tables import deletion_table, patterns_table
from frankenmodels.report.macros import MacroSet

LAYERS = 4
DOCS = 6
PROBES = [
    ("s1", "self_blind", ""),
    ("s2", "self_blind", ""),
    ("s3", "self_blind", ""),
    ("c1", "control", "yes"),
    ("c2", "control", "no"),
    ("c3", "control", "yes"),
    ("c4", "control", "no"),
    ("c5", "control", "no"),
]


def _tables(ppl_factor, self_shift, control_shift):
    """Experiments base, del0..del3, rev: perplexity scaled per experiment, P(yes) shifted."""
    names = ["base", *(f"del{i}" for i in range(LAYERS)), "rev"]
    families = ["base", *["delete"] * LAYERS, "reverse"]
    layers = [None, *range(LAYERS), None]
    experiments = pd.DataFrame(
        {
            "experiment": names,
            "family": families,
            "stage": 1,
            "layer": pd.array(layers, dtype="Int64"),
            "depth": 4,
            "layers": "0 1 2 3",
        }
    )
    rng = np.random.default_rng(0)
    base_nll = rng.uniform(90, 110, DOCS)
    perplexity, answers, math, top = [], [], [], []
    for name in names:
        factor = ppl_factor.get(name, 1.0)
        tokens = np.full(DOCS, 50)
        # log ppl scales by log(factor): nll = tokens * (log base ppl + log factor)
        nll = base_nll + tokens * np.log(factor) + (0 if name == "base" else rng.normal(0, 1, DOCS))
        perplexity.append(
            pd.DataFrame({"experiment": name, "doc": range(DOCS), "tokens": tokens, "nll": nll})
        )
        for probe, group, expected in PROBES:
            shift = (
                0.0
                if name == "base"
                else (
                    self_shift.get(name, 0.0)
                    if group != "control"
                    else control_shift.get(name, 0.0)
                )
            )
            base_p = 0.3 if expected != "yes" else 0.7
            p = base_p + shift + (0 if name == "base" else rng.normal(0, 0.01))
            answers.append(
                {
                    "experiment": name,
                    "probe": probe,
                    "group": group,
                    "expected": expected,
                    "p_yes": p / 2,
                    "p_no": (1 - p) / 2,
                    "p_yes_norm": p,
                }
            )
            for rank, token in enumerate(("I", " No", "Yes")):
                prob = 0.5 / (rank + 1) if name == "base" else 0.2 * (rank + 1) / 3
                top.append(
                    {
                        "experiment": name,
                        "probe": probe,
                        "rank": rank + 1,
                        "token_id": rank,
                        "token": token,
                        "prob": prob,
                    }
                )
        math.append(
            pd.DataFrame(
                {
                    "experiment": name,
                    "item": range(4),
                    "correct": [True, True, name == "base", False],
                }
            )
        )
    return {
        "experiments": experiments,
        "perplexity": pd.concat(perplexity, ignore_index=True),
        "probe_answers": pd.DataFrame(answers),
        "probe_top": pd.DataFrame(top),
        "math": pd.concat(math, ignore_index=True),
    }


FACTORS = {"del0": 40.0, "del1": 1.01, "del2": 1.3, "del3": 3.0, "rev": 8.0}


@pytest.fixture(scope="module")
def tables():
    return _tables(FACTORS, self_shift={"rev": 0.25}, control_shift={"rev": 0.0})


@pytest.fixture(scope="module")
def summary(tables):
    return summarise(tables, resamples=999, level=0.95)


def test_base_ratio_is_one_and_ratios_follow_the_data(summary):
    rows = summary.set_index("experiment")
    assert rows.loc["base", "ppl_ratio"] == pytest.approx(1.0)
    for name, factor in FACTORS.items():
        assert rows.loc[name, "ppl_ratio"] == pytest.approx(factor, rel=0.05)
        assert rows.loc[name, "ppl_ratio_low"] <= rows.loc[name, "ppl_ratio"]
        assert rows.loc[name, "ppl_ratio"] <= rows.loc[name, "ppl_ratio_high"]
    assert np.isnan(rows.loc["base", "notice"])
    assert rows.loc["base", "math_accuracy"] == 0.75 and rows.loc["del0", "math_n"] == 4


def test_notice_is_self_shift_minus_control_shift(summary):
    rows = summary.set_index("experiment")
    assert rows.loc["rev", "notice"] == pytest.approx(0.25, abs=0.02)
    assert rows.loc["rev", "notice_low"] > 0
    # A surgery that moves nothing: the CI straddles zero.
    assert rows.loc["del1", "notice_low"] < 0 < rows.loc["del1", "notice_high"]


def test_a_shift_on_every_question_alike_is_not_noticing():
    both = _tables(FACTORS, self_shift={"rev": 0.2}, control_shift={"rev": 0.2})
    rows = summarise(both, resamples=999, level=0.95).set_index("experiment")
    assert abs(rows.loc["rev", "notice"]) < 0.03
    assert rows.loc["rev", "notice_low"] < 0 < rows.loc["rev", "notice_high"]


def test_control_accuracy_reads_the_expected_side(summary):
    assert summary.set_index("experiment").loc["base", "control_accuracy"] == 1.0


def test_deletion_damage_and_importance_agreement(tables, summary):
    damage = deletion_damage(tables, LAYERS)
    assert np.argmax(damage) == 0 and damage[1] < damage[2] < damage[3]
    importance = pd.DataFrame(
        {
            "layer": range(LAYERS),
            "block_influence": [0.9, 0.1, 0.2, 0.5],
            "angular_distance": [0.1, 0.9, 0.5, 0.2],
        }
    )
    agreement = importance_agreement(summary, importance).set_index(["score", "target"])
    assert agreement.loc[("block_influence", "log_ppl_ratio"), "rho"] == pytest.approx(1.0)
    assert agreement.loc[("angular_distance", "log_ppl_ratio"), "rho"] == pytest.approx(-1.0)
    assert agreement.loc[("block_influence", "log_ppl_ratio"), "n"] == LAYERS


def test_deletion_damage_needs_the_whole_sweep(tables):
    partial = dict(tables, experiments=tables["experiments"].query("experiment != 'del2'"))
    with pytest.raises(ValueError, match=r"layers \[2\]"):
        deletion_damage(partial, LAYERS)


def test_token_shifts_of_the_most_damaging(tables, summary):
    shifts = token_shifts(summary, tables["probe_top"], tables["probe_answers"], experiments=2)
    assert list(dict.fromkeys(shifts["experiment"])) == ["del0", "rev"]
    row = shifts.query("experiment == 'del0' and token == 'I'").iloc[0]
    assert row["shift"] == pytest.approx(row["prob"] - row["prob_base"])
    assert row["prob_base"] == pytest.approx(0.5)


def _results(summary, tables, load_bearing=10.0):
    lab = {
        "model": {"name": "toy", "num_layers": LAYERS},
        "mode": "quick",
        "perplexity": {
            "name": "toy corpus",
            "source": "local",
            "documents": DOCS,
            "max_tokens": 50,
        },
        "math": {"items": 4, "digits": 1},
        "probes": {"top_k": 20},
        "importance": {"token": "last"},
        "stats": {
            "bootstrap_resamples": 999,
            "confidence": 0.95,
            "load_bearing": load_bearing,
            "removable": 1.1,
        },
    }
    importance = pd.DataFrame(
        {
            "layer": range(LAYERS),
            "block_influence": [0.9, 0.1, 0.2, 0.5],
            "angular_distance": [0.4, 0.1, 0.2, 0.3],
        }
    )
    return LabResults(
        summary=summary,
        agreement=importance_agreement(summary, importance),
        importance=importance,
        weights={
            "format": "gguf",
            "file": "m.Q4_1.gguf",
            "quantisation": "Q4_1",
            "stored_as": "float32",
        },
        jobs=[{"device": "cpu", "seconds": {"base": 1.0, "del0": 2.0}}],
        scored_tokens=294,
        lab=lab,
        probes={"self_blind": 3, "control": 3},
    )


def _macros(results):
    macros = MacroSet()
    for section, rows in SECTIONS.items():
        for row in rows(results):
            macros.add(row, section)
    return macros


def test_claims_follow_the_numbers(summary, tables):
    macros = _macros(_results(summary, tables))
    assert macros["LabLoadBearingLayers"].value == [0]
    assert macros["LabDeletionWorstLayer"].value == 0
    assert macros["LabDeletionMildestLayer"].value == 1
    assert macros["LabAnyNoticed"].value is True
    assert macros["LabNoticeTop"].value == "rev"
    # Five changed models, a one-sided 2.5 % each: 0.125 expected by chance.
    assert macros["LabNoticeChance"].value == pytest.approx(0.125)
    assert "rev" in macros["LabNoticedList"].value
    assert macros["LabRhoBIPpl"].value == pytest.approx(1.0)
    assert macros["LabWeightsNote"].tex.startswith("a Q4\\_1 GGUF file")
    assert macros["LabCriticalRun"].value is False
    # A higher threshold and the same data: no layer is load-bearing any more.
    strict = _macros(_results(summary, tables, load_bearing=100.0))
    assert strict["LabLoadBearingLayers"].value == [] and strict["LabAnyLoadBearing"].value is False


def test_weights_note_for_each_source():
    assert weights_note({"format": "random initialisation", "init_seed": 3}).endswith("seed 3)")
    assert "bfloat16" in weights_note({"format": "safetensors", "dtype": "bfloat16"})


def test_tables_have_a_row_per_layer_and_pattern(summary, tables):
    importance = pd.DataFrame(
        {"layer": range(LAYERS), "block_influence": 0.1, "angular_distance": 0.2}
    )
    deletion = deletion_table(summary, importance)
    assert deletion.count(r"\\") == LAYERS + 1  # header and one row per layer
    patterns = patterns_table(summary)
    assert r"\texttt{rev}" in patterns and "del0" not in patterns
