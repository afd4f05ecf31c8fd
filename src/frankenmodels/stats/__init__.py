"""Statistics stage (issue 5): paired tests, intervals, Holm, McNemar, power, honest selection.

Entry points: `analyse.analyse` builds tests.csv / mcnemar.csv / selection.json from the tidy
results; `claims.summarise_claims` turns them into the typed claims of the paper's sentences;
`pairing` pairs a variant with the base seed by seed for everyone (stats, figures, report).
Nothing is imported here, so that `pairing` needs neither scipy nor statsmodels (the figure
rules' environment has neither).
"""
