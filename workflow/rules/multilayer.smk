# Several layers at once (docs/multilayer.md): single-layer gains on the selection split and
# training-free signals, then an integer program's plan per budget (a checkpoint), then the
# chosen plans measured on validation for every seed and tested like any other variant.


localrules:
    layer_gains,
    signal_agreement,
    choose_plans,
    multilayer_stats,


# Block Influence and angular distance of each layer of a fine-tuned seed: one forward pass.
rule layer_signals:
    input:
        model="results/finetune/seed{seed}/model",
        data="results/data/selection.parquet",
        code=script_code("layer_signals.py"),
    output:
        "results/multilayer/signals/seed{seed}.csv",
    log:
        "logs/multilayer/signals/seed{seed}.log",
    benchmark:
        "results/benchmarks/layer_signals/seed{seed}.tsv"
    conda:
        "../../envs/model.yaml"
    threads: 1
    resources:
        gpu=1,
        mem_mb=8000,
        runtime=30,
    params:
        signals=MULTI["signals"],
        max_length=config["data"]["max_length"],
        num_labels=config["data"]["num_labels"],
        device=config["device"],
    script:
        "../scripts/layer_signals.py"


rule layer_gains:
    input:
        metrics=[
            f"results/evaluate/selection/seed{seed}/{variant}/metrics.json"
            for seed in SEEDS
            for variant in [config["stats"]["base_variant"], *ESTIMATION]
        ],
        code=script_code("layer_gains.py"),
    output:
        "results/multilayer/gains.csv",
    log:
        "logs/multilayer/layer_gains.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        base=config["stats"]["base_variant"],
        metric=MULTI["objective_metric"],
        num_layers=config["model"]["num_layers"],
        max_copies=MULTI["max_copies"],
    script:
        "../scripts/layer_gains.py"


rule signal_agreement:
    input:
        gains=rules.layer_gains.output[0],
        signals=expand(rules.layer_signals.output[0], seed=SEEDS),
        code=script_code("signal_agreement.py"),
    output:
        signals="results/multilayer/signals.csv",
        agreement="results/multilayer/agreement.csv",
    log:
        "logs/multilayer/signal_agreement.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        confidence=config["stats"]["ci_level"],
        resamples=config["stats"]["bootstrap_resamples"],
        seed=config["stats"]["bootstrap_seed"],
    script:
        "../scripts/signal_agreement.py"


# The plans are known only once this has run: what follows is planned from plans.json.
checkpoint choose_plans:
    input:
        gains=rules.layer_gains.output[0],
        model=MODEL_DIR,
        code=script_code("choose_plans.py"),
    output:
        plans=PLANS_FILE,
        estimates="results/multilayer/estimates.csv",
    log:
        "logs/multilayer/choose_plans.log",
    benchmark:
        "results/benchmarks/choose_plans/all.tsv"
    conda:
        "../../envs/model.yaml"
    params:
        settings=without("multi_layer", "enabled", "signals"),
        seq_len=config["data"]["max_length"],
        num_labels=config["data"]["num_labels"],
    script:
        "../scripts/choose_plans.py"


# The chosen plans of one seed in one pass, as the single-layer sweep. The plans come as params
# (rebuilt from their names), so an edit of the program that chooses the same plans reruns
# nothing here.
use rule evaluate as evaluate_chosen with:
    input:
        model="results/finetune/seed{seed}/model",
        data="results/data/validation.parquet",
        code=script_code("evaluate.py"),
    output:
        folder=directory("results/multilayer/evaluate/seed{seed}"),
    log:
        "logs/multilayer/evaluate/seed{seed}.log",
    benchmark:
        "results/benchmarks/evaluate_chosen/seed{seed}.tsv"
    params:
        split="validation",
        plans=chosen_plan_dicts,


rule multilayer_stats:
    input:
        unpack(multilayer_stats_inputs),
    output:
        tests=report(
            "results/multilayer/tests.csv",
            caption="../report/multilayer_tests.rst",
            category="Statistics",
        ),
        metrics="results/multilayer/metrics.csv",
    log:
        "logs/multilayer/stats.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        stats=config["stats"],
    script:
        "../scripts/multilayer_stats.py"
