"""One lab job: stage 1 measures its share of the catalogue; stage 2 finds the critical region
from the stage-1 deletion sweep and measures the critical-region experiments."""

from pathlib import Path

import pandas as pd

from frankenmodels.io import read_json
from frankenmodels.joblog import log_to
from frankenmodels.lab.catalogue import critical_region, critical_size, stage2_variants
from frankenmodels.lab.job import experiment_layers, run_lab_job
from frankenmodels.lab.measure import LabInputs
from frankenmodels.lab.summary import deletion_damage, read_lab_folders
from frankenmodels.runtime import set_threads
from frankenmodels.surgery import Plan
from frankenmodels.surgery.sweeps import Variant

log_to(snakemake.log[0])
set_threads(snakemake.threads)
params, inp = snakemake.params, snakemake.input
notes = {}
if params.stage == 1:
    variants = [
        Variant(name, Plan.from_dict(plan), *params.meta[name])
        for name, plan in params.plans.items()
    ]
else:
    n = params.num_layers
    damage = deletion_damage(read_lab_folders(inp.stage1), n)
    start, end, layer = critical_region(damage, critical_size(n, params.critical_size))
    planned = stage2_variants(n, start, end, layer)
    # A critical experiment that stage 1 already measured (the critical layer is the first
    # one, repeated five times) is not measured twice: the report reads the stage-1 row.
    measured = experiment_layers(inp.stage1)
    variants = [v for v in planned if v.plan.layers_string() not in measured]
    aliases = {v.name: measured[v.plan.layers_string()] for v in planned if v not in variants}
    notes["critical"] = {
        "start": start,
        "end": end,
        "layer": layer,
        "damage": list(damage),
        "aliases": aliases,
    }
inputs = LabInputs(
    documents=read_json(inp.documents)["documents"],
    math_items=pd.read_csv(inp.math),
    settings=params.settings,
)
run_lab_job(
    model_dir=inp.model,
    donor_dir=inp.donor[0] if inp.donor else None,
    variants=variants,
    stage=params.stage,
    inputs=inputs,
    out_dir=snakemake.output[0],
    staging_root=Path("results/.resume"),
    device=params.device,
    notes=notes,
    code_files=inp.code,
)
