# Each variant is built from a fine-tuned checkpoint by the surgery library and evaluated;
# its cost is measured once per variant (costs do not depend on the trained weights).


# One job per seed and split evaluates all of that split's variants in one pass (each shared
# prefix of their layer stacks runs once); the outputs stay one pair of files per variant.
rule evaluate:
    input:
        model="results/finetune/seed{seed}/model",
        data="results/data/validation.parquet",
        code=script_code("evaluate.py"),
    output:
        metrics=sweep_outputs("validation", "metrics.json"),
        predictions=sweep_outputs("validation", "predictions.csv"),
    log:
        "logs/evaluate/validation/seed{seed}.log",
    benchmark:
        "results/benchmarks/evaluate/validation/seed{seed}.tsv"
    conda:
        "../../envs/model.yaml"
    threads: 1
    resources:
        gpu=1,
        mem_mb=8000,
        runtime=30,
    params:
        split="validation",
        plans=sweep_plans("validation"),
        batch_size=config["evaluation"]["batch_size"],
        max_length=config["data"]["max_length"],
        num_labels=config["data"]["num_labels"],
        device=config["device"],
    script:
        "../scripts/evaluate.py"


# The selection split: base, the family the honest protocol chooses from, and the
# single-layer estimates of the multi-layer study.
if evaluated_variants("selection"):

    use rule evaluate as evaluate_selection with:
        input:
            model="results/finetune/seed{seed}/model",
            data="results/data/selection.parquet",
            code=script_code("evaluate.py"),
        output:
            metrics=sweep_outputs("selection", "metrics.json"),
            predictions=sweep_outputs("selection", "predictions.csv"),
        log:
            "logs/evaluate/selection/seed{seed}.log",
        benchmark:
            "results/benchmarks/evaluate/selection/seed{seed}.tsv"
        params:
            split="selection",
            plans=sweep_plans("selection"),


rule efficiency:
    input:
        model=MODEL_DIR,
        data="results/data/validation.parquet",
        code=script_code("efficiency.py"),
    output:
        "results/efficiency/{variant}.json",
    log:
        "logs/efficiency/{variant}.log",
    benchmark:
        "results/benchmarks/efficiency/{variant}.tsv"
    conda:
        "../../envs/model.yaml"
    # Two threads and the whole of a small machine: timings are not shared with other jobs.
    threads: 2
    resources:
        gpu=1,
        mem_mb=8000,
        runtime=30,
    params:
        plan=lambda wildcards: plan_of(wildcards.variant).to_dict(),
        settings=config["efficiency"],
        max_length=config["data"]["max_length"],
        num_labels=config["data"]["num_labels"],
        device=config["device"],
    script:
        "../scripts/efficiency.py"
