"""What the integer program chooses between: one action per layer, and the plan it makes.

An action is an int, the change in how many times the layer runs: ``-1`` deletes it, ``0``
keeps it, ``n >= 1`` inserts ``n`` extra copies right after it (as ``Plan.repeat`` with count
``n + 1``). Keeping is the baseline: its gain and cost are zero by definition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from frankenmodels.surgery import Plan

DELETE, KEEP = -1, 0

# (layer, action) -> value; the gain table, the cost tables and the ILP all use this key.
Table = Mapping[tuple[int, int], float]


def action_label(action: int) -> str:
    """``delete``, ``keep`` or ``insert n``, for reports and messages."""
    if action == DELETE:
        return "delete"
    return "keep" if action == KEEP else f"insert {action}"


def gain_table(
    delete: Mapping[int, float],
    duplicate: Mapping[int, float],
    max_copies: int = 1,
    repeat: Mapping[tuple[int, int], float] | None = None,
) -> dict[tuple[int, int], float]:
    """The ILP's gain input from single-layer estimates.

    ``delete[i]`` and ``duplicate[i]`` are the gains of deleting layer ``i`` and of one extra
    copy (the ``del{i}`` and ``dup{i}`` variants); ``repeat[(i, n)]``, when given, is the
    *total* gain of ``n`` extra copies (the ``rep{i}x{n+1}`` variant). Without it ``n`` copies
    are taken to gain ``n`` times one copy. A layer missing from ``delete`` or ``duplicate``
    simply lacks that action: the program will keep it rather than guess.
    """
    repeat = repeat or {}
    table = {(int(i), DELETE): float(g) for i, g in delete.items()}
    for i, g in duplicate.items():
        for n in range(1, max_copies + 1):
            table[(int(i), n)] = float(repeat.get((i, n), n * g))
    return table


def layer_sequence(actions: Sequence[int]) -> list[int]:
    """Source layers in order: a deleted layer is skipped, layer ``i`` with ``n`` copies runs
    ``n + 1`` times in a row."""
    return [i for i, a in enumerate(actions) for _ in range(1 + a)]


def plan_name(actions: Sequence[int], prefix: str = "ilp") -> str:
    """A wildcard-safe name in the style of the sweeps: ``ilp_del3_dup1_rep5x3``.

    One extra copy is ``dup{i}``, ``n > 1`` copies ``rep{i}x{n+1}`` (the layer runs n + 1
    times, as in the repeat sweep); the identity is ``{prefix}_none``.
    """
    parts = [
        f"del{i}" if a == DELETE else f"dup{i}" if a == 1 else f"rep{i}x{a + 1}"
        for i, a in enumerate(actions)
        if a != KEEP
    ]
    return "_".join([prefix, *(parts or ["none"])])


def plan_from_actions(actions: Sequence[int]) -> Plan:
    """The surgery plan of one action per layer; raises PlanError if every layer is deleted."""
    changes = [f"layer {i} {action_label(a)}" for i, a in enumerate(actions) if a != KEEP]
    return Plan.from_indices(layer_sequence(actions), "ilp: " + (", ".join(changes) or "keep all"))


_PART = re.compile(r"^(?:del(\d+)|dup(\d+)|rep(\d+)x(\d+))$")


def actions_from_name(name: str, num_layers: int, prefix: str = "ilp") -> tuple[int, ...]:
    """The actions a :func:`plan_name` encodes: the inverse, so that a plan's name is all a
    job needs to rebuild it. Raises ValueError on a name it did not make."""
    head, _, rest = name.partition("_")
    if head != prefix or not rest:
        raise ValueError(f"{name!r} is not a plan name (expected {prefix}_del3_dup1_rep5x3 ...)")
    actions = [KEEP] * num_layers
    if rest != "none":
        for part in rest.split("_"):
            match = _PART.match(part)
            if match is None:
                raise ValueError(f"{name!r}: cannot read {part!r} (del<i>, dup<i> or rep<i>x<n>)")
            deleted, duplicated, repeated, runs = match.groups()
            layer = int(deleted or duplicated or repeated)
            action = DELETE if deleted else 1 if duplicated else int(runs) - 1
            if not 0 <= layer < num_layers or actions[layer] != KEEP or action < 1 and not deleted:
                raise ValueError(
                    f"{name!r}: {part!r} is not a change of one of {num_layers} layers"
                )
            actions[layer] = action
    if plan_name(actions, prefix) != name:
        raise ValueError(f"{name!r} is not in canonical form ({plan_name(actions, prefix)!r})")
    return tuple(actions)


def estimation_variants(num_layers: int, max_copies: int) -> dict[str, tuple[int, int]]:
    """The single-layer variants whose gains the program needs, by name: ``del{i}`` and
    ``dup{i}`` (the sweeps' names) and ``rep{i}x{n+1}`` for ``n = 2..max_copies`` extra copies,
    each mapped to its ``(layer, action)``."""
    variants = {}
    for action in (DELETE, *range(1, max_copies + 1)):
        for i in range(num_layers):
            name = (
                f"del{i}"
                if action == DELETE
                else f"dup{i}"
                if action == 1
                else f"rep{i}x{action + 1}"
            )
            variants[name] = (i, action)
    return variants
