"""Device and numeric precision: bf16 autocast where the hardware supports it, float32 otherwise."""

from __future__ import annotations

import contextlib
import warnings
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
    """Whether bf16 autocast is native here (CUDA with bf16, or a CPU with AVX-512 BF16 / AMX)."""
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
    """The autocast dtype chosen for a device (``None`` = plain float32)."""

    device: torch.device
    dtype: torch.dtype | None

    @property
    def name(self) -> str:
        return "bf16" if self.dtype == torch.bfloat16 else "fp32"

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)


def resolve_precision(setting: str, device: torch.device) -> Precision:
    """``"auto"`` picks bf16 where supported; ``"bf16"`` where unsupported warns and falls back to fp32."""
    if setting == "fp32":
        return Precision(device, None)
    if bf16_supported(device):
        return Precision(device, torch.bfloat16)
    if setting == "bf16":
        warnings.warn(f"bf16 is not supported on {device}; training in float32", stacklevel=2)
    return Precision(device, None)
