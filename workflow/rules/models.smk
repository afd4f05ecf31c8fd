# The pretrained model, fetched once into resources/, and the variants planned from it.


localrules:
    download_model,
    describe_variants,


rule download_model:
    input:
        code=code("models.py", "io.py", "joblog.py"),
    output:
        directory(MODEL_DIR),
    log:
        "logs/download_model.log",
    conda:
        "../../envs/model.yaml"
    params:
        model=without("model", "name"),
        num_labels=config["data"]["num_labels"],
    script:
        "../scripts/download_model.py"


rule describe_variants:
    input:
        code=code(
            "variant_table.py",
            "surgery/__init__.py",
            "surgery/plan.py",
            "surgery/sweeps.py",
            "surgery/mergekit.py",
            "surgery/planfile.py",
            "io.py",
            "joblog.py",
        ),
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
