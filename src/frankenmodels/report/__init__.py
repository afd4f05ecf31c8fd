"""Turn results/ into LaTeX: one macros file (plus a JSON twin) and three tables.

Nothing in paper/ holds a result by hand; the prose reads these macros and branches on
the booleans they define, so a rerun with other results rewrites the paper's claims.

    inputs.py     what a job reads (the rule's config params and the stage outputs)
    settings.py   the config keys each reader declares, and the params a rule passes
    results.py    the lookups the sections and the tables share (means, tests, claims)
    latex.py      escaping and number formats;  macros.py  rows, formats, the macro store
    sections/     one module per paper section: its macros as a table of rows
    numbers.py    numbers.tex + numbers.json;  tables.py  the three booktabs tables

Nothing is imported here, so that a rule file can read the declared keys cheaply.
"""
