"""Heal the FrankenModels of one seed with one method, and train their controls."""

from frankenmodels.joblog import log_to
from frankenmodels.runtime import set_threads
from frankenmodels.training.heal_job import run_healing
from frankenmodels.training.settings import TrainingSettings

log_to(snakemake.log[0])
params = snakemake.params
set_threads(snakemake.threads)
run_healing(
    snakemake.input.model,
    snakemake.input.train,
    snakemake.input.data,
    params.plans,
    snakemake.output[0],
    base=params.base,
    settings=TrainingSettings(**params.training, max_length=params.max_length),
    steps_fraction=params.steps_fraction,
    seed=int(snakemake.wildcards.seed),
    num_labels=params.num_labels,
    batch_size=params.batch_size,
    device=params.device,
    staging_root=params.resume_dir,
)
