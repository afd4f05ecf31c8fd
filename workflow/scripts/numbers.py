"""Snakemake entry: paper/generated/numbers.{tex,json} (logic in frankenmodels.report.numbers)."""

from frankenmodels.joblog import log_to
from frankenmodels.report.numbers import Inputs, write_numbers

smk = snakemake  # noqa: F821 (injected by Snakemake's script directive)
log_to(smk.log[0])

inputs = Inputs.from_snakemake(smk)
write_numbers(inputs, smk.output.tex, smk.output.json)
