# Fine-tuning methods (docs/finetuning.md): the base model trained with each compared method,
# per seed, with the same seeds and data order; and FrankenModels healed by a short extra
# training with each method, against the base model trained for the same steps.


localrules:
    method_stats,
    healing_stats,


# The other methods' fine-tuning: the same job as the paper's, with another method.
use rule finetune as finetune_method with:
    output:
        model=directory("results/methods/{method}/seed{seed}/model"),
        history="results/methods/{method}/seed{seed}/history.csv",
        summary="results/methods/{method}/seed{seed}/summary.json",
    log:
        "logs/methods/finetune/{method}/seed{seed}.log",
    benchmark:
        "results/benchmarks/finetune_method/{method}/seed{seed}.tsv"
    params:
        training=lambda wildcards: method_training(
            wildcards.method, COMPARE["learning_rate"]
        ),


# Their base model on validation (no surgery: the comparison is of training methods).
use rule evaluate as evaluate_method with:
    input:
        model="results/methods/{method}/seed{seed}/model",
        data="results/data/validation.parquet",
        code=script_code("evaluate.py"),
    output:
        metrics=[
            f"results/methods/{{method}}/seed{{seed}}/evaluate/{config['stats']['base_variant']}/metrics.json"
        ],
        predictions=[
            f"results/methods/{{method}}/seed{{seed}}/evaluate/{config['stats']['base_variant']}/predictions.csv"
        ],
    log:
        "logs/methods/evaluate/{method}/seed{seed}.log",
    benchmark:
        "results/benchmarks/evaluate_method/{method}/seed{seed}.tsv"
    params:
        split="validation",
        plans={
            config["stats"]["base_variant"]: plan_of(
                config["stats"]["base_variant"]
            ).to_dict()
        },


rule method_stats:
    input:
        metrics=[method_metrics(m, s) for m in COMPARED for s in SEEDS],
        summaries=[f"{method_run(m, s)}/summary.json" for m in COMPARED for s in SEEDS],
        code=script_code("method_stats.py"),
    output:
        runs="results/methods/runs.csv",
        summary=report(
            "results/methods/summary.csv",
            caption="../report/methods.rst",
            category="Fine-tuning methods",
        ),
        tests=report(
            "results/methods/tests.csv",
            caption="../report/methods.rst",
            category="Fine-tuning methods",
        ),
        claims=report(
            "results/methods/claims.csv",
            caption="../report/methods.rst",
            category="Fine-tuning methods",
        ),
    log:
        "logs/methods/stats.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        methods=COMPARED,
        reference=COMPARE["reference"],
        stats=config["stats"],
    script:
        "../scripts/method_stats.py"


# One job per method and seed heals every plan and trains its controls, one after another
# from the seed's fine-tuned checkpoint (each arm starts from a fresh copy of it).
rule heal:
    input:
        model="results/finetune/seed{seed}/model",
        train="results/data/train.parquet",
        data="results/data/validation.parquet",
        plans=heal_plans_file,
        code=script_code("heal.py"),
    output:
        directory("results/healing/{method}/seed{seed}"),
    log:
        "logs/healing/{method}/seed{seed}.log",
    benchmark:
        "results/benchmarks/heal/{method}/seed{seed}.tsv"
    conda:
        "../../envs/model.yaml"
    threads: 2
    resources:
        gpu=1,
        mem_mb=16000,
        runtime=120,
    params:
        # Planned after the multi-layer checkpoint (healing_inputs), so its file exists.
        plans=lambda wildcards: healed_plans(),
        base=config["stats"]["base_variant"],
        training=lambda wildcards: method_training(
            wildcards.method, HEALING["learning_rate"]
        ),
        steps_fraction=HEALING["steps_fraction"],
        max_length=config["data"]["max_length"],
        num_labels=config["data"]["num_labels"],
        batch_size=config["evaluation"]["batch_size"],
        device=config["device"],
        resume_dir="results/.resume",
    script:
        "../scripts/heal.py"


rule healing_stats:
    input:
        unpack(healing_inputs),
    output:
        runs="results/healing/runs.csv",
        tests=report(
            "results/healing/tests.csv",
            caption="../report/healing.rst",
            category="Fine-tuning methods",
        ),
    log:
        "logs/healing/stats.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        methods=HEALED_WITH,
        stats=config["stats"],
    script:
        "../scripts/healing_stats.py"
