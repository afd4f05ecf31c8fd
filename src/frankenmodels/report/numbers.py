"""Build paper/generated/numbers.tex (every value and claim the prose uses) and its JSON twin.

p-value macros (...TP, ...HolmP, ...WilcoxonP) are whole statements, "$p=0.040$" or
"$p<0.001$", so prose never typesets "p = <0.001".

The prose never states a result: it prints these macros and branches on these booleans
(`\\ifFocusAccuracySignificant ... \\else ... \\fi`), so the text follows the data. Claims
(significant, survives Holm, best layer, underpowered, ...) come from
`frankenmodels.stats.summarise_claims`, asked about the focus variant's family only, so that
"best layer" means best of the layer sweep. Macro names are letters only (f1 -> FOne).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from frankenmodels.io import atomic_path, read_json, write_json
from frankenmodels.report.latex import (
    MacroSet,
    escape,
    fmt_duration,
    fmt_fixed,
    fmt_int,
    fmt_int_list,
    fmt_p_stmt,
    fmt_pct_change,
    fmt_pp,
    fmt_sci,
    fmt_small,
    is_missing,
    macro_name,
    pct_change,
    pp_sign,
)
from frankenmodels.stats import summarise_claims

VALIDATION = "validation"
HEADLINE = "accuracy"  # the seed paper's primary metric: the abstract and threats speak of it

# Metrics in table order, with their printed names.
METRIC_LABELS: dict[str, str] = {
    "accuracy": "Accuracy",
    "f1_weighted": "F1 (weighted)",
    "precision_weighted": "Precision (weighted)",
    "recall_weighted": "Recall (weighted)",
    "f1_binary": "F1 (positive class)",
    "precision_binary": "Precision (positive class)",
    "recall_binary": "Recall (positive class)",
}
TABLE_METRICS = ("accuracy", "f1_weighted", "precision_weighted", "recall_weighted", "f1_binary")

MEMORY_METHODS = {
    "cuda_max_allocated": "the peak of allocated GPU memory",
    "process_rss": "the peak resident set size of the process",
}


def cfg(config: Mapping[str, Any], dotted: str) -> Any:
    """config["a"]["b"] for "a.b", with a KeyError that names the missing key."""
    node: Any = config
    for i, key in enumerate(dotted.split(".")):
        if not isinstance(node, Mapping) or key not in node:
            where = ".".join(dotted.split(".")[:i]) or "the top level"
            raise KeyError(f"config key '{dotted}' is missing ('{key}' not found in {where})")
        node = node[key]
    return node


def require(frame: pd.DataFrame, columns: tuple[str, ...] | list[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{name} lacks column(s) {missing}; see docs/CONTRACTS.md")


def as_bool(x: Any) -> bool:
    """CSV booleans arrive as bool, "True"/"False" strings, or NaN/None (= False)."""
    if isinstance(x, str):
        return x.strip().lower() in {"true", "1", "yes"}
    return False if is_missing(x) else bool(x)


@dataclass(frozen=True)
class Inputs:
    """Everything the report reads: the config and the stage outputs, already parsed."""

    config: Mapping[str, Any]
    metrics: pd.DataFrame
    efficiency: pd.DataFrame
    training: pd.DataFrame
    tests: pd.DataFrame
    selection: dict[str, Any]
    variants: pd.DataFrame

    @classmethod
    def from_paths(
        cls,
        config: Mapping[str, Any],
        *,
        metrics: str | os.PathLike,
        efficiency: str | os.PathLike,
        training: str | os.PathLike,
        tests: str | os.PathLike,
        selection: str | os.PathLike,
        variants: str | os.PathLike,
    ) -> Inputs:
        return cls(
            config=config,
            metrics=pd.read_csv(metrics),
            efficiency=pd.read_csv(efficiency),
            training=pd.read_csv(training),
            tests=pd.read_csv(tests),
            selection=read_json(selection),
            variants=pd.read_csv(variants, dtype={"layer": "Int64"}),
        )

    @classmethod
    def from_snakemake(cls, smk: Any) -> Inputs:
        """The inputs of the numbers and tables rules, which share their input names."""
        names = ("metrics", "efficiency", "training", "tests", "selection", "variants")
        return cls.from_paths(dict(smk.config), **{name: smk.input[name] for name in names})


@dataclass(frozen=True)
class Study:
    """Who is compared with whom, read once from the config and the variant table."""

    base: str
    focus: str
    alpha: float
    family: str  # the focus variant's family, e.g. "duplicate": the layer sweep
    sweep_metric: str  # the metric of the sweep and of the selection protocol
    tested_metrics: tuple[str, ...]  # metrics with an "original" test of the focus variant
    target_effect: float  # a difference of proportions: 0.0056 = 0.56 pp

    @classmethod
    def from_inputs(cls, inp: Inputs) -> Study:
        c = inp.config
        focus = str(cfg(c, "stats.focus_variant"))
        require(inp.variants, ("variant", "family", "layer", "depth"), "variants.csv")
        require(inp.tests, ("protocol", "variant", "metric", "family"), "tests.csv")
        fam = inp.variants.loc[inp.variants["variant"] == focus, "family"]
        if fam.empty:
            raise KeyError(f"the focus variant {focus!r} is not in variants.csv")
        t = inp.tests
        on_focus = t[(t["protocol"] == "original") & (t["variant"] == focus)]
        order = {m: i for i, m in enumerate(METRIC_LABELS)}
        tested = sorted(set(on_focus["metric"]), key=lambda m: (order.get(m, len(order)), m))
        if HEADLINE not in tested:
            raise KeyError(f"tests.csv has no 'original' {HEADLINE} row for {focus!r}")
        return cls(
            base=str(cfg(c, "stats.base_variant")),
            focus=focus,
            alpha=float(cfg(c, "stats.alpha")),
            family=str(fam.iloc[0]),
            sweep_metric=str(cfg(c, "stats.selection.metric")),
            tested_metrics=tuple(tested),
            target_effect=float(cfg(c, "stats.target_effect")),
        )


class Results:
    """The parsed inputs plus the lookups that both the macros and the tables need."""

    def __init__(self, inp: Inputs) -> None:
        self.inp = inp
        self.study = Study.from_inputs(inp)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Mean, sample SD and seed count of every (variant, metric) on validation."""
        m = self.inp.metrics
        require(m, ("split", "seed", "variant", "metric", "value"), "metrics.csv")
        part = m[m["split"] == VALIDATION]
        if part.empty:
            raise KeyError(f"metrics.csv has no rows for split {VALIDATION!r}")
        return part.groupby(["variant", "metric"])["value"].agg(mean="mean", sd="std", n="count")

    def paired_diff(self, metric: str) -> pd.Series:
        """Per-seed focus minus base on validation, over the seeds both have."""
        m = self.inp.metrics
        part = m[(m["split"] == VALIDATION) & (m["metric"] == metric)]
        wide = part.pivot_table(index="seed", columns="variant", values="value")
        for v in (self.study.base, self.study.focus):
            if v not in wide.columns:
                raise KeyError(f"metrics.csv has no validation {metric} for variant {v!r}")
        return (wide[self.study.focus] - wide[self.study.base]).dropna()

    def test(self, protocol: str, variant: str, metric: str) -> pd.Series:
        t = self.inp.tests
        rows = t[(t["protocol"] == protocol) & (t["variant"] == variant) & (t["metric"] == metric)]
        if rows.empty:
            raise KeyError(f"tests.csv has no row {protocol=} {variant=} {metric=}")
        return rows.iloc[0]

    @cached_property
    def sweep(self) -> pd.DataFrame:
        """The "original" tests of the focus variant's family on the sweep metric, by layer."""
        t, s = self.inp.tests, self.study
        rows = t[(t["protocol"] == "original") & (t["metric"] == s.sweep_metric)]
        rows = rows[rows["family"] == s.family].drop(columns=["layer"], errors="ignore")
        rows = rows.merge(self.inp.variants[["variant", "layer"]], on="variant", how="left")
        if rows.empty:
            raise KeyError(f"tests.csv has no 'original' {s.sweep_metric} rows for {s.family}")
        return rows.sort_values(["layer", "variant"], kind="stable").reset_index(drop=True)

    @cached_property
    def claims(self) -> dict[str, Any]:
        """summarise_claims on the focus family (and the selected rows): "best" = best layer."""
        t, s = self.inp.tests, self.study
        part = t[(t["protocol"] == "selected") | (t["family"] == s.family)].copy()
        if "focus" not in part:  # a contract-only tests.csv: mark the focus rows here
            part["focus"] = part["variant"] == s.focus
        return summarise_claims(part, self.inp.selection, s.alpha, metric=s.sweep_metric)

    @cached_property
    def headline_claims(self) -> dict[str, Any]:
        if self.study.sweep_metric == HEADLINE:
            return self.claims
        t = self.inp.tests
        part = t[t["family"] == self.study.family].copy()
        if "focus" not in part:
            part["focus"] = part["variant"] == self.study.focus
        return summarise_claims(part, self.inp.selection, self.study.alpha, metric=HEADLINE)

    def layer_of(self, variant: str | None) -> int | None:
        if variant is None:
            return None
        v = self.inp.variants
        layer = v.loc[v["variant"] == variant, "layer"]
        return None if layer.empty or pd.isna(layer.iloc[0]) else int(layer.iloc[0])

    def efficiency_row(self, variant: str) -> pd.Series:
        e = self.inp.efficiency
        rows = e[e["variant"] == variant]
        if rows.empty:
            raise KeyError(f"efficiency.csv has no row for variant {variant!r}")
        return rows.iloc[0]

    @property
    def chosen(self) -> str | None:
        return self.claims["selected_variant"]


def fmt_layer(layer: int | None, variant: str | None) -> str:
    """A layer index, or the variant's name where the variant is not about one layer."""
    if layer is not None:
        return str(layer)
    return r"\texttt{" + escape(variant) + "}" if variant else "n/a"


def _int_macro(m: MacroSet, name: str, value: Any, source: str) -> None:
    m.value(name, fmt_int(value), None if is_missing(value) else int(value), source)


def _signed2(x: Any) -> str:
    return fmt_fixed(x, 2, signed=True)


def _unsigned_pp(x: Any) -> str:
    return fmt_pp(x, signed=False)


def _test_macros(m: MacroSet, prefix: str, row: Any, source: str, columns) -> None:
    """One macro per (column, suffix, formatter) of a tests.csv row; a missing row gives n/a."""
    for column, suffix, fmt in columns:
        value = None if row is None else row[column]
        m.value(f"{prefix}{suffix}", fmt(value), value, f"{source}: {column}")


# ---------------------------------------------------------------------------------------
# Macro groups. Each adds to `m` and records where each value came from.
# ---------------------------------------------------------------------------------------


def _setup_macros(m: MacroSet, r: Results) -> None:
    c, s = r.inp.config, r.study
    m.text("StudyTitle", cfg(c, "study.title"), "config: study.title")
    m.text("ModelName", cfg(c, "model.name"), "config: model.name")
    source = str(cfg(c, "model.source"))
    m.flag("ModelPretrained", source != "config", "config: model.source is not 'config'")
    m.flag("ModelFromHub", source == "hub", "config: model.source")
    where = {"hub": "id", "local": "dir", "package": "package"}.get(source)
    ident = cfg(c, f"model.{where}") if where else "random initialisation"
    m.text("ModelId", ident, f"config: model.{where or 'source'}")
    _int_macro(m, "ModelNumLayers", cfg(c, "model.num_layers"), "config: model.num_layers")

    m.text("DatasetName", cfg(c, "data.name"), "config: data.name")
    m.flag("DataSynthetic", cfg(c, "data.source") == "synthetic", "config: data.source")
    # Only SST-2 gets its citations; another data set is named but not cited.
    is_sst = "sst" in str(cfg(c, "data.name")).lower() and cfg(c, "data.source") != "synthetic"
    m.flag("DataSST", is_sst, "config: data.name mentions SST and the data are not generated")
    _int_macro(m, "MaxLength", cfg(c, "data.max_length"), "config: data.max_length")
    subset = cfg(c, "data.train_subset")
    m.flag("TrainSubset", not is_missing(subset), "config: data.train_subset is set")
    _int_macro(m, "SelectionSize", cfg(c, "data.selection_size"), "config: data.selection_size")

    lr = float(cfg(c, "training.learning_rate"))
    m.value("LearningRate", fmt_sci(lr), lr, "config: training.learning_rate")
    for key, name in (("epochs", "Epochs"), ("batch_size", "BatchSize")):
        _int_macro(m, name, cfg(c, f"training.{key}"), f"config: training.{key}")
    for key, name in (("weight_decay", "WeightDecay"), ("warmup_ratio", "WarmupRatio")):
        v = float(cfg(c, f"training.{key}"))
        m.value(name, f"{v:g}", v, f"config: training.{key}")
    warmup = float(cfg(c, "training.warmup_ratio")) > 0
    m.flag("Warmup", warmup, "config: training.warmup_ratio > 0")
    mode = str(cfg(c, "efficiency.memory_mode"))
    m.text("MemoryMode", mode, "config: efficiency.memory_mode")
    m.flag("MemoryShared", mode == "shared", "config: efficiency.memory_mode")
    _int_macro(m, "EffWarmup", cfg(c, "efficiency.warmup"), "config: efficiency.warmup")

    # Seeds as run (metrics.csv), not as configured: the paper describes what happened.
    val = r.inp.metrics[r.inp.metrics["split"] == VALIDATION]
    seeds = sorted(int(x) for x in val.loc[val["variant"] == s.focus, "seed"].unique())
    m.value("SeedList", fmt_int_list(seeds), seeds, "metrics.csv: validation seeds of the focus")
    _int_macro(m, "NumSeeds", len(seeds), "metrics.csv: validation seeds of the focus")
    m.value("AlphaLevel", f"{s.alpha:g}", s.alpha, "config: stats.alpha")
    m.value(
        "TargetEffectPP",
        fmt_pp(s.target_effect, signed=False),
        s.target_effect,
        "config: stats.target_effect, in percentage points",
    )
    m.text("BaseVariant", s.base, "config: stats.base_variant")
    m.text("FocusVariant", s.focus, "config: stats.focus_variant")
    layer = r.layer_of(s.focus)
    m.value("FocusLayer", fmt_layer(layer, s.focus), layer, "variants.csv: layer of the focus")
    m.text("SweepFamily", s.family, "variants.csv: family of the focus variant")
    label = METRIC_LABELS.get(s.sweep_metric, s.sweep_metric).lower()
    m.text("SweepMetricName", label, "config: stats.selection.metric")
    _int_macro(m, "NumVariants", len(r.inp.variants), "variants.csv: rows (base included)")


def _training_macros(m: MacroSet, r: Results) -> None:
    t = r.inp.training
    cols = (
        "seed",
        "train_examples",
        "epochs",
        "steps",
        "wall_seconds",
        "examples_per_second",
        "final_loss",
        "device",
        "device_name",
    )
    require(t, cols, "training.csv")
    src = "training.csv"
    _int_macro(m, "TrainExamples", t["train_examples"].median(), f"{src}: median train_examples")
    _int_macro(m, "TrainSteps", t["steps"].median(), f"{src}: median steps")
    wall = t["wall_seconds"]
    m.value(
        "TrainWallPerSeed",
        fmt_duration(wall.mean()),
        float(wall.mean()),
        f"{src}: mean wall_seconds",
    )
    m.value(
        "TrainWallTotal", fmt_duration(wall.sum()), float(wall.sum()), f"{src}: sum of wall_seconds"
    )
    eps = float(t["examples_per_second"].mean())
    m.value("TrainThroughput", fmt_int(eps), eps, f"{src}: mean examples_per_second")
    loss = float(t["final_loss"].mean())
    m.value("TrainFinalLoss", fmt_fixed(loss, 3), loss, f"{src}: mean final_loss")
    m.flag("TrainCuda", str(t["device"].iloc[0]) == "cuda", f"{src}: device")
    m.text("TrainDeviceName", t["device_name"].iloc[0], f"{src}: device_name")


def _performance_macros(m: MacroSet, r: Results) -> None:
    s, summ = r.study, r.summary
    src = "metrics.csv (validation)"
    for metric in TABLE_METRICS:
        if (s.base, metric) not in summ.index or (s.focus, metric) not in summ.index:
            continue
        name = macro_name(metric)
        for who, variant in (("Base", s.base), ("Focus", s.focus)):
            row = summ.loc[(variant, metric)]
            m.value(
                f"{who}{name}Mean",
                fmt_fixed(row["mean"]),
                float(row["mean"]),
                f"{src}: mean {metric} of {variant}",
            )
            m.value(
                f"{who}{name}Sd",
                fmt_fixed(row["sd"]),
                float(row["sd"]),
                f"{src}: sd over seeds of {metric} of {variant}",
            )
        base_sd = float(summ.loc[(s.base, metric), "sd"])
        m.value(
            f"Base{name}SdPP",
            fmt_pp(base_sd, signed=False),
            base_sd,
            f"{src}: sd over seeds of {metric} of {s.base}, pp",
        )
        diff = float(r.paired_diff(metric).mean())
        base_mean = float(summ.loc[(s.base, metric), "mean"])
        m.value(
            f"Focus{name}Diff",
            fmt_fixed(diff, signed=True),
            diff,
            f"{src}: mean paired difference {s.focus} - {s.base}",
        )
        m.value(f"Focus{name}DiffPP", fmt_pp(diff), diff, f"{src}: the same in pp")
        m.value(
            f"Focus{name}DiffAbsPP",
            fmt_pp(abs(diff), signed=False),
            abs(diff),
            f"{src}: its magnitude in pp",
        )
        rel = pct_change(base_mean + diff, base_mean)
        m.value(
            f"Focus{name}RelPct",
            fmt_fixed(rel, 2, signed=True),
            rel,
            f"{src}: relative change in percent of the base mean",
        )
        m.flag(f"Focus{name}Positive", diff > 0, f"{src}: mean paired difference > 0")
        m.flag(
            f"Focus{name}GainBelowSeedSd",
            abs(diff) < base_sd,
            f"{src}: |difference| < seed-to-seed sd of {s.base}",
        )


def _significance_macros(m: MacroSet, r: Results) -> None:
    s, claims = r.study, r.claims
    src = "tests.csv (original)"
    for metric in s.tested_metrics:
        row = r.test("original", s.focus, metric)
        n = f"Focus{macro_name(metric)}"
        where = f"{src}: {s.focus}, {metric}"
        _test_macros(
            m,
            n,
            row,
            where,
            (
                ("t_p", "TP", fmt_p_stmt),
                ("t_p_holm", "HolmP", fmt_p_stmt),
                ("wilcoxon_p", "WilcoxonP", fmt_p_stmt),
                ("ci_low", "CILowPP", fmt_pp),
                ("ci_high", "CIHighPP", fmt_pp),
                ("d_z", "Dz", _signed2),
                ("sd_diff", "SdDiffPP", _unsigned_pp),
                ("mde", "MDEPP", _unsigned_pp),
            ),
        )
        _int_macro(m, f"{n}SeedsNeeded", row["seeds_needed"], f"{where}, seeds_needed")
        _int_macro(m, f"{n}SeedsPositive", row["seeds_positive"], f"{where}, seeds_positive")
        _int_macro(m, f"{n}SeedsNegative", row["seeds_negative"], f"{where}, seeds_negative")
        m.flag(
            f"{n}Significant",
            as_bool(claims["focus_significant"].get(metric)),
            f"summarise_claims: focus_significant[{metric}]",
        )
        m.flag(
            f"{n}SignificantHolm",
            as_bool(claims["focus_significant_holm"].get(metric)),
            f"summarise_claims: focus_significant_holm[{metric}]",
        )
        m.flag(
            f"{n}CIExcludesZero",
            float(row["ci_low"]) > 0 or float(row["ci_high"]) < 0,
            f"{where}, ci_low > 0 or ci_high < 0",
        )

    sig = [as_bool(claims["focus_significant"].get(x)) for x in s.tested_metrics]
    holm = [as_bool(claims["focus_significant_holm"].get(x)) for x in s.tested_metrics]
    positive = [float(claims["focus_mean_diff"][x]) > 0 for x in s.tested_metrics]
    _int_macro(m, "NumTestedMetrics", len(sig), f"{src}: metrics tested for the focus variant")
    for label, flags in (("Significant", sig), ("SignificantHolm", holm), ("Positive", positive)):
        _int_macro(m, f"FocusNum{label}", sum(flags), "summarise_claims: count over metrics")
        m.flag(f"FocusAll{label}", all(flags), "summarise_claims: all tested metrics")
        m.flag(f"FocusAny{label}", any(flags), "summarise_claims: any tested metric")

    head = r.test("original", s.focus, HEADLINE)
    hc = r.headline_claims
    m.value(
        "CILevel",
        fmt_fixed(100 * float(head["ci_level"]), 0),
        head["ci_level"],
        f"{src}: ci_level in percent",
    )
    m.value(
        "WilcoxonMinP",
        fmt_small(hc["wilcoxon_min_p"]),
        hc["wilcoxon_min_p"],
        "summarise_claims: wilcoxon_min_p",
    )
    m.flag(
        "WilcoxonCanReject",
        as_bool(hc["wilcoxon_can_reject"]),
        "summarise_claims: wilcoxon_can_reject",
    )
    _int_macro(m, "FamilySize", hc["focus_family_size"], "summarise_claims: focus_family_size")
    _int_macro(
        m, "FocusMcNemarSeeds", hc["focus_mcnemar_seeds"], "summarise_claims: focus_mcnemar_seeds"
    )
    _int_macro(
        m,
        "FocusMcNemarSig",
        hc["focus_mcnemar_seeds_significant"],
        "summarise_claims: focus_mcnemar_seeds_significant",
    )
    _int_macro(
        m,
        "FocusMcNemarBetter",
        hc["focus_mcnemar_seeds_better"],
        "summarise_claims: focus_mcnemar_seeds_better",
    )
    # Power of the design for the headline metric.
    m.flag("Underpowered", as_bool(hc["underpowered"]), "summarise_claims: underpowered")
    m.flag("PowerDefined", hc["underpowered"] is not None, "summarise_claims: underpowered")
    power = hc.get("power")
    m.value(
        "PowerPct",
        fmt_fixed(100 * power, 0) if power else "n/a",
        power,
        "summarise_claims: power (nominal)",
    )
    at = hc.get("power_at_target")
    m.value(
        "PowerAtTargetPct",
        fmt_fixed(100 * at, 0) if not is_missing(at) else "n/a",
        at,
        "summarise_claims: power_at_target",
    )


def _sweep_macros(m: MacroSet, r: Results) -> None:
    s, c, sw = r.study, r.claims, r.sweep
    src = f"tests.csv (original, family {s.family}, {s.sweep_metric})"
    _int_macro(m, "SweepSize", len(sw), f"{src}: rows")
    m.flag("SweepMultiple", len(sw) > 1, f"{src}: more than one variant")
    n_pos = int((sw["mean_diff"] > 0).sum())
    _int_macro(m, "SweepNumPositive", n_pos, f"{src}: mean_diff > 0")
    _int_macro(m, "SweepNumSignificant", c["n_significant"], "summarise_claims: n_significant")
    _int_macro(
        m,
        "SweepNumSignificantHolm",
        c["n_significant_holm"],
        "summarise_claims: n_significant_holm",
    )
    m.flag("SweepAnySignificant", c["n_significant"] > 0, "summarise_claims: n_significant > 0")
    m.flag(
        "SweepAnySignificantHolm",
        c["n_significant_holm"] > 0,
        "summarise_claims: n_significant_holm > 0",
    )
    expected = len(sw) * s.alpha
    m.value(
        "SweepExpectedFalsePositives",
        fmt_fixed(expected, 2),
        expected,
        f"{src}: rows x alpha, false positives expected if no layer helps",
    )

    for label, idx in (("Best", sw["mean_diff"].idxmax()), ("Worst", sw["mean_diff"].idxmin())):
        row = sw.loc[idx]
        layer = r.layer_of(row["variant"])
        m.text(f"Sweep{label}Variant", row["variant"], f"{src}: {label.lower()} mean_diff")
        m.value(f"Sweep{label}Layer", fmt_layer(layer, row["variant"]), layer, f"{src}: its layer")
        _test_macros(
            m,
            f"Sweep{label}",
            row,
            f"{src} ({label.lower()})",
            (
                ("mean_diff", "DiffPP", fmt_pp),
                ("t_p", "TP", fmt_p_stmt),
                ("t_p_holm", "HolmP", fmt_p_stmt),
            ),
        )
    if c["best_variant"] != sw.loc[sw["mean_diff"].idxmax(), "variant"]:
        raise ValueError("summarise_claims and the sweep table disagree on the best variant")
    m.flag("SweepBestSignificant", as_bool(c["best_significant"]), "summarise_claims")
    m.flag("SweepBestSignificantHolm", as_bool(c["best_significant_holm"]), "summarise_claims")
    best_sign = pp_sign(c["best_mean_diff"])
    worst_sign = pp_sign(sw["mean_diff"].min())
    m.flag("SweepBestPositive", best_sign > 0, "summarise_claims: best > 0 as printed")
    m.flag("SweepBestZero", best_sign == 0, "summarise_claims: best 0.00 pp as printed")
    m.flag("SweepWorstNegative", worst_sign < 0, f"{src}: worst < 0 as printed")
    m.flag("FocusIsBest", c["best_variant"] == s.focus, "summarise_claims: best == focus")
    ranks = sw["mean_diff"].rank(ascending=False, method="min")
    hit = ranks[sw["variant"] == s.focus]
    rank = int(hit.iloc[0]) if not hit.empty else None
    m.value(
        "FocusRank", str(rank) if rank else "n/a", rank, f"{src}: rank of the focus by mean_diff"
    )


def _selection_macros(m: MacroSet, r: Results) -> None:
    s, c, sel = r.study, r.claims, r.inp.selection
    chosen = r.chosen
    m.flag("SelectionChosen", chosen is not None, "summarise_claims: selection_enabled")
    m.text("SelectionSplit", sel.get("split", "selection"), "selection.json: split")
    scores = sel.get("scores") or {}
    _int_macro(m, "SelectionNumCandidates", len(scores), "selection.json: scored variants")
    m.text("SelectedVariant", chosen or "none", "selection.json: chosen")
    layer = r.layer_of(chosen)
    m.value("SelectedLayer", fmt_layer(layer, chosen), layer, "variants.csv: layer of chosen")
    score = scores.get(chosen) if chosen else None
    m.value("SelectedScorePP", fmt_pp(score), score, "selection.json: scores[chosen] in pp")
    row = r.test("selected", chosen, s.sweep_metric) if chosen else None
    tsrc = f"tests.csv (selected, {chosen}, {s.sweep_metric})"
    _test_macros(
        m,
        "Selected",
        row,
        tsrc,
        (
            ("mean_diff", "DiffPP", fmt_pp),
            ("t_p", "TP", fmt_p_stmt),
            ("ci_low", "CILowPP", fmt_pp),
            ("ci_high", "CIHighPP", fmt_pp),
        ),
    )
    m.flag(
        "SelectedSignificant",
        as_bool(c["selected_significant"]),
        "summarise_claims: selected_significant",
    )
    diff = c["selected_mean_diff"]
    m.flag("SelectedPositive", diff is not None and diff > 0, "summarise_claims: selected > 0")
    m.flag("SelectedIsFocus", as_bool(c["selected_is_focus"]), "summarise_claims")
    m.flag(
        "SelectedIsBest",
        chosen is not None and chosen == c["best_variant"],
        "summarise_claims: selected_variant == best_variant",
    )


def _efficiency_macros(m: MacroSet, r: Results) -> None:
    cols = (
        "variant",
        "depth",
        "params_unique",
        "params_effective",
        "peak_memory_mb",
        "memory_method",
        "latency_ms_median",
        "latency_ms_p25",
        "latency_ms_p75",
        "batch_size",
        "repeats",
        "device",
        "device_name",
    )
    require(r.inp.efficiency, cols, "efficiency.csv")
    src = "efficiency.csv"
    b, f = r.efficiency_row(r.study.base), r.efficiency_row(r.study.focus)
    for who, row in (("Base", b), ("Focus", f)):
        where = f"{src}: {row['variant']}"
        _int_macro(m, f"{who}Depth", row["depth"], f"{where}, depth")
        for col, name in (
            ("params_unique", "ParamsUniqueM"),
            ("params_effective", "ParamsEffectiveM"),
        ):
            m.value(f"{who}{name}", fmt_fixed(row[col] / 1e6, 1), row[col], f"{where}, {col} / 1e6")
        m.value(
            f"{who}PeakMemoryMB",
            fmt_fixed(row["peak_memory_mb"], 1),
            row["peak_memory_mb"],
            f"{where}, peak_memory_mb",
        )
        for col, name in (
            ("latency_ms_median", "LatencyMedian"),
            ("latency_ms_p25", "LatencyLow"),
            ("latency_ms_p75", "LatencyHigh"),
        ):
            m.value(f"{who}{name}", fmt_fixed(row[col], 1), row[col], f"{where}, {col}")
    for col, name in (
        ("params_unique", "ParamsUnique"),
        ("params_effective", "ParamsEffective"),
        ("peak_memory_mb", "Memory"),
        ("latency_ms_median", "Latency"),
    ):
        m.value(
            f"{name}IncreasePct",
            fmt_pct_change(f[col], b[col]),
            pct_change(f[col], b[col]),
            f"{src}: 100 * (focus - base) / base of {col}",
        )
    m.flag(
        "ParamsUniqueShared",
        int(f["params_unique"]) == int(b["params_unique"]),
        f"{src}: equal params_unique (the duplicate shares its weights)",
    )
    m.flag(
        "MemoryDearer",
        float(f["peak_memory_mb"]) > float(b["peak_memory_mb"]),
        f"{src}: peak_memory_mb focus > base",
    )
    m.flag(
        "LatencyDearer",
        float(f["latency_ms_median"]) > float(b["latency_ms_median"]),
        f"{src}: latency_ms_median focus > base",
    )
    apart = float(f["latency_ms_p25"]) > float(b["latency_ms_p75"]) or float(
        f["latency_ms_p75"]
    ) < float(b["latency_ms_p25"])
    m.flag("LatencyIQRSeparated", apart, f"{src}: latency interquartile ranges do not overlap")
    method = str(b["memory_method"])
    m.text("MemoryMethod", MEMORY_METHODS.get(method, method), f"{src}: memory_method")
    m.flag("EffCuda", str(b["device"]) == "cuda", f"{src}: device")
    m.text("EffDeviceName", b["device_name"], f"{src}: device_name")
    _int_macro(m, "EffBatchSize", b["batch_size"], f"{src}: batch_size")
    _int_macro(m, "EffRepeats", b["repeats"], f"{src}: repeats")


def build_numbers(inp: Inputs) -> MacroSet:
    """Every macro and boolean of the paper, from the config and the results."""
    r = Results(inp)
    m = MacroSet()
    for group in (
        _setup_macros,
        _training_macros,
        _performance_macros,
        _significance_macros,
        _sweep_macros,
        _selection_macros,
        _efficiency_macros,
    ):
        group(m, r)
    return m


HEADER = (
    "Generated by frankenmodels.report.numbers from results/; do not edit.\n"
    "Each line names its source; numbers.json beside this file holds the raw values."
)


def write_numbers(inp: Inputs, tex_path: str | os.PathLike, json_path: str | os.PathLike) -> None:
    macros = build_numbers(inp)
    with atomic_path(tex_path) as tmp:
        Path(tmp).write_text(macros.render(HEADER), encoding="utf-8")
    write_json(json_path, macros.to_json())
