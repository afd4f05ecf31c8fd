"""Snakemake entry: paper/generated/numbers.{tex,json} (logic in frankenmodels.report)."""

from frankenmodels.joblog import log_to
from frankenmodels.report.inputs import Inputs
from frankenmodels.report.numbers import write_numbers

log_to(snakemake.log[0])

write_numbers(Inputs.from_snakemake(snakemake), snakemake.output.tex, snakemake.output.json)
