"""Gather the per-job JSON/CSV files into the tidy tables the statistics and paper read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

import pandas as pd

from frankenmodels.io import read_json

KEYS = ("split", "seed", "variant")


def metrics_table(metric_files: Sequence[str]) -> pd.DataFrame:
    """One row per (split, seed, variant, metric)."""
    rows = []
    for path in metric_files:
        record = read_json(path)
        for metric, value in record["metrics"].items():
            rows.append({**{key: record[key] for key in KEYS}, "metric": metric, "value": value})
    return _sorted(pd.DataFrame(rows), [*KEYS, "metric"])


def predictions_table(metric_files: Sequence[str], prediction_files: Sequence[str]) -> pd.DataFrame:
    """Per-example predictions; the keys come from the metrics file written beside each."""
    if len(metric_files) != len(prediction_files):
        raise ValueError("every predictions file needs the metrics file written beside it")
    frames = []
    for metrics_path, predictions_path in zip(metric_files, prediction_files, strict=True):
        record = read_json(metrics_path)
        frame = pd.read_csv(predictions_path, usecols=["example", "label", "prediction"])
        frames.append(frame.assign(**{key: record[key] for key in KEYS}))
    table = pd.concat(frames, ignore_index=True)
    return _sorted(table[[*KEYS, "example", "label", "prediction"]], [*KEYS, "example"])


def records_table(files: Sequence[str], sort_by: Sequence[str]) -> pd.DataFrame:
    """One row per JSON record (efficiency per variant, training summary per seed)."""
    # The environment a job ran in is provenance (rule provenance), not a result column.
    records = [read_json(path) for path in files]
    rows = [{k: v for k, v in record.items() if k != "environment"} for record in records]
    return _sorted(pd.DataFrame(rows), list(sort_by))


def _sorted(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.sort_values(columns, kind="stable").reset_index(drop=True)


def benchmark_table(files: Sequence[str], root: str = "results/benchmarks") -> pd.DataFrame:
    """Snakemake's per-job benchmark files as one table: rule, job, wall and CPU seconds, peak
    resident memory. A file's place names its job: {root}/{rule}/{job}.tsv."""
    rows = []
    for path in files:
        relative = PurePosixPath(path).relative_to(root).with_suffix("")
        record = pd.read_csv(path, sep="\t").iloc[-1]  # the last of --benchmark-repeats
        rows.append(
            {
                "rule": relative.parts[0],
                "job": "/".join(relative.parts[1:]),
                "seconds": float(record["s"]),
                "cpu_seconds": pd.to_numeric(record["cpu_time"], errors="coerce"),
                "max_rss_mb": pd.to_numeric(record["max_rss"], errors="coerce"),
            }
        )
    columns = ["rule", "job", "seconds", "cpu_seconds", "max_rss_mb"]
    return _sorted(pd.DataFrame(rows, columns=columns), ["rule", "job"])
