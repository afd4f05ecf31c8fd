# Fine-tuning, one job per seed.


rule finetune:
    input:
        model=MODEL_DIR,
        train="results/data/train.parquet",
        code=script_code("finetune.py"),
    output:
        model=directory("results/finetune/seed{seed}/model"),
        history="results/finetune/seed{seed}/history.csv",
        summary="results/finetune/seed{seed}/summary.json",
    log:
        "logs/finetune/seed{seed}.log",
    benchmark:
        "results/benchmarks/finetune/seed{seed}.tsv"
    conda:
        "../../envs/model.yaml"
    threads: 2
    resources:
        gpu=1,
        mem_mb=16000,
        runtime=180,
    params:
        # The seed list is left out on purpose: adding a seed must not retrain the others.
        training=method_training(TRAINED_WITH),
        max_length=config["data"]["max_length"],
        num_labels=config["data"]["num_labels"],
        device=config["device"],
        resume_dir="results/.resume",
    script:
        "../scripts/finetune.py"
