"""The work behind ``python -m frankenmodels surgery``: load, plan, apply, report, save."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .apply import apply_plan
from .families import find_layer_stack
from .load import load_model, load_tokenizer
from .params import count_parameters
from .planfile import load_plan
from .save import save_model


@dataclass
class SurgeryRequest:
    model: str
    plan: str
    out: str | None = None
    gguf_file: str | None = None
    donor: str | None = None
    donor_gguf_file: str | None = None
    dry_run: bool = False


def run_surgery(request: SurgeryRequest, echo=print) -> None:
    """Apply the plan file to the model; write a checkpoint unless ``dry_run``."""
    model = load_model(request.model, request.gguf_file)
    stack = find_layer_stack(model)
    plan, roles = load_plan(request.plan, len(stack), base=request.model)
    donor = load_model(request.donor, request.donor_gguf_file) if request.donor else None
    new = apply_plan(model, plan, mode="shared", donor=donor)  # checks the plan first

    unique, effective = count_parameters(new)
    base_unique, _ = count_parameters(model)
    echo(
        f"model:      {request.model} ({type(model).__name__}, {len(stack)} layers at {stack.path})"
    )
    if roles:
        echo(f"mergekit:   models {roles}")
    echo(f"layers:     {plan.layers_string()}")
    echo(f"depth:      {len(stack)} -> {plan.depth}")
    echo(f"parameters: unique {unique:,}  effective {effective:,}  (source {base_unique:,})")
    if request.dry_run:
        return
    if request.out is None:
        raise ValueError("--out is required unless --dry-run")
    out = save_model(new, request.out, tokenizer=load_tokenizer(request.model, request.gguf_file))
    record = {"source": request.model, "gguf_file": request.gguf_file, "donor": request.donor}
    record.update(plan.to_dict())
    (Path(out) / "surgery_plan.yaml").write_text(yaml.safe_dump(record, sort_keys=False))
    echo(f"saved:      {out}")
