"""Read and write mergekit's passthrough config (``slices`` of ``sources`` with ``layer_range``).

A passthrough config stacks layer ranges, half-open ``[start, end)``, from one or more
models. Mapping to plans: the first model named (or the one matching ``base``) is the plan's
``base``, a second model is its ``donor``; more than two models cannot be expressed here.
Averaged groups have no passthrough equivalent and raise PlanError.
"""

from __future__ import annotations

from typing import Any

from .plan import LayerSource, Plan, PlanError

# Top-level keys that do not change which layers go where, so they are accepted and ignored.
_HARMLESS = {"dtype", "out_dtype", "tokenizer_source", "tokenizer", "chat_template", "base_model"}


def is_mergekit_config(data: Any) -> bool:
    return isinstance(data, dict) and "slices" in data


def to_mergekit(
    plan: Plan, base_model: str, donor_model: str | None = None, dtype: str | None = None
) -> dict[str, Any]:
    """A passthrough config building ``plan``; runs of consecutive layers become one slice."""
    names = {"base": base_model, "donor": donor_model}
    slices: list[dict[str, Any]] = []
    run: list[LayerSource] = []
    for position, source in enumerate(plan.sources):
        if source.is_averaged:
            raise PlanError(
                f"position {position} ({source.to_token()}) is an averaged group: mergekit's "
                "passthrough method only stacks layers and cannot express averaging"
            )
        if source.model == "donor" and donor_model is None:
            raise PlanError("the plan uses donor layers: pass donor_model to name that model")
        if run and (source.model != run[-1].model or source.index != run[-1].index + 1):
            slices.append(_slice(run, names))
            run = []
        run.append(source)
    slices.append(_slice(run, names))
    config: dict[str, Any] = {"slices": slices, "merge_method": "passthrough"}
    if dtype is not None:
        config["dtype"] = dtype
    return config


def _slice(run: list[LayerSource], names: dict[str, str | None]) -> dict[str, Any]:
    source = {"model": names[run[0].model], "layer_range": [run[0].index, run[-1].index + 1]}
    return {"sources": [source]}


def from_mergekit(data: dict[str, Any], base: str | None = None) -> tuple[Plan, dict[str, str]]:
    """Read a passthrough config: return the plan and ``{"base": model, "donor": model}``.

    ``base`` names which model in the config is the base (e.g. the path given on the command
    line); when it matches none of them, the first model named is the base.
    """
    if not is_mergekit_config(data):
        raise PlanError("not a mergekit passthrough config: no 'slices' key")
    method = data.get("merge_method", "passthrough")
    if method != "passthrough":
        raise PlanError(f"mergekit merge_method {method!r} is not supported: only passthrough")
    unknown = sorted(set(data) - _HARMLESS - {"slices", "merge_method"})
    if unknown:
        raise PlanError(f"mergekit config: unsupported top-level key {unknown[0]!r}")
    if not isinstance(data["slices"], list) or not data["slices"]:
        raise PlanError("mergekit config: 'slices' must be a non-empty list")

    ranges: list[tuple[str, int, int]] = []
    for k, piece in enumerate(data["slices"]):
        ranges.append(_read_slice(piece, f"slices[{k}]"))

    order = list(dict.fromkeys(model for model, _, _ in ranges))
    if len(order) > 2:
        raise PlanError(f"mergekit config names {len(order)} models; at most 2 (base + donor)")
    base_name = base if base in order else order[0]
    roles = {"base": base_name}
    others = [m for m in order if m != base_name]
    if others:
        roles["donor"] = others[0]
    role_of = {name: role for role, name in roles.items()}
    plan = Plan.splice([(role_of[model], start, end) for model, start, end in ranges])
    return plan, roles


def _read_slice(piece: Any, where: str) -> tuple[str, int, int]:
    if not isinstance(piece, dict) or set(piece) - {"sources"}:
        raise PlanError(f"{where}: a slice must be a mapping with only 'sources'")
    sources = piece.get("sources")
    if not isinstance(sources, list) or len(sources) != 1:
        raise PlanError(
            f"{where}: passthrough needs exactly one source per slice (several sources mean "
            "a weighted merge, which mergekit's other methods do)"
        )
    source = sources[0]
    if not isinstance(source, dict) or set(source) - {"model", "layer_range"}:
        extra = sorted(set(source) - {"model", "layer_range"}) if isinstance(source, dict) else []
        raise PlanError(f"{where}: unsupported source key(s) {extra} (e.g. per-slice scaling)")
    layer_range = source.get("layer_range")
    if (
        not isinstance(layer_range, list)
        or len(layer_range) != 2
        or not all(isinstance(x, int) and not isinstance(x, bool) for x in layer_range)
        or not 0 <= layer_range[0] < layer_range[1]
    ):
        raise PlanError(f"{where}: layer_range must be [start, end) with 0 <= start < end")
    if not isinstance(source.get("model"), str):
        raise PlanError(f"{where}: source needs a 'model' string")
    return source["model"], layer_range[0], layer_range[1]
