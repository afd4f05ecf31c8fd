"""The merge/compress study's summary, figures, macros, tables and section, on the synthetic
records of compress_report_fixtures (two seeds by default; three and five where a test needs
them), every value checked computed by hand or by scipy on the same numbers."""

import re
import runpy
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from compress_report_fixtures import (
    CONFIG,
    PARTITIONS,
    SPECS,
    STATS,
    macros_of,
    make_inputs,
    results_of,
    summaries_info,
    summary_of,
)
from scipy import stats as st

from frankenmodels.compress.summary import group_pairs, seed_table, seed_tests, summarise
from frankenmodels.figures.compress import ratio_ticks, smoothness_figure, tradeoff_figure
from frankenmodels.io import write_csv, write_json, write_parquet
from frankenmodels.report.compress_tables import (
    cost_table,
    plain_text,
    quality_table,
    samples_table,
)
from frankenmodels.report.latex import macro_name
from frankenmodels.report.macros import MacroSet
from frankenmodels.report.sections.compress import compress_rows
from frankenmodels.stats.perplexity import corpus_perplexity

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def summary():
    return summary_of()


def test_variant_table_by_hand(summary):
    tables, args = summary
    v = tables["variants"].set_index("variant")
    nlls = dict(zip(SPECS, args[1], strict=True))
    assert list(v.index) == list(SPECS)
    comp = v.loc["compressed_2_at1_ffn"]
    assert comp["speedup_token"] == pytest.approx(10.0 / 8.0)
    assert comp["speedup_forward"] == pytest.approx(100.0 / 80.0)
    ratio = corpus_perplexity(nlls["compressed_2_at1_ffn"]) / corpus_perplexity(nlls["original"])
    assert comp["ppl_ratio_before"] == pytest.approx(ratio)
    assert comp["ppl_ratio_before_low"] <= ratio <= comp["ppl_ratio_before_high"]
    # after: per seed, variant over original with the same seed, then the mean
    lm = {(r["variant"], r["seed"]): r["perplexity_after"] for r in args[4]}
    by_seed = [lm[("compressed_2_at1_ffn", s)] / lm[("original", s)] for s in (42, 43)]
    assert comp["ppl_ratio_after_mean"] == pytest.approx(np.mean(by_seed))
    assert np.isnan(comp["rougeL_f"])
    merged = v.loc["merged_2_at1_ffn"]  # cka 0.9 - 0.02 * 2 + 0.05 at layer 2, the group's pair
    assert merged["block_cka"] == pytest.approx(0.91)
    assert merged["block_cka_original"] == pytest.approx(0.86)
    assert np.isnan(comp["block_cka"])
    assert group_pairs(1, 3) == [2, 3]


def test_tests_match_scipy_and_holm(summary):
    tables, _ = summary
    seeds, tests = tables["seeds"], tables["tests"]
    assert set(seeds["metric"]) == {"perplexity_after", "ppl_ratio_after", "accuracy", "f1"}
    acc = tests[tests["metric"] == "accuracy"].set_index("variant")
    values = seeds[seeds["metric"] == "accuracy"].pivot(
        index="seed", columns="variant", values="value"
    )
    for variant in acc.index:
        ref = st.ttest_rel(values[variant], values["original"])  # two-sided, as the module
        assert acc.loc[variant, "p_two_sided"] == pytest.approx(ref.pvalue)
        assert acc.loc[variant, "t"] == pytest.approx(ref.statistic)
        assert np.isnan(acc.loc[variant, "ci_low"])  # two seeds: no bootstrap
    p = acc["p_two_sided"].sort_values()
    holm = [min(1, 2 * p.iloc[0]), max(min(1, 2 * p.iloc[0]), p.iloc[1])]
    assert acc.loc[p.index, "p_holm"].tolist() == pytest.approx(holm)


def test_three_seeds_give_a_bootstrap_interval():
    tables, _ = summary_of(seeds=(1, 2, 3))
    row = tables["tests"].query("metric == 'accuracy' and variant == 'compressed_2_at1_ffn'")
    row = row.iloc[0]
    assert row["n_seeds"] == 3
    assert row["ci_low"] <= row["mean_difference"] <= row["ci_high"]


def test_inputs_are_checked():
    args, names = make_inputs()
    with pytest.raises(ValueError, match="not for the variants"):
        summarise(*args, variants=[names[0], names[2], names[1]], stats=STATS)
    before = dict(zip(names, args[1], strict=True))
    other = [frame.assign(doc=frame["doc"] + 100) for frame in args[5]]
    with pytest.raises(ValueError, match="other documents"):
        seed_table(args[4], other, args[6], before)


def test_macros_and_prose_flags_follow_the_numbers():
    recovers = macros_of()
    assert recovers["CompressAllRecover"].tex == "true"
    assert recovers["CompressFastest"].value == "compressed_2_at1_ffn"
    assert recovers["CompressFastestSpeedup"].tex == "1.25"
    assert recovers["CompressOneDf"].tex == "true" and recovers["CompressTDf"].tex == "1"
    assert recovers["CompressRaisedCount"].value == 1
    assert recovers["CompressBlockRun"].tex == "false" and recovers["CompressFfnRun"].tex == "true"
    assert recovers["CompressRougeAvailable"].tex == "false"
    assert "source is none" in recovers["CompressRougeReason"].tex
    worse = macros_of(after={"merged_2_at1_ffn": 1.5, "compressed_2_at1_ffn": 3.0})
    assert worse["CompressAnyRecover"].tex == "false"
    # five seeds, a consistent 10-point accuracy loss: significant after Holm
    five = dict(seeds=(1, 2, 3, 4, 5), accuracy_gap={"compressed_2_at1_ffn": 0.1})
    significant = macros_of(**five)
    assert significant["CompressAnySignificant"].tex == "true"
    assert "compressed" in significant["CompressSignificantList"].tex
    assert significant["CompressBootstrapRun"].tex == "true"
    assert macros_of(noise=0.15)["CompressAnySignificant"].tex == "false"
    name = macro_name("CompressVariant", "merged_2_at1_ffn", "RatioBefore")
    assert name == "CompressVariantMergedTwoAtOneFfnRatioBefore" and name in recovers


def test_tables_render(summary):
    tables, _ = summary
    quality = quality_table(tables["variants"])
    assert r"\texttt{merged\_2\_at1\_ffn}" in quality and "& --" in quality
    assert "1.25" in cost_table(tables["variants"])
    samples = samples_table(tables["samples"])
    assert samples.count(r"\\") == 1 + len(SPECS)  # header and the first prompt's rows
    assert r"says \& more\_\%" in samples
    assert plain_text("caf\u00e9 \U0001f600\n x" * 50).endswith(r"\ldots")
    assert plain_text("caf\u00e9 \U0001f600\n x") == "cafe ? x"


def test_figures_are_written(summary, tmp_path):
    tables, _ = summary
    for scope in ("ffn", "block"):  # block is absent: a figure that says so
        tradeoff_figure(
            tables["variants"], scope, tmp_path / f"{scope}.pdf", tmp_path / f"{scope}.png"
        )
    smoothness_figure(tables["smoothness"], tmp_path / "s.pdf", tmp_path / "s.png")
    for path in tmp_path.iterdir():
        assert path.stat().st_size > 1000
    assert ratio_ticks(0.95, 2.1) == pytest.approx([1, 1.1, 1.2, 1.5, 2])
    assert ratio_ticks(0.9, 3000) == pytest.approx([1, 10, 100, 1000])  # sparser when wide


def test_section_uses_only_generated_macros():
    tex = (ROOT / "paper/lab/compress.tex").read_text()
    macros = macros_of()
    used = set(re.findall(r"\\(?:if)?(Compress[A-Za-z]+)", tex))
    assert used and used <= {m.name for m in macros}
    assert "\\Lab" not in tex and "\\ifLab" not in tex


def _compile(tmp_path, **kwargs) -> str:
    tables, args = summary_of(**kwargs)
    results = results_of(tables, args, rouge=kwargs.get("rouge", False))
    macros = MacroSet()
    for row in compress_rows(results):
        macros.add(row, "compress")
    paper, figures = tmp_path / "paper", tmp_path / "results/compress/figures"
    (paper / "generated/lab").mkdir(parents=True)
    (paper / "lab").mkdir()
    shutil.copy(ROOT / "paper/lab/compress.tex", paper / "lab/compress.tex")
    (paper / "generated/lab/compress_numbers.tex").write_text(macros.render())
    for name, text in (
        ("quality", quality_table(results.variants)),
        ("cost", cost_table(results.variants)),
        ("samples", samples_table(results.samples)),
    ):
        (paper / f"generated/lab/table_compress_{name}.tex").write_text(text)
    for scope in ("ffn", "block"):
        tradeoff_figure(
            results.variants, scope, figures / f"tradeoff_{scope}.pdf", tmp_path / "x.png"
        )
    smoothness_figure(results.smoothness, figures / "smoothness.pdf", tmp_path / "x.png")
    lines = (ROOT / "paper/frankenmodels_lab.tex").read_text().splitlines()
    preamble = [
        line
        for line in lines
        if line.startswith(("\\documentclass", "\\usepackage", "\\graphicspath"))
    ]
    body = [
        "\\input{generated/lab/compress_numbers}",
        "\\begin{document}",
        "\\input{lab/compress}",
        "\\end{document}",
    ]
    (paper / "doc.tex").write_text("\n".join(preamble + body) + "\n")
    run = subprocess.run(
        ["latexmk", "-pdf", "-halt-on-error", "-interaction=nonstopmode", "doc.tex"],
        cwd=paper,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert "Overfull \\hbox" not in (paper / "doc.log").read_text()  # tables fit the page
    pdf = subprocess.run(["pdftotext", "doc.pdf", "-"], cwd=paper, capture_output=True, text=True)
    return " ".join(pdf.stdout.split())


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="latexmk not installed")
def test_section_compiles_without_block_text(tmp_path):
    text = _compile(tmp_path)
    assert "block" not in text.lower()
    assert "source is none" in text and "ROUGE-L was not measured" in text
    assert "compressed_2_at1_ffn" in text and "n/a" not in text


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="latexmk not installed")
def test_section_compiles_with_both_families_and_rouge(tmp_path):
    both = dict(SPECS)
    for name, spec in SPECS.items():
        if spec[1] == "ffn":
            both[name.replace("ffn", "block")] = (
                spec[0],
                "block",
                *spec[2:5],
                spec[5] * 1.5,
                *spec[6:],
            )
    text = _compile(tmp_path, variants=both, rouge=True, after={})
    assert "whole blocks" in text and "F of 0.200 for the original" in text


def _script(name: str, tmp_path: Path, inputs: dict, outputs: dict, params: dict) -> None:
    """A workflow script as Snakemake runs it: named inputs, outputs and params, one log."""
    ns = SimpleNamespace
    smk = ns(
        input=ns(**inputs),
        output=ns(**outputs),
        params=ns(**params),
        log=[str(tmp_path / f"{name}.log")],
    )
    runpy.run_path(str(ROOT / "workflow/scripts" / f"{name}.py"), {"snakemake": smk})


def test_scripts_run_end_to_end(tmp_path):
    (measures, nlls, latencies, rouges, lm, lm_nlls, classify, samples, smooth), names = (
        make_inputs()
    )
    files: dict[str, list[str]] = {}
    for kind, items, write in (
        ("measures", measures, write_json),
        ("latencies", latencies, write_json),
        ("rouges", rouges, write_json),
        ("lm", lm, write_json),
        ("classify", classify, write_json),
        ("samples", samples, write_json),
        ("nlls", nlls, write_parquet),
        ("lm_nlls", lm_nlls, write_parquet),
        ("smoothness", smooth, write_csv),
    ):
        suffix = {write_json: "json", write_parquet: "parquet", write_csv: "csv"}[write]
        files[kind] = [str(tmp_path / f"{kind}{k}.{suffix}") for k in range(len(items))]
        for item, path in zip(items, files[kind], strict=True):
            write(path, item) if write is write_json else write(item, path)
    summary = {
        name: str(tmp_path / f"summary/{name}.csv")
        for name in ("variants", "seeds", "tests", "samples", "smoothness")
    }
    _script(
        "compress_summary",
        tmp_path,
        files,
        summary,
        {"variants": names, "seeds": [42, 43], "stats": STATS},
    )
    figure = {"pdf": str(tmp_path / "t.pdf"), "png": str(tmp_path / "t.png")}
    _script("figure_compress", tmp_path, summary, figure, {"figure": "tradeoff_ffn"})
    model = tmp_path / "model"
    write_json(model / "weights.json", {"format": "random initialisation", "init_seed": 0})
    write_json(tmp_path / "partitions.json", PARTITIONS)
    write_json(tmp_path / "summaries.json", summaries_info(False))
    inputs = {
        **summary,
        "partitions": str(tmp_path / "partitions.json"),
        "summaries": str(tmp_path / "summaries.json"),
        "weights": str(model),
        "lm": files["lm"],
        "classify": files["classify"],
    }
    out = {k: str(tmp_path / f"gen/{k}.tex") for k in ("tex", "quality", "cost", "samples_table")}
    out["json"] = str(tmp_path / "gen/numbers.json")
    _script("compress_numbers", tmp_path, inputs, out, {"compress": CONFIG, "title": "Compress"})
    assert r"\newcommand{\CompressFastest}" in Path(out["tex"]).read_text()
    assert "merged" in Path(out["samples_table"]).read_text()
    assert Path(figure["pdf"]).stat().st_size > 1000


def test_a_constant_difference_over_seeds_is_no_evidence():
    """Two seeds losing exactly the same accuracy: the t test has no variance estimate, so its
    p is undefined (NaN, never significant after Holm), not scipy's limit p = 0."""
    seeds = pd.DataFrame(
        [
            ("original", 42, "accuracy", 0.60),
            ("original", 43, "accuracy", 0.62),
            ("merged_2_at1_ffn", 42, "accuracy", 0.58),
            ("merged_2_at1_ffn", 43, "accuracy", 0.60),
        ],
        columns=["variant", "seed", "metric", "value"],
    )
    for metric in ("perplexity_after", "f1"):
        seeds = pd.concat([seeds, seeds[seeds["metric"] == "accuracy"].assign(metric=metric)])
    stats = {"confidence": 0.95, "bootstrap_resamples": 199, "seed": 0}
    tests = seed_tests(seeds, ["original", "merged_2_at1_ffn"], stats)
    row = tests[tests["metric"] == "accuracy"].iloc[0]
    assert row["mean_difference"] == pytest.approx(-0.02)
    assert np.isnan(row["p_two_sided"]) and np.isnan(row["p_holm"])
