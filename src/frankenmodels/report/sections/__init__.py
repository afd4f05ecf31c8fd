"""The paper's sections, each the module that produces its macros, in the paper's order.

A section module declares SETTINGS (the config keys it reads, which its rule passes as
params) and `rows(results, settings) -> list[Row]`. The list below is the registry: it is
written out, not discovered at run time, so that the import graph of the numbers job (its
code inputs) sees every section. A new section: one module here, one .tex file in
paper/sections/ (see docs/report.md).
"""

from __future__ import annotations

from frankenmodels.report.sections import (
    efficiency,
    finetuning,
    healing,
    multilayer,
    performance,
    provenance,
    selection,
    setup,
    significance,
    sweep,
    threats,
    training,
)
from frankenmodels.report.settings import STUDY_KEYS

SECTIONS = (
    setup,
    training,
    performance,
    significance,
    sweep,
    selection,
    efficiency,
    multilayer,
    finetuning,
    healing,
    threats,
    provenance,
)


def section_name(module) -> str:
    return module.__name__.rsplit(".", 1)[-1]


# The config keys the numbers rule passes as params: the shared lookups' and every section's.
NUMBERS_SETTINGS: tuple[str, ...] = tuple(
    sorted({*STUDY_KEYS, *(key for section in SECTIONS for key in section.SETTINGS)})
)
