"""Send a job's logging, warnings and progress bars to its Snakemake log file."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def log_to(path: str) -> None:
    """Route stdout, stderr and `logging` (INFO and up) to `path` for the rest of the job."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    stream = open(path, "a", buffering=1, encoding="utf-8")  # open for the rest of the job
    sys.stdout = sys.stderr = stream
    logging.basicConfig(
        stream=stream,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    logging.captureWarnings(True)
