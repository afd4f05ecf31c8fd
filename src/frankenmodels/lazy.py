"""Names a package loads on first use, so that importing one name does not import (and make a
job's code input of) every module of the package. The package keeps its table as a literal
`_LAZY = {"name": ".module"}`, which frankenmodels.importgraph reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_attributes(package: str, table: Mapping[str, str]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` for ``package`` that imports ``table[name]`` on demand."""

    def __getattr__(name: str) -> Any:
        if name in table:
            return getattr(import_module(table[name], package), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
