"""From the lab's tidy tables to one row per experiment, with the uncertainty of each number.

* perplexity: the corpus value with a bootstrap CI over documents, and its ratio to the
  unchanged model with a *paired* bootstrap CI (the same documents resampled for both);
* "does the model notice": the change in P(yes) (normalised over yes and no) on the
  self-report probes minus the change on the factual controls, both against the unchanged
  model and paired by probe, with a bootstrap CI over probes. A surgery that merely pushes
  every answer towards "yes" moves the controls as much and scores near zero;
* arithmetic: exact-match accuracy with its n;
* training-free importance against the measured damage of deleting each layer (Spearman).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from frankenmodels.stats.perplexity import corpus_perplexity, perplexity_ci, ratio_ci

BASE = "base"
SELF_GROUPS = ("self_blind", "self_informed")
MATCHED = "no"  # the controls the self-report questions are compared with
SCORES = ("block_influence", "angular_distance")


def read_lab_folders(folders: Sequence[str | Path]) -> dict[str, pd.DataFrame]:
    """Every job's tables, concatenated by kind (the summary's input; here, not in `lab.job`,
    so that the summary job needs no torch)."""
    kinds: dict[str, list[pd.DataFrame]] = {}
    for folder in folders:
        for file in sorted(Path(folder).glob("*.parquet")):
            kinds.setdefault(file.stem, []).append(pd.read_parquet(file))
    return {kind: pd.concat(frames, ignore_index=True) for kind, frames in kinds.items()}


def _notice(
    answers: pd.DataFrame, base: pd.DataFrame, group: str, resamples: int, level: float, seed: int
):
    """(notice, low, high): mean P(yes) shift on the ``group`` self-report questions minus the
    mean shift on the matched controls, the factual questions whose answer is "no" (a healthy
    model answers both kinds "no", so a drift towards "yes" or towards indecision moves both);
    NaN where the group was not asked."""
    joined = answers.merge(base, on=["probe", "group"], suffixes=("", "_base"), validate="1:1")
    shift = joined["p_yes_norm"] - joined["p_yes_norm_base"]
    own = shift[joined["group"] == group].to_numpy()
    matched = (joined["group"] == "control") & (joined["expected"] == MATCHED)
    control = shift[matched].to_numpy()
    if len(own) == 0 or len(control) == 0:
        return (np.nan,) * 3
    value = float(own.mean() - control.mean())
    if np.ptp(own) == 0 and np.ptp(control) == 0:
        return value, value, value  # nothing varies (the unchanged model): no interval to draw
    if min(len(own), len(control)) < 2:
        return value, np.nan, np.nan  # one question cannot be resampled
    result = stats.bootstrap(
        (own, control),
        lambda a, b, axis: a.mean(axis=axis) - b.mean(axis=axis),
        vectorized=True,
        n_resamples=resamples,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return value, float(result.confidence_interval.low), float(result.confidence_interval.high)


def _mean(probe: pd.DataFrame, group: str) -> float:
    values = probe.loc[probe["group"] == group, "p_yes_norm"]
    return float(values.mean()) if len(values) else np.nan


def summarise(
    tables: Mapping[str, pd.DataFrame], *, resamples: int, level: float, seed: int = 0
) -> pd.DataFrame:
    """One row per experiment (columns as in docs/lab.md), in the experiments' order."""
    experiments = tables["experiments"]
    if BASE not in set(experiments["experiment"]):
        raise ValueError("the lab's tables hold no 'base' experiment to compare with")
    ppl = tables["perplexity"].groupby("experiment")
    answers = tables["probe_answers"].groupby("experiment")
    math = tables["math"].groupby("experiment")
    base_docs = ppl.get_group(BASE)
    base_answers = answers.get_group(BASE)[["probe", "group", "expected", "p_yes_norm"]]
    rows = []
    for name in experiments["experiment"]:
        docs = ppl.get_group(name)
        value, low, high = perplexity_ci(docs, resamples=resamples, level=level, seed=seed)
        ratio, r_low, r_high = ratio_ci(
            docs, base_docs, resamples=resamples, level=level, seed=seed
        )
        probe = answers.get_group(name)
        control = probe[probe["group"] == "control"]
        right = np.where(
            control["expected"] == "yes", control["p_yes_norm"] > 0.5, control["p_yes_norm"] < 0.5
        )
        notice = {}
        for group, column in (("self_blind", "notice"), ("self_informed", "notice_informed")):
            values = (np.nan,) * 3
            if name != BASE:
                values = _notice(
                    probe[["probe", "group", "p_yes_norm"]],
                    base_answers,
                    group,
                    resamples,
                    level,
                    seed,
                )
            names = (column, f"{column}_low", f"{column}_high")
            notice.update(dict(zip(names, values, strict=True)))
        items = math.get_group(name)
        rows.append(
            {
                "experiment": name,
                "perplexity": value,
                "perplexity_low": low,
                "perplexity_high": high,
                "ppl_ratio": ratio,
                "ppl_ratio_low": r_low,
                "ppl_ratio_high": r_high,
                "p_yes_self": _mean(probe, "self_blind"),
                "p_yes_informed": _mean(probe, "self_informed"),
                "p_yes_control": float(control["p_yes_norm"].mean()),
                "p_yes_matched": float(
                    control.loc[control["expected"] == MATCHED, "p_yes_norm"].mean()
                ),
                **notice,
                "control_accuracy": float(np.mean(right)),
                "math_accuracy": float(items["correct"].mean()),
                "math_n": len(items),
            }
        )
    summary = experiments.merge(pd.DataFrame(rows), on="experiment", validate="1:1")
    starts = summary["experiment"].str.extract(r"^delwin(\d+)_(\d+)$").astype(float)
    is_window = summary["family"] == "delete_window"
    summary["start"] = starts[0].where(is_window).astype("Int64")
    summary["size"] = (starts[1] - starts[0]).where(is_window).astype("Int64")
    return summary


def deletion_damage(tables: Mapping[str, pd.DataFrame], num_layers: int) -> np.ndarray:
    """log perplexity ratio of deleting each layer alone (the single-layer deletion sweep)."""
    experiments = tables["experiments"]
    rows = experiments[experiments["family"] == "delete"].dropna(subset=["layer"])
    by_layer = dict(zip(rows["layer"].astype(int), rows["experiment"], strict=True))
    missing = sorted(set(range(num_layers)) - set(by_layer))
    if missing:
        raise ValueError(
            f"the critical region needs the whole deletion sweep; layers {missing} are missing "
            "(set lab.catalogue.delete: true)"
        )
    ppl = tables["perplexity"].groupby("experiment")
    base = corpus_perplexity(ppl.get_group(BASE))
    return np.log([corpus_perplexity(ppl.get_group(by_layer[i])) / base for i in range(num_layers)])


def importance_agreement(summary: pd.DataFrame, importance: pd.DataFrame) -> pd.DataFrame:
    """Spearman rho of each training-free score against the measured damage of deleting
    each layer: perplexity (log ratio), P(yes) on self-report (absolute shift), arithmetic."""
    base = summary.set_index("experiment").loc[BASE]
    deleted = summary[summary["family"] == "delete"].dropna(subset=["layer"])
    joined = deleted.merge(
        importance,
        left_on=deleted["layer"].astype(int),
        right_on="layer",
        suffixes=("", "_importance"),
    )
    targets = {
        "log_ppl_ratio": np.log(joined["ppl_ratio"]),
        "p_yes_self_shift": (joined["p_yes_self"] - base["p_yes_self"]).abs(),
        "math_drop": base["math_accuracy"] - joined["math_accuracy"],
    }
    rows = []
    for score in SCORES:
        for target, values in targets.items():
            if len(joined) < 3 or np.ptp(values) == 0 or np.ptp(joined[score]) == 0:
                rho, p = np.nan, np.nan  # a constant cannot be ranked
            else:
                rho, p = stats.spearmanr(joined[score], values)
            rows.append(
                {
                    "score": score,
                    "target": target,
                    "rho": float(rho),
                    "p_value": float(p),
                    "n": len(joined),
                }
            )
    return pd.DataFrame(rows)


def token_shifts(
    summary: pd.DataFrame,
    top: pd.DataFrame,
    answers: pd.DataFrame,
    *,
    experiments: int = 4,
    tokens: int = 10,
) -> pd.DataFrame:
    """For the most damaging experiments (largest perplexity ratio), the next tokens whose mean
    probability over the self-report probes moved most. A token outside an experiment's top-20
    counts as 0 there, so a shift is exact for tokens in both lists and a bound otherwise."""
    own = set(answers.loc[answers["group"].isin(SELF_GROUPS), "probe"])
    top = top[top["probe"].isin(own)]
    probes = top.groupby("experiment")["probe"].nunique()

    def mean_probs(name: str) -> pd.Series:
        rows = top[top["experiment"] == name]
        return rows.groupby("token")["prob"].sum() / probes[name]

    worst = (
        summary[summary["experiment"] != BASE]
        .sort_values("ppl_ratio", ascending=False, kind="stable")["experiment"]
        .head(experiments)
    )
    base = mean_probs(BASE)
    frames = []
    for name in worst:
        probs = pd.concat([base.rename("prob_base"), mean_probs(name).rename("prob")], axis=1)
        probs = probs.fillna(0.0)
        probs["shift"] = probs["prob"] - probs["prob_base"]
        probs = probs.reindex(probs["shift"].abs().sort_values(ascending=False).index)
        frames.append(probs.head(tokens).rename_axis("token").reset_index().assign(experiment=name))
    columns = ["experiment", "token", "prob_base", "prob", "shift"]
    return (
        pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    )
