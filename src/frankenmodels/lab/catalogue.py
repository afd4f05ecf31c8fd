"""The lab's experiments: the seed's catalogue of surgeries, scaled to the model's depth, as
variant specs that the workflow's sweep machinery (``surgery.sweeps.expand``) turns into plans.

The seed ran a 64-layer model: blocks of 4, 8 and 16 layers are an eighth... a quarter of it,
"a 10-layer block" is about a sixth, layer 32 is the middle. Here every size is a share of the
depth ``n`` (at least one layer), so one catalogue serves 4-layer test models and 80-layer ones.

Stage 1 needs nothing measured. Stage 2 (the "critical region" experiments) depends on the
stage-1 single-layer deletion sweep: the critical region is the contiguous window of the
configured size whose single-layer deletions do the most damage in total (the sum of the
log perplexity ratios), and the critical layer is the single most damaging one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from frankenmodels.surgery.sweeps import Variant, expand

# The named experiments outside the sweeps, in the order the report discusses them.
PATTERN_FAMILIES = (
    "block_delete",
    "block_double",
    "skip",
    "reverse",
    "repeat",
    "critical",
    "splice",
    "custom",
)


def _named(name: str, family: str, op: str, **args: Any) -> dict[str, Any]:
    return {"name": name, "family": family, "op": op, **args}


def _share(n: int, fraction: float) -> int:
    return max(1, int(round(n * fraction)))


def _middle(n: int, size: int) -> int:
    return (n - size) // 2


def block_specs(n: int) -> list[dict[str, Any]]:
    """Deleting the first, middle and last quarter and eighth of the stack."""
    specs = []
    for label, fraction in (("quarter", 0.25), ("eighth", 0.125)):
        size = _share(n, fraction)
        if size >= n:
            continue
        for where, start in (("first", 0), ("middle", _middle(n, size)), ("last", n - size)):
            specs.append(
                _named(
                    f"del_{where}_{label}",
                    "block_delete",
                    "delete_window",
                    start=start,
                    end=start + size,
                )
            )
    return specs


def doubling_specs(n: int) -> list[dict[str, Any]]:
    """The middle quarter run twice in a row, and the whole stack run twice."""
    size = _share(n, 0.25)
    start = _middle(n, size)
    block = list(range(n))
    block[start + size : start + size] = range(start, start + size)
    return [
        _named("double_middle_quarter", "block_double", "custom", layers=block),
        _named("double_all", "block_double", "custom", layers=list(range(n)) * 2),
    ]


def skip_specs(n: int) -> list[dict[str, Any]]:
    """Every 2nd, 3rd, 4th layer kept; even or odd only; first or second half only."""
    specs = [
        _named(f"skip_every_{k}", "skip", "skip", pattern="every_n", n=k)
        for k in (2, 3, 4)
        if k < n
    ]
    for pattern in ("even", "odd", "first_half", "second_half"):
        specs.append(_named(f"keep_{pattern}", "skip", "skip", pattern=pattern))
    return specs


def reversal_specs(n: int) -> list[dict[str, Any]]:
    """First half, second half, all, middle third, and a block of ten (a sixth of 64 layers)."""
    half, third = n // 2, _share(n, 1 / 3)
    block = min(10, max(2, _share(n, 10 / 64)))
    windows = {
        "reverse_first_half": (0, half),
        "reverse_second_half": (half, n),
        "reverse_all": (0, n),
        "reverse_middle_third": (_middle(n, third), _middle(n, third) + third),
        f"reverse_block_{block}": (_middle(n, block), _middle(n, block) + block),
    }
    return [
        _named(name, "reverse", "reverse", start=start, end=end)
        for name, (start, end) in windows.items()
        if end - start >= 2
    ]


def repetition_specs(n: int) -> list[dict[str, Any]]:
    """The middle layer x3, x5, x10; the first and the last layer x5."""
    middle = n // 2
    specs = [{"sweep": "repeat", "layer": middle, "counts": [3, 5, 10]}]
    for where, layer in (("first", 0), ("last", n - 1)):
        specs.append(_named(f"repeat_{where}_x5", "repeat", "repeat", layer=layer, count=5))
    return specs


def splice_specs(n: int, donor_layers: int | None) -> list[dict[str, Any]]:
    """The seed's cross-model FrankenModel: this model's early half, the donor's late half."""
    if donor_layers is None:
        return []
    if donor_layers != n:
        raise ValueError(f"the donor has {donor_layers} layers, the model {n}: a splice needs both")
    half = n // 2
    segments = [
        {"model": "base", "start": 0, "end": half},
        {"model": "donor", "start": half, "end": n},
    ]
    return [_named("splice_early_late", "splice", "splice", segments=segments)]


def stage1_specs(
    n: int, catalogue: Mapping[str, Any], donor_layers: int | None = None
) -> list[dict[str, Any]]:
    """The variant specs of every stage-1 experiment the catalogue section switches on."""
    specs: list[dict[str, Any]] = []
    if catalogue["delete"]:
        specs.append({"sweep": "delete"})
    if catalogue["duplicate"]:
        specs.append({"sweep": "duplicate"})
    for window in catalogue["windows"]:
        specs.append({"sweep": "delete_window", "size": window["size"], "step": window["step"]})
    builders = {
        "blocks": block_specs,
        "doubling": doubling_specs,
        "skips": skip_specs,
        "reversals": reversal_specs,
        "repeats": repetition_specs,
    }
    for key, build in builders.items():
        if catalogue[key]:
            specs += build(n)
    if catalogue["splice"]:
        specs += splice_specs(n, donor_layers)
    # The seed's "custom subsets": named specs the config adds, filed under their own family.
    return specs + [
        dict(spec, family="custom") if "name" in spec else spec for spec in catalogue["extra"]
    ]


def stage1_variants(
    n: int, catalogue: Mapping[str, Any], donor_layers: int | None = None
) -> list[Variant]:
    """Stage-1 variants, ``base`` first, names unique (the sweep machinery checks it), plans
    unique: where two families build the same stack (every 2nd layer kept is the even layers;
    on 4 layers a deleted eighth is a deleted layer), the first name measures it."""
    return distinct(expand(stage1_specs(n, catalogue, donor_layers), n))


def distinct(variants: Sequence[Variant], measured: Sequence[Variant] = ()) -> list[Variant]:
    """``variants`` without those whose layer stack is already in ``measured`` or earlier."""
    seen = {v.plan.sources for v in measured}
    kept = []
    for variant in variants:
        if variant.plan.sources not in seen:
            seen.add(variant.plan.sources)
            kept.append(variant)
    return kept


# ----- stage 2: the critical region, found from this model's own deletion sweep ---------------
def critical_region(damage: Sequence[float], size: int) -> tuple[int, int, int]:
    """(start, end, layer): the half-open window of ``size`` layers with the largest summed
    damage, and the single most damaging layer. ``damage[i]`` is the log perplexity ratio of
    deleting layer i; ties go to the earliest window, as argmax does."""
    values = np.asarray(damage, dtype=float)
    if values.ndim != 1 or len(values) == 0 or not np.isfinite(values).all():
        raise ValueError("critical_region needs one finite damage value per layer")
    if not 1 <= size <= len(values):
        raise ValueError(f"critical size {size} must be in [1, {len(values)}]")
    sums = np.convolve(values, np.ones(size), mode="valid")
    start = int(np.argmax(sums))
    return start, start + size, int(np.argmax(values))


def critical_size(n: int, configured: int | None) -> int:
    """The configured size, or a quarter of the depth (16 of the seed's 64 layers)."""
    size = configured if configured is not None else _share(n, 0.25)
    return min(max(1, size), n - 1)


def stage2_specs(start: int, end: int, layer: int) -> list[dict[str, Any]]:
    specs = [_named("critical_delete", "critical", "delete_window", start=start, end=end)]
    if end - start >= 2:
        specs.append(_named("critical_reverse", "critical", "reverse", start=start, end=end))
    specs.append(_named("critical_layer_x5", "critical", "repeat", layer=layer, count=5))
    return specs


def stage2_variants(n: int, start: int, end: int, layer: int) -> list[Variant]:
    """The critical-region experiments (without ``base``, which stage 1 measured)."""
    return expand(stage2_specs(start, end, layer), n)[1:]
