"""Perplexity statistics of documents scored by ``evaluation.perplexity.document_nll``: the
corpus value, and intervals over documents for one model's perplexity and for the ratio of two
models' (paired: the same documents resampled for both). numpy and scipy only, so that the
analysis jobs need no torch.
Intervals come from ``scipy.stats.bootstrap`` over documents, the statistic a ratio of sums
(``exp(sum nll / sum tokens)``), by BCa: corpus perplexity is a skewed, biased estimator in
small samples, which BCa corrects and the percentile method does not. Where BCa is undefined
(every resample equal, as for an experiment against itself) the percentile interval of the
same resamples is returned.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.stats import DegenerateDataWarning, bootstrap


def corpus_perplexity(frame: pd.DataFrame) -> float:
    """exp(sum nll / sum tokens): every token weighs the same, whatever its document."""
    total = frame["tokens"].sum()
    if total <= 0:
        raise ValueError("no predicted tokens: perplexity is undefined")
    return float(np.exp(frame["nll"].sum() / total))


def _log_ppl(nll: np.ndarray, tokens: np.ndarray, axis: int = -1) -> np.ndarray:
    return nll.sum(axis=axis) / tokens.sum(axis=axis)


def _interval(data, statistic, *, resamples: int, level: float, seed: int) -> tuple[float, float]:
    """BCa interval over the documents (paired: one resample of documents for every array),
    or the percentile interval of the same resamples where BCa is undefined."""
    if len(data[0]) < 2:
        raise ValueError("a bootstrap over documents needs at least two documents")
    common = dict(paired=True, vectorized=True, confidence_level=level)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", DegenerateDataWarning)
        result = bootstrap(
            data,
            statistic,
            n_resamples=resamples,
            method="BCa",
            rng=np.random.default_rng(seed),
            **common,
        )
        low, high = result.confidence_interval
        if not (np.isfinite(low) and np.isfinite(high)):
            result = bootstrap(
                data,
                statistic,
                n_resamples=0,
                method="percentile",
                bootstrap_result=result,
                **common,
            )
            low, high = result.confidence_interval
    return float(low), float(high)


def perplexity_ci(
    frame: pd.DataFrame, *, resamples: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """Corpus perplexity and its bootstrap interval over documents."""
    value = corpus_perplexity(frame)
    data = (frame["nll"].to_numpy(np.float64), frame["tokens"].to_numpy(np.float64))

    def statistic(nll, tokens, axis=-1):
        return np.exp(_log_ppl(nll, tokens, axis))

    low, high = _interval(data, statistic, resamples=resamples, level=level, seed=seed)
    return value, low, high


def ratio_ci(
    frame: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """ppl(frame) / ppl(reference) and its paired bootstrap interval: each resample draws the
    same documents for both, so the documents' shared difficulty cancels."""
    for name, table in (("frame", frame), ("reference", reference)):
        if table["doc"].duplicated().any():
            raise ValueError(f"{name} scores some document twice")
    if set(frame["doc"]) != set(reference["doc"]):
        raise ValueError("frame and reference score different documents")
    joined = frame.merge(reference, on="doc", suffixes=("", "_ref"), validate="one_to_one")
    if not (joined["tokens"] == joined["tokens_ref"]).all():
        raise ValueError("frame and reference count different tokens in the same documents")
    data = tuple(joined[c].to_numpy(np.float64) for c in ("nll", "tokens", "nll_ref", "tokens_ref"))

    def statistic(nll, tokens, nll_ref, tokens_ref, axis=-1):
        return np.exp(_log_ppl(nll, tokens, axis) - _log_ppl(nll_ref, tokens_ref, axis))

    value = float(statistic(*data))
    if not np.isfinite(value):
        raise ValueError("no predicted tokens: the perplexity ratio is undefined")
    low, high = _interval(data, statistic, resamples=resamples, level=level, seed=seed)
    return value, low, high
