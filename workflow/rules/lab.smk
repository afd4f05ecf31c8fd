# The decoder surgery lab (docs/lab.md): the seed's catalogue of surgeries on a causal LM, each
# measured for perplexity, self-report probes against factual controls, and arithmetic; the
# critical-region experiments found from this model's own deletion sweep; the lab report.


wildcard_constraints:
    role="model|donor",
    job=r"\d+",
    figure="|".join(LAB_FIGURES),


# The model and the corpus may come from the hub: compute nodes often have no internet.
localrules:
    lab_model,
    lab_inputs,
    lab_numbers,


rule lab_model:
    input:
        code=script_code("lab_model.py"),
    output:
        directory("resources/lab/{role}"),
    log:
        "logs/lab/model_{role}.log",
    conda:
        "../../envs/model.yaml"
    params:
        spec=lambda wildcards: LAB[wildcards.role],
    script:
        "../scripts/lab_model.py"


rule lab_inputs:
    input:
        model="resources/lab/model",
        code=script_code("lab_inputs.py"),
    output:
        documents="results/lab/data/documents.json",
        math="results/lab/data/math.csv",
    log:
        "logs/lab/inputs.log",
    conda:
        "../../envs/model.yaml"
    params:
        perplexity=LAB["perplexity"],
        math=LAB["math"],
    script:
        "../scripts/lab_inputs.py"


rule lab_importance:
    input:
        model="resources/lab/model",
        documents=rules.lab_inputs.output.documents,
        code=script_code("lab_importance.py"),
    output:
        "results/lab/importance.csv",
    log:
        "logs/lab/importance.log",
    benchmark:
        "results/benchmarks/lab/importance.tsv"
    conda:
        "../../envs/model.yaml"
    resources:
        gpu=1,
        mem_mb=16000,
        runtime=30,
    params:
        importance=LAB["importance"],
        dtype=LAB["dtype"],
        device=config["device"],
    script:
        "../scripts/lab_importance.py"


# Stage 1: the catalogue, round-robin over a few jobs, each loading the model once.
rule lab_stage1:
    input:
        **LAB_JOB_INPUTS,
        code=script_code("lab_run.py"),
    output:
        directory("results/lab/runs/stage1_job{job}"),
    log:
        "logs/lab/stage1_job{job}.log",
    benchmark:
        "results/benchmarks/lab/stage1_job{job}.tsv"
    conda:
        "../../envs/model.yaml"
    resources:
        gpu=1,
        mem_mb=16000,
        runtime=120,
    params:
        stage=1,
        plans=lab_job_plans,
        meta=lab_job_meta,
        settings=lab_measure_settings(),
        device=config["device"],
    script:
        "../scripts/lab_run.py"


# Stage 2: the critical region and layer, found from the stage-1 deletion sweep.
rule lab_stage2:
    input:
        **LAB_JOB_INPUTS,
        stage1=expand("results/lab/runs/stage1_job{job}", job=range(LAB_JOBS)),
        code=script_code("lab_run.py"),
    output:
        directory("results/lab/runs/stage2"),
    log:
        "logs/lab/stage2.log",
    benchmark:
        "results/benchmarks/lab/stage2.tsv"
    conda:
        "../../envs/model.yaml"
    resources:
        gpu=1,
        mem_mb=16000,
        runtime=60,
    params:
        stage=2,
        num_layers=LAB["model"]["num_layers"],
        critical_size=LAB["catalogue"]["critical"]["size"],
        settings=lab_measure_settings(),
        device=config["device"],
    script:
        "../scripts/lab_run.py"


rule lab_summary:
    input:
        runs=LAB_RUNS,
        importance=rules.lab_importance.output[0],
        code=script_code("lab_summary.py"),
    output:
        summary="results/lab/summary.csv",
        agreement="results/lab/importance_agreement.csv",
        shifts="results/lab/token_shifts.csv",
        tables=directory("results/lab/tables"),
    log:
        "logs/lab/summary.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        # Only what the summary computes with: the report's thresholds rerun only the report.
        stats={
            key: LAB["stats"][key]
            for key in ("confidence", "bootstrap_resamples", "seed")
        },
    script:
        "../scripts/lab_summary.py"


rule lab_figure:
    input:
        summary=rules.lab_summary.output.summary,
        importance=rules.lab_importance.output[0],
        token_shifts=rules.lab_summary.output.shifts,
        code=script_code("figure_lab.py"),
    output:
        pdf="results/lab/figures/{figure}.pdf",
        png="results/lab/figures/{figure}.png",
    log:
        "logs/lab/figure_{figure}.log",
    conda:
        "../../envs/figures.yaml"
    params:
        figure="{figure}",
    script:
        "../scripts/figure_lab.py"


rule lab_numbers:
    input:
        summary=rules.lab_summary.output.summary,
        agreement=rules.lab_summary.output.agreement,
        shifts=rules.lab_summary.output.shifts,
        tables=rules.lab_summary.output.tables,
        importance=rules.lab_importance.output[0],
        documents=rules.lab_inputs.output.documents,
        weights=expand("resources/lab/{role}", role=LAB_ROLES),
        runs=LAB_RUNS,
        code=script_code("lab_numbers.py"),
    output:
        tex="paper/generated/lab/numbers.tex",
        json="paper/generated/lab/numbers.json",
        patterns="paper/generated/lab/table_patterns.tex",
        deletion="paper/generated/lab/table_deletion.tex",
    log:
        "logs/lab/numbers.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        lab={key: value for key, value in LAB.items() if key != "jobs"},
    script:
        "../scripts/lab_numbers.py"
