"""The efficiency job's record, measured by the library from paths and settings."""

import pandas as pd
from training_fixtures import save_tiny_checkpoint

from frankenmodels.efficiency import measure_variant
from frankenmodels.surgery import Plan

SETTINGS = {"batch_size": 4, "warmup": 1, "repeats": 3, "memory_mode": "copy"}


def test_measure_variant_returns_the_record_of_one_variant(tmp_path):
    save_tiny_checkpoint(tmp_path / "model")
    texts = ["a fine film", "dull", "the plot never quite comes together", "wonderful"] * 2
    pd.DataFrame({"text": texts, "label": [1, 0, 0, 1] * 2}).to_parquet(tmp_path / "v.parquet")

    record = measure_variant(
        tmp_path / "model",
        tmp_path / "v.parquet",
        Plan.duplicate(3, 1).to_dict(),
        "dup1",
        settings=SETTINGS,
        max_length=32,
        num_labels=2,
        device="cpu",
    )
    assert record["variant"] == "dup1" and record["depth"] == 4
    assert record["memory_mode"] == "copy" and record["device"] == "cpu"
    assert record["params_unique"] == record["params_effective"] > 0  # copies are unique
    assert record["batch_size"] == 4 and record["repeats"] == 3
    assert 0 < record["latency_ms_p25"] <= record["latency_ms_median"] <= record["latency_ms_p75"]
