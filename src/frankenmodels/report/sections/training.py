"""Macros of the fine-tuning runs as they happened (setup.tex): training.csv."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frankenmodels.report.inputs import require
from frankenmodels.report.macros import DURATION, FLAG, INT, TEXT, Row, fixed

if TYPE_CHECKING:
    from frankenmodels.report.results import Results
    from frankenmodels.report.settings import Settings

SETTINGS: tuple[str, ...] = ()
COLUMNS = (
    "seed",
    "train_examples",
    "epochs",
    "steps",
    "wall_seconds",
    "examples_per_second",
    "final_loss",
    "device",
    "device_name",
)


def rows(r: Results, c: Settings) -> list[Row]:
    t, src = r.inp.training, "training.csv"
    require(t, COLUMNS, src)
    wall = t["wall_seconds"]
    return [
        Row("TrainExamples", t["train_examples"].median(), INT, f"{src}: median train_examples"),
        Row("TrainSteps", t["steps"].median(), INT, f"{src}: median steps"),
        Row("TrainWallPerSeed", float(wall.mean()), DURATION, f"{src}: mean wall_seconds"),
        Row("TrainWallTotal", float(wall.sum()), DURATION, f"{src}: sum of wall_seconds"),
        Row(
            "TrainThroughput",
            float(t["examples_per_second"].mean()),
            INT,
            f"{src}: mean examples_per_second",
        ),
        Row("TrainFinalLoss", float(t["final_loss"].mean()), fixed(3), f"{src}: mean final_loss"),
        Row("TrainCuda", str(t["device"].iloc[0]) == "cuda", FLAG, f"{src}: device"),
        Row("TrainDeviceName", t["device_name"].iloc[0], TEXT, f"{src}: device_name"),
    ]
