"""Write the planned variants (name, family, layer, depth, plan) for stats and figures."""

from frankenmodels.io import write_csv
from frankenmodels.joblog import log_to
from frankenmodels.variant_table import describe_variants

log_to(snakemake.log[0])
table = describe_variants(snakemake.params.specs, snakemake.params.num_layers)
write_csv(table, snakemake.output[0])
