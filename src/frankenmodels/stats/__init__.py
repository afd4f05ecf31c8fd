"""Statistics stage (issue 5): paired tests, intervals, Holm, McNemar, power, honest selection.

Entry points: `analyse` builds tests.csv / mcnemar.csv / selection.json from the tidy results;
`summarise_claims` turns them into plain values for the paper's sentences.
"""

from frankenmodels.stats.analyse import EXTRA_COLUMNS, TESTS_COLUMNS, StatsResult, analyse
from frankenmodels.stats.claims import CLAIM_KEYS_DOC, summarise_claims
from frankenmodels.stats.config import SelectionConfig, StatsConfig

__all__ = [
    "CLAIM_KEYS_DOC",
    "EXTRA_COLUMNS",
    "TESTS_COLUMNS",
    "SelectionConfig",
    "StatsConfig",
    "StatsResult",
    "analyse",
    "summarise_claims",
]
