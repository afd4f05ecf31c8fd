"""Paper figures, one module each: a function that takes the tidy tables (DataFrames) and
returns a Figure, named after its module; ``style.save_figure`` writes it as PDF (paper) and
PNG (README).

This package imports none of its modules: a figure script imports its own figure's module and
the style, so its rule depends on (and an edit reruns) only that figure.
"""
