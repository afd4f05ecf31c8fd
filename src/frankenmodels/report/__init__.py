"""Turn results/ into LaTeX: one macros file (plus a JSON twin) and three tables.

Nothing in paper/ holds a result by hand; the prose reads these macros and branches on
the booleans they define, so a rerun with other results rewrites the paper's claims.
"""

from frankenmodels.report.numbers import build_numbers, write_numbers
from frankenmodels.report.tables import build_tables, write_tables

__all__ = ["build_numbers", "write_numbers", "build_tables", "write_tables"]
