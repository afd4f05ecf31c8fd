"""The merge/compress study end to end on config/compress-test.yaml (built once, see conftest):
a tiny random GPT-2 (Conv1D layout, attention scaled by the layer index), three seeds, FFN and
block scope, the report's merge/compress chapter alone."""

import json
import shutil
import subprocess

import pandas as pd
import pytest
import yaml
from workflow_helpers import COMPRESS_CONFIG, LAB_CONFIG, LAB_PDF, planned_jobs, snakemake

VARIANTS = [
    "original",
    "merged_2_at2_ffn",
    "compressed_2_at2_ffn",
    "merged_2_at2_block",
    "compressed_2_at2_block",
]
SEEDS = [42, 43, 44]


def test_the_report_is_built(built_compress):
    assert (built_compress / LAB_PDF).read_bytes()[:5] == b"%PDF-"
    document = (built_compress / "paper/generated/lab/document.tex").read_text()
    assert "\\input{lab/compress}" in document and "lab/setup" not in document


def test_every_variant_is_measured_and_trained_per_seed(built_compress):
    variants = pd.read_csv(built_compress / "results/compress/summary/variants.csv")
    assert list(variants["variant"]) == VARIANTS
    depth = variants.set_index("variant")["depth"]
    assert depth["original"] == 6 and depth["merged_2_at2_ffn"] == 6
    assert depth["compressed_2_at2_ffn"] == 5 and depth["compressed_2_at2_block"] == 5
    params = variants.set_index("variant")["params_unique"]
    assert params["compressed_2_at2_ffn"] < params["original"] == params["merged_2_at2_ffn"]
    seeds = pd.read_csv(built_compress / "results/compress/summary/seeds.csv")
    for metric in ("perplexity_after", "accuracy", "f1"):
        rows = seeds[seeds["metric"] == metric]
        assert sorted(zip(rows["variant"], rows["seed"], strict=True)) == sorted(
            (v, s) for v in VARIANTS for s in SEEDS
        ), metric
    tests = pd.read_csv(built_compress / "results/compress/summary/tests.csv")
    assert set(tests["variant"]) == set(VARIANTS[1:])
    assert tests["n_seeds"].eq(3).all() and tests["p_holm"].between(0, 1).all()
    samples = pd.read_csv(built_compress / "results/compress/summary/samples.csv")
    assert set(samples["variant"]) == set(VARIANTS)


def test_the_data_roles_are_disjoint(built_compress):
    data = built_compress / "results/compress/data"
    roles = {
        role: pd.read_parquet(data / f"{role}.parquet")
        for role in ("lm_train", "perplexity", "cls_train", "cls_test")
    }
    texts = [set(table["text"]) for table in roles.values()]
    assert sum(map(len, texts)) == len(set().union(*texts))
    docs = [set(table["doc"]) for table in roles.values()]
    assert sum(map(len, docs)) == len(set().union(*docs))
    assert json.loads((data / "partitions.json").read_text())["overlap"] == 0
    assert set(roles["cls_test"]["label"]) == {0, 1}


def test_rouge_is_skipped_with_its_reason_never_faked(built_compress):
    info = json.loads((built_compress / "results/compress/data/summaries.json").read_text())
    assert info["available"] is False and "summarisation.source is none" in info["reason"]
    variants = pd.read_csv(built_compress / "results/compress/summary/variants.csv")
    assert variants["rougeL_f"].isna().all()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing")
def test_the_numbers_are_in_the_pdf(built_compress):
    text = subprocess.run(
        ["pdftotext", str(built_compress / LAB_PDF), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = " ".join(text.split())
    variants = pd.read_csv(built_compress / "results/compress/summary/variants.csv")
    original = variants.set_index("variant").loc["original"]
    assert f"{original['perplexity_before']:.2f}" in text
    assert "summarisation.source is none" in text
    numbers = json.loads((built_compress / "paper/generated/lab/compress_numbers.json").read_text())
    found = [
        key
        for key, entry in numbers["macros"].items()
        if len(str(entry["tex"])) >= 3
        and any(c.isdigit() for c in str(entry["tex"]))
        and str(entry["tex"]) in text
    ]
    assert len(found) >= 10, found


def test_rerun_plans_nothing(built_compress):
    assert planned_jobs(built_compress, LAB_PDF, *COMPRESS_CONFIG) == {}


def test_classification_code_edit_reruns_only_the_heads(built_compress):
    path = built_compress / "src/frankenmodels/compress/classify.py"
    original = path.read_text()
    try:
        path.write_text(original + "\n# edited\n")
        jobs = planned_jobs(built_compress, LAB_PDF, *COMPRESS_CONFIG)
    finally:
        path.write_text(original)
    assert jobs["compress_classify"] == len(VARIANTS) * len(SEEDS)
    for rule in ("compress_finetune", "compress_measure", "compress_latency", "compress_data"):
        assert rule not in jobs


def _config_with(tmp_path, built_compress, mutate):
    config = yaml.safe_load((built_compress / "config/compress-test.yaml").read_text())
    mutate(config["compress"])
    path = tmp_path / "compress.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_a_fine_tuning_budget_edit_reruns_the_fine_tuning_only(built_compress, tmp_path):
    config = _config_with(tmp_path, built_compress, lambda c: c["lm_training"].update(steps=7))
    jobs = planned_jobs(built_compress, LAB_PDF, "--configfile", str(config))
    assert jobs["compress_finetune"] == len(VARIANTS) * len(SEEDS)
    for rule in ("compress_classify", "compress_measure", "compress_latency", "compress_data"):
        assert rule not in jobs


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c["variants"].update(sizes=[7]), "compress.variants.sizes"),
        (lambda c: c["variants"].update(positions=[5]), "compress.variants.positions"),
        (lambda c: c["variants"].update(scopes=["attention"]), "compress.variants.scopes"),
        (lambda c: c["model"].pop("architecture"), "compress.model.architecture"),
        (lambda c: c["data"].update(fractions={"lm_train": 1.5}), "compress.data.fractions"),
        # with the defaults of the other two shares: 0.9 + 0.2 + 0.25 + 0.15 > 1
        (lambda c: c["data"].update(fractions={"lm_train": 0.9}), "compress.data.fractions"),
        (lambda c: c["data"]["language"].pop("local"), "compress.data.language.local"),
    ],
)
def test_bad_config_fails_before_any_job(built_compress, tmp_path, mutate, message):
    config = _config_with(tmp_path, built_compress, mutate)
    result = snakemake(built_compress, "-n", "--configfile", str(config), timeout=300)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


def test_a_config_with_both_studies_reports_both(built_compress, tmp_path):
    """The lab and the merge/compress study in one config: one report, both chapters."""
    lab = yaml.safe_load((built_compress / LAB_CONFIG[1]).read_text())
    compress = yaml.safe_load((built_compress / COMPRESS_CONFIG[1]).read_text())
    path = tmp_path / "both.yaml"
    path.write_text(yaml.safe_dump({**lab, "compress": compress["compress"]}))
    jobs = planned_jobs(built_compress, LAB_PDF, "--configfile", str(path))
    assert jobs["lab_stage1"] >= 1 and jobs["lab_numbers"] == 1
    # The compress chapter's jobs are up to date: adding the lab reruns none of them.
    assert not any(rule.startswith("compress_") for rule in jobs), jobs
    assert jobs["lab_document"] == 1 and jobs["lab_paper"] == 1
