"""The study's variants as data: the original model, and each averaged group merged (depth kept)
or compressed (one averaged layer in its place), for every configured size, start and scope.

Planning needs no torch (the Snakefile plans while building the DAG); the rules receive a
variant as the plain dict of :meth:`Variant.to_params` and rebuild it with ``from_params``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from frankenmodels.surgery.plan import SCOPES, Plan

KINDS = ("original", "merged", "compressed")
SIZES, POSITIONS, SCOPES_KEY = (f"compress.variants.{k}" for k in ("sizes", "positions", "scopes"))


@dataclass(frozen=True)
class Variant:
    """One model of the study; ``scope`` is its family (None for the original)."""

    name: str
    kind: str
    scope: str | None
    n: int
    start: int | None
    plan: Plan

    def to_params(self) -> dict[str, Any]:
        """The JSON-safe form the rules pass as ``params.variant``."""
        return {
            "name": self.name,
            "kind": self.kind,
            "scope": self.scope,
            "n": self.n,
            "start": self.start,
            "plan": self.plan.to_dict(),
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Variant:
        if params["kind"] not in KINDS:
            raise ValueError(f"variant kind must be one of {KINDS}, got {params['kind']!r}")
        return cls(
            name=params["name"],
            kind=params["kind"],
            scope=params["scope"],
            n=int(params["n"]),
            start=None if params["start"] is None else int(params["start"]),
            plan=Plan.from_dict(params["plan"]),
        )


def variant_name(kind: str, n: int, start: int, scope: str) -> str:
    return f"{kind}_{n}_at{start}_{scope}"


def start_of(position: Any, n: int, num_layers: int) -> int:
    """``"middle"`` centres the group ((L - n) // 2); an int is the first layer of the group."""
    if position == "middle":
        return (num_layers - n) // 2
    if isinstance(position, bool) or not isinstance(position, int):
        raise ValueError(f"{POSITIONS}: {position!r} is neither 'middle' nor a layer index")
    if not 0 <= position <= num_layers - n:
        raise ValueError(
            f"{POSITIONS}: a group of {n} layers at {position} does not fit in {num_layers} "
            f"layers (start + n must be <= {num_layers}); use a start in 0..{num_layers - n}"
        )
    return position


def _check_size(n: Any, num_layers: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"{SIZES}: {n!r} is not a group size; averaging needs n >= 2 layers")
    if n > num_layers:
        raise ValueError(
            f"{SIZES}: n = {n} exceeds the model's {num_layers} layers; use sizes <= {num_layers}"
        )
    return n


def plan_variants(variants_cfg: dict[str, Any], num_layers: int) -> list[Variant]:
    """The original first, then per scope, size and position: merged, then compressed."""
    for scope in variants_cfg["scopes"]:
        if scope not in SCOPES:
            raise ValueError(f"{SCOPES_KEY}: {scope!r} is not one of {list(SCOPES)}")
    original = Variant("original", "original", None, 0, None, Plan.identity(num_layers))
    variants, seen = [original], {"original": "original"}
    for scope in variants_cfg["scopes"]:
        for n in variants_cfg["sizes"]:
            n = _check_size(n, num_layers)
            for position in variants_cfg["positions"]:
                start = start_of(position, n, num_layers)
                for kind, build in (("merged", Plan.merge), ("compressed", Plan.compress)):
                    name = variant_name(kind, n, start, scope)
                    if name in seen:
                        raise ValueError(
                            f"{POSITIONS}: {position!r} gives {name}, as {seen[name]!r} already "
                            "did; list each start (and size, scope) once"
                        )
                    seen[name] = position
                    plan = build(num_layers, start, n, scope)
                    variants.append(Variant(name, kind, scope, n, start, plan))
    return variants


def load_variant(model_dir, variant_params: dict[str, Any], *, dtype: str, device):
    """(model, tokenizer) of one variant: the stored model with the variant's plan applied,
    every position holding its own weights (mode "copy", so copies train independently and
    the parameter counts are those of the model that is trained), in eval mode on ``device``
    (a torch device or a preference: auto, cpu, cuda). The pretrained model is dropped so
    that only the variant holds memory (the latency job's peak)."""
    import gc

    from frankenmodels.lab.models import load_causal_lm
    from frankenmodels.runtime import select_device
    from frankenmodels.surgery import apply_plan

    if isinstance(device, str):
        device = select_device(device)
    base, tokenizer = load_causal_lm(model_dir, device, dtype)
    model = apply_plan(base, Plan.from_dict(variant_params["plan"]), mode="copy").eval()
    del base
    gc.collect()
    return model, tokenizer


def training_inputs(model_dir, table) -> dict[str, str]:
    """What a training job's resume state depends on besides its settings: which texts it
    trains on (their doc ids, in order) and which weights it starts from (weights.json)."""
    import hashlib
    from pathlib import Path

    weights = Path(model_dir) / "weights.json"
    return {
        "docs": hashlib.sha256("\n".join(map(str, table["doc"])).encode()).hexdigest()[:16],
        "weights": weights.read_text() if weights.is_file() else "",
    }
