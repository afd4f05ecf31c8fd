"""Time one compress-study variant: a forward pass of a fixed batch and the time per generated
token. The rule gives this job every core and runs it alone."""

import pandas as pd

from frankenmodels.compress.latency import run_latency
from frankenmodels.io import write_json
from frankenmodels.joblog import log_to
from frankenmodels.runtime import enable_fast_math, select_device, set_threads

log_to(snakemake.log[0])
# TF32 on a GPU, as in the study's training jobs: every number at the same precision.
enable_fast_math(select_device(snakemake.params.device))
set_threads(snakemake.threads)
params = snakemake.params
record = run_latency(
    snakemake.input.model,
    params.variant,
    dtype=params.dtype,
    texts=list(pd.read_parquet(snakemake.input.perplexity)["text"]),
    settings=params.latency,
    device=params.device,
)
print(record)
write_json(snakemake.output.latency, record)
