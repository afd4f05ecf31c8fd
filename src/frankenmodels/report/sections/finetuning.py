"""Macros of "Fine-tuning methods" (finetuning.tex, finetuning_methods_run.tex): full
fine-tuning, LoRA and layer-selective training compared on the base model with the same seeds,
and the seed's claims about them; the methods' settings, which the healing paragraph
(sections/healing.py) describes too.

From methods/summary.csv, tests.csv and claims.csv (docs/finetuning.md) and the config. The
comparison is optional: where it was not run only `\\ifMethodsRun` (false) is defined, plus the
methods' settings where healing ran. Where it was run, every method of the schema gets its
macros (n/a and false where it was not compared), so that the prose can branch on
`\\ifMethodLoraRun` without meeting an undefined flag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from frankenmodels.report import finetuning as ft
from frankenmodels.report.latex import escape, fmt_fixed, is_missing, macro_name
from frankenmodels.report.macros import (
    DURATION,
    FLAG,
    INT,
    INT_LIST,
    NUMBER,
    PERCENT,
    PP,
    SCI,
    TEX,
    TEXT,
    Format,
    P,
    Row,
    fixed,
)
from frankenmodels.stats.claims import as_bool
from frankenmodels.stats.methods import MAX_TRAINABLE_PERCENT
from frankenmodels.vocabulary import (
    TRAINING_METHOD_NAMES,
    memory_method,
    training_method,
)

if TYPE_CHECKING:
    from frankenmodels.report.results import Results
    from frankenmodels.report.settings import Settings

RATES = "finetuning.compare.learning_rate"
SETTINGS: tuple[str, ...] = (
    "training.learning_rate",
    "training.lora.r",
    "training.lora.target_modules",
    "training.selective.mode",
    "training.selective.layers",
    "training.selective.top_k",
    "training.selective.score",
    *(f"{RATES}.{m}" for m in TRAINING_METHOD_NAMES),
)
SHARE = Format(lambda v: "n/a" if is_missing(v) else fmt_fixed(100 * float(v), 1))  # 0.987: 98.7
MEAN = fixed(4)
SCORE_NAMES = {"block_influence": "Block Influence", "angular_distance": "angular distance"}
TABLE_ONLY = "printed in table_methods.tex, not in the prose; kept for reviewers"
# (macro suffix, summary.csv column, format, reviewer_only) of each method's costs.
SUMMARY_MACROS = (
    ("TrainablePct", "trainable_percent", fixed(2), None),
    ("TrainableParams", "trainable_parameters", INT, None),
    ("Wall", "wall_seconds_mean", DURATION, None),
    ("Throughput", "examples_per_second_mean", INT, TABLE_ONLY),
    ("PeakMemory", "peak_memory_mb_mean", fixed(0), None),
)


def and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def stem(prefix: str, method: str) -> str:
    return prefix + macro_name(method)  # MethodLayerSelective, HealLora


def learning_rate(c: Settings, key: str, method: str) -> float:
    """The method's own rate under `key`, else training.learning_rate (as the rules do)."""
    own = c.get(f"{key}.{method}")
    return own if own is not None else c["training.learning_rate"]


def _config(c: Settings) -> list[Row]:
    """How LoRA and layer-selective training were set up."""
    layers, top_k = c.get("training.selective.layers"), c.get("training.selective.top_k")
    score = str(c["training.selective.score"])
    targets = [rf"\texttt{{{escape(t)}}}" for t in c["training.lora.target_modules"]]
    rows = [
        Row.setting("LoraRank", c, "training.lora.r", INT),
        Row("LoraTargets", and_list(targets), TEX, "config: training.lora.target_modules"),
        Row(
            "SelectiveLora",
            c["training.selective.mode"] == "lora",
            FLAG,
            "config: training.selective.mode = lora",
        ),
        Row("SelectiveFixed", layers is not None, FLAG, "config: training.selective.layers set"),
        Row("SelectiveFixedLayers", layers or [], INT_LIST, "config: training.selective.layers"),
        Row("SelectiveTopK", top_k, INT, "config: training.selective.top_k"),
        Row("SelectiveScore", SCORE_NAMES.get(score, score), TEXT, "config: selective.score"),
    ]
    return rows


def _method(mt: ft.Methods, m: str, c: Settings) -> list[Row]:
    """One method's summary, its tests against the reference and its claims."""
    name, row = stem("Method", m), mt.row(m)
    src = f"{ft.SUMMARY} ({m})"
    rows = [
        Row(f"{name}Run", row is not None, FLAG, f"{ft.SUMMARY}: a row for {m}"),
        Row(f"{name}IsReference", m == mt.reference, FLAG, f"{ft.SUMMARY}: reference"),
        Row(
            f"{name}LearningRate",
            learning_rate(c, RATES, m),
            SCI,
            f"config: {RATES}.{m}, else training.learning_rate",
        ),
    ]
    for metric in ft.PRINTED_METRICS:
        for suffix, column in (("Mean", f"{metric}_mean"), ("SD", f"{metric}_sd")):
            macro = f"{name}{macro_name(metric)}{suffix}"
            rows.append(Row(macro, ft.number(row, column), MEAN, f"{src}: {column}"))
    for suffix, column, fmt, reviewer_only in SUMMARY_MACROS:
        value = ft.number(row, column)
        rows.append(Row(f"{name}{suffix}", value, fmt, f"{src}: {column}", reviewer_only))
    for metric, full in zip(ft.PRINTED_METRICS, (True, False), strict=True):
        v, name = mt.versus(m, metric), f"{stem('Method', m)}{macro_name(metric)}"
        tsrc = f"{ft.TESTS} ({metric}, {m} vs {mt.reference})"
        rows += [
            Row(f"{name}DiffPP", v.mean_diff, PP, f"{tsrc}: mean_diff, pp"),
            Row(f"{name}HolmP", v.t_p_holm, P, f"{tsrc}: t_p_holm"),
            Row(f"{name}SignificantHolm", v.significant_holm, FLAG, f"{tsrc}: significant_holm"),
        ]
        if full:  # the headline gets its interval and its uncorrected p as well
            rows += [
                Row(f"{name}CILow", v.ci_low, PP, f"{tsrc}: ci_low, pp"),
                Row(f"{name}CIHigh", v.ci_high, PP, f"{tsrc}: ci_high, pp"),
                Row(f"{name}P", v.t_p, P, f"{tsrc}: t_p (two-sided)"),
            ]
    for claim in ft.CLAIM_NAMES:
        rows += _claim(mt, m, claim)
    return rows


def _claim(mt: ft.Methods, m: str, claim: str) -> list[Row]:
    """A claim in computed words: its value, interval, and whether it holds."""
    row, name = mt.claim(m, claim), stem("Method", m) + macro_name(claim)
    src = f"{ft.CLAIMS} ({m}, {claim})"
    holds = row is not None and as_bool(row["holds"])
    rows = [
        Row(name, ft.number(row, "value"), SHARE, f"{src}: value, percent"),
        Row(f"{name}CILow", ft.number(row, "ci_low"), SHARE, f"{src}: ci_low, percent"),
        Row(f"{name}CIHigh", ft.number(row, "ci_high"), SHARE, f"{src}: ci_high, percent"),
        Row(f"{name}Holds", holds, FLAG, f"{src}: holds"),
        Row(f"{name}Verdict", "holds" if holds else "does not hold", TEXT, f"{src}: holds"),
        Row(
            f"{name}HoldsAtCI",
            row is not None and as_bool(row["holds_at_ci"]),
            FLAG,
            f"{src}: holds_at_ci",
        ),
    ]
    if claim == "accuracy_share":  # the claim's condition: few trainable parameters
        condition = row is not None and as_bool(row["condition_holds"])
        rows.append(
            Row(f"{stem('Method', m)}ConditionHolds", condition, FLAG, f"{src}: condition_holds")
        )
    return rows


def _methods(mt: ft.Methods, c: Settings) -> list[Row]:
    s, claims, ref = mt.summary, mt.claims, mt.row(mt.reference)
    selective = mt.row("layer_selective")
    layers = "" if selective is None else str(selective["trained_layers"])
    held = [as_bool(x) for x in claims["holds"]]
    held_ci = [as_bool(x) for x in claims["holds_at_ci"]]
    level = ft.number(mt.tests.iloc[0] if len(mt.tests) else None, "ci_level")
    memory = str(ref["memory_method"]).split(",")[0].strip()  # one device: one method
    rows = [
        Row("MethodsNumMethods", len(s), INT, f"{ft.SUMMARY}: rows"),
        Row("MethodsNumSeeds", s["n_seeds"].min(), INT, f"{ft.SUMMARY}: min n_seeds"),
        Row(
            "MethodsReference",
            training_method(mt.reference).label,
            TEXT,
            f"{ft.SUMMARY}: the reference method, its label",
        ),
        Row(
            "MethodsModelParams",
            ft.number(ref, "model_parameters"),
            INT,
            f"{ft.SUMMARY}: model_parameters",
        ),
        Row("MethodsCILevel", level, PERCENT, f"{ft.TESTS}: ci_level in percent"),
        Row("MethodsNumPairs", mt.pairs_per_metric(), INT, f"{ft.TESTS}: pairs per metric (Holm)"),
        Row(
            "MethodsMemoryMethod", memory_method(memory).prose, TEXT, f"{ft.SUMMARY}: memory_method"
        ),
        Row(
            "MethodsSelectiveLayers",
            ft.layers_text(layers) or "n/a",
            TEXT,
            f"{ft.SUMMARY}: trained_layers of layer_selective",
        ),
        Row(
            "MethodsSelectiveLayersVary",
            "/" in layers,
            FLAG,
            f"{ft.SUMMARY}: seeds chose different layers",
        ),
        Row(
            "MethodsAccuracyShareThresholdPct",
            mt.threshold("accuracy_share"),
            PERCENT,
            f"{ft.CLAIMS}: threshold of accuracy_share, percent",
        ),
        Row(
            "MethodsTimeShareThresholdPct",
            mt.threshold("time_share"),
            PERCENT,
            f"{ft.CLAIMS}: threshold of time_share, percent",
        ),
        Row(
            "MethodsTrainableLimitPct",
            MAX_TRAINABLE_PERCENT,
            NUMBER,
            "frankenmodels.stats.methods: MAX_TRAINABLE_PERCENT, the accuracy claim's condition",
        ),
        Row("MethodsNumClaims", len(claims), INT, f"{ft.CLAIMS}: rows"),
        Row("MethodsNumClaimsHold", sum(held), INT, f"{ft.CLAIMS}: holds"),
        Row("MethodsNumClaimsHoldAtCI", sum(held_ci), INT, f"{ft.CLAIMS}: holds_at_ci"),
        Row("MethodsAnyClaimHolds", any(held), FLAG, f"{ft.CLAIMS}: any holds"),
    ]
    for m in TRAINING_METHOD_NAMES:
        rows += _method(mt, m, c)
    return rows


def rows(r: Results, c: Settings) -> list[Row]:
    methods_run, healing_run = ft.methods_ran(r.inp), ft.healing_ran(r.inp)
    out = [
        Row("MethodsRun", methods_run, FLAG, f"{ft.SUMMARY}: present (finetuning.compare.enabled)")
    ]
    if methods_run or healing_run:  # the healing paragraph describes the methods too
        out += _config(c)
    if methods_run:
        out += _methods(ft.Methods(r.inp), c)
    return out
