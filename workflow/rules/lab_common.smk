# The decoder studies' configuration checks, planned experiments and helpers: the surgery lab
# (docs/lab.md) and the merge/compress study (docs/compress.md), reported in one document.
import glob

from frankenmodels.config import (
    ConfigError,
    check_schema,
    fill_defaults,
    load_schema,
    sort_keys_in_place,
)
from frankenmodels.compress.config import check_compress
from frankenmodels.lab.config import check_lab
from frankenmodels.lab.job import chunk


def checked_decoder_config(config):
    """Validate the config against its schema (one-line errors naming the key), fill in the
    defaults, then the cross-key checks of each configured study."""
    schema = load_schema(Path(workflow.basedir) / "workflow/schemas/lab.schema.yaml")
    try:
        check_schema(config, schema)
        fill_defaults(config, schema)
        sort_keys_in_place(config)
        stage1 = check_lab(config["lab"]) if "lab" in config else []
        variants = check_compress(config["compress"]) if "compress" in config else []
        return stage1, variants
    except ConfigError as error:
        raise WorkflowError(f"Invalid configuration: {error}") from None


LAB_STAGE1, COMPRESS_VARIANTS = checked_decoder_config(config)
# The report's chapters, in order: each configured study adds its own.
REPORT_STUDIES = [study for study in ("lab", "compress") if study in config]


# The surgery lab's planned experiments (docs/lab.md).
if "lab" in config:
    LAB = config["lab"]
    LAB_JOBS = min(LAB["jobs"], len(LAB_STAGE1))
    LAB_CRITICAL = LAB["catalogue"]["critical"]["enabled"]
    LAB_ROLES = ["model", "donor"] if LAB["donor"] else ["model"]
    LAB_RUNS = expand("results/lab/runs/stage1_job{job}", job=range(LAB_JOBS))
    if LAB_CRITICAL:
        LAB_RUNS.append("results/lab/runs/stage2")
    LAB_FIGURES = ["deletion", "doubling", "windows", "patterns", "token_shifts"]
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


# The merge/compress study's variants and seeds (docs/compress.md).
if "compress" in config:
    COMPRESS = config["compress"]
    COMPRESS_NAMES = [variant.name for variant in COMPRESS_VARIANTS]
    COMPRESS_PARAMS = {
        variant.name: variant.to_params() for variant in COMPRESS_VARIANTS
    }
    COMPRESS_SEEDS = COMPRESS["seeds"]
    COMPRESS_DATA_SETTINGS = {
        "data": COMPRESS["data"],
        "lm_training": {"texts": COMPRESS["lm_training"]["texts"]},
        "perplexity": {
            key: COMPRESS["perplexity"][key]
            for key in (
                "documents",
                "min_characters",
                "max_tokens",
                "window",
                "stride",
                "min_total_tokens",
            )
        },
        "classification": {
            key: COMPRESS["classification"][key]
            for key in ("train_examples", "test_examples")
        },
    }
    COMPRESS_FIGURES = ["smoothness"] + [
        f"tradeoff_{scope}" for scope in COMPRESS["variants"]["scopes"]
    ]
    COMPRESS_DATA = "results/compress/data"
    # Every core of the machine: Snakemake lowers a rule's threads to --cores (workflow.cores
    # cannot be read under SLURM, which sets no --cores; the profile gives cpus_per_task).
    ALL_CORES = 1024
    COMPRESS_VARIANT_DIR = "results/compress/variants/{variant}"

    def variant_params(wildcards):
        return COMPRESS_PARAMS[wildcards.variant]

    def per_variant(pattern):
        return expand(pattern, variant=COMPRESS_NAMES)

    def per_variant_seed(pattern):
        return expand(pattern, variant=COMPRESS_NAMES, seed=COMPRESS_SEEDS)


# The report: its chapters, and what each configured study puts in it.
REPORT_SECTIONS = {
    "lab": ["lab/setup", "lab/deletion", "lab/patterns", "lab/notice"],
    "compress": ["lab/compress"],
}
REPORT_NUMBERS = {
    "lab": "paper/generated/lab/numbers.tex",
    "compress": "paper/generated/lab/compress_numbers.tex",
}


def report_inputs():
    """What each configured study puts in the report: its numbers, tables and figures."""
    inputs = []
    if "lab" in REPORT_STUDIES:
        inputs += rules.lab_numbers.output
        inputs += expand("results/lab/figures/{figure}.pdf", figure=LAB_FIGURES)
    if "compress" in REPORT_STUDIES:
        inputs += rules.compress_numbers.output
        inputs += expand("results/compress/figures/{chart}.pdf", chart=COMPRESS_FIGURES)
    return inputs
