# The pretrained model, fetched once into resources/, and the variants planned from it.


localrules:
    download_model,
    describe_variants,


rule download_model:
    input:
        code=script_code("download_model.py"),
    output:
        directory(MODEL_DIR),
    log:
        "logs/download_model.log",
    benchmark:
        "results/benchmarks/download_model/all.tsv"
    conda:
        "../../envs/model.yaml"
    params:
        model=without("model", "name"),
        num_labels=config["data"]["num_labels"],
    script:
        "../scripts/download_model.py"


rule describe_variants:
    input:
        code=script_code("describe_variants.py"),
    output:
        "results/variants.csv",
    log:
        "logs/describe_variants.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        specs=config["variants"],
        num_layers=config["model"]["num_layers"],
    script:
        "../scripts/describe_variants.py"
