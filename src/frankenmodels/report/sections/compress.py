"""Macros of the lab report's section "Merging and compressing feed-forward layers", as data.

Every number and claim of paper/lab/compress.tex comes from here: the budgets the run had,
which variant is fastest and what it costs, whether fine-tuning recovers (the ratio to the
fine-tuned original after is below the ratio before), which differences survive Holm at the
configured level, and whether merging raised the CKA of consecutive layers inside the merged
group. A family the config did not run gets a false ``Run`` flag and "n/a" values: the prose
branches on the flag, so it never mentions what was not measured.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from frankenmodels.compress.summary import TEST_METRICS
from frankenmodels.report.lab import P_STMT, RATIO
from frankenmodels.report.latex import escape, fmt_fixed, is_missing, macro_name
from frankenmodels.report.macros import FLAG, INT, NUMBER, TEX, TEXT, Format, Row, fixed
from frankenmodels.report.sections.compress_setup import CFG, VARIANTS, CompressResults, setup_rows

TESTS = "results/compress/summary/tests.csv"
PCT = Format(lambda v: "n/a" if is_missing(v) else fmt_fixed(100 * float(v), 1))
SCOPE_STEMS = {"ffn": "Ffn", "block": "Block"}
METRIC_WORDS = {
    "perplexity_after": ("Ppl", "perplexity after fine-tuning"),
    "accuracy": ("Accuracy", "IMDb accuracy"),
    "f1": ("FOne", "IMDb F1"),
}


def _range(values: tuple[float, float]) -> str:
    """A speed-up range as printed, "1.38--1.52", or one number where both ends print alike."""
    low, high = (fmt_fixed(v, 2) for v in values)
    return low if low == high else f"{low}--{high}"


RANGE = Format(_range, raw=list)


def tt_name(variant: str) -> str:
    """A variant's name in typewriter type that may break after its underscores: the names
    are long words that TeX cannot hyphenate, and prose sets them mid-line."""
    return r"\texttt{" + escape(variant).replace(r"\_", r"\_\allowbreak{}") + "}"


NAME = Format(tt_name)
# A skip reason names config keys (compress.summarisation.source): let lines break at the dots.
REASON = Format(lambda v: escape(v).replace(".", r".\allowbreak{}"))


def _pick(frame: pd.DataFrame, column: str, how: str) -> pd.Series | None:
    """The row with the largest (``max``) or smallest (``min``) finite ``column``; None if none."""
    rows = frame.dropna(subset=[column])
    if rows.empty:
        return None
    return rows.loc[rows[column].idxmax() if how == "max" else rows[column].idxmin()]


def _named(stem: str, row: pd.Series | None, values: Mapping[str, tuple[str, Format]], src: str):
    """A chosen variant's name and some of its values, "n/a" when there is none."""
    rows = [Row(stem, "n/a" if row is None else row["variant"], NAME, src)]
    for suffix, (column, fmt) in values.items():
        rows.append(
            Row(stem + suffix, None if row is None else row[column], fmt, f"{src}: {column}")
        )
    return rows


def quality_rows(r: CompressResults) -> list[Row]:
    o, changed, src = r.original, r.changed, VARIANTS
    done = changed.dropna(subset=["ppl_ratio_after_mean"])
    # "Recovers" only where every seed's ratio after is below the ratio before, and the printed
    # means differ too: the prose never rests on one lucky seed or contradicts the table.
    shown = done["ppl_ratio_after_mean"].map(RATIO.tex) != done["ppl_ratio_before"].map(RATIO.tex)
    recovered = done[done["variant"].map(_every_seed_below(r.seeds, done)) & shown]
    # Only a compressed variant does less work; a merged one's speed-up is noise by design.
    compressed = changed[changed["kind"] == "compressed"]
    fastest = _pick(compressed if len(compressed) else changed, "speedup_token", "max")
    most = _pick(changed, "ppl_ratio_before", "max")
    kinds = {k: changed[changed["kind"] == k] for k in ("merged", "compressed")}
    ratios = {"RatioBefore": ("ppl_ratio_before", RATIO)}
    rows = [
        Row("CompressOriginalPerplexity", o["perplexity_before"], fixed(2), src),
        Row("CompressOriginalPerplexityLow", o["perplexity_before_low"], fixed(2), src),
        Row("CompressOriginalPerplexityHigh", o["perplexity_before_high"], fixed(2), src),
        Row("CompressOriginalPerplexityAfter", o["perplexity_after_mean"], fixed(2), src),
        Row("CompressOriginalAccuracy", o["accuracy_mean"], PCT, src + ": accuracy_mean"),
        Row("CompressOriginalFOne", o["f1_mean"], fixed(3), src + ": f1_mean"),
        Row("CompressOriginalTokenMs", o["token_ms_median"], fixed(2), src + ": token_ms"),
        Row("CompressOriginalMemory", o["peak_memory_mb"], fixed(0), src + ": peak_memory_mb"),
        Row("CompressChangedRun", len(changed) > 0, FLAG, src + ": any changed variant"),
        Row("CompressFinetuneRun", len(done) > 0, FLAG, src + ": ppl_ratio_after_mean"),
        Row("CompressRecoveredCount", len(recovered), INT, src + ": ratio after < before"),
        Row("CompressAllRecover", len(recovered) == len(done) > 0, FLAG, src + ": all"),
        Row("CompressAnyRecover", len(recovered) > 0, FLAG, src + ": any"),
        *_named("CompressMostDamage", most, ratios, src),
        Row(
            "CompressAnyHurt",
            most is not None and round(float(most["ppl_ratio_before"]), 2) > 1,
            FLAG,
            src + ": max ppl_ratio_before > 1 as printed",
        ),
        *_named("CompressLeastDamage", _pick(changed, "ppl_ratio_before", "min"), ratios, src),
        *_named(
            "CompressBestAfter",
            _pick(done, "ppl_ratio_after_mean", "min"),
            {"Ratio": ("ppl_ratio_after_mean", RATIO)},
            src,
        ),
        *_named(
            "CompressFastest",
            fastest,
            {
                "Speedup": ("speedup_token", fixed(2)),
                "ForwardSpeedup": ("speedup_forward", fixed(2)),
                "RatioBefore": ("ppl_ratio_before", RATIO),
                "RatioAfter": ("ppl_ratio_after_mean", RATIO),
                "Accuracy": ("accuracy_mean", PCT),
                "Memory": ("peak_memory_mb", fixed(0)),
            },
            src + ": max speedup_token",
        ),
        # Faster only where the paired ratios' interquartile range lies above 1.
        Row(
            "CompressFastestIsFaster",
            fastest is not None and round(fastest["speedup_token_p25"], 2) > 1,
            FLAG,
            src + ": speedup_token_p25 > 1",
        ),
        Row(
            "CompressFastestSpeedupLow",
            None if fastest is None else fastest["speedup_token_p25"],
            fixed(2),
            src + ": speedup_token_p25",
        ),
    ]
    for kind, frame in kinds.items():
        speedups = (frame["speedup_token"].min(), frame["speedup_token"].max())
        stem = macro_name("Compress", kind, "Speedups")
        rows.append(Row(stem, speedups, RANGE, src + f" ({kind}): speedup_token, min--max"))
    return rows


def _every_seed_below(seeds: pd.DataFrame, done: pd.DataFrame):
    """variant -> whether each seed's perplexity ratio after fine-tuning (to the original
    fine-tuned with that seed) is below the variant's ratio before fine-tuning."""
    after = seeds[seeds["metric"] == "ppl_ratio_after"].groupby("variant")["value"].max()
    before = done.set_index("variant")["ppl_ratio_before"]
    return lambda variant: bool(after.get(variant, float("inf")) < before[variant])


def family_rows(r: CompressResults) -> list[Row]:
    """Per scope family: run or not, and its fastest and least damaged variant."""
    rows = []
    for scope, word in SCOPE_STEMS.items():
        frame, stem, src = r.changed[r.changed["scope"] == scope], f"Compress{word}", VARIANTS
        rows.append(Row(stem + "Run", len(frame) > 0, FLAG, f"{src}: scope {scope} present"))
        rows.append(Row(stem + "Count", len(frame), INT, f"{src}: scope {scope}"))
        rows += _named(
            stem + "Fastest",
            _pick(frame, "speedup_token", "max"),
            {"Speedup": ("speedup_token", fixed(2)), "Ratio": ("ppl_ratio_before", RATIO)},
            f"{src} (scope {scope}): max speedup_token",
        )
        rows += _named(
            stem + "Mildest",
            _pick(frame, "ppl_ratio_before", "min"),
            {"Ratio": ("ppl_ratio_before", RATIO), "After": ("ppl_ratio_after_mean", RATIO)},
            f"{src} (scope {scope}): min ppl_ratio_before",
        )
    pairs = family_pairs(r.changed)
    worse = int((pairs["block"] > pairs["ffn"]).sum())
    src = VARIANTS + ": ppl_ratio_before, block vs ffn at the same kind, n and start"
    return [
        *rows,
        Row("CompressFamilyPairs", len(pairs), INT, src),
        Row("CompressBlockWorseCount", worse, INT, src + ": block > ffn"),
        Row("CompressBlockAlwaysWorse", worse == len(pairs) > 0, FLAG, src + ": all pairs"),
    ]


def family_pairs(changed: pd.DataFrame) -> pd.DataFrame:
    """Block and FFN variants of the same kind, size and start side by side (the pairs where
    averaging whole blocks and averaging feed-forward sublayers alone can be compared)."""
    key = ["kind", "n", "start"]
    ffn = changed[changed["scope"] == "ffn"].set_index(key)["ppl_ratio_before"]
    block = changed[changed["scope"] == "block"].set_index(key)["ppl_ratio_before"]
    return pd.concat({"ffn": ffn, "block": block}, axis=1, join="inner").reset_index()


def _significant_list(significant: pd.DataFrame) -> str:
    if significant.empty:
        return "none"
    return "; ".join(
        f"{tt_name(t.variant)} ({METRIC_WORDS[t.metric][1]}, "
        f"{'higher' if t.mean_difference > 0 else 'lower'})"
        for t in significant.itertuples()
    )


def significance_rows(r: CompressResults) -> list[Row]:
    tests, src = r.tests, TESTS
    n = int(tests["n_seeds"].min()) if len(tests) else 0
    significant = tests[tests["p_holm"] <= r.alpha]
    rows = [
        Row("CompressAlpha", r.alpha, NUMBER, CFG + "stats: 1 - confidence"),
        Row("CompressTestSeeds", n, INT, src + ": n_seeds, min"),
        Row("CompressTDf", max(n - 1, 0), INT, src + ": n_seeds - 1"),
        Row("CompressOneDf", n == 2, FLAG, src + ": n_seeds == 2"),
        Row("CompressTestsRun", n >= 2, FLAG, src + ": n_seeds >= 2"),
        Row("CompressBootstrapRun", n >= 3, FLAG, src + ": n_seeds >= 3"),
        Row("CompressHolmFamily", len(r.changed), INT, src + ": variants per metric"),
        Row("CompressAnySignificant", len(significant) > 0, FLAG, src + ": p_holm <= alpha"),
        Row("CompressSignificantCount", len(significant), INT, src + ": p_holm <= alpha"),
        Row("CompressSignificantList", _significant_list(significant), TEX, src),
        Row("CompressMinHolmP", tests["p_holm"].min(), P_STMT, src + ": min p_holm"),
    ]
    for metric in TEST_METRICS:
        count = int((significant["metric"] == metric).sum())
        stem = METRIC_WORDS[metric][0]
        rows.append(Row(f"CompressSignificant{stem}Count", count, INT, f"{src} ({metric})"))
    return rows


def rouge_rows(r: CompressResults) -> list[Row]:
    info, src = r.summaries, "results/compress/data/summaries.json"
    available = bool(info["available"]) and r.variants["rougeL_f"].notna().all()
    reason = info.get("reason") or ("" if available else "ROUGE-L missing for some variant")
    best = _pick(r.changed, "rougeL_f", "max") if available else None
    return [
        Row("CompressRougeAvailable", available, FLAG, src + ": available"),
        Row("CompressRougeReason", reason, REASON, src + ": reason"),
        Row("CompressRougeName", info["name"], TEXT, src + ": name"),
        Row("CompressRougeArticles", info["articles"], INT, src + ": articles"),
        Row("CompressOriginalRouge", r.original["rougeL_f"], fixed(3), VARIANTS + ": rougeL_f"),
        *_named("CompressBestRouge", best, {"Value": ("rougeL_f", fixed(3))}, VARIANTS),
    ]


def smoothness_rows(r: CompressResults) -> list[Row]:
    merged = r.changed.dropna(subset=["block_cka", "block_cka_original"])
    # Compared as printed (three decimals), so "raised" never sits next to two equal numbers.
    gain = merged.assign(gain=merged["block_cka"].round(3) - merged["block_cka_original"].round(3))
    raised, src = gain[gain["gain"] > 0], VARIANTS + ": block_cka vs block_cka_original"
    cka = {"Cka": ("block_cka", fixed(3)), "CkaOriginal": ("block_cka_original", fixed(3))}
    return [
        Row("CompressSmoothnessRun", len(merged) > 0, FLAG, src + ": any merged"),
        Row("CompressMergedCount", len(merged), INT, src),
        Row("CompressRaisedCount", len(raised), INT, src + ": raised"),
        Row("CompressAllRaised", len(raised) == len(merged) > 0, FLAG, src + ": all raised"),
        Row("CompressAnyRaised", len(raised) > 0, FLAG, src + ": any raised"),
        Row("CompressOriginalCka", r.original["smoothness_cka_mean"], fixed(3), VARIANTS),
        *_named("CompressLargestRaise", _pick(gain, "gain", "max"), cka, src + ": max gain"),
    ]


def variant_rows(r: CompressResults) -> list[Row]:
    """Each variant's headline numbers for numbers.json (the tables print them)."""
    why = "per-variant value; printed by the quality and cost tables"
    rows = []
    for v in r.variants.itertuples():
        for suffix, column in (
            ("RatioBefore", "ppl_ratio_before"),
            ("RatioAfter", "ppl_ratio_after_mean"),
            ("Speedup", "speedup_token"),
            ("Accuracy", "accuracy_mean"),
        ):
            value = getattr(v, column)
            rows.append(
                Row(
                    macro_name("CompressVariant", v.variant, suffix), value, fixed(4), VARIANTS, why
                )
            )
    return rows


def compress_rows(results: CompressResults) -> list[Row]:
    """Every macro of the section, in the order the prose uses them."""
    return [
        *setup_rows(results),
        *quality_rows(results),
        *family_rows(results),
        *significance_rows(results),
        *rouge_rows(results),
        *smoothness_rows(results),
        *variant_rows(results),
    ]
