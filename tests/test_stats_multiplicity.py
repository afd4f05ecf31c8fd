"""Holm correction: hand-checked values, input order, NaN handling, properties."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from frankenmodels.stats.multiplicity import holm


def test_holm_hand_checked_on_unsorted_input() -> None:
    # Sorted: .01 * 3 = .03, .03 * 2 = .06, .04 * 1 = .04 -> running max .06; back in input order.
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])


def test_holm_matches_statsmodels_and_keeps_order() -> None:
    p = np.array([0.2, 0.001, 0.04, 0.03, 0.5, 0.012])
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1])
    # The smallest raw p keeps the smallest adjusted p at its own position.
    assert np.argmin(holm(p)) == 1


def test_holm_nan_counts_as_family_member() -> None:
    out = holm([0.01, np.nan])
    assert out[0] == pytest.approx(0.02)  # family of 2, not 1
    assert np.isnan(out[1])


def test_holm_empty_and_single() -> None:
    assert holm([]).size == 0
    assert holm([0.03])[0] == pytest.approx(0.03)


def test_holm_properties_on_random_families(monkeypatch: pytest.MonkeyPatch) -> None:
    # statsmodels' Holm calls gc.collect() each time (~0.1 s here); it cannot change results.
    monkeypatch.setattr(gc, "collect", lambda *args, **kwargs: 0)
    rng = np.random.default_rng(5)
    for _ in range(200):
        m = int(rng.integers(1, 16))
        p = rng.uniform(size=m) ** 3  # skewed towards small p, where the steps matter
        p[rng.uniform(size=m) < 0.2] = p[0]  # and some ties
        adj = holm(p)
        assert np.all(adj >= p - 1e-15) and np.all(adj <= 1)
        perm = rng.permutation(m)
        np.testing.assert_allclose(holm(p[perm]), adj[perm])  # order-equivariant
        order = np.argsort(p, kind="stable")
        assert np.all(np.diff(adj[order]) >= -1e-15)  # monotone in the raw p
        # Holm never rejects more than uncorrected testing, never fewer than Bonferroni.
        assert np.sum(adj <= 0.05) <= np.sum(p <= 0.05)
        assert np.sum(adj <= 0.05) >= np.sum(np.minimum(p * m, 1) <= 0.05)
