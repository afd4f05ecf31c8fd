# FrankenModels: rebuild the paper from real computations.
#   snakemake --cores 2 --configfile config/cpu.yaml config/local-sst2.yaml   (laptop scale)
#   snakemake --profile slurm                                                 (published study)
#   snakemake --cores 2 --configfile config/lab-cpu.yaml                      (decoder surgery lab)
#   snakemake --cores 2 --configfile config/compress-cpu.yaml                 (merge/compress study)


# The published study is the default; a --configfile replaces it rather than being merged
# into it, so a laptop or test config never inherits a key it did not set.
if not workflow.config_settings.configfiles:

    configfile: "config/config.yaml"


include: "workflow/rules/code.smk"


# A config with a lab or compress section builds the decoder studies' report (a chapter per
# configured study); any other, the paper.
if "lab" in config or "compress" in config:

    include: "workflow/rules/lab_common.smk"

    if "lab" in config:

        include: "workflow/rules/lab.smk"

    if "compress" in config:

        include: "workflow/rules/compress.smk"
    include: "workflow/rules/lab_report.smk"

    TARGETS = ["paper/frankenmodels_lab.pdf"]

else:

    include: "workflow/rules/common.smk"
    include: "workflow/rules/data.smk"
    include: "workflow/rules/models.smk"
    include: "workflow/rules/train.smk"
    include: "workflow/rules/evaluate.smk"
    include: "workflow/rules/multilayer.smk"
    include: "workflow/rules/finetuning.smk"
    include: "workflow/rules/aggregate.smk"
    include: "workflow/rules/figures.smk"
    include: "workflow/rules/paper.smk"

    TARGETS = expand("paper/{name}.pdf", name=PAPERS)


rule all:
    default_target: True
    input:
        TARGETS,
