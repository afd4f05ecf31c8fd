"""Snakemake entry: results/lab/figures/<params.figure>.{pdf,png} (logic in figures.lab)."""

from frankenmodels.figures.lab import draw_files
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])

draw_files(
    snakemake.params.figure,
    snakemake.input.summary,
    getattr(snakemake.input, "importance", None),
    getattr(snakemake.input, "token_shifts", None),
    snakemake.output.pdf,
    snakemake.output.png,
)
