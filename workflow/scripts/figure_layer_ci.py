"""Snakemake entry: results/figures/layer_ci.{pdf,png} (logic in frankenmodels.figures)."""

import pandas as pd

from frankenmodels.figures import layer_ci, save_figure
from frankenmodels.joblog import log_to

smk = snakemake  # noqa: F821 (injected by Snakemake's script directive)
log_to(smk.log[0])

fig = layer_ci(pd.read_csv(smk.input.tests), pd.read_csv(smk.input.variants))
save_figure(fig, smk.output.pdf, smk.output.png)
