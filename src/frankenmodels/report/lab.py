"""Macros of the decoder surgery lab report (paper/frankenmodels_lab.tex), as data.

Every number and every claim the lab's prose makes comes from here: which layers are
load-bearing (deleting one multiplies perplexity by more than ``load_bearing``, the whole CI
above it) and which can go (the whole CI below ``removable``), how well the training-free
importance scores rank the measured damage, what doubling and reversal do, and whether any
surgery made the model say "something is wrong" more than it says "yes" to the controls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from frankenmodels.report.latex import escape, fmt_fixed, fmt_p_stmt, is_missing
from frankenmodels.report.macros import (
    DURATION,
    FLAG,
    INT,
    INT_LIST,
    PERCENT,
    TEXT,
    Format,
    Row,
    fixed,
)

SUMMARY = "results/lab/summary.csv"
AGREEMENT = "results/lab/importance_agreement.csv"
PROBES = "results/lab/tables/probe_answers.parquet: probes of base"
RATIO = Format(lambda v: "n/a" if is_missing(v) else _ratio(float(v)))
PROB = fixed(3)
SIGNED = fixed(3, signed=True)
P_STMT = Format(fmt_p_stmt)
RHO = Format(
    lambda v: r"$\rho$ n/a" if is_missing(v) else rf"$\rho = {fmt_fixed(float(v), 3, signed=True)}$"
)
NAME = Format(lambda v: r"\texttt{" + escape(v) + "}")
NAMES = Format(lambda v: ", ".join(r"\texttt{" + escape(x) + "}" for x in v) if v else "none")


def _ratio(x: float) -> str:
    """A perplexity ratio: 1.03, 12.4, 3.1e3 (a deleted first layer can reach thousands)."""
    if x >= 1000:
        mantissa, exponent = f"{x:.1e}".split("e")
        return rf"{mantissa}\times 10^{{{int(exponent)}}}".join(("$", "$"))
    return fmt_fixed(x, 2 if x < 10 else 1)


@dataclass(frozen=True)
class LabResults:
    summary: pd.DataFrame
    agreement: pd.DataFrame
    importance: pd.DataFrame
    weights: Mapping[str, Any]  # resources/lab/model/weights.json
    jobs: Sequence[Mapping[str, Any]]  # each run folder's job.json
    scored_tokens: int
    lab: Mapping[str, Any]  # the config's lab section
    probes: Mapping[str, int]  # probes asked per group (self_blind, self_informed, control)

    def family(self, name: str) -> pd.DataFrame:
        return self.summary[self.summary["family"] == name]

    @property
    def base(self) -> pd.Series:
        return self.summary.set_index("experiment").loc["base"]

    def row(self, experiment: str) -> pd.Series | None:
        rows = self.summary[self.summary["experiment"] == experiment]
        return None if rows.empty else rows.iloc[0]


def weights_note(weights: Mapping[str, Any]) -> str:
    """What the weights went through, as the report must say it."""
    if weights.get("format") == "gguf":
        return (
            f"a {weights['quantisation']} GGUF file ({weights['file']}) dequantised to "
            f"{weights['stored_as']}"
        )
    if weights.get("format") == "random initialisation":
        return f"random initialisation (seed {weights.get('init_seed', 0)})"
    return f"{weights.get('format', 'unknown')} weights ({weights.get('dtype', 'unknown')})"


def setup_rows(r: LabResults) -> list[Row]:
    lab, ppl, math = r.lab, r.lab["perplexity"], r.lab["math"]
    answers = r.summary
    seconds = sum(sum(job["seconds"].values()) for job in r.jobs)
    devices = sorted({job["device"] for job in r.jobs})
    cfg = "config: lab."
    return [
        Row("LabModelName", lab["model"]["name"], TEXT, cfg + "model.name"),
        Row("LabWeightsNote", weights_note(r.weights), TEXT, "resources/lab/model/weights.json"),
        Row("LabNumLayers", lab["model"]["num_layers"], INT, cfg + "model.num_layers"),
        Row("LabMode", lab["mode"], TEXT, cfg + "mode"),
        Row("LabFullMode", lab["mode"] == "full", FLAG, cfg + "mode == full"),
        Row("LabDevice", ", ".join(devices), TEXT, "results/lab/runs/*/job.json: device"),
        Row("LabExperiments", len(answers), INT, SUMMARY + ": rows"),
        Row("LabJobs", len(r.jobs), INT, "results/lab/runs: folders"),
        Row("LabMeasureTime", seconds, DURATION, "results/lab/runs/*/job.json: seconds, summed"),
        Row("LabCorpusName", ppl.get("name", ppl["source"]), TEXT, cfg + "perplexity.name"),
        Row("LabDocuments", ppl["documents"], INT, cfg + "perplexity.documents"),
        Row("LabMaxTokens", ppl["max_tokens"], INT, cfg + "perplexity.max_tokens"),
        Row("LabScoredTokens", r.scored_tokens, INT, "results/lab/data/documents.json"),
        Row("LabMathItems", math["items"], INT, cfg + "math.items"),
        Row("LabTopK", lab["probes"]["top_k"], INT, cfg + "probes.top_k"),
        Row(
            "LabImportanceAt",
            "the last token of each document"
            if lab["importance"]["token"] == "last"
            else "every token",
            TEXT,
            cfg + "importance.token",
        ),
        Row("LabProbesSelf", r.probes.get("self_blind", 0), INT, PROBES + " (self_blind)"),
        Row("LabProbesInformed", r.probes.get("self_informed", 0), INT, PROBES + " (informed)"),
        Row("LabProbesControl", r.probes.get("control", 0), INT, PROBES + " (control)"),
        Row("LabMathDigits", math["digits"], INT, cfg + "math.digits"),
        Row("LabResamples", lab["stats"]["bootstrap_resamples"], INT, cfg + "stats"),
        Row("LabConfidence", lab["stats"]["confidence"], PERCENT, cfg + "stats.confidence"),
        Row("LabLoadBearing", lab["stats"]["load_bearing"], fixed(0), cfg + "stats.load_bearing"),
        Row(
            "LabRemovablePct",
            100 * (lab["stats"]["removable"] - 1),
            fixed(0),
            cfg + "stats.removable, as a % increase",
        ),
    ]


def base_rows(r: LabResults) -> list[Row]:
    b, src = r.base, SUMMARY + " (base)"
    accuracy = float(b["math_accuracy"])
    return [
        Row("LabBasePerplexity", b["perplexity"], fixed(2), src + ": perplexity"),
        Row("LabBasePerplexityLow", b["perplexity_low"], fixed(2), src + ": perplexity_low"),
        Row("LabBasePerplexityHigh", b["perplexity_high"], fixed(2), src + ": perplexity_high"),
        Row("LabBaseMath", accuracy, PERCENT, src + ": math_accuracy"),
        Row("LabBaseMathInRange", 0.4 <= accuracy <= 0.9, FLAG, src + ": 0.4 <= math <= 0.9"),
        Row("LabBasePYesSelf", b["p_yes_self"], PROB, src + ": p_yes_self"),
        Row("LabBasePYesControl", b["p_yes_control"], PROB, src + ": p_yes_control"),
        Row("LabBasePYesMatched", b["p_yes_matched"], PROB, src + ": p_yes_matched"),
        Row("LabBaseControlAccuracy", b["control_accuracy"], PERCENT, src + ": control_accuracy"),
    ]


def deletion_rows(r: LabResults) -> list[Row]:
    stats = r.lab["stats"]
    deleted = r.family("delete").dropna(subset=["layer"]).sort_values("layer")
    src = SUMMARY + " (family delete)"
    bearing = deleted[deleted["ppl_ratio_low"] > stats["load_bearing"]]
    removable = deleted[deleted["ppl_ratio_high"] < stats["removable"]]
    worst = deleted.loc[deleted["ppl_ratio"].idxmax()] if len(deleted) else None
    mildest = deleted.loc[deleted["ppl_ratio"].idxmin()] if len(deleted) else None
    rows = [
        Row("LabDeletionRun", len(deleted) > 0, FLAG, src + ": present"),
        Row(
            "LabLoadBearingLayers",
            bearing["layer"].astype(int).tolist(),
            INT_LIST,
            src + ": ppl_ratio_low > load_bearing",
        ),
        Row("LabLoadBearingCount", len(bearing), INT, src + ": count"),
        Row(
            "LabRemovableLayers",
            removable["layer"].astype(int).tolist(),
            INT_LIST,
            src + ": ppl_ratio_high < removable",
        ),
        Row("LabRemovableCount", len(removable), INT, src + ": count"),
        Row("LabAnyRemovable", len(removable) > 0, FLAG, src + ": any removable"),
        Row("LabAnyLoadBearing", len(bearing) > 0, FLAG, src + ": any load-bearing"),
    ]
    for label, row in (("Worst", worst), ("Mildest", mildest)):
        rows += [
            Row(
                f"LabDeletion{label}Layer",
                None if row is None else int(row["layer"]),
                INT,
                src + f": {label.lower()} ppl_ratio, layer",
            ),
            Row(
                f"LabDeletion{label}Ratio",
                None if row is None else row["ppl_ratio"],
                RATIO,
                src + f": {label.lower()} ppl_ratio",
            ),
        ]
    return rows


def importance_rows(r: LabResults) -> list[Row]:
    rows = []
    a = r.agreement.set_index(["score", "target"])
    alpha = 1 - r.lab["stats"]["confidence"]
    for score, stem in (("block_influence", "BI"), ("angular_distance", "Angular")):
        for target, suffix in (("log_ppl_ratio", "Ppl"), ("math_drop", "Math")):
            src = f"{AGREEMENT} ({score}, {target})"
            got = a.loc[(score, target)] if (score, target) in a.index else None
            rho = np.nan if got is None else got["rho"]
            p = np.nan if got is None else got["p_value"]
            rows += [
                Row(f"LabRho{stem}{suffix}", rho, RHO, src + ": rho"),
                Row(f"LabRho{stem}{suffix}P", p, P_STMT, src + ": p_value"),
                Row(
                    f"LabRho{stem}{suffix}Significant",
                    not is_missing(p) and p < alpha and rho > 0,
                    FLAG,
                    src + ": p < 1 - confidence and rho > 0",
                ),
                Row(
                    f"LabRho{stem}{suffix}Inverse",
                    not is_missing(p) and p < alpha and rho < 0,
                    FLAG,
                    src + ": p < 1 - confidence and rho < 0",
                ),
            ]
    return rows


def _best_worst(frame: pd.DataFrame, stem: str, src: str) -> list[Row]:
    best = frame.loc[frame["ppl_ratio"].idxmin()] if len(frame) else None
    worst = frame.loc[frame["ppl_ratio"].idxmax()] if len(frame) else None
    rows = [Row(f"{stem}Run", len(frame) > 0, FLAG, src + ": any rows")]
    for label, row in (("Best", best), ("Worst", worst)):
        rows += [
            Row(
                f"{stem}{label}",
                "n/a" if row is None else row["experiment"],
                NAME,
                src + f": {label.lower()} ppl_ratio",
            ),
            Row(
                f"{stem}{label}Ratio",
                None if row is None else row["ppl_ratio"],
                RATIO,
                src + f": {label.lower()} ppl_ratio",
            ),
        ]
    return rows


def doubling_rows(r: LabResults) -> list[Row]:
    doubled = r.family("duplicate")
    src = SUMMARY + " (family duplicate)"
    helped = doubled[doubled["ppl_ratio_high"] < 1]
    hurt = doubled[doubled["ppl_ratio_low"] > 1]
    return [
        Row("LabDoublingCount", len(doubled), INT, src + ": rows"),
        Row("LabDoublingHelped", len(helped), INT, src + ": ppl_ratio_high < 1"),
        Row("LabDoublingHurt", len(hurt), INT, src + ": ppl_ratio_low > 1"),
        Row("LabDoublingAnyHelped", len(helped) > 0, FLAG, src + ": any helped"),
        *_best_worst(doubled, "LabDoubling", src),
    ]


def pattern_rows(r: LabResults) -> list[Row]:
    rows = []
    for family, stem in (
        ("reverse", "LabReverse"),
        ("skip", "LabSkip"),
        ("repeat", "LabRepeat"),
        ("block_delete", "LabBlock"),
        ("block_double", "LabBlockDouble"),
    ):
        frame = r.family(family)
        rows.append(Row(f"{stem}Count", len(frame), INT, f"{SUMMARY} (family {family}): rows"))
        rows += _best_worst(frame, stem, f"{SUMMARY} (family {family})")
    whole = r.row("reverse_all")
    rows.append(Row("LabReverseAllRun", whole is not None, FLAG, SUMMARY + " (reverse_all)"))
    rows.append(
        Row(
            "LabReverseAllRatio",
            None if whole is None else whole["ppl_ratio"],
            RATIO,
            SUMMARY + " (reverse_all): ppl_ratio",
        )
    )
    return rows


def critical_rows(r: LabResults) -> list[Row]:
    critical = next((job["critical"] for job in r.jobs if "critical" in job), None)
    src = "results/lab/runs/stage2/job.json: critical"
    rows = [Row("LabCriticalRun", critical is not None, FLAG, src + ": present")]
    if critical is None:
        return rows
    rows += [
        Row("LabCriticalStart", critical["start"], INT, src + ".start"),
        Row("LabCriticalEnd", critical["end"] - 1, INT, src + ".end - 1 (inclusive)"),
        Row("LabCriticalLayer", critical["layer"], INT, src + ".layer"),
        Row("LabCriticalSingle", critical["end"] - critical["start"] == 1, FLAG, src + ": size 1"),
    ]
    # A critical experiment that stage 1 measured already is read under its stage-1 name.
    aliases = critical.get("aliases", {})
    for name, stem in (
        ("critical_delete", "Delete"),
        ("critical_reverse", "Reverse"),
        ("critical_layer_x5", "Repeat"),
    ):
        row = r.row(aliases.get(name, name))
        rows.append(Row(f"LabCritical{stem}Run", row is not None, FLAG, f"{SUMMARY} ({name})"))
        rows.append(
            Row(
                f"LabCritical{stem}Ratio",
                None if row is None else row["ppl_ratio"],
                RATIO,
                f"{SUMMARY} ({name}): ppl_ratio",
            )
        )
    return rows


def notice_rows(r: LabResults) -> list[Row]:
    changed = r.summary[r.summary["experiment"] != "base"].dropna(subset=["notice"])
    src = SUMMARY + ": notice"
    noticed = changed[changed["notice_low"] > 0]
    top = changed.loc[changed["notice"].idxmax()] if len(changed) else None
    # Each interval excludes zero from above by chance with probability (1 - confidence) / 2;
    # overlapping surgeries are not independent, so this is a scale, not a test.
    chance = len(changed) * (1 - r.lab["stats"]["confidence"]) / 2
    informed = changed.dropna(subset=["notice_informed"])
    informed_noticed = informed[informed["notice_informed_low"] > 0]
    splice = r.row("splice_early_late")
    rows = [
        Row("LabNoticedCount", len(noticed), INT, src + "_low > 0"),
        Row("LabAnyNoticed", len(noticed) > 0, FLAG, src + "_low > 0, any"),
        Row("LabNoticeChance", chance, fixed(1), src + ": experiments x (1 - confidence) / 2"),
        Row("LabNoticeSurgeries", len(changed), INT, src + ": changed models"),
        Row("LabInformedRun", len(informed) > 0, FLAG, src + "_informed: present"),
        Row("LabInformedNoticedCount", len(informed_noticed), INT, src + "_informed_low > 0"),
        Row(
            "LabNoticeTopCompatible",
            top is not None and top["notice_low"] <= 0 <= top["notice_high"],
            FLAG,
            src + ": the largest score's CI contains 0",
        ),
        Row("LabNoticedList", noticed["experiment"].head(8).tolist(), NAMES, src + "_low > 0"),
        Row("LabNoticeTop", "n/a" if top is None else top["experiment"], NAME, src + ": max"),
        Row("LabNoticeTopValue", None if top is None else top["notice"], SIGNED, src + ": max"),
        Row("LabNoticeTopLow", None if top is None else top["notice_low"], SIGNED, src + "_low"),
        Row("LabNoticeTopHigh", None if top is None else top["notice_high"], SIGNED, src + "_high"),
        Row("LabSpliceRun", splice is not None, FLAG, SUMMARY + " (splice_early_late): present"),
    ]
    if splice is not None:
        rows += [
            Row("LabSpliceRatio", splice["ppl_ratio"], RATIO, SUMMARY + " (splice): ppl_ratio"),
            Row("LabSpliceNotice", splice["notice"], SIGNED, SUMMARY + " (splice): notice"),
            Row("LabSpliceNoticeLow", splice["notice_low"], SIGNED, SUMMARY + " (splice)"),
            Row("LabSpliceNoticeHigh", splice["notice_high"], SIGNED, SUMMARY + " (splice)"),
            Row("LabSplicePYesSelf", splice["p_yes_self"], PROB, SUMMARY + " (splice)"),
        ]
    return rows


SECTIONS = {
    "lab_setup": setup_rows,
    "lab_base": base_rows,
    "lab_deletion": deletion_rows,
    "lab_importance": importance_rows,
    "lab_doubling": doubling_rows,
    "lab_patterns": pattern_rows,
    "lab_critical": critical_rows,
    "lab_notice": notice_rows,
}
