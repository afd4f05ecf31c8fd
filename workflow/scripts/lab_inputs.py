"""The lab's fixed inputs: the perplexity documents and the arithmetic items."""

from transformers import AutoTokenizer

from frankenmodels.evaluation.arithmetic import math_items
from frankenmodels.io import write_csv, write_json
from frankenmodels.joblog import log_to
from frankenmodels.lab.corpus import check_token_budget, raw_texts, select_documents

log_to(snakemake.log[0])
ppl, math = snakemake.params.perplexity, snakemake.params.math
documents = select_documents(
    raw_texts(ppl),
    documents=ppl["documents"],
    min_characters=ppl["min_characters"],
    seed=ppl["seed"],
)
tokenizer = AutoTokenizer.from_pretrained(snakemake.input.model)
scored = check_token_budget(
    tokenizer,
    documents,
    max_tokens=ppl["max_tokens"],
    window=ppl["window"],
    stride=ppl["stride"],
    minimum=ppl["min_total_tokens"],
)
write_json(snakemake.output.documents, {"documents": documents, "scored_tokens": scored})
items = math_items(
    math["items"], math["seed"], operations=math["operations"], digits=math["digits"]
)
write_csv(items, snakemake.output.math)
