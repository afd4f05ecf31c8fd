"""One compress-study variant before fine-tuning: size, perplexity per document, greedy
samples and layer smoothness."""

import pandas as pd

from frankenmodels.compress.measure import run_measure
from frankenmodels.io import write_csv, write_json, write_parquet
from frankenmodels.joblog import log_to
from frankenmodels.runtime import enable_fast_math, select_device, set_threads

log_to(snakemake.log[0])
# TF32 on a GPU, as in the study's training jobs: every number at the same precision.
enable_fast_math(select_device(snakemake.params.device))
set_threads(snakemake.threads)
params = snakemake.params
table = pd.read_parquet(snakemake.input.perplexity)
result = run_measure(
    snakemake.input.model,
    params.variant,
    dtype=params.dtype,
    documents=dict(zip(table["doc"], table["text"], strict=True)),
    perplexity=params.perplexity,
    samples=params.samples,
    smoothness=params.smoothness,
    device=params.device,
)
print(result["measure"])
write_parquet(result["nll"], snakemake.output.nll)
write_json(snakemake.output.samples, result["samples"])
write_csv(result["smoothness"], snakemake.output.smoothness)
write_json(snakemake.output.measure, result["measure"])
