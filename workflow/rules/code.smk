# The library on every job's path, and the code each script runs as its inputs. Shared by
# the paper's rule files and the lab's.
import os
import sys
from pathlib import Path

SRC = Path(workflow.basedir) / "src"
# Every job (local, conda or SLURM) re-reads this Snakefile, so this reaches all scripts.
sys.path.insert(0, str(SRC))
os.environ.update(
    PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
)

from frankenmodels.importgraph import ImportGraph

IMPORT_GRAPH = ImportGraph(SRC)


def script_code(script):
    """The library files that workflow/scripts/<script> runs, read from its import graph, as
    inputs: editing one reruns exactly the jobs that run it (Snakemake's own code trigger
    sees only the script file)."""
    entry = Path(workflow.basedir).resolve() / "workflow" / "scripts" / script
    return [
        str(path.relative_to(Path(workflow.basedir).resolve()))
        for path in IMPORT_GRAPH.local_files(entry, "frankenmodels")
    ]
