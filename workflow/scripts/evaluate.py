"""Build one variant from a fine-tuned checkpoint and evaluate it on one split."""

import pandas as pd

from frankenmodels.evaluation import predict_logits, score
from frankenmodels.io import write_csv, write_json
from frankenmodels.joblog import log_to
from frankenmodels.models import load_classifier
from frankenmodels.runtime import select_device, set_threads
from frankenmodels.surgery import Plan, apply_plan

log_to(snakemake.log[0])
params, wildcards = snakemake.params, snakemake.wildcards
set_threads(snakemake.threads)
device = select_device(params.device)
tokenizer, model = load_classifier(snakemake.input.model, params.num_labels)
variant = apply_plan(model, Plan.from_dict(params.plan), mode="shared")
split = pd.read_parquet(snakemake.input.data)
logits = predict_logits(
    variant, tokenizer, split["text"], params.batch_size, params.max_length, device
)
metrics, predictions = score(split, logits)
print(f"{wildcards.variant} seed {wildcards.seed} on {wildcards.split}: {metrics}")
write_csv(predictions, snakemake.output.predictions)
write_json(
    snakemake.output.metrics,
    {
        "split": wildcards.split,
        "seed": int(wildcards.seed),
        "variant": wildcards.variant,
        "examples": len(split),
        "metrics": metrics,
    },
)
