"""Snakemake entry: paper/generated/table_*.tex (logic in frankenmodels.report.tables)."""

from frankenmodels.joblog import log_to
from frankenmodels.report.numbers import Inputs
from frankenmodels.report.tables import TABLES, write_tables

smk = snakemake  # noqa: F821 (injected by Snakemake's script directive)
log_to(smk.log[0])

inputs = Inputs.from_snakemake(smk)
write_tables(inputs, {name: getattr(smk.output, name) for name in TABLES})
