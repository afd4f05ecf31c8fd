# Tidy tables from the per-job files, and the statistics on them.


localrules:
    aggregate,
    aggregate_efficiency,
    aggregate_training,


rule aggregate:
    input:
        metrics=evaluation_files("metrics.json"),
        predictions=evaluation_files("predictions.csv"),
        code=script_code("aggregate.py"),
    output:
        metrics="results/aggregate/metrics.csv",
        predictions="results/aggregate/predictions.csv",
    log:
        "logs/aggregate.log",
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/aggregate.py"


rule aggregate_efficiency:
    input:
        records=expand("results/efficiency/{variant}.json", variant=VARIANTS),
        code=script_code("aggregate_records.py"),
    output:
        "results/aggregate/efficiency.csv",
    log:
        "logs/aggregate_efficiency.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        sort_by=["variant"],
    script:
        "../scripts/aggregate_records.py"


use rule aggregate_efficiency as aggregate_training with:
    input:
        records=expand("results/finetune/seed{seed}/summary.json", seed=SEEDS),
        code=script_code("aggregate_records.py"),
    output:
        "results/aggregate/training.csv",
    log:
        "logs/aggregate_training.log",
    params:
        sort_by=["seed"],


rule stats:
    input:
        metrics=rules.aggregate.output.metrics,
        predictions=rules.aggregate.output.predictions,
        variants=rules.describe_variants.output[0],
        code=script_code("stats.py"),
    output:
        tests="results/stats/tests.csv",
        mcnemar="results/stats/mcnemar.csv",
        selection="results/stats/selection.json",
    log:
        "logs/stats.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        stats=config["stats"],
    script:
        "../scripts/stats.py"
