"""Macros of "Efficiency and trade-off" (results.tex): parameters, memory and latency of
the base model and the focus variant, from efficiency.csv."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frankenmodels.report.inputs import require
from frankenmodels.report.latex import pct_change
from frankenmodels.report.macros import FLAG, INT, TEXT, Row, fixed
from frankenmodels.vocabulary import memory_method

if TYPE_CHECKING:
    import pandas as pd

    from frankenmodels.report.results import Results
    from frankenmodels.report.settings import Settings

SETTINGS: tuple[str, ...] = ()
COLUMNS = (
    "variant",
    "depth",
    "params_unique",
    "params_effective",
    "peak_memory_mb",
    "memory_method",
    "latency_ms_median",
    "latency_ms_p25",
    "latency_ms_p75",
    "batch_size",
    "repeats",
    "device",
    "device_name",
)
SRC = "efficiency.csv"
# (column, macro stem, scale to the printed unit) of each model's absolute cost.
ABSOLUTE = (
    ("params_unique", "ParamsUniqueM", 1e-6),
    ("params_effective", "ParamsEffectiveM", 1e-6),
    ("peak_memory_mb", "PeakMemoryMB", 1.0),
    ("latency_ms_median", "LatencyMedian", 1.0),
)
# (column, macro stem) of the focus variant's relative change.
RELATIVE = (
    ("params_unique", "ParamsUnique"),
    ("params_effective", "ParamsEffective"),
    ("peak_memory_mb", "Memory"),
    ("latency_ms_median", "Latency"),
)


def _model(who: str, row: pd.Series) -> list[Row]:
    where = f"{SRC}: {row['variant']}"
    return [
        Row(f"{who}Depth", row["depth"], INT, f"{where}, depth"),
        *[
            Row(f"{who}{stem}", float(row[col]) * scale, fixed(1), f"{where}, {col} x {scale:g}")
            for col, stem, scale in ABSOLUTE
        ],
    ]


def rows(r: Results, c: Settings) -> list[Row]:
    require(r.inp.efficiency, COLUMNS, SRC)
    b, f = r.efficiency_row(r.study.base), r.efficiency_row(r.study.focus)
    apart = float(f["latency_ms_p25"]) > float(b["latency_ms_p75"]) or float(
        f["latency_ms_p75"]
    ) < float(b["latency_ms_p25"])
    return [
        *_model("Base", b),
        *_model("Focus", f),
        *[
            Row(
                f"{stem}IncreasePct",
                pct_change(f[col], b[col]),
                fixed(1, signed=True),
                f"{SRC}: 100 * (focus - base) / base of {col}",
            )
            for col, stem in RELATIVE
        ],
        Row(
            "ParamsUniqueShared",
            int(f["params_unique"]) == int(b["params_unique"]),
            FLAG,
            f"{SRC}: equal params_unique (the duplicate shares its weights)",
        ),
        Row(
            "LatencyDearer",
            float(f["latency_ms_median"]) > float(b["latency_ms_median"]),
            FLAG,
            f"{SRC}: latency_ms_median focus > base",
        ),
        Row("LatencyIQRSeparated", apart, FLAG, f"{SRC}: latency IQRs do not overlap"),
        Row(
            "MemoryMethod",
            memory_method(str(b["memory_method"])).prose,
            TEXT,
            f"{SRC}: memory_method",
        ),
        Row("EffCuda", str(b["device"]) == "cuda", FLAG, f"{SRC}: device"),
        Row("EffDeviceName", b["device_name"], TEXT, f"{SRC}: device_name"),
        Row("EffBatchSize", b["batch_size"], INT, f"{SRC}: batch_size"),
        Row("EffRepeats", b["repeats"], INT, f"{SRC}: repeats"),
    ]
