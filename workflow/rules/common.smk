# Configuration checks, the planned variants, and helpers shared by the rule files.
import glob
import os
import sys
from pathlib import Path

from snakemake_interface_executor_plugins.settings import DeploymentMethod

SRC = Path(workflow.basedir) / "src"
# Every job (local, conda or SLURM) re-reads this Snakefile, so this reaches all scripts.
sys.path.insert(0, str(SRC))
os.environ.update(
    PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
)

from frankenmodels.config import (
    ConfigError,
    check_schema,
    check_semantics,
    fill_defaults,
    load_schema,
    sort_keys_in_place,
)
from frankenmodels.importgraph import ImportGraph
from frankenmodels.surgery import PlanError, expand_variants, variant_family


def checked_variants(config):
    """Validate the config (one-line errors) and return the expanded variant plans."""
    schema = load_schema(Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
    try:
        check_schema(config, schema)
        fill_defaults(config, schema)
        sort_keys_in_place(config)
        try:
            plans = expand_variants(config["variants"], config["model"]["num_layers"])
        except PlanError as error:
            raise ConfigError(f"config key variants: {error}") from None
        families = variant_family(config["variants"], config["model"]["num_layers"])
        # With conda, model packages are installed into envs/model.yaml, not this Python.
        uses_conda = (
            DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method
        )
        check_semantics(
            config,
            list(plans),
            {name: family for name, (family, _) in families.items()},
            check_packages=not uses_conda,
        )
    except ConfigError as error:
        raise WorkflowError(f"Invalid configuration: {error}") from None
    return plans


VARIANT_PLANS = checked_variants(config)
VARIANTS = list(VARIANT_PLANS)
FAMILIES = variant_family(config["variants"], config["model"]["num_layers"])
SEEDS = [int(seed) for seed in config["training"]["seeds"]]
SELECTION = config["stats"]["selection"]
PAPERS = ["frankenmodels_article", "frankenmodels_article_simple"]
FIGURES = ["layer_impact", "seed_pairs", "tradeoff", "layer_ci"]
MODEL_DIR = "resources/models/pretrained"
IMPORT_GRAPH = ImportGraph(SRC)


wildcard_constraints:
    seed=r"\d+",
    variant="|".join(VARIANTS),
    split="validation|selection",


def script_code(script):
    """The library files that workflow/scripts/<script> runs, read from its import graph, as
    inputs: editing one reruns exactly the jobs that run it (Snakemake's own code trigger
    sees only the script file)."""
    entry = Path(workflow.basedir).resolve() / "workflow" / "scripts" / script
    return [
        str(path.relative_to(Path(workflow.basedir).resolve()))
        for path in IMPORT_GRAPH.local_files(entry, "frankenmodels")
    ]


def evaluated_variants(split):
    """The variants evaluated on a split: all of them on validation; on the selection split
    only base and the family the honest protocol chooses from."""
    if split == "validation":
        return VARIANTS
    if not SELECTION["enabled"]:
        return []
    return [
        variant
        for variant in VARIANTS
        if variant == config["stats"]["base_variant"]
        or FAMILIES[variant][0] == SELECTION["family"]
    ]


def evaluations():
    """(split, seed, variant) of every evaluated variant; one evaluate job per split and
    seed evaluates all of that split's variants."""
    return [
        (split, seed, variant)
        for split in ("validation", "selection")
        for seed in SEEDS
        for variant in evaluated_variants(split)
    ]


def evaluation_files(kind):
    return [
        f"results/evaluate/{split}/seed{seed}/{variant}/{kind}"
        for split, seed, variant in evaluations()
    ]


def sweep_outputs(split, kind):
    """An evaluate job's files of one kind, one per variant; the seed stays a wildcard."""
    return [
        f"results/evaluate/{split}/seed{{seed}}/{variant}/{kind}"
        for variant in evaluated_variants(split)
    ]


def sweep_plans(split):
    """The plans an evaluate job builds, by variant name, in the order of its outputs."""
    return {
        variant: VARIANT_PLANS[variant].to_dict()
        for variant in evaluated_variants(split)
    }


def without(section, *keys):
    """A config section minus the keys that do not change a job's result (rerun triggers)."""
    return {key: value for key, value in config[section].items() if key not in keys}


def local_data_files():
    """The local data files, so that replacing one reruns the download."""
    data = config["data"]
    if data["source"] != "local":
        return []
    local = data["local"]
    return [str(Path(local["dir"]) / local[split]) for split in ("train", "validation")]


def benchmark_files():
    """Snakemake's time and memory record of every compute job (`benchmark:` of its rule)."""
    once = ["download_data", "prepare_data", "download_model", "stats"]
    return (
        [f"results/benchmarks/{rule}/all.tsv" for rule in once]
        + expand("results/benchmarks/finetune/seed{seed}.tsv", seed=SEEDS)
        + expand("results/benchmarks/efficiency/{variant}.tsv", variant=VARIANTS)
        + [
            f"results/benchmarks/evaluate/{split}/seed{seed}.tsv"
            for split in ("validation", "selection")
            if evaluated_variants(split)
            for seed in SEEDS
        ]
    )
