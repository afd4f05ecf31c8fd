"""Macros of "Choosing the layer on held-out data" (results.tex): the honest selection
protocol, from selection.json and its single test in tests.csv."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frankenmodels.report.macros import FLAG, INT, LAYER, PP, TEXT, P, Row

if TYPE_CHECKING:
    from frankenmodels.report.results import Results
    from frankenmodels.report.settings import Settings

SETTINGS: tuple[str, ...] = ()
WHY_VARIANT = "SelectedLayer prints a layer index; this names the variant of its tests.csv row"


def rows(r: Results, c: Settings) -> list[Row]:
    claims, sel = r.claims, r.inp.selection
    chosen, test = claims.selected_variant, claims.selected
    scores = sel.get("scores") or {}
    src = f"tests.csv (selected, {chosen}, {r.study.sweep_metric})"
    if chosen is not None and test is None:
        raise KeyError(f"{src} is missing: the chosen variant was not tested")

    def stat(name: str):  # a statistic of the chosen variant's test; None when it did not run
        return None if test is None else getattr(test, name)

    return [
        Row("SelectionChosen", chosen is not None, FLAG, "selection.json: enabled and chosen"),
        Row("SelectionNumCandidates", len(scores), INT, "selection.json: scored variants"),
        Row("SelectedVariant", chosen or "none", TEXT, "selection.json: chosen", WHY_VARIANT),
        Row("SelectedLayer", (r.layer_of(chosen), chosen), LAYER, "variants.csv: its layer"),
        Row(
            "SelectedScorePP",
            scores.get(chosen) if chosen else None,
            PP,
            "selection.json: scores[chosen], pp",
        ),
        Row("SelectedDiffPP", stat("mean_diff"), PP, f"{src}: mean_diff, pp"),
        Row("SelectedTP", stat("t_p"), P, f"{src}: t_p"),
        Row("SelectedCILowPP", stat("ci_low"), PP, f"{src}: ci_low, pp"),
        Row("SelectedCIHighPP", stat("ci_high"), PP, f"{src}: ci_high, pp"),
        Row("SelectedSignificant", bool(stat("significant")), FLAG, f"{src}: significant"),
        Row("SelectedIsFocus", bool(claims.selected_is_focus), FLAG, "selection.json: chosen"),
        Row(
            "SelectedIsBest",
            chosen is not None and claims.best is not None and chosen == claims.best.variant,
            FLAG,
            "selection.json: chosen is the best variant of the sweep on validation",
        ),
    ]
