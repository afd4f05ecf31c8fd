"""A small, generated sentiment data set for tests and CI (no download, fully seeded).

Sentences combine a subject, an optional negation and a polar adjective, so a tiny model can
learn the task but not perfectly: a fraction of labels is flipped on purpose, which keeps
seed-to-seed differences (and hence the statistics) non-degenerate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SUBJECTS = (
    "the film",
    "this movie",
    "the plot",
    "the acting",
    "the script",
    "the ending",
    "the soundtrack",
    "the cast",
    "the director 's vision",
    "every scene",
)
VERBS = ("is", "was", "feels", "seemed", "remains")
INTENSIFIERS = ("", "really ", "truly ", "quite ", "utterly ", "somewhat ")
POSITIVE = (
    "wonderful",
    "moving",
    "brilliant",
    "charming",
    "funny",
    "gripping",
    "beautiful",
    "clever",
    "delightful",
    "powerful",
)
NEGATIVE = (
    "boring",
    "dull",
    "awful",
    "clumsy",
    "tedious",
    "bland",
    "confusing",
    "weak",
    "predictable",
    "lifeless",
)
CODAS = ("", " .", " , honestly .", " from start to finish .", " , i think .")


def generate_sentiment(
    train_size: int, validation_size: int, label_noise: float = 0.1, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """Train and validation frames with columns `sentence` and `label` (1 = positive)."""
    if not 0 <= label_noise < 0.5:
        raise ValueError("data.synthetic.label_noise must be in [0, 0.5)")
    rng = np.random.default_rng(seed)
    frames = {}
    for split, size in (("train", train_size), ("validation", validation_size)):
        polarity = rng.integers(0, 2, size)
        negated = rng.random(size) < 0.3
        sentences = []
        for is_positive, is_negated in zip(polarity, negated, strict=True):
            words = POSITIVE if is_positive else NEGATIVE
            sentences.append(
                f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {'not ' if is_negated else ''}"
                f"{rng.choice(INTENSIFIERS)}{rng.choice(words)}{rng.choice(CODAS)}"
            )
        label = np.where(negated, 1 - polarity, polarity)
        flip = rng.random(size) < label_noise
        frames[split] = pd.DataFrame(
            {"sentence": sentences, "label": np.where(flip, 1 - label, label)}
        )
    return frames
