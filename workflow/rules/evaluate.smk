# Each variant is built from a fine-tuned checkpoint by the surgery library and evaluated;
# its cost is measured once per variant (costs do not depend on the trained weights).


rule evaluate:
    input:
        model="results/finetune/seed{seed}/model",
        data="results/data/{split}.parquet",
        code=script_code("evaluate.py"),
    output:
        metrics="results/evaluate/{split}/seed{seed}/{variant}/metrics.json",
        predictions="results/evaluate/{split}/seed{seed}/{variant}/predictions.csv",
    log:
        "logs/evaluate/{split}/seed{seed}/{variant}.log",
    conda:
        "../../envs/model.yaml"
    threads: 1
    resources:
        gpu=1,
        mem_mb=8000,
        runtime=30,
    params:
        plan=lambda wildcards: VARIANT_PLANS[wildcards.variant].to_dict(),
        batch_size=config["evaluation"]["batch_size"],
        max_length=config["data"]["max_length"],
        num_labels=config["data"]["num_labels"],
        device=config["device"],
    script:
        "../scripts/evaluate.py"


rule efficiency:
    input:
        model=MODEL_DIR,
        data="results/data/validation.parquet",
        code=script_code("efficiency.py"),
    output:
        "results/efficiency/{variant}.json",
    log:
        "logs/efficiency/{variant}.log",
    conda:
        "../../envs/model.yaml"
    # Two threads and the whole of a small machine: timings are not shared with other jobs.
    threads: 2
    resources:
        gpu=1,
        mem_mb=8000,
        runtime=30,
    params:
        plan=lambda wildcards: VARIANT_PLANS[wildcards.variant].to_dict(),
        settings=config["efficiency"],
        max_length=config["data"]["max_length"],
        num_labels=config["data"]["num_labels"],
        device=config["device"],
    script:
        "../scripts/efficiency.py"
