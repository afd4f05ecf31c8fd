"""Snakemake entry: results/figures/seed_pairs.{pdf,png} (logic in frankenmodels.figures)."""

import pandas as pd

from frankenmodels.figures import save_figure, seed_pairs
from frankenmodels.joblog import log_to

smk = snakemake  # noqa: F821 (injected by Snakemake's script directive)
log_to(smk.log[0])

fig = seed_pairs(pd.read_csv(smk.input.metrics), smk.params.focus_variant)
save_figure(fig, smk.output.pdf, smk.output.png)
