"""Plan files: this library's YAML format, a single op spec, or a mergekit passthrough config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .mergekit import from_mergekit, is_mergekit_config, to_mergekit
from .plan import Plan, PlanError
from .sweeps import plan_from_spec


def read_plan(
    data: dict[str, Any], num_layers: int, base: str | None = None
) -> tuple[Plan, dict[str, str] | None]:
    """Interpret parsed YAML as a plan, checked against ``num_layers`` base layers.

    Accepted shapes: ``{layers: [0, 1, 1, 2]}`` (this library), ``{op: duplicate, layer: 3}``
    (one operation, as under ``variants:``), or a mergekit passthrough config. The second
    value is mergekit's model names by role (``base``/``donor``), else None.
    """
    if is_mergekit_config(data):
        plan, roles = from_mergekit(data, base=base)
    elif isinstance(data, dict) and "op" in data:
        plan, roles = plan_from_spec(data, num_layers), None
    elif isinstance(data, dict) and "layers" in data:
        plan, roles = Plan.from_dict(data), None
    else:
        raise PlanError("plan file needs 'layers', 'op' or mergekit 'slices' at the top level")
    plan.validate(num_layers, check_donor=False)  # the donor is checked when it is loaded
    return plan, roles


def load_plan(
    path: str | Path, num_layers: int, base: str | None = None
) -> tuple[Plan, dict[str, str] | None]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    try:
        return read_plan(data, num_layers, base)
    except PlanError as err:
        raise PlanError(f"{path}: {err}") from None


def dump_plan(
    plan: Plan,
    path: str | Path,
    mergekit_models: tuple[str, str | None] | None = None,
) -> None:
    """Write ``plan`` as this library's YAML, or as mergekit YAML given (base, donor) names."""
    if mergekit_models is None:
        data = plan.to_dict()
    else:
        data = to_mergekit(plan, *mergekit_models)
    Path(path).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
