# Configuration checks, the planned variants, and helpers shared by the paper's rule files.
import glob
from pathlib import Path

from snakemake_interface_executor_plugins.settings import DeploymentMethod

from frankenmodels.config import (
    ConfigError,
    check_schema,
    check_semantics,
    fill_defaults,
    load_schema,
    sort_keys_in_place,
)
from frankenmodels.io import read_json
from frankenmodels.multilayer import (
    actions_from_name,
    estimation_variants,
    plan_from_actions,
)
from frankenmodels.multilayer.choose import chosen_plans
from frankenmodels.multilayer.costs import COUNTED_MODEL_TYPES
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
        check_countable(config)
    except ConfigError as error:
        raise WorkflowError(f"Invalid configuration: {error}") from None
    return plans


def check_countable(config):
    """The multi-layer program counts costs from the model's config: refuse, before any job,
    a model type it cannot count (known here only for a model built from its architecture).
    """
    model_type = (config["model"].get("architecture") or {}).get("model_type")
    if config["multi_layer"]["enabled"] and model_type not in (
        None,
        *COUNTED_MODEL_TYPES,
    ):
        raise ConfigError(
            f"config key multi_layer.enabled: cannot count the costs of model_type "
            f"{model_type!r} (known: {', '.join(COUNTED_MODEL_TYPES)}); set it to false"
        )


VARIANT_PLANS = checked_variants(config)
VARIANTS = list(VARIANT_PLANS)
FAMILIES = variant_family(config["variants"], config["model"]["num_layers"])
SEEDS = [int(seed) for seed in config["training"]["seeds"]]
SELECTION = config["stats"]["selection"]
PAPERS = ["frankenmodels_article", "frankenmodels_article_simple"]
FIGURES = ["layer_impact", "seed_pairs", "tradeoff", "layer_ci"]
MODEL_DIR = "resources/models/pretrained"
MULTI = config["multi_layer"]
# The single-layer variants whose selection-split gains the multi-layer program needs.
ESTIMATION = (
    estimation_variants(config["model"]["num_layers"], MULTI["max_copies"])
    if MULTI["enabled"]
    else {}
)
PLANS_FILE = "results/multilayer/plans.json"
if MULTI["enabled"]:
    FIGURES.append("multilayer")
# The fine-tuning methods compared (training the base model) and used to heal FrankenModels.
TRAINED_WITH = config["training"]["method"]
COMPARE = config["finetuning"]["compare"]
HEALING = config["finetuning"]["healing"]
COMPARED = COMPARE["methods"] if COMPARE["enabled"] else []
HEALED_WITH = HEALING["methods"] if HEALING["enabled"] else []


wildcard_constraints:
    seed=r"\d+",
    # A chosen multi-layer plan is named by what it does (ilp_del0_dup3): see plan_of().
    variant="|".join([*VARIANTS, *ESTIMATION, "ilp_[a-z0-9_]+"]),
    split="validation|selection",
    method="full|lora|layer_selective",


def plan_of(variant):
    """The surgery plan of a configured variant, of a single-layer estimate, or of a plan the
    multi-layer program chose (rebuilt from its name, so no job needs the checkpoint's file).
    """
    if variant in VARIANT_PLANS:
        return VARIANT_PLANS[variant]
    num_layers = config["model"]["num_layers"]
    if variant in ESTIMATION:
        layer, action = ESTIMATION[variant]
        return plan_from_actions(
            [action if i == layer else 0 for i in range(num_layers)]
        )
    return plan_from_actions(actions_from_name(variant, num_layers))


def evaluated_variants(split):
    """The variants evaluated on a split: all of them on validation; on the selection split
    base, the family the honest protocol chooses from, and the multi-layer estimates."""
    if split == "validation":
        return VARIANTS
    base = config["stats"]["base_variant"]
    chosen_from = [
        variant
        for variant in VARIANTS
        if SELECTION["enabled"] and FAMILIES[variant][0] == SELECTION["family"]
    ]
    wanted = [*chosen_from, *ESTIMATION]
    return list(dict.fromkeys([base, *wanted])) if wanted else []


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
        variant: plan_of(variant).to_dict() for variant in evaluated_variants(split)
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


def chosen():
    """The distinct plans the multi-layer checkpoint chose: an input function's helper, so
    that what follows the checkpoint waits for it (and is planned once it has run)."""
    if not MULTI["enabled"]:
        return []
    return chosen_plans(read_json(checkpoints.choose_plans.get().output.plans))


def chosen_plan_dicts(wildcards):
    """The chosen plans by name, for the evaluate_chosen job; it is only planned once the
    checkpoint has run (multilayer_stats asks for it), so the file exists."""
    return {
        name: plan_of(name).to_dict() for name in chosen_plans(read_json(PLANS_FILE))
    }


def multilayer_stats_inputs(wildcards):
    """The chosen plans' evaluations and efficiency records, with the base's: known once
    the checkpoint has run."""
    base = config["stats"]["base_variant"]
    plans = chosen()  # waits for the checkpoint
    return dict(
        plans=PLANS_FILE,
        base=[
            f"results/evaluate/validation/seed{seed}/{base}/metrics.json"
            for seed in SEEDS
        ],
        chosen=(
            expand("results/multilayer/evaluate/seed{seed}", seed=SEEDS)
            if plans
            else []
        ),
        efficiency=expand("results/efficiency/{variant}.json", variant=[base, *plans]),
        code=script_code("multilayer_stats.py"),
    )


def benchmark_files(wildcards):
    """Snakemake's time and memory record of every compute job (`benchmark:` of its rule);
    an input function, since the chosen plans' jobs are known after the checkpoint."""
    once = ["download_data", "prepare_data", "download_model", "stats"]
    multi = []
    if MULTI["enabled"]:
        plans = chosen()
        multi = [
            "results/benchmarks/choose_plans/all.tsv",
            *expand("results/benchmarks/layer_signals/seed{seed}.tsv", seed=SEEDS),
            *expand(
                "results/benchmarks/evaluate_chosen/seed{seed}.tsv",
                seed=SEEDS if plans else [],
            ),
            *expand("results/benchmarks/efficiency/{variant}.tsv", variant=plans),
        ]
    trained = [method for method in COMPARED if method != TRAINED_WITH]
    finetuning = [
        *expand(
            "results/benchmarks/{step}/{method}/seed{seed}.tsv",
            step=["finetune_method", "evaluate_method"],
            method=trained,
            seed=SEEDS,
        ),
        # heal jobs follow the checkpoint, which chosen() above has waited for
        *expand(
            "results/benchmarks/heal/{method}/seed{seed}.tsv",
            method=HEALED_WITH,
            seed=SEEDS,
        ),
    ]
    return (
        multi
        + finetuning
        + (
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
    )


def method_run(method, seed):
    """The folder of one seed's base model trained with `method`: the paper's own fine-tuning
    for training.method (trained once, not twice), results/methods/ for the others."""
    if method == TRAINED_WITH:
        return f"results/finetune/seed{seed}"
    return f"results/methods/{method}/seed{seed}"


def method_training(method, learning_rates=None):
    """training's settings (less the seeds) for `method`, at its learning rate; without the
    sections the method does not read, so that editing LoRA's rank does not retrain full.
    """
    settings = {**without("training", "seeds"), "method": method}
    settings["learning_rate"] = (learning_rates or {}).get(method) or settings[
        "learning_rate"
    ]
    uses_lora = method == "lora" or (
        method == "layer_selective" and settings["selective"]["mode"] == "lora"
    )
    if not uses_lora:
        del settings["lora"]
    if method != "layer_selective":
        del settings["selective"]
    return settings


def method_metrics(method, seed):
    """The validation metrics of that base model (the paper's base evaluation for its own)."""
    base = config["stats"]["base_variant"]
    if method == TRAINED_WITH:
        return f"results/evaluate/validation/seed{seed}/{base}/metrics.json"
    return f"results/methods/{method}/seed{seed}/evaluate/{base}/metrics.json"


def healed_plans():
    """The plans healed, by name: the focus variant and, when asked, the plans the multi-layer
    checkpoint chose (read from its file: heal jobs are planned after it, see healing_inputs).
    """
    names = [config["stats"]["focus_variant"]]
    if HEALING["include_chosen"] and MULTI["enabled"] and Path(PLANS_FILE).is_file():
        names += chosen_plans(read_json(PLANS_FILE))
    return {name: plan_of(name).to_dict() for name in dict.fromkeys(names)}


def heal_plans_file(wildcards):
    """The checkpoint's file, for a heal job that heals the chosen plans: it is planned once
    the checkpoint has run, so its params can read the plans."""
    if HEALING["include_chosen"] and MULTI["enabled"]:
        chosen()  # waits for the checkpoint
        return [PLANS_FILE]
    return []


def healing_inputs(wildcards):
    """Every heal job's folder; with chosen plans, known once the checkpoint has run."""
    if HEALING["include_chosen"]:
        chosen()  # waits for the checkpoint
    return dict(
        healed=expand(
            "results/healing/{method}/seed{seed}", method=HEALED_WITH, seed=SEEDS
        ),
        code=script_code("healing_stats.py"),
    )
