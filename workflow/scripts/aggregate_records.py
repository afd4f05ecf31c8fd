"""One row per JSON record: efficiency per variant, or the training summary per seed."""

from frankenmodels.aggregate import records_table
from frankenmodels.io import write_csv
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])
table = records_table(snakemake.input.records, snakemake.params.sort_by)
write_csv(table, snakemake.output[0])
