"""Family-wise error control across the variants of one sweep."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from statsmodels.stats.multitest import multipletests


def holm(pvalues: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values, returned in the input order.

    Uses statsmodels' ``multipletests(method="holm")``, which sorts internally (unlike deepsig's
    bonferroni_correction, which misorders unsorted input). A NaN p (an undefined test, e.g. all
    differences zero) still counts as a member of the family, as if p = 1, so dropping it cannot
    weaken the correction of the others; its adjusted value stays NaN.
    Reject H0 at family-wise level alpha where the adjusted p <= alpha.
    """
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1:
        raise ValueError("holm expects a 1-D sequence of p-values")
    if p.size == 0:
        return p.copy()
    missing = np.isnan(p)
    _, adjusted, _, _ = multipletests(np.where(missing, 1.0, p), method="holm")
    adjusted = np.asarray(adjusted, dtype=float)
    adjusted[missing] = np.nan
    return adjusted
