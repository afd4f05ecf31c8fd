"""Fetch the configured data set once and write it in canonical form."""

from frankenmodels.data import load_splits
from frankenmodels.io import write_parquet
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])
splits = load_splits(snakemake.params.data)
for split, frame in splits.items():
    print(f"{split}: {len(frame)} rows, labels {frame['label'].value_counts().to_dict()}")
    write_parquet(frame, getattr(snakemake.output, split))
