# The decoder surgery lab's configuration checks, planned experiments and helpers (docs/lab.md).
import glob

from frankenmodels.config import (
    ConfigError,
    check_schema,
    fill_defaults,
    load_schema,
    sort_keys_in_place,
)
from frankenmodels.lab.config import check_lab
from frankenmodels.lab.job import chunk


def checked_lab(config):
    """Validate the lab config (one-line errors naming the key) and plan stage 1."""
    schema = load_schema(Path(workflow.basedir) / "workflow/schemas/lab.schema.yaml")
    try:
        check_schema(config, schema)
        fill_defaults(config, schema)
        sort_keys_in_place(config)
        return check_lab(config["lab"])
    except ConfigError as error:
        raise WorkflowError(f"Invalid configuration: {error}") from None


LAB_STAGE1 = checked_lab(config)
LAB = config["lab"]
LAB_JOBS = min(LAB["jobs"], len(LAB_STAGE1))
LAB_CRITICAL = LAB["catalogue"]["critical"]["enabled"]
LAB_ROLES = ["model", "donor"] if LAB["donor"] else ["model"]
LAB_RUNS = expand("results/lab/runs/stage1_job{job}", job=range(LAB_JOBS))
if LAB_CRITICAL:
    LAB_RUNS.append("results/lab/runs/stage2")
LAB_FIGURES = ["deletion", "doubling", "windows", "patterns", "token_shifts"]
LAB_TARGETS = ["paper/frankenmodels_lab.pdf"]
LAB_MEASURE_KEYS = ("mode", "dtype", "probes", "perplexity", "math", "generations")


def lab_measure_settings():
    return {key: LAB[key] for key in LAB_MEASURE_KEYS}


def lab_job_plans(wildcards):
    """The plans of one stage-1 job, as data (a changed plan reruns only its job)."""
    return {
        v.name: v.plan.to_dict()
        for v in chunk(LAB_STAGE1, LAB_JOBS, int(wildcards.job))
    }


def lab_job_meta(wildcards):
    return {
        v.name: [v.family, v.layer]
        for v in chunk(LAB_STAGE1, LAB_JOBS, int(wildcards.job))
    }


LAB_JOB_INPUTS = dict(
    model="resources/lab/model",
    donor=["resources/lab/donor"] if LAB["donor"] else [],
    documents="results/lab/data/documents.json",
    math="results/lab/data/math.csv",
)
