"""One lab job: load the model (and donor) once, then build and measure each experiment in turn.

Experiments are built in the surgery library's shared mode, so a doubled or repeated layer
costs no memory and the loaded model is never changed: nothing needs restoring between
experiments, and memory stays near one model. A finished experiment is kept in a staging folder
named from everything that changes its result, so an interrupted job resumes where it stopped;
the output folder appears only when every experiment of the job is done.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from frankenmodels.io import atomic_directory, write_json, write_parquet
from frankenmodels.lab.measure import LabInputs, measure
from frankenmodels.lab.models import load_causal_lm
from frankenmodels.provenance import environment
from frankenmodels.runtime import device_name, select_device
from frankenmodels.surgery import Plan, apply_plan
from frankenmodels.surgery.sweeps import Variant

log = logging.getLogger(__name__)


def experiment_rows(variants: Sequence[Variant], stage: int) -> pd.DataFrame:
    """What each experiment is: name, family, stage, its one layer, depth and layer list."""
    rows = [
        {
            "experiment": v.name,
            "family": v.family,
            "stage": stage,
            "layer": v.layer,
            "depth": v.plan.depth,
            "layers": v.plan.layers_string(),
        }
        for v in variants
    ]
    columns = ["experiment", "family", "stage", "layer", "depth", "layers"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["layer"] = frame["layer"].astype("Int64")
    return frame


def experiment_layers(folders: Sequence[str | Path]) -> dict[str, str]:
    """Layer stack -> the experiment that measured it, over finished job folders."""
    measured: dict[str, str] = {}
    for folder in folders:
        rows = pd.read_parquet(Path(folder) / "experiments.parquet")
        for layers, name in zip(rows["layers"], rows["experiment"], strict=True):
            measured.setdefault(layers, name)
    return measured


def _stamp(path: Path) -> list:
    stat = Path(path).stat()
    return [str(path), stat.st_size, stat.st_mtime_ns]


def run_lab_job(
    *,
    model_dir: str | Path,
    donor_dir: str | Path | None,
    variants: Sequence[Variant],
    stage: int,
    inputs: LabInputs,
    out_dir: str | Path,
    staging_root: str | Path,
    device: str = "auto",
    notes: Mapping[str, Any] | None = None,
    code_files: Sequence[str | Path] = (),
) -> None:
    """Measure every variant; write one parquet file per table kind plus ``experiments`` and
    ``job.json`` (device, seconds per experiment, and ``notes``) into ``out_dir``."""
    key = {
        "model": _stamp(Path(model_dir) / "config.json"),
        "donor": _stamp(Path(donor_dir) / "config.json") if donor_dir else None,
        "settings": inputs.settings,
        "documents": hashlib.sha256("\x00".join(inputs.documents).encode()).hexdigest(),
        "math": inputs.math_items.to_json(),
        # Experiments measured by older code or on another device are not resumed.
        "code": [hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in code_files],
        "device": device,
    }
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()
    staging = Path(staging_root) / f"lab-{Path(out_dir).name}-{digest[:16]}"
    target = select_device(device)
    dtype = inputs.settings["dtype"]
    model, tokenizer = load_causal_lm(model_dir, target, dtype)
    # The donor only where an experiment of this job splices it in: memory stays near one model.
    wants_donor = donor_dir and any(v.plan.uses_donor for v in variants)
    donor = load_causal_lm(donor_dir, target, dtype)[0] if wants_donor else None
    seconds: dict[str, float] = {}
    for variant in variants:
        folder = staging / variant.name
        plan = json.loads(json.dumps(variant.plan.to_dict()))
        # A name is reused only for the same plan: an edited custom experiment is measured anew.
        if (folder / "seconds.json").is_file() and _read(folder / "plan.json") == plan:
            log.info("%s: measured before, resumed", variant.name)
            seconds[variant.name] = json.loads((folder / "seconds.json").read_text())
            continue
        start = time.perf_counter()
        changed = _build(model, variant.plan, donor)
        tables = measure(changed, tokenizer, variant.name, inputs)
        del changed
        with atomic_directory(folder) as tmp:
            for name, table in tables.items():
                write_parquet(table, tmp / f"{name}.parquet")
            seconds[variant.name] = time.perf_counter() - start
            (tmp / "plan.json").write_text(json.dumps(plan))
            (tmp / "seconds.json").write_text(json.dumps(seconds[variant.name]))
        log.info("%s: %.1f s", variant.name, seconds[variant.name])
    with atomic_directory(out_dir) as tmp:
        _collect(staging, [v.name for v in variants], tmp)
        write_parquet(experiment_rows(variants, stage), tmp / "experiments.parquet")
        write_json(
            tmp / "job.json",
            {
                "device": device_name(target),
                "dtype": dtype,
                "seconds": seconds,
                "environment": environment(device_name(target)),
                **(notes or {}),
            },
        )
    shutil.rmtree(staging, ignore_errors=True)


def _read(path: Path) -> Any:
    return json.loads(path.read_text()) if path.is_file() else None


def _build(model, plan: Plan, donor) -> torch.nn.Module:
    if plan.is_identity(model.config.num_hidden_layers) and not plan.uses_donor:
        return model
    return apply_plan(model, plan, mode="shared", donor=donor if plan.uses_donor else None)


def _collect(staging: Path, names: Sequence[str], out: Path) -> None:
    """One parquet file per table kind, the experiments' rows in job order."""
    kinds: dict[str, list[pd.DataFrame]] = {}
    for name in names:
        for file in sorted((staging / name).glob("*.parquet")):
            kinds.setdefault(file.stem, []).append(pd.read_parquet(file))
    for kind, frames in kinds.items():
        write_parquet(pd.concat(frames, ignore_index=True), out / f"{kind}.parquet")


def chunk(variants: Sequence[Variant], jobs: int, index: int) -> list[Variant]:
    """The variants of job ``index`` of ``jobs``: round-robin, so each job gets a mix of cheap
    and costly experiments (the whole model doubled costs twice a deletion)."""
    return list(variants[index::jobs])
