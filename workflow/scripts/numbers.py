"""Snakemake entry: paper/generated/numbers.{tex,json} (logic in frankenmodels.report.numbers)."""

from frankenmodels.joblog import log_to
from frankenmodels.report.numbers import Inputs, write_numbers

log_to(snakemake.log[0])

inputs = Inputs.from_snakemake(snakemake)
write_numbers(inputs, snakemake.output.tex, snakemake.output.json)
