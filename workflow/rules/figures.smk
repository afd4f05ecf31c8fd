# One rule per figure: vector PDF for the paper, PNG for the README.


localrules:
    figure_layer_impact,
    figure_seed_pairs,
    figure_tradeoff,
    figure_layer_ci,
    figure_multilayer,


rule figure_layer_impact:
    input:
        metrics=rules.aggregate.output.metrics,
        tests=rules.stats.output.tests,
        variants=rules.describe_variants.output[0],
        code=script_code("figure_layer_impact.py"),
    output:
        pdf="results/figures/layer_impact.pdf",
        png=report(
            "results/figures/layer_impact.png",
            caption="../report/layer_impact.rst",
            category="Figures",
        ),
    log:
        "logs/figures/layer_impact.log",
    conda:
        "../../envs/figures.yaml"
    params:
        focus_variant=config["stats"]["focus_variant"],
        base_variant=config["stats"]["base_variant"],
        metric=config["stats"]["selection"]["metric"],
    script:
        "../scripts/figure_layer_impact.py"


rule figure_seed_pairs:
    input:
        metrics=rules.aggregate.output.metrics,
        code=script_code("figure_seed_pairs.py"),
    output:
        pdf="results/figures/seed_pairs.pdf",
        png=report(
            "results/figures/seed_pairs.png",
            caption="../report/seed_pairs.rst",
            category="Figures",
        ),
    log:
        "logs/figures/seed_pairs.log",
    conda:
        "../../envs/figures.yaml"
    params:
        focus_variant=config["stats"]["focus_variant"],
        base_variant=config["stats"]["base_variant"],
    script:
        "../scripts/figure_seed_pairs.py"


rule figure_tradeoff:
    input:
        metrics=rules.aggregate.output.metrics,
        efficiency=rules.aggregate_efficiency.output[0],
        code=script_code("figure_tradeoff.py"),
    output:
        pdf="results/figures/tradeoff.pdf",
        png=report(
            "results/figures/tradeoff.png",
            caption="../report/tradeoff.rst",
            category="Figures",
        ),
    log:
        "logs/figures/tradeoff.log",
    conda:
        "../../envs/figures.yaml"
    params:
        focus_variant=config["stats"]["focus_variant"],
        base_variant=config["stats"]["base_variant"],
    script:
        "../scripts/figure_tradeoff.py"


rule figure_layer_ci:
    input:
        tests=rules.stats.output.tests,
        variants=rules.describe_variants.output[0],
        code=script_code("figure_layer_ci.py"),
    output:
        pdf="results/figures/layer_ci.pdf",
        png=report(
            "results/figures/layer_ci.png",
            caption="../report/layer_ci.rst",
            category="Figures",
        ),
    log:
        "logs/figures/layer_ci.log",
    conda:
        "../../envs/figures.yaml"
    params:
        metric=config["stats"]["selection"]["metric"],
    script:
        "../scripts/figure_layer_ci.py"


# Cost against measured change of the multi-layer plans, single-layer variants behind them.
rule figure_multilayer:
    input:
        multilayer_tests=rules.multilayer_stats.output.tests,
        tests=rules.stats.output.tests,
        efficiency=rules.aggregate_efficiency.output[0],
        code=script_code("figure_multilayer.py"),
    output:
        pdf="results/figures/multilayer.pdf",
        png=report(
            "results/figures/multilayer.png",
            caption="../report/multilayer.rst",
            category="Figures",
        ),
    log:
        "logs/figures/multilayer.log",
    conda:
        "../../envs/figures.yaml"
    params:
        metric=config["multi_layer"]["objective_metric"],
        base_variant=config["stats"]["base_variant"],
    script:
        "../scripts/figure_multilayer.py"
