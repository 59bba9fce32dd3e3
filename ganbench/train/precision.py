"""Device and numeric precision: bf16 autocast where the hardware supports it, float32 otherwise."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch


def resolve_device(name: str, setting: str = "train.device") -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; asking for CUDA without one is a ``ValueError`` naming
    ``setting``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"{setting} = {name!r} but no CUDA device is available; use 'auto' or 'cpu'")
    return torch.device(name)


def bf16_supported(device: torch.device) -> bool:
    """Whether bf16 autocast is native here (CUDA with bf16, or a CPU with AVX-512 BF16 / AMX).

    oneDNN answers for the CPU, so a cap such as ``ONEDNN_MAX_CPU_ISA=AVX2`` makes this False. Without
    native support bf16 still runs (emulated) but several times slower than float32."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    try:
        if not torch.ops.mkldnn._is_mkldnn_bf16_supported():
            return False
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16
    except (AttributeError, RuntimeError):
        return False


@dataclass(frozen=True)
class Precision:
    """The autocast dtype chosen for a device (``None`` = plain float32); ``note`` says why a request
    was not followed."""

    device: torch.device
    dtype: torch.dtype | None
    note: str = ""

    @property
    def name(self) -> str:
        return "bf16" if self.dtype == torch.bfloat16 else "fp32"

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)


def resolve_precision(setting: str, device: torch.device) -> Precision:
    """``"auto"`` picks bf16 where supported; ``"bf16"`` where unsupported falls back to float32 with a
    ``note`` (emulated bf16 measured 6x slower than float32 on an AVX2-only CPU)."""
    if setting == "fp32":
        return Precision(device, None)
    if bf16_supported(device):
        return Precision(device, torch.bfloat16)
    if setting == "bf16":
        hardware = "this CPU has no AVX-512 BF16 or AMX" if device.type == "cpu" else f"{device} has no bf16"
        return Precision(device, None, f"train.precision = 'bf16' but {hardware} (emulated bf16 is several "
                                       "times slower): training in float32")
    return Precision(device, None)
