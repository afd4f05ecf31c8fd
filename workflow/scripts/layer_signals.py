"""Training-free signals of every layer of one fine-tuned seed, on the selection split."""

import pandas as pd

from frankenmodels.batching import texts_of
from frankenmodels.importance.signals import layer_signals
from frankenmodels.io import write_csv
from frankenmodels.joblog import log_to
from frankenmodels.models import load_classifier
from frankenmodels.runtime import select_device, set_threads

log_to(snakemake.log[0])
params = snakemake.params
set_threads(snakemake.threads)
tokenizer, model = load_classifier(snakemake.input.model, params.num_labels)
model.to(select_device(params.device))
signals = layer_signals(
    model,
    tokenizer,
    texts_of(pd.read_parquet(snakemake.input.data)),
    token=params.signals["token"],
    batch_size=params.signals["batch_size"],
    max_length=params.max_length,
)
signals.insert(0, "seed", int(snakemake.wildcards.seed))
print(signals.to_string(index=False))
write_csv(signals, snakemake.output[0])
