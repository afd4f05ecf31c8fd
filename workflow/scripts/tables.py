"""Snakemake entry: paper/generated/table_*.tex (logic in frankenmodels.report.tables)."""

from frankenmodels.joblog import log_to
from frankenmodels.report.inputs import Inputs
from frankenmodels.report.tables import TABLES, write_tables

log_to(snakemake.log[0])

inputs = Inputs.from_snakemake(snakemake)
write_tables(inputs, {name: getattr(snakemake.output, name) for name in TABLES})
