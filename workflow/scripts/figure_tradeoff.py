"""Snakemake entry: results/figures/tradeoff.{pdf,png} (logic in frankenmodels.figures)."""

import pandas as pd

from frankenmodels.figures import save_figure, tradeoff
from frankenmodels.joblog import log_to

smk = snakemake  # noqa: F821 (injected by Snakemake's script directive)
log_to(smk.log[0])

fig = tradeoff(
    pd.read_csv(smk.input.metrics),
    pd.read_csv(smk.input.efficiency),
    smk.params.focus_variant,
)
save_figure(fig, smk.output.pdf, smk.output.png)
