"""Snakemake entry: paper/generated/numbers.{tex,json} (logic in frankenmodels.report)."""

from frankenmodels.joblog import log_to
from frankenmodels.provenance import git_state
from frankenmodels.report.inputs import Inputs
from frankenmodels.report.numbers import write_numbers

log_to(snakemake.log[0])

inputs = Inputs.from_snakemake(snakemake)
# The commit is read now, not declared as an input: a new commit alone reruns nothing.
inputs.provenance["git"] = git_state(".")
write_numbers(inputs, snakemake.output.tex, snakemake.output.json)
