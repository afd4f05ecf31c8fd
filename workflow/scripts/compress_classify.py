"""One compress-study variant with a classification head, trained with one seed on IMDb
reviews and scored on the held-out ones."""

from pathlib import Path

import pandas as pd

from frankenmodels.compress.classify import run_classification
from frankenmodels.io import write_json, write_parquet
from frankenmodels.joblog import log_to
from frankenmodels.runtime import enable_fast_math, select_device, set_threads

log_to(snakemake.log[0])
params = snakemake.params
set_threads(snakemake.threads)
enable_fast_math(select_device(params.device))
resume = Path(params.resume)
resume.parent.mkdir(parents=True, exist_ok=True)
record, predictions = run_classification(
    snakemake.input.model,
    params.variant,
    int(params.seed),
    dtype=params.dtype,
    train=pd.read_parquet(snakemake.input.cls_train),
    test=pd.read_parquet(snakemake.input.cls_test),
    settings=params.classification,
    device=params.device,
    resume_file=resume,
)
write_parquet(predictions, snakemake.output.predictions)
write_json(snakemake.output.record, record)
