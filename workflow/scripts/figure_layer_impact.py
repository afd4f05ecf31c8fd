"""Snakemake entry: results/figures/layer_impact.{pdf,png} (logic in frankenmodels.figures)."""

import pandas as pd

from frankenmodels.figures import layer_impact, save_figure
from frankenmodels.joblog import log_to

smk = snakemake  # noqa: F821 (injected by Snakemake's script directive)
log_to(smk.log[0])

fig = layer_impact(
    pd.read_csv(smk.input.metrics),
    pd.read_csv(smk.input.variants),
    pd.read_csv(smk.input.tests),
    smk.params.focus_variant,
)
save_figure(fig, smk.output.pdf, smk.output.png)
