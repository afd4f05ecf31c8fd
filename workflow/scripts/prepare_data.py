"""Carve the seeded selection split from train and take the training subset."""

import pandas as pd

from frankenmodels.data import carve_splits
from frankenmodels.io import write_parquet
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])  # noqa: F821 - injected by Snakemake
splits = carve_splits(
    pd.read_parquet(snakemake.input.train),  # noqa: F821
    pd.read_parquet(snakemake.input.validation),  # noqa: F821
    train_subset=snakemake.params.train_subset,  # noqa: F821
    selection_size=snakemake.params.selection_size,  # noqa: F821
    seed=snakemake.params.split_seed,  # noqa: F821
)
for split, frame in splits.items():
    print(f"{split}: {len(frame)} rows")
    write_parquet(frame, getattr(snakemake.output, split))  # noqa: F821
