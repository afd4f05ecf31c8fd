"""Snakemake entry: results/figures/layer_impact.{pdf,png} (logic in frankenmodels.figures)."""

import pandas as pd

from frankenmodels.figures.layer_impact import layer_impact
from frankenmodels.figures.style import save_figure
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])

fig = layer_impact(
    pd.read_csv(snakemake.input.metrics),
    pd.read_csv(snakemake.input.variants),
    pd.read_csv(snakemake.input.tests),
    snakemake.params.focus_variant,
    base=snakemake.params.base_variant,
    metric=snakemake.params.metric,
)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
