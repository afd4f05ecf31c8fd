"""Peak memory of a stretch of work: the CUDA allocator's peak on a GPU, the process's peak
resident set (VmHWM) on the CPU. The two are not comparable, so the method is returned with the
number."""

from __future__ import annotations

import resource
from pathlib import Path

import torch


def reset_peak_memory(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        return
    try:  # Linux: writing 5 resets the peak resident set to the current one.
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # then the peak since process start is reported (see peak_memory_mb)


def peak_memory_mb(device: torch.device) -> tuple[float, str]:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20, "cuda_max_allocated"
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024, "process_rss"
    except OSError:
        pass
    # Elsewhere ru_maxrss (KiB on Linux, bytes on macOS) is the peak since process start.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "process_rss_since_start"
