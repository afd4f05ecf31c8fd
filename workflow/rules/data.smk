# The data set, fetched once (compute nodes often have no internet), then split.


localrules:
    download_data,
    prepare_data,


rule download_data:
    input:
        local=local_data_files(),
        code=script_code("download_data.py"),
    output:
        train="results/data/raw/train.parquet",
        validation="results/data/raw/validation.parquet",
    log:
        "logs/download_data.log",
    benchmark:
        "results/benchmarks/download_data/all.tsv"
    conda:
        "../../envs/model.yaml"
    params:
        data=without(
            "data",
            "name",
            "task",
            "train_subset",
            "selection_size",
            "split_seed",
            "max_length",
        ),
    script:
        "../scripts/download_data.py"


rule prepare_data:
    input:
        train=rules.download_data.output.train,
        validation=rules.download_data.output.validation,
        code=script_code("prepare_data.py"),
    output:
        train="results/data/train.parquet",
        selection="results/data/selection.parquet",
        validation="results/data/validation.parquet",
    log:
        "logs/prepare_data.log",
    benchmark:
        "results/benchmarks/prepare_data/all.tsv"
    conda:
        "../../envs/model.yaml"
    params:
        train_subset=config["data"]["train_subset"],
        selection_size=config["data"]["selection_size"],
        split_seed=config["data"]["split_seed"],
    script:
        "../scripts/prepare_data.py"
