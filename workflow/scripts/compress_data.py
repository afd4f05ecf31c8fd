"""The merge/compress study's four disjoint text sets (LM training, perplexity, classification
train and test) and partitions.json; the model folder's tokenizer checks the perplexity budget."""

from transformers import AutoTokenizer

from frankenmodels.compress.data import build_data
from frankenmodels.io import write_json, write_parquet
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])
tokenizer = AutoTokenizer.from_pretrained(snakemake.input.model)
tables, info = build_data(snakemake.params.compress, tokenizer)
for role, table in tables.items():
    write_parquet(table, snakemake.output[role])
write_json(snakemake.output.info, info)
