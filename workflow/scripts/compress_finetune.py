"""One compress-study variant fine-tuned as a causal LM with one seed, then its perplexity."""

from pathlib import Path

import pandas as pd

from frankenmodels.compress.finetune_lm import run_lm_finetune
from frankenmodels.io import write_csv, write_json, write_parquet
from frankenmodels.joblog import log_to
from frankenmodels.runtime import enable_fast_math, select_device, set_threads

log_to(snakemake.log[0])
params = snakemake.params
set_threads(snakemake.threads)
enable_fast_math(select_device(params.device))
documents = pd.read_parquet(snakemake.input.perplexity)
resume = Path(params.resume)
resume.parent.mkdir(parents=True, exist_ok=True)
record, nll, history = run_lm_finetune(
    snakemake.input.model,
    params.variant,
    int(params.seed),
    dtype=params.dtype,
    train=pd.read_parquet(snakemake.input.lm_train),
    documents=dict(zip(documents["doc"], documents["text"], strict=True)),
    lm_training=params.lm_training,
    perplexity=params.perplexity,
    device=params.device,
    resume_file=resume,
)
write_parquet(nll, snakemake.output.nll)
write_csv(history, snakemake.output.history)
write_json(snakemake.output.record, record)
