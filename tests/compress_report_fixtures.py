"""Synthetic but plausible records of the merge/compress study for the report tests: three
variants (original, merged and compressed FFN, n = 2 at 1) and any seeds, with numbers chosen so
that the summary's values can be computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from frankenmodels.compress.summary import group_pairs, summarise
from frankenmodels.report.macros import MacroSet
from frankenmodels.report.sections.compress import CompressResults, compress_rows
from frankenmodels.stats.perplexity import corpus_perplexity

DOCS, TOKENS, DEPTH = 8, 40, 4
STATS = {"confidence": 0.95, "bootstrap_resamples": 999, "seed": 0}
# (kind, scope, n, start, depth, before factor, token ms, forward ms, accuracy)
SPECS = {
    "original": ("original", None, 0, None, DEPTH, 1.0, 10.0, 100.0, 0.80),
    "merged_2_at1_ffn": ("merged", "ffn", 2, 1, DEPTH, 1.2, 10.0, 101.0, 0.78),
    "compressed_2_at1_ffn": ("compressed", "ffn", 2, 1, DEPTH - 1, 2.0, 8.0, 80.0, 0.70),
}
UNAVAILABLE = "no summarisation data: compress.summarisation.source is none (offline config)"
CONFIG = {
    "model": {"name": "Tiny GPT-2"},
    "dtype": "float32",
    "lm_training": {"steps": 24, "batch_size": 4, "max_length": 128, "learning_rate": 5e-5},
    "classification": {"epochs": 1, "max_length": 128},
    "perplexity": {"max_tokens": 192, "window": 192, "stride": 192},
    "latency": {"batch_size": 4, "sequence_length": 128, "new_tokens": 32, "repeats": 10},
    "samples": {"prompts": ["The history of the city", "Once"], "max_new_tokens": 32},
    "smoothness": {"documents": 8, "max_tokens": 128},
    "stats": STATS,
}


def _nll(name, factor, rng):
    base = TOKENS * np.log(20.0) + np.linspace(-5, 5, DOCS)
    nll = base + TOKENS * np.log(factor) + (0 if name == "original" else rng.normal(0, 0.5, DOCS))
    return pd.DataFrame({"experiment": name, "doc": range(DOCS), "tokens": TOKENS, "nll": nll})


def make_inputs(
    seeds=(42, 43), after=None, accuracy_gap=None, variants=SPECS, rouge=False, noise=0.0
):
    """Every summarise() input. ``after``: the variant's perplexity factor over the original's
    after fine-tuning (default: it recovers); ``accuracy_gap``: the accuracy lost per seed;
    ``noise``: a change of sign from seed to seed in every variant's difference."""
    after = after or {"merged_2_at1_ffn": 1.05, "compressed_2_at1_ffn": 1.3}
    accuracy_gap = accuracy_gap or {}
    rng = np.random.default_rng(1)
    names = list(variants)
    measures, nlls, latencies, rouges, samples, smooth = [], [], [], [], [], []
    lm, lm_nlls, classify = [], [], []
    training = {"wall_seconds": 30.0, "device": "cpu", "device_name": "cpu", "train_examples": 64}
    ref_token, ref_forward = variants["original"][6:8]
    for name in names:
        kind, scope, n, start, depth, factor, token, forward, acc = variants[name]
        measures.append(
            {
                "variant": name,
                "kind": kind,
                "scope": scope,
                "n": n,
                "start": start,
                "depth": depth,
                "params_unique": 1_000_000 * depth,
            }
        )
        nlls.append(_nll(name, factor, rng))
        latencies.append(
            {
                "variant": name,
                "device_name": "cpu",
                "memory_method": "process_rss",
                "peak_memory_mb": 100.0 * depth,
                "forward_ms_median": forward,
                "forward_ms_p25": forward - 1,
                "forward_ms_p75": forward + 1,
                "token_ms_median": token,
                "token_ms_p25": token - 0.5,
                "token_ms_p75": token + 0.5,
                # paired in the job: here the ratio of the medians, as a steady machine gives
                **{
                    f"speedup_{what}_{q}": ref / mine
                    for what, ref, mine in (
                        ("forward", ref_forward, forward),
                        ("token", ref_token, token),
                    )
                    for q in ("median", "p25", "p75")
                },
            }
        )
        rouges.append(
            {
                "variant": name,
                "available": rouge,
                "reason": None if rouge else UNAVAILABLE,
                "rougeL_f": 0.2 / factor if rouge else None,
            }
        )
        samples.append(
            [
                {"prompt": p, "continuation": f"{name} says & more_%"}
                for p in CONFIG["samples"]["prompts"]
            ]
        )
        layers = np.arange(1, depth)
        cka = (
            0.9
            - 0.02 * layers
            + (0.05 * np.isin(layers, group_pairs(1, 2)) if kind == "merged" else 0)
        )
        smooth.append(
            pd.DataFrame(
                {
                    "variant": name,
                    "layer": layers,
                    "next_layer": layers + 1,
                    "cka": cka,
                    "cosine": cka - 0.1,
                }
            )
        )
        for k, seed in enumerate(seeds):
            swing = noise * (-1) ** k * (name != "original")
            jitter = (1 + 0.02 * k * (name != "original")) * (1 + 3 * swing)
            frame = _nll(name, 0.8 * after.get(name, 1.0) * jitter, rng)
            lm.append(
                {
                    "variant": name,
                    "seed": seed,
                    "perplexity_after": corpus_perplexity(frame),
                    "training": training,
                }
            )
            lm_nlls.append(frame)
            a = acc + 0.01 * k + 0.003 * k**2 * (name != "original")
            a += swing - accuracy_gap.get(name, 0.0) * (1 + 0.1 * k)
            classify.append(
                {
                    "variant": name,
                    "seed": seed,
                    "accuracy": a,
                    "f1": a - 0.05,
                    "test_examples": 200,
                    "training": training,
                }
            )
    return (measures, nlls, latencies, rouges, lm, lm_nlls, classify, samples, smooth), names


def summary_of(**kwargs):
    args, names = make_inputs(**kwargs)
    return summarise(*args, variants=names, stats=STATS), args


PARTITIONS = {
    "counts": {"lm_train": 64, "perplexity": 8, "cls_train": 128, "cls_test": 200},
    "sources": {"language": "IMDb reviews", "classification": "IMDb"},
    "overlap": 0,
}


def summaries_info(rouge: bool) -> dict:
    return {
        "available": rouge,
        "reason": None if rouge else UNAVAILABLE,
        "name": "CNN/DailyMail",
        "articles": 100 if rouge else 0,
    }


def results_of(tables, args, *, rouge=False):
    return CompressResults(
        **tables,
        partitions=PARTITIONS,
        summaries=summaries_info(rouge),
        weights={"format": "random initialisation", "init_seed": 0},
        lm=args[4],
        classify=args[6],
        compress=CONFIG,
    )


def macros_of(**kwargs) -> MacroSet:
    tables, args = summary_of(**kwargs)
    macros = MacroSet()
    for row in compress_rows(results_of(tables, args, rouge=kwargs.get("rouge", False))):
        macros.add(row, "compress")  # raises on a name that is not letters only
    return macros
