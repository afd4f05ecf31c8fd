"""The lab's per-experiment summary, importance agreement, token shifts and merged tables."""

from pathlib import Path

import pandas as pd

from frankenmodels.io import atomic_directory, write_csv, write_parquet
from frankenmodels.joblog import log_to
from frankenmodels.lab.summary import (
    importance_agreement,
    read_lab_folders,
    summarise,
    token_shifts,
)

log_to(snakemake.log[0])
stats = snakemake.params.stats
tables = read_lab_folders(snakemake.input.runs)
summary = summarise(
    tables,
    resamples=stats["bootstrap_resamples"],
    level=stats["confidence"],
    seed=stats["seed"],
)
importance = pd.read_csv(snakemake.input.importance)
write_csv(summary, snakemake.output.summary)
write_csv(importance_agreement(summary, importance), snakemake.output.agreement)
write_csv(
    token_shifts(summary, tables["probe_top"], tables["probe_answers"]), snakemake.output.shifts
)
# Every experiment's tidy tables in one place, for a reviewer to check any number against.
with atomic_directory(snakemake.output.tables) as folder:
    for kind, table in tables.items():
        write_parquet(table, Path(folder) / f"{kind}.parquet")
