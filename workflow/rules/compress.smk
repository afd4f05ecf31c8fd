# The merge/compress study of seed 004 (docs/compress.md): n consecutive FFNs (or blocks)
# averaged in place (merged) or replaced by one averaged layer (compressed), measured before
# and after causal-LM fine-tuning, for latency, IMDb classification and ROUGE-L.


wildcard_constraints:
    variant="|".join(COMPRESS_NAMES),
    seed=r"\d+",
    chart="|".join(COMPRESS_FIGURES),


# The model and the data may come from the hub: compute nodes often have no internet.
localrules:
    compress_model,
    compress_data,
    compress_summaries_data,
    compress_numbers,


rule compress_model:
    input:
        code=script_code("lab_model.py"),
    output:
        directory("resources/compress/model"),
    log:
        "logs/compress/model.log",
    conda:
        "../../envs/model.yaml"
    params:
        # The report's name for the model is not part of what is fetched.
        spec={key: v for key, v in COMPRESS["model"].items() if key != "name"},
    script:
        "../scripts/lab_model.py"


# The four roles (LM training, perplexity, classification training and test) are disjoint
# hash buckets of the texts, so no text is trained on and scored.
rule compress_data:
    input:
        model=rules.compress_model.output[0],
        code=script_code("compress_data.py"),
    output:
        lm_train=f"{COMPRESS_DATA}/lm_train.parquet",
        perplexity=f"{COMPRESS_DATA}/perplexity.parquet",
        cls_train=f"{COMPRESS_DATA}/cls_train.parquet",
        cls_test=f"{COMPRESS_DATA}/cls_test.parquet",
        info=f"{COMPRESS_DATA}/partitions.json",
    log:
        "logs/compress/data.log",
    conda:
        "../../envs/model.yaml"
    params:
        # Only what the partition reads: a training budget edit must not redraw the data.
        compress=COMPRESS_DATA_SETTINGS,
    script:
        "../scripts/compress_data.py"


# Skipped with the reason in summaries.json where the data cannot be reached; never faked.
rule compress_summaries_data:
    input:
        code=script_code("compress_summaries_data.py"),
    output:
        table=f"{COMPRESS_DATA}/summaries.parquet",
        info=f"{COMPRESS_DATA}/summaries.json",
    log:
        "logs/compress/summaries_data.log",
    conda:
        "../../envs/model.yaml"
    params:
        summarisation=COMPRESS["summarisation"],
    script:
        "../scripts/compress_summaries_data.py"


rule compress_measure:
    input:
        model=rules.compress_model.output[0],
        perplexity=rules.compress_data.output.perplexity,
        code=script_code("compress_measure.py"),
    output:
        measure=f"{COMPRESS_VARIANT_DIR}/measure.json",
        nll=f"{COMPRESS_VARIANT_DIR}/nll.parquet",
        samples=f"{COMPRESS_VARIANT_DIR}/samples.json",
        smoothness=f"{COMPRESS_VARIANT_DIR}/smoothness.csv",
    log:
        "logs/compress/measure_{variant}.log",
    benchmark:
        "results/benchmarks/compress/measure_{variant}.tsv"
    conda:
        "../../envs/model.yaml"
    resources:
        gpu=1,
        mem_mb=16000,
        runtime=30,
    params:
        variant=variant_params,
        dtype=COMPRESS["dtype"],
        perplexity=COMPRESS["perplexity"],
        samples=COMPRESS["samples"],
        smoothness=COMPRESS["smoothness"],
        device=config["device"],
    script:
        "../scripts/compress_measure.py"


# Every core, so that no other job shares the machine while the clock runs.
rule compress_latency:
    input:
        model=rules.compress_model.output[0],
        perplexity=rules.compress_data.output.perplexity,
        code=script_code("compress_latency.py"),
    output:
        latency=f"{COMPRESS_VARIANT_DIR}/latency.json",
    log:
        "logs/compress/latency_{variant}.log",
    conda:
        "../../envs/model.yaml"
    threads: ALL_CORES
    resources:
        gpu=1,
        mem_mb=16000,
        runtime=30,
    params:
        variant=variant_params,
        dtype=COMPRESS["dtype"],
        latency=COMPRESS["latency"],
        device=config["device"],
    script:
        "../scripts/compress_latency.py"


rule compress_rouge:
    input:
        model=rules.compress_model.output[0],
        table=rules.compress_summaries_data.output.table,
        info=rules.compress_summaries_data.output.info,
        code=script_code("compress_rouge.py"),
    output:
        rouge=f"{COMPRESS_VARIANT_DIR}/rouge.json",
        summaries=f"{COMPRESS_VARIANT_DIR}/summaries.csv",
    log:
        "logs/compress/rouge_{variant}.log",
    conda:
        "../../envs/model.yaml"
    resources:
        gpu=1,
        mem_mb=16000,
        runtime=60,
    params:
        variant=variant_params,
        dtype=COMPRESS["dtype"],
        summarisation=COMPRESS["summarisation"],
        device=config["device"],
    script:
        "../scripts/compress_rouge.py"


# The same causal-LM loop, steps, data and seed for every variant; perplexity after it.
rule compress_finetune:
    input:
        model=rules.compress_model.output[0],
        lm_train=rules.compress_data.output.lm_train,
        perplexity=rules.compress_data.output.perplexity,
        code=script_code("compress_finetune.py"),
    output:
        record="results/compress/lm/{variant}/seed{seed}.json",
        nll="results/compress/lm/{variant}/seed{seed}_nll.parquet",
        history="results/compress/lm/{variant}/seed{seed}_history.csv",
    log:
        "logs/compress/finetune_{variant}_seed{seed}.log",
    benchmark:
        "results/benchmarks/compress/finetune_{variant}_seed{seed}.tsv"
    conda:
        "../../envs/model.yaml"
    resources:
        gpu=1,
        mem_mb=24000,
        runtime=120,
    params:
        variant=variant_params,
        seed=lambda wildcards: int(wildcards.seed),
        dtype=COMPRESS["dtype"],
        lm_training=COMPRESS["lm_training"],
        perplexity=COMPRESS["perplexity"],
        device=config["device"],
        resume="results/.resume/compress/lm/{variant}/seed{seed}.pt",
    script:
        "../scripts/compress_finetune.py"


# A sequence-classification head on each variant, trained with the classification loop.
rule compress_classify:
    input:
        model=rules.compress_model.output[0],
        cls_train=rules.compress_data.output.cls_train,
        cls_test=rules.compress_data.output.cls_test,
        code=script_code("compress_classify.py"),
    output:
        record="results/compress/classify/{variant}/seed{seed}.json",
        predictions="results/compress/classify/{variant}/seed{seed}_predictions.parquet",
    log:
        "logs/compress/classify_{variant}_seed{seed}.log",
    benchmark:
        "results/benchmarks/compress/classify_{variant}_seed{seed}.tsv"
    conda:
        "../../envs/model.yaml"
    resources:
        gpu=1,
        mem_mb=24000,
        runtime=120,
    params:
        variant=variant_params,
        seed=lambda wildcards: int(wildcards.seed),
        dtype=COMPRESS["dtype"],
        classification=COMPRESS["classification"],
        device=config["device"],
        resume="results/.resume/compress/classify/{variant}/seed{seed}.pt",
    script:
        "../scripts/compress_classify.py"


rule compress_summary:
    input:
        measures=per_variant(f"{COMPRESS_VARIANT_DIR}/measure.json"),
        nlls=per_variant(f"{COMPRESS_VARIANT_DIR}/nll.parquet"),
        latencies=per_variant(f"{COMPRESS_VARIANT_DIR}/latency.json"),
        rouges=per_variant(f"{COMPRESS_VARIANT_DIR}/rouge.json"),
        lm=per_variant_seed("results/compress/lm/{variant}/seed{seed}.json"),
        lm_nlls=per_variant_seed("results/compress/lm/{variant}/seed{seed}_nll.parquet"),
        classify=per_variant_seed("results/compress/classify/{variant}/seed{seed}.json"),
        samples=per_variant(f"{COMPRESS_VARIANT_DIR}/samples.json"),
        smoothness=per_variant(f"{COMPRESS_VARIANT_DIR}/smoothness.csv"),
        code=script_code("compress_summary.py"),
    output:
        variants="results/compress/summary/variants.csv",
        seeds="results/compress/summary/seeds.csv",
        tests="results/compress/summary/tests.csv",
        samples="results/compress/summary/samples.csv",
        smoothness="results/compress/summary/smoothness.csv",
    log:
        "logs/compress/summary.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        variants=COMPRESS_NAMES,
        stats=COMPRESS["stats"],
    script:
        "../scripts/compress_summary.py"


rule compress_figure:
    input:
        variants=rules.compress_summary.output.variants,
        smoothness=rules.compress_summary.output.smoothness,
        code=script_code("figure_compress.py"),
    output:
        pdf="results/compress/figures/{chart}.pdf",
        png="results/compress/figures/{chart}.png",
    log:
        "logs/compress/figure_{chart}.log",
    conda:
        "../../envs/figures.yaml"
    params:
        figure="{chart}",
    script:
        "../scripts/figure_compress.py"


rule compress_numbers:
    input:
        **rules.compress_summary.output,
        partitions=rules.compress_data.output.info,
        summaries=rules.compress_summaries_data.output.info,
        weights=rules.compress_model.output[0],
        lm=rules.compress_summary.input.lm,
        classify=rules.compress_summary.input.classify,
        code=script_code("compress_numbers.py"),
    output:
        tex="paper/generated/lab/compress_numbers.tex",
        json="paper/generated/lab/compress_numbers.json",
        quality="paper/generated/lab/table_compress_quality.tex",
        cost="paper/generated/lab/table_compress_cost.tex",
        samples_table="paper/generated/lab/table_compress_samples.tex",
    log:
        "logs/compress/numbers.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        compress=COMPRESS,
    script:
        "../scripts/compress_numbers.py"
