"""From the merge/compress study's per-variant and per-seed files to its five summary tables.

* perplexity before fine-tuning: the corpus value with a bootstrap CI over documents, and its
  ratio to the original with a *paired* CI (the same documents resampled for both);
* after fine-tuning: per seed, the variant's perplexity over the original's with the same seed
  (same data order and initialisation of the trainable parts), then the mean over seeds;
* the per-seed metrics (perplexity after, accuracy, F1) tested against the original paired by
  seed. The t test is two-sided: a structural change may help or hurt, and for perplexity
  "better" is down while for accuracy it is up, so no one direction is the hypothesis. With
  two seeds the t test has one degree of freedom; it is kept and the report says so. Holm
  corrects over the variants of one metric;
* speed-ups are the original's median latency over the variant's (> 1: faster);
* smoothness: the mean linear CKA (and cosine) of consecutive layers, and for a merged variant
  the mean over the consecutive pairs inside its averaged group next to the original's there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from frankenmodels.stats.multiplicity import holm
from frankenmodels.stats.paired import paired_bootstrap_ci, paired_t_test
from frankenmodels.stats.pairing import pair_by_seed
from frankenmodels.stats.perplexity import corpus_perplexity, perplexity_ci, ratio_ci

ORIGINAL = "original"
TEST_METRICS = ("perplexity_after", "accuracy", "f1")
BOOTSTRAP_MIN_SEEDS = 3  # a bootstrap over two pairs has at most three distinct means
LATENCY = tuple(
    f"{stem}_{q}" for stem in ("forward_ms", "token_ms") for q in ("median", "p25", "p75")
)
TEST_COLUMNS = [
    "variant",
    "metric",
    "n_seeds",
    "mean_variant",
    "mean_original",
    "mean_difference",
    "ci_low",
    "ci_high",
    "t",
    "p_two_sided",
    "p_holm",
]


def group_pairs(start: int, n: int) -> list[int]:
    """The ``layer`` values of smoothness rows whose two layers both lie in the averaged group
    of blocks ``start..start+n-1``: a row compares hidden_states[layer] with [layer + 1], and
    hidden_states[i] is the output of block i - 1 (hidden_states[0] being the embeddings)."""
    return list(range(start + 1, start + n))


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else np.nan


def _check_order(records: Sequence[Mapping[str, Any]], variants: Sequence[str], what: str) -> None:
    names = [r["variant"] for r in records]
    if names != list(variants):
        raise ValueError(f"{what} are for {names}, not for the variants {list(variants)}")


def seed_table(
    lm_records: Sequence[Mapping[str, Any]],
    lm_nlls: Sequence[pd.DataFrame],
    classify_records: Sequence[Mapping[str, Any]],
    before: Mapping[str, pd.DataFrame],
) -> pd.DataFrame:
    """Tidy (variant, seed, metric, value): perplexity after fine-tuning from the per-document
    NLL (checked to cover the documents scored before), its ratio to the original's with the
    same seed, accuracy and F1."""
    rows = []
    for record, nll in zip(lm_records, lm_nlls, strict=True):
        if set(nll["doc"]) != set(before[record["variant"]]["doc"]):
            raise ValueError(f"{record['variant']} seed {record['seed']}: other documents after")
        value = corpus_perplexity(nll)
        rows.append((record["variant"], int(record["seed"]), "perplexity_after", value))
    for record in classify_records:
        for metric in ("accuracy", "f1"):
            rows.append((record["variant"], int(record["seed"]), metric, float(record[metric])))
    seeds = pd.DataFrame(rows, columns=["variant", "seed", "metric", "value"])
    after = seeds[seeds["metric"] == "perplexity_after"]
    original = after[after["variant"] == ORIGINAL].set_index("seed")["value"]
    ratio = after.assign(
        metric="ppl_ratio_after", value=after["value"] / after["seed"].map(original)
    ).dropna(subset=["value"])
    return pd.concat([seeds, ratio], ignore_index=True)


def seed_tests(
    seeds: pd.DataFrame, variants: Sequence[str], stats: Mapping[str, Any]
) -> pd.DataFrame:
    """One row per changed variant and metric: the paired two-sided t test over seeds (the
    one-sided p of ``paired_t_test`` folded: 2 min(p, 1 - p)), the bootstrap CI of the mean
    difference where there are enough seeds, and Holm's adjusted p within the metric."""
    tidy = seeds.assign(split="all")
    rows = []
    for metric in TEST_METRICS:
        block = []
        for variant in variants[1:]:
            pair = pair_by_seed(tidy, split="all", variant=variant, base=ORIGINAL, metric=metric)
            test = paired_t_test(pair.variant, pair.base)
            p = float(test.pvalue)
            ci = (np.nan, np.nan)
            if pair.n >= BOOTSTRAP_MIN_SEEDS:
                boot = paired_bootstrap_ci(
                    pair.variant,
                    pair.base,
                    level=stats["confidence"],
                    n_resamples=stats["bootstrap_resamples"],
                    seed=stats["seed"],
                )
                ci = (boot.low, boot.high)
            block.append(
                {
                    "variant": variant,
                    "metric": metric,
                    "n_seeds": pair.n,
                    "mean_variant": _mean(pair.variant),
                    "mean_original": _mean(pair.base),
                    "mean_difference": _mean(pair.variant - pair.base),
                    "ci_low": ci[0],
                    "ci_high": ci[1],
                    "t": float(test.statistic),
                    "p_two_sided": _two_sided(float(test.statistic), p),
                }
            )
        adjusted = holm([row["p_two_sided"] for row in block])
        rows += [{**row, "p_holm": float(p)} for row, p in zip(block, adjusted, strict=True)]
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


def _two_sided(t: float, one_sided: float) -> float:
    """The two-sided p from the one-sided one; undefined (NaN) where the differences are all
    equal: with two seeds and accuracy in steps of one test review that happens, and a t test
    without a variance estimate says nothing (scipy's limit, p = 0, would claim certainty)."""
    if not (np.isfinite(t) and np.isfinite(one_sided)):
        return np.nan
    return min(1.0, 2 * min(one_sided, 1 - one_sided))


def _smoothness_row(
    measure: Mapping[str, Any], smooth: pd.DataFrame, original: pd.DataFrame
) -> dict[str, float]:
    row = {
        "smoothness_cka_mean": float(smooth["cka"].mean()),
        "smoothness_cosine_mean": float(smooth["cosine"].mean()),
        "block_cka": np.nan,
        "block_cka_original": np.nan,
    }
    if measure["kind"] == "merged":
        inside = group_pairs(int(measure["start"]), int(measure["n"]))
        row["block_cka"] = float(smooth.loc[smooth["layer"].isin(inside), "cka"].mean())
        row["block_cka_original"] = float(
            original.loc[original["layer"].isin(inside), "cka"].mean()
        )
    return row


def _speedups(latency: Mapping[str, Any]) -> dict[str, float]:
    """The paired speed-ups of the latency job (the original timed in turn with the variant):
    ``speedup_forward``/``speedup_token`` are the medians, with ``_p25``/``_p75``."""
    out = {}
    for what in ("forward", "token"):
        out[f"speedup_{what}"] = float(latency[f"speedup_{what}_median"])
        for q in ("p25", "p75"):
            out[f"speedup_{what}_{q}"] = float(latency[f"speedup_{what}_{q}"])
    return out


def _with_ci(stem: str, triple: tuple[float, float, float]) -> dict[str, float]:
    value, low, high = triple
    return {stem: value, f"{stem}_low": low, f"{stem}_high": high}


def _mean_over_seeds(seeds: pd.DataFrame, variant: str, metric: str) -> float:
    values = seeds.loc[(seeds["variant"] == variant) & (seeds["metric"] == metric), "value"]
    return float(values.mean()) if len(values) else np.nan


def summarise(
    measures: Sequence[Mapping[str, Any]],
    nlls: Sequence[pd.DataFrame],
    latencies: Sequence[Mapping[str, Any]],
    rouges: Sequence[Mapping[str, Any]],
    lm_records: Sequence[Mapping[str, Any]],
    lm_nlls: Sequence[pd.DataFrame],
    classify_records: Sequence[Mapping[str, Any]],
    samples: Sequence[Sequence[Mapping[str, str]]],
    smoothness: Sequence[pd.DataFrame],
    *,
    variants: Sequence[str],
    stats: Mapping[str, Any],
) -> dict[str, pd.DataFrame]:
    """The study's tables by name: ``variants`` (one row per variant), ``seeds`` (tidy
    variant, seed, metric, value), ``tests`` (changed variant x metric vs the original),
    ``samples`` and ``smoothness`` (every variant's rows). Per-variant inputs come in the
    order of ``variants``, the original first; per-seed records in any order."""
    if not variants or variants[0] != ORIGINAL:
        raise ValueError(f"the variants must start with {ORIGINAL!r}, got {list(variants)[:1]}")
    for records, what in ((measures, "measures"), (latencies, "latencies"), (rouges, "rouges")):
        _check_order(records, variants, what)
    boot = dict(
        resamples=stats["bootstrap_resamples"], level=stats["confidence"], seed=stats["seed"]
    )
    before = dict(zip(variants, nlls, strict=True))
    smooth = dict(zip(variants, smoothness, strict=True))
    seeds = seed_table(lm_records, lm_nlls, classify_records, before)
    rows = []
    for name, m, lat, rouge in zip(variants, measures, latencies, rouges, strict=True):
        ppl = perplexity_ci(before[name], **boot)
        ratio = (
            (1.0, 1.0, 1.0)
            if name == ORIGINAL
            else ratio_ci(before[name], before[ORIGINAL], **boot)
        )
        rows.append(
            {
                "variant": name,
                **{k: m[k] for k in ("kind", "scope", "n", "start", "depth", "params_unique")},
                "documents": len(before[name]),
                "scored_tokens": int(before[name]["tokens"].sum()),
                **_with_ci("perplexity_before", ppl),
                **_with_ci("ppl_ratio_before", ratio),
                "perplexity_after_mean": _mean_over_seeds(seeds, name, "perplexity_after"),
                "ppl_ratio_after_mean": _mean_over_seeds(seeds, name, "ppl_ratio_after"),
                "accuracy_mean": _mean_over_seeds(seeds, name, "accuracy"),
                "f1_mean": _mean_over_seeds(seeds, name, "f1"),
                "rougeL_f": float(rouge["rougeL_f"]) if rouge["available"] else np.nan,
                **{k: float(lat[k]) for k in LATENCY},
                **_speedups(lat),
                "peak_memory_mb": float(lat["peak_memory_mb"]),
                "memory_method": lat["memory_method"],
                "latency_device": lat["device_name"],
                **_smoothness_row(m, smooth[name], smooth[ORIGINAL]),
            }
        )
    sample_rows = [
        {"variant": name, "prompt": s["prompt"], "continuation": s["continuation"]}
        for name, items in zip(variants, samples, strict=True)
        for s in items
    ]
    return {
        "variants": pd.DataFrame(rows),
        "seeds": seeds,
        "tests": seed_tests(seeds, variants, stats),
        "samples": pd.DataFrame(sample_rows, columns=["variant", "prompt", "continuation"]),
        "smoothness": pd.concat(list(smoothness), ignore_index=True),
    }
