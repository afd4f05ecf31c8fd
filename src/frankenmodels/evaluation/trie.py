"""Which layers of a sweep can be computed once: a walk of the prefix tree of its plans.

Each variant is a sequence of layer keys; two variants give the same hidden states after
position p exactly when their first p+1 keys are equal (same input, same modules). Visiting
the variants in sorted order of their keys is a depth-first walk of the prefix tree, and in
that order the longest prefix a variant shares with any earlier one is the prefix it shares
with the one just before it. So each variant resumes from one cached hidden state, and a
hidden state is kept only while a later variant still needs it: at most one per depth.

Plain data, no torch: the schedule is computed once per sweep and tested on its own.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from frankenmodels.surgery import Plan

Key = tuple[Hashable, ...]


@dataclass(frozen=True)
class Step:
    """One variant's forward pass within a batch of the walk."""

    name: str
    keys: Key  # the variant's layer keys, one per position
    resume: int  # positions [0, resume) are not run: their output is the cached keys[:resume]
    store: frozenset[int]  # prefix lengths whose hidden states this step caches for later steps
    release: tuple[Key, ...]  # cached prefixes no later step reads: dropped after this step

    @property
    def computed(self) -> int:
        """How many layers this step runs."""
        return len(self.keys) - self.resume


def layer_keys(plan: Plan, owner: str) -> Key:
    """One key per position. A plain layer is named by its source, so it is shared with any
    variant that has the same prefix; an averaged layer is new weights built for this variant
    (its `owner`) alone, so it, and everything after it, is never shared."""
    return tuple(
        (
            source.model,
            source.index,
            source.average,
            source.scope,
            owner if source.is_averaged else "",
        )
        for source in plan.sources
    )


def schedule(sequences: Mapping[str, Sequence[Hashable]]) -> list[Step]:
    """The variants in walk order, each with what it reads, caches and releases."""
    keys = {name: tuple(seq) for name, seq in sequences.items()}
    order = sorted(keys, key=lambda name: (keys[name], name))
    resume = [0] + [_common(keys[a], keys[b]) for a, b in zip(order, order[1:], strict=False)]
    # The prefix each step resumes from, and the last step that reads it.
    reads = {
        keys[name][:depth]: i
        for i, (name, depth) in enumerate(zip(order, resume, strict=True))
        if depth
    }
    steps = []
    for i, name in enumerate(order):
        seq = keys[name]
        store = {n for n in range(resume[i] + 1, len(seq) + 1) if seq[:n] in reads}
        release = tuple(prefix for prefix, last in reads.items() if last == i)
        steps.append(Step(name, seq, resume[i], frozenset(store), release))
    return steps


def _common(a: Key, b: Key) -> int:
    """Length of the longest common prefix."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
