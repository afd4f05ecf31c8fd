"""Healed FrankenModels against equally-trained controls (frankenmodels.stats.healing)."""

from frankenmodels.io import write_csv
from frankenmodels.joblog import log_to
from frankenmodels.stats.config import StatsConfig
from frankenmodels.stats.healing import healing_runs, healing_tests

log_to(snakemake.log[0])
params = snakemake.params
cfg = StatsConfig.from_mapping(params.stats)
runs = healing_runs(snakemake.input.healed)
tests = healing_tests(runs, params.methods, cfg.base_variant, cfg)
print(tests.to_string(index=False))
write_csv(runs, snakemake.output.runs)
write_csv(tests, snakemake.output.tests)
