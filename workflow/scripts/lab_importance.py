"""Block Influence and angular distance of every layer of the unchanged model."""

from frankenmodels.importance import layer_signals
from frankenmodels.io import read_json, write_csv
from frankenmodels.joblog import log_to
from frankenmodels.lab.models import load_causal_lm
from frankenmodels.runtime import select_device, set_threads

log_to(snakemake.log[0])
set_threads(snakemake.threads)
params = snakemake.params
model, tokenizer = load_causal_lm(snakemake.input.model, select_device(params.device), params.dtype)
signals = layer_signals(
    model,
    tokenizer,
    read_json(snakemake.input.documents)["documents"],
    token=params.importance["token"],
    batch_size=params.importance["batch_size"],
    max_length=params.importance["max_length"],
)
write_csv(signals, snakemake.output[0])
