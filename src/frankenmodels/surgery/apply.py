"""Execute a plan: build a new model whose layer stack follows the plan.

The input model (and donor) are never modified, so one loaded model serves every variant.

Memory modes:

* ``shared`` (default, for evaluation): every tensor of the new model *is* a tensor of the
  source model; a layer used twice is one set of parameters under two module wrappers, so
  each position keeps its own ``layer_idx``. Costs almost no memory. Training the result
  trains the source too.
* ``copy``: every layer position gets independent weights (deep copies); the non-layer
  weights are copied too. Use it to fine-tune after surgery.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from torch import nn

from .families import LayerStack, find_layer_stack
from .merge import average_parameters, averaged_names, check_same_shapes, set_parameter
from .plan import Plan, PlanError
from .renumber import rebuild_config, refresh_model_flags, renumber_layers

Mode = Literal["shared", "copy"]
MODES = ("shared", "copy")


def apply_plan(
    model: nn.Module, plan: Plan, mode: Mode = "shared", donor: nn.Module | None = None
) -> nn.Module:
    """Return a new model whose layers follow ``plan``; ``model`` stays usable and unchanged.

    Every check (indices, donor architecture, shapes of averaged groups) runs before anything
    is built, and raises PlanError with a one-line message.
    """
    if mode not in MODES:
        raise PlanError(f"mode must be one of {MODES}, got {mode!r}")
    if not isinstance(plan, Plan):
        raise PlanError(f"expected a Plan, got {type(plan).__name__}")
    stacks = {"base": find_layer_stack(model)}
    models = {"base": model}
    if donor is not None:
        stacks["donor"] = find_layer_stack(donor)
        models["donor"] = donor
    plan.validate(len(stacks["base"]), len(stacks["donor"]) if donor is not None else None)
    if plan.uses_donor:
        check_compatible(model, stacks["base"], donor, stacks["donor"])
    averages = _plan_averages(plan, stacks)

    new = _clone_without_layers(model, stacks["base"], shared=mode == "shared")
    configs = {role: m.config for role, m in models.items()}
    # Layers must point at the new model's config, not the source's: attention reads
    # `config._attn_implementation` at run time, and we are about to change depth fields.
    config_memo = {id(c): new.config for c in configs.values()}
    built: dict[tuple, dict[str, nn.Parameter]] = {}
    layers = []
    for source in plan.sources:
        layer = _copy_layer(stacks[source.model].layers[source.index], mode, config_memo)
        if source.is_averaged:
            key = (source.model, source.average, source.scope)
            if mode == "copy" or key not in built:
                built[key] = average_parameters(*averages[key])
            for name, value in built[key].items():
                set_parameter(layer, name, value)
        layers.append(layer)

    owner_path = stacks["base"].path.rpartition(".")[0]
    owner = new.get_submodule(owner_path) if owner_path else new
    setattr(owner, stacks["base"].attribute, nn.ModuleList(layers))
    rebuild_config(new.config, plan, stacks["base"], configs)
    renumber_layers(getattr(owner, stacks["base"].attribute))
    refresh_model_flags(new)
    return new


def check_compatible(
    base: nn.Module, base_stack: LayerStack, donor: nn.Module, donor_stack: LayerStack
) -> None:
    """Two models can share a stack only if their layers are interchangeable."""
    if type(base) is not type(donor):
        raise PlanError(
            f"donor architecture {type(donor).__name__} differs from the base model's "
            f"{type(base).__name__}"
        )
    a = {n: tuple(p.shape) for n, p in base_stack.layers[0].named_parameters()}
    b = {n: tuple(p.shape) for n, p in donor_stack.layers[0].named_parameters()}
    if a != b:
        diff = sorted(n for n in set(a) | set(b) if a.get(n) != b.get(n))
        raise PlanError(f"donor layers differ from the base model's layers at {diff[0]!r}")


def _plan_averages(plan: Plan, stacks: dict[str, LayerStack]) -> dict[tuple, tuple[list, list]]:
    """For each distinct averaged group: the layers to average and the parameter names."""
    groups: dict[tuple, tuple[list, list]] = {}
    for position, source in enumerate(plan.sources):
        if not source.is_averaged:
            continue
        key = (source.model, source.average, source.scope)
        if key in groups:
            continue
        stack = stacks[source.model]
        members = [stack.layers[i] for i in source.average]
        names = averaged_names(members[0], stack, source.scope)
        check_same_shapes(members, names, f"position {position} ({source.to_token()})")
        groups[key] = (members, names)
    return groups


def _clone_without_layers(model: nn.Module, stack: LayerStack, shared: bool) -> nn.Module:
    """Deep-copy the model's modules and config, with an empty layer list in place.

    The old layers are never copied here (memo maps them to a fresh list), so copy mode does
    not hold two copies of the stack at once. In shared mode the memo maps every tensor to
    itself, which keeps weight tying (embeddings/lm_head) intact.
    """
    memo: dict[int, Any] = {id(stack.layers): nn.ModuleList()}
    if shared:
        memo.update({id(t): t for t in model.parameters()})
        memo.update({id(t): t for t in model.buffers()})
    return copy.deepcopy(model, memo)


def _copy_layer(layer: nn.Module, mode: Mode, config_memo: dict[int, Any]) -> nn.Module:
    """A new module tree for one position; shares tensors with ``layer`` in shared mode."""
    memo = dict(config_memo)  # fresh per position: two positions must never share a submodule
    if mode == "shared":
        memo.update({id(t): t for t in layer.parameters()})
        memo.update({id(t): t for t in layer.buffers()})
    return copy.deepcopy(layer, memo)
