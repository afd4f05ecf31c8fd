"""Carve the seeded selection split from train and take the training subset."""

import pandas as pd

from frankenmodels.data import carve_splits
from frankenmodels.io import write_parquet
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])
splits = carve_splits(
    pd.read_parquet(snakemake.input.train),
    pd.read_parquet(snakemake.input.validation),
    train_subset=snakemake.params.train_subset,
    selection_size=snakemake.params.selection_size,
    seed=snakemake.params.split_seed,
)
for split, frame in splits.items():
    print(f"{split}: {len(frame)} rows")
    write_parquet(frame, getattr(snakemake.output, split))
