"""Snakemake entry: results/figures/multilayer.{pdf,png} (logic in frankenmodels.figures)."""

import pandas as pd

from frankenmodels.figures.multilayer import multilayer
from frankenmodels.figures.style import save_figure
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])

fig = multilayer(
    pd.read_csv(snakemake.input.multilayer_tests),
    pd.read_csv(snakemake.input.tests),
    pd.read_csv(snakemake.input.efficiency),
    metric=snakemake.params.metric,
    base=snakemake.params.base_variant,
)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)
