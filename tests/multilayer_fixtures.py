"""Synthetic results of the multi-layer study in the formats of docs/multilayer.md.

`multilayer_results` turns a short list of budgets (what was chosen, predicted and measured)
into tests.csv, plans.json, agreement.csv and signals.csv as the workflow writes them, with
Holm over the distinct plans and the derived columns computed as the stats stage does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from frankenmodels.multilayer.actions import layer_sequence, plan_name
from frankenmodels.multilayer.measured import TEST_COLUMNS  # the stats stage's own list
from frankenmodels.stats.multiplicity import holm

LAYER_PCT = 15.0  # one layer's worth of effective parameters, as in test_report's efficiency
LAYER_LATENCY_PCT = 9.8
BASE_ACCURACY = 0.905


@dataclass(frozen=True)
class Spec:
    """One budget: `actions` is None where infeasible; gains are fractions."""

    budget: float
    actions: dict[int, str] | None = None
    predicted: float = 0.0
    measured: float = 0.0
    half_width: float = 0.004
    t_p: float = 0.5
    extra: dict = field(default_factory=dict)


SPECS = (
    Spec(-4),
    Spec(-1, {0: "delete"}, predicted=-0.0005, measured=-0.002, t_p=0.85),
    Spec(0, {0: "delete", 2: "insert 1"}, predicted=0.004, measured=0.0045, t_p=0.01),
    Spec(1, {2: "insert 1"}, predicted=0.0058, measured=0.0058, half_width=0.003, t_p=0.004),
    Spec(2, {2: "insert 1", 3: "insert 1"}, predicted=0.0062, measured=0.0015, t_p=0.2),
)


def _action(label: str | None) -> int:
    """docs/multilayer.md's label as the program's action: -1 delete, n extra copies, 0 keep."""
    return 0 if label is None else -1 if label == "delete" else int(label.split()[1])


def _actions(spec: Spec, num_layers: int) -> tuple[int, ...]:
    return tuple(_action((spec.actions or {}).get(i)) for i in range(num_layers))


def _net(actions: dict[int, str]) -> int:
    """Extra layers minus deleted ones: the plan's cost in layers' worth."""
    return sum(_action(label) for label in actions.values())


def _entry(s: Spec, num_layers: int) -> dict:
    pct = s.budget * LAYER_PCT
    if s.actions is None:
        return {
            "budget": s.budget,
            "budget_pct": pct,
            "status": "infeasible",
            "message": f"budget_params={pct:.1f}% is infeasible: every plan keeps a layer",
            "name": None,
            "actions": None,
        }
    actions = _actions(s, num_layers)
    return {
        "budget": s.budget,
        "budget_pct": pct,
        "status": "optimal",
        "message": None,
        "name": plan_name(actions),
        "actions": {str(k): v for k, v in s.actions.items()},
        "layers": layer_sequence(actions),
        "changed": len(s.actions),
        "predicted_gain": s.predicted,
        "predicted_sd": 0.002,
        "params_pct": _net(s.actions) * LAYER_PCT,
        "flops_pct": _net(s.actions) * 20.0,
        "pareto": True,
        "solve_seconds": 0.05,
    }


def _test_row(s: Spec, entry: dict, seeds: int) -> dict:
    row = {k: entry.get(k) for k in ("budget", "budget_pct", "status", "changed")}
    row |= {"plan": entry["name"], "params_pct": entry.get("params_pct")}
    row |= {k: entry.get(k) for k in ("flops_pct", "predicted_gain", "predicted_sd")}
    if s.actions is None:
        return row
    net = _net(s.actions)
    low, high = s.measured - s.half_width, s.measured + s.half_width
    return row | {
        "n_seeds": seeds,
        "base_mean": BASE_ACCURACY,
        "plan_mean": BASE_ACCURACY + s.measured,
        "mean_diff": s.measured,
        "sd_diff": 0.003,
        "ci_low": low,
        "ci_high": high,
        "ci_level": 0.95,
        "ci_method": "bca",
        "t_stat": 1.5,
        "t_p": s.t_p,
        "significant": s.t_p <= 0.05,
        "seeds_positive": seeds if s.measured > 0 else 0,
        "seeds_negative": 0 if s.measured > 0 else seeds,
        "seeds_tied": 0,
        "latency_ms": 18.3 * (1 + net * LAYER_LATENCY_PCT / 100),
        "latency_pct": net * LAYER_LATENCY_PCT,
        "params_measured_pct": net * LAYER_PCT,
        "predicted_in_ci": bool(low <= s.predicted <= high),
        **s.extra,
    }


def _with_holm(tests: pd.DataFrame, alpha: float) -> pd.DataFrame:
    feasible = tests["status"] == "optimal"
    firsts = tests[feasible].drop_duplicates("plan")
    adjusted = dict(zip(firsts["plan"], holm(firsts["t_p"].to_numpy(float)), strict=True))
    tests["t_p_holm"] = tests["plan"].map(adjusted)
    tests["family_size"] = np.where(feasible, len(adjusted), np.nan)
    tests["significant_holm"] = (tests["t_p_holm"] <= alpha).where(feasible)
    return tests.reindex(columns=list(TEST_COLUMNS))


def agreement_table(
    n: int, seeds: int, rho: dict[tuple[str, str], tuple[float, float]]
) -> pd.DataFrame:
    """One row per (signal, action): rho and p as given, the rest as rank_agreement fills it."""
    rows = []
    for (signal, action), (r, p) in rho.items():
        rows.append(
            {
                "signal": signal,
                "action": action,
                "alternative": "less" if action == "delete" else "two-sided",
                "rho": r,
                "p_value": p,
                "exact": True,
                "permutations": int(np.prod(range(1, n + 1))),
                "n": n,
                "ci_low": max(-1.0, r - 0.6),
                "ci_high": min(1.0, r + 0.4),
                "confidence": 0.95,
                "seeds": seeds,
            }
        )
    return pd.DataFrame(rows)


RHO = {
    ("block_influence", "delete"): (-0.8, 0.08),
    ("block_influence", "duplicate"): (0.4, 0.75),
    ("angular_distance", "delete"): (-1.0, 0.042),
    ("angular_distance", "duplicate"): (0.2, 0.92),
}


def multilayer_results(
    specs: tuple[Spec, ...] = SPECS,
    *,
    num_layers: int = 4,
    seeds: tuple[int, ...] = (42, 43, 44),
    alpha: float = 0.05,
    rho: dict | None = None,
) -> dict:
    """{"tests", "plans", "agreement", "signals"} of one run of the study."""
    entries = [_entry(s, num_layers) for s in specs]
    plans = {
        "metric": "accuracy",
        "cost": "params",
        "unit": "layers",
        "max_copies": 1,
        "max_changed": None,
        "seq_len": 64,
        "num_layers": num_layers,
        "layer_params_pct": LAYER_PCT,
        "layer_flops_pct": 20.0,
        "seeds": list(seeds),
        "solve_seconds": 0.31,
        "budgets": entries,
    }
    tests = pd.DataFrame([_test_row(s, e, len(seeds)) for s, e in zip(specs, entries, strict=True)])
    signals = pd.DataFrame(
        {
            "layer": range(num_layers),
            "block_influence": np.linspace(0.3, 0.1, num_layers),
            "angular_distance": np.linspace(0.2, 0.05, num_layers),
            "block_influence_sd": 0.01,
            "angular_distance_sd": 0.01,
            "seeds": len(seeds),
            "tokens": 1536,
        }
    )
    return {
        "tests": _with_holm(tests, alpha),
        "plans": plans,
        "agreement": agreement_table(num_layers, len(seeds), rho or RHO),
        "signals": signals,
    }
