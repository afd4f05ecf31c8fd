"""Paper figures: each function takes the tidy tables (DataFrames) and returns a Figure;
``save_figure`` writes it as PDF (paper) and PNG (README)."""

from frankenmodels.figures.layer_ci import layer_ci
from frankenmodels.figures.layer_impact import layer_impact
from frankenmodels.figures.seed_pairs import seed_pairs
from frankenmodels.figures.style import save_figure
from frankenmodels.figures.tradeoff import tradeoff

__all__ = ["layer_ci", "layer_impact", "save_figure", "seed_pairs", "tradeoff"]
