"""Snakemake script for rule stats: tidy results in, results/stats/* out (logic lives in
frankenmodels.stats; the Snakefile puts src/ on PYTHONPATH)."""

import logging
from typing import Any

import pandas as pd

from frankenmodels.io import write_csv, write_json
from frankenmodels.stats.analyse import analyse


def main(smk: Any) -> None:
    log = list(getattr(smk, "log", []))
    if log:  # warnings (unpaired seeds, untested variants) belong in logs/stats.log
        logging.basicConfig(filename=log[0], filemode="w", level=logging.INFO, force=True)
        logging.captureWarnings(True)
    result = analyse(
        metrics=pd.read_csv(smk.input.metrics),
        predictions=pd.read_csv(smk.input.predictions),
        variants=pd.read_csv(smk.input.variants),
        config=dict(smk.params.stats),
    )
    write_csv(result.tests, smk.output.tests)
    write_csv(result.mcnemar, smk.output.mcnemar)
    write_json(smk.output.selection, result.selection)
    logging.getLogger("stats").info(
        "%d test rows, %d McNemar rows, selection chosen: %s",
        len(result.tests),
        len(result.mcnemar),
        result.selection["chosen"],
    )


if __name__ == "__main__":
    main(snakemake)
