"""The multi-layer checkpoint: one plan per budget from the pooled selection-split gains."""

import json

import pandas as pd
from transformers import AutoConfig

from frankenmodels.io import write_csv, write_json
from frankenmodels.joblog import log_to
from frankenmodels.multilayer.choose import choose_plans, require_a_plan
from frankenmodels.multilayer.costs import count_costs
from frankenmodels.multilayer.estimates import pooled_estimates

log_to(snakemake.log[0])
params = snakemake.params
settings = params.settings
model_config = AutoConfig.from_pretrained(snakemake.input.model, num_labels=params.num_labels)
cost = count_costs(model_config, seq_len=params.seq_len)
gains = pd.read_csv(snakemake.input.gains)
estimates = pooled_estimates(gains, cost, settings["max_copies"])
plans = choose_plans(estimates, gains, cost, settings, params.seq_len)
print(json.dumps(plans, indent=1))
require_a_plan(plans)
write_csv(estimates, snakemake.output.estimates)
write_json(snakemake.output.plans, plans)
