"""Snakemake entry: results/figures/tradeoff.{pdf,png} (logic in frankenmodels.figures)."""

import pandas as pd

from frankenmodels.figures.style import save_figure
from frankenmodels.figures.tradeoff import tradeoff
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])

fig = tradeoff(
    pd.read_csv(snakemake.input.metrics),
    pd.read_csv(snakemake.input.efficiency),
    snakemake.params.focus_variant,
    base=snakemake.params.base_variant,
)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
