"""One-time failure injector for tests/cluster/test_slurm.py (test-only, never on a real run).

Python imports a module named ``sitecustomize`` at start-up from the first folder of
sys.path that has one. test_slurm.py prepends this folder to PYTHONPATH of the Snakemake
run it wants to disturb; the Snakefile keeps an existing PYTHONPATH, and SLURM jobs inherit
the environment (the plugin submits with ``sbatch --export=ALL``), so every Python process
of the run, local or in a SLURM job, imports this file. It does nothing unless:

  - FM_FAIL_ONCE_SCRIPT names a workflow script (e.g. ``stats.py``) and this process runs
    it: Snakemake runs a ``script:`` as ``python .snakemake/scripts/tmpXXXX.<name>``;
  - the process runs inside a SLURM job (SLURM_JOB_ID is set);
  - the marker file FM_FAIL_ONCE_MARKER does not exist yet: it is created atomically
    (O_EXCL) by the first matching process, which then exits with status 42.

So exactly one attempt of the chosen rule fails before its script starts; the retry (and
any later run) finds the marker and runs normally. The workflow itself is not changed.
"""

import os
import sys


def _fail_once() -> None:
    script = os.environ.get("FM_FAIL_ONCE_SCRIPT")
    marker = os.environ.get("FM_FAIL_ONCE_MARKER")
    if not script or not marker or "SLURM_JOB_ID" not in os.environ or not sys.argv:
        return
    if not os.path.basename(sys.argv[0]).endswith("." + script):
        return
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return  # failed once already: run normally
    with os.fdopen(fd, "w") as handle:
        handle.write(f"{os.environ['SLURM_JOB_ID']}\n")
    print(
        f"[fail-once] injected failure of {script} in SLURM job {os.environ['SLURM_JOB_ID']}"
        f" (marker {marker})",
        file=sys.stderr,
        flush=True,
    )
    os._exit(42)


_fail_once()
