"""Expand the ``variants:`` list of a config into named plans for the workflow.

Each spec is a mapping, either a sweep (``sweep: duplicate``) that expands into many variants
or a named single variant (``name: rev_mid, op: reverse, start: 4, end: 8``). The identity plan
``base`` always comes first. Names must be wildcard-safe (``[A-Za-z0-9_]+``) and unique.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .plan import SCOPES, Plan, PlanError

NAME = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class Variant:
    name: str
    plan: Plan
    family: str
    layer: int | None  # the single layer the variant is about (dup6 -> 6), else None


# ----- named single operations: op -> (required keys, optional keys with defaults, builder) ---
OpBuilder = Callable[[int, dict[str, Any]], Plan]
_OPS: dict[str, tuple[tuple[str, ...], dict[str, Any], OpBuilder]] = {
    "identity": ((), {}, lambda n, a: Plan.identity(n)),
    "duplicate": (("layer",), {}, lambda n, a: Plan.duplicate(n, a["layer"])),
    "repeat": (("layer", "count"), {}, lambda n, a: Plan.repeat(n, a["layer"], a["count"])),
    "delete": (("layers",), {}, lambda n, a: Plan.delete(n, _as_list(a["layers"]))),
    "delete_window": (
        ("start", "end"),
        {},
        lambda n, a: Plan.delete_window(n, a["start"], a["end"]),
    ),
    "keep_only": (("layers",), {}, lambda n, a: Plan.keep_only(n, _as_list(a["layers"]))),
    "reverse": (("start", "end"), {}, lambda n, a: Plan.reverse(n, a["start"], a["end"])),
    "skip": (
        ("pattern",),
        {"n": 2, "offset": 0},
        lambda n, a: Plan.skip(n, a["pattern"], a["n"], a["offset"]),
    ),
    "custom": (("layers",), {}, lambda n, a: Plan.custom(_as_list(a["layers"]), n)),
    "merge": (
        ("start", "n"),
        {"scope": "ffn"},
        lambda n, a: Plan.merge(n, a["start"], a["n"], _scope(a["scope"])),
    ),
    "compress": (
        ("start", "n"),
        {"scope": "ffn"},
        lambda n, a: Plan.compress(n, a["start"], a["n"], _scope(a["scope"])),
    ),
    "splice": (("segments",), {}, lambda n, a: _splice(n, a["segments"])),
    "plan": (("layers",), {}, lambda n, a: _checked(Plan.from_dict(a), n)),
}


def _as_list(x: Any) -> list:
    return [x] if isinstance(x, int) and not isinstance(x, bool) else x


def _scope(scope: Any) -> Any:
    if scope not in SCOPES:
        raise PlanError(f"scope must be one of {SCOPES}, got {scope!r}")
    return scope


def _checked(plan: Plan, num_layers: int) -> Plan:
    plan.validate(num_layers, check_donor=False)  # the donor is checked when it is loaded
    return plan


def _splice(num_layers: int, segments: Any) -> Plan:
    if not isinstance(segments, list) or not all(isinstance(s, dict) for s in segments):
        raise PlanError("segments must be a list of {model, start, end} mappings")
    for s in segments:
        _check_keys(s, ("model", "start", "end"), {}, "segment")
    plan = Plan.splice([(s["model"], s["start"], s["end"]) for s in segments])
    return _checked(plan, num_layers)


def plan_from_spec(spec: dict[str, Any], num_layers: int) -> Plan:
    """Build one plan from an ``op`` mapping (``name`` is ignored here)."""
    if not isinstance(spec, dict) or "op" not in spec:
        raise PlanError(f"expected a mapping with an 'op' key, got {spec!r}")
    op = spec["op"]
    if op not in _OPS:
        raise PlanError(f"unknown op {op!r}; expected one of {sorted(_OPS)}")
    required, optional, build = _OPS[op]
    args = {k: v for k, v in spec.items() if k not in ("op", "name", "family")}
    _check_keys(args, required, optional, f"op {op}")
    return build(num_layers, {**optional, **args})


def _check_keys(args: dict, required: tuple, optional: dict, where: str) -> None:
    missing = [k for k in required if k not in args]
    if missing:
        raise PlanError(f"{where}: missing key {missing[0]!r}")
    unknown = sorted(set(args) - set(required) - set(optional))
    if unknown:
        raise PlanError(f"{where}: unknown key {unknown[0]!r}")


# ----- sweeps: one spec -> many variants -----------------------------------------------------
def _sweep_layers(spec: dict[str, Any], num_layers: int) -> list[int]:
    layers = _as_list(spec.get("layers", list(range(num_layers))))
    Plan.keep_only(num_layers, layers)  # validates every index
    return [int(i) for i in layers]


def _sweep_duplicate(spec: dict, n: int) -> Iterator[Variant]:
    for i in _sweep_layers(spec, n):
        yield Variant(f"dup{i}", Plan.duplicate(n, i), "duplicate", i)


def _sweep_delete(spec: dict, n: int) -> Iterator[Variant]:
    for i in _sweep_layers(spec, n):
        yield Variant(f"del{i}", Plan.delete(n, [i]), "delete", i)


def _sweep_delete_window(spec: dict, n: int) -> Iterator[Variant]:
    size, step = spec.get("size", 2), spec.get("step", 1)
    for value, key in ((size, "size"), (step, "step")):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise PlanError(f"sweep delete_window: {key} must be an int >= 1, got {value!r}")
    if size >= n:
        raise PlanError(f"sweep delete_window: size {size} would delete all {n} layers")
    for start in range(0, n - size + 1, step):
        end = start + size
        yield Variant(
            f"delwin{start}_{end}", Plan.delete_window(n, start, end), "delete_window", None
        )


def _sweep_repeat(spec: dict, n: int) -> Iterator[Variant]:
    layer, counts = spec["layer"], spec["counts"]
    if not isinstance(counts, list) or not counts:
        raise PlanError(f"sweep repeat: counts must be a non-empty list, got {counts!r}")
    for count in counts:
        yield Variant(f"rep{layer}x{count}", Plan.repeat(n, layer, count), "repeat", layer)


_SWEEPS: dict[str, tuple[tuple[str, ...], dict[str, Any], Callable]] = {
    "duplicate": ((), {"layers": None}, _sweep_duplicate),
    "delete": ((), {"layers": None}, _sweep_delete),
    "delete_window": ((), {"size": 2, "step": 1}, _sweep_delete_window),
    "repeat": (("layer", "counts"), {}, _sweep_repeat),
}


def _single_layer(spec: dict[str, Any]) -> int | None:
    """The one layer a named variant is about, for ops that are about one layer."""
    if spec["op"] in ("duplicate", "repeat"):
        return spec["layer"]
    if spec["op"] == "delete":
        layers = _as_list(spec["layers"])
        return layers[0] if len(layers) == 1 else None
    return None


def _expand_one(index: int, spec: Any, num_layers: int) -> Iterator[Variant]:
    where = f"variants[{index}]"
    if not isinstance(spec, dict):
        raise PlanError(f"{where}: expected a mapping, got {spec!r}")
    try:
        if "sweep" in spec:
            kind = spec["sweep"]
            if kind not in _SWEEPS:
                raise PlanError(f"unknown sweep {kind!r}; expected one of {sorted(_SWEEPS)}")
            required, optional, expand = _SWEEPS[kind]
            args = {k: v for k, v in spec.items() if k != "sweep"}
            _check_keys(args, required, optional, f"sweep {kind}")
            if args.get("layers") is None:
                args.pop("layers", None)
            yield from expand(args, num_layers)
        elif "name" in spec:
            name = spec["name"]
            # A catalogue may file a named variant under a family of its own (the lab's "skip").
            family = spec.get("family", "named")
            yield Variant(name, plan_from_spec(spec, num_layers), family, _single_layer(spec))
        else:
            raise PlanError("needs either 'sweep' or 'name' + 'op'")
    except PlanError as err:
        raise PlanError(f"{where} {_brief(spec)}: {err}") from None


def _brief(spec: dict) -> str:
    return "(" + ", ".join(f"{k}={v}" for k, v in spec.items()) + ")"


def expand(specs: list[dict[str, Any]], num_layers: int) -> list[Variant]:
    """All variants, ``base`` first, in spec order; raises PlanError on any bad spec."""
    if specs is None:
        specs = []
    if not isinstance(specs, list):
        raise PlanError(f"variants must be a list of mappings, got {type(specs).__name__}")
    out = [Variant("base", Plan.identity(num_layers), "base", None)]
    seen = {"base": "the identity plan"}
    for index, spec in enumerate(specs):
        for variant in _expand_one(index, spec, num_layers):
            if not isinstance(variant.name, str) or not NAME.match(variant.name):
                raise PlanError(
                    f"variants[{index}]: name {variant.name!r} must match [A-Za-z0-9_]+"
                )
            if variant.name in seen:
                raise PlanError(
                    f"variants[{index}]: duplicate variant name {variant.name!r} "
                    f"(already defined by {seen[variant.name]})"
                )
            seen[variant.name] = f"variants[{index}]"
            out.append(variant)
    return out


def expand_variants(specs: list[dict[str, Any]], num_layers: int) -> dict[str, Plan]:
    """Variant name -> plan, ordered, ``base`` (the identity) first."""
    return {v.name: v.plan for v in expand(specs, num_layers)}


def variant_family(
    specs: list[dict[str, Any]], num_layers: int
) -> dict[str, tuple[str, int | None]]:
    """Variant name -> (family, single layer index or None)."""
    return {v.name: (v.family, v.layer) for v in expand(specs, num_layers)}
