"""The order of the training examples in an epoch: a function of (seed, epoch) alone, so a run
resumed at step k replays exactly the batches an unbroken run would have seen."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from transformers.trainer_pt_utils import get_length_grouped_indices


def epoch_order(
    seed: int, epoch: int, lengths: Sequence[int], batch_size: int, group_by_length: bool = True
) -> list[int]:
    """Example indices of one epoch, batch after batch.

    Length-grouped, as the Trainer's `group_by_length` sampler: a seeded permutation cut into
    mega-batches of up to 50 batches, each sorted by length and the longest batch first, so a
    batch pads little and a memory error shows at the first step. Otherwise a plain permutation
    (the order of the loop before length grouping, kept to reproduce earlier results).
    """
    if not group_by_length:
        return np.random.default_rng([seed, epoch]).permutation(len(lengths)).tolist()
    # A generator of its own, seeded from (seed, epoch) alone: independent of the global RNG,
    # which dropout consumes, and of how many epochs ran before in this process.
    key = int(np.random.SeedSequence([seed, epoch]).generate_state(1, np.uint64)[0])
    generator = torch.Generator().manual_seed(key)
    return get_length_grouped_indices(list(lengths), batch_size, generator=generator)
