"""The planned variants as a table (results/variants.csv) for the statistics and figures."""

from __future__ import annotations

from typing import Any

import pandas as pd

from frankenmodels.surgery.sweeps import expand_variants, variant_family


def describe_variants(specs: list[dict[str, Any]], num_layers: int) -> pd.DataFrame:
    plans = expand_variants(specs, num_layers)
    families = variant_family(specs, num_layers)
    rows = []
    for name, plan in plans.items():
        family, layer = families[name]
        layers = plan.layers_string()
        rows.append(
            {
                "variant": name,
                "family": family,
                "layer": layer,
                "depth": len(plan),
                "plan": layers,
            }
        )
    frame = pd.DataFrame(rows)
    frame["layer"] = frame["layer"].astype("Int64")  # nullable: empty for multi-layer plans
    return frame
