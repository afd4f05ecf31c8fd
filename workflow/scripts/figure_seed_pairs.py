"""Snakemake entry: results/figures/seed_pairs.{pdf,png} (logic in frankenmodels.figures)."""

import pandas as pd

from frankenmodels.figures.seed_pairs import seed_pairs
from frankenmodels.figures.style import save_figure
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])

fig = seed_pairs(
    pd.read_csv(snakemake.input.metrics),
    snakemake.params.focus_variant,
    base=snakemake.params.base_variant,
)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
