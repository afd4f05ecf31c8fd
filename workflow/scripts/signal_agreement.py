"""How well each training-free signal ranks the layers against their measured gains."""

import pandas as pd

from frankenmodels.importance.agreement import signal_agreement
from frankenmodels.io import write_csv
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])
params = snakemake.params
per_seed = pd.concat([pd.read_csv(path) for path in snakemake.input.signals], ignore_index=True)
signals, agreement = signal_agreement(
    per_seed,
    pd.read_csv(snakemake.input.gains),
    confidence=params.confidence,
    resamples=params.resamples,
    seed=params.seed,
)
print(agreement.to_string(index=False))
write_csv(signals, snakemake.output.signals)
write_csv(agreement, snakemake.output.agreement)
