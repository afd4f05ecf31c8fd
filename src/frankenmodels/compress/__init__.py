"""The merge/compress study of seed 004: averaged layers on a causal LM, measured and fine-tuned."""
