"""Which study role a text serves, fixed by a salted hash of the text alone.

A text's role never depends on the file it came from, its position or the other texts, so the
language corpus and the classification corpus (often the same IMDb file) send any given text to
the same role: LM fine-tuning, perplexity, classification training and testing stay disjoint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

ROLES = ("lm_train", "perplexity", "cls_train", "cls_test")
FRACTIONS_KEY = "compress.data.fractions"


def bucket(text: str, salt: str) -> float:
    """A number in [0, 1) from sha256(salt + NUL + text): its leading 53 bits, so a float can
    hold it exactly and it never rounds up to 1.0 (the full 256-bit ratio could)."""
    digest = hashlib.sha256(f"{salt}\x00{text}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") >> 11) / 2.0**53


def text_key(text: str) -> str:
    """A short stable id of a text (16 hex digits of its sha256), for the ``doc`` column."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_fractions(fractions: Mapping[str, float]) -> None:
    """Known roles, no negative share, and shares that fit into [0, 1) together."""
    unknown = sorted(set(fractions) - set(ROLES))
    if unknown:
        raise ValueError(f"{FRACTIONS_KEY}: unknown role(s) {unknown}; roles are {list(ROLES)}")
    negative = [role for role, share in fractions.items() if share < 0]
    if negative:
        raise ValueError(f"{FRACTIONS_KEY}.{negative[0]} is negative; use a share in [0, 1]")
    total = sum(fractions.values())
    if total > 1 + 1e-9:
        raise ValueError(
            f"{FRACTIONS_KEY} sum to {total:g}, more than 1; lower them so the roles fit in [0, 1)"
        )


def role_of(text: str, fractions: Mapping[str, float], salt: str) -> str | None:
    """The role whose slice of [0, 1) holds the text's bucket (slices laid end to end in the
    order of ROLES), or None where the bucket falls past the last slice (text unused)."""
    check_fractions(fractions)
    value, upper = bucket(text, salt), 0.0
    for role in ROLES:
        upper += fractions.get(role, 0.0)
        if value < upper:
            return role
    return None
