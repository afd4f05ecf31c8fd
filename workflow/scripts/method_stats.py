"""The fine-tuning methods compared on the base model (frankenmodels.stats.methods)."""

from frankenmodels.io import read_json, write_csv
from frankenmodels.joblog import log_to
from frankenmodels.stats.config import StatsConfig
from frankenmodels.stats.methods import check_claims, compare_methods, runs_table, summarise

log_to(snakemake.log[0])
params = snakemake.params
cfg = StatsConfig.from_mapping(params.stats)
# The rule lists both inputs in the same (method, seed) order.
runs = runs_table(
    [read_json(path) for path in snakemake.input.metrics],
    [read_json(path) for path in snakemake.input.summaries],
)
summary = summarise(runs, params.methods, params.reference, cfg.metrics)
tests = compare_methods(runs, params.methods, cfg.metrics, cfg)
claims = check_claims(runs, summary, params.methods, params.reference, cfg.ci_level)
print(summary.to_string(index=False))
print(tests.to_string(index=False))
print(claims.to_string(index=False))
write_csv(runs, snakemake.output.runs)
write_csv(summary, snakemake.output.summary)
write_csv(tests, snakemake.output.tests)
write_csv(claims, snakemake.output.claims)
