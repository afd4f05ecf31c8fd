"""Snakemake entry: results/compress/figures/<params.figure>.{pdf,png} (logic in
figures.compress)."""

from frankenmodels.figures.compress import draw_files
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])

draw_files(
    snakemake.params.figure,
    snakemake.input.variants,
    snakemake.input.smoothness,
    snakemake.output.pdf,
    snakemake.output.png,
)
