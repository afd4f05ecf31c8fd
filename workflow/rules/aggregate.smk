# Tidy tables from the per-job files, and the statistics on them.


localrules:
    aggregate,
    aggregate_efficiency,
    aggregate_training,
    aggregate_benchmarks,
    provenance,


rule aggregate:
    input:
        metrics=evaluation_files("metrics.json"),
        predictions=evaluation_files("predictions.csv"),
        code=script_code("aggregate.py"),
    output:
        metrics=report(
            "results/aggregate/metrics.csv",
            caption="../report/aggregate.rst",
            category="Results",
        ),
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
        report(
            "results/aggregate/efficiency.csv",
            caption="../report/aggregate.rst",
            category="Results",
        ),
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
        report(
            "results/aggregate/training.csv",
            caption="../report/aggregate.rst",
            category="Results",
        ),
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
        tests=report(
            "results/stats/tests.csv",
            caption="../report/tests.rst",
            category="Statistics",
        ),
        mcnemar=report(
            "results/stats/mcnemar.csv",
            caption="../report/mcnemar.rst",
            category="Statistics",
        ),
        selection="results/stats/selection.json",
    log:
        "logs/stats.log",
    benchmark:
        "results/benchmarks/stats/all.tsv"
    conda:
        "../../envs/analysis.yaml"
    params:
        stats=config["stats"],
    script:
        "../scripts/stats.py"


rule aggregate_benchmarks:
    input:
        benchmarks=benchmark_files,
        code=script_code("aggregate_benchmarks.py"),
    output:
        report(
            "results/aggregate/benchmarks.csv",
            caption="../report/benchmarks.rst",
            category="Results",
        ),
    log:
        "logs/aggregate_benchmarks.log",
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/aggregate_benchmarks.py"


# The records of each compute rule carry the environment their job ran in.
PROVENANCE_RECORDS = dict(
    finetune=expand("results/finetune/seed{seed}/summary.json", seed=SEEDS),
    evaluate=evaluation_files("metrics.json"),
    efficiency=expand("results/efficiency/{variant}.json", variant=VARIANTS),
)


rule provenance:
    input:
        **PROVENANCE_RECORDS,
        code=script_code("provenance.py"),
    output:
        "results/aggregate/provenance.json",
    log:
        "logs/provenance.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        rules=list(PROVENANCE_RECORDS),
    script:
        "../scripts/provenance.py"
