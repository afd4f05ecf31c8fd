"""Where the computation runs, and how to make it repeatable."""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import random

import numpy as np
import torch

log = logging.getLogger(__name__)


def select_device(preference: str = "auto") -> torch.device:
    """The GPU when one is present (or asked for), else the CPU; logs the choice."""
    if preference not in {"auto", "cpu", "cuda"}:
        raise ValueError(f"device must be auto, cpu or cuda, not {preference!r}")
    if preference == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device: cuda was asked for but torch sees no GPU (use auto or cpu)")
    use_cuda = preference == "cuda" or (preference == "auto" and torch.cuda.is_available())
    device = torch.device("cuda" if use_cuda else "cpu")
    log.info("running on %s (%s)", device, device_name(device))
    return device


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return _cpu_model()


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} cores)"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores)"


def seed_everything(seed: int) -> None:
    """Seed every generator the training loop touches, and ask torch for deterministic kernels."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    # cuBLAS needs this workspace setting to be deterministic; it is read when CUDA starts.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)


def set_threads(threads: int) -> None:
    """Bound intra-op threads to what the scheduler gave the job, and to the CPUs this process
    may run on (a rule asking for every core names more than any machine has)."""
    torch.set_num_threads(max(1, min(int(threads), len(os.sched_getaffinity(0)))))


def enable_fast_math(device: torch.device) -> None:
    """TF32 matmuls on Ampere and later: fp32 accuracy is not needed for BERT fine-tuning."""
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True


def autocast(device: torch.device, cpu_bf16: bool = False) -> contextlib.AbstractContextManager:
    """bf16 autocast on a GPU that supports it; fp32 on the CPU unless `cpu_bf16` asks for bf16
    (fast only on CPUs with native bf16: AVX512-BF16 or AMX)."""
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.autocast("cuda", dtype=torch.bfloat16)
    if device.type == "cpu" and cpu_bf16:
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()
