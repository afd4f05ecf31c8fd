"""Snakemake entry: results/figures/layer_ci.{pdf,png} (logic in frankenmodels.figures)."""

import pandas as pd

from frankenmodels.figures.layer_ci import layer_ci
from frankenmodels.figures.style import save_figure
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])

fig = layer_ci(
    pd.read_csv(snakemake.input.tests),
    pd.read_csv(snakemake.input.variants),
    metric=snakemake.params.metric,
)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
