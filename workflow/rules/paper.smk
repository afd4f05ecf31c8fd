# Generated numbers and tables, then the two PDFs.


localrules:
    numbers,
    tables,
    paper,


REPORT_INPUTS = dict(
    metrics=rules.aggregate.output.metrics,
    efficiency=rules.aggregate_efficiency.output[0],
    training=rules.aggregate_training.output[0],
    tests=rules.stats.output.tests,
    selection=rules.stats.output.selection,
    variants=rules.describe_variants.output[0],
)


rule numbers:
    input:
        **REPORT_INPUTS,
        code=script_code("numbers.py"),
    output:
        tex="paper/generated/numbers.tex",
        json="paper/generated/numbers.json",
    log:
        "logs/numbers.log",
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/numbers.py"


rule tables:
    input:
        **REPORT_INPUTS,
        code=script_code("tables.py"),
    output:
        performance="paper/generated/table_performance.tex",
        significance="paper/generated/table_significance.tex",
        efficiency="paper/generated/table_efficiency.tex",
    log:
        "logs/tables.log",
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/tables.py"


rule paper:
    input:
        main="paper/{name}.tex",
        sections=sorted(glob.glob("paper/sections/*.tex")),
        bib="paper/references.bib",
        numbers=rules.numbers.output.tex,
        tables=rules.tables.output,
        figures=expand("results/figures/{figure}.pdf", figure=FIGURES),
    output:
        "paper/{name}.pdf",
    log:
        "logs/paper/{name}.log",
    wildcard_constraints:
        name="|".join(PAPERS),
    conda:
        "../../envs/paper.yaml"
    shell:
        # latexmk runs pdflatex and bibtex as often as needed; -halt-on-error makes a LaTeX
        # error fail the rule, and its log is the rule's log.
        """
        cd paper && latexmk -pdf -halt-on-error -interaction=nonstopmode \
            -output-directory=build/{wildcards.name} {wildcards.name}.tex \
            >../{log} 2>&1 || {{ tail -n 40 build/{wildcards.name}/{wildcards.name}.log >> ../{log}; exit 1; }}
        cp build/{wildcards.name}/{wildcards.name}.pdf {wildcards.name}.pdf.tmp
        mv {wildcards.name}.pdf.tmp {wildcards.name}.pdf
        """
