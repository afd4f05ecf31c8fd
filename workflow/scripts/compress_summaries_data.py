"""The fixed slice of the summarisation set, or an empty table and the reason it is missing."""

from frankenmodels.compress.data import load_summaries
from frankenmodels.io import write_json, write_parquet
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])
table, info = load_summaries(snakemake.params.summarisation)
write_parquet(table, snakemake.output.table)
write_json(snakemake.output.info, info)
