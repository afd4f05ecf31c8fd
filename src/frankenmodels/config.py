"""Check a workflow configuration before any job runs, with one-line errors naming the key.

The JSON schema catches wrong types, unknown keys and out-of-range values; the checks here
need more than one key at a time (a local path that must exist, a layer index that must be
below the model's depth, a focus variant that must be one of the planned variants).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import yaml


class ConfigError(ValueError):
    """A configuration that cannot run; str() is one line naming the key and the fix."""


def load_schema(path: str | Path) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def check_schema(config: dict[str, Any], schema: dict[str, Any]) -> None:
    """Raise ConfigError for the most relevant schema violation."""
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is None:
        return
    key = ".".join(str(part) for part in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        raise ConfigError(f"config key {key}: unknown key(s) {unknown}; allowed: {allowed}")
    raise ConfigError(f"config key {key}: {error.message}")


def fill_defaults(
    config: dict[str, Any], schema: dict[str, Any], root: dict[str, Any] | None = None
) -> None:
    """Insert schema defaults for absent keys, recursively, in place; a sub-schema given by a
    local reference (``$ref: "#/$defs/x"``, alone or in ``allOf``) has its defaults filled too."""
    root = schema if root is None else root
    for name, sub in schema.get("properties", {}).items():
        sub = _resolved(sub, root)
        if name not in config and "default" in sub:
            config[name] = _copy(sub["default"])
        if isinstance(config.get(name), dict) and "properties" in sub:
            fill_defaults(config[name], sub, root)


def _resolved(sub: Any, root: dict[str, Any]) -> Any:
    """`sub` with its local references merged in: its own keys win over the referenced ones."""
    if not isinstance(sub, dict):
        return sub
    refs = ([sub["$ref"]] if "$ref" in sub else []) + [
        part["$ref"] for part in sub.get("allOf", []) if "$ref" in part
    ]
    if not refs:
        return sub
    merged: dict[str, Any] = {}
    for ref in refs:
        if not ref.startswith("#/"):
            raise ValueError(f"only local schema references are supported, not {ref!r}")
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        merged |= _resolved(target, root)
    return merged | {key: value for key, value in sub.items() if key not in ("$ref", "allOf")}


def sort_keys_in_place(config: dict[str, Any]) -> None:
    """Order every mapping's keys alphabetically, in place.

    Snakemake compares a job's params by their text, so the same settings written in
    another key order would otherwise rerun everything downstream.
    """
    ordered = _sorted(config)
    config.clear()
    config.update(ordered)


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]  # list order means something: keep it
    return value


def _copy(value: Any) -> Any:
    return yaml.safe_load(yaml.safe_dump(value))


def check_semantics(
    config: dict[str, Any],
    variant_names: list[str],
    families: dict[str, str] | None = None,
    check_packages: bool = True,
) -> None:
    """Cross-key checks the schema cannot express. `families` maps each variant to its
    family; `check_packages` looks for model packages in this Python (not where a conda
    environment will install them)."""
    data, model, stats = config["data"], config["model"], config["stats"]
    if data["source"] not in data:
        raise ConfigError(
            f"config key data.{data['source']}: required for data.source: {data['source']}"
        )
    if data["source"] == "local":
        local = data["local"]
        for split in ("train", "validation"):
            path = Path(local["dir"]) / local[split]
            if not path.is_file():
                raise ConfigError(f"config key data.local.{split}: {path} does not exist")
    check_model_source(model, "model")
    if model["source"] == "local" and not (Path(model["dir"]) / "config.json").is_file():
        raise ConfigError(f"config key model.dir: {model['dir']}/config.json does not exist")
    for key in ("focus_variant", "base_variant"):
        if stats[key] not in variant_names:
            raise ConfigError(
                f"config key stats.{key}: {stats[key]!r} is not a planned variant "
                f"(variants: {', '.join(variant_names)})"
            )
    selection = stats["selection"]
    known = sorted(set((families or {}).values()))
    if families is not None and selection["enabled"] and selection["family"] not in known:
        raise ConfigError(
            f"config key stats.selection.family: no variant belongs to {selection['family']!r} "
            f"(families of the planned variants: {', '.join(known)})"
        )
    if check_packages:
        _check_model_packages(model)
    if stats["selection"]["enabled"] and data["selection_size"] == 0:
        raise ConfigError(
            "config key data.selection_size: must be > 0 when stats.selection.enabled is true"
        )
    _check_multi_layer(config)
    _check_finetuning(config)


def check_model_source(model: dict[str, Any], key: str) -> None:
    """The key each model source needs (``key`` is where the model sits in the config)."""
    needed = {"hub": "id", "local": "dir", "package": "package", "config": "architecture"}
    if needed[model["source"]] not in model:
        raise ConfigError(
            f"config key {key}.{needed[model['source']]}: required for {key}.source: "
            f"{model['source']}"
        )
    if model["source"] == "config" and "tokenizer" not in model:
        raise ConfigError(f"config key {key}.tokenizer: required for {key}.source: config")


def _check_finetuning(config: dict[str, Any]) -> None:
    """The methods a config trains with: the reference among those compared, and a layer
    rule wherever layer_selective trains the base model (healing trains the copies)."""
    training, compare = config["training"], config["finetuning"]["compare"]
    if compare["enabled"] and compare["reference"] not in compare["methods"]:
        raise ConfigError(
            f"config key finetuning.compare.reference: {compare['reference']!r} is not among "
            f"finetuning.compare.methods ({', '.join(compare['methods'])})"
        )
    own_rate = compare["learning_rate"][training["method"]]
    if compare["enabled"] and own_rate not in (None, training["learning_rate"]):
        raise ConfigError(
            f"config key finetuning.compare.learning_rate.{training['method']}: the comparison "
            f"reuses the paper's fine-tuning (training.method {training['method']}, learning "
            f"rate {training['learning_rate']}); set it to null or to that rate"
        )
    trains_base = {training["method"], *(compare["methods"] if compare["enabled"] else [])}
    selective = training["selective"]
    if "layer_selective" in trains_base and selective["layers"] is None:
        if selective["top_k"] is None:
            raise ConfigError(
                "config key training.selective: layer_selective trains the base model here "
                "and needs layers (a fixed list) or top_k (the top layers by score)"
            )
    num_layers = config["model"]["num_layers"]
    beyond = [i for i in selective["layers"] or [] if i >= num_layers]
    if "layer_selective" in trains_base and beyond:
        raise ConfigError(
            f"config key training.selective.layers: {beyond} beyond the model's "
            f"{num_layers} layers (0-based: 0 to {num_layers - 1})"
        )
    if "layer_selective" in trains_base and (selective["top_k"] or 0) > num_layers:
        raise ConfigError(
            f"config key training.selective.top_k: {selective['top_k']} is more than the "
            f"model's {num_layers} layers"
        )


def _check_multi_layer(config: dict[str, Any]) -> None:
    multi = config["multi_layer"]
    if not multi["enabled"]:
        return
    if config["data"]["selection_size"] == 0:
        raise ConfigError(
            "config key data.selection_size: must be > 0 when multi_layer.enabled is true "
            "(the layer estimates come from held-out data, never from validation)"
        )
    metrics = config["stats"]["metrics"]
    if multi["objective_metric"] not in metrics:
        raise ConfigError(
            f"config key multi_layer.objective_metric: {multi['objective_metric']!r} is not "
            f"among stats.metrics ({', '.join(metrics)}), so its plans could not be tested"
        )


def _check_model_packages(model: dict[str, Any]) -> None:
    from frankenmodels.models import ModelSourceError, packaged_model_folder

    specs = [("model", model), ("model.tokenizer", model.get("tokenizer") or {})]
    for key, spec in specs:
        if spec.get("source") == "package":
            try:
                packaged_model_folder(spec["package"], f"{key}.package")
            except ModelSourceError as error:
                raise ConfigError(str(error)) from None
