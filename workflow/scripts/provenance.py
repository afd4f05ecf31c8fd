"""The provenance block: versions and hardware of each compute rule, and the commit."""

from frankenmodels.io import write_json
from frankenmodels.joblog import log_to
from frankenmodels.provenance import collect

log_to(snakemake.log[0])
records = {rule: snakemake.input[rule] for rule in snakemake.params.rules}
write_json(snakemake.output[0], collect(records, root="."))
