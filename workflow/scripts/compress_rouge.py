"""ROUGE-L of one variant's greedy summaries (a record saying why, where there is no data)."""

import pandas as pd

from frankenmodels.compress.rouge import run_rouge
from frankenmodels.io import read_json, write_csv, write_json
from frankenmodels.joblog import log_to
from frankenmodels.runtime import enable_fast_math, select_device, set_threads

log_to(snakemake.log[0])
# TF32 on a GPU, as in the study's training jobs: every number at the same precision.
enable_fast_math(select_device(snakemake.params.device))
set_threads(snakemake.threads)
params, inp = snakemake.params, snakemake.input
record, summaries = run_rouge(
    inp.model,
    params.variant,
    dtype=params.dtype,
    table=pd.read_parquet(inp.table),
    info=read_json(inp.info),
    settings=params.summarisation,
    device=select_device(params.device),
)
write_json(snakemake.output.rouge, record)
write_csv(summaries, snakemake.output.summaries)
