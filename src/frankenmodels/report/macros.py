"""A section's macros as data, and the store that renders them to numbers.tex and JSON.

A section module returns rows of (macro, value, format, source): the value is raw (a float,
an int, a bool, a name), the format turns it into LaTeX, and the source says where it came
from. A row the paper does not print carries `reviewer_only`, the reason it is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from frankenmodels.report.latex import (
    escape,
    fmt_duration,
    fmt_fixed,
    fmt_int,
    fmt_int_list,
    fmt_p_stmt,
    fmt_pp,
    fmt_sci,
    fmt_small,
    is_missing,
    jsonable,
)


def _same(x: Any) -> Any:
    return x


@dataclass(frozen=True)
class Format:
    """How a raw value prints (`tex`) and what numbers.json keeps of it (`raw`)."""

    tex: Callable[[Any], str]
    raw: Callable[[Any], Any] = _same
    boolean: bool = False  # a \newif: the prose branches on it


def fixed(digits: int, *, signed: bool = False) -> Format:
    return Format(partial(fmt_fixed, digits=digits, signed=signed))


def fmt_layer(layer: int | None, variant: str | None) -> str:
    """A layer index, or the variant's name where the variant is not about one layer."""
    if layer is not None:
        return str(layer)
    return r"\texttt{" + escape(variant) + "}" if variant else "n/a"


TEXT = Format(escape)  # plain text, escaped
TEX = Format(str)  # ready-made LaTeX (table rows)
FLAG = Format(lambda v: "true" if v else "false", raw=lambda v: bool(v), boolean=True)
INT = Format(fmt_int, raw=lambda v: None if is_missing(v) else int(v))
INT_LIST = Format(fmt_int_list)
NUMBER = Format(lambda v: f"{float(v):g}")  # a config value as written: 0.01, 0.1
SCI = Format(fmt_sci)
SMALL = Format(fmt_small)
PP = Format(fmt_pp)  # a difference of fractions, signed, in percentage points
PP_ABS = Format(partial(fmt_pp, signed=False))
P = Format(fmt_p_stmt)  # "$p=0.040$", a whole statement
PERCENT = Format(lambda v: "n/a" if is_missing(v) else fmt_fixed(100 * float(v), 0))
DURATION = Format(fmt_duration)
LAYER = Format(lambda v: fmt_layer(*v), raw=lambda v: v[0])  # value: (layer, variant)


@dataclass(frozen=True)
class Row:
    macro: str
    value: Any
    fmt: Format
    source: str
    reviewer_only: str | None = None  # why numbers.json keeps a macro the paper never prints

    @classmethod
    def setting(cls, macro: str, settings: Mapping[str, Any], key: str, fmt: Format) -> Row:
        """A config value printed as it is; its source is the key."""
        return cls(macro, settings[key], fmt, f"config: {key}")


@dataclass(frozen=True)
class Macro:
    name: str
    tex: str  # what \name expands to
    value: Any  # the raw value, for the JSON twin
    source: str
    section: str
    is_flag: bool = False
    reviewer_only: str | None = None


class MacroSet:
    """An ordered store of macros and booleans that renders to LaTeX and to JSON."""

    def __init__(self) -> None:
        self._macros: dict[str, Macro] = {}

    def add(self, row: Row, section: str) -> None:
        if not re.fullmatch(r"[A-Za-z]+", row.macro):
            raise ValueError(f"LaTeX macro names are letters only, got {row.macro!r}")
        if row.macro in self._macros:
            raise ValueError(f"macro \\{row.macro} defined twice")
        f = row.fmt
        value = jsonable(f.raw(row.value))
        tex = f.tex(row.value)
        self._macros[row.macro] = Macro(
            row.macro, tex, value, row.source, section, f.boolean, row.reviewer_only
        )

    def __getitem__(self, name: str) -> Macro:
        return self._macros[name]

    def __contains__(self, name: str) -> bool:
        return name in self._macros

    def __iter__(self) -> Iterator[Macro]:
        return iter(self._macros.values())

    def __len__(self) -> int:
        return len(self._macros)

    def render(self, header: str = "") -> str:
        lines = [f"% {line}" for line in header.splitlines()]
        section = None
        for m in self._macros.values():
            if m.section != section:
                section = m.section
                lines.append(f"% --- section {section}")
            if m.is_flag:
                lines.append(rf"\newif\if{m.name}\{m.name}{m.tex}% {m.source}")
            else:
                lines.append(rf"\newcommand{{\{m.name}}}{{{m.tex}}}% {m.source}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            m.name: {
                "kind": "boolean" if m.is_flag else "value",
                "tex": m.tex,
                "value": m.value,
                "source": m.source,
                "section": m.section,
                "reviewer_only": m.reviewer_only,
            }
            for m in self._macros.values()
        }
