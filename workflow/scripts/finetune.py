"""Fine-tune the pretrained model with one seed; save safetensors, tokenizer and the log."""

from pathlib import Path

import pandas as pd

from frankenmodels.io import atomic_directory, write_csv, write_json
from frankenmodels.joblog import log_to
from frankenmodels.models import load_classifier
from frankenmodels.runtime import enable_fast_math, seed_everything, select_device, set_threads
from frankenmodels.training import TrainingSettings, finetune, resume_file

log_to(snakemake.log[0])
params = snakemake.params
seed = int(snakemake.wildcards.seed)
set_threads(snakemake.threads)
device = select_device(params.device)
enable_fast_math(device)
settings = TrainingSettings(**params.training, max_length=params.max_length)
seed_everything(seed)  # before loading: a new classification head is initialised from it
tokenizer, model = load_classifier(snakemake.input.model, params.num_labels)
resume = resume_file(Path(params.resume_dir), seed, settings, snakemake.input.model)
history, summary = finetune(
    model,
    tokenizer,
    pd.read_parquet(snakemake.input.train),
    settings,
    seed,
    device,
    resume,
)
with atomic_directory(snakemake.output.model) as folder:
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
write_csv(history, snakemake.output.history)
write_json(snakemake.output.summary, summary)
resume.unlink(missing_ok=True)
