"""The chosen multi-layer plans against the base on validation (docs/multilayer.md)."""

from pathlib import Path

from frankenmodels.aggregate import metrics_table, records_table
from frankenmodels.io import read_json, write_csv
from frankenmodels.joblog import log_to
from frankenmodels.multilayer.choose import chosen_plans
from frankenmodels.multilayer.measured import measure_plans

log_to(snakemake.log[0])
plans = read_json(snakemake.input.plans)
names = chosen_plans(plans)
chosen_files = [
    str(Path(folder) / name / "metrics.json")
    for folder in snakemake.input.get("chosen", [])
    for name in names
]
missing = [path for path in chosen_files if not Path(path).is_file()]
if missing:  # possible only when the params rerun trigger is off (--rerun-triggers mtime)
    raise FileNotFoundError(
        f"the chosen plans were not all evaluated ({missing[0]} is missing): run again with "
        "--forcerun evaluate_chosen"
    )
metrics = metrics_table([*snakemake.input.base, *chosen_files])
tests = measure_plans(
    plans,
    metrics,
    records_table(snakemake.input.efficiency, ["variant"]),
    snakemake.params.stats,
)
print(tests.to_string(index=False))
write_csv(tests, snakemake.output.tests)
write_csv(metrics[metrics["variant"].isin(names)], snakemake.output.metrics)
