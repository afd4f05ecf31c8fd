# The decoder studies' report, paper/frankenmodels_lab.pdf: a chapter per configured study
# (the surgery lab, the merge/compress study), each from its own generated numbers.


localrules:
    lab_document,
    lab_paper,


rule lab_document:
    input:
        code=script_code("lab_document.py"),
    output:
        "paper/generated/lab/document.tex",
    log:
        "logs/lab/document.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        title=config["study"]["title"],
        numbers=[REPORT_NUMBERS[study] for study in REPORT_STUDIES],
        sections=[s for study in REPORT_STUDIES for s in REPORT_SECTIONS[study]],
    script:
        "../scripts/lab_document.py"


rule lab_paper:
    input:
        main="paper/frankenmodels_lab.tex",
        document=rules.lab_document.output,
        sections=[
            f"paper/{s}.tex"
            for study in REPORT_STUDIES
            for s in REPORT_SECTIONS[study]
        ],
        studies=report_inputs(),
    output:
        "paper/frankenmodels_lab.pdf",
    log:
        "logs/lab/paper.log",
    conda:
        "../../envs/paper.yaml"
    shell:
        """
        cd paper && latexmk -pdf -halt-on-error -interaction=nonstopmode \
            -output-directory=build/frankenmodels_lab frankenmodels_lab.tex \
            >../{log} 2>&1 || {{ tail -n 40 build/frankenmodels_lab/frankenmodels_lab.log >> ../{log}; exit 1; }}
        cp build/frankenmodels_lab/frankenmodels_lab.pdf frankenmodels_lab.pdf.tmp
        mv frankenmodels_lab.pdf.tmp frankenmodels_lab.pdf
        """
