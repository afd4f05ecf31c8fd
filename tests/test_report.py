"""The report stage: macros, tables and both papers, from a small fixed results set.

The fixture is config/test.yaml's study (4 layers, base and dup0..dup3) with 3 seeds and
designed accuracies, in exactly the formats of docs/CONTRACTS.md; tests.csv and
selection.json come from the real stats stage, so the claims have real tests behind them.
"""

from __future__ import annotations

import functools
import json
import re
import runpy
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from finetuning_fixtures import finetuning_inputs
from multilayer_fixtures import multilayer_results

from frankenmodels.config import fill_defaults, load_schema
from frankenmodels.metrics import METRICS
from frankenmodels.report import latex
from frankenmodels.report.inputs import FINETUNING_TABLE_INPUTS, MULTILAYER_TABLE_INPUTS, Inputs
from frankenmodels.report.numbers import build_numbers, write_numbers
from frankenmodels.report.sections import NUMBERS_SETTINGS
from frankenmodels.report.settings import STUDY_KEYS, TABLE_INPUTS, Settings, lookup, pick
from frankenmodels.report.tables import build_tables, write_tables
from frankenmodels.stats.analyse import analyse
from frankenmodels.variant_table import describe_variants
from frankenmodels.vocabulary import METRIC_NAMES, TESTED_METRICS, metric_label

REPO = Path(__file__).resolve().parents[1]
PAPER = REPO / "paper"
SEEDS = [42, 43, 44]
N_EXAMPLES = 2000
BASE_CORRECT = {42: 1800, 43: 1820, 44: 1810}  # accuracy 0.900, 0.910, 0.905
# Per-seed change in correctly classified examples; dup2 is the focus variant.
GAINS = {"dup0": [-6, -2, -4], "dup1": [2, -1, 2], "dup2": [11, 12, 12], "dup3": [1, 2, -1]}
FIGURES = ("layer_impact", "seed_pairs", "tradeoff", "layer_ci", "multilayer")
TABLES = ("performance", "significance", "efficiency", "multilayer", "methods", "healing")


def make_config() -> dict:
    """config/test.yaml with the schema's defaults filled in, as the Snakefile sees it."""
    config = yaml.safe_load((REPO / "config" / "test.yaml").read_text())
    fill_defaults(config, load_schema(REPO / "workflow" / "schemas" / "config.schema.yaml"))
    config["model"]["name"] = "tiny_bert#1 & co"  # LaTeX special characters on purpose
    config["training"]["seeds"] = SEEDS
    config["stats"]["bootstrap_resamples"] = 999
    return config


def make_variants(config: dict) -> pd.DataFrame:
    variants = describe_variants(config["variants"], config["model"]["num_layers"])
    return variants[variants["variant"].isin(["base", *GAINS])].reset_index(drop=True)


def _correct(variant: str, i: int, seed: int, gains: dict[str, list[int]]) -> int:
    return BASE_CORRECT[seed] + (0 if variant == "base" else gains[variant][i])


def make_metrics(gains: dict[str, list[int]]) -> pd.DataFrame:
    """Accuracy exactly as the predictions give it; the other metrics at fixed offsets."""
    rows = []
    for split, shift in (("validation", 0), ("selection", -20)):
        for i, seed in enumerate(SEEDS):
            for variant in ["base", *gains]:
                acc = (_correct(variant, i, seed, gains) + shift) / N_EXAMPLES
                for j, metric in enumerate(METRICS):
                    value = round(acc + 0.0003 * j, 6)
                    rows.append(
                        dict(split=split, seed=seed, variant=variant, metric=metric, value=value)
                    )
    return pd.DataFrame(rows)


def make_predictions(gains: dict[str, list[int]]) -> pd.DataFrame:
    """Validation predictions: the first k examples right, the rest wrong (for McNemar)."""
    labels = np.arange(N_EXAMPLES) % 2
    frames = []
    for i, seed in enumerate(SEEDS):
        for variant in ["base", *gains]:
            right = np.arange(N_EXAMPLES) < _correct(variant, i, seed, gains)
            frames.append(
                pd.DataFrame(
                    {
                        "split": "validation",
                        "seed": seed,
                        "variant": variant,
                        "example": np.arange(N_EXAMPLES),
                        "label": labels,
                        "prediction": np.where(right, labels, 1 - labels),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def make_efficiency() -> pd.DataFrame:
    rows = []
    for variant, depth, eff, mem, lat in [
        ("base", 4, 10_000_000, 120.0, 18.3),
        *[(f"dup{k}", 5, 11_500_000, 124.8, 20.1) for k in range(4)],
    ]:
        rows.append(
            {
                "variant": variant,
                "depth": depth,
                "params_unique": eff,  # memory_mode copy: every use is a stored tensor
                "params_effective": eff,
                "peak_memory_mb": mem,
                "memory_method": "cuda_max_allocated",
                "latency_ms_median": lat,
                "latency_ms_p25": lat - 0.4,
                "latency_ms_p75": lat + 0.5,
                "batch_size": 32,
                "repeats": 50,
                "device": "cuda",
                "device_name": "Fake GPU_X #1",
            }
        )
    return pd.DataFrame(rows)


def make_training() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "seed": s,
                "train_examples": 2000,
                "epochs": 2,
                "steps": 250,
                "wall_seconds": 300.0 + i,
                "examples_per_second": 13.3,
                "final_loss": 0.21,
                "device": "cuda",
                "device_name": "Fake GPU_X #1",
            }
            for i, s in enumerate(SEEDS)
        ]
    )


def make_benchmarks() -> pd.DataFrame:
    """Snakemake benchmark records as the workflow collects them: one row per job."""
    rows = [("download_data", "", 12.0, 3.0, 210.0)]
    rows += [("finetune", f"seed={s}", 300.0 + i, 590.0, 1500.0) for i, s in enumerate(SEEDS)]
    rows += [("evaluate", f"seed={s}", 60.0, 100.0, 900.0) for s in SEEDS]
    rows += [("efficiency", f"variant={v}", 30.0, 31.0, 800.0) for v in ("base", *GAINS)]
    return pd.DataFrame(rows, columns=["rule", "job", "seconds", "cpu_seconds", "max_rss_mb"])


def make_provenance() -> dict:
    cpu = ["Fake EPYC_9 #2 (2 cores)"]
    return {
        "python": "3.11.7",
        "packages": {"torch": "2.13.0", "transformers": "5.23.0", "snakemake": "9.27.1"},
        "hardware": {"finetune": ["Fake GPU_X #1"], "evaluate": cpu, "efficiency": cpu},
        "git": {"commit": "0123456789abcdef0123456789abcdef01234567", "dirty": True},
    }


def make_inputs(
    gains: dict[str, list[int]] | None = None,
    *,
    selection: bool = True,
    multilayer: bool = True,
    methods: bool = True,
    healing: bool = True,
) -> Inputs:
    """The fixture; tests.csv and selection.json come from the real stats stage (cached:
    its bootstrap takes a few seconds). `multilayer`: the multi-layer study's files too;
    `methods`, `healing`: the fine-tuning studies' (tests/finetuning_fixtures.py)."""
    key = tuple(sorted((k, tuple(v)) for k, v in (gains or GAINS).items()))
    return _inputs(key, selection, multilayer, methods, healing)


def multilayer_inputs() -> dict:
    """The multi-layer study's files as Inputs fields (tests/multilayer_fixtures.py)."""
    return {f"multilayer_{name}": value for name, value in multilayer_results().items()}


@functools.cache
def _inputs(
    gains_key: tuple, selection: bool, multilayer: bool, methods: bool, healing: bool
) -> Inputs:
    gains = {k: list(v) for k, v in gains_key}
    config = make_config()
    config["stats"]["selection"]["enabled"] = selection
    metrics, variants = make_metrics(gains), make_variants(config)
    result = analyse(metrics, make_predictions(gains), variants, config["stats"])
    return Inputs(
        settings=pick(config, NUMBERS_SETTINGS),  # what the numbers rule passes as params
        metrics=metrics,
        efficiency=make_efficiency(),
        training=make_training(),
        tests=result.tests,
        selection=result.selection,
        variants=variants,
        benchmarks=make_benchmarks(),
        provenance=make_provenance(),
        **(multilayer_inputs() if multilayer else {}),
        **finetuning_inputs(methods=methods, healing=healing, chosen=multilayer),
    )


CSV_NAMES = ("metrics", "efficiency", "training", "tests", "variants", "benchmarks")
MULTILAYER_CSV = ("multilayer_tests", "multilayer_agreement", "multilayer_signals")
FINETUNING_CSV = ("methods_summary", "methods_tests", "methods_claims", "healing_tests")


def write_inputs(inp: Inputs, folder: Path) -> dict[str, Path]:
    """The fixture as files, in the contract formats; the multi-layer files where it has them."""
    ran = not inp.multilayer_tests.empty
    finetuning = tuple(n for n in FINETUNING_CSV if not getattr(inp, n).empty)
    names = CSV_NAMES + (MULTILAYER_CSV if ran else ()) + finetuning
    paths = {n: folder / f"{n}.csv" for n in names}
    for name, path in paths.items():
        getattr(inp, name).to_csv(path, index=False)
    for name in ("selection", "provenance", *(("multilayer_plans",) if ran else ())):
        paths[name] = folder / f"{name}.json"
        paths[name].write_text(json.dumps(getattr(inp, name)))
    return paths


def flags(macros) -> dict[str, bool]:
    return {m.name: m.value for m in macros if m.is_flag}


def tex_of(macros, name: str) -> str:
    return macros[name].tex


def assert_tex(macros, expected: dict[str, str]) -> None:
    """Each macro named in `expected` typesets as the text given for it."""
    for name, tex in expected.items():
        assert tex_of(macros, name) == tex, name


# --------------------------------------------------------------------------- latex helpers


def test_escape_special_characters():
    assert latex.escape("a_b & 100% #1 {x} ~ ^ $\\") == (
        r"a\_b \& 100\% \#1 \{x\} \textasciitilde{} \textasciicircum{} \$\textbackslash{}"
    )


def test_macro_names_are_letters_only():
    assert latex.macro_name("focus", "f1_weighted", "TP") == "FocusFOneWeightedTP"
    assert latex.macro_name("dup6") == "DupSix"
    assert latex.macro_name("dup11") == "DupEleven"
    assert latex.macro_name("delwin2_4") == "DelwinTwoFour"
    assert latex.macro_name("layer", 47) == "LayerFortySeven"
    assert latex.macro_name("x", 107) == "XOneZeroSeven"


def test_number_formats():
    assert latex.fmt_fixed(0.92314) == "0.9231"
    assert latex.fmt_signed(0.0056) == "+0.0056"
    assert latex.fmt_signed(-0.0012) == r"\ensuremath{-}0.0012"
    assert latex.fmt_signed(0.00001) == "0.0000"  # rounds to zero: no sign
    assert latex.fmt_pp(0.0056) == "+0.56"
    assert latex.fmt_pp(-0.0056) == r"\ensuremath{-}0.56"
    assert latex.fmt_p(0.0397) == "0.040"
    assert latex.fmt_p(0.0004) == r"\ensuremath{<}0.001"
    assert latex.fmt_p(float("nan")) == "n/a"
    assert latex.fmt_pct_change(117.1, 109.5) == "+6.9"
    assert latex.fmt_int(67349) == "67{,}349"
    assert latex.fmt_sci(2e-5) == r"\ensuremath{2\times10^{-5}}"
    assert latex.fmt_duration(42) == r"42\,s"
    assert latex.fmt_duration(1260) == r"21.0\,min"
    assert latex.fmt_int_list([44, 42, 43]) == "42--44"
    assert latex.fmt_int_list([1, 3, 7]) == "1, 3, 7"


def test_missing_config_key_names_it():
    with pytest.raises(KeyError, match=r"stats\.selection\.metric"):
        lookup({"stats": {"selection": {}}}, "stats.selection.metric")
    settings = Settings({"study.title": "x"}, ["study.title", "data.name"], "section demo")
    with pytest.raises(KeyError, match=r"data\.name.*missing"):
        settings["data.name"]
    with pytest.raises(KeyError, match="section demo reads config key 'model.name'"):
        settings["model.name"]  # undeclared: the rule would not pass it


# --------------------------------------------------------------------------- macros


def test_macros_from_fixture_have_expected_values():
    macros = build_numbers(make_inputs())
    assert_tex(
        macros,
        {
            # Means over seeds, paired difference, layer and config values.
            "BaseAccuracyMean": "0.9050",
            "FocusAccuracyMean": "0.9108",
            "FocusAccuracyDiffPP": "+0.58",
            "FocusLayer": "2",
            "NumSeeds": "3",
            "SeedList": "42--44",
            "LearningRate": r"\ensuremath{10^{-3}}",
            "SweepSize": "4",
            "SweepBestVariant": "dup2",
            "SelectedVariant": "dup2",
            "ParamsUniqueIncreasePct": "+15.0",
            "FocusMcNemarSig": "3",
            "LatencyIncreasePct": "+9.8",
            "TrainWallPerSeed": r"5.0\,min",
            # Special characters from the config and the results are escaped.
            "ModelName": r"tiny\_bert\#1 \& co",
            "EffDeviceName": r"Fake GPU\_X \#1",
        },
    )
    f = flags(macros)
    assert f["FocusAccuracyPositive"] and f["FocusAccuracySignificant"]
    assert f["FocusIsBest"] and f["SelectedIsFocus"] and f["SelectedSignificant"]
    assert not f["ParamsUniqueShared"] and f["LatencyDearer"]
    assert not f["WilcoxonCanReject"]  # 3 seeds: the signed-rank test bottoms out at 0.125


def test_flipped_results_flip_the_claims():
    worse = dict(GAINS, dup2=[-11, -12, -12], dup1=[8, 10, 9])
    before = flags(build_numbers(make_inputs()))
    macros = build_numbers(make_inputs(worse))
    after = flags(macros)
    for name in (
        "FocusAccuracyPositive",
        "FocusAccuracySignificant",
        "FocusAnySignificant",
        "FocusIsBest",
        "SelectedIsFocus",
    ):
        assert before[name] and not after[name], name
    assert after["SelectedIsBest"] and after["SelectedSignificant"]
    assert tex_of(macros, "FocusAccuracyDiffPP") == r"\ensuremath{-}0.58"
    assert tex_of(macros, "SweepBestVariant") == "dup1"
    assert tex_of(macros, "SelectedLayer") == "1"


def test_noisy_gain_is_positive_but_not_significant_and_underpowered():
    noisy = dict(GAINS, dup2=[30, -12, 6])
    macros = build_numbers(make_inputs(noisy))
    f = flags(macros)
    assert f["FocusAccuracyPositive"] and not f["FocusAccuracySignificant"]
    assert f["Underpowered"] and f["PowerDefined"] and not f["FocusAccuracyCIExcludesZero"]
    assert not flags(build_numbers(make_inputs()))["Underpowered"]


def test_numbers_files_and_json_twin(tmp_path):
    inp = make_inputs()
    paths = write_inputs(inp, tmp_path)
    loaded = Inputs.from_paths(inp.settings, **paths)
    write_numbers(loaded, tmp_path / "numbers.tex", tmp_path / "numbers.json")
    tex = (tmp_path / "numbers.tex").read_text()
    document = json.loads((tmp_path / "numbers.json").read_text())
    twin = document["macros"]
    assert r"\newcommand{\FocusAccuracyMean}{0.9108}" in tex
    assert r"\newif\ifFocusAccuracySignificant\FocusAccuracySignificanttrue" in tex
    # Every macro in the .tex has its twin, with a source.
    names = re.findall(r"\\newcommand\{\\([A-Za-z]+)\}|\\newif\\if([A-Za-z]+)", tex)
    assert {a or b for a, b in names} == set(twin)
    assert all(entry["source"] for entry in twin.values())
    assert twin["FocusAccuracyTP"]["source"].startswith("tests.csv")
    assert twin["FocusAccuracyTP"]["section"] == "significance"
    # The provenance block: provenance.json whole, plus the time of each rule.
    prov = document["provenance"]
    assert prov["git"]["commit"] == make_provenance()["git"]["commit"]
    assert prov["packages"]["transformers"] == "5.23.0"
    finetune = next(x for x in prov["rules"] if x["rule"] == "finetune")
    assert finetune["jobs"] == 3 and finetune["seconds"] == pytest.approx(903.0)
    assert finetune["hardware"] == ["Fake GPU_X #1"]
    assert prov["jobs"] == len(make_benchmarks())
    assert prov["seconds"] == pytest.approx(make_benchmarks()["seconds"].sum())


def test_provenance_macros():
    macros = build_numbers(make_inputs())
    assert tex_of(macros, "GitCommit") == "0123456"
    assert flags(macros)["GitDirty"]
    assert tex_of(macros, "TransformersVersion") == "5.23.0"
    assert tex_of(macros, "ComputeJobs") == str(len(make_benchmarks()))
    assert tex_of(macros, "ComputeTotal") == r"20.8\,min"  # 12 + 903 + 180 + 150 s
    rows = tex_of(macros, "ComputeRows")
    assert r"\texttt{finetune} & 3 & 15.1 & Fake GPU\_X \#1 \\" in rows
    assert r"\texttt{download\_data} & 1 & 0.2 & -- \\" in rows  # no hardware recorded
    assert tex_of(macros, "StudyTitle") == latex.escape(make_config()["study"]["title"])


# --------------------------------------------------------------------------- tables


def test_tables_contain_formatted_values():
    tables = build_tables(make_inputs())
    perf, sig, eff = tables["performance"], tables["significance"], tables["efficiency"]
    assert r"0.9050 $\pm$ 0.0050" in perf and "0.9108" in perf and "+0.0058" in perf
    assert r"\begin{table*}" in sig and r"\texttt{dup2}" in sig and "layer 3 &" in sig
    assert "(c) selection protocol" in sig
    assert "18.3 [17.9--18.8]" in eff and r"+9.8\,\%" in eff and r"+15.0\,\%" in eff
    assert r"Fake GPU\_X \#1" in eff
    for tex in tables.values():
        assert tex.count("{") == tex.count("}")


def test_table_marks_no_choice_when_selection_disabled():
    inp = make_inputs(selection=False)
    sig = build_tables(inp)["significance"]
    assert "not run" in sig
    assert not flags(build_numbers(inp))["SelectionChosen"]


# --------------------------------------------------------------------------- the prose


def _uncommented(line: str) -> str:
    return re.split(r"(?<!\\)%", line)[0]


def _sections() -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((PAPER / "sections").glob("*.tex"))}


def test_prose_uses_only_generated_macros():
    """Every capitalised macro and \\if... in the sections exists: numbers.tex or preamble."""
    macros = build_numbers(make_inputs())
    known = {m.name for m in macros} | {"PaperTitle", "FigWidth", "IfFileExists"}
    for name, text in _sections().items():
        used = set(re.findall(r"\\if([A-Z][A-Za-z]*)", text))
        used |= {u for u in re.findall(r"\\([A-Z][A-Za-z]*)", text)}
        missing = used - known - {f"if{k}" for k in known}
        assert not missing, f"{name} uses undefined {sorted(missing)}"


def test_prose_does_not_swallow_spaces_after_macros():
    """`\\NumSeeds seeds` typesets "3seeds": a value macro before a word needs {}."""
    values = {m.name for m in build_numbers(make_inputs()) if not m.is_flag} | {"pp"}
    for name, text in _sections().items():
        for line in text.splitlines():
            for hit in re.finditer(r"\\([A-Za-z]+)(?: +\S|$)", _uncommented(line)):
                assert hit.group(1) not in values, f"{name}: {line.strip()}"


def test_prose_types_no_numbers():
    """Numbers in the prose come from macros: no decimal numbers typed into the sections."""
    for name, text in _sections().items():
        body = "\n".join(_uncommented(line) for line in text.splitlines())
        assert not re.findall(r"\d+\.\d+", body), f"{name} has a typed decimal number"


def _paper_sources() -> str:
    """Every .tex source of both papers, comments removed."""
    files = sorted(PAPER.glob("*.tex")) + sorted((PAPER / "sections").glob("*.tex"))
    lines = (line for f in files for line in f.read_text().splitlines())
    return "\n".join(_uncommented(line) for line in lines)


def _used(name: str, text: str) -> bool:
    return re.search(rf"\\(if)?{name}(?![A-Za-z])", text) is not None


@pytest.mark.parametrize(
    "selection,multilayer,finetuning",
    [(True, True, True), (False, True, True), (True, False, True), (True, True, False)],
)
def test_every_macro_is_used_or_reviewer_only(selection, multilayer, finetuning):
    """A macro the paper does not print is listed in numbers.json with the reason it is kept;
    a macro marked reviewer-only that the paper prints has a stale mark."""
    text = _paper_sources()
    inp = make_inputs(
        selection=selection, multilayer=multilayer, methods=finetuning, healing=finetuning
    )
    macros = list(build_numbers(inp))
    unused = [m.name for m in macros if not m.reviewer_only and not _used(m.name, text)]
    assert not unused, f"generated but used nowhere in paper/: {unused}"
    stale = [m.name for m in macros if m.reviewer_only and _used(m.name, text)]
    assert not stale, f"marked reviewer-only but used in paper/: {stale}"
    assert all(len(m.reviewer_only) > 20 for m in macros if m.reviewer_only), "a real reason"


# --------------------------------------------------------------------------- config params


def _record_reads(monkeypatch) -> set[str]:
    reads: set[str] = set()
    original = Settings.__getitem__

    def recording(self, key):
        reads.add(key)
        return original(self, key)

    monkeypatch.setattr(Settings, "__getitem__", recording)
    return reads


def test_numbers_params_are_the_keys_the_sections_read(monkeypatch):
    """The numbers rule passes NUMBERS_SETTINGS; the sections read exactly those (a model
    comes from one place, so only one of its location keys is read)."""
    reads = _record_reads(monkeypatch)
    build_numbers(make_inputs())
    alternatives = {"model.id", "model.dir", "model.package", "data.train_subset"}
    assert reads <= set(NUMBERS_SETTINGS)
    assert set(NUMBERS_SETTINGS) - reads <= alternatives


def test_tables_need_only_the_study_keys_and_their_inputs():
    inp = make_inputs()
    settings = pick(make_config(), STUDY_KEYS)
    assert set(settings) == set(STUDY_KEYS)
    names = (*TABLE_INPUTS, *MULTILAYER_TABLE_INPUTS, *FINETUNING_TABLE_INPUTS)
    only = Inputs(settings, **{n: getattr(inp, n) for n in names})
    assert build_tables(only) == build_tables(inp)


def _run_script(name: str, tmp_path: Path, outputs: dict, inputs: dict, settings: dict) -> None:
    """A workflow script as Snakemake runs it, with an empty config: it may read params only."""
    smk = SimpleNamespace(
        config={},
        input=SimpleNamespace(**{k: str(v) for k, v in inputs.items()}),
        output=SimpleNamespace(**{k: str(v) for k, v in outputs.items()}),
        params=SimpleNamespace(settings=settings),
        log=[str(tmp_path / f"{name}.log")],
    )
    runpy.run_path(str(REPO / "workflow" / "scripts" / f"{name}.py"), {"snakemake": smk})


def test_scripts_read_params_not_the_config(tmp_path):
    inp = make_inputs()
    paths = write_inputs(inp, tmp_path)
    config = make_config()
    out = {"tex": tmp_path / "numbers.tex", "json": tmp_path / "numbers.json"}
    _run_script("numbers", tmp_path, out, paths, pick(config, NUMBERS_SETTINGS))
    assert r"\newcommand{\FocusAccuracyMean}{0.9108}" in out["tex"].read_text()
    tables = {n: tmp_path / f"table_{n}.tex" for n in TABLES}
    names = (*TABLE_INPUTS, *MULTILAYER_TABLE_INPUTS, *FINETUNING_TABLE_INPUTS)
    table_paths = {n: paths[n] for n in names}
    _run_script("tables", tmp_path, tables, table_paths, pick(config, STUDY_KEYS))
    assert "0.9108" in tables["performance"].read_text()
    assert r"\texttt{ilp\_del0\_dup2}" in tables["multilayer"].read_text()


# --------------------------------------------------------------------------- vocabulary


def test_one_vocabulary_for_metric_names():
    schema = load_schema(REPO / "workflow" / "schemas" / "config.schema.yaml")
    enum = schema["properties"]["stats"]["properties"]["metrics"]["items"]["enum"]
    assert tuple(enum) == METRIC_NAMES == METRICS
    default = schema["properties"]["stats"]["properties"]["metrics"]["default"]
    assert tuple(default) == TESTED_METRICS
    assert len({metric_label(m) for m in METRIC_NAMES}) == len(METRIC_NAMES)
    table = build_tables(make_inputs())["performance"]
    assert "F1 (positive class)" in table and metric_label("f1_binary") == "F1 (positive class)"


# --------------------------------------------------------------------------- both papers compile

needs_latex = pytest.mark.skipif(
    shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
    reason="latexmk/pdftotext not installed",
)


def _fake_figure(path: Path, label: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3.4, 2.0))
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, f"fixture: {label}", ha="center", va="center")
    ax.set_xticks([])
    ax.set_yticks([])
    fig.savefig(path)


def paper_copy(root: Path, inp: Inputs, figures: tuple[str, ...] = FIGURES) -> Path:
    """paper/ copied to `root`, with the numbers and tables of `inp` generated into it and
    fixture PDFs for `figures` in root/results/figures; the copy's folder."""
    paper = root / "paper"
    shutil.copytree(PAPER, paper, ignore=shutil.ignore_patterns("build", "generated", "*.pdf"))
    folder = root / "results" / "figures"
    folder.mkdir(parents=True)
    for name in figures:
        _fake_figure(folder / f"{name}.pdf", name)
    gen = paper / "generated"
    write_numbers(inp, gen / "numbers.tex", gen / "numbers.json")
    write_tables(inp, {n: gen / f"table_{n}.tex" for n in TABLES})
    return paper


def simple_paper_text(root: Path, inp: Inputs, figures: tuple[str, ...] = FIGURES) -> str:
    """The simple paper of `inp` (see paper_copy), compiled under `root`, as flat text."""
    paper = paper_copy(root, inp, figures)
    name = "frankenmodels_article_simple"
    proc = subprocess.run(
        ["latexmk", "-pdf", "-halt-on-error", "-interaction=nonstopmode", f"{name}.tex"],
        cwd=paper,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    text = subprocess.run(
        ["pdftotext", str(paper / f"{name}.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def compiled_papers(tmp_path_factory) -> dict[str, str]:
    paper = paper_copy(tmp_path_factory.mktemp("paperbuild"), make_inputs())
    texts = {}
    for name in ("frankenmodels_article", "frankenmodels_article_simple"):
        proc = subprocess.run(
            [
                "latexmk",
                "-pdf",
                "-halt-on-error",
                "-interaction=nonstopmode",
                f"-output-directory=build/{name}",
                f"{name}.tex",
            ],
            cwd=paper,
            capture_output=True,
            text=True,
            timeout=180,
        )
        log = paper / "build" / name / f"{name}.log"
        assert proc.returncode == 0, (
            log.read_text()[-3000:] if log.exists() else proc.stdout[-3000:]
        )
        pdf = paper / "build" / name / f"{name}.pdf"
        texts[name] = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        texts[name + ":log"] = log.read_text(errors="replace")
    return texts


@needs_latex
@pytest.mark.parametrize("name", ["frankenmodels_article", "frankenmodels_article_simple"])
def test_papers_compile_and_show_generated_numbers(compiled_papers, name):
    text = compiled_papers[name]
    for value in (
        "0.9108",
        "0.9050",
        "+0.58",
        "42–44",
        "+9.8",
        "Fake GPU_X #1",
        "tiny_bert#1 & co",
        "0123456",  # the provenance paragraph: commit, versions, compute by rule
        "5.23.0",
        "Fake EPYC_9 #2 (2 cores)",
        "20.8 min",
        "ilp_del0_dup2",  # the multi-layer section: a chosen plan and its table
    ):
        assert value in text, value
    log = compiled_papers[name + ":log"]
    assert not re.search(r"(Reference|Citation) `[^']*' .*undefined", log), "undefined ref/cite"
    assert "hitchhiker" in text.lower()  # bibtex ran and the bibliography is in the PDF
