# Generated numbers and tables, then the two PDFs.


localrules:
    numbers,
    tables,
    paper,


# The report's readers declare the config keys they print (frankenmodels.report.settings):
# each rule passes exactly those as params, so a config edit reruns only what prints it.
from frankenmodels.report.sections import NUMBERS_SETTINGS
from frankenmodels.report.inputs import FINETUNING_TABLE_INPUTS, MULTILAYER_TABLE_INPUTS
from frankenmodels.report.settings import STUDY_KEYS, TABLE_INPUTS, pick

REPORT_INPUTS = dict(
    metrics=rules.aggregate.output.metrics,
    efficiency=rules.aggregate_efficiency.output[0],
    training=rules.aggregate_training.output[0],
    tests=rules.stats.output.tests,
    selection=rules.stats.output.selection,
    variants=rules.describe_variants.output[0],
    benchmarks=rules.aggregate_benchmarks.output[0],
    provenance=rules.provenance.output[0],
)
if MULTI["enabled"]:
    REPORT_INPUTS.update(
        multilayer_tests=rules.multilayer_stats.output.tests,
        multilayer_agreement=rules.signal_agreement.output.agreement,
        multilayer_signals=rules.signal_agreement.output.signals,
        multilayer_plans=PLANS_FILE,
    )
if COMPARE["enabled"]:
    REPORT_INPUTS.update(
        methods_summary=rules.method_stats.output.summary,
        methods_tests=rules.method_stats.output.tests,
        methods_claims=rules.method_stats.output.claims,
    )
if HEALING["enabled"]:
    REPORT_INPUTS.update(healing_tests=rules.healing_stats.output.tests)


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
    params:
        settings=pick(config, NUMBERS_SETTINGS),
    script:
        "../scripts/numbers.py"


rule tables:
    input:
        **{
            name: REPORT_INPUTS[name]
            for name in (
                *TABLE_INPUTS,
                *MULTILAYER_TABLE_INPUTS,
                *FINETUNING_TABLE_INPUTS,
            )
            if name in REPORT_INPUTS
        },
        code=script_code("tables.py"),
    output:
        performance=report(
            "paper/generated/table_performance.tex",
            caption="../report/tables.rst",
            category="Tables",
        ),
        significance=report(
            "paper/generated/table_significance.tex",
            caption="../report/tables.rst",
            category="Tables",
        ),
        efficiency=report(
            "paper/generated/table_efficiency.tex",
            caption="../report/tables.rst",
            category="Tables",
        ),
        multilayer=report(
            "paper/generated/table_multilayer.tex",
            caption="../report/tables.rst",
            category="Tables",
        ),
        methods=report(
            "paper/generated/table_methods.tex",
            caption="../report/tables.rst",
            category="Tables",
        ),
        healing=report(
            "paper/generated/table_healing.tex",
            caption="../report/tables.rst",
            category="Tables",
        ),
    log:
        "logs/tables.log",
    conda:
        "../../envs/analysis.yaml"
    params:
        settings=pick(config, STUDY_KEYS),
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
        commit=$(git rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
        dirty=false
        if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then dirty=true; fi
        printf '%s\\n' "\\renewcommand{{\\GitCommit}}{{$commit}}\\GitDirty$dirty" \
            >paper/generated/commit-{wildcards.name}.tex
        cd paper && latexmk -pdf -halt-on-error -interaction=nonstopmode \
            -output-directory=build/{wildcards.name} {wildcards.name}.tex \
            >../{log} 2>&1 || {{ tail -n 40 build/{wildcards.name}/{wildcards.name}.log >> ../{log}; exit 1; }}
        cp build/{wildcards.name}/{wildcards.name}.pdf {wildcards.name}.pdf.tmp
        mv {wildcards.name}.pdf.tmp {wildcards.name}.pdf
        """
