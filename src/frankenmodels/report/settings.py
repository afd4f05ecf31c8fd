"""The config values a report job reads, passed in by its rule as `params` (never read from
the whole config), so that a config edit reruns exactly the jobs that print that value.

A rule passes `pick(config, keys)`: a flat dict of dotted keys ("study.title"), which
Snakemake compares by its repr. Each reader declares its keys; `Settings` refuses a key its
reader did not declare, so the declaration cannot fall behind the code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

# What the shared lookups of the report (and the tables) read: who is compared with whom.
STUDY_KEYS = ("stats.alpha", "stats.base_variant", "stats.focus_variant", "stats.selection.metric")
# The inputs the tables print from (the numbers rule reads every input of REPORT_INPUTS).
TABLE_INPUTS = ("metrics", "efficiency", "tests", "selection", "variants")

_ABSENT = object()


def lookup(config: Mapping[str, Any], dotted: str, default: Any = _ABSENT) -> Any:
    """config["a"]["b"] for "a.b", with a KeyError that names the missing key."""
    node: Any = config
    for i, key in enumerate(dotted.split(".")):
        if not isinstance(node, Mapping) or key not in node:
            if default is not _ABSENT:
                return default
            where = ".".join(dotted.split(".")[:i]) or "the top level"
            raise KeyError(f"config key '{dotted}' is missing ('{key}' not found in {where})")
        node = node[key]
    return node


def pick(config: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The params of a report rule: {dotted key: value}, sorted; absent keys are left out
    (model.dir when the model comes from the hub), and the reader says so if it needs one."""
    values = {key: lookup(config, key, None) for key in sorted(set(keys))}
    return {key: value for key, value in values.items() if value is not None}


class Settings(Mapping[str, Any]):
    """The rule's params as seen by one reader: only the keys that reader declared."""

    def __init__(self, values: Mapping[str, Any], declared: Iterable[str], reader: str) -> None:
        self._values = dict(values)
        self._declared = frozenset(declared)
        self._reader = reader

    def __getitem__(self, key: str) -> Any:
        if key not in self._declared:
            raise KeyError(f"{self._reader} reads config key '{key}' but does not declare it")
        if key not in self._values:
            raise KeyError(f"config key '{key}' is missing from the rule's params")
        return self._values[key]

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            if key not in self._declared:
                raise
            return default

    def __iter__(self) -> Iterator[str]:
        return iter(k for k in self._values if k in self._declared)

    def __len__(self) -> int:
        return sum(1 for _ in self)
