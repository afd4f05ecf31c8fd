"""Measure what one variant costs: parameters (unique and per use), peak memory, latency."""

import gc

import pandas as pd

from frankenmodels.efficiency import measure_latency
from frankenmodels.io import write_json
from frankenmodels.joblog import log_to
from frankenmodels.models import load_classifier
from frankenmodels.runtime import device_name, seed_everything, select_device, set_threads
from frankenmodels.surgery import Plan, apply_plan, count_parameters

log_to(snakemake.log[0])
params, variant_name = snakemake.params, snakemake.wildcards.variant
settings = params.settings
set_threads(snakemake.threads)
device = select_device(params.device)
seed_everything(0)
tokenizer, base = load_classifier(snakemake.input.model, params.num_labels)
model = apply_plan(base, Plan.from_dict(params.plan), mode=settings["memory_mode"])
del base  # only the variant may count towards the peak
gc.collect()
unique, effective = count_parameters(model)
texts = pd.read_parquet(snakemake.input.data)["text"]
timing = measure_latency(
    model,
    tokenizer,
    texts,
    batch_size=settings["batch_size"],
    max_length=params.max_length,
    warmup=settings["warmup"],
    repeats=settings["repeats"],
    device=device,
)
record = {
    "variant": variant_name,
    "depth": len(Plan.from_dict(params.plan)),
    "params_unique": unique,
    "params_effective": effective,
    "memory_mode": settings["memory_mode"],
    "device": device.type,
    "device_name": device_name(device),
    **timing,
}
print(record)
write_json(snakemake.output[0], record)
