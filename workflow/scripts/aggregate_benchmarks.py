"""One table of Snakemake's per-job benchmarks: the time and memory every compute job took."""

from frankenmodels.aggregate import benchmark_table
from frankenmodels.io import write_csv
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])
write_csv(benchmark_table(snakemake.input.benchmarks), snakemake.output[0])
