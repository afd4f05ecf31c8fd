"""Snakemake entry: results/compress/summary/{variants,seeds,tests,samples,smoothness}.csv
from every variant's and every seed's files (logic in compress.summary)."""

import pandas as pd

from frankenmodels.compress.summary import summarise
from frankenmodels.io import read_json, write_csv
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])
inp, params = snakemake.input, snakemake.params
tables = summarise(
    [read_json(path) for path in inp.measures],
    [pd.read_parquet(path) for path in inp.nlls],
    [read_json(path) for path in inp.latencies],
    [read_json(path) for path in inp.rouges],
    [read_json(path) for path in inp.lm],
    [pd.read_parquet(path) for path in inp.lm_nlls],
    [read_json(path) for path in inp.classify],
    [read_json(path) for path in inp.samples],
    [pd.read_csv(path) for path in inp.smoothness],
    variants=list(params.variants),
    stats=params.stats,
)
for name, table in tables.items():
    write_csv(table, getattr(snakemake.output, name))
